"""Rule sets with effective dates (E4): a meeting is judged by the set in force on its date.

The pilot sets are 03-HD/TW (27 Dec 2022 to 30 Jun 2025) and its continuation by 50-CT/TW (from
23 Jul 2025, open-ended). Between them (1 to 22 Jul 2025) and before 27 Dec 2022 no pilot set is in
force: online, hybrid and group meetings are refused citing E4, never guessed. In-person meetings
are always possible; their thresholds (quorum, duration, documents) come from :data:`BASELINE`
when no pilot set covers the date (:func:`regime_for`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Final

from policy.decision import Decision, Outcome, PolicyDenied, RuleId
from policy.i18n import tr
from policy.model import AgendaCategory


class RuleSetId(str, Enum):
    HD03 = "03-HD/TW"
    CT50 = "50-CT/TW"
    BASELINE = "dieu-le"  # Điều lệ Đảng only: no pilot, in-person meetings


BLOCKED_CATEGORIES: Final = frozenset(
    {
        AgendaCategory.T1,
        AgendaCategory.T2,
        AgendaCategory.T3,
        AgendaCategory.T4,
        AgendaCategory.T5,
        AgendaCategory.T6,
        AgendaCategory.T7,
        AgendaCategory.T8,
        AgendaCategory.T9,
        AgendaCategory.T10,
        AgendaCategory.T11,
        AgendaCategory.T12,
        AgendaCategory.T13,
        AgendaCategory.T14,
        AgendaCategory.T15,
    }
)


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Thresholds of one rule set. ``valid_to`` is inclusive; ``None`` means open-ended.

    Fractions are "more than ``num/den``" (strict): quorum is more than half of the counted full
    members present (A3 default), a resolution more than half of the counted full members approving.
    """

    id: RuleSetId
    source: str
    valid_from: date
    valid_to: date | None
    pilot: bool = True
    quorum_num: int = 1
    quorum_den: int = 2
    pass_num: int = 1
    pass_den: int = 2
    grassroots_online_cap: int = 1
    cell_online_cap: int = 3
    group_meeting_cap: int = 3
    group_min_members: int = 50
    group_report_days: int = 1
    min_minutes: int = 90
    min_minutes_combined: int = 120
    documents_days_before: int = 1
    cell_min_full_members: int = 3
    meeting_day: int = 3
    blocked_categories: frozenset[AgendaCategory] = BLOCKED_CATEGORIES

    def __post_init__(self) -> None:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError(f"rule set {self.id.value} ends before it starts")
        for num, den in ((self.quorum_num, self.quorum_den), (self.pass_num, self.pass_den)):
            if not 0 <= num < den:
                raise ValueError(f"fraction {num}/{den} must be in [0, 1)")
        counts = (
            self.grassroots_online_cap,
            self.cell_online_cap,
            self.group_meeting_cap,
            self.group_min_members,
            self.group_report_days,
            self.min_minutes,
            self.min_minutes_combined,
            self.documents_days_before,
            self.cell_min_full_members,
        )
        if any(value < 0 for value in counts):
            raise ValueError("thresholds must not be negative")
        if not 1 <= self.meeting_day <= 28:
            raise ValueError("meeting_day must be a day that every month has (1..28)")

    def covers(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


HD03: Final = RuleSet(
    id=RuleSetId.HD03,
    source="03-HD/TW",
    valid_from=date(2022, 12, 27),
    valid_to=date(2025, 6, 30),
)
CT50: Final = RuleSet(
    id=RuleSetId.CT50,
    source="50-CT/TW",
    valid_from=date(2025, 7, 23),
    valid_to=None,
)
BASELINE: Final = RuleSet(
    id=RuleSetId.BASELINE,
    source="Điều lệ Đảng",
    valid_from=date.min,
    valid_to=None,
    pilot=False,
)
RULE_SETS: Final[tuple[RuleSet, ...]] = (HD03, CT50)


def find_ruleset(on: date, rulesets: tuple[RuleSet, ...] = RULE_SETS) -> RuleSet | None:
    """The pilot set in force on ``on``, or ``None`` (E4)."""
    for ruleset in rulesets:
        if ruleset.pilot and ruleset.covers(on):
            return ruleset
    return None


def check_ruleset(on: date, rulesets: tuple[RuleSet, ...] = RULE_SETS) -> Decision:
    """E4: ALLOWED citing the set in force, or BLOCKED when no pilot set covers ``on``."""
    ruleset = find_ruleset(on, rulesets)
    if ruleset is None:
        return Decision(
            Outcome.BLOCKED, (RuleId.E4,), tr("rules.e4.no_ruleset", date=on.strftime("%d/%m/%Y"))
        )
    return Decision(
        Outcome.ALLOWED,
        (RuleId.E4,),
        tr("rules.e4.ruleset", source=ruleset.source, date=on.strftime("%d/%m/%Y")),
    )


def ruleset_for(on: date, rulesets: tuple[RuleSet, ...] = RULE_SETS) -> RuleSet:
    """The pilot set in force on ``on``; raises :class:`PolicyDenied` citing E4 when none is."""
    ruleset = find_ruleset(on, rulesets)
    if ruleset is None:
        raise PolicyDenied(check_ruleset(on, rulesets))
    return ruleset


def regime_for(on: date, rulesets: tuple[RuleSet, ...] = RULE_SETS) -> RuleSet:
    """Thresholds for an in-person meeting on ``on``: the pilot set if one is in force, else
    :data:`BASELINE` (quorum, votes, duration and documents do not depend on the pilot)."""
    return find_ruleset(on, rulesets) or BASELINE
