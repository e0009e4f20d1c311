"""The pilot as a programme (03-HD/TW §III, 828-CV/ĐUK): V1 registration by a deadline, V2
vetting by the superior committee's organisation board and the standing committee's decision,
V3 monitoring and the interim and final reviews.

828-CV/ĐUK §1: "báo cáo Ban Thường vụ Đảng uỷ Khối trước 10/4/2023 để xem xét, quyết định trước
khi thực hiện"; §3: "Ban Tổ chức Đảng uỷ Khối … tổng hợp, thẩm định các tổ chức đảng có đủ điều
kiện …, trình Ban Thường vụ Đảng uỷ Khối xem xét, quyết định" and "theo dõi … tham mưu cho Ban
Thường vụ Đảng uỷ Khối sơ, tổng kết thực hiện thí điểm".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Final

from policy.decision import Decision, Outcome, RuleId, cite
from policy.eligibility import check_group_scope, check_it_ready, check_online_scope
from policy.facts import OrgFacts
from policy.i18n import tr
from policy.model import ApprovalScope
from policy.rulesets import RuleSet


class RegistrationState(str, Enum):
    """V2: where a registration stands."""

    DRAFT = "draft"  # being prepared by the unit
    SUBMITTED = "submitted"  # sent (or sent again after a correction)
    VETTING = "vetting"  # the organisation board is vetting it (thẩm định)
    RETURNED = "returned"  # returned to the unit with reasons
    VETTED = "vetted"  # vetted and put to the standing committee (trình Ban Thường vụ)
    APPROVED = "approved"  # the standing committee decided for it (E3 decision recorded)
    REFUSED = "refused"  # the standing committee decided against it


class RegistrationAction(str, Enum):
    SUBMIT = "submit"  # the unit sends a draft
    VET = "vet"  # the board starts vetting
    RETURN = "return"  # the board returns it with a reason
    CORRECT = "correct"  # the unit corrects a returned registration and sends it again
    ENDORSE = "endorse"  # the board finds it meets E1–E2, P1 and puts it to the standing committee
    APPROVE = "approve"  # the standing committee approves (E3)
    REFUSE = "refuse"  # the standing committee refuses, with a reason


S = RegistrationState
A = RegistrationAction

#: V2: from which states each action may be taken, and the state it leads to
TRANSITIONS: Final[dict[A, tuple[frozenset[S], S]]] = {
    A.SUBMIT: (frozenset({S.DRAFT}), S.SUBMITTED),
    A.VET: (frozenset({S.SUBMITTED}), S.VETTING),
    A.RETURN: (frozenset({S.SUBMITTED, S.VETTING}), S.RETURNED),
    A.CORRECT: (frozenset({S.RETURNED, S.DRAFT}), S.SUBMITTED),
    A.ENDORSE: (frozenset({S.SUBMITTED, S.VETTING}), S.VETTED),
    A.APPROVE: (frozenset({S.VETTED}), S.APPROVED),
    A.REFUSE: (frozenset({S.VETTED}), S.REFUSED),
}
#: actions that need a written reason
NEEDS_REASON: Final = frozenset({A.RETURN, A.REFUSE})
#: who acts: the unit, the organisation board, the standing committee
ACTOR: Final[dict[A, str]] = {
    A.SUBMIT: "unit",
    A.CORRECT: "unit",
    A.VET: "board",
    A.RETURN: "board",
    A.ENDORSE: "board",
    A.APPROVE: "standing",
    A.REFUSE: "standing",
}


def check_transition(state: S, action: A, reason: str = "") -> Decision:
    """V2: ALLOWED when ``action`` may be taken from ``state`` (with a reason where one is
    needed), BLOCKED otherwise, naming the state."""
    allowed_from, to = TRANSITIONS[action]
    params = {
        "action": tr(f"oversight.v2.action.{action.value}").vi,
        "action_en": tr(f"oversight.v2.action.{action.value}").en,
        "state": tr(f"oversight.v2.state.{state.value}").vi,
        "state_en": tr(f"oversight.v2.state.{state.value}").en,
    }
    if state not in allowed_from:
        return Decision(Outcome.BLOCKED, (RuleId.V2,), tr("oversight.v2.blocked", **params))
    if action in NEEDS_REASON and not reason.strip():
        return Decision(Outcome.BLOCKED, (RuleId.V2,), tr("oversight.v2.reason_needed", **params))
    to_params = {
        "to": tr(f"oversight.v2.state.{to.value}").vi,
        "to_en": tr(f"oversight.v2.state.{to.value}").en,
    }
    return Decision(Outcome.ALLOWED, (RuleId.V2,), tr("oversight.v2.allowed", **to_params))


def next_state(state: S, action: A) -> S:
    """The state after ``action`` (call :func:`check_transition` first)."""
    return TRANSITIONS[action][1]


def check_deadline(sent_on: date, deadline: date | None, closed_on: date | None = None) -> Decision:
    """V1: a registration is sent no later than the deadline the superior committee set
    (828-CV: "trước 10/4/2023"), and not to a call the committee closed early (``closed_on``,
    the day it closed in Vietnam time); without a call there is no deadline."""
    if deadline is None:
        return Decision(Outcome.ALLOWED, (RuleId.V1,), tr("oversight.v1.no_deadline"))
    params = {"deadline": deadline.strftime("%d/%m/%Y"), "sent": sent_on.strftime("%d/%m/%Y")}
    if closed_on is not None:
        closed = closed_on.strftime("%d/%m/%Y")
        return Decision(Outcome.BLOCKED, (RuleId.V1,), tr("oversight.v1.closed", closed=closed))
    if sent_on <= deadline:
        return Decision(Outcome.ALLOWED, (RuleId.V1,), tr("oversight.v1.in_time", **params))
    return Decision(Outcome.BLOCKED, (RuleId.V1,), tr("oversight.v1.late", **params))


def check_vetting(org: OrgFacts, scope: ApprovalScope, on: date, rules: RuleSet) -> Decision:
    """V2: the board vets against E1 (online: more than half cannot meet in person) or E2
    (groups: at least 50 members and groups set up), and P1 (IT readiness). ALLOWED when all
    hold; otherwise the first refusal, citing V2 and its own rules."""
    checks = [check_it_ready(org)]
    checks.insert(
        0,
        check_online_scope(org, on)
        if scope is ApprovalScope.ONLINE
        else check_group_scope(org, rules),
    )
    failed = [d for d in checks if not d.ok]
    rule_ids = cite(RuleId.V2, *(r for d in checks for r in d.rules))
    if failed:
        first = failed[0]
        return Decision(
            Outcome.BLOCKED,
            rule_ids,
            tr("oversight.v2.vetting_failed", detail_vi=first.text.vi, detail_en=first.text.en),
        )
    return Decision(Outcome.ALLOWED, rule_ids, tr("oversight.v2.vetting_ok"))


@dataclass(frozen=True, slots=True)
class UnitFigures:
    """V3: one unit's pilot figures for a review period."""

    unit: str
    online_meetings: int = 0
    group_meetings: int = 0
    in_person_meetings: int = 0
    counted: int = 0  # sum over its meetings of counted full members
    present: int = 0  # sum over its meetings of those present
    deferred_items: int = 0
    incidents: int = 0

    @property
    def attendance_percent(self) -> int:
        return round(100 * self.present / self.counted) if self.counted else 0


def totals(rows: Iterable[UnitFigures]) -> UnitFigures:
    """V3: the figures of every unit added up (the review's last row)."""
    rows = tuple(rows)
    return UnitFigures(
        "total",
        sum(r.online_meetings for r in rows),
        sum(r.group_meetings for r in rows),
        sum(r.in_person_meetings for r in rows),
        sum(r.counted for r in rows),
        sum(r.present for r in rows),
        sum(r.deferred_items for r in rows),
        sum(r.incidents for r in rows),
    )
