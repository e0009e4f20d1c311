"""The superior committee's rules as pure functions, each table quoting the seed clause it
encodes: Q1 (criteria from the records), Q2 (classification per period), Q3 (weak over several
periods), V1 (deadline), V2 (vetting states), V3 (review totals)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policy.criteria import (
    DEFAULT_CRITERIA,
    CriteriaSet,
    Criterion,
    CriterionSpec,
    Grade,
    criteria_from,
)
from policy.decision import Outcome, RuleId
from policy.facts import GroupReport, OrgFacts
from policy.model import ApprovalScope, MeetingKind, OrgLevel
from policy.programme import (
    RegistrationAction,
    RegistrationState,
    UnitFigures,
    check_deadline,
    check_transition,
    check_vetting,
    totals,
)
from policy.quality import (
    MeetingFacts,
    check_weak,
    classify_month,
    classify_quarter,
    evaluate_meeting,
    parse_period,
)
from policy.rulesets import CT50
from tests.policy.factories import members

# --- Q1 ---------------------------------------------------------------------------------------
# 50-CT/TW §5: "Xây dựng tiêu chí đánh giá, xếp loại chất lượng sinh hoạt chi bộ khoa học, chặt
# chẽ, định lượng, cụ thể."

WINDOW = (date(2026, 3, 1), date(2026, 3, 7))


def good(**changes: object) -> MeetingFacts:
    fields: dict[str, object] = {
        "meeting_id": "1",
        "on": date(2026, 3, 3),
        "kind": MeetingKind.REGULAR,
        "window": WINDOW,
        "duration_minutes": 100,
        "counted": 10,
        "present": 10,
        "attendees": 10,
        "speakers": 4,
        "documents_published_on": date(2026, 3, 1),
        "task_reports": 2,
        "votes": ((True, True),),
        "conclusions": 1,
        "minutes_adopted": True,
        "thematic": True,
    }
    fields.update(changes)
    return MeetingFacts(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "criterion", "met", "words"),
    [
        pytest.param(
            {"on": date(2026, 3, 20)}, Criterion.ON_DAY, False, "20/03/2026", id="Q1-R1-late"
        ),
        pytest.param({}, Criterion.ON_DAY, True, "03/03/2026", id="Q1-R1-on-the-3rd"),
        pytest.param(
            {"kind": MeetingKind.THEMATIC},
            Criterion.ON_DAY,
            None,
            "định kỳ",
            id="Q1-R1-thematic-not-judged",
        ),
        pytest.param(
            {"duration_minutes": 89}, Criterion.DURATION, False, "89 phút", id="Q1-M2-short"
        ),
        pytest.param(
            {"duration_minutes": 100, "combined": True},
            Criterion.DURATION,
            False,
            "120",
            id="Q1-M2-combined-needs-120",
        ),
        pytest.param({"present": 9}, Criterion.ATTENDANCE, True, "9/10", id="Q1-A2-90-percent"),
        pytest.param({"present": 8}, Criterion.ATTENDANCE, False, "8/10", id="Q1-A2-80-percent"),
        pytest.param(
            {"documents_published_on": date(2026, 3, 3)},
            Criterion.DOCUMENTS,
            False,
            "02/03/2026",
            id="Q1-M3-same-day-is-late",
        ),
        pytest.param(
            {"documents_published_on": None},
            Criterion.DOCUMENTS,
            False,
            "Không có",
            id="Q1-M3-none",
        ),
        pytest.param(
            {"task_reports": 0}, Criterion.TASK_REPORTS, False, "báo cáo", id="Q1-R8-none"
        ),
        pytest.param(
            {"speakers": 2}, Criterion.SPEAKERS, False, "2/10", id="Q1-speakers-20-percent"
        ),
        pytest.param(
            {"speakers": 3}, Criterion.SPEAKERS, True, "3/10", id="Q1-speakers-30-percent"
        ),
        pytest.param(
            {"votes": ((False, False),)},
            Criterion.RESOLUTION,
            False,
            "không hợp lệ",
            id="Q1-A3-not-valid",
        ),
        pytest.param(
            {"minutes_adopted": False, "minutes_missing": ("thư ký",)},
            Criterion.MINUTES,
            False,
            "thư ký",
            id="Q1-M1-not-adopted",
        ),
        pytest.param(
            {"thematic": None}, Criterion.THEMATIC, None, "chưa kết thúc", id="Q1-R3-pending"
        ),
        pytest.param({"thematic": False}, Criterion.THEMATIC, False, "Không", id="Q1-R3-none"),
        pytest.param({"online_used": 4}, Criterion.CAPS, False, "4/3", id="Q1-P3-over"),
        pytest.param({"group_used": 4}, Criterion.CAPS, False, "4/3", id="Q1-P5-over"),
        pytest.param(
            {"agenda_texts": ("Giao ban công tác chuyên môn tháng 3",)},
            Criterion.NOT_COMBINED,
            False,
            "giao ban",
            id="Q1-R2-routine-business",
        ),
        pytest.param(
            {"group_reports": (GroupReport("Tổ 1", date(2026, 3, 3), date(2026, 3, 5)),)},
            Criterion.GROUP_REPORTS,
            False,
            "Tổ 1",
            id="Q1-GM3-two-days-late",
        ),
        pytest.param(
            {"group_reports": (GroupReport("Tổ 1", date(2026, 3, 3), date(2026, 3, 4)),)},
            Criterion.GROUP_REPORTS,
            True,
            "đúng hạn",
            id="Q1-GM3-next-day",
        ),
    ],
)
def test_q1_each_criterion_from_the_records_with_its_evidence(
    changes: dict[str, object], criterion: Criterion, met: bool | None, words: str
) -> None:
    evaluation = evaluate_meeting(good(**changes))
    result = next(r for r in evaluation.results if r.criterion is criterion)
    assert result.met is met
    assert words in result.text.vi
    assert result.rules and result.text.en


def test_q1_a_good_meeting_scores_all_it_is_judged_on() -> None:
    evaluation = evaluate_meeting(good())
    assert evaluation.percent == 100 and evaluation.grade is Grade.GOOD
    # GM3 is not judged for a meeting not held by groups: left out of the points
    assert evaluation.max_score == 95


@pytest.mark.parametrize(
    ("changes", "grade"),
    [
        pytest.param({"on": date(2026, 3, 20)}, Grade.AVERAGE, id="Q1-R1-caps-at-average"),
        pytest.param(
            {"agenda_texts": ("Họp liên tịch với công đoàn",)}, Grade.AVERAGE, id="Q1-R2-caps"
        ),
        pytest.param({"online_used": 4}, Grade.AVERAGE, id="Q1-P3-caps"),
        pytest.param({"speakers": 0, "task_reports": 0}, Grade.FAIR, id="Q1-80-percent-fair"),
        pytest.param(
            {
                "duration_minutes": 60,
                "present": 4,
                "speakers": 1,
                "task_reports": 0,
                "minutes_adopted": False,
            },
            Grade.WEAK,
            id="Q1-thin-meeting-weak",
        ),
    ],
)
def test_q1_grades_and_caps(changes: dict[str, object], grade: Grade) -> None:
    assert evaluate_meeting(good(**changes)).grade is grade


def test_q1_criteria_are_versioned_and_configurable() -> None:
    mine = CriteriaSet(
        version=2,
        specs=(CriterionSpec(Criterion.ATTENDANCE, 50, 0.5), CriterionSpec(Criterion.ON_DAY, 50)),
    )
    assert criteria_from(mine.as_dict(), 2) == mine
    assert evaluate_meeting(good(present=6), mine).percent == 100
    assert evaluate_meeting(good(present=6), mine).version == 2
    with pytest.raises(ValueError, match="rise"):
        CriteriaSet(version=3, specs=mine.specs, good=60, fair=70)
    with pytest.raises(ValueError):
        criteria_from({"criteria": [{"criterion": "nonsense", "points": 5}]}, 2)
    assert criteria_from(DEFAULT_CRITERIA.as_dict(), 1) == DEFAULT_CRITERIA


@given(
    present=st.integers(0, 10),
    speakers=st.integers(0, 10),
    minutes=st.integers(0, 200),
    online=st.integers(0, 6),
)
def test_q1_percent_is_a_share_and_more_presence_never_lowers_it(
    present: int, speakers: int, minutes: int, online: int
) -> None:
    a = evaluate_meeting(
        good(present=present, speakers=speakers, duration_minutes=minutes, online_used=online)
    )
    assert 0 <= a.percent <= 100 and a.score <= a.max_score
    if present < 10:
        b = evaluate_meeting(
            good(
                present=present + 1, speakers=speakers, duration_minutes=minutes, online_used=online
            )
        )
        assert b.percent >= a.percent


# --- Q2 ---------------------------------------------------------------------------------------
# 50-CT/TW §5: "Cấp ủy cấp trên định kỳ tổ chức đánh giá và thông báo kết quả đến cấp ủy, chi bộ
# trực thuộc, bảo đảm công khai, minh bạch, thực chất."


def test_q2_month_missing_is_weak_and_late_is_at_best_average() -> None:
    e = evaluate_meeting(good())
    assert classify_month("2026-03", "missing", []).grade is Grade.WEAK
    assert classify_month("2026-03", "on_time", [e]).grade is Grade.GOOD
    late = classify_month("2026-03", "late", [e])
    assert late.grade is Grade.AVERAGE and RuleId.R1 in late.rules


def test_q2_quarter_without_thematic_is_at_best_average_r3() -> None:
    months = [
        classify_month(f"2026-0{m}", "on_time", [evaluate_meeting(good())]) for m in (1, 2, 3)
    ]
    assert classify_quarter("2026-Q1", months, True).grade is Grade.GOOD
    without = classify_quarter("2026-Q1", months, False)
    assert without.grade is Grade.AVERAGE and RuleId.R3 in without.rules
    weak_month = [*months[:2], classify_month("2026-03", "missing", [])]
    assert classify_quarter("2026-Q1", weak_month, True).grade is Grade.AVERAGE


@pytest.mark.parametrize(
    ("label", "start", "end", "quarter"),
    [
        pytest.param("2026-02", date(2026, 2, 1), date(2026, 2, 28), False, id="Q2-month"),
        pytest.param("2026-Q4", date(2026, 10, 1), date(2026, 12, 31), True, id="Q2-quarter"),
    ],
)
def test_q2_periods(label: str, start: date, end: date, quarter: bool) -> None:
    period = parse_period(label)
    assert (period.start, period.end, period.quarter) == (start, end, quarter)


@pytest.mark.parametrize("label", ["2026-13", "2026-Q5", "26-01", "2026", "2026-1"])
def test_q2_bad_periods_refused(label: str) -> None:
    with pytest.raises(ValueError):
        parse_period(label)


# --- Q3 ---------------------------------------------------------------------------------------
# 50-CT/TW §6: "gắn trách nhiệm của cấp ủy viên được phân công theo dõi, người đứng đầu đối với
# chất lượng sinh hoạt chi bộ, nhất là các chi bộ yếu kém kéo dài."

W, A = Grade.WEAK, Grade.AVERAGE


@pytest.mark.parametrize(
    ("grades", "flagged"),
    [
        pytest.param((W,), False, id="Q3-one-weak-period"),
        pytest.param((W, W), True, id="Q3-two-consecutive"),
        pytest.param((W, A, W), False, id="Q3-interrupted"),
        pytest.param((A, W, W, W), True, id="Q3-latest-three"),
        pytest.param((W, W, A), False, id="Q3-recovered"),
    ],
)
def test_q3_weak_over_consecutive_periods(grades: tuple[Grade, ...], flagged: bool) -> None:
    history = [(f"2026-{n:02d}", g) for n, g in enumerate(grades, start=1)]
    flag = check_weak(history)
    assert (flag is not None) is flagged
    if flag is not None:
        assert flag.rules == (RuleId.Q3,) and "yếu kém kéo dài" in flag.text.vi
        assert flag.periods[-1] == history[-1][0]


# --- V1, V2, V3 -------------------------------------------------------------------------------
# 828-CV/ĐUK §1: "báo cáo Ban Thường vụ Đảng uỷ Khối trước 10/4/2023 để xem xét, quyết định";
# §3: "tổng hợp, thẩm định các tổ chức đảng có đủ điều kiện …, trình Ban Thường vụ Đảng uỷ Khối
# xem xét, quyết định".


@pytest.mark.parametrize(
    ("sent", "outcome"),
    [
        pytest.param(date(2023, 4, 10), Outcome.ALLOWED, id="V1-on-the-deadline"),
        pytest.param(date(2023, 4, 11), Outcome.BLOCKED, id="V1-after-the-deadline"),
    ],
)
def test_v1_deadline(sent: date, outcome: Outcome) -> None:
    decision = check_deadline(sent, date(2023, 4, 10))
    assert decision.outcome is outcome and decision.rules == (RuleId.V1,)
    assert check_deadline(sent, None).ok


def test_v1_closed_call_refuses_before_its_deadline() -> None:
    """V1 ("by a deadline set by the superior committee"): a call the committee closed early
    takes no registration, even one sent before its deadline; the refusal gives the day."""
    decision = check_deadline(date(2023, 4, 5), date(2023, 4, 10), closed_on=date(2023, 4, 3))
    assert decision.outcome is Outcome.BLOCKED and decision.rules == (RuleId.V1,)
    assert "đóng ngày 03/04/2023" in decision.text.vi


S, Act = RegistrationState, RegistrationAction


@pytest.mark.parametrize(
    ("state", "action", "reason", "ok"),
    [
        pytest.param(S.DRAFT, Act.SUBMIT, "", True, id="V2-submit-draft"),
        pytest.param(S.SUBMITTED, Act.VET, "", True, id="V2-vet"),
        pytest.param(S.VETTING, Act.RETURN, "", False, id="V2-return-needs-reason"),
        pytest.param(S.VETTING, Act.RETURN, "Thiếu hạ tầng", True, id="V2-return-with-reason"),
        pytest.param(S.RETURNED, Act.ENDORSE, "", False, id="V2-returned-not-endorsed"),
        pytest.param(S.RETURNED, Act.CORRECT, "", True, id="V2-corrected"),
        pytest.param(S.VETTING, Act.APPROVE, "", False, id="V2-approve-needs-vetting-first"),
        pytest.param(S.VETTED, Act.APPROVE, "", True, id="V2-standing-approves"),
        pytest.param(S.VETTED, Act.REFUSE, "", False, id="V2-refuse-needs-reason"),
        pytest.param(S.APPROVED, Act.RETURN, "x", False, id="V2-approved-is-final"),
    ],
)
def test_v2_states(
    state: RegistrationState, action: RegistrationAction, reason: str, ok: bool
) -> None:
    decision = check_transition(state, action, reason)
    assert decision.ok is ok and decision.rules == (RuleId.V2,)


def test_v2_vetting_checks_e1_e2_p1() -> None:
    ship = OrgFacts("1", OrgLevel.CELL, members=members(able=2, unable=4), it_ready=True)
    assert check_vetting(ship, ApprovalScope.ONLINE, date(2026, 4, 1), CT50).ok
    office = OrgFacts("2", OrgLevel.CELL, members=members(able=5, unable=1), it_ready=True)
    refused = check_vetting(office, ApprovalScope.ONLINE, date(2026, 4, 1), CT50)
    assert not refused.ok and {RuleId.V2, RuleId.E1} <= set(refused.rules)
    unready = OrgFacts("3", OrgLevel.CELL, members=members(able=2, unable=4))
    assert RuleId.P1 in check_vetting(unready, ApprovalScope.ONLINE, date(2026, 4, 1), CT50).rules
    small = OrgFacts("4", OrgLevel.CELL, members=members(able=10), groups=2, it_ready=True)
    assert not check_vetting(small, ApprovalScope.GROUP, date(2026, 4, 1), CT50).ok  # E2: < 50


def test_v3_review_totals() -> None:
    rows = [UnitFigures("A", 3, 0, 9, 30, 27, 1, 0), UnitFigures("B", 0, 2, 10, 20, 20, 0, 2)]
    total = totals(rows)
    assert (total.online_meetings, total.group_meetings, total.incidents) == (3, 2, 2)
    assert total.attendance_percent == 94
