"""SlotTrack: holding frames until the sender starts, keyframe gating and timestamp rebasing
(no network; the output is a list, as the relay's RtpWriter would be)."""

from __future__ import annotations

import asyncio

import pytest
from aiortc.mediastreams import MediaStreamError

from server.media.adapt import FrameRate
from server.media.passthrough import EncodedFrame, SendResult
from server.media.slot import SlotTrack


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Output:
    """Records what the slot sends; ``result`` plays a sender that failed once (``FAILED``) or
    whose connection is gone (``GONE``)."""

    def __init__(self) -> None:
        self.sent: list[tuple[EncodedFrame, int]] = []
        self.calls = 0
        self.result = SendResult.SENT

    @property
    def ok(self) -> bool:
        return self.result is SendResult.SENT

    @ok.setter
    def ok(self, value: bool) -> None:
        self.result = SendResult.SENT if value else SendResult.FAILED

    def __call__(self, frame: EncodedFrame, pts: int) -> SendResult:
        self.calls += 1
        if self.result is SendResult.SENT:
            self.sent.append((frame, pts))
        return self.result

    @property
    def pts(self) -> list[int]:
        return [pts for _, pts in self.sent]


def frame(pts: int, *, key: bool = False, clock_rate: int = 90_000) -> EncodedFrame:
    return EncodedFrame(
        data=b"\x00" if key else b"\x01", pts=pts, clock_rate=clock_rate, keyframe=key
    )


def make(
    kind: str, capacity: int = 4, *, attached: bool = True
) -> tuple[SlotTrack, list[str], Clock, Output]:
    asked: list[str] = []
    clock = Clock()
    slot = SlotTrack(kind, asked.append, capacity=capacity, clock=clock)
    output = Output()
    if attached:
        slot.attach(output)
    return slot, asked, clock, output


def test_video_waits_for_a_keyframe_from_a_new_source() -> None:
    slot, asked, _, out = make("video")
    slot.set_source("a")
    assert asked == ["a"]
    slot.push("a", frame(0))
    slot.push("b", frame(0, key=True))  # not this slot's source
    slot.push("a", frame(3000, key=True))
    slot.push("a", frame(6000))
    assert out.pts == [0, 3000]
    assert slot.dropped == 1 and slot.forwarded == 2


def test_switching_source_keeps_timestamps_monotonic() -> None:
    slot, asked, clock, out = make("video")
    slot.set_source("a")
    slot.push("a", frame(900_000, key=True))
    slot.push("a", frame(903_000))
    clock.now += 0.5
    slot.set_source("b")
    assert asked == ["a", "b"]
    slot.push("b", frame(10, key=True))
    slot.push("b", frame(3010))
    slot.push("b", frame(3005))  # out of order: still strictly after the last one sent
    # continues from the last frame plus the 0.5 s wall-clock gap
    assert out.pts == [0, 3000, 3000 + 45_000, 3000 + 45_000 + 3000, 3000 + 45_000 + 3001]


def test_frames_wait_until_the_sender_starts_then_go_in_order() -> None:
    slot, asked, _, out = make("video", attached=False)
    slot.set_source("a")
    slot.push("a", frame(0, key=True))
    slot.push("a", frame(3000))
    assert not slot.attached and slot.forwarded == 0
    slot.attach(out)
    assert slot.attached and out.pts == [0, 3000]
    slot.push("a", frame(6000))
    assert out.pts == [0, 3000, 6000] and slot.forwarded == 3
    assert asked == ["a"]


def test_video_overflow_before_the_sender_starts_asks_for_a_keyframe() -> None:
    slot, asked, _, out = make("video", capacity=3, attached=False)
    slot.set_source("a")
    slot.push("a", frame(0, key=True))
    for i in range(1, 4):
        slot.push("a", frame(i * 3000))
    assert asked == ["a", "a"]
    assert slot.dropped == 4
    slot.push("a", frame(15_000))  # still waiting for a keyframe
    slot.push("a", frame(18_000, key=True))
    slot.attach(out)
    assert out.pts == [18_000]


def test_audio_overflow_before_the_sender_starts_drops_the_oldest() -> None:
    slot, asked, _, out = make("audio", capacity=3, attached=False)
    slot.set_source("a")
    assert asked == []  # no keyframes in audio
    for i in range(5):
        slot.push("a", frame(i * 960, key=True, clock_rate=48_000))
    assert slot.dropped == 2
    slot.attach(out)
    assert out.pts == [1920, 2880, 3840]


def test_a_failed_video_send_waits_for_the_next_keyframe() -> None:
    slot, asked, _, out = make("video")
    slot.set_source("a")
    slot.push("a", frame(0, key=True))
    out.ok = False
    slot.push("a", frame(3000))  # lost on the way: later deltas would not decode
    assert asked == ["a", "a"]
    out.ok = True
    slot.push("a", frame(6000))
    slot.push("a", frame(9000, key=True))
    assert out.pts == [0, 9000]
    assert slot.dropped == 2 and slot.forwarded == 2


def test_an_unanswered_keyframe_request_is_repeated_while_deltas_come() -> None:
    # the PLI was lost (a lossy link, or no packet from the publisher yet to address it to)
    slot, asked, clock, out = make("video")
    slot.set_source("a")
    assert asked == ["a"]
    for i in range(1, 8):  # 0.875 s of deltas: not yet
        clock.now += 0.125
        slot.push("a", frame(i * 3000))
    assert asked == ["a"]
    clock.now += 0.125
    slot.push("a", frame(10 * 3000))
    assert asked == ["a", "a"] and slot.keyframe_retries == 1
    clock.now += 0.5
    slot.push("a", frame(11 * 3000))
    assert asked == ["a", "a"]  # once a second, not once a frame
    slot.push("a", frame(12 * 3000, key=True))
    clock.now += 5
    slot.push("a", frame(13 * 3000))
    assert [f.pts for f, _ in out.sent] == [12 * 3000, 13 * 3000] and asked == ["a", "a"]


def test_a_slot_at_a_reduced_frame_rate_does_not_repeat_its_request() -> None:
    # a thin link: a keyframe a second would fill it
    slot, asked, clock, out = make("video")
    slot.set_source("a")
    slot.push("a", layered(0, 0, key=True))
    slot.set_frame_rate(FrameRate.BASE)
    out.ok = False
    slot.push("a", layered(3000, 0))  # refused by the pacer: the slot asks once
    assert asked == ["a", "a"]
    for i in range(2, 40):
        clock.now += 0.125
        slot.push("a", layered(i * 3000, 0))
    assert asked == ["a", "a"] and slot.keyframe_retries == 0


def test_keyframes_only_waits_for_the_publishers_keyframes_without_asking() -> None:
    slot, asked, clock, out = make("video")
    slot.set_source("a")
    slot.push("a", frame(0, key=True))
    slot.set_frame_rate(FrameRate.KEYFRAMES)
    asked.clear()
    for i in range(1, 40):
        clock.now += 0.1
        slot.push("a", frame(i * 3000))
    assert asked == [] and slot.keyframe_retries == 0 and len(out.sent) == 1


def test_back_from_keyframes_only_the_slot_asks_for_the_keyframe_it_waits_for() -> None:
    """Keyframes only left out a delta frame (the slot then waits for a keyframe, unasked);
    full video again must ask for it: a publisher that sends keyframes only on request (aiortc)
    kept the slot dark (measured)."""
    slot, asked, _, out = make("video")
    slot.set_source("a")
    slot.push("a", frame(0, key=True))
    slot.set_frame_rate(FrameRate.KEYFRAMES)
    slot.push("a", frame(3000))  # left out
    asked.clear()
    slot.set_frame_rate(FrameRate.FULL)
    assert asked == ["a"]
    slot.push("a", frame(6000, key=True))
    slot.push("a", frame(9000))
    assert len(out.sent) == 3


def test_a_failed_audio_send_is_counted_and_the_next_goes_out() -> None:
    slot, _, _, out = make("audio")
    slot.set_source("a")
    out.ok = False
    slot.push("a", frame(0, key=True, clock_rate=48_000))
    out.ok = True
    slot.push("a", frame(960, key=True, clock_rate=48_000))
    assert out.pts == [960] and slot.dropped == 1 and slot.forwarded == 1


async def test_recv_parks_the_sender_loop_until_the_slot_stops() -> None:
    slot, _, _, out = make("audio")
    slot.set_source("a")
    pending = asyncio.ensure_future(slot.recv())
    slot.push("a", frame(0, key=True, clock_rate=48_000))
    await asyncio.sleep(0.01)
    assert not pending.done()  # frames go to the output, never through recv()
    assert out.pts == [0]
    slot.stop()
    with pytest.raises(MediaStreamError):
        await asyncio.wait_for(pending, 1)
    slot.push("a", frame(960, key=True, clock_rate=48_000))
    assert out.pts == [0]  # a stopped slot forwards nothing


def test_a_gone_connection_stops_the_slot_without_asking_for_keyframes() -> None:
    """A subscriber whose connection died must not make the publisher send keyframes."""
    slot, asked, _, out = make("video")
    slot.set_source("a")
    slot.push("a", frame(0, key=True))
    out.result = SendResult.GONE
    slot.push("a", frame(3000))
    assert slot.readyState == "ended"
    for i in range(2, 40):
        slot.push("a", frame(i * 3000, key=i % 10 == 0))
    assert asked == ["a"]  # only the one for the source switch
    assert out.calls == 2 and out.pts == [0]


def test_a_connection_gone_while_frames_wait_stops_the_flush() -> None:
    slot, _, _, out = make("audio", attached=False)
    slot.set_source("a")
    for i in range(3):
        slot.push("a", frame(i * 960, key=True, clock_rate=48_000))
    out.result = SendResult.GONE
    slot.attach(out)
    assert out.calls == 1 and slot.readyState == "ended"


def layered(pts: int, layer: int, *, key: bool = False) -> EncodedFrame:
    return EncodedFrame(
        data=b"\x00" if key else b"\x01",
        pts=pts,
        clock_rate=90_000,
        keyframe=key,
        temporal_layer=layer,
    )


def test_base_layer_only_leaves_out_upper_layers_and_a_higher_rate_waits_for_a_keyframe() -> None:
    slot, asked, _clock, out = make("video")
    slot.set_source("a")
    pattern = (0, 2, 1, 2)  # L1T3
    slot.push("a", layered(0, 0, key=True))
    slot.set_frame_rate(FrameRate.BASE)
    for i in range(1, 8):
        slot.push("a", layered(i * 3000, pattern[i % 4]))
    assert [f.temporal_layer for f, _ in out.sent] == [0, 0]  # the keyframe, then frame 4
    assert slot.thinned == 6
    asked.clear()
    slot.set_frame_rate(FrameRate.FULL)
    assert asked == ["a"]  # the frames it adds may refer to frames left out
    slot.push("a", layered(8 * 3000, 0))
    slot.push("a", layered(9 * 3000, 2))
    assert len(out.sent) == 2
    slot.push("a", layered(10 * 3000, 0, key=True))
    slot.push("a", layered(11 * 3000, 2))
    assert len(out.sent) == 4


def test_keyframes_only_and_a_source_without_layers() -> None:
    slot, _asked, _clock, out = make("video")
    slot.set_source("a")
    slot.set_frame_rate(FrameRate.BASE)
    # no temporal layers: the base layer cannot be told apart, so keyframes only
    for i in range(6):
        slot.push("a", frame(i * 3000, key=i in (0, 4)))
    assert [f.keyframe for f, _ in out.sent] == [True, True]
    slot.set_frame_rate(FrameRate.KEYFRAMES)
    slot.push("a", layered(7 * 3000, 0))
    slot.push("a", layered(8 * 3000, 0, key=True))
    assert [f.keyframe for f, _ in out.sent] == [True, True, True]


def test_a_still_screen_is_asked_again_though_no_frame_comes() -> None:
    # a shared screen that does not change sends no frame until asked: the relay's tick repeats
    # the request (``ask_again``), once a second, until the keyframe comes
    slot, asked, clock, out = make("video")
    slot.set_source("a")
    clock.now += 0.9
    slot.ask_again()
    assert asked == ["a"]
    clock.now += 0.1
    slot.ask_again()
    slot.ask_again()
    assert asked == ["a", "a"] and slot.keyframe_retries == 1
    slot.push("a", frame(0, key=True))
    clock.now += 5
    slot.ask_again()
    assert asked == ["a", "a"] and out.pts == [0]


def test_sends_that_keep_failing_ask_for_a_keyframe_once_a_second() -> None:
    # a subscriber whose output refuses every frame must not make the publisher send nothing
    # but keyframes (each keyframe refused would ask for the next one)
    slot, asked, clock, out = make("video")
    slot.set_source("a")
    out.ok = False
    for i in range(30):  # 3 s of keyframes, each refused
        clock.now += 0.1
        slot.push("a", frame(i * 9000, key=True))
        slot.ask_again()
    assert 3 <= len(asked) <= 5, asked
    assert slot.failed == 30 and out.calls == 30
    out.ok = True
    clock.now += 1
    slot.ask_again()
    slot.push("a", frame(40 * 9000, key=True))
    assert len(out.sent) == 1 and slot.forwarded == 1


def audio(pts: int, *, late: bool = False) -> EncodedFrame:
    return EncodedFrame(data=b"\x01", pts=pts, clock_rate=48_000, keyframe=True, late=late)


def test_a_late_audio_frame_goes_out_with_the_timestamp_it_would_have_had() -> None:
    """A retransmission of what a publisher's uplink lost (``repair.py``) comes after newer
    frames: it is sent at once, in its place in time, and the stream's clock does not move."""
    slot, _, _, out = make("audio")
    slot.set_source("a")
    slot.push("a", audio(5000))
    slot.push("a", audio(5960))
    slot.push("a", audio(6920))
    slot.push("a", audio(5960 - 960 // 2, late=True))  # not a frame slot, but earlier
    slot.push("a", audio(7880))
    assert out.pts == [0, 960, 1920, 480, 2880]
    assert [f.late for f, _ in out.sent] == [False, False, False, True, False]


def test_a_late_frame_is_dropped_after_a_switch_or_before_the_sender_starts() -> None:
    slot, _, clock, out = make("audio", attached=False)
    slot.set_source("a")
    slot.push("a", audio(1000))
    slot.push("a", audio(40, late=True))  # nothing goes out yet: not held either
    slot.attach(out)
    assert out.pts == [0]
    clock.now += 1
    slot.set_source("b")
    slot.push("b", audio(8000, late=True))  # nothing of "b" sent yet: no place for it
    slot.push("b", audio(9000))
    slot.push("a", audio(500, late=True))  # no longer this slot's source
    slot.push("b", audio(8040, late=True))  # after "b" started: in its place
    assert out.pts == [0, 48_000, 47_040]
    assert slot.dropped == 2
