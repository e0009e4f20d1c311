"""The agenda at run time (G1–G3, R8): an item opens only if the gate, run again on the meeting
as it is now, allows it. Blocked items move to the deferred list for the next in-person meeting
of the whole cell; suspected items wait for the chair to reclassify or confirm in writing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from policy.decision import Decision, Outcome, RuleId
from policy.i18n import tr
from policy.model import AgendaCategory, ItemStatus
from server import rules
from server.conduct.common import Scope, conflict, missing, require_open
from server.storage import conduct as store
from server.storage import meetings as meeting_store
from server.storage import organisations as org_store
from server.storage.db import Session
from server.storage.models import AgendaItem
from server.storage.models_conduct import ItemNote

TASK_REPORT_TITLE = "Báo cáo kết quả thực hiện nhiệm vụ được giao"
NOTE_KINDS = ("speech", "differing", "reserved", "conclusion")


@dataclass(frozen=True, slots=True)
class Gated:
    """An item after the gate ran, and the decision (stored on the item as ``gate``)."""

    item: AgendaItem
    decision: Decision


async def item_in(session: Session, scope: Scope, item_id: int) -> AgendaItem:
    item = await meeting_store.item(session, item_id)
    if item is None or item.meeting_id != scope.meeting.id:
        raise missing("conduct.not_found.item")
    return item


def _apply(item: AgendaItem, decision: Decision) -> None:
    item.gate = {**decision.as_dict(), **_confirmation_of(item)}
    if decision.outcome is Outcome.BLOCKED:
        item.status = ItemStatus.DEFERRED  # G1: to the next in-person meeting of the whole cell


def _confirmation_of(item: AgendaItem) -> dict[str, Any]:
    """The chair's confirmation fields that server.rules.gate reads back (G2)."""
    old = item.gate or {}
    return {k: old[k] for k in ("confirmed_categories", "confirmed_by") if k in old}


async def open_item(session: Session, scope: Scope, item: AgendaItem) -> Gated:
    """G3: re-run the gate now. Allowed → the item opens. Blocked → deferred (the caller
    commits and then refuses citing the rule). Suspected → stays planned until the chair acts."""
    require_open(scope.meeting)
    if item.status is not ItemStatus.PLANNED:
        raise conflict("conduct.item.not_planned", status=item.status.value)
    if await store.open_items(session, scope.meeting.id):
        raise conflict("conduct.item.another_open")
    decision = rules.gate(item, scope.meeting)
    _apply(item, decision)
    if decision.outcome is Outcome.ALLOWED:
        item.status = ItemStatus.OPEN
    await session.flush()
    return Gated(item, decision)


async def close_item(session: Session, scope: Scope, item: AgendaItem) -> AgendaItem:
    if item.status is not ItemStatus.OPEN:
        raise conflict("conduct.item.not_open", status=item.status.value)
    item.status = ItemStatus.DONE
    await session.flush()
    return item


def _must_be_pending(item: AgendaItem) -> None:
    if item.status not in (ItemStatus.PLANNED, ItemStatus.OPEN):
        raise conflict("conduct.item.not_planned", status=item.status.value)


async def reclassify(
    session: Session, scope: Scope, item: AgendaItem, category: AgendaCategory
) -> Gated:
    """G2: a new declared category, and the gate again (a blocked category defers the item)."""
    _must_be_pending(item)
    item.category = category
    decision = rules.gate(item, scope.meeting)
    _apply(item, decision)
    if decision.outcome is Outcome.BLOCKED and item.status is ItemStatus.OPEN:
        item.status = ItemStatus.DEFERRED
    await session.flush()
    return Gated(item, decision)


def suspected_categories(decision: Decision) -> list[str]:
    """The blocked topics a SUSPECTED decision names (its T-rule ids)."""
    return [r.value for r in decision.rules if r.value.startswith("T")]


async def confirm(session: Session, scope: Scope, item: AgendaItem, reason: str, by: str) -> Gated:
    """G2: the chair confirms in writing that a suspected item is not a blocked topic."""
    _must_be_pending(item)
    current = rules.gate(item, scope.meeting)
    if current.outcome is not Outcome.SUSPECTED:
        raise conflict("conduct.item.not_suspected", outcome=current.outcome.value)
    item.confirmed_reason = reason
    item.gate = {
        **current.as_dict(),
        "confirmed_categories": suspected_categories(current),
        "confirmed_by": by,
    }
    decision = rules.gate(item, scope.meeting)
    _apply(item, decision)
    await session.flush()
    return Gated(item, decision)


async def add_task_report(session: Session, scope: Scope) -> Gated:
    """R8: the standard item in which members report on their assigned tasks."""
    item = AgendaItem(
        meeting_id=scope.meeting.id,
        title=TASK_REPORT_TITLE,
        description="Đảng viên báo cáo kết quả thực hiện nhiệm vụ được chi bộ phân công (R8).",
        category=AgendaCategory.TASK_REPORT,
        attachment_names=[],
    )
    decision = rules.gate(item, scope.meeting)
    _apply(item, decision)
    item = await meeting_store.add_item(session, item)
    return Gated(item, decision)


async def add_note(
    session: Session,
    scope: Scope,
    item: AgendaItem,
    kind: str,
    member_id: int | None,
    speaker: str,
    text: str,
) -> ItemNote:
    """M1: who said what on an item; differing and reserved opinions; the conclusion."""
    if item.status not in (ItemStatus.OPEN, ItemStatus.DONE):
        raise conflict("conduct.item.not_discussed", status=item.status.value)
    if member_id is not None:
        member = scope.member(member_id)
        if member is None:
            raise conflict("conduct.attendance.not_invited")
        speaker = member.full_name
    if not speaker:
        raise conflict("conduct.note.no_speaker")
    return await store.add_note(
        session,
        ItemNote(item_id=item.id, kind=kind, member_id=member_id, speaker=speaker, text=text),
    )


async def deferred(session: Session, org_id: int) -> list[dict[str, Any]]:
    """Items deferred to the next in-person meeting of the whole cell, with their citation:
    from the cell's meetings and from its party groups' meetings."""
    groups = [o.id for o in await org_store.children(session, org_id)]
    out = []
    for item, meeting in await store.deferred_items(session, [org_id, *groups]):
        gate = item.gate or {}
        out.append(
            {
                "item_id": item.id,
                "meeting_id": meeting.id,
                "meeting_title": meeting.title,
                "meeting_date": rules.local_date(meeting.scheduled_start).isoformat(),
                "title": item.title,
                "category": item.category.value,
                "rules": list(gate.get("rules", [])),
                "vi": str(gate.get("vi", "")),
                "en": str(gate.get("en", "")),
            }
        )
    return out


def deferred_refusal(decision: Decision) -> Decision:
    """The refusal the chair sees when an item is blocked at opening: the gate's own decision
    (G1 and the topic's rule), plus G3 because it was found at opening."""
    rule_ids = (RuleId.G3, *[r for r in decision.rules if r is not RuleId.G3])
    text = tr("conduct.item.deferred", reason_vi=decision.text.vi, reason_en=decision.text.en)
    return Decision(decision.outcome, rule_ids, text)
