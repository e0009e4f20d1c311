"""Quality of cell meetings: Q1 (each meeting evaluated from its records by quantitative
criteria), Q2 (the superior committee classifies each period) and Q3 (cells weak over several
periods are flagged).

50-CT/TW §5: "Xây dựng tiêu chí đánh giá, xếp loại chất lượng sinh hoạt chi bộ khoa học, chặt
chẽ, định lượng, cụ thể. Cấp ủy cấp trên định kỳ tổ chức đánh giá và thông báo kết quả đến cấp
ủy, chi bộ trực thuộc, bảo đảm công khai, minh bạch, thực chất." The national framework is not in
the sources, so a :class:`CriteriaSet` is versioned and configurable per superior committee;
:data:`DEFAULT_CRITERIA` draws its criteria from the rules (R1, M2, A2, M3, R8, A3, M1, R3, P3/P5,
R2, GM3). Every result carries the evidence in words, so a cell sees why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Enum
from typing import Final

from policy.calendar import check_not_combined
from policy.decision import RuleId
from policy.facts import GroupReport
from policy.i18n import Text, tr
from policy.model import MeetingKind


def _fmt(day: date) -> str:
    return day.strftime("%d/%m/%Y")


class Criterion(str, Enum):
    """One quantitative criterion of Q1, with the rule it measures."""

    ON_DAY = "on_day"  # R1: held on the meeting day (first week)
    DURATION = "duration"  # M2: at least 90 (120) minutes
    ATTENDANCE = "attendance"  # A2: share of counted full members present
    DOCUMENTS = "documents"  # M3: documents published a day ahead
    TASK_REPORTS = "task_reports"  # R8: members report on their tasks
    SPEAKERS = "speakers"  # share of those present who spoke
    RESOLUTION = "resolution"  # A3: a conclusion or resolution adopted by a valid vote
    MINUTES = "minutes"  # M1: minutes complete, read back and adopted
    THEMATIC = "thematic"  # R3: a thematic meeting in the quarter
    CAPS = "caps"  # P3, P5: online and group caps respected
    NOT_COMBINED = "not_combined"  # R2: not combined with another body's meeting
    GROUP_REPORTS = "group_reports"  # GM3: group reports within a day


RULES: Final[Mapping[Criterion, tuple[RuleId, ...]]] = {
    Criterion.ON_DAY: (RuleId.R1,),
    Criterion.DURATION: (RuleId.M2,),
    Criterion.ATTENDANCE: (RuleId.A2,),
    Criterion.DOCUMENTS: (RuleId.M3,),
    Criterion.TASK_REPORTS: (RuleId.R8,),
    Criterion.SPEAKERS: (RuleId.Q1,),
    Criterion.RESOLUTION: (RuleId.A3,),
    Criterion.MINUTES: (RuleId.M1,),
    Criterion.THEMATIC: (RuleId.R3,),
    Criterion.CAPS: (RuleId.P3, RuleId.P5),
    Criterion.NOT_COMBINED: (RuleId.R2,),
    Criterion.GROUP_REPORTS: (RuleId.GM3,),
}


class Grade(str, Enum):
    """Q2: the classification of a meeting or a period (xếp loại), best first."""

    GOOD = "good"  # Tốt
    FAIR = "fair"  # Khá
    AVERAGE = "average"  # Trung bình
    WEAK = "weak"  # Yếu

    @property
    def rank(self) -> int:
        return list(Grade).index(self)

    @property
    def text(self) -> Text:
        return tr(f"oversight.grade.{self.value}")


def worst(*grades: Grade) -> Grade:
    return max(grades, key=lambda g: g.rank)


@dataclass(frozen=True, slots=True)
class CriterionSpec:
    """A criterion's weight in points, its threshold (a share in [0, 1] for ATTENDANCE and
    SPEAKERS, unused otherwise) and ``cap``: the best grade a meeting that fails it can get."""

    criterion: Criterion
    points: int
    threshold: float = 0.0
    cap: Grade | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.criterion, Criterion):
            raise TypeError(f"criterion must be a Criterion, not {self.criterion!r}")
        if not 0 <= self.points <= 100:
            raise ValueError("points must be within 0..100")
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError("a threshold is a share within 0..1")
        if self.cap is not None and not isinstance(self.cap, Grade):
            raise TypeError(f"cap must be a Grade, not {self.cap!r}")


@dataclass(frozen=True, slots=True)
class CriteriaSet:
    """Q1: a versioned set of criteria and the Q2/Q3 thresholds of one superior committee.

    A score is a percentage of the points of the criteria judged; ``good``, ``fair`` and
    ``average`` are the lowest percentages of those grades (below ``average``: weak).
    ``weak_periods``: Q3 flags a cell weak in that many consecutive periods."""

    version: int
    specs: tuple[CriterionSpec, ...]
    good: int = 85
    fair: int = 70
    average: int = 50
    weak_periods: int = 2

    def __post_init__(self) -> None:
        if self.version < 1:
            raise ValueError("versions start at 1")
        seen = [s.criterion for s in self.specs]
        if not seen or len(set(seen)) != len(seen):
            raise ValueError("each criterion at most once, and at least one")
        if not 0 <= self.average <= self.fair <= self.good <= 100:
            raise ValueError("grade thresholds must rise: average ≤ fair ≤ good ≤ 100")
        if not 1 <= self.weak_periods <= 12:
            raise ValueError("weak_periods must be within 1..12")
        if sum(s.points for s in self.specs) <= 0:
            raise ValueError("the criteria must carry some points")

    def spec(self, criterion: Criterion) -> CriterionSpec | None:
        return next((s for s in self.specs if s.criterion is criterion), None)

    def grade(self, percent: int) -> Grade:
        if percent >= self.good:
            return Grade.GOOD
        if percent >= self.fair:
            return Grade.FAIR
        if percent >= self.average:
            return Grade.AVERAGE
        return Grade.WEAK

    def as_dict(self) -> dict[str, object]:
        return {
            "version": self.version,
            "good": self.good,
            "fair": self.fair,
            "average": self.average,
            "weak_periods": self.weak_periods,
            "criteria": [
                {
                    "criterion": s.criterion.value,
                    "points": s.points,
                    "threshold": s.threshold,
                    "cap": s.cap.value if s.cap is not None else None,
                    "rules": [r.value for r in RULES[s.criterion]],
                }
                for s in self.specs
            ],
        }


def criteria_from(data: Mapping[str, object], version: int) -> CriteriaSet:
    """A :class:`CriteriaSet` from its stored or submitted form (``as_dict``); raises
    ``ValueError`` or ``TypeError`` on anything malformed."""
    raw = data.get("criteria")
    if not isinstance(raw, list):
        raise TypeError("criteria must be a list")
    specs = []
    for item in raw:
        if not isinstance(item, Mapping):
            raise TypeError("each criterion is an object")
        cap = item.get("cap")
        threshold = item.get("threshold", 0.0)
        points = item.get("points")
        if not isinstance(points, int) or not isinstance(threshold, int | float):
            raise TypeError("points is an integer and threshold a number")
        specs.append(
            CriterionSpec(
                Criterion(str(item.get("criterion"))),
                points,
                float(threshold),
                Grade(str(cap)) if cap is not None else None,
            )
        )
    numbers = {}
    for name, default in (("good", 85), ("fair", 70), ("average", 50), ("weak_periods", 2)):
        value = data.get(name, default)
        if not isinstance(value, int):
            raise TypeError(f"{name} must be an integer")
        numbers[name] = value
    return CriteriaSet(version, tuple(specs), **numbers)


def criteria_problem(data: Mapping[str, object]) -> Text | None:
    """Q1: why a submitted criteria set cannot stand, in words a committee reads (each
    criterion at most once, points to share, thresholds rising), or ``None``. The field ranges
    are checked where the set is parsed."""
    raw = data.get("criteria")
    items = [i for i in raw if isinstance(i, Mapping)] if isinstance(raw, list) else []
    names = [str(i.get("criterion")) for i in items]
    known = {c.value for c in Criterion}
    twice = sorted({n for n in names if names.count(n) > 1 and n in known})
    if twice:
        named = [tr(f"oversight.criterion.{n}") for n in twice]
        return tr(
            "oversight.q1.invalid.twice",
            criterion_vi=", ".join(n.vi for n in named),
            criterion_en=", ".join(n.en for n in named),
        )
    points = [i.get("points") for i in items]
    if not items or sum(p for p in points if isinstance(p, int)) <= 0:
        return tr("oversight.q1.invalid.no_points")
    given = [data.get(k, d) for k, d in (("good", 85), ("fair", 70), ("average", 50))]
    good, fair, average = (v if isinstance(v, int) else None for v in given)
    if good is None or fair is None or average is None:
        return None
    if not 0 <= average <= fair <= good <= 100:
        return tr("oversight.q1.invalid.thresholds", good=good, fair=fair, average=average)
    return None


#: Q1 defaults, drawn from the rules (100 points): R1 10, M2 10, A2 15 (≥ 90 % of the counted
#: full members), M3 5, R8 10, speakers 10 (≥ 30 % of those present), A3 10, M1 10, R3 5,
#: P3/P5 5, R2 5, GM3 5. Failing R1, R2 or the caps caps the grade at average.
DEFAULT_CRITERIA: Final = CriteriaSet(
    version=1,
    specs=(
        CriterionSpec(Criterion.ON_DAY, 10, cap=Grade.AVERAGE),
        CriterionSpec(Criterion.DURATION, 10),
        CriterionSpec(Criterion.ATTENDANCE, 15, threshold=0.9),
        CriterionSpec(Criterion.DOCUMENTS, 5),
        CriterionSpec(Criterion.TASK_REPORTS, 10),
        CriterionSpec(Criterion.SPEAKERS, 10, threshold=0.3),
        CriterionSpec(Criterion.RESOLUTION, 10),
        CriterionSpec(Criterion.MINUTES, 10),
        CriterionSpec(Criterion.THEMATIC, 5),
        CriterionSpec(Criterion.CAPS, 5, cap=Grade.AVERAGE),
        CriterionSpec(Criterion.NOT_COMBINED, 5, cap=Grade.AVERAGE),
        CriterionSpec(Criterion.GROUP_REPORTS, 5),
    ),
)


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
