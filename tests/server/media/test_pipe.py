"""The pipe's framing between relay workers (pure: no sockets)."""

from __future__ import annotations

import pytest

from server.media.passthrough import EncodedFrame
from server.media.pipe import (
    CLOCK_RATES,
    FRAME,
    JSON,
    KEYFRAME,
    Framed,
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
