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
from policy.rulesets import CT50, RuleSet
from policy.screening import fold

WEEKEND: Final = frozenset({5, 6})


def _fmt(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _is_off(day: date, days_off: frozenset[date], weekend: frozenset[int]) -> bool:
    return day in days_off or day.weekday() in weekend


#: R1 applies from Directive 50-CT/TW (23 Jul 2025): to every month from August 2025 (the
#: 3rd of July 2025 came before the directive). Earlier months follow the cell's own day (M4).
R1_FROM: Final = CT50.valid_from
#: R1: "trong tuần đầu tiên của tháng" — the first week is days 1–7.
FIRST_WEEK_LAST_DAY: Final = 7


def r1_applies(year: int, month: int) -> bool:
    """R1 governs the month ``year``/``month`` (a month starting on or after :data:`R1_FROM`)."""
    return date(year, month, 1) >= R1_FROM


@dataclass(frozen=True, slots=True)
class MeetingDay:
    """The regular meeting day of a month, and why (R1, M4).

    ``window`` is the inclusive range of days on which a regular meeting satisfies the rule: the
    first week (days 1–7) under R1, the whole month under a cell's own day (M4, before R1)."""

    on: date
    shifted: bool
    rules: tuple[RuleId, ...]
    text: Text
    window: tuple[date, date]

    def satisfied_by(self, held_on: date) -> bool:
        return self.window[0] <= held_on <= self.window[1]


def _r1_day(
    year: int,
    month: int,
    rules: RuleSet,
    days_off: frozenset[date],
    weekend: frozenset[int],
    day: int | None,
) -> MeetingDay:
    """R1: the 3rd; a locality's own day only when it falls in the first week. When it is a day
    off, the first working day after it in days 1–7, else the last one before it; when all of
    days 1–7 are off, the meeting stays in the first week, on the configured day."""
    rule_ids = (RuleId.R1, RuleId.M4)
    own = day if day is not None and 1 <= day <= FIRST_WEEK_LAST_DAY else rules.meeting_day
    configured = date(year, month, min(own, FIRST_WEEK_LAST_DAY))
    window = (date(year, month, 1), date(year, month, FIRST_WEEK_LAST_DAY))
    if not _is_off(configured, days_off, weekend):
        return MeetingDay(
            configured, False, rule_ids, tr("rules.r1.day", date=_fmt(configured)), window
        )
    week = [date(year, month, d) for d in range(1, FIRST_WEEK_LAST_DAY + 1)]
    after = [d for d in week if d > configured and not _is_off(d, days_off, weekend)]
    before = [d for d in week if d < configured and not _is_off(d, days_off, weekend)]
    if not after and not before:
        return MeetingDay(
            configured,
            False,
            rule_ids,
            tr("rules.r1.week_off", date=_fmt(configured)),
            window,
        )
    chosen = after[0] if after else before[-1]
    return MeetingDay(
        chosen,
        True,
        rule_ids,
        tr("rules.r1.shifted", configured=_fmt(configured), date=_fmt(chosen)),
        window,
    )


def _m4_day(
    year: int,
    month: int,
    rules: RuleSet,
    days_off: frozenset[date],
    weekend: frozenset[int],
    day: int | None,
) -> MeetingDay:
    """M4 before R1: the cell's own day (1–28); a day off moves it to the next working day."""
    configured = date(year, month, day if day is not None else rules.meeting_day)
    last_day = _stdlib_calendar.monthrange(year, month)[1]
    window = (date(year, month, 1), date(year, month, last_day))
    chosen = configured
    while _is_off(chosen, days_off, weekend) and chosen.day < last_day:
        chosen += timedelta(days=1)
    if _is_off(chosen, days_off, weekend):
        chosen = configured
    if chosen == configured:
        return MeetingDay(
            configured, False, (RuleId.M4,), tr("rules.m4.day", date=_fmt(configured)), window
        )
    return MeetingDay(
        chosen,
        True,
        (RuleId.M4,),
        tr("rules.m4.shifted", configured=_fmt(configured), date=_fmt(chosen)),
        window,
    )


def meeting_day(
    year: int,
    month: int,
    rules: RuleSet,
    *,
    days_off: frozenset[date] = frozenset(),
    weekend: frozenset[int] = WEEKEND,
    day: int | None = None,
) -> MeetingDay:
    """The regular meeting day of ``year``/``month``: R1 from :data:`R1_FROM` (the 3rd, shifted
    within days 1–7 past days off), the cell's own day (M4, ``day`` or the rule set's) before.
    ``days_off`` are the year's public holidays (lunar ones included), passed in as data."""
    if r1_applies(year, month):
        return _r1_day(year, month, rules, days_off, weekend, day)
    return _m4_day(year, month, rules, days_off, weekend, day)


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
    LATE = "late"  # R1: held, but after the first week


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


def _regular_held_in(history: Iterable[MeetingRecord], year: int, month: int) -> list[date]:
    """Days in ``year``/``month`` on which a regular cell meeting was held (a regular meeting held
    with a thematic one, or by party groups, is one; a committee meeting is not)."""
    return sorted(
        m.on
        for m in history
        if m.held
        and (m.kind is MeetingKind.REGULAR or m.combined or m.mode is MeetingMode.GROUP)
        and m.kind is not MeetingKind.COMMITTEE
        and (m.on.year, m.on.month) == (year, month)
    )


def _held_thematic(history: Iterable[MeetingRecord], start: date, end: date) -> bool:
    return any(
        m.held and (m.kind is MeetingKind.THEMATIC or m.combined) and start <= m.on <= end
        for m in history
    )


@dataclass(frozen=True, slots=True)
class MonthRegime:
    """How a month's regular meeting went (R1/M4): ``on_time`` (held in the window), ``late``
    (held after the first week: R1 is not satisfied), or ``missing``; ``held_on`` the first
    regular meeting of the month, if any."""

    planned: MeetingDay
    state: str
    held_on: date | None


def month_regime(
    year: int,
    month: int,
    history: Sequence[MeetingRecord],
    rules: RuleSet,
    *,
    days_off: frozenset[date] = frozenset(),
    weekend: frozenset[int] = WEEKEND,
    day: int | None = None,
) -> MonthRegime:
    """R1: a regular meeting later in the month does not satisfy R1; the month shows as late."""
    planned = meeting_day(year, month, rules, days_off=days_off, weekend=weekend, day=day)
    held = _regular_held_in(history, year, month)
    in_window = [d for d in held if planned.satisfied_by(d)]
    if in_window:
        return MonthRegime(planned, "on_time", in_window[0])
    if held:
        return MonthRegime(planned, "late", held[0])
    return MonthRegime(planned, "missing", None)


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
        regime = month_regime(
            year, month, history, rules, days_off=days_off, weekend=weekend, day=day
        )
        planned = regime.planned
        if planned.on < tracking_from or regime.state == "on_time":
            continue
        params = {"date": _fmt(planned.on), "month": f"{month:02d}/{year}"}
        if regime.state == "late" and regime.held_on is not None and regime.held_on <= on:
            duties.append(
                Duty(
                    DutyKind.REGULAR_MEETING,
                    DutyStatus.LATE,
                    planned.on,
                    planned.rules,
                    tr("rules.r1.late", held=_fmt(regime.held_on), **params),
                )
            )
            continue
        overdue = on > planned.on
        if not overdue and (year, month) == prev:
            continue
        r1 = RuleId.R1 in planned.rules
        key = ("rules.r1." if r1 else "rules.m4.") + ("overdue" if overdue else "due")
        duties.append(
            Duty(
                DutyKind.REGULAR_MEETING,
                DutyStatus.OVERDUE if overdue else DutyStatus.DUE,
                planned.on,
                planned.rules,
                tr(key, **params),
            )
        )
    return duties


def _thematic_duties(on: date, history: Sequence[MeetingRecord], tracking_from: date) -> list[Duty]:
    """R3 from 50-CT/TW: quarters ending before :data:`R1_FROM` (23 Jul 2025) are not judged."""
    duties: list[Duty] = []
    quarter = (on.month - 1) // 3 + 1
    previous = (on.year - 1, 4) if quarter == 1 else (on.year, quarter - 1)
    for year, q in (previous, (on.year, quarter)):
        start, end = _quarter_bounds(year, q)
        if end < R1_FROM or start < tracking_from or _held_thematic(history, start, end):
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


#: R2: words that mark another body's meeting in a cell meeting's title or agenda (folded:
#: lower case, no diacritics): "lồng ghép sinh hoạt chi bộ với sinh hoạt chuyên môn" (50-CT/TW)
#: and the usual joint sessions with a union, the youth union, the women's union, the veterans'
#: association, the government or a company's board.
_OTHER_BODIES: Final = (
    "long ghep",
    "hop lien tich",
    "lien tich",
    "ket hop hop",
    "hop chung",
    "hop ket hop",
    "sinh hoat chuyen mon",
    "hop chuyen mon",
    "hop co quan",
    "giao ban",
    "cong doan",
    "doan thanh nien",
    "hoi phu nu",
    "hoi cuu chien binh",
    "hoi nghi nguoi lao dong",
    "hoi dong quan tri",
    "ban giam doc",
    "uy ban nhan dan",
    "hoi dong nhan dan",
)


def check_not_combined(*texts: str, combined_with: str = "", confirmed: bool = False) -> Decision:
    """R2: a cell meeting is never combined with another body's meeting (50-CT/TW: "tuyệt đối
    không được họp chi bộ kết hợp các cuộc họp khác"). ``combined_with`` names the other meeting
    when the chair declares one: refused. ``texts`` (title, agenda) that look like another body's
    business make the meeting *suspected* until the chair confirms it is the cell's own meeting.
    A regular and a thematic cell meeting held together is not a combination (M2)."""
    if combined_with.strip():
        return Decision(
            Outcome.BLOCKED, (RuleId.R2,), tr("rules.r2.combined", other=combined_with.strip())
        )
    folded = fold(" ".join(texts))
    found = sorted({marker for marker in _OTHER_BODIES if f" {marker} " in folded})
    if found and not confirmed:
        return Decision(
            Outcome.SUSPECTED, (RuleId.R2,), tr("rules.r2.suspected", words=", ".join(found))
        )
    key = "rules.r2.confirmed" if found else "rules.r2.ok"
    return Decision(Outcome.ALLOWED, (RuleId.R2,), tr(key))
