"""Today's demo meetings, made by ``hopchibo demo`` (and so by ``make run``) through the same rule
checks the API applies: a hybrid meeting of the seafarers' cell with an agenda the gate sorts
three ways (allowed, blocked and deferred by G1, suspected by G2) and a published document (M3),
and a party-group cycle of the large cell (E2, P5, §II.4.2). Running it again on the same day
keeps the meetings it made; on a later day it makes that day's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from policy.decision import PolicyDenied
from policy.model import AgendaCategory, ItemStatus, MeetingKind, MeetingMode, MeetingStatus
from server import rules
from server.audit import AuditLog
from server.conduct import documents, groups
from server.conduct.common import scope_of
from server.crypto.keys import KeyProvider
from server.storage import conduct as conduct_store
from server.storage import meetings as meeting_store
from server.storage import members as member_store
from server.storage import organisations as org_store
from server.storage.db import Database, Session
from server.storage.models import AgendaItem, Meeting, Organisation

ACTOR = "demo"

#: (title, declared category): allowed; blocked online (T2, G1); suspected (G2, the chair decides)
AGENDA: tuple[tuple[str, AgendaCategory], ...] = (
    ("Thông báo thời sự, chính sách mới trong tháng", AgendaCategory.ORDINARY),
    ("Xét kết nạp quần chúng ưu tú vào Đảng", AgendaCategory.T2),
    ("Triển khai kế hoạch khen thưởng cuối năm của Đảng ủy", AgendaCategory.ORDINARY),
)
DOCUMENT_NAME = "Dự thảo nghị quyết tháng.pdf"
DOCUMENT = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass(frozen=True, slots=True)
class TodayMeetings:
    """What the demo holds for today; ``refused`` lists rule refusals (Vietnamese first)."""

    hybrid_id: int | None
    group_cycle_id: int | None
    created: bool
    refused: tuple[str, ...]


def start_today(now: dt.datetime) -> dt.datetime:
    """The next half hour on today's Vietnam date (23:30 at the latest), so the meeting is
    today wherever in the day the demo is loaded."""
    local = now.astimezone(rules.VN_TZ).replace(second=0, microsecond=0)
    slot = local.replace(minute=0) + dt.timedelta(minutes=30 * (local.minute // 30 + 1))
    last = local.replace(hour=23, minute=30)
    return min(slot, last).astimezone(dt.UTC)


def _today(meeting: Meeting, on: dt.date) -> bool:
    return (
        rules.local_date(meeting.scheduled_start) == on
        and meeting.status in (MeetingStatus.SCHEDULED, MeetingStatus.OPEN)
        and meeting.parent_meeting_id is None
    )


async def _schedule(
    session: Session,
    audit: AuditLog,
    org: Organisation,
    *,
    kind: MeetingKind,
    mode: MeetingMode,
    title: str,
    location: str,
    start: dt.datetime,
) -> Meeting:
    """E1–E4, P1–P5 first (``PolicyDenied`` on a refusal), then the meeting, audited."""
    await rules.require_meeting_mode(session, org, mode, rules.local_date(start))
    meeting = await meeting_store.add(
        session,
        Meeting(
            org_id=org.id,
            kind=kind,
            mode=mode,
            title=title,
            location=location,
            scheduled_start=start,
        ),
    )
    await audit.record(
        ACTOR,
        "meeting.create",
        f"meeting:{meeting.id}",
        {"mode": mode.value, "kind": kind.value},
        session=session,
    )
    return meeting


async def _agenda(session: Session, audit: AuditLog, meeting: Meeting) -> None:
    for position, (title, category) in enumerate(AGENDA, start=1):
        item = AgendaItem(
            meeting_id=meeting.id,
            position=position,
            title=title,
            description="",
            category=category,
            attachment_names=[],
        )
        decision = rules.gate(item, meeting)  # G1/G2 as at planning
        item.gate = decision.as_dict()
        if decision.outcome.value == "blocked":
            item.status = ItemStatus.DEFERRED  # G1
        item = await meeting_store.add_item(session, item)
        await audit.record(
            ACTOR,
            "agenda.add",
            f"item:{item.id}",
            {
                "meeting": meeting.id,
                "category": category.value,
                "gate": decision.outcome.value,
                "rules": list(decision.rule_ids),
            },
            session=session,
        )


async def _document(
    session: Session, audit: AuditLog, meeting: Meeting, provider: KeyProvider, now: dt.datetime
) -> None:
    scope = await scope_of(session, meeting)
    row = await documents.upload(
        session, scope, DOCUMENT_NAME, "application/pdf", DOCUMENT, ACTOR, now, provider
    )
    m3 = await documents.publish(session, scope, row, now)
    await audit.record(
        ACTOR,
        "document.publish",
        f"document:{row.id}",
        {"meeting": meeting.id, "late": bool(m3.get("late"))},
        session=session,
    )


async def _seafarers(
    session: Session, audit: AuditLog, provider: KeyProvider, code: str, now: dt.datetime
) -> tuple[int, bool]:
    org = await org_store.by_code(session, code)
    assert org is not None, "load_demo first"
    on = rules.local_date(now)
    kept = [m for m in await meeting_store.of_org(session, org.id) if _today(m, on)]
    hybrid = [m for m in kept if m.mode is MeetingMode.HYBRID]
    if hybrid:
        return hybrid[0].id, False
    meeting = await _schedule(
        session,
        audit,
        org,
        kind=MeetingKind.REGULAR,
        mode=MeetingMode.HYBRID,
        title="Sinh hoạt chi bộ thường kỳ (demo)",
        location="Phòng họp trụ sở, Hải Phòng",
        start=start_today(now),
    )
    await _agenda(session, audit, meeting)
    await _document(session, audit, meeting, provider, now)
    return meeting.id, True


async def _group_cycle(
    session: Session, audit: AuditLog, code: str, now: dt.datetime
) -> tuple[int, bool]:
    """The committee's preparatory meeting and a cell meeting held by the 4 party groups, each
    group's meeting assigned to its leader with a committee member attending (§II.4.2)."""
    org = await org_store.by_code(session, code)
    assert org is not None, "load_demo first"
    on = rules.local_date(now)
    kept = [
        m
        for m in await meeting_store.of_org(session, org.id)
        if _today(m, on) and m.mode is MeetingMode.GROUP
    ]
    if kept:
        return kept[0].id, False
    start = start_today(now)
    committee = await _schedule(
        session,
        audit,
        org,
        kind=MeetingKind.COMMITTEE,
        mode=MeetingMode.IN_PERSON,
        title="Họp chi ủy chuẩn bị sinh hoạt tổ đảng (demo)",
        location="Văn phòng chi bộ, Hà Nội",
        start=start - dt.timedelta(minutes=30) if start > now else start,
    )
    cell = await _schedule(
        session,
        audit,
        org,
        kind=MeetingKind.REGULAR,
        mode=MeetingMode.GROUP,
        title="Sinh hoạt chi bộ theo tổ đảng (demo)",
        location="Theo từng tổ đảng",
        start=start,
    )
    committee_ids = sorted(await conduct_store.committee_member_ids(session, org.id))
    assert committee_ids, "the large cell's committee accounts come with the demo accounts"
    plans = []
    for index, group in enumerate(await org_store.children(session, org.id)):
        members = await member_store.of_group(session, group.id)
        plans.append(
            groups.Plan(
                group_id=group.id,
                leader_member_id=members[0].id,
                committee_member_id=committee_ids[index % len(committee_ids)],
                scheduled_start=start,
                location=f"{group.name}: phòng họp số {index + 1}",
            )
        )
    scope = await scope_of(session, cell)
    rows = await groups.assign(session, scope, committee.id, plans, frozenset(committee_ids))
    await audit.record(
        ACTOR,
        "groups.assign",
        f"meeting:{cell.id}",
        {"committee_meeting": committee.id, "groups": [r.group_org_id for r in rows]},
        session=session,
    )
    return cell.id, True


async def load_today(
    db: Database,
    audit: AuditLog,
    provider: KeyProvider,
    now: dt.datetime,
    *,
    seafarers_code: str,
    large_code: str,
) -> TodayMeetings:
    """Make (or keep) today's demo meetings; a rule refusal is reported, never half-written."""
    refused: list[str] = []
    hybrid_id = cycle_id = None
    created = False
    try:
        async with db.session() as session:
            hybrid_id, made = await _seafarers(session, audit, provider, seafarers_code, now)
            created |= made
    except PolicyDenied as exc:
        refused.append(str(exc))
    try:
        async with db.session() as session:
            cycle_id, made = await _group_cycle(session, audit, large_code, now)
            created |= made
    except PolicyDenied as exc:
        refused.append(str(exc))
    return TodayMeetings(hybrid_id, cycle_id, created, tuple(refused))
