"""The recorder's pure parts: the VP8 keyframe header, timestamp rebasing across sources, and
asking again for a keyframe that does not come."""

from __future__ import annotations

import fractions
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import av
from av import VideoFrame

from server.media.offer import Kind
from server.media.passthrough import EncodedFrame
from server.media.recorder import (
    AUDIO_CLOCK,
    VIDEO_CLOCK,
    MeetingRecorder,
    _Track,
    vp8_keyframe_size,
)
from server.media.relay import MeetingRelay


def _vp8_packets(count: int) -> list[tuple[bytes, bool]]:
    encoder = av.CodecContext.create("libvpx", "w")
    assert isinstance(encoder, av.VideoCodecContext)
    encoder.width, encoder.height, encoder.pix_fmt = 176, 144, "yuv420p"
    encoder.time_base = fractions.Fraction(1, VIDEO_CLOCK)
    out: list[tuple[bytes, bool]] = []
    for i in range(count):
        frame = VideoFrame(176, 144, "yuv420p")
        frame.pts = i * 6000
        frame.time_base = encoder.time_base
        out += [(bytes(p), p.is_keyframe) for p in encoder.encode(frame)]
    out += [(bytes(p), p.is_keyframe) for p in encoder.encode(None)]
    return out


def test_vp8_keyframe_size_from_a_real_keyframe() -> None:
    packets = _vp8_packets(12)
    assert packets[0][1]
    assert any(not key for _, key in packets)
    for data, key in packets:
        assert vp8_keyframe_size(data) == ((176, 144) if key else None)
    assert vp8_keyframe_size(b"") is None
    assert vp8_keyframe_size(packets[0][0][:9]) is None


def test_rebase_stays_monotonic_across_source_switches() -> None:
    track = _Track("audio", AUDIO_CLOCK, awaiting_keyframe=False)
    start = 100.0
    pts = [
        track.rebase("a", EncodedFrame(b"x", 500_000 + i * 960, AUDIO_CLOCK, True), start, start)
        for i in range(3)
    ]
    assert pts[0] == 0 and pts[1] - pts[0] == 960
    # another source with an unrelated (smaller) clock, 0.5 s later on the wall clock
    track.switch("b")
    later = track.rebase("b", EncodedFrame(b"x", 7, AUDIO_CLOCK, True), start + 0.5, start)
    assert later == pts[-1] + AUDIO_CLOCK // 2
    # a source going back in time never makes the output go back
    again = track.rebase("b", EncodedFrame(b"x", 0, AUDIO_CLOCK, True), start + 0.5, start)
    assert again >= later + AUDIO_CLOCK // 1000


def test_first_frame_is_placed_at_its_time_since_the_recording_started() -> None:
    track = _Track("video", VIDEO_CLOCK)
    assert track.switch("cam") and track.awaiting_keyframe
    assert not track.switch("cam")
    first = track.rebase("cam", EncodedFrame(b"x", 123_456, VIDEO_CLOCK, True), 11.0, 10.0)
    assert first == VIDEO_CLOCK


class _Room:
    """What the recorder reads of a meeting's relay: one camera, nobody speaking, and the
    keyframe requests it makes (the relay itself, with real peers, is in the records tests)."""

    def __init__(self) -> None:
        self.listener: Callable[[str, Kind, EncodedFrame], None] | None = None
        self.asked: list[float] = []
        self.active_speakers: list[str] = []
        self.pinned: list[str] = []
        self.now = 0.0

    def add_frame_listener(self, listener: Callable[[str, Kind, EncodedFrame], None]) -> Any:
        self.listener = listener
        return lambda: None

    def publishers(self, kind: Kind) -> list[str]:
        return ["cam"] if kind == "video" else []

    def request_keyframe(self, participant_id: str) -> bool:
        assert participant_id == "cam"
        self.asked.append(self.now)
        return True

    def frame(self, at: float, keyframe: bool) -> None:
        self.now = at
        assert self.listener is not None
        self.listener(
            "cam", "video", EncodedFrame(KEYFRAME if keyframe else b"d", 0, 90_000, keyframe)
        )


KEYFRAME = _vp8_packets(1)[0][0]


def test_an_unanswered_keyframe_request_is_repeated_while_deltas_come(tmp_path: Path) -> None:
    """The recorder asks for the camera's keyframe when it starts; a lost request is asked again
    every KEYFRAME_RETRY_SECONDS while delta frames come, and no more once the keyframe came
    (without it a recording had no picture until the camera's own next keyframe: the console's
    player then showed a placeholder and could not seek)."""
    room = _Room()
    sink = io.FileIO(tmp_path / "recording.mkv", "w")
    recorder = MeetingRecorder(cast(MeetingRelay, room), sink, clock=lambda: room.now)
    recorder.start()
    for i in range(31):  # 3 s of deltas at 10 fps, no keyframe
        room.frame(i / 10, keyframe=False)
    assert room.asked == [0.0, 1.0, 2.0, 3.0] and recorder.keyframe_retries == 3
    assert recorder.video_frames == 0
    room.frame(3.1, keyframe=True)
    for i in range(32, 60):
        room.frame(i / 10, keyframe=False)
    assert room.asked == [0.0, 1.0, 2.0, 3.0]  # answered: nothing more asked
    assert recorder.video_frames == 1 + 28
    recorder.stop()
    sink.close()
