"""A relay-owned track feeding one receive slot of one subscriber with encoded packets."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from server.media.passthrough import EncodedFrame, EncodedPacket

#: frames queued per slot before the oldest are dropped (the sender drains at once on a healthy
#: loop, so a full queue means the loop is overloaded)
VIDEO_QUEUE_FRAMES = 30
AUDIO_QUEUE_FRAMES = 50


class SlotTrack(MediaStreamTrack):
    """Yields ``av.Packet`` from whichever publisher currently feeds the slot.

    Invariants: output timestamps strictly increase across source changes (each new source is
    rebased to continue from the last packet sent, plus the wall-clock gap); a video slot never
    forwards a delta frame before a keyframe from its current source (after a switch or an
    overflow it drops frames and asks for a keyframe with ``request_keyframe(source)``).
    """

    def __init__(
        self,
        kind: str,
        request_keyframe: Callable[[str], None],
        capacity: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.kind = kind
        self._request_keyframe = request_keyframe
        self._capacity = capacity or (VIDEO_QUEUE_FRAMES if kind == "video" else AUDIO_QUEUE_FRAMES)
        self._clock = clock
        self._queue: deque[tuple[EncodedFrame, int]] = deque()
        self._ready = asyncio.Event()
        self._source: str | None = None
        self._awaiting_keyframe = kind == "video"
        # rebasing
        self._rebased_source: str | None = None
        self._offset = 0
        self._last_pts: int | None = None
        self._last_wall = 0.0
        # counters
        self.forwarded = 0
        self.dropped = 0
        self.switches = 0

    @property
    def source(self) -> str | None:
        return self._source

    def set_source(self, source: str | None) -> None:
        """Switch the publisher feeding this slot (``None``: nothing is sent)."""
        if source == self._source:
            return
        self._source = source
        self.switches += 1
        self.dropped += len(self._queue)
        self._queue.clear()
        if self.kind == "video":
            self._awaiting_keyframe = True
            if source is not None:
                self._request_keyframe(source)

    def request_keyframe(self) -> None:
        """The subscriber asked for a keyframe (PLI/FIR): pass it to the current source."""
        if self.kind == "video" and self._source is not None:
            self._request_keyframe(self._source)

    def push(self, source: str, frame: EncodedFrame) -> None:
        """Queue a frame from ``source`` if it feeds this slot. Never blocks."""
        if source != self._source or self.readyState != "live":
            return
        if self._awaiting_keyframe:
            if not frame.keyframe:
                self.dropped += 1
                return
            self._awaiting_keyframe = False
        if len(self._queue) >= self._capacity:
            if self.kind == "video" and not frame.keyframe:
                # dropping a delta frame breaks the picture until the next keyframe
                self.dropped += len(self._queue) + 1
                self._queue.clear()
                self._awaiting_keyframe = True
                self._request_keyframe(source)
                return
            self._queue.popleft()
            self.dropped += 1
        self._queue.append((frame, self._rebase(source, frame)))
        self._ready.set()

    def _rebase(self, source: str, frame: EncodedFrame) -> int:
        now = self._clock()
        if source != self._rebased_source:
            self._rebased_source = source
            if self._last_pts is None:
                self._offset = -frame.pts
            else:
                gap = max(1, round((now - self._last_wall) * frame.clock_rate))
                self._offset = self._last_pts + gap - frame.pts
        pts = frame.pts + self._offset
        if self._last_pts is not None and pts <= self._last_pts:
            pts = self._last_pts + 1
        self._last_pts = pts
        self._last_wall = now
        return pts

    async def recv(self) -> EncodedPacket:
        while not self._queue:
            if self.readyState != "live":
                raise MediaStreamError
            self._ready.clear()
            await self._ready.wait()
        frame, pts = self._queue.popleft()
        self.forwarded += 1
        return frame.to_packet(pts)

    def stop(self) -> None:
        super().stop()
        self._queue.clear()
        self._ready.set()
