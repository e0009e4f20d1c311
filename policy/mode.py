"""May an organisation hold a meeting in a given mode on a date? E4 first, then the scope,
approval and readiness rules (E1–E3, P1, P2), then the caps (P3–P5).

The first refusal is returned as it is, so the chair reads the one rule that stops the meeting;
an eligible answer cites every rule that was checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from policy.caps import check_after_circumstance, check_group_cap, check_online_cap
from policy.decision import Decision, Outcome, RuleId, cite
from policy.eligibility import (
    check_approval,
    check_group_scope,
    check_it_ready,
    check_online_scope,
    online_scope,
)
from policy.facts import MeetingRecord, OrgFacts
from policy.i18n import tr
from policy.model import ApprovalScope, MeetingMode
from policy.rulesets import RULE_SETS, RuleSet, check_ruleset, find_ruleset


def check_fully_online(org: OrgFacts, on: date) -> Decision:
    """P2: a fully online meeting only when no counted member can meet in the room; otherwise the
    meeting is hybrid (and counts as online for every restriction)."""
    scope = online_scope(org, on)
    able = scope.counted - scope.unable
    if able > 0:
        return Decision(Outcome.NOT_ELIGIBLE, (RuleId.P2,), tr("rules.p2.hybrid", able=able))
    return Decision(Outcome.ELIGIBLE, (RuleId.P2,), tr("rules.p2.online"))


def check_mode(
    org: OrgFacts,
    history: Sequence[MeetingRecord],
    mode: MeetingMode,
    on: date,
    rulesets: tuple[RuleSet, ...] = RULE_SETS,
) -> Decision:
    """The meeting-level decision for ``mode`` on ``on``; the meeting itself must not be in
    ``history`` as held. Called when planning and again when opening (G3)."""
    if mode is MeetingMode.IN_PERSON:
        return Decision(Outcome.ELIGIBLE, (RuleId.P2,), tr("rules.mode.in_person_ok"))
    rules = find_ruleset(on, rulesets)
    if rules is None:
        return check_ruleset(on, rulesets)
    steps: list[Decision]
    if mode is MeetingMode.GROUP:
        steps = [
            check_group_scope(org, rules),
            check_approval(org, ApprovalScope.GROUP, on),
            check_after_circumstance(org, history, on, mode),
            check_group_cap(history, on, rules),
        ]
    else:
        scope = check_online_scope(org, on)
        under_circumstance = online_scope(org, on).under_circumstance
        steps = [check_it_ready(org), scope]
        if scope.ok and mode is MeetingMode.ONLINE:
            steps.append(check_fully_online(org, on))
        steps += [
            check_approval(org, ApprovalScope.ONLINE, on),
            check_after_circumstance(org, history, on, mode),
            check_online_cap(org, history, on, rules, under_circumstance=under_circumstance),
        ]
    for step in steps:
        if not step.ok:
            return step
    mode_text = tr(f"rules.mode_name.{mode.value}")
    cited = cite(RuleId.E4, *(rule for step in steps for rule in step.rules))
    return Decision(
        Outcome.ELIGIBLE,
        cited,
        tr(
            "rules.mode.eligible",
            mode_vi=mode_text.vi,
            mode_en=mode_text.en,
            source=rules.source,
            ids=", ".join(rule.value for rule in cited),
        ),
    )
