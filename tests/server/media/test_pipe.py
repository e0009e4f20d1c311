"""The pipe's framing between relay workers (pure: no sockets)."""

from __future__ import annotations

import pytest

from server.media.passthrough import EncodedFrame
from server.media.pipe import (
    CLOCK_RATES,
    FRAME,
    HIGH_WATER,
    JSON,
    KEYFRAME,
    Framed,
    PipeLink,
    decode_frame,
    encode,
    encode_frame,
    encode_json,
)


class Collect(Framed):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[tuple[bytes, bytes]] = []

    def on_message(self, kind: bytes, body: bytes) -> None:
        self.messages.append((kind, body))


@pytest.mark.parametrize(
    ("frame", "level"),
    [
        (EncodedFrame(b"\x10\x02\x9d\x01\x2a", 123_456_789_012, 90_000, True, 2), None),
        (EncodedFrame(b"opus", 960, 48_000, True), 37),
        (EncodedFrame(b"", -5, 90_000, False), 0),
    ],
)
def test_a_frame_crosses_unchanged(frame: EncodedFrame, level: int | None) -> None:
    data = encode_frame(7, frame, level)
    collect = Collect()
    collect.data_received(data)
    ((kind, body),) = collect.messages
    assert kind == FRAME
    stream, back, back_level = decode_frame(body, frame.clock_rate)
    assert (stream, back, back_level) == (7, frame, level)


def test_messages_split_and_joined_anyhow() -> None:
    """TCP delivers bytes, not messages: any cut of the stream gives the same messages."""
    parts = [
        encode_json({"type": "hello", "name": "w1", "token": "t"}),
        encode_frame(1, EncodedFrame(bytes(range(256)) * 20, 3000, 90_000, False), None),
        encode(KEYFRAME, b"\x00\x00\x00\x01"),
    ]
    stream = b"".join(parts)
    for cut in (1, 3, 5, 17, 1000, len(stream)):
        collect = Collect()
        for i in range(0, len(stream), cut):
            collect.data_received(stream[i : i + cut])
        assert [k for k, _ in collect.messages] == [JSON, FRAME, KEYFRAME]
        assert b"".join(encode(k, b) for k, b in collect.messages) == stream


def test_a_bad_length_closes_the_connection() -> None:
    closed: list[bool] = []

    class Transport:
        def close(self) -> None:
            closed.append(True)

        def is_closing(self) -> bool:
            return bool(closed)

    collect = Collect()
    collect.transport = Transport()  # type: ignore[assignment]
    collect.data_received(b"\xff\xff\xff\xff" + b"x" * 8)
    assert closed and collect.messages == []


def test_clock_rates_are_the_forwarded_codecs() -> None:
    assert CLOCK_RATES == {"audio": 48_000, "video": 90_000, "screen": 90_000}


class _Handler:
    def pipe_json(self, link: PipeLink, message: dict[str, object]) -> None: ...

    def pipe_frame(self, link: PipeLink, stream: int, body: bytes) -> None: ...

    def pipe_keyframe(self, link: PipeLink, stream: int) -> None: ...

    def pipe_lost(self, link: PipeLink) -> None: ...


class _SlowTransport:
    """Stands in for a TCP transport whose peer reads slowly."""

    def __init__(self) -> None:
        self.backlog = 0
        self.written: list[bytes] = []

    def get_write_buffer_size(self) -> int:
        return self.backlog

    def is_closing(self) -> bool:
        return False

    def write(self, data: bytes) -> None:
        self.written.append(data)


def test_a_slow_pipe_drops_video_until_a_keyframe_never_audio() -> None:
    link = PipeLink(_Handler())
    transport = _SlowTransport()
    link.transport = transport  # type: ignore[assignment]
    asked: list[int] = []
    video = EncodedFrame(b"delta", 0, 90_000, False)
    key = EncodedFrame(b"key", 3000, 90_000, True)
    audio = EncodedFrame(b"opus", 960, 48_000, True)

    transport.backlog = HIGH_WATER + 1
    link.send_frame(1, video, None, lambda: asked.append(1))
    link.send_frame(2, audio, 40, lambda: asked.append(2))
    assert asked == [1] and len(transport.written) == 1  # the audio went, the video did not
    transport.backlog = 0
    link.send_frame(1, video, None, lambda: asked.append(1))  # still waits for a keyframe
    link.send_frame(1, key, None, lambda: asked.append(1))
    link.send_frame(1, video, None, lambda: asked.append(1))
    assert asked == [1] and link.frames_dropped == 2 and link.frames_sent == 3
    sent = [decode_frame(w[5:], 90_000)[1] for w in transport.written[1:]]
    assert sent == [key, video]
