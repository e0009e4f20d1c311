"""FrameOnMarkerBuffer: a VP8 frame is handed on at its last packet when it is whole, and by
aiortc's own rule (when the next frame begins) when it was not."""

from __future__ import annotations

from aiortc import RTCRtpCodecParameters
from aiortc.codecs import depayload
from aiortc.jitterbuffer import JitterFrame
from aiortc.rtp import RtpPacket

from server.media.reassembly import FrameOnMarkerBuffer

VP8 = RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90_000, payloadType=96)


def packet(seq: int, ts: int, *, first: bool, last: bool, body: bytes) -> RtpPacket:
    """A VP8 packet: the descriptor's start bit on the frame's first packet."""
    p = RtpPacket(
        payload_type=96,
        sequence_number=seq,
        timestamp=ts,
        marker=int(last),
        payload=bytes([0x10 if first else 0x00]) + body,
    )
    p._data = depayload(VP8, p.payload)  # type: ignore[attr-defined]
    return p


def frame_of(seq: int, ts: int, parts: list[bytes]) -> list[RtpPacket]:
    return [
        packet(seq + i, ts, first=i == 0, last=i == len(parts) - 1, body=body)
        for i, body in enumerate(parts)
    ]


def feed(buffer: FrameOnMarkerBuffer, packets: list[RtpPacket]) -> list[JitterFrame]:
    out = []
    for p in packets:
        _, frame = buffer.add(p)
        if frame is not None:
            out.append(frame)
    return out


def test_a_whole_frame_is_handed_on_at_its_marker_without_waiting_for_the_next() -> None:
    buffer = FrameOnMarkerBuffer(capacity=128, is_video=True)
    got = feed(buffer, frame_of(1000, 3000, [b"ab", b"cd", b"ef"]))
    assert [(f.timestamp, f.data) for f in got] == [(3000, b"abcdef")]
    got = feed(buffer, frame_of(1003, 6000, [b"gh"]))  # a one-packet frame
    assert [(f.timestamp, f.data) for f in got] == [(6000, b"gh")]


def test_a_frame_with_a_packet_missing_waits_for_it() -> None:
    buffer = FrameOnMarkerBuffer(capacity=128, is_video=True)
    first, second, third = frame_of(1000, 3000, [b"ab", b"cd", b"ef"])
    assert feed(buffer, [first, third]) == []
    # the retransmission completes it: handed on at once
    got = feed(buffer, [second])
    assert [(f.timestamp, f.data) for f in got] == [(3000, b"abcdef")]
    got = feed(buffer, frame_of(1003, 6000, [b"gh"]))
    assert [(f.timestamp, f.data) for f in got] == [(6000, b"gh")]


def test_a_frame_behind_an_incomplete_one_waits_for_it() -> None:
    buffer = FrameOnMarkerBuffer(capacity=128, is_video=True)
    a1, a2 = frame_of(1000, 3000, [b"ab", b"cd"])
    b = frame_of(1002, 6000, [b"ef", b"gh"])
    assert feed(buffer, [a1, *b]) == []  # a's last packet is missing: b may not overtake it
    got = feed(buffer, [a2])
    assert [(f.timestamp, f.data) for f in got] == [(3000, b"abcd")]
    # b was whole before a was; it goes with the next packet at the latest
    got = feed(buffer, frame_of(1004, 9000, [b"ij"]))
    assert [(f.timestamp, f.data) for f in got] == [(6000, b"efgh")]


def test_a_frame_whose_first_packet_never_came_is_not_handed_on_at_its_marker() -> None:
    buffer = FrameOnMarkerBuffer(capacity=128, is_video=True)
    tail = frame_of(1000, 3000, [b"ab", b"cd", b"ef"])[1:]  # the buffer starts mid-frame
    assert feed(buffer, tail) == []
