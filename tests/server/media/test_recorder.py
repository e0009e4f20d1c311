"""The recorder's pure parts: the VP8 keyframe header and timestamp rebasing across sources."""

from __future__ import annotations

import fractions

import av
from av import VideoFrame

from server.media.passthrough import EncodedFrame
from server.media.recorder import AUDIO_CLOCK, VIDEO_CLOCK, _Track, vp8_keyframe_size


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
