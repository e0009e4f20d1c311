"""P3, P4, P5: caps on pilot meetings per calendar year (03-HD/TW §II.2)."""

from __future__ import annotations

from datetime import date

import pytest

from policy.caps import (
    check_after_circumstance,
    check_group_cap,
    check_online_cap,
    count_online,
)
from policy.decision import Outcome, RuleId
from policy.facts import Circumstance, MeetingRecord
from policy.mode import check_mode
from policy.model import (
    ApprovalScope,
    CircumstanceKind,
    MeetingKind,
    MeetingMode,
    MeetingStatus,
    OrgLevel,
)
from policy.rulesets import CT50, HD03
from tests.policy.factories import approval, meeting, members, org

ONLINE_2024 = tuple(meeting(date(2024, m, 3), MeetingMode.ONLINE) for m in (1, 2, 3))


@pytest.mark.parametrize(
    ("level", "history", "on", "allowed"),
    [
        pytest.param(OrgLevel.CELL, (), date(2024, 5, 3), True, id="P3-cell-first"),
        pytest.param(OrgLevel.CELL, ONLINE_2024[:2], date(2024, 5, 3), True, id="P3-cell-third"),
        pytest.param(
            OrgLevel.CELL, ONLINE_2024, date(2024, 5, 3), False, id="P3-4th-online-refused"
        ),
        pytest.param(
            OrgLevel.CELL,
            (*ONLINE_2024[:2], meeting(date(2024, 3, 3), MeetingMode.HYBRID)),
            date(2024, 5, 3),
            False,
            id="P3-P2-hybrid-counts-as-online",
        ),
        pytest.param(OrgLevel.CELL, ONLINE_2024, date(2025, 1, 3), True, id="P3-new-calendar-year"),
        pytest.param(
            OrgLevel.GRASSROOTS, ONLINE_2024[:1], date(2024, 5, 3), False, id="P3-grassroots-second"
        ),
        pytest.param(OrgLevel.GRASSROOTS, (), date(2024, 5, 3), True, id="P3-grassroots-first"),
        pytest.param(
            OrgLevel.CELL,
            (
                *ONLINE_2024[:2],
                meeting(date(2024, 3, 3), MeetingMode.ONLINE, under_circumstance=True),
            ),
            date(2024, 5, 3),
            True,
            id="P3-circumstance-meetings-not-counted",
        ),
        pytest.param(
            OrgLevel.CELL,
            (
                *ONLINE_2024[:2],
                meeting(date(2024, 3, 3), MeetingMode.ONLINE, status=MeetingStatus.CANCELLED),
            ),
            date(2024, 5, 3),
            True,
            id="P3-cancelled-not-counted",
        ),
        pytest.param(
            OrgLevel.CELL,
            (
                *ONLINE_2024[:2],
                meeting(date(2024, 6, 3), MeetingMode.ONLINE, status=MeetingStatus.SCHEDULED),
            ),
            date(2024, 5, 3),
            True,
            id="P3-scheduled-not-counted",
        ),
        pytest.param(
            OrgLevel.CELL,
            (
                *ONLINE_2024[:2],
                meeting(date(2024, 3, 10), MeetingMode.ONLINE, kind=MeetingKind.COMMITTEE),
            ),
            date(2024, 5, 3),
            False,
            id="P3-committee-meetings-counted",
        ),
        pytest.param(
            OrgLevel.CELL,
            (
                *ONLINE_2024[:2],
                meeting(date(2024, 3, 3), MeetingMode.ONLINE, kind=MeetingKind.THEMATIC),
            ),
            date(2024, 5, 3),
            False,
            id="P3-thematic-meetings-counted",
        ),
    ],
)
def test_p3_online_cap(
    level: OrgLevel, history: tuple[MeetingRecord, ...], on: date, allowed: bool
) -> None:
    decision = check_online_cap(
        org(members(1), level=level), history, on, HD03, under_circumstance=False
    )
    assert decision.ok is allowed
    assert decision.rules == (RuleId.P3,)
    if not allowed:
        assert decision.outcome is Outcome.BLOCKED
        assert str(on.year) in decision.text.vi


def test_p3_no_cap_under_a_circumstance() -> None:
    decision = check_online_cap(
        org(members(1)), ONLINE_2024 * 2, date(2024, 5, 3), HD03, under_circumstance=True
    )
    assert decision.ok and decision.rules == (RuleId.P3, RuleId.E1B)


def test_p3_counts_only_the_year() -> None:
    assert count_online(ONLINE_2024, 2024) == 3
    assert count_online(ONLINE_2024, 2025) == 0


def test_p3_4th_online_meeting_refused_end_to_end() -> None:
    cell = org(members(1, 4), approvals=(approval(),))
    history = tuple(meeting(date(2025, m, 3), MeetingMode.HYBRID) for m in (8, 9, 10))
    decision = check_mode(cell, history, MeetingMode.HYBRID, date(2025, 11, 3))
    assert decision.outcome is Outcome.BLOCKED and decision.rules == (RuleId.P3,)
    assert "3" in decision.text.vi and "2025" in decision.text.en


def test_p3_epidemic_meetings_do_not_use_the_cap_end_to_end() -> None:
    epidemic = Circumstance(CircumstanceKind.EPIDEMIC, date(2025, 8, 1))
    cell = org(members(5, 0), approvals=(approval(),), circumstances=(epidemic,))
    history = tuple(
        meeting(date(2025, m, 3), MeetingMode.ONLINE, under_circumstance=True) for m in (8, 9, 10)
    )
    decision = check_mode(cell, history, MeetingMode.ONLINE, date(2025, 11, 3))
    assert decision.ok
    assert RuleId.E1B in decision.rules


STORM = Circumstance(CircumstanceKind.NATURAL_DISASTER, date(2024, 9, 1), date(2024, 9, 30))


@pytest.mark.parametrize(
    ("history", "mode", "on", "allowed"),
    [
        pytest.param(
            (meeting(date(2024, 9, 10), MeetingMode.ONLINE, under_circumstance=True),),
            MeetingMode.HYBRID,
            date(2024, 10, 3),
            False,
            id="P4-next-meeting-after-circumstance-must-be-in-person",
        ),
        pytest.param(
            (meeting(date(2024, 9, 10), MeetingMode.ONLINE, under_circumstance=True),),
            MeetingMode.GROUP,
            date(2024, 10, 3),
            False,
            id="P4-group-mode-is-not-in-person",
        ),
        pytest.param(
            (meeting(date(2024, 9, 10), MeetingMode.ONLINE, under_circumstance=True),),
            MeetingMode.IN_PERSON,
            date(2024, 10, 3),
            True,
            id="P4-in-person-allowed",
        ),
        pytest.param(
            (
                meeting(date(2024, 9, 10), MeetingMode.ONLINE, under_circumstance=True),
                meeting(date(2024, 10, 3), MeetingMode.IN_PERSON),
            ),
            MeetingMode.HYBRID,
            date(2024, 11, 4),
            True,
            id="P4-after-an-in-person-meeting-online-again",
        ),
        pytest.param(
            (meeting(date(2024, 8, 10), MeetingMode.HYBRID),),
            MeetingMode.HYBRID,
            date(2024, 10, 3),
            True,
            id="P4-did-not-meet-online-under-the-circumstance",
        ),
        pytest.param(
            (meeting(date(2024, 9, 10), MeetingMode.ONLINE, under_circumstance=True),),
            MeetingMode.HYBRID,
            date(2024, 9, 20),
            True,
            id="P4-circumstance-still-active",
        ),
    ],
)
def test_p4_in_person_after_circumstance(
    history: tuple[MeetingRecord, ...], mode: MeetingMode, on: date, allowed: bool
) -> None:
    decision = check_after_circumstance(org(members(3), circumstances=(STORM,)), history, on, mode)
    assert decision.ok is allowed
    assert decision.rules == (RuleId.P4,)
    if not allowed:
        assert "30/09/2024" in decision.text.vi


def test_p4_end_to_end_refuses_hybrid_after_storm() -> None:
    cell = org(members(1, 4), approvals=(approval(),), circumstances=(STORM,))
    history = (meeting(date(2024, 9, 10), MeetingMode.ONLINE, under_circumstance=True),)
    decision = check_mode(cell, history, MeetingMode.HYBRID, date(2024, 10, 3))
    assert decision.outcome is Outcome.BLOCKED and decision.rules == (RuleId.P4,)


GROUPS_2025 = tuple(meeting(date(2025, m, 3), MeetingMode.GROUP) for m in (8, 9, 10))


@pytest.mark.parametrize(
    ("history", "on", "allowed"),
    [
        pytest.param(GROUPS_2025[:2], date(2025, 11, 3), True, id="P5-third-group-meeting"),
        pytest.param(GROUPS_2025, date(2025, 11, 3), False, id="P5-4th-group-meeting-refused"),
        pytest.param(GROUPS_2025, date(2026, 1, 5), True, id="P5-new-calendar-year"),
        pytest.param(
            GROUPS_2025[:2] + tuple(meeting(date(2025, m, 3), MeetingMode.HYBRID) for m in (1, 2)),
            date(2025, 11, 3),
            True,
            id="P5-online-meetings-not-counted",
        ),
    ],
)
def test_p5_group_cap(history: tuple[MeetingRecord, ...], on: date, allowed: bool) -> None:
    decision = check_group_cap(history, on, CT50)
    assert decision.ok is allowed
    assert decision.rules == (RuleId.P5,)


def test_p5_end_to_end() -> None:
    cell = org(members(40, 12), groups=5, approvals=(approval(ApprovalScope.GROUP),))
    decision = check_mode(cell, GROUPS_2025, MeetingMode.GROUP, date(2025, 11, 3))
    assert decision.outcome is Outcome.BLOCKED and decision.rules == (RuleId.P5,)
    assert check_mode(cell, GROUPS_2025[:2], MeetingMode.GROUP, date(2025, 11, 3)).ok
