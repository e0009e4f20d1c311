"""Minutes (M1): generated from what happened, edited by the meeting's secretary, read back and
adopted; once adopted they are immutable. Content is JSON in ``Minutes.content``:

``header`` (organisations), ``title``, ``meeting`` (place, times), ``membership`` (full,
probationary, temporarily attached, exempted, suspended, transferred out), ``attendance`` (by
category, room/online, quorum with rule ids), ``absences`` (with and without reason, by name),
``chair``, ``secretary``, ``items`` (speakers, differing and reserved opinions, conclusion,
votes), ``votes`` (on the draft conclusion/resolution), ``deferred``, ``documents``, ``chat``
(how many chat messages were sent: that a chat took place, never what it said), ``notes``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from policy.model import ItemStatus, MeetingKind, MemberFlag, MemberStatus
from policy.quorum import check_quorum
from server.conduct.common import Scope, category, conflict, flags_on, missing
from server.rules import VN_TZ, member_facts
from server.storage import attendance as attendance_store
from server.storage import chat as chat_store
from server.storage import conduct as store
from server.storage import meetings as meeting_store
from server.storage.db import Session
from server.storage.models import Minutes

#: fields the secretary may edit at the top level of the content
EDITABLE = ("place", "chair", "secretary", "opening", "closing", "notes", "transferred_out")


def _when(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    local = value.astimezone(VN_TZ)
    return f"{local:%H} giờ {local:%M}, ngày {local:%d/%m/%Y}"


def title_for(scope: Scope) -> str:
    if scope.is_group:
        return "BIÊN BẢN SINH HOẠT TỔ ĐẢNG"
    if scope.meeting.kind is MeetingKind.COMMITTEE:
        return "BIÊN BẢN HỌP CHI ỦY"
    return "BIÊN BẢN SINH HOẠT CHI BỘ"


def _header(scope: Scope) -> list[str]:
    lines = []
    if scope.parent is not None:
        name = scope.parent.name
        lines.append(name.upper() if name.lower().startswith("đảng bộ") else f"ĐẢNG BỘ {name}")
    cell = scope.cell.name
    lines.append(cell.upper() if cell.lower().startswith("chi bộ") else f"CHI BỘ {cell.upper()}")
    if scope.is_group:
        lines.append(scope.org.name.upper())
    return lines


async def build(
    session: Session, scope: Scope, at: dt.datetime, chair: str, secretary: str
) -> dict[str, Any]:
    """Everything M1 asks for, from the records of the meeting as they are at ``at``."""
    meeting = scope.meeting
    rows = await attendance_store.of_meeting(session, meeting.id)
    attended = {r.member_id for r in rows}
    room = {r.member_id for r in rows if r.way == "room"}
    members = scope.members
    facts = member_facts(members)
    present_keys = frozenset(str(m) for m in attended)
    # M1: the members present are named, in the cell's order, with where they attended
    present_names = [
        {"name": m.full_name, "where": "room" if m.id in room else "online"}
        for m in members
        if m.id in attended
    ]
    quorum = check_quorum(facts, present_keys, scope.rules, on=scope.on)
    by_category: dict[str, int] = dict.fromkeys(
        ("full", "probationary", "exempted", "temporarily_attached", "suspended"), 0
    )
    for m in members:
        if m.id in attended:
            by_category[category(m, scope.on)] += 1
    recorded = {a.member_id: a for a in await store.absences(session, meeting.id)}
    with_reason, without_reason = [], []
    for m in members:
        flags = flags_on(m, scope.on)
        if m.id in attended or flags & {MemberFlag.SUSPENDED, MemberFlag.TEMPORARILY_ATTACHED}:
            continue
        absence = recorded.get(m.id)
        if absence is not None and absence.with_reason:
            with_reason.append({"name": m.full_name, "reason": absence.reason})
        elif absence is not None or MemberFlag.EXEMPTED not in flags:
            without_reason.append({"name": m.full_name})
    agenda = await meeting_store.agenda(session, meeting.id)
    notes = await store.notes(session, [i.id for i in agenda])
    votes = await store.votes(session, meeting.id)
    items = []
    for item in agenda:
        if item.status is ItemStatus.DEFERRED:
            continue
        mine = [n for n in notes if n.item_id == item.id]
        conclusions = [n.text for n in mine if n.kind == "conclusion"]
        items.append(
            {
                "item_id": item.id,
                "position": item.position,
                "title": item.title,
                "category": item.category.value,
                "status": item.status.value,
                "speeches": [
                    {"speaker": n.speaker, "text": n.text} for n in mine if n.kind == "speech"
                ],
                "differing": [
                    {"speaker": n.speaker, "text": n.text} for n in mine if n.kind == "differing"
                ],
                "reserved": [
                    {"speaker": n.speaker, "text": n.text} for n in mine if n.kind == "reserved"
                ],
                "conclusion": "\n".join(conclusions),
                "votes": [_vote(v) for v in votes if v.item_id == item.id],
            }
        )
    deferred = [
        {
            "title": i.title,
            "rules": list((i.gate or {}).get("rules", [])),
            "vi": str((i.gate or {}).get("vi", "")),
        }
        for i in agenda
        if i.status is ItemStatus.DEFERRED
    ]
    documents = [
        {"filename": d.filename, "late": bool((d.m3 or {}).get("late", False))}
        for d in await store.documents(session, meeting.id)
        if d.published_at is not None
    ]
    full = sum(1 for m in members if m.status is MemberStatus.FULL)
    return {
        "header": _header(scope),
        "title": title_for(scope),
        "meeting": {
            "id": meeting.id,
            "kind": meeting.kind.value,
            "mode": meeting.mode.value,
            "subject": meeting.title,
            "started": _when(meeting.started_at or meeting.scheduled_start),
            "ended": _when(meeting.ended_at),
        },
        "place": meeting.location or scope.org.location,
        "membership": {
            "total": len(members),
            "full": full,
            "probationary": len(members) - full,
            # A2: on the meeting's date (a flag outside its dates does not count)
            **{
                flag.value: sum(1 for m in members if flag in flags_on(m, scope.on))
                for flag in (
                    MemberFlag.TEMPORARILY_ATTACHED,
                    MemberFlag.EXEMPTED,
                    MemberFlag.SUSPENDED,
                )
            },
        },
        # no transfer records exist yet: the secretary enters the count (PATCH)
        "transferred_out": 0,
        "attendance": {
            "present": len(attended),
            "room": len(room),
            "online": len(attended - room),
            "by_category": by_category,
            "quorum": quorum.as_dict(),
            "names": present_names,
        },
        "absences": {"with_reason": with_reason, "without_reason": without_reason},
        "chair": chair,
        "secretary": secretary,
        "opening": "",
        "items": items,
        "votes": [_vote(v) for v in votes if v.item_id is None],
        "deferred": deferred,
        "documents": documents,
        "chat": {"messages": await chat_store.count(session, meeting.id)},
        "closing": "",
        "notes": "",
        "generated_at": at.isoformat(),
    }


def _vote(vote: Any) -> dict[str, Any]:
    result: Mapping[str, Any] = vote.result or {}
    return {
        "subject": vote.subject,
        "closed": vote.closed_at is not None,
        "yes": result.get("yes", 0),
        "no": result.get("no", 0),
        "abstain": result.get("abstain", 0),
        "valid": result.get("valid"),
        "passed": result.get("passed"),
        "outcome": result.get("outcome"),
        "rules": list(result.get("rules", [])),
        "vi": result.get("vi", ""),
    }


async def current(session: Session, meeting_id: int) -> Minutes:
    row = await store.minutes(session, meeting_id)
    if row is None or not row.content.get("title"):
        raise missing("conduct.not_found.minutes")
    return row


def _mutable(row: Minutes | None) -> None:
    if row is not None and row.adopted_at is not None:
        raise conflict("conduct.minutes.adopted")


async def generate(
    session: Session, scope: Scope, at: dt.datetime, chair: str, secretary: str
) -> Minutes:
    """(Re)generate the draft from the records; refused once adopted. Keeps a consolidation of
    party groups already stored on the same minutes."""
    row = await store.minutes(session, scope.meeting.id)
    _mutable(row)
    content = await build(session, scope, at, chair, secretary)
    if row is None:
        return await store.add_minutes(
            session, Minutes(meeting_id=scope.meeting.id, content=content, updated_at=at)
        )
    if "consolidation" in row.content:
        content["consolidation"] = row.content["consolidation"]
    row.content = content
    row.updated_at = at
    await session.flush()
    return row


async def edit(
    session: Session,
    scope: Scope,
    fields: Mapping[str, Any],
    item_fields: Mapping[int, Mapping[str, str]],
    at: dt.datetime,
) -> Minutes:
    """The secretary's edits: top-level text fields and each item's conclusion."""
    row = await current(session, scope.meeting.id)
    _mutable(row)
    content = dict(row.content)
    for key, value in fields.items():
        content[key] = value
    if item_fields:
        items = [dict(i) for i in content.get("items", [])]
        known = {i["item_id"] for i in items}
        unknown = sorted(set(item_fields) - known)
        if unknown:
            raise missing("conduct.not_found.item")
        for i in items:
            i.update(item_fields.get(i["item_id"], {}))
        content["items"] = items
    row.content = content  # a new dict: the JSON column sees the change
    row.updated_at = at
    await session.flush()
    return row


async def adopt(session: Session, scope: Scope, at: dt.datetime) -> Minutes:
    """M1: read back and adopted; from now on the minutes cannot change."""
    row = await current(session, scope.meeting.id)
    _mutable(row)
    row.adopted_at = at
    content = {**row.content, "adopted_at": _when(at)}
    meeting = dict(content.get("meeting", {}))
    if not meeting.get("ended"):
        # read back at the end of the meeting: the end time is written in before adoption (M1)
        meeting["ended"] = _when(scope.meeting.ended_at or at)
        content["meeting"] = meeting
    row.content = content
    await session.flush()
    return row


async def store_consolidation(
    session: Session, meeting_id: int, consolidation: dict[str, Any], at: dt.datetime
) -> Minutes:
    row = await store.minutes(session, meeting_id)
    _mutable(row)
    if row is None:
        return await store.add_minutes(
            session,
            Minutes(meeting_id=meeting_id, content={"consolidation": consolidation}, updated_at=at),
        )
    row.content = {**row.content, "consolidation": consolidation}
    row.updated_at = at
    await session.flush()
    return row


def printable(scope: Scope, row: Minutes) -> dict[str, Any]:
    """The content to print: a draft generated before the close gets the meeting's end time."""
    content = dict(row.content)
    meeting = dict(content.get("meeting", {}))
    if not meeting.get("ended") and scope.meeting.ended_at is not None:
        meeting["ended"] = _when(scope.meeting.ended_at)
        content["meeting"] = meeting
    return content


def minutes_out(row: Minutes) -> dict[str, Any]:
    return {
        "meeting_id": row.meeting_id,
        "adopted": row.adopted_at is not None,
        "adopted_at": row.adopted_at.isoformat() if row.adopted_at else None,
        "updated_at": row.updated_at.isoformat(),
        "content": row.content,
    }
