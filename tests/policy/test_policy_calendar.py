"""R1/M4 meeting day, R3 quarterly thematic meetings, M2 duration, M3 documents, GM3 group
reports: what is due or overdue for a cell on a date."""

from __future__ import annotations

from datetime import date

import pytest

from policy.calendar import (
    DutyKind,
    DutyStatus,
    check_documents,
    check_duration,
    check_duties,
    check_group_report,
    meeting_day,
)
from policy.decision import Outcome, RuleId
from policy.facts import GroupReport, MeetingRecord
from policy.model import MeetingKind, MeetingMode, MeetingStatus
from policy.rulesets import BASELINE, CT50
from tests.policy.factories import meeting

R1M4 = (RuleId.R1, RuleId.M4)
M4 = (RuleId.M4,)
HOLIDAYS_2025 = frozenset({date(2025, 9, 1), date(2025, 9, 2), date(2025, 4, 30), date(2025, 5, 1)})


# R1 — 50-CT/TW: "thống nhất thực hiện sinh hoạt chi bộ toàn Đảng vào ngày 03 hàng tháng (nếu vào
# ngày nghỉ hoặc trường hợp đặc biệt sinh hoạt trong tuần đầu tiên của tháng)". From August 2025.
@pytest.mark.parametrize(
    ("year", "month", "days_off", "weekend", "day", "expected", "shifted", "rules"),
    [
        pytest.param(
            2025, 9, HOLIDAYS_2025, None, None, date(2025, 9, 3), False, R1M4, id="R1-the-3rd"
        ),
        pytest.param(
            2026, 1, frozenset(), None, None, date(2026, 1, 5), True, R1M4, id="R1-3rd-is-saturday"
        ),
        pytest.param(
            2025,
            9,
            frozenset({date(2025, 9, 3)}),
            None,
            None,
            date(2025, 9, 4),
            True,
            R1M4,
            id="R1-3rd-is-a-holiday",
        ),
        pytest.param(
            2026,
            7,
            frozenset({date(2026, 7, 3), date(2026, 7, 6), date(2026, 7, 7)}),
            None,
            None,
            date(2026, 7, 2),
            True,
            R1M4,
            id="R1-no-later-working-day-in-week-takes-earlier",
        ),
        pytest.param(
            2027,
            1,
            frozenset(date(2027, 1, d) for d in range(1, 8)),
            None,
            None,
            date(2027, 1, 3),
            False,
            R1M4,
            id="R1-whole-first-week-off-stays-in-the-week",
        ),
        pytest.param(
            2026,
            1,
            frozenset(),
            frozenset({6}),
            None,
            date(2026, 1, 3),
            False,
            R1M4,
            id="R1-saturday-workday",
        ),
        pytest.param(
            2026, 5, frozenset(), None, 10, date(2026, 5, 4), True, R1M4, id="R1-own-day-10-ignored"
        ),
        pytest.param(
            2026, 5, frozenset(), None, 5, date(2026, 5, 5), False, R1M4, id="R1-own-day-in-week"
        ),
        pytest.param(
            2025,
            5,
            frozenset(),
            None,
            10,
            date(2025, 5, 12),
            True,
            M4,
            id="M4-local-day-10-shifted",
        ),
        pytest.param(
            2025, 6, frozenset(), None, 10, date(2025, 6, 10), False, M4, id="M4-local-day-10"
        ),
        pytest.param(
            2025,
            7,
            frozenset(),
            None,
            25,
            date(2025, 7, 25),
            False,
            M4,
            id="M4-july-2025-before-R1",
        ),
    ],
)
def test_r1_m4_meeting_day(
    year: int,
    month: int,
    days_off: frozenset[date],
    weekend: frozenset[int] | None,
    day: int | None,
    expected: date,
    shifted: bool,
    rules: tuple[RuleId, ...],
) -> None:
    kwargs: dict[str, object] = {"days_off": days_off, "day": day}
    if weekend is not None:
        kwargs["weekend"] = weekend
    result = meeting_day(year, month, CT50, **kwargs)  # type: ignore[arg-type]
    assert (result.on, result.shifted) == (expected, shifted)
    assert result.rules == rules
    assert expected.strftime("%d/%m/%Y") in result.text.vi


@pytest.mark.parametrize(
    ("minutes", "combined", "ok"),
    [
        pytest.param(90, False, True, id="M2-90-minutes"),
        pytest.param(89, False, False, id="M2-89-minutes-short"),
        pytest.param(119, True, False, id="M2-combined-119-short"),
        pytest.param(120, True, True, id="M2-combined-120"),
    ],
)
def test_m2_duration(minutes: int, combined: bool, ok: bool) -> None:
    decision = check_duration(minutes, combined, BASELINE)
    assert decision.ok is ok and decision.rules == (RuleId.M2,)
    assert str(minutes) in decision.text.vi


@pytest.mark.parametrize(
    ("published", "ok"),
    [
        pytest.param(date(2025, 9, 1), True, id="M3-two-days-before"),
        pytest.param(date(2025, 9, 2), True, id="M3-one-day-before"),
        pytest.param(date(2025, 9, 3), False, id="M3-same-day-late"),
        pytest.param(None, False, id="M3-never-published"),
    ],
)
def test_m3_documents(published: date | None, ok: bool) -> None:
    record = meeting(
        date(2025, 9, 3),
        MeetingMode.IN_PERSON,
        status=MeetingStatus.SCHEDULED,
        documents_published_on=published,
    )
    decision = check_documents(record, CT50)
    assert decision.ok is ok and decision.rules == (RuleId.M3,)


@pytest.mark.parametrize(
    ("reported", "on", "outcome"),
    [
        pytest.param(
            date(2025, 9, 4), date(2025, 9, 10), Outcome.ALLOWED, id="GM3-reported-next-day"
        ),
        pytest.param(date(2025, 9, 5), date(2025, 9, 10), Outcome.BLOCKED, id="GM3-reported-late"),
        pytest.param(None, date(2025, 9, 4), Outcome.ALLOWED, id="GM3-still-due"),
        pytest.param(None, date(2025, 9, 5), Outcome.BLOCKED, id="GM3-overdue"),
    ],
)
def test_gm3_group_report_deadline(reported: date | None, on: date, outcome: Outcome) -> None:
    decision = check_group_report(date(2025, 9, 3), reported, on, CT50)
    assert decision.outcome is outcome and decision.rules == (RuleId.GM3,)


def kinds(duties: tuple[object, ...]) -> list[tuple[DutyKind, DutyStatus]]:
    return [(d.kind, d.status) for d in duties]  # type: ignore[attr-defined]


TRACK = date(2025, 7, 1)
AUG = meeting(date(2025, 8, 4), MeetingMode.IN_PERSON)
THEMATIC_Q3 = meeting(date(2025, 8, 20), MeetingMode.IN_PERSON, kind=MeetingKind.THEMATIC)


@pytest.mark.parametrize(
    ("on", "history", "expected"),
    [
        pytest.param(
            date(2025, 9, 2),
            (AUG, THEMATIC_Q3),
            [(DutyKind.REGULAR_MEETING, DutyStatus.DUE)],
            id="R1-september-meeting-due",
        ),
        pytest.param(
            date(2025, 9, 4),
            (AUG, THEMATIC_Q3),
            [(DutyKind.REGULAR_MEETING, DutyStatus.OVERDUE)],
            id="R1-september-meeting-overdue",
        ),
        pytest.param(
            date(2025, 9, 4),
            (AUG, THEMATIC_Q3, meeting(date(2025, 9, 3), MeetingMode.HYBRID)),
            [],
            id="R1-R3-nothing-due",
        ),
        pytest.param(
            date(2025, 9, 2),
            (THEMATIC_Q3,),
            [
                (DutyKind.REGULAR_MEETING, DutyStatus.OVERDUE),
                (DutyKind.REGULAR_MEETING, DutyStatus.DUE),
            ],
            id="R1-last-month-missed",
        ),
        pytest.param(
            date(2025, 9, 2),
            (AUG,),
            [
                (DutyKind.REGULAR_MEETING, DutyStatus.DUE),
                (DutyKind.THEMATIC_MEETING, DutyStatus.DUE),
            ],
            id="R3-thematic-due-this-quarter",
        ),
        pytest.param(
            date(2025, 10, 2),
            (AUG, meeting(date(2025, 9, 3), MeetingMode.IN_PERSON)),
            [
                (DutyKind.THEMATIC_MEETING, DutyStatus.OVERDUE),
                (DutyKind.REGULAR_MEETING, DutyStatus.DUE),
                (DutyKind.THEMATIC_MEETING, DutyStatus.DUE),
            ],
            id="R3-last-quarter-without-thematic-overdue",
        ),
        pytest.param(
            date(2025, 10, 2),
            (AUG, meeting(date(2025, 9, 3), MeetingMode.IN_PERSON, combined=True)),
            [
                (DutyKind.REGULAR_MEETING, DutyStatus.DUE),
                (DutyKind.THEMATIC_MEETING, DutyStatus.DUE),
            ],
            id="R3-combined-meeting-counts-as-thematic",
        ),
    ],
)
def test_r1_r3_duties(
    on: date, history: tuple[MeetingRecord, ...], expected: list[tuple[DutyKind, DutyStatus]]
) -> None:
    duties = check_duties(on, history, CT50, days_off=HOLIDAYS_2025, tracking_from=TRACK)
    assert kinds(duties) == expected
    for duty in duties:
        assert duty.rules and duty.text.vi and duty.text.en


@pytest.mark.parametrize(
    ("on", "published", "expected"),
    [
        pytest.param(
            date(2025, 9, 1), None, [(DutyKind.DOCUMENTS, DutyStatus.DUE)], id="M3-documents-due"
        ),
        pytest.param(
            date(2025, 9, 3),
            None,
            [(DutyKind.DOCUMENTS, DutyStatus.OVERDUE)],
            id="M3-documents-overdue",
        ),
        pytest.param(date(2025, 9, 1), date(2025, 9, 1), [], id="M3-documents-published"),
    ],
)
def test_m3_documents_duty(
    on: date, published: date | None, expected: list[tuple[DutyKind, DutyStatus]]
) -> None:
    planned = meeting(
        date(2025, 9, 3),
        MeetingMode.IN_PERSON,
        status=MeetingStatus.SCHEDULED,
        documents_published_on=published,
        meeting_id="sep",
    )
    history = (AUG, THEMATIC_Q3, planned)
    duties = [
        d
        for d in check_duties(on, history, CT50, tracking_from=TRACK)
        if d.kind is DutyKind.DOCUMENTS
    ]
    assert kinds(tuple(duties)) == expected
    assert all(d.meeting_id == "sep" for d in duties)


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        pytest.param(
            date(2025, 9, 4), [(DutyKind.GROUP_REPORT, DutyStatus.DUE)], id="GM3-report-due"
        ),
        pytest.param(
            date(2025, 9, 5), [(DutyKind.GROUP_REPORT, DutyStatus.OVERDUE)], id="GM3-report-overdue"
        ),
    ],
)
def test_gm3_group_report_duty(on: date, expected: list[tuple[DutyKind, DutyStatus]]) -> None:
    record = meeting(
        date(2025, 9, 3),
        MeetingMode.GROUP,
        group_reports=(
            GroupReport("Tổ 1", date(2025, 9, 3), date(2025, 9, 3)),
            GroupReport("Tổ 2", date(2025, 9, 3)),
        ),
    )
    duties = [
        d
        for d in check_duties(on, (AUG, THEMATIC_Q3, record), CT50, tracking_from=TRACK)
        if d.kind is DutyKind.GROUP_REPORT
    ]
    assert kinds(tuple(duties)) == expected
    assert "Tổ 2" in duties[0].text.vi


def test_meeting_record_values_are_checked() -> None:
    with pytest.raises(ValueError):
        meeting(
            date(2025, 9, 3),
            MeetingMode.HYBRID,
            group_reports=(GroupReport("Tổ 1", date(2025, 9, 3)),),
        )
    with pytest.raises(ValueError):
        GroupReport("Tổ 1", date(2025, 9, 3), date(2025, 9, 2))
    with pytest.raises(ValueError):
        meeting(date(2025, 9, 3), duration_minutes=-1)
