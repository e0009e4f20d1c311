"""The meeting's recording: encoded frames from the relay muxed into Matroska, never decoded.

One VP8 video track carries the meeting's main picture (the first pinned participant that
publishes video — the room device, then the chair — else the dominant speaker) and one Opus audio
track the dominant speaker. Sources switch like a relay slot: timestamps are rebased so they keep
increasing, and after a video switch frames are dropped until the new source's keyframe (asked
for through the relay). Packets are muxed with PyAV on the event loop (a few hundred bytes of
copying each) straight into the recording's encrypting sink: no plaintext reaches the disk.
"""

from __future__ import annotations

import io
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import av
from av.container import OutputContainer
from av.stream import Stream

from server.media.offer import Kind
from server.media.passthrough import EncodedFrame
from server.media.relay import MeetingRelay
from server.media.slot import KEYFRAME_RETRY_SECONDS

logger = logging.getLogger(__name__)

VIDEO_CLOCK = 90_000
AUDIO_CLOCK = 48_000
#: how often the sources are re-chosen (the relay re-ranks speakers every 250 ms)
SELECT_SECONDS = 0.25
#: audio frames kept while waiting for the first video keyframe (the header needs its size)
PENDING_AUDIO_FRAMES = 250
#: without any video keyframe for this long, the recording goes on with audio only
VIDEO_WAIT_SECONDS = 5.0
#: a frame size Matroska needs when no video came before the header had to be written
FALLBACK_SIZE = (640, 360)


def vp8_keyframe_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a VP8 keyframe header (RFC 6386 section 9.1), else ``None``."""
    if len(data) < 10 or data[0] & 0x01 or data[3:6] != b"\x9d\x01\x2a":
        return None
    width = int.from_bytes(data[6:8], "little") & 0x3FFF
    height = int.from_bytes(data[8:10], "little") & 0x3FFF
    return (width, height) if width and height else None


@dataclass(slots=True)
class _Track:
    """One output track: which publisher feeds it and its rebased timeline."""

    kind: Kind
    clock: int
    source: str | None = None
    awaiting_keyframe: bool = True
    rebased_source: str | None = None
    offset: int = 0
    last_pts: int | None = None
    last_wall: float = 0.0
    written: int = 0

    def switch(self, source: str | None) -> bool:
        if source == self.source:
            return False
        self.source = source
        self.awaiting_keyframe = self.kind == "video"
        return True

    def rebase(self, source: str, frame: EncodedFrame, now: float, origin: float) -> int:
        """The frame's pts on this track's timeline (strictly increasing by at least 1 ms).

        The first frame is placed at its wall-clock time since ``origin`` (the start of the
        recording), so the two tracks start roughly in sync."""
        scale = self.clock / frame.clock_rate
        pts_in = round(frame.pts * scale)
        if source != self.rebased_source:
            self.rebased_source = source
            if self.last_pts is None:
                self.offset = round(max(0.0, now - origin) * self.clock) - pts_in
            else:
                gap = max(1, round((now - self.last_wall) * self.clock))
                self.offset = self.last_pts + gap - pts_in
        pts = pts_in + self.offset
        step = self.clock // 1000  # Matroska counts milliseconds
        if self.last_pts is not None and pts < self.last_pts + step:
            pts = self.last_pts + step
        self.last_pts = pts
        self.last_wall = now
        return pts


class MeetingRecorder:
    """Records a relay's main video and dominant speaker's audio into ``sink`` (Matroska).

    ``start()`` attaches to the relay; ``stop()`` detaches, writes the trailer and leaves
    ``sink`` open (its owner writes the final encrypted segment). Runs on the event loop.
    """

    def __init__(
        self,
        relay: MeetingRelay,
        sink: io.RawIOBase,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._relay = relay
        self._sink = sink
        self._clock = clock
        self._video = _Track("video", VIDEO_CLOCK)
        self._audio = _Track("audio", AUDIO_CLOCK, awaiting_keyframe=False)
        self._container: OutputContainer | None = None
        self._streams: dict[Kind, Stream] = {}
        self._pending_audio: deque[tuple[EncodedFrame, int]] = deque(maxlen=PENDING_AUDIO_FRAMES)
        self._remove: Callable[[], None] | None = None
        self._started_at = 0.0
        self._selected_at: float | None = None
        #: when a keyframe of the video source was last asked for (``None``: not waiting)
        self._asked_at: float | None = None
        self.keyframe_retries = 0
        """Keyframe requests repeated while the source's delta frames kept coming."""
        self._failed = False
        self.stopped = False

    @property
    def video_frames(self) -> int:
        return self._video.written

    @property
    def audio_frames(self) -> int:
        return self._audio.written

    def start(self) -> None:
        if self._remove is not None or self.stopped:
            raise RuntimeError("recorder already started")
        self._started_at = self._clock()
        self._remove = self._relay.add_frame_listener(self._on_frame)

    def stop(self) -> None:
        """Detach from the relay and finish the Matroska file (idempotent)."""
        if self.stopped:
            return
        self.stopped = True
        if self._remove is not None:
            self._remove()
            self._remove = None
        try:
            if self._container is None and self._pending_audio and not self._failed:
                self._open(None)
            if self._container is not None:
                self._container.close()
        except Exception:
            logger.exception("recording: closing the container failed")
        finally:
            self._container = None
            self._pending_audio.clear()

    # ---------------------------------------------------------------- frames

    def _on_frame(self, participant_id: str, kind: Kind, frame: EncodedFrame) -> None:
        if self.stopped or self._failed:
            return
        now = self._clock()
        if self._selected_at is None or now - self._selected_at >= SELECT_SECONDS:
            self._selected_at = now
            self._select(now)
        track = self._video if kind == "video" else self._audio
        if participant_id != track.source:
            return
        if track.awaiting_keyframe:
            if not frame.keyframe:
                self._ask_again(participant_id, kind, now)
                return
            track.awaiting_keyframe = False
            if kind == "video":
                self._asked_at = None
        try:
            self._write(track, participant_id, frame, now)
        except Exception:
            self._failed = True  # a broken muxer must not hold up the meeting
            logger.exception("recording: muxing failed; no more media is recorded")

    def _ask_again(self, source: str, kind: Kind, now: float) -> None:
        """The source's delta frames come but not the keyframe asked for: the request was lost
        (a lossy link, or sent before the source's first packet) or ignored (it had just sent
        one). Ask again each ``KEYFRAME_RETRY_SECONDS``, as a slot does; else the recording
        has no picture until the source's next keyframe of its own, which may never come."""
        if kind != "video" or self._asked_at is None:
            return
        if now - self._asked_at >= KEYFRAME_RETRY_SECONDS:
            self._asked_at = now
            self.keyframe_retries += 1
            self._relay.request_keyframe(source)

    def _select(self, now: float) -> None:
        relay = self._relay
        speakers = relay.active_speakers
        videos = relay.publishers("video")
        audios = relay.publishers("audio")
        video = next((p for p in relay.pinned if p in videos), None)
        if video is None:
            video = next((p for p in speakers if p in videos), None)
        if video is None:
            video = self._video.source if self._video.source in videos else None
        if video is None and videos:
            video = videos[0]
        if self._video.switch(video) and video is not None:
            relay.request_keyframe(video)
            self._asked_at = now
        audio = next((p for p in speakers if p in audios), None)
        if audio is None:
            audio = self._audio.source if self._audio.source in audios else None
        if audio is None and audios:
            audio = audios[0]
        self._audio.switch(audio)

    def _write(self, track: _Track, source: str, frame: EncodedFrame, now: float) -> None:
        pts = track.rebase(source, frame, now, self._started_at)
        if self._container is None:
            size = vp8_keyframe_size(frame.data) if track.kind == "video" else None
            if size is None and now - self._started_at < VIDEO_WAIT_SECONDS:
                if track.kind == "audio":
                    self._pending_audio.append((frame, pts))
                return  # a video delta or a keyframe without a readable size: skip
            self._open(size)
        self._mux(track, frame.data, pts)

    def _open(self, size: tuple[int, int] | None) -> None:
        container = av.open(self._sink, mode="w", format="matroska")
        video = container.add_stream("libvpx", rate=15)
        video.width, video.height = size or FALLBACK_SIZE
        video.pix_fmt = "yuv420p"
        video.time_base = Fraction(1, VIDEO_CLOCK)
        audio = container.add_stream("libopus", rate=AUDIO_CLOCK)
        audio.time_base = Fraction(1, AUDIO_CLOCK)
        self._container = container
        self._streams = {"video": video, "audio": audio}
        pending = list(self._pending_audio)
        self._pending_audio.clear()
        for frame, pts in pending:
            self._mux(self._audio, frame.data, pts)

    def _mux(self, track: _Track, data: bytes, pts: int) -> None:
        assert self._container is not None
        packet = av.Packet(data)
        packet.pts = packet.dts = pts
        packet.time_base = Fraction(1, track.clock)
        packet.stream = self._streams[track.kind]
        self._container.mux(packet)
        track.written += 1


def indexed_copy(data: bytes) -> bytes | None:
    """The recording remuxed (packets copied, never decoded) into Matroska written to memory, so
    the muxer can go back for the index (Cues) and the duration a streamed file lacks: a player
    then seeks. ``None`` when ``data`` holds no readable stream (an empty recording)."""
    try:
        with av.open(io.BytesIO(data), mode="r", format="matroska") as src:
            if not src.streams:
                return None
            target = io.BytesIO()
            with av.open(target, mode="w", format="matroska") as dst:
                mapping = {s.index: dst.add_stream_from_template(s) for s in src.streams}
                for packet in src.demux():
                    if packet.dts is None:  # the demuxer's flush packet
                        continue
                    packet.stream = mapping[packet.stream.index]
                    dst.mux(packet)
            return target.getvalue()
    except av.FFmpegError as err:
        logger.warning("recording not remuxed for the player: %s", err)
        return None
