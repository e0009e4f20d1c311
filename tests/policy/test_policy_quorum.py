"""A1–A5: attendance intervals, counted full members, quorum and votes."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policy.decision import Outcome, RuleId
from policy.facts import FlagPeriod, MemberFacts
from policy.model import MemberFlag, MemberStatus
from policy.quorum import (
    Channel,
    Interval,
    Presence,
    attendance,
    check_cell_size,
    check_quorum,
    check_vote,
    counted_full_members,
    merge_intervals,
    present_at,
)
from policy.rulesets import BASELINE, CT50

T0 = datetime(2025, 9, 3, 8, 0)
DAY = T0.date()  # the meeting's Vietnam date
GRACE = timedelta(minutes=2)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def full(
    n: int,
    prefix: str = "f",
    *,
    exempted: bool = False,
    suspended: bool = False,
    temporarily_attached: bool = False,
) -> tuple[MemberFacts, ...]:
    return tuple(
        MemberFacts(
            f"{prefix}{i}",
            MemberStatus.FULL,
            exempted=exempted,
            suspended=suspended,
            temporarily_attached=temporarily_attached,
        )
        for i in range(n)
    )


def ids(people: tuple[MemberFacts, ...], n: int | None = None) -> frozenset[str]:
    return frozenset(m.member_id for m in people[:n])


@pytest.mark.parametrize(
    ("intervals", "merged"),
    [
        pytest.param([(0, 10), (11, 20)], [(0, 20)], id="A1-reconnect-within-grace-joins"),
        pytest.param([(0, 10), (12, 20)], [(0, 20)], id="A1-gap-equal-to-grace-joins"),
        pytest.param([(0, 10), (12.5, 20)], [(0, 10), (12.5, 20)], id="A1-gap-beyond-grace-splits"),
        pytest.param([(11, 20), (0, 10)], [(0, 20)], id="A1-order-does-not-matter"),
        pytest.param([(0, 30), (5, 10)], [(0, 30)], id="A1-contained-interval"),
        pytest.param([], [], id="A1-nothing"),
    ],
)
def test_a1_merge_intervals(
    intervals: list[tuple[float, float]], merged: list[tuple[float, float]]
) -> None:
    result = merge_intervals([Interval(at(a), at(b)) for a, b in intervals], GRACE)
    assert result == tuple(Interval(at(a), at(b)) for a, b in merged)


def test_a1_open_interval_swallows_later_ones() -> None:
    result = merge_intervals([Interval(at(0), None), Interval(at(30), at(40))], GRACE)
    assert result == (Interval(at(0), None),)
    assert merge_intervals([Interval(at(0), at(10)), Interval(at(11), None)], GRACE) == (
        Interval(at(0), None),
    )


def test_a1_member_counted_once_across_room_and_online() -> None:
    presences = [
        Presence("an", Channel.ONLINE, Interval(at(0), at(30))),
        Presence("an", Channel.ROOM, Interval(at(29), at(90))),
        Presence("binh", Channel.ONLINE, Interval(at(0), at(40))),
        Presence("binh", Channel.ONLINE, Interval(at(41), at(90))),
    ]
    merged = attendance(presences, GRACE)
    assert merged == {"an": (Interval(at(0), at(90)),), "binh": (Interval(at(0), at(90)),)}
    assert present_at(presences, at(40.5), GRACE) == frozenset({"an", "binh"})
    assert present_at(presences, at(40.5), timedelta(0)) == frozenset({"an"})
    assert present_at(presences, at(95), GRACE) == frozenset()


def test_a1_values_are_checked() -> None:
    with pytest.raises(ValueError):
        Interval(at(10), at(0))
    with pytest.raises(ValueError):
        merge_intervals([], timedelta(seconds=-1))
    with pytest.raises(ValueError):
        Presence(" ", Channel.ROOM, Interval(at(0)))


interval_lists = st.lists(
    st.tuples(st.integers(0, 500), st.integers(0, 60)).map(
        lambda p: Interval(at(p[0]), at(p[0] + p[1]))
    ),
    max_size=12,
)


@given(interval_lists, st.integers(0, 10))
def test_a1_property_merge_invariants(intervals: list[Interval], grace_minutes: int) -> None:
    grace = timedelta(minutes=grace_minutes)
    merged = merge_intervals(intervals, grace)
    for interval in intervals:
        assert any(
            m.start <= interval.start
            and interval.end is not None
            and m.end is not None
            and interval.end <= m.end
            for m in merged
        )
    for left, right in itertools.pairwise(merged):
        assert left.end is not None and right.start - left.end > grace
    assert merge_intervals(merged, grace) == merged
    assert merge_intervals(list(reversed(intervals)), grace) == merged


@pytest.mark.parametrize(
    ("people", "present", "counted"),
    [
        pytest.param(full(5), frozenset(), 5, id="A2-full-members"),
        pytest.param(
            full(5) + full(2, "t", temporarily_attached=True),
            frozenset(),
            5,
            id="A2-temporarily-attached-out",
        ),
        pytest.param(full(5) + full(2, "s", suspended=True), frozenset(), 5, id="A2-suspended-out"),
        pytest.param(
            full(5) + full(2, "x", exempted=True), frozenset(), 5, id="A2-exempted-absent-out"
        ),
        pytest.param(
            full(5) + full(2, "x", exempted=True),
            frozenset({"x0"}),
            6,
            id="A2-exempted-who-attends-counted",
        ),
        pytest.param(
            (*full(5), MemberFacts("p", MemberStatus.PROBATIONARY)),
            frozenset({"p"}),
            5,
            id="A2-A4-probationary-not-counted",
        ),
    ],
)
def test_a2_counted_full_members(
    people: tuple[MemberFacts, ...], present: frozenset[str], counted: int
) -> None:
    assert len(counted_full_members(people, present, on=DAY)) == counted


@pytest.mark.parametrize(
    ("n_present", "quorate"),
    [
        pytest.param(5, False, id="A3-exactly-half-present-no-quorum"),
        pytest.param(6, True, id="A3-six-of-ten-quorum"),
        pytest.param(0, False, id="A3-nobody"),
    ],
)
def test_a3_quorum(n_present: int, quorate: bool) -> None:
    people = full(10)
    decision = check_quorum(people, ids(people, n_present), CT50, on=DAY)
    assert decision.outcome is (Outcome.QUORATE if quorate else Outcome.NOT_QUORATE)
    assert decision.rules == (RuleId.A2, RuleId.A3)
    assert f"{n_present}/10" in decision.text.vi


def test_a3_quorum_of_empty_cell() -> None:
    assert check_quorum((), frozenset(), BASELINE, on=DAY).outcome is Outcome.NOT_QUORATE


@pytest.mark.parametrize(
    ("n_present", "n_approve", "outcome"),
    [
        pytest.param(10, 6, Outcome.PASSED, id="A3-six-of-ten-passes"),
        pytest.param(10, 5, Outcome.REJECTED, id="A3-exactly-half-of-counted-rejected"),
        pytest.param(7, 5, Outcome.REJECTED, id="A3-majority-of-present-is-not-enough"),
        pytest.param(7, 6, Outcome.PASSED, id="A3-majority-of-counted-present"),
        pytest.param(5, 5, Outcome.NOT_VALID, id="A3-no-quorum-vote-not-valid"),
    ],
)
def test_a3_resolution_needs_more_than_half_of_counted(
    n_present: int, n_approve: int, outcome: Outcome
) -> None:
    people = full(10)
    result = check_vote(people, ids(people, n_present), ids(people, n_approve), CT50, on=DAY)
    assert result.decision.outcome is outcome
    assert result.decision.rules == (RuleId.A2, RuleId.A3, RuleId.A4)
    assert result.passed is (outcome is Outcome.PASSED)
    assert result.valid is (outcome is not Outcome.NOT_VALID)


def test_a4_probationary_members_and_observers_never_vote() -> None:
    people = (
        *full(4),
        MemberFacts("p1", MemberStatus.PROBATIONARY),
        MemberFacts("p2", MemberStatus.PROBATIONARY),
    )
    present = ids(people)
    approvals = frozenset({"f0", "f1", "p1", "p2", "observer"})
    result = check_vote(people, present | {"observer"}, approvals, CT50, on=DAY)
    assert result.approvals == 2 and result.counted == 4
    assert result.ignored == frozenset({"p1", "p2", "observer"})
    assert result.decision.outcome is Outcome.REJECTED


def test_a4_absent_member_approval_ignored() -> None:
    people = full(5)
    result = check_vote(people, ids(people, 3), ids(people), CT50, on=DAY)
    assert result.approvals == 3 and result.ignored == frozenset({"f3", "f4"})
    assert result.passed


def test_a2_exempted_member_who_attends_votes_and_counts() -> None:
    people = full(4) + full(1, "x", exempted=True)
    without = check_vote(people, ids(people, 3), ids(people, 3), CT50, on=DAY)
    assert (without.counted, without.passed) == (4, True)
    with_x = check_vote(people, ids(people, 3) | {"x0"}, ids(people, 3), CT50, on=DAY)
    assert (with_x.counted, with_x.passed) == (5, True)
    assert (
        check_vote(people, ids(people, 2) | {"x0"}, ids(people, 2), CT50, on=DAY).decision.outcome
        is Outcome.REJECTED
    )


member_lists = st.lists(
    st.builds(
        lambda i, status, attached, suspended, exempted: MemberFacts(
            f"m{i}", status, exempted=exempted, suspended=suspended, temporarily_attached=attached
        ),
        st.integers(0, 30),
        st.sampled_from(MemberStatus),
        st.booleans(),
        st.booleans(),
        st.booleans(),
    ),
    max_size=20,
    unique_by=lambda m: m.member_id,
)


@given(member_lists, st.data())
def test_a3_property_votes_are_monotonic_and_bounded(
    people: list[MemberFacts], data: st.DataObject
) -> None:
    everyone = [m.member_id for m in people] + ["observer"]
    present = frozenset(data.draw(st.sets(st.sampled_from(everyone))) if everyone else set())
    approvals = frozenset(data.draw(st.sets(st.sampled_from(everyone))) if everyone else set())
    extra = frozenset(data.draw(st.sets(st.sampled_from(everyone))) if everyone else set())
    result = check_vote(people, present, approvals, CT50, on=DAY)
    more = check_vote(people, present, approvals | extra, CT50, on=DAY)
    assert result.approvals <= result.present <= result.counted
    assert more.approvals >= result.approvals
    if result.passed:
        assert more.passed
    if result.passed:
        assert 2 * result.approvals > result.counted
    assert result.valid is more.valid


@pytest.mark.parametrize(
    ("people", "ok"),
    [
        pytest.param(full(3), True, id="A5-three-full-members"),
        pytest.param(
            (*full(2), MemberFacts("p", MemberStatus.PROBATIONARY)),
            False,
            id="A5-two-full-one-probationary",
        ),
        pytest.param(full(2) + full(1, "s", suspended=True), False, id="A5-suspended-not-counted"),
    ],
)
def test_a5_cell_size(people: tuple[MemberFacts, ...], ok: bool) -> None:
    decision = check_cell_size(people, CT50)
    assert decision.ok is ok and decision.rules == (RuleId.A5,)


# A2 with the flags' dates. The seed clause (DOMAIN.md A2): "The denominator ('counted full
# members') is the full members of the cell, less those temporarily attached to another
# organisation, suspended members, and exempted members who are absent (an exempted member who
# attends and votes is counted)." The roster keeps each flag with its period (migration 0011):
# a member is exempted — or suspended, or attached elsewhere — only on the dates inside it.

EXEMPTED, SUSPENDED, ATTACHED = (
    MemberFlag.EXEMPTED,
    MemberFlag.SUSPENDED,
    MemberFlag.TEMPORARILY_ATTACHED,
)


def flagged(flag: MemberFlag, start: date | None, end: date | None) -> MemberFacts:
    """A full member whose ``flag`` holds from ``start`` to ``end`` (inclusive, None open)."""
    return MemberFacts(
        "x",
        MemberStatus.FULL,
        exempted=flag is EXEMPTED,
        suspended=flag is SUSPENDED,
        temporarily_attached=flag is ATTACHED,
        flag_periods=(FlagPeriod(flag, start, end),),
    )


@pytest.mark.parametrize(
    ("member", "counted"),
    [
        pytest.param(
            flagged(EXEMPTED, date(2025, 6, 1), date(2025, 8, 31)),
            True,
            id="A2-exemption-ended-before-the-meeting-counts-again",
        ),
        pytest.param(
            flagged(EXEMPTED, date(2025, 6, 1), DAY),
            False,
            id="A2-exemption-ending-on-the-meeting-day-still-holds",
        ),
        pytest.param(
            flagged(EXEMPTED, DAY, None),
            False,
            id="A2-exemption-starting-on-the-meeting-day-holds",
        ),
        pytest.param(
            flagged(EXEMPTED, DAY + timedelta(days=1), None),
            True,
            id="A2-exemption-not-yet-begun-counts",
        ),
        pytest.param(
            flagged(EXEMPTED, None, date(2025, 12, 31)),
            False,
            id="A2-exemption-open-start-until-year-end-holds",
        ),
        pytest.param(
            MemberFacts("x", MemberStatus.FULL, exempted=True),
            False,
            id="A2-exemption-without-dates-always-holds",
        ),
        pytest.param(
            MemberFacts(
                "x",
                MemberStatus.FULL,
                flag_periods=(FlagPeriod(EXEMPTED, date(2025, 1, 1), None),),
            ),
            True,
            id="A2-dates-without-the-flag-do-not-exempt",
        ),
        pytest.param(
            flagged(SUSPENDED, date(2025, 3, 1), date(2025, 8, 31)),
            True,
            id="A2-suspension-over-counts-again",
        ),
        pytest.param(
            flagged(SUSPENDED, date(2025, 3, 1), None),
            False,
            id="A2-suspension-current-left-out",
        ),
        pytest.param(
            flagged(ATTACHED, date(2025, 9, 4), date(2025, 12, 31)),
            True,
            id="A2-attachment-from-tomorrow-counts-today",
        ),
    ],
)
def test_a2_flags_count_only_within_their_dates(member: MemberFacts, counted: bool) -> None:
    """A2 (absent member): counted exactly when no flag that takes them out holds on DAY."""
    assert ("x" in counted_full_members((*full(5), member), frozenset(), on=DAY)) is counted


def test_a2_exempted_inside_period_who_attends_is_counted() -> None:
    """A2: "an exempted member who attends and votes is counted" — within the period too."""
    member = flagged(EXEMPTED, date(2025, 6, 1), date(2025, 12, 31))
    assert "x" in counted_full_members((*full(5), member), frozenset({"x"}), on=DAY)


@pytest.mark.parametrize(
    ("end", "quorate", "counted"),
    [
        pytest.param(date(2025, 8, 31), False, 10, id="A2-A3-ended-exemptions-raise-the-quorum"),
        pytest.param(date(2025, 9, 30), True, 6, id="A2-A3-current-exemptions-lower-the-quorum"),
    ],
)
def test_a2_a3_quorum_reads_exemption_dates(end: date, quorate: bool, counted: int) -> None:
    """A2/A3: six active members and four exempted until ``end``; four active members attend.
    Once the exemptions are over the four absentees count again and four of ten is no quorum."""
    people = full(6) + tuple(
        MemberFacts(
            f"x{i}",
            MemberStatus.FULL,
            exempted=True,
            flag_periods=(FlagPeriod(EXEMPTED, date(2025, 3, 1), end),),
        )
        for i in range(4)
    )
    present = ids(people, 4)
    decision = check_quorum(people, present, CT50, on=DAY)
    assert decision.outcome is (Outcome.QUORATE if quorate else Outcome.NOT_QUORATE)
    assert f"4/{counted}" in decision.text.vi
    vote = check_vote(people, present, present, CT50, on=DAY)
    assert vote.counted == counted and vote.passed is quorate
