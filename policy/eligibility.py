"""Who may meet online or by party groups (03-HD/TW §II.1, §II.2): E1, E2, E3 and P1.

Invariants: E1 is "more than half" (exactly half is not enough) of the members who are neither
exempted nor suspended, so adding an exempted or suspended member never changes its answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from policy.decision import Decision, Outcome, RuleId, cite
from policy.facts import OrgFacts
from policy.i18n import tr
from policy.model import ApprovalScope, OrgLevel
from policy.rulesets import RuleSet


@dataclass(frozen=True, slots=True)
class OnlineScope:
    """E1's count on one date: ``counted`` members (neither exempted nor suspended), of whom
    ``unable`` cannot meet in person, ``by_circumstance`` of them because of an active E1b
    circumstance and ``by_characteristic`` because of an E1a reason (a member can be both)."""

    counted: int
    unable: int
    by_characteristic: int
    by_circumstance: int

    def __post_init__(self) -> None:
        if not 0 <= self.unable <= self.counted:
            raise ValueError("unable must be between 0 and counted")
        if max(self.by_characteristic, self.by_circumstance) > self.unable:
            raise ValueError("a partial count cannot exceed unable")
        if self.by_characteristic + self.by_circumstance < self.unable:
            raise ValueError("every unable member has a reason")

    @property
    def more_than_half(self) -> bool:
        return 2 * self.unable > self.counted

    @property
    def under_circumstance(self) -> bool:
        """The E1b circumstance alone puts more than half out of reach (P3 does not count it)."""
        return 2 * self.by_circumstance > self.counted


def online_scope(org: OrgFacts, on: date) -> OnlineScope:
    """E1a/E1b counts for ``org`` on ``on``."""
    active = org.active_circumstances(on)
    counted = unable = by_char = by_circ = 0
    for member in org.members:
        if member.exempted or member.suspended:
            continue
        counted += 1
        char = bool(member.e1a_reasons)
        circ = any(c.affects(member.member_id) for c in active)
        if char or circ:
            unable += 1
        by_char += char
        by_circ += circ
    return OnlineScope(counted, unable, by_char, by_circ)


def check_online_scope(org: OrgFacts, on: date) -> Decision:
    """E1: ELIGIBLE when more than half of the counted members cannot meet in person."""
    if org.level not in (OrgLevel.GRASSROOTS, OrgLevel.CELL):
        return Decision(Outcome.NOT_ELIGIBLE, (RuleId.E1,), tr("rules.e1.level"))
    scope = online_scope(org, on)
    rules = cite(
        RuleId.E1,
        *((RuleId.E1A,) if scope.by_characteristic else ()),
        *((RuleId.E1B,) if scope.by_circumstance else ()),
    )
    params = {"unable": scope.unable, "counted": scope.counted}
    if scope.more_than_half:
        return Decision(Outcome.ELIGIBLE, rules, tr("rules.e1.eligible", **params))
    return Decision(Outcome.NOT_ELIGIBLE, rules, tr("rules.e1.not_eligible", **params))


def check_group_scope(org: OrgFacts, rules: RuleSet) -> Decision:
    """E2: a cell with at least ``rules.group_min_members`` members on its roll and party groups.

    The roll counts full and probationary members alike (03-HD/TW §II.1.2 says "đảng viên")."""
    count = len(org.members)
    params = {"count": count, "minimum": rules.group_min_members}
    if org.level is not OrgLevel.CELL:
        return Decision(Outcome.NOT_ELIGIBLE, (RuleId.E2,), tr("rules.e2.level"))
    if count < rules.group_min_members:
        return Decision(Outcome.NOT_ELIGIBLE, (RuleId.E2,), tr("rules.e2.too_few", **params))
    if org.groups < 1:
        return Decision(Outcome.NOT_ELIGIBLE, (RuleId.E2,), tr("rules.e2.no_groups", **params))
    return Decision(
        Outcome.ELIGIBLE, (RuleId.E2,), tr("rules.e2.eligible", groups=org.groups, **params)
    )


def check_approval(org: OrgFacts, scope: ApprovalScope, on: date) -> Decision:
    """E3: a superior committee's decision for ``scope`` valid (and not revoked) on ``on``."""
    scope_text = tr(f"rules.scope.{scope.value}")
    for approval in org.approvals:
        if approval.covers(scope, on):
            return Decision(
                Outcome.ELIGIBLE,
                (RuleId.E3,),
                tr(
                    "rules.e3.approved",
                    number=approval.number,
                    issued=approval.issued_on.strftime("%d/%m/%Y"),
                    issuer=approval.issuer,
                ),
            )
    return Decision(
        Outcome.NOT_ELIGIBLE,
        (RuleId.E3,),
        tr(
            "rules.e3.missing",
            scope_vi=scope_text.vi,
            scope_en=scope_text.en,
            date=on.strftime("%d/%m/%Y"),
        ),
    )


def check_it_ready(org: OrgFacts) -> Decision:
    """P1: online only where the IT infrastructure is recorded as adequate."""
    if org.it_ready:
        return Decision(Outcome.ELIGIBLE, (RuleId.P1,), tr("rules.p1.ready"))
    return Decision(Outcome.NOT_ELIGIBLE, (RuleId.P1,), tr("rules.p1.not_ready"))
