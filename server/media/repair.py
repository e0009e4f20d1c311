"""Repairing a publisher's lossy uplink audio by retransmission. Pure: no clock, no I/O.

A member at sea loses packets on the way *to* the relay too. What the member's browser repeats
(RED: one earlier frame in Chromium) and Opus FEC rebuild most of it, but a frame is gone when
two packets in a row are: about 4 % at 20 % random loss, which every subscriber then conceals.
The relay asks the publisher for what its leg lost (RTCP generic NACK, RFC 4585; Chromium
answers audio NACKs from its packet history), forwards each retransmitted frame when it comes,
with its own timestamp (``EncodedFrame.late``), and tells the subscribers to hold that
publisher's audio for about a round trip (``RepairHold``, the ``audio_hold`` of the ``slots``
message), so that the frame is still in time to be played. Only publishers whose uplink loses
packets get the hold: the others' voices are not delayed.
"""

from __future__ import annotations

import math

#: a gap of more missing packets than this (0.5 s of 20 ms frames) is an outage, not loss: the
#: retransmissions would come too late to be played, so they are not asked for
MAX_NACK_GAP = 25
#: a frame older than this (seconds) behind the newest one forwarded is not forwarded late
LATE_LIMIT_SECONDS = 2.0
#: the uplink's measured loss from which subscribers hold the publisher's audio, and below
#: which they stop
HOLD_FROM_LOSS = 0.03
HOLD_UNTIL_LOSS = 0.01
#: weight of the newest interval in the loss estimate (the relay updates it once a second)
LOSS_WEIGHT = 0.3
#: intervals with fewer packets than this say nothing about loss (the publisher is muted)
MIN_PACKETS = 10
#: the hold is the round trip plus this margin (a gap is noticed when the packet after it comes,
#: a burst later; the second request goes 100 ms after the first), rounded up to
#: ``HOLD_STEP_MS``, at most ``MAX_HOLD_MS``
HOLD_MARGIN_SECONDS = 0.2
HOLD_STEP_MS = 100
MAX_HOLD_MS = 1500
#: a changed round trip changes the hold only when it moves it this much (each change is a
#: ``slots`` message to every subscriber)
HOLD_CHANGE_MS = 200
#: a publisher asked this many times that has answered none is not held for: its browser does
#: not resend audio (the hold would only delay its voice)
UNANSWERED_ASKS = 30


#: a packet asked for is asked for once more this many packets later (100 ms of 20 ms frames)
#: if it has not come: the first NACK crosses the lossy leg too. Not more often: the publisher
#: resends a packet at most once a round trip (Chromium), and a third answer would come too late
NACK_REPEAT_AFTER = 5
#: packets awaiting their second request, at most
MAX_PENDING = 64
#: a lossy publisher's audio that pauses this long (s) after a packet may have paused because the
#: next packet was lost; and Opus DTX sends one frame every 400 ms in silence, so the gap after a
#: lost one would show only with the next, too late. The next sequence number is asked for then
#: and every ``QUIET_NACK_AGAIN`` after, ``QUIET_NACKS`` times in all (past the 400 ms), before
#: it is known to be missing: a publisher ignores a NACK for a packet it has not sent, and one
#: that reaches it just after it sent the packet brings it back only a little late
QUIET_NACK_AFTER = 0.06
QUIET_NACK_AGAIN = 0.1
QUIET_NACKS = 6


class UplinkGaps:
    """The RTP sequence numbers of one publisher's audio stream, as they come: which packets
    its leg lost, to ask for again (twice: ``NACK_REPEAT_AFTER``)."""

    __slots__ = ("_high", "_pending", "expected", "late", "missed")

    def __init__(self) -> None:
        self._high: int | None = None
        #: asked for once: sequence number → packets still to come before asking again
        self._pending: dict[int, int] = {}
        self.expected = 0
        """Packets the publisher sent, by sequence number, up to the newest one."""
        self.missed = 0
        """Packets that had not come when a later one did."""
        self.late = 0
        """Packets that came after a later one: retransmissions (or reordering)."""

    @property
    def newest(self) -> int | None:
        """The highest sequence number seen."""
        return self._high

    def observe(self, sequence: int, repeats: int = 0) -> list[int]:
        """Take one packet's sequence number and how many packets before it its frame repeats
        cover (RED); return the packets to ask for now, oldest first: those missing just before
        it that the repeats do not bring back, and those asked for ``NACK_REPEAT_AFTER``
        packets ago that still have not come."""
        high = self._high
        pending = self._pending
        if high is None:
            self._high = sequence
            self.expected += 1
            return []
        step = ((sequence - high + 0x8000) & 0xFFFF) - 0x8000
        if step <= 0:
            self.late += 1
            pending.pop(sequence, None)
            return []
        self._high = sequence
        self.expected += step
        missing = step - 1
        self.missed += missing
        if missing > MAX_NACK_GAP:  # an outage: what was asked before it is too late now
            pending.clear()
            return []
        again = [seq for seq, left in pending.items() if left <= step]
        for seq in list(pending):
            if seq in again:
                del pending[seq]
            else:
                pending[seq] -= step
        if missing == 0:
            return again
        lost = [(sequence - k) & 0xFFFF for k in range(missing, max(0, repeats), -1)]
        for seq in lost:
            if len(pending) < MAX_PENDING:
                pending[seq] = NACK_REPEAT_AFTER
        return again + lost


class RepairHold:
    """How long subscribers should hold one publisher's audio (ms, 0: not at all), from its
    uplink's loss (``UplinkGaps``' counters) and the round trip to it."""

    __slots__ = ("_expected", "_missed", "hold_ms", "loss")

    def __init__(self) -> None:
        self.loss = 0.0
        self.hold_ms = 0
        self._expected = 0
        self._missed = 0

    def update(
        self, expected: int, missed: int, rtt: float | None, asked: int = 0, answered: int = 0
    ) -> int:
        """Take the counters (cumulative: packets expected and missed, NACKs sent and packets
        that came late) and the round trip (seconds, ``None``: not measured yet); return the
        hold."""
        sent, lost = expected - self._expected, missed - self._missed
        if sent < 0 or lost < 0:  # a new stream: its counters start again
            sent, lost = expected, missed
        self._expected, self._missed = expected, missed
        if sent >= MIN_PACKETS:
            self.loss += LOSS_WEIGHT * (min(1.0, lost / sent) - self.loss)
        lossy = self.loss >= HOLD_FROM_LOSS or (self.hold_ms > 0 and self.loss >= HOLD_UNTIL_LOSS)
        if not lossy or rtt is None or (asked >= UNANSWERED_ASKS and answered == 0):
            self.hold_ms = 0
            return 0
        wanted = HOLD_STEP_MS * math.ceil((rtt + HOLD_MARGIN_SECONDS) * 1000 / HOLD_STEP_MS)
        wanted = min(MAX_HOLD_MS, wanted)
        if self.hold_ms == 0 or abs(wanted - self.hold_ms) >= HOLD_CHANGE_MS:
            self.hold_ms = wanted
        return self.hold_ms
