"""One receive slot of one subscriber: which publisher feeds it, and what reaches its sender."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from server.media.adapt import FrameRate
from server.media.passthrough import EncodedFrame, EncodedPacket, SendResult

#: frames held per slot until its sender has started (DTLS up); then frames go out at once
VIDEO_QUEUE_FRAMES = 30
AUDIO_QUEUE_FRAMES = 50
#: a video slot at the full frame rate that asked for a keyframe and still gets delta frames asks
#: again after this many seconds: a PLI lost on a lossy link, sent before the publisher's first
#: packet, or ignored by a publisher that had just sent a keyframe would otherwise leave the
#: picture frozen until the publisher's next keyframe of its own (for a shared screen, possibly
#: never). Not at a reduced frame rate: the subscriber's link is thin, and keyframes are large
KEYFRAME_RETRY_SECONDS = 1.0

#: sends one frame with the given RTP-clock timestamp
SlotOutput = Callable[[EncodedFrame, int], SendResult]


class SlotTrack(MediaStreamTrack):
    """Hands the frames of whichever publisher currently feeds the slot to the slot's output.

    The output (the relay's :class:`~server.media.passthrough.RtpWriter`) sends synchronously,
    from the publisher's frame callback: no queue and no task per slot once it is attached. Until
    then (the peer connection is still connecting) up to ``capacity`` frames wait, and are sent
    when :meth:`attach` is called. The track is still what aiortc's sender holds, so ``recv()``
    parks until the track stops: the sender's own loop never sends.

    Invariants: output timestamps strictly increase across source changes (each new source is
    rebased to continue from the last frame sent, plus the wall-clock gap); a video slot never
    forwards a delta frame before a keyframe from its current source (after a switch, an overflow
    or a failed send it drops frames and asks for a keyframe with ``request_keyframe(source)``,
    and again every ``KEYFRAME_RETRY_SECONDS`` until one comes: :meth:`ask_again`).
    When the output reports its connection gone, the slot stops: a dead subscriber never makes a
    publisher send keyframes.
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
        self._output: SlotOutput | None = None
        self._held: deque[tuple[EncodedFrame, int]] = deque()
        self._ended = asyncio.Event()
        self._source: str | None = None
        self._awaiting_keyframe = kind == "video"
        self._asked_at: float | None = None
        """When the keyframe awaited was last asked for (None: waiting without asking)."""
        self._failure_asked_at: float | None = None
        """When a keyframe was last asked for because a send failed."""
        self._frame_rate = FrameRate.FULL
        # rebasing
        self._rebased_source: str | None = None
        self._offset = 0
        self._last_pts: int | None = None
        self._last_wall = 0.0
        # counters
        self.forwarded = 0
        self.dropped = 0
        self.switches = 0
        self.thinned = 0
        """Video frames left out for a lower frame rate (``set_frame_rate``)."""
        self.keyframe_retries = 0
        """Keyframe requests repeated while none came (``KEYFRAME_RETRY_SECONDS``)."""
        self.failed = 0
        """Frames the output could not send (not yet started, or an error sending)."""

    @property
    def source(self) -> str | None:
        return self._source

    @property
    def attached(self) -> bool:
        return self._output is not None

    @property
    def awaiting_keyframe(self) -> bool:
        """Video frames are dropped until a keyframe from the current source comes."""
        return self._awaiting_keyframe

    def attach(self, output: SlotOutput) -> None:
        """The sender has started: send what waited, then every frame as it comes."""
        self._output = output
        waiting = list(self._held)
        self._held.clear()
        for frame, pts in waiting:
            if self._output is None:  # the connection was gone: the slot stopped
                break
            self._send(frame, pts)

    def set_source(self, source: str | None) -> None:
        """Switch the publisher feeding this slot (``None``: nothing is sent)."""
        if source == self._source:
            return
        self._source = source
        self.switches += 1
        self.dropped += len(self._held)
        self._held.clear()
        if self.kind == "video":
            self._awaiting_keyframe = True
            self._asked_at = None
            if source is not None:
                self._ask(source)

    @property
    def frame_rate(self) -> FrameRate:
        return self._frame_rate

    def set_frame_rate(self, rate: FrameRate) -> None:
        """Forward all frames, the base temporal layer only (frames of a source without layers:
        keyframes only), or keyframes only. Leaving out upper layers is always safe; a higher
        rate starts at the next keyframe (asked for), since the frames it adds may refer to
        frames that were left out."""
        if self.kind != "video" or rate == self._frame_rate:
            return
        raised = rate > self._frame_rate
        self._frame_rate = rate
        # awaiting one already, but not asked for (a reduced rate left out a frame): ask now,
        # or nothing would (``ask_again`` repeats only what was asked; measured: a slot raised
        # from keyframes only stayed dark behind a publisher that sends keyframes on request)
        if raised and (not self._awaiting_keyframe or self._asked_at is None):
            self._awaiting_keyframe = True
            if self._source is not None:
                self._ask(self._source)

    def request_keyframe(self) -> None:
        """The subscriber asked for a keyframe (PLI/FIR): pass it to the current source."""
        if self.kind == "video" and self._source is not None:
            self._request_keyframe(self._source)

    def push(self, source: str, frame: EncodedFrame) -> None:
        """Forward (or, before :meth:`attach`, hold) a frame from ``source`` if it feeds this
        slot. Never blocks."""
        if source != self._source or self.readyState != "live":
            return
        if frame.late:
            self._send_late(source, frame)
            return
        if self._awaiting_keyframe:
            if not frame.keyframe:
                self.dropped += 1
                self.ask_again()
                return
            self._awaiting_keyframe = False
            self._asked_at = None
        if self._frame_rate is not FrameRate.FULL and not frame.keyframe:
            layer = frame.temporal_layer
            if self._frame_rate is FrameRate.KEYFRAMES or layer is None:
                self.thinned += 1
                self._awaiting_keyframe = True  # what follows may refer to this frame
                return
            if layer > 0:
                self.thinned += 1
                return
        if self._output is not None:
            self._send(frame, self._rebase(source, frame))
            return
        if len(self._held) >= self._capacity:
            if self.kind == "video" and not frame.keyframe:
                # dropping a delta frame breaks the picture until the next keyframe
                self._restart_picture(source, 1)
                return
            self._held.popleft()
            self.dropped += 1
        self._held.append((frame, self._rebase(source, frame)))

    def _send_late(self, source: str, frame: EncodedFrame) -> None:
        """A late audio frame (``EncodedFrame.late``) goes out at once with the timestamp it
        would have had, before the frames sent since; never held, and dropped when its source
        was rebased since (a switch) or nothing was sent yet."""
        if self._output is None or source != self._rebased_source or self._last_pts is None:
            self.dropped += 1
            return
        pts = frame.pts + self._offset
        if pts >= self._last_pts:  # the rebase moved on past it: it would not be late
            self.dropped += 1
            return
        self._send(frame, pts)

    def ask_again(self) -> None:
        """Repeat an unanswered keyframe request, at most every ``KEYFRAME_RETRY_SECONDS``:
        on each delta frame that is dropped while waiting, and on the relay's tick, since a
        still shared screen may send no frame at all until it is asked. Not at a reduced frame
        rate: the subscriber's link is thin, and a keyframe a second would fill it
        (keyframes-only video has its own period, ``Plan``)."""
        asked = self._asked_at
        if (
            not self._awaiting_keyframe
            or asked is None
            or self._source is None
            or self._frame_rate is not FrameRate.FULL
            or self.readyState != "live"
            or self._clock() - asked < KEYFRAME_RETRY_SECONDS
        ):
            return
        self.keyframe_retries += 1
        self._ask(self._source)

    def _send(self, frame: EncodedFrame, pts: int) -> None:
        assert self._output is not None
        result = self._output(frame, pts)
        if result is SendResult.SENT:
            self.forwarded += 1
        elif result is SendResult.GONE:
            self.dropped += 1
            self.stop()
        elif self.kind == "video" and self._source is not None:
            self.failed += 1
            self._restart_picture(self._source, 1, failed=True)
        else:
            self.failed += 1
            self.dropped += 1

    def _restart_picture(self, source: str, dropped: int, *, failed: bool = False) -> None:
        self.dropped += dropped + len(self._held)
        self._held.clear()
        if self._awaiting_keyframe:
            return
        self._awaiting_keyframe = True
        last = self._failure_asked_at
        if failed and last is not None and self._clock() - last < KEYFRAME_RETRY_SECONDS:
            # the keyframe asked for after the last failed send failed too: ask again later
            # (``ask_again``), not once per keyframe, or a subscriber whose sends keep failing
            # makes the publisher send nothing but keyframes
            self._asked_at = last
            return
        self._ask(source)
        if failed:
            self._failure_asked_at = self._asked_at

    def _ask(self, source: str) -> None:
        self._asked_at = self._clock()
        self._request_keyframe(source)

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
        """Parks aiortc's sender loop until the track stops (the output sends instead)."""
        await self._ended.wait()
        raise MediaStreamError

    def stop(self) -> None:
        super().stop()
        self._held.clear()
        self._output = None
        self._ended.set()
