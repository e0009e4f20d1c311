"""Quality of cell meetings: Q1 (each meeting evaluated from its records by quantitative
criteria), Q2 (the superior committee classifies each period) and Q3 (cells weak over several
periods are flagged).

50-CT/TW §5: "Xây dựng tiêu chí đánh giá, xếp loại chất lượng sinh hoạt chi bộ khoa học, chặt
chẽ, định lượng, cụ thể. Cấp ủy cấp trên định kỳ tổ chức đánh giá và thông báo kết quả đến cấp
ủy, chi bộ trực thuộc, bảo đảm công khai, minh bạch, thực chất." The national framework is not in
the sources, so the criteria are a versioned set per superior committee
(:class:`~policy.criteria.CriteriaSet`); :data:`~policy.criteria.DEFAULT_CRITERIA` draws them from
the rules (R1, M2, A2, M3, R8, A3, M1, R3, P3/P5, R2, GM3). Every result carries the evidence in
words, so a cell sees why.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from policy.calendar import check_not_combined
from policy.criteria import (
    DEFAULT_CRITERIA,
    RULES,
    CriteriaSet,
    Criterion,
    CriterionSpec,
    Grade,
    worst,
)
from policy.decision import RuleId
from policy.facts import GroupReport
from policy.i18n import Text, tr
from policy.model import MeetingKind


def _fmt(day: date) -> str:
    return day.strftime("%d/%m/%Y")


@dataclass(frozen=True, slots=True)
class MeetingFacts:
    """What the records of one held cell meeting show, as Q1 reads them.

    ``window``: the days a regular meeting satisfies R1 (days 1–7 from 50-CT/TW, else the cell's
    own month, M4). ``counted``/``present``: counted full members and those of them present
    (A2). ``attendees``/``speakers``: everyone present and those who spoke. ``votes``: (valid,
    passed) of each vote. ``minutes_missing``: the M1 parts the minutes lack. ``thematic``: a
    thematic meeting held in the quarter (``None`` while the quarter is still open and none was
    held: not judged yet). ``agenda_texts``: item titles and descriptions, screened for R2.
    ``group_reports``: the group sessions of a meeting held by groups (GM3)."""

    meeting_id: str
    on: date
    kind: MeetingKind
    window: tuple[date, date]
    duration_minutes: int | None = None
    combined: bool = False
    counted: int = 0
    present: int = 0
    attendees: int = 0
    speakers: int = 0
    documents_published_on: date | None = None
    task_reports: int = 0
    votes: tuple[tuple[bool, bool], ...] = ()
    conclusions: int = 0
    minutes_adopted: bool = False
    minutes_missing: tuple[str, ...] = ()
    thematic: bool | None = None
    online_used: int = 0
    online_cap: int = 3
    group_used: int = 0
    group_cap: int = 3
    agenda_texts: tuple[str, ...] = ()
    group_reports: tuple[GroupReport, ...] = ()
    group_report_days: int = 1
    min_minutes: int = 90
    min_minutes_combined: int = 120
    documents_days_before: int = 1

    def __post_init__(self) -> None:
        if not 0 <= self.present <= self.counted:
            raise ValueError("present counted full members cannot exceed the counted")
        if self.speakers < 0 or self.attendees < 0:
            raise ValueError("speakers and attendees must not be negative")
        if self.window[1] < self.window[0]:
            raise ValueError("a window ends after it starts")


@dataclass(frozen=True, slots=True)
class CriterionResult:
    """One criterion for one meeting: ``met`` (``None``: not judged, left out of the score),
    the points earned of ``max_points``, the rules measured and the evidence in words."""

    criterion: Criterion
    met: bool | None
    points: int
    max_points: int
    rules: tuple[RuleId, ...]
    text: Text

    def as_dict(self) -> dict[str, object]:
        return {
            "criterion": self.criterion.value,
            "met": self.met,
            "points": self.points,
            "max_points": self.max_points,
            "rules": [r.value for r in self.rules],
            **self.text.as_dict(),
        }


@dataclass(frozen=True, slots=True)
class MeetingEvaluation:
    """Q1: a meeting's evaluation under criteria set ``version``."""

    meeting_id: str
    on: date
    version: int
    results: tuple[CriterionResult, ...]
    grade: Grade
    percent: int

    @property
    def score(self) -> int:
        return sum(r.points for r in self.results)

    @property
    def max_score(self) -> int:
        return sum(r.max_points for r in self.results if r.met is not None)

    def failed(self) -> tuple[Criterion, ...]:
        return tuple(r.criterion for r in self.results if r.met is False)

    def as_dict(self) -> dict[str, object]:
        return {
            "meeting_id": self.meeting_id,
            "on": self.on.isoformat(),
            "version": self.version,
            "score": self.score,
            "max_score": self.max_score,
            "percent": self.percent,
            "grade": self.grade.value,
            "grade_text": self.grade.text.as_dict(),
            "results": [r.as_dict() for r in self.results],
        }


def _share(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "0%"


def _judge(c: Criterion, f: MeetingFacts, spec: CriterionSpec) -> tuple[bool | None, Text]:
    """Whether ``f`` meets criterion ``c``, and the evidence."""
    key = f"oversight.q1.{c.value}"
    params: dict[str, object]
    if c is Criterion.ON_DAY:
        if f.kind is not MeetingKind.REGULAR and not f.combined:
            return None, tr(f"{key}.na")
        ok = f.window[0] <= f.on <= f.window[1]
        params = {"date": _fmt(f.on), "start": _fmt(f.window[0]), "end": _fmt(f.window[1])}
        return ok, tr(f"{key}.{'ok' if ok else 'late'}", **params)
    if c is Criterion.DURATION:
        minimum = f.min_minutes_combined if f.combined else f.min_minutes
        if f.duration_minutes is None:
            return False, tr(f"{key}.unknown", minimum=minimum)
        ok = f.duration_minutes >= minimum
        params = {"minutes": f.duration_minutes, "minimum": minimum}
        return ok, tr(f"{key}.{'ok' if ok else 'short'}", **params)
    if c is Criterion.ATTENDANCE:
        ok = f.counted > 0 and f.present >= spec.threshold * f.counted
        params = {
            "present": f.present,
            "counted": f.counted,
            "share": _share(f.present, f.counted),
            "threshold": f"{round(spec.threshold * 100)}%",
        }
        return ok, tr(f"{key}.{'ok' if ok else 'low'}", **params)
    if c is Criterion.DOCUMENTS:
        deadline = f.on - timedelta(days=f.documents_days_before)
        if f.documents_published_on is None:
            return False, tr(f"{key}.none", deadline=_fmt(deadline))
        ok = f.documents_published_on <= deadline
        params = {"published": _fmt(f.documents_published_on), "deadline": _fmt(deadline)}
        return ok, tr(f"{key}.{'ok' if ok else 'late'}", **params)
    if c is Criterion.TASK_REPORTS:
        ok = f.task_reports > 0
        return ok, tr(f"{key}.{'ok' if ok else 'none'}", reports=f.task_reports)
    if c is Criterion.SPEAKERS:
        ok = f.attendees > 0 and f.speakers >= spec.threshold * f.attendees
        params = {
            "speakers": f.speakers,
            "attendees": f.attendees,
            "share": _share(f.speakers, f.attendees),
            "threshold": f"{round(spec.threshold * 100)}%",
        }
        return ok, tr(f"{key}.{'ok' if ok else 'low'}", **params)
    if c is Criterion.RESOLUTION:
        passed = sum(1 for valid, ok in f.votes if valid and ok)
        not_valid = sum(1 for valid, _ in f.votes if not valid)
        ok = passed > 0
        params = {"passed": passed, "not_valid": not_valid, "conclusions": f.conclusions}
        return ok, tr(f"{key}.{'ok' if ok else 'none'}", **params)
    if c is Criterion.MINUTES:
        if f.minutes_adopted and not f.minutes_missing:
            return True, tr(f"{key}.ok")
        missing = ", ".join(f.minutes_missing) or "—"
        state = "adopted" if f.minutes_adopted else "not_adopted"
        return False, tr(f"{key}.{state}", missing=missing)
    if c is Criterion.THEMATIC:
        if f.thematic is None:
            return None, tr(f"{key}.pending")
        return f.thematic, tr(f"{key}.{'ok' if f.thematic else 'none'}")
    if c is Criterion.CAPS:
        ok = f.online_used <= f.online_cap and f.group_used <= f.group_cap
        params = {
            "online": f.online_used,
            "online_cap": f.online_cap,
            "groups": f.group_used,
            "group_cap": f.group_cap,
        }
        return ok, tr(f"{key}.{'ok' if ok else 'over'}", **params)
    if c is Criterion.NOT_COMBINED:
        decision = check_not_combined(*f.agenda_texts)
        if decision.ok:
            return True, tr(f"{key}.ok")
        return False, tr(f"{key}.suspected", detail_vi=decision.text.vi, detail_en=decision.text.en)
    # GROUP_REPORTS
    if not f.group_reports:
        return None, tr(f"{key}.na")
    late = [
        r.group_name
        for r in f.group_reports
        if r.reported_on is None or r.reported_on > r.held_on + timedelta(days=f.group_report_days)
    ]
    if not late:
        return True, tr(f"{key}.ok", groups=len(f.group_reports))
    return False, tr(f"{key}.late", late=len(late), groups=", ".join(late))


def evaluate_meeting(
    facts: MeetingFacts, criteria: CriteriaSet = DEFAULT_CRITERIA
) -> MeetingEvaluation:
    """Q1: each criterion of ``criteria`` judged on the meeting's records, with its evidence;
    the percentage of the points judged, graded, and capped by any failed criterion's cap."""
    results = []
    caps: list[Grade] = []
    for spec in criteria.specs:
        met, text = _judge(spec.criterion, facts, spec)
        results.append(
            CriterionResult(
                spec.criterion,
                met,
                spec.points if met else 0,
                spec.points,
                RULES[spec.criterion],
                text,
            )
        )
        if met is False and spec.cap is not None:
            caps.append(spec.cap)
    judged = sum(r.max_points for r in results if r.met is not None)
    earned = sum(r.points for r in results)
    percent = round(100 * earned / judged) if judged else 0
    grade = worst(criteria.grade(percent), *caps)
    return MeetingEvaluation(
        facts.meeting_id, facts.on, criteria.version, tuple(results), grade, percent
    )


@dataclass(frozen=True, slots=True)
class PeriodResult:
    """Q2: a cell's classification for one period (``2026-01`` or ``2026-Q1``), with the
    reasons in words and the rule ids they rest on."""

    period: str
    grade: Grade
    percent: int
    rules: tuple[RuleId, ...]
    reasons: tuple[Text, ...] = field(default=())

    def as_dict(self) -> dict[str, object]:
        return {
            "period": self.period,
            "grade": self.grade.value,
            "grade_text": self.grade.text.as_dict(),
            "percent": self.percent,
            "rules": [r.value for r in self.rules],
            "reasons": [r.as_dict() for r in self.reasons],
        }


def classify_month(
    period: str,
    regime: str,
    evaluations: Sequence[MeetingEvaluation],
    criteria: CriteriaSet = DEFAULT_CRITERIA,
) -> PeriodResult:
    """Q2 for a month: the mean percentage of the cell meetings held in it. ``regime`` is the
    month's R1 state (``on_time``, ``late``, ``missing``): a month without a regular meeting
    is weak; a late month is at best average (R1: "the month shows as late in every report")."""
    if regime == "missing" or not evaluations:
        return PeriodResult(
            period, Grade.WEAK, 0, (RuleId.Q2, RuleId.R1), (tr("oversight.q2.missing"),)
        )
    percent = round(sum(e.percent for e in evaluations) / len(evaluations))
    grade = worst(criteria.grade(percent), *(e.grade for e in evaluations))
    reasons = [tr("oversight.q2.mean", meetings=len(evaluations), percent=percent)]
    rules = [RuleId.Q2]
    if regime == "late":
        grade = worst(grade, Grade.AVERAGE)
        reasons.append(tr("oversight.q2.late"))
        rules.append(RuleId.R1)
    return PeriodResult(period, grade, percent, tuple(rules), tuple(reasons))


def classify_quarter(
    period: str,
    months: Sequence[PeriodResult],
    thematic_held: bool,
    criteria: CriteriaSet = DEFAULT_CRITERIA,
) -> PeriodResult:
    """Q2 for a quarter: the mean of its months, no better than its worst month (a weak month
    makes it at best average); without a thematic meeting in the quarter (R3) at best
    average."""
    if not months:
        return PeriodResult(period, Grade.WEAK, 0, (RuleId.Q2,), (tr("oversight.q2.missing"),))
    percent = round(sum(m.percent for m in months) / len(months))
    grade = criteria.grade(percent)
    reasons = [tr("oversight.q2.quarter_mean", months=len(months), percent=percent)]
    rules = [RuleId.Q2]
    floor = worst(*(m.grade for m in months))
    if floor is Grade.WEAK:
        grade = worst(grade, Grade.AVERAGE)
        reasons.append(tr("oversight.q2.weak_month"))
    elif floor.rank > grade.rank:
        grade = floor
        reasons.append(tr("oversight.q2.month_cap", grade_vi=floor.text.vi, grade_en=floor.text.en))
    if not thematic_held:
        grade = worst(grade, Grade.AVERAGE)
        reasons.append(tr("oversight.q2.no_thematic"))
        rules.append(RuleId.R3)
    return PeriodResult(period, grade, percent, tuple(rules), tuple(reasons))


@dataclass(frozen=True, slots=True)
class WeakFlag:
    """Q3: a cell weak in ``periods`` (consecutive, latest last)."""

    periods: tuple[str, ...]
    text: Text
    rules: tuple[RuleId, ...] = (RuleId.Q3,)


def check_weak(
    history: Iterable[tuple[str, Grade]], criteria: CriteriaSet = DEFAULT_CRITERIA
) -> WeakFlag | None:
    """Q3 ("chi bộ yếu kém kéo dài", 50-CT/TW §6): flagged when the latest
    ``criteria.weak_periods`` periods of one kind (``history`` in order) are all weak."""
    ordered = sorted(history)
    streak: list[str] = []
    for period, grade in ordered:
        streak = [*streak, period] if grade is Grade.WEAK else []
    if len(streak) < criteria.weak_periods:
        return None
    return WeakFlag(
        tuple(streak),
        tr("oversight.q3.flag", periods=len(streak), first=streak[0], last=streak[-1]),
    )


@dataclass(frozen=True, slots=True)
class Period:
    """Q2: an evaluation period, a month (``2026-01``) or a quarter (``2026-Q1``)."""

    label: str
    quarter: bool
    start: date
    end: date

    def months(self) -> tuple[Period, ...]:
        if not self.quarter:
            return (self,)
        return tuple(
            parse_period(f"{self.start.year}-{m:02d}")
            for m in range(self.start.month, self.start.month + 3)
        )


def parse_period(label: str) -> Period:
    """``2026-01`` or ``2026-Q1``; ``ValueError`` for anything else."""
    year_text, _, rest = label.partition("-")
    if not (year_text.isdigit() and len(year_text) == 4 and rest):
        raise ValueError(f"not a period: {label!r}")
    year = int(year_text)
    if rest[0] == "Q" and rest[1:] in {"1", "2", "3", "4"} and len(rest) == 2:
        q = int(rest[1])
        start = date(year, 3 * q - 2, 1)
        end_month = 3 * q
        end = (
            date(year + 1, 1, 1) if end_month == 12 else date(year, end_month + 1, 1)
        ) - timedelta(days=1)
        return Period(label, True, start, end)
    if rest.isdigit() and len(rest) == 2 and 1 <= int(rest) <= 12:
        month = int(rest)
        start = date(year, month, 1)
        end = (date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)) - timedelta(
            days=1
        )
        return Period(label, False, start, end)
    raise ValueError(f"not a period: {label!r}")
