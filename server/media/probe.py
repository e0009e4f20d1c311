"""Probes a reduced subscriber's downlink: sends it more for a moment, to learn whether it
carries the next plan before the plan is taken (``adapt.py`` decides when and how much).

A subscriber sent audio and a cheap picture cannot show that its link carries a camera more:
what it is sent is all the relay sees go through. Taking the costlier plan to find out floods a
thin link with the meeting's own media (measured: the member's audio concealed). A probe sends
copies of the subscriber's last datagram instead (the receiver's SRTP replay check drops them),
spread evenly over ``duration`` so that the link's queue sees a rate, not a burst; if the
link's reports stay clean the estimate may grow to it, if they show loss the probe cost only
copies and a short queue.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable

#: one piece of the probe every so often (s): even enough for a queue of a few hundred ms
STEP_SECONDS = 0.02

Fill = Callable[[int], int]
"""Sends about so many bytes of probe; returns how many it sent."""


class ProbeFill:
    """Fills a link up to a rate for a while, in pieces of ``STEP_SECONDS``."""

    def __init__(self) -> None:
        self._handle: asyncio.TimerHandle | None = None
        self.sent = 0
        """Probe bytes sent, over all probes."""

    @property
    def active(self) -> bool:
        return self._handle is not None

    def start(self, fill: Fill, extra_bps: float, duration: float) -> None:
        """Send ``extra_bps`` on top of the media for ``duration`` seconds (replaces a probe
        under way)."""
        self.stop()
        if extra_bps <= 0 or duration <= 0:
            return
        steps = max(1, math.ceil(duration / STEP_SECONDS))
        piece = extra_bps / 8 * duration / steps
        self._step(fill, piece, steps, 0.0)

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _step(self, fill: Fill, piece: float, left: int, owed: float) -> None:
        self._handle = None
        owed += piece
        sent = fill(int(owed)) if owed >= 1 else 0
        if owed >= 1 and not sent:
            return  # nothing to send with (no datagram yet, a closed path): no probe
        self.sent += sent
        owed -= sent  # whole datagrams: what went over is owed back by the next pieces
        if left > 1:
            self._handle = asyncio.get_running_loop().call_later(
                STEP_SECONDS, self._step, fill, piece, left - 1, owed
            )
