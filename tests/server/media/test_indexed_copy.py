"""The player's copy of a recording (``recorder.indexed_copy``): a Matroska file written as a
stream has no duration and cannot seek; the copy, remuxed in memory, has both, with the same
packets."""

from __future__ import annotations

import io
from fractions import Fraction

import av

from server.media.recorder import indexed_copy


class _Sink(io.RawIOBase):
    """Write-only and not seekable, like the recording's encrypting sink."""

    def __init__(self) -> None:
        super().__init__()
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        self.data += b
        return len(b)


def _streamed(seconds: int = 3, fps: int = 10) -> bytes:
    sink = _Sink()
    with av.open(sink, mode="w", format="matroska") as out:
        video = out.add_stream("libvpx", rate=fps)
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        for i in range(seconds * fps):
            frame = av.VideoFrame(64, 48, "yuv420p")
            for plane in frame.planes:
                plane.update(bytes([(i * 7) % 256]) * plane.buffer_size)
            frame.pts, frame.time_base = i, Fraction(1, fps)
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode():
            out.mux(packet)
    return bytes(sink.data)


def _packets(data: bytes) -> list[tuple[int | None, bytes]]:
    with av.open(io.BytesIO(data), mode="r", format="matroska") as c:
        return [(p.pts, bytes(p)) for p in c.demux() if p.dts is not None]


def test_indexed_copy_has_duration_and_seeks() -> None:
    streamed = _streamed()
    with av.open(io.BytesIO(streamed), mode="r", format="matroska") as c:
        assert c.duration is None
    copy = indexed_copy(streamed)
    assert copy is not None
    with av.open(io.BytesIO(copy), mode="r", format="matroska") as c:
        assert c.duration is not None and 2_800_000 <= c.duration <= 3_200_000
        c.seek(2_000_000)  # raises without an index
    assert _packets(copy) == _packets(streamed)


def test_nothing_to_copy() -> None:
    assert indexed_copy(b"") is None
    assert indexed_copy(b"not a matroska file") is None
