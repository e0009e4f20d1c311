"""Repairing a publisher's lossy uplink audio (``server/media/repair.py``): which packets are
asked for again, and how long subscribers are told to hold that publisher's audio."""

from __future__ import annotations

from server.media.repair import (
    HOLD_CHANGE_MS,
    MAX_HOLD_MS,
    MAX_NACK_GAP,
    NACK_REPEAT_AFTER,
    UNANSWERED_ASKS,
    RepairHold,
    UplinkGaps,
)


def test_a_gap_is_asked_for_except_what_the_red_repeats_bring_back() -> None:
    gaps = UplinkGaps()
    assert gaps.observe(100) == []
    assert gaps.observe(101) == []
    # 102, 103 and 104 lost; 105 repeats 104's frame (RED, one earlier frame)
    assert gaps.observe(105, repeats=1) == [102, 103]
    assert (gaps.expected, gaps.missed) == (6, 3)
    # without repeats (Firefox sends none) every missing packet is asked for
    assert gaps.observe(107) == [106]


def test_what_has_not_come_is_asked_for_once_more_then_given_up() -> None:
    gaps = UplinkGaps()
    gaps.observe(10)
    assert gaps.observe(13) == [11, 12]
    assert gaps.observe(11) == []  # the retransmission came: not asked again
    assert gaps.late == 1
    asked = [gaps.observe(seq) for seq in range(14, 14 + NACK_REPEAT_AFTER + 3)]
    assert asked.count([12]) == 1 and sum(map(len, asked)) == 1
    assert asked[NACK_REPEAT_AFTER - 1] == [12]  # 5 packets after the first request


def test_sequence_numbers_wrap_and_an_outage_is_not_asked_for() -> None:
    gaps = UplinkGaps()
    gaps.observe(0xFFFE)
    assert gaps.observe(1) == [0xFFFF, 0]
    assert gaps.observe(1 + MAX_NACK_GAP + 2) == []  # half a second gone: too late to ask
    assert gaps.missed == 2 + MAX_NACK_GAP + 1
    assert gaps.observe(0xFFFF) == []  # a late packet from before the wrap
    assert gaps.newest == 1 + MAX_NACK_GAP + 2


def test_only_a_lossy_uplink_is_held_for_a_round_trip_and_a_margin() -> None:
    hold = RepairHold()
    assert hold.update(50, 0, 0.6) == 0  # a clean second
    assert hold.update(100, 10, 0.6) == 800  # 20 % lost: 600 ms round trip + 200 ms margin
    assert hold.update(150, 20, None) == 0  # no round trip measured (a new connection)
    assert hold.update(200, 30, 0.58) == 800
    # a round trip that moves a little does not change the hold (each change is a message)
    assert hold.update(250, 40, 0.7) == 800
    assert hold.update(300, 50, 0.6 + HOLD_CHANGE_MS / 1000) == 1000
    assert hold.update(350, 60, 5.0) == MAX_HOLD_MS


def test_the_hold_ends_when_the_uplink_is_clean_again() -> None:
    hold = RepairHold()
    hold.update(100, 20, 0.3)
    assert hold.hold_ms == 500 and hold.loss >= 0.05
    sent = 100
    seconds = 0
    while hold.update(sent, 20, 0.3):
        sent += 50
        seconds += 1
    assert 3 <= seconds <= 12 and hold.loss < 0.01
    assert hold.update(sent + 5, 20, 0.3) == 0  # a second of silence (DTX) says nothing
    assert hold.update(0, 0, 0.3) == 0  # a new stream: counters start again


def test_a_publisher_that_never_resends_is_not_held_for() -> None:
    """A browser that ignores audio NACKs gains nothing from the hold: its voice is not delayed."""
    hold = RepairHold()
    assert hold.update(100, 20, 0.6, asked=UNANSWERED_ASKS - 1, answered=0) == 800
    assert hold.update(200, 40, 0.6, asked=UNANSWERED_ASKS, answered=0) == 0
    assert hold.update(300, 60, 0.6, asked=UNANSWERED_ASKS + 20, answered=15) == 800
