"""Paces one subscriber's video onto its downlink.

The relay sends a frame's packets back to back. A 40 kB keyframe arriving at once at a
256 kbit/s link whose queue holds 0.3 s loses three quarters of its packets, and the audio
packets behind it. With a pacer the video of a subscriber whose downlink is reduced
(``adapt.py``) leaves at most at the rate its plan allows, so the link's queue stays short, and
audio, which never goes through the pacer, passes at once. Off (``rate_bps`` ``None``) the
packets go out unchanged, at no cost.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable

#: sent at once while the link is this far from being free (a short burst is fine)
BURST_SECONDS = 0.01
#: a frame is not queued behind more than this (the subscriber would see it too late; its slot
#: waits for the next keyframe instead)
MAX_BACKLOG_SECONDS = 1.0

Send = Callable[[bytes, tuple[str, int]], None]
#: builds the datagram when it leaves (its abs-send-time must be the time it really left:
#: Chromium's delay-based estimate, its REMB, reads it)
Build = Callable[[], bytes]


class Pacer:
    """Queues datagrams and sends them at ``rate_bps`` (virtual finishing times: the link is
    busy until ``size × 8 / rate`` after the previous datagram)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._rate_bps: float | None = None
        self._queue: deque[tuple[Send, Build, int, tuple[str, int]]] = deque()
        self._queued = 0
        self._free_at = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._closed = False
        self.sent_later = 0
        """Datagrams that waited in the pacer."""

    @property
    def rate_bps(self) -> float | None:
        return self._rate_bps

    def set_rate(self, rate_bps: float | None) -> None:
        """Pace at ``rate_bps``; ``None`` sends what waits at once and stops pacing."""
        self._rate_bps = rate_bps
        if rate_bps is None:
            self._drain(everything=True)
        elif self._queue:
            self._free_at = self._clock() + self._queued * 8 / rate_bps

    def backlog(self) -> float:
        """Seconds until what is queued has left."""
        return max(0.0, self._free_at - self._clock()) if self._rate_bps else 0.0

    def accepts_frame(self) -> bool:
        """Whether a new frame would leave in time."""
        return self.backlog() <= MAX_BACKLOG_SECONDS

    def send(self, send: Send, build: Build, size: int, addr: tuple[str, int]) -> None:
        """Send the datagram ``build()`` makes (``size`` bytes) now, or when the link is free.
        Sent now, ``send`` and ``build`` may raise (they are the caller's)."""
        if self._rate_bps is None or self._closed:
            send(build(), addr)
            return
        now = self._clock()
        if not self._queue and self._free_at <= now + BURST_SECONDS:
            self._free_at = max(self._free_at, now) + size * 8 / self._rate_bps
            send(build(), addr)
            return
        self._queue.append((send, build, size, addr))
        self._queued += size
        self._free_at = max(self._free_at, now) + size * 8 / self._rate_bps
        self._schedule()

    def close(self) -> None:
        self._closed = True
        self._queue.clear()
        self._queued = 0
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _schedule(self) -> None:
        if self._timer is None and self._queue and self._rate_bps:
            # the head leaves once the link has finished what was sent before it
            due = self._free_at - self._queued * 8 / self._rate_bps
            delay = max(0.0, due - self._clock() - BURST_SECONDS)
            self._timer = asyncio.get_running_loop().call_later(delay, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self._drain(everything=False)
        self._schedule()

    def _drain(self, *, everything: bool) -> None:
        rate = self._rate_bps
        queue = self._queue
        if rate is not None and not everything:
            # what is queued occupies the link until _free_at; the head may leave once the
            # link has finished what was sent before it
            start = self._free_at - self._queued * 8 / rate
            now = self._clock()
            while queue and start <= now + BURST_SECONDS:
                item = queue.popleft()
                self._queued -= item[2]
                start += item[2] * 8 / rate
                self._send(*item)
            return
        while queue:
            self._send(*queue.popleft())
        self._queued = 0
        if rate is None:
            self._free_at = 0.0

    def _send(self, send: Send, build: Build, _size: int, addr: tuple[str, int]) -> None:
        self.sent_later += 1
        with contextlib.suppress(Exception):  # a closed transport: the writer notices later
            send(build(), addr)
