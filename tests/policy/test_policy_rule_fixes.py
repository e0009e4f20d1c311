"""Rule fixes of issue 17, each table quoting the seed clause it encodes: R1 (first week, late
months, from 50-CT/TW), R2 (no combined meetings), R3 (from 50-CT/TW), P3 (committee meetings,
circumstances that ended), E1a periods, E3 (who may decide), E4 (duties on a date no pilot set
covers)."""

from __future__ import annotations

from datetime import date

import pytest

from policy.calendar import (
    DutyKind,
    DutyStatus,
    check_duties,
    check_not_combined,
    month_regime,
)
from policy.caps import check_after_circumstance, count_online
from policy.decision import Outcome, RuleId
from policy.eligibility import check_approval, check_online_scope
from policy.facts import Circumstance, MeetingRecord, MemberFacts, OrgFacts, ReasonPeriod
from policy.model import (
    ApprovalScope,
    CircumstanceKind,
    E1aReason,
    IssuerKind,
    MeetingKind,
    MeetingMode,
    MemberStatus,
    OrgLevel,
)
from policy.rulesets import BASELINE, CT50, regime_for
from tests.policy.factories import approval, meeting, org

# --- R1 --------------------------------------------------------------------------------------
# 50-CT/TW §1: "thống nhất thực hiện sinh hoạt chi bộ toàn Đảng vào ngày 03 hàng tháng (nếu vào
# ngày nghỉ hoặc trường hợp đặc biệt sinh hoạt trong tuần đầu tiên của tháng)".

TRACK = date(2025, 1, 1)


@pytest.mark.parametrize(
    ("held_on", "state"),
    [
        pytest.param(date(2025, 10, 3), "on_time", id="R1-held-on-the-3rd"),
        pytest.param(date(2025, 10, 7), "on_time", id="R1-held-in-first-week-special-reason"),
        pytest.param(date(2025, 10, 8), "late", id="R1-held-on-the-8th-is-late"),
        pytest.param(date(2025, 10, 25), "late", id="R1-held-on-the-25th-is-late"),
        pytest.param(None, "missing", id="R1-not-held"),
    ],
)
def test_r1_a_meeting_after_the_first_week_is_late(held_on: date | None, state: str) -> None:
    history = () if held_on is None else (meeting(held_on, MeetingMode.IN_PERSON),)
    regime = month_regime(2025, 10, history, CT50)
    assert regime.state == state
    assert regime.planned.rules == (RuleId.R1, RuleId.M4)


@pytest.mark.parametrize(
    ("held_on", "on", "expected"),
    [
        pytest.param(date(2025, 10, 25), date(2025, 10, 26), [DutyStatus.LATE], id="R1-late-duty"),
        pytest.param(date(2025, 10, 25), date(2025, 10, 10), [DutyStatus.OVERDUE], id="R1-not-yet"),
        pytest.param(date(2025, 10, 6), date(2025, 10, 26), [], id="R1-first-week-ok"),
    ],
)
def test_r1_late_month_shows_in_duties(held_on: date, on: date, expected: list[DutyStatus]) -> None:
    history = (
        meeting(date(2025, 9, 3), MeetingMode.IN_PERSON),
        meeting(date(2025, 10, 3), MeetingMode.IN_PERSON, kind=MeetingKind.THEMATIC),
        meeting(held_on, MeetingMode.IN_PERSON, meeting_id="oct"),
    )
    duties = [
        d
        for d in check_duties(on, history, CT50, tracking_from=TRACK)
        if d.kind is DutyKind.REGULAR_MEETING
    ]
    assert [d.status for d in duties] == expected
    for duty in duties:
        assert RuleId.R1 in duty.rules
        if duty.status is DutyStatus.LATE:
            assert "25/10/2025" in duty.text.vi and "muộn" in duty.text.vi


def test_r1_tet_2026_holidays_are_passed_over() -> None:
    """Days off are data (lunar holidays included): with 3 Feb 2026 a day off, the meeting moves
    to the next working day of the first week, never past day 7."""
    days_off = frozenset({date(2026, 2, 3), date(2026, 2, 4)})
    regime = month_regime(2026, 2, (), CT50, days_off=days_off)
    assert regime.planned.on == date(2026, 2, 5)
    assert regime.planned.window == (date(2026, 2, 1), date(2026, 2, 7))


@pytest.mark.parametrize(
    ("on", "kinds"),
    [
        pytest.param(date(2024, 11, 20), [DutyKind.REGULAR_MEETING], id="R1-2024-is-M4-not-R1"),
        pytest.param(date(2025, 5, 20), [DutyKind.REGULAR_MEETING], id="R3-not-before-50-CT"),
    ],
)
def test_r1_r3_not_applied_before_directive_50(on: date, kinds: list[DutyKind]) -> None:
    """R1 and R3 come from 50-CT/TW (23 Jul 2025); before it only the cell's own day (M4)."""
    duties = check_duties(on, (), BASELINE, tracking_from=date(2024, 1, 1), day=10)
    assert sorted({d.kind for d in duties}) == kinds
    for duty in duties:
        assert duty.rules == (RuleId.M4,)
        assert "R1" not in duty.text.vi


def test_r3_applies_from_the_third_quarter_of_2025() -> None:
    duties = check_duties(date(2025, 10, 2), (), CT50, tracking_from=TRACK)
    thematic = [d for d in duties if d.kind is DutyKind.THEMATIC_MEETING]
    assert [(d.status, d.due_on) for d in thematic] == [
        (DutyStatus.OVERDUE, date(2025, 9, 30)),
        (DutyStatus.DUE, date(2025, 12, 31)),
    ]


# --- R2 --------------------------------------------------------------------------------------
# 50-CT/TW §1: "tuyệt đối không được họp chi bộ kết hợp các cuộc họp khác"; and "lồng ghép sinh
# hoạt chi bộ với sinh hoạt chuyên môn" named as a shortcoming.


@pytest.mark.parametrize(
    ("title", "combined_with", "confirmed", "outcome"),
    [
        pytest.param("Sinh hoạt chi bộ tháng 10", "", False, Outcome.ALLOWED, id="R2-own-meeting"),
        pytest.param(
            "Sinh hoạt chi bộ tháng 10",
            "Họp công đoàn cơ quan",
            True,
            Outcome.BLOCKED,
            id="R2-declared-combination-refused-even-confirmed",
        ),
        pytest.param(
            "Họp liên tịch Chi bộ và Công đoàn",
            "",
            False,
            Outcome.SUSPECTED,
            id="R2-joint-session-suspected",
        ),
        pytest.param(
            "Lồng ghép sinh hoạt chi bộ với sinh hoạt chuyên môn",
            "",
            False,
            Outcome.SUSPECTED,
            id="R2-long-ghep-chuyen-mon-suspected",
        ),
        pytest.param(
            "HOP LIEN TICH CHI BO - DOAN THANH NIEN",
            "",
            False,
            Outcome.SUSPECTED,
            id="R2-without-diacritics-suspected",
        ),
        pytest.param(
            "Quán triệt nghị quyết về công đoàn",
            "",
            True,
            Outcome.ALLOWED,
            id="R2-confirmed-by-the-secretary",
        ),
        pytest.param(
            "Sinh hoạt định kỳ kết hợp chuyên đề quý IV",
            "",
            False,
            Outcome.ALLOWED,
            id="R2-regular-and-thematic-together-is-not-a-combination",
        ),
    ],
)
def test_r2_no_combined_meetings(
    title: str, combined_with: str, confirmed: bool, outcome: Outcome
) -> None:
    decision = check_not_combined(title, combined_with=combined_with, confirmed=confirmed)
    assert decision.outcome is outcome
    assert decision.rules == (RuleId.R2,)
    assert "R2" in decision.text.vi and "R2" in decision.text.en


# --- P3 --------------------------------------------------------------------------------------
# 03-HD/TW §II.2: "Thí điểm sinh hoạt đảng trực tuyến ... sinh hoạt cấp uỷ và sinh hoạt của tổ
# chức đảng trực thuộc"; "đảng bộ cơ sở tối đa không quá 1 lần/năm, chi bộ tối đa không quá 3
# lần/năm" (special characteristics); special circumstances have no cap.

STORM = Circumstance(CircumstanceKind.NATURAL_DISASTER, date(2025, 9, 1), date(2025, 9, 20))


def _online(on: date, **kwargs: object) -> MeetingRecord:
    return meeting(on, MeetingMode.ONLINE, meeting_id=f"m{on.isoformat()}", **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("history", "counted"),
    [
        pytest.param(
            (_online(date(2025, 8, 3), kind=MeetingKind.COMMITTEE),),
            1,
            id="P3-committee-meeting-counts-against-the-cell",
        ),
        pytest.param(
            (_online(date(2025, 9, 10), under_circumstance=True, circumstance=STORM),),
            0,
            id="P3-meeting-during-the-storm-not-counted",
        ),
        pytest.param(
            (_online(date(2025, 10, 3), under_circumstance=True, circumstance=STORM),),
            1,
            id="P3-meeting-linked-to-an-ended-storm-counted",
        ),
        pytest.param(
            (_online(date(2025, 10, 3), kind=MeetingKind.GROUP),),
            0,
            id="P3-party-group-sessions-are-P5-not-P3",
        ),
    ],
)
def test_p3_what_counts(history: tuple[MeetingRecord, ...], counted: int) -> None:
    assert count_online(history, 2025) == counted


def test_p4_ended_link_does_not_make_a_circumstance_meeting() -> None:
    """A meeting merely linked to the storm after it ended is not 'met online under it' (P4)."""
    cell = org((), circumstances=(STORM,))
    history = (_online(date(2025, 10, 3), under_circumstance=True, circumstance=STORM),)
    decision = check_after_circumstance(cell, history, date(2025, 11, 3), MeetingMode.HYBRID)
    assert decision.ok and decision.rules == (RuleId.P4,)


# --- E1a periods -------------------------------------------------------------------------------
# 03-HD/TW §II.1.1.a: "đảng viên không thường xuyên, liên tục ở một địa điểm (đi làm ăn xa; học
# sinh, sinh viên trong thời gian nghỉ hè ...)".


def _student(periods: tuple[ReasonPeriod, ...] = ()) -> MemberFacts:
    return MemberFacts(
        "sv",
        MemberStatus.FULL,
        e1a_reasons=frozenset({E1aReason.STUDENT_BREAK}),
        e1a_periods=periods,
    )


def _far(start: date, end: date | None) -> MemberFacts:
    return MemberFacts(
        "xa",
        MemberStatus.FULL,
        e1a_reasons=frozenset({E1aReason.FAR_FROM_HOME}),
        e1a_periods=(ReasonPeriod(E1aReason.FAR_FROM_HOME, start, end),),
    )


@pytest.mark.parametrize(
    ("member", "on", "holds"),
    [
        pytest.param(_student(), date(2025, 7, 3), True, id="E1a-student-in-summer-break"),
        pytest.param(_student(), date(2025, 10, 3), False, id="E1a-student-in-term-not-counted"),
        pytest.param(_student(), date(2025, 5, 31), False, id="E1a-student-before-the-break"),
        pytest.param(
            _student(
                (ReasonPeriod(E1aReason.STUDENT_BREAK, date(2025, 5, 20), date(2025, 8, 15)),)
            ),
            date(2025, 5, 25),
            True,
            id="E1a-student-own-break-dates",
        ),
        pytest.param(
            _far(date(2025, 3, 1), date(2025, 9, 30)),
            date(2025, 9, 30),
            True,
            id="E1a-far-from-home-while-it-lasts",
        ),
        pytest.param(
            _far(date(2025, 3, 1), date(2025, 9, 30)),
            date(2025, 10, 1),
            False,
            id="E1a-far-from-home-after-it-ended",
        ),
        pytest.param(
            MemberFacts("tv", MemberStatus.FULL, e1a_reasons=frozenset({E1aReason.SEAFARER})),
            date(2025, 12, 3),
            True,
            id="E1a-seafarer-all-year",
        ),
    ],
)
def test_e1a_reason_counts_only_in_its_period(member: MemberFacts, on: date, holds: bool) -> None:
    assert bool(member.reasons_on(on)) is holds
    cell = OrgFacts("c", OrgLevel.CELL, members=(member,))
    assert check_online_scope(cell, on).ok is holds


def test_e1a_period_values_are_checked() -> None:
    with pytest.raises(ValueError):
        ReasonPeriod(E1aReason.FAR_FROM_HOME, date(2025, 9, 1), date(2025, 8, 1))
    with pytest.raises(ValueError):
        MemberFacts(
            "x",
            MemberStatus.FULL,
            e1a_periods=(ReasonPeriod(E1aReason.FAR_FROM_HOME, date(2025, 9, 1)),),
        )


# --- E3 --------------------------------------------------------------------------------------
# 03-HD/TW §III.1: "ban thường vụ tỉnh uỷ, thành uỷ, đảng uỷ trực thuộc Trung ương chỉ đạo các tổ
# chức đảng trực thuộc quyết định việc lựa chọn thí điểm đối với các đảng bộ cơ sở, chi bộ ở trong
# nước; Đảng uỷ Bộ Ngoại giao quyết định việc lựa chọn thí điểm đối với các đảng bộ cơ sở, chi bộ ở
# ngoài nước."


@pytest.mark.parametrize(
    ("abroad", "issuer_kind", "eligible"),
    [
        pytest.param(False, IssuerKind.SUPERIOR_COMMITTEE, True, id="E3-superior-committee-home"),
        pytest.param(False, IssuerKind.PROVINCIAL_STANDING, True, id="E3-provincial-standing"),
        pytest.param(False, IssuerKind.OTHER, False, id="E3-other-issuer-refused"),
        pytest.param(False, IssuerKind.MFA_COMMITTEE, False, id="E3-mfa-not-for-home"),
        pytest.param(True, IssuerKind.MFA_COMMITTEE, True, id="E3-mfa-decides-abroad"),
        pytest.param(True, IssuerKind.SUPERIOR_COMMITTEE, False, id="E3-abroad-needs-mfa"),
    ],
)
def test_e3_who_may_decide(abroad: bool, issuer_kind: IssuerKind, eligible: bool) -> None:
    cell = OrgFacts(
        "c",
        OrgLevel.CELL,
        approvals=(approval(issuer_kind=issuer_kind, issuer="Nơi ban hành"),),
        abroad=abroad,
    )
    decision = check_approval(cell, ApprovalScope.ONLINE, date(2025, 9, 3))
    assert decision.ok is eligible
    assert decision.rules == (RuleId.E3,)
    if not eligible:
        assert "Nơi ban hành" in decision.text.vi and "III.1" in decision.text.vi


# --- E4 on duties --------------------------------------------------------------------------------
# 03-HD/TW §III: "có hiệu lực kể từ ngày ký đến hết ngày 30/6/2025"; 50-CT/TW from 23/7/2025.


@pytest.mark.parametrize(
    "on",
    [
        pytest.param(date(2025, 7, 1), id="E4-duties-on-1-july-2025"),
        pytest.param(date(2025, 7, 22), id="E4-duties-on-22-july-2025"),
    ],
)
def test_e4_duties_answer_between_the_rule_sets(on: date) -> None:
    rules = regime_for(on)
    assert rules is BASELINE
    duties = check_duties(on, (), rules, tracking_from=date(2025, 1, 1))
    regular = [d for d in duties if d.kind is DutyKind.REGULAR_MEETING]
    assert [d.due_on for d in regular] == [date(2025, 6, 3), date(2025, 7, 3)]
    assert all(d.rules == (RuleId.M4,) for d in regular)
