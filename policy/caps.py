"""Caps on pilot meetings per calendar year (03-HD/TW §II.2): P3, P4 and P5.

Counted from meetings actually held (status open or closed) of the organisation: regular and
thematic meetings and its committee's meetings (03-HD/TW §II.2: "thí điểm ... sinh hoạt cấp ủy và
sinh hoạt của tổ chức đảng trực thuộc"), so a committee meeting held online counts against the
organisation's cap. A hybrid meeting counts as online (P2). A meeting is left out as held under a
circumstance only when the circumstance was active on its date. The meeting being checked must not
be in ``history`` as held.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from policy.decision import Decision, Outcome, RuleId
from policy.facts import MeetingRecord, OrgFacts
from policy.i18n import tr
from policy.model import MeetingKind, MeetingMode, OrgLevel
from policy.rulesets import RuleSet

ONLINE_MODES = frozenset({MeetingMode.ONLINE, MeetingMode.HYBRID})
_ORG_KINDS = frozenset({MeetingKind.REGULAR, MeetingKind.THEMATIC})
#: P3: the meetings counted against an organisation's online cap (its own and its committee's)
_CAPPED_KINDS = frozenset({MeetingKind.REGULAR, MeetingKind.THEMATIC, MeetingKind.COMMITTEE})


def online_cap(level: OrgLevel, rules: RuleSet) -> int:
    """P3: grassroots committee 1, cell 3 (a rule-set parameter)."""
    return rules.grassroots_online_cap if level is OrgLevel.GRASSROOTS else rules.cell_online_cap


def count_online(history: Iterable[MeetingRecord], year: int) -> int:
    """P3: online or hybrid meetings (the organisation's and its committee's) held in ``year``
    for special characteristics (E1a); those held under an E1b circumstance active on their date
    are not counted."""
    return sum(
        1
        for m in history
        if m.held
        and m.on.year == year
        and m.mode in ONLINE_MODES
        and m.kind in _CAPPED_KINDS
        and not m.held_under_circumstance
    )


def count_group(history: Iterable[MeetingRecord], year: int) -> int:
    """P5: cell meetings held by party groups in ``year``."""
    return sum(1 for m in history if m.held and m.on.year == year and m.mode is MeetingMode.GROUP)


def check_online_cap(
    org: OrgFacts,
    history: Iterable[MeetingRecord],
    on: date,
    rules: RuleSet,
    *,
    under_circumstance: bool,
) -> Decision:
    """P3: one more online meeting in ``on.year`` keeps within the cap; no cap under E1b (P4)."""
    if under_circumstance:
        return Decision(Outcome.ALLOWED, (RuleId.P3, RuleId.E1B), tr("rules.p3.circumstance"))
    cap = online_cap(org.level, rules)
    held = count_online(history, on.year)
    params = {"held": held, "cap": cap, "year": on.year}
    if held >= cap:
        return Decision(Outcome.BLOCKED, (RuleId.P3,), tr("rules.p3.reached", **params))
    return Decision(Outcome.ALLOWED, (RuleId.P3,), tr("rules.p3.within", **params))


def check_group_cap(history: Iterable[MeetingRecord], on: date, rules: RuleSet) -> Decision:
    """P5: at most ``rules.group_meeting_cap`` group meetings per calendar year."""
    held = count_group(history, on.year)
    params = {"held": held, "cap": rules.group_meeting_cap, "year": on.year}
    if held >= rules.group_meeting_cap:
        return Decision(Outcome.BLOCKED, (RuleId.P5,), tr("rules.p5.reached", **params))
    return Decision(Outcome.ALLOWED, (RuleId.P5,), tr("rules.p5.within", **params))


def check_after_circumstance(
    org: OrgFacts, history: Iterable[MeetingRecord], on: date, mode: MeetingMode
) -> Decision:
    """P4: once a circumstance the organisation met online under has ended, its next meeting is
    in person. Applies until an in-person meeting is held after the end; not while another
    circumstance is active."""
    if mode is MeetingMode.IN_PERSON or org.active_circumstances(on):
        return Decision(Outcome.ALLOWED, (RuleId.P4,), tr("rules.p4.none"))
    meetings = tuple(m for m in history if m.held and m.on < on)
    for circumstance in sorted(
        (c for c in org.circumstances if c.end is not None and c.end < on),
        key=lambda c: c.end or c.start,
        reverse=True,
    ):
        end = circumstance.end
        assert end is not None
        met_online = any(
            m.held_under_circumstance and circumstance.start <= m.on <= end for m in meetings
        )
        if not met_online:
            continue
        resumed = any(
            m.mode is MeetingMode.IN_PERSON and m.kind in _ORG_KINDS and m.on > end
            for m in meetings
        )
        if resumed:
            break
        return Decision(
            Outcome.BLOCKED, (RuleId.P4,), tr("rules.p4.in_person", end=end.strftime("%d/%m/%Y"))
        )
    return Decision(Outcome.ALLOWED, (RuleId.P4,), tr("rules.p4.none"))
