"""Q1 criteria: what a cell meeting is measured by, each criterion with the rule it measures, and
the versioned, configurable set of weights, thresholds and caps one superior committee applies
(:data:`DEFAULT_CRITERIA` unless it has chosen its own). :mod:`policy.quality` evaluates a meeting
against a set and classifies the periods (Q2, Q3).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Final

from policy.decision import RuleId
from policy.i18n import Text, tr


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
