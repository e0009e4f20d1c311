"""Speaker detection and slot assignment (pure)."""

from __future__ import annotations

import pytest

from server.media.selection import (
    SPEECH_LOUDNESS,
    SpeakerDetector,
    assign_slots,
    desired_sources,
    video_candidates,
)


@pytest.mark.parametrize(
    ("current", "desired", "expected"),
    [
        ((None, None), ["a", "b"], ("a", "b")),
        # a source that stays keeps its slot; the newcomer takes the freed one
        (("a", "b"), ["b", "c"], ("c", "b")),
        (("a", "b", None), ["b"], (None, "b", None)),
        (("a", "b"), [], (None, None)),
        ((None,), ["a", "b"], ("a",)),
        ((), ["a"], ()),
    ],
)
def test_assign_slots_is_stable(
    current: tuple[str | None, ...], desired: list[str], expected: tuple[str | None, ...]
) -> None:
    assert assign_slots(current, desired) == expected


def test_desired_sources_excludes_the_subscriber() -> None:
    assert desired_sources(["a", "b", "c"], "a", 2) == ["b", "c"]
    assert desired_sources(["a", "b", "c"], "z", 2) == ["a", "b"]
    assert desired_sources(["a"], "a", 3) == []


def test_video_candidates_pinned_then_ranking_then_stale() -> None:
    ranking = ["s", "a", "b", "c"]
    publishers = {"a", "b", "c", "room", "s"}
    out = video_candidates(["room", "x"], ranking, publishers, stale={"s", "room"})
    # pinned first even when stale; x publishes no video; stale s after the fresh ones
    assert out == ["room", "a", "b", "c", "s"]


def active(d: SpeakerDetector) -> tuple[str, ...]:
    return d.active


def feed(d: SpeakerDetector, levels: dict[str, int], ticks: int, start: float = 0.0) -> float:
    now = start
    for _ in range(ticks):
        for pid, level in levels.items():
            for _ in range(12):  # ~50 packets/s over a 0.25 s tick
                d.observe(pid, level)
        now += 0.25
        d.update(now)
    return now


def test_louder_speaker_ranks_first_and_silence_is_not_speech() -> None:
    d = SpeakerDetector()
    feed(d, {"quiet": 40, "loud": 10, "silent": 110}, ticks=4)
    assert active(d) == ("loud", "quiet")
    assert d.ranking(["silent", "quiet", "loud", "late"]) == ["loud", "quiet", "silent", "late"]


def test_hysteresis_keeps_the_dominant_speaker_against_a_slightly_louder_one() -> None:
    d = SpeakerDetector()
    now = feed(d, {"a": 30}, ticks=4)
    assert active(d) == ("a",)
    now = feed(d, {"a": 30, "b": 26}, ticks=8, start=now)  # b only 4 dB louder
    assert active(d)[0] == "a"
    feed(d, {"a": 30, "b": 15}, ticks=4, start=now)  # b 15 dB louder
    assert active(d)[0] == "b"


def test_speaker_stays_active_through_a_short_dip_then_drops_out() -> None:
    d = SpeakerDetector()
    now = feed(d, {"a": 45}, ticks=4)  # loudness 82
    assert active(d) == ("a",)
    level_in_band = round(127 - (SPEECH_LOUDNESS - 3))  # below the threshold, within hysteresis
    now = feed(d, {"a": level_in_band}, ticks=4, start=now)
    assert active(d) == ("a",)
    feed(d, {}, ticks=6, start=now)  # muted: no packets at all
    assert active(d) == ()
    # a spoke most recently: ranked before those who never spoke
    assert d.ranking(["x", "a"]) == ["a", "x"]


def test_forget_removes_a_speaker() -> None:
    d = SpeakerDetector()
    feed(d, {"a": 10}, ticks=3)
    d.forget("a")
    assert active(d) == () and d.loudness("a") == 0.0
