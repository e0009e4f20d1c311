"""Dates that must agree with each other, checked when they are written and when stored rows
are read back: an approval (E3) takes effect no earlier than it is signed and ends no earlier
than it starts; a special circumstance (E1b) ends no earlier than it starts; a meeting held
under a circumstance falls within it.

Each check returns a :class:`Decision` citing the rule the dates belong to;
:func:`require_dates` raises :class:`DatesContradict` (a :class:`PolicyDenied`) on a refusal.
"""

from __future__ import annotations

from datetime import date

from policy.decision import Decision, Outcome, PolicyDenied, RuleId
from policy.i18n import tr


class DatesContradict(PolicyDenied):
    """Dates given together that cannot all be true: bad input, not a rule's verdict."""


def _d(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def check_approval_dates(
    number: str, issued_on: date, valid_from: date, valid_to: date | None
) -> Decision:
    """E3: in force from no earlier than the signing date, until no earlier than it starts."""
    if valid_from < issued_on:
        text = tr(
            "rules.dates.e3.before_issued",
            number=number,
            issued=_d(issued_on),
            start=_d(valid_from),
        )
        return Decision(Outcome.BLOCKED, (RuleId.E3,), text)
    if valid_to is not None and valid_to < valid_from:
        text = tr(
            "rules.dates.e3.ends_first", number=number, start=_d(valid_from), end=_d(valid_to)
        )
        return Decision(Outcome.BLOCKED, (RuleId.E3,), text)
    return Decision(Outcome.ALLOWED, (RuleId.E3,), tr("rules.dates.consistent"))


def check_circumstance_dates(start: date, end: date | None) -> Decision:
    """E1b: a circumstance ends no earlier than it starts."""
    if end is not None and end < start:
        text = tr("rules.dates.e1b.ends_first", start=_d(start), end=_d(end))
        return Decision(Outcome.BLOCKED, (RuleId.E1B,), text)
    return Decision(Outcome.ALLOWED, (RuleId.E1B,), tr("rules.dates.consistent"))


def check_meeting_under_circumstance(on: date, start: date, end: date | None) -> Decision:
    """E1b: a meeting held because of a circumstance is held while it lasts."""
    if on < start or (end is not None and on > end):
        end_vi, end_en = (_d(end), _d(end)) if end is not None else ("nay", "now")
        text = tr(
            "rules.dates.e1b.meeting_outside",
            on=_d(on),
            start=_d(start),
            end_vi=end_vi,
            end_en=end_en,
        )
        return Decision(Outcome.BLOCKED, (RuleId.E1B,), text)
    return Decision(Outcome.ALLOWED, (RuleId.E1B,), tr("rules.dates.consistent"))


def require_dates(decision: Decision) -> Decision:
    if not decision.ok:
        raise DatesContradict(decision)
    return decision
