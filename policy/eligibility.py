"""Who may meet online or by party groups (03-HD/TW §II.1, §II.2): E1, E2, E3 and P1.

Invariants: E1 is "more than half" (exactly half is not enough) of the members who are neither
exempted nor suspended, so adding an exempted or suspended member never changes its answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from policy.decision import Decision, Outcome, RuleId, cite
from policy.facts import OrgFacts
from policy.i18n import tr
from policy.model import ApprovalScope, IssuerKind, MemberFlag, OrgLevel
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
    """E1a/E1b counts for ``org`` on ``on``: an exemption or suspension counts on the dates it
    holds, an E1a reason within its E1a period (or season)."""
    active = org.active_circumstances(on)
    counted = unable = by_char = by_circ = 0
    for member in org.members:
        if member.flag_on(MemberFlag.EXEMPTED, on) or member.flag_on(MemberFlag.SUSPENDED, on):
            continue
        counted += 1
        char = bool(member.reasons_on(on))
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


#: E3 (03-HD/TW §III.1): "ban thường vụ tỉnh uỷ, thành uỷ, đảng uỷ trực thuộc Trung ương chỉ đạo
#: các tổ chức đảng trực thuộc quyết định việc lựa chọn thí điểm đối với các đảng bộ cơ sở, chi bộ
#: ở trong nước; Đảng uỷ Bộ Ngoại giao quyết định ... ở ngoài nước."
COMPETENT_AT_HOME: Final = frozenset(
    {IssuerKind.SUPERIOR_COMMITTEE, IssuerKind.PROVINCIAL_STANDING}
)
COMPETENT_ABROAD: Final = frozenset({IssuerKind.MFA_COMMITTEE})


def competent_issuers(org: OrgFacts) -> frozenset[IssuerKind]:
    """E3: who may decide a pilot for ``org``."""
    return COMPETENT_ABROAD if org.abroad else COMPETENT_AT_HOME


def check_issuer(org: OrgFacts, issuer_kind: IssuerKind, issuer: str) -> Decision:
    """E3: may a decision by ``issuer`` (of kind ``issuer_kind``) approve a pilot of ``org``?"""
    if issuer_kind in competent_issuers(org):
        return Decision(Outcome.ALLOWED, (RuleId.E3,), tr("rules.e3.competent", issuer=issuer))
    key = "rules.e3.not_competent_abroad" if org.abroad else "rules.e3.not_competent"
    return Decision(Outcome.BLOCKED, (RuleId.E3,), tr(key, issuer=issuer))


def check_approval(org: OrgFacts, scope: ApprovalScope, on: date) -> Decision:
    """E3: a decision for ``scope`` valid (and not revoked) on ``on``, by a competent issuer."""
    scope_text = tr(f"rules.scope.{scope.value}")
    incompetent = None
    for approval in org.approvals:
        if not approval.covers(scope, on):
            continue
        issuer = check_issuer(org, approval.issuer_kind, approval.issuer)
        if not issuer.ok:
            incompetent = issuer
            continue
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
    if incompetent is not None:
        return Decision(Outcome.NOT_ELIGIBLE, incompetent.rules, incompetent.text)
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
