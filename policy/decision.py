"""Decisions that explain themselves: an outcome, the rule ids it rests on, and a bilingual text.

Every ``check_*`` function in ``policy/`` returns a :class:`Decision`. A refusal can be raised as
:class:`PolicyDenied`, which carries the decision and knows nothing about HTTP; the server maps it
to its wire error.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from policy.i18n import Text


class RuleId(str, Enum):
    """Rule ids of docs/domain.md (and GM3 for the group-report deadline of 03-HD/TW §II.4.2)."""

    E1 = "E1"
    E1A = "E1a"
    E1B = "E1b"
    E2 = "E2"
    E3 = "E3"
    E4 = "E4"
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"
    P5 = "P5"
    T1 = "T1"
    T2 = "T2"
    T3 = "T3"
    T4 = "T4"
    T5 = "T5"
    T6 = "T6"
    T7 = "T7"
    T8 = "T8"
    T9 = "T9"
    T10 = "T10"
    T11 = "T11"
    T12 = "T12"
    T13 = "T13"
    T14 = "T14"
    T15 = "T15"
    G1 = "G1"
    G2 = "G2"
    G3 = "G3"
    C1 = "C1"
    GM3 = "GM3"
    R1 = "R1"
    R2 = "R2"
    R3 = "R3"
    M1 = "M1"
    M2 = "M2"
    M3 = "M3"
    M4 = "M4"
    A1 = "A1"
    A2 = "A2"
    A3 = "A3"
    A4 = "A4"
    A5 = "A5"
    R8 = "R8"
    Q1 = "Q1"
    Q2 = "Q2"
    Q3 = "Q3"
    S1 = "S1"
    S2 = "S2"
    S3 = "S3"
    V1 = "V1"
    V2 = "V2"
    V3 = "V3"


class Outcome(str, Enum):
    """What a check concluded. ``ok`` on a decision says whether the action may go ahead."""

    ALLOWED = "allowed"
    SUSPECTED = "suspected"  # G2: the chair must reclassify or confirm with a written reason
    BLOCKED = "blocked"
    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not_eligible"
    QUORATE = "quorate"
    NOT_QUORATE = "not_quorate"
    PASSED = "passed"
    REJECTED = "rejected"  # a valid vote that did not reach the majority (A3)
    NOT_VALID = "not_valid"  # a vote without quorum (A3): recorded, marked not valid


_OK = frozenset({Outcome.ALLOWED, Outcome.ELIGIBLE, Outcome.QUORATE, Outcome.PASSED})


@dataclass(frozen=True, slots=True)
class Decision:
    """An outcome, the rule ids it rests on (never empty) and the explanation a chair reads."""

    outcome: Outcome
    rules: tuple[RuleId, ...]
    text: Text

    def __post_init__(self) -> None:
        if type(self.outcome) is not Outcome:
            raise TypeError(f"outcome must be an Outcome, not {self.outcome!r}")
        if not self.rules:
            raise ValueError("a decision must cite at least one rule id")
        for rule in self.rules:
            if type(rule) is not RuleId:
                raise TypeError(f"rules must be RuleId values, not {self.rules!r}")
        if len(set(self.rules)) != len(self.rules):
            raise ValueError(f"duplicate rule ids in {self.rules!r}")

    @property
    def ok(self) -> bool:
        """True for allowed, eligible, quorate and passed."""
        return self.outcome in _OK

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(rule.value for rule in self.rules)

    def as_dict(self) -> dict[str, object]:
        return {"outcome": self.outcome.value, "rules": list(self.rule_ids), **self.text.as_dict()}


def cite(*rules: RuleId) -> tuple[RuleId, ...]:
    """Rule ids in first-seen order without repeats."""
    return tuple(dict.fromkeys(rules))


class PolicyDenied(Exception):
    """A rule refusal carrying its :class:`Decision`; it knows nothing about HTTP."""

    def __init__(self, decision: Decision) -> None:
        if decision.ok:
            raise ValueError("PolicyDenied needs a refusing decision")
        super().__init__(f"[{', '.join(decision.rule_ids)}] {decision.text.both()}")
        self.decision = decision

    @property
    def rules(self) -> tuple[RuleId, ...]:
        return self.decision.rules

    @property
    def text(self) -> Text:
        return self.decision.text


def require(decision: Decision) -> Decision:
    """Return ``decision`` if it lets the action go ahead, else raise :class:`PolicyDenied`."""
    if not decision.ok:
        raise PolicyDenied(decision)
    return decision
