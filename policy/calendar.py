"""The meeting calendar of a cell: R1/M4 (meeting day), R3 (a thematic meeting each quarter),
M2 (duration), M3 (documents before the meeting) and GM3 (group reports within a day).

Days off are data: the year's public holidays are passed in (Lunar New Year and Hùng Kings' day
move every year), weekends are a parameter (Saturday and Sunday by default, ``date.weekday()``
numbering). Nothing here reads a clock: the date to judge is always an argument.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from typing import Final

from policy.decision import Decision, Outcome, RuleId
from policy.facts import MeetingRecord
from policy.i18n import Text, tr
from policy.model import MeetingKind, MeetingMode, MeetingStatus
from policy.rulesets import RuleSet

WEEKEND: Final = frozenset({5, 6})


def _fmt(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _is_off(day: date, days_off: frozenset[date], weekend: frozenset[int]) -> bool:
    return day in days_off or day.weekday() in weekend


@dataclass(frozen=True, slots=True)
class MeetingDay:
    """The regular meeting day of a month, and why (R1, M4)."""

    on: date
    shifted: bool
    rules: tuple[RuleId, ...]
    text: Text


def meeting_day(
    year: int,
    month: int,
    rules: RuleSet,
    *,
    days_off: frozenset[date] = frozenset(),
    weekend: frozenset[int] = WEEKEND,
    day: int | None = None,
) -> MeetingDay:
    """R1/M4: the configured day (``day``, else the rule set's, the 3rd) unless it is a day off;
    then the first working day after it within the first week (days 1–7, or the seven days from
    the configured day when that is later), else the last working day before it in that week,
    else the first working day after the week."""
    configured = date(year, month, day if day is not None else rules.meeting_day)
    rule_ids = (RuleId.R1, RuleId.M4)
    if not _is_off(configured, days_off, weekend):
        return MeetingDay(configured, False, rule_ids, tr("rules.r1.day", date=_fmt(configured)))
    last_day = _stdlib_calendar.monthrange(year, month)[1]
    first = 1 if configured.day <= 7 else configured.day
    last = min(first + 6, last_day)
    week = [date(year, month, d) for d in range(first, last + 1)]
    after = [d for d in week if d > configured and not _is_off(d, days_off, weekend)]
    before = [d for d in week if d < configured and not _is_off(d, days_off, weekend)]
    if after:
        chosen = after[0]
    elif before:
        chosen = before[-1]
    else:
        chosen = week[-1] + timedelta(days=1)
        while _is_off(chosen, days_off, weekend):
            chosen += timedelta(days=1)
    return MeetingDay(
        chosen,
        True,
        rule_ids,
        tr("rules.r1.shifted", configured=_fmt(configured), date=_fmt(chosen)),
    )


def check_duration(minutes: int, combined: bool, rules: RuleSet) -> Decision:
    """M2: at least 90 minutes, 120 when a regular and a thematic meeting are held together."""
    minimum = rules.min_minutes_combined if combined else rules.min_minutes
    params = {"minutes": minutes, "minimum": minimum}
    if minutes >= minimum:
        return Decision(Outcome.ALLOWED, (RuleId.M2,), tr("rules.m2.ok", **params))
    return Decision(Outcome.BLOCKED, (RuleId.M2,), tr("rules.m2.short", **params))


def documents_deadline(meeting_on: date, rules: RuleSet) -> date:
    """M3: the last day documents may be published for a meeting on ``meeting_on``."""
    return meeting_on - timedelta(days=rules.documents_days_before)


def check_documents(meeting: MeetingRecord, rules: RuleSet) -> Decision:
    """M3: documents published at least ``rules.documents_days_before`` days before."""
    deadline = documents_deadline(meeting.on, rules)
    published = meeting.documents_published_on
    if published is not None and published <= deadline:
        return Decision(Outcome.ALLOWED, (RuleId.M3,), tr("rules.m3.ok", published=_fmt(published)))
    return Decision(Outcome.BLOCKED, (RuleId.M3,), tr("rules.m3.late", deadline=_fmt(deadline)))


class DutyKind(str, Enum):
    REGULAR_MEETING = "regular_meeting"  # R1
    THEMATIC_MEETING = "thematic_meeting"  # R3
    DOCUMENTS = "documents"  # M3
    GROUP_REPORT = "group_report"  # GM3


class DutyStatus(str, Enum):
    DUE = "due"
    OVERDUE = "overdue"


@dataclass(frozen=True, slots=True)
class Duty:
    """Something a cell must do by ``due_on``; OVERDUE once the date has passed undone."""

    kind: DutyKind
    status: DutyStatus
    due_on: date
    rules: tuple[RuleId, ...]
    text: Text
    meeting_id: str | None = None

    def __post_init__(self) -> None:
        if not self.rules:
            raise ValueError("a duty cites at least one rule id")


def _quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    start = date(year, 3 * quarter - 2, 1)
    end_month = 3 * quarter
    return start, date(year, end_month, _stdlib_calendar.monthrange(year, end_month)[1])


def _previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def _held_regular(history: Iterable[MeetingRecord], year: int, month: int) -> bool:
    return any(
        m.held
        and (m.kind is MeetingKind.REGULAR or m.combined or m.mode is MeetingMode.GROUP)
        and (m.on.year, m.on.month) == (year, month)
        for m in history
    )


def _held_thematic(history: Iterable[MeetingRecord], start: date, end: date) -> bool:
    return any(
        m.held and (m.kind is MeetingKind.THEMATIC or m.combined) and start <= m.on <= end
        for m in history
    )


def _regular_duties(
    on: date,
    history: Sequence[MeetingRecord],
    rules: RuleSet,
    days_off: frozenset[date],
    weekend: frozenset[int],
    tracking_from: date,
    day: int | None,
) -> list[Duty]:
    duties: list[Duty] = []
    prev = _previous_month(on.year, on.month)
    for year, month in (prev, (on.year, on.month)):
        planned = meeting_day(year, month, rules, days_off=days_off, weekend=weekend, day=day)
        if planned.on < tracking_from or _held_regular(history, year, month):
            continue
        overdue = on > planned.on
        if not overdue and (year, month) == prev:
            continue
        duties.append(
            Duty(
                DutyKind.REGULAR_MEETING,
                DutyStatus.OVERDUE if overdue else DutyStatus.DUE,
                planned.on,
                (RuleId.R1, RuleId.M4),
                tr(
                    "rules.r1.overdue" if overdue else "rules.r1.due",
                    date=_fmt(planned.on),
                    month=f"{month:02d}/{year}",
                ),
            )
        )
    return duties


def _thematic_duties(on: date, history: Sequence[MeetingRecord], tracking_from: date) -> list[Duty]:
    duties: list[Duty] = []
    quarter = (on.month - 1) // 3 + 1
    previous = (on.year - 1, 4) if quarter == 1 else (on.year, quarter - 1)
    for year, q in (previous, (on.year, quarter)):
        start, end = _quarter_bounds(year, q)
        if start < tracking_from or _held_thematic(history, start, end):
            continue
        overdue = on > end
        duties.append(
            Duty(
                DutyKind.THEMATIC_MEETING,
                DutyStatus.OVERDUE if overdue else DutyStatus.DUE,
                end,
                (RuleId.R3,),
                tr(
                    "rules.r3.overdue" if overdue else "rules.r3.due",
                    quarter=q,
                    year=year,
                    date=_fmt(end),
                ),
            )
        )
    return duties


def _document_duties(on: date, history: Sequence[MeetingRecord], rules: RuleSet) -> list[Duty]:
    duties: list[Duty] = []
    for m in history:
        if m.status is not MeetingStatus.SCHEDULED or m.on < on:
            continue
        if check_documents(m, rules).ok:
            continue
        deadline = documents_deadline(m.on, rules)
        if m.documents_published_on is not None and m.documents_published_on > deadline:
            continue  # published, but late: check_documents reports it on the meeting
        overdue = on > deadline
        duties.append(
            Duty(
                DutyKind.DOCUMENTS,
                DutyStatus.OVERDUE if overdue else DutyStatus.DUE,
                deadline,
                (RuleId.M3,),
                tr(
                    "rules.m3.overdue" if overdue else "rules.m3.due",
                    deadline=_fmt(deadline),
                    meeting=_fmt(m.on),
                ),
                m.meeting_id,
            )
        )
    return duties


def check_group_report(
    held_on: date, reported_on: date | None, on: date, rules: RuleSet
) -> Decision:
    """GM3: a group leader reports to the cell committee no later than 1 day after the group
    meeting (03-HD/TW §II.4.2). Judged on ``on`` when not reported yet."""
    deadline = held_on + timedelta(days=rules.group_report_days)
    params = {"deadline": _fmt(deadline)}
    if reported_on is not None:
        key = "rules.gm3.ok" if reported_on <= deadline else "rules.gm3.late"
        outcome = Outcome.ALLOWED if reported_on <= deadline else Outcome.BLOCKED
        return Decision(outcome, (RuleId.GM3,), tr(key, **params))
    if on <= deadline:
        return Decision(Outcome.ALLOWED, (RuleId.GM3,), tr("rules.gm3.due", **params))
    return Decision(Outcome.BLOCKED, (RuleId.GM3,), tr("rules.gm3.overdue", **params))


def _group_duties(on: date, history: Sequence[MeetingRecord], rules: RuleSet) -> list[Duty]:
    duties: list[Duty] = []
    for m in history:
        for report in m.group_reports:
            if report.reported_on is not None or report.held_on > on:
                continue
            deadline = report.held_on + timedelta(days=rules.group_report_days)
            overdue = on > deadline
            duties.append(
                Duty(
                    DutyKind.GROUP_REPORT,
                    DutyStatus.OVERDUE if overdue else DutyStatus.DUE,
                    deadline,
                    (RuleId.GM3,),
                    tr(
                        "rules.gm3.duty_overdue" if overdue else "rules.gm3.duty_due",
                        group=report.group_name,
                        deadline=_fmt(deadline),
                    ),
                    m.meeting_id,
                )
            )
    return duties


def check_duties(
    on: date,
    history: Sequence[MeetingRecord],
    rules: RuleSet,
    *,
    days_off: frozenset[date] = frozenset(),
    weekend: frozenset[int] = WEEKEND,
    tracking_from: date = date.min,
    day: int | None = None,
) -> tuple[Duty, ...]:
    """What is due or overdue for a cell on ``on``: this and last month's regular meeting (R1),
    this and last quarter's thematic meeting (R3), documents for scheduled meetings (M3) and
    group reports (GM3), sorted by due date. Periods before ``tracking_from`` are not judged."""
    duties = [
        *_regular_duties(on, history, rules, days_off, weekend, tracking_from, day),
        *_thematic_duties(on, history, tracking_from),
        *_document_duties(on, history, rules),
        *_group_duties(on, history, rules),
    ]
    return tuple(sorted(duties, key=lambda d: (d.due_on, d.kind.value)))
