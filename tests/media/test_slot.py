"""SlotTrack: bounded queue, keyframe gating and timestamp rebasing (no network)."""

from __future__ import annotations

import pytest
from aiortc.mediastreams import MediaStreamError

from server.media.passthrough import EncodedFrame, EncodedPacket
from server.media.slot import SlotTrack


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def frame(pts: int, *, key: bool = False, clock_rate: int = 90_000) -> EncodedFrame:
    return EncodedFrame(
        data=b"\x00" if key else b"\x01", pts=pts, clock_rate=clock_rate, keyframe=key
    )


def make(kind: str, capacity: int = 4) -> tuple[SlotTrack, list[str], Clock]:
    asked: list[str] = []
    clock = Clock()
    return SlotTrack(kind, asked.append, capacity=capacity, clock=clock), asked, clock


async def test_video_waits_for_a_keyframe_from_a_new_source() -> None:
    slot, asked, _ = make("video")
    slot.set_source("a")
    assert asked == ["a"]
    slot.push("a", frame(0))
    slot.push("b", frame(0, key=True))  # not this slot's source
    slot.push("a", frame(3000, key=True))
    slot.push("a", frame(6000))
    packets = [await slot.recv(), await slot.recv()]
    assert [p.pts for p in packets] == [0, 3000]
    assert slot.dropped == 1 and slot.forwarded == 2


async def test_switching_source_keeps_timestamps_monotonic() -> None:
    slot, asked, clock = make("video")
    slot.set_source("a")
    slot.push("a", frame(900_000, key=True))
    slot.push("a", frame(903_000))
    first = [(await slot.recv()).pts for _ in range(2)]
    clock.now += 0.5
    slot.set_source("b")
    assert asked == ["a", "b"]
    slot.push("b", frame(10, key=True))
    slot.push("b", frame(3010))
    second = [(await slot.recv()).pts for _ in range(2)]
    assert first == [0, 3000]
    # continues from the last packet plus the 0.5 s wall-clock gap
    assert second == [3000 + 45_000, 3000 + 45_000 + 3000]
    packet = await _recv_after(slot, "b", frame(6010))
    assert packet.time_base is not None and packet.time_base.denominator == 90_000


async def _recv_after(slot: SlotTrack, source: str, f: EncodedFrame) -> EncodedPacket:
    slot.push(source, f)
    return await slot.recv()


async def test_video_overflow_drops_the_queue_and_asks_for_a_keyframe() -> None:
    slot, asked, _ = make("video", capacity=3)
    slot.set_source("a")
    slot.push("a", frame(0, key=True))
    for i in range(1, 4):
        slot.push("a", frame(i * 3000))
    assert asked == ["a", "a"]
    assert slot.dropped == 4
    slot.push("a", frame(15_000))  # still waiting for a keyframe
    slot.push("a", frame(18_000, key=True))
    assert (await slot.recv()).pts == 18_000


async def test_audio_overflow_drops_the_oldest() -> None:
    slot, asked, _ = make("audio", capacity=3)
    slot.set_source("a")
    assert asked == []  # no keyframes in audio
    for i in range(5):
        slot.push("a", frame(i * 960, key=True, clock_rate=48_000))
    assert slot.dropped == 2
    assert [(await slot.recv()).pts for _ in range(3)] == [1920, 2880, 3840]


async def test_stopped_slot_ends_recv() -> None:
    slot, _, _ = make("audio")
    slot.set_source("a")
    slot.stop()
    with pytest.raises(MediaStreamError):
        await slot.recv()
