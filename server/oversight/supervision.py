"""Supervision and inspection (S1–S3).

S1 (50-CT/TW §6: "phải phân công cấp ủy viên dự sinh hoạt chi bộ trực thuộc và thường xuyên theo
dõi, nắm tình hình, chịu trách nhiệm về chất lượng sinh hoạt của chi bộ … định kỳ hằng quý phải
báo cáo về kết quả với cấp ủy cùng cấp"): the committee assigns its members (accounts) to cells;
an assignment gives the member the observer role on the cell (R5) unless they hold one already,
and takes it back when it ends. Their attendance at the cell's meetings is recorded: when they
join online as observers (``record_join``, from the meeting's admission) or, in the room, by the
cell's chair or by themselves.

S2 (§7: "Nội dung kiểm tra, giám sát tập trung vào … hồ sơ sinh hoạt chi bộ, việc ban hành nghị
quyết của chi bộ, sổ ghi chép của đảng viên"): an inspection opens a cell's records for a period:
minutes, resolutions (votes and conclusions), task assignments (members' task reports and the
party groups' assignments), and the notebooks members hand in. Every opening and every reading is
audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from policy.error_codes import ErrorCode
from policy.i18n import tr
from policy.model import AgendaCategory, Role
from server import rules
from server.audit import AuditLog
from server.auth.authz import Authorize, Permission
from server.crypto.keys import KeyProvider
from server.errors import AppError, not_found
from server.organisations import org_or_404
from server.oversight import notebook
from server.oversight.evidence import HELD
from server.storage import accounts as account_store
from server.storage import conduct as conduct_store
from server.storage import meetings as meeting_store
from server.storage import organisations as org_store
from server.storage import oversight as store
from server.storage.db import Database, Session
from server.storage.models import Organisation
from server.storage.models_oversight import Inspection, SupervisionAssignment, SupervisionVisit

P = Permission

#: S1: who on the committee may be assigned to follow a cell (cấp ủy viên)
COMMITTEE_ROLES = (Role.SECRETARY, Role.DEPUTY, Role.COMMITTEE)


def refused(key: str, status: int = 409) -> AppError:
    text = tr(key)
    return AppError(status, ErrorCode.CONFLICT if status == 409 else ErrorCode.FORBIDDEN, text)


async def _cell_below(session: Session, committee_id: int, cell_id: int) -> Organisation:
    cell = await org_or_404(session, cell_id)
    if cell.parent_id != committee_id:
        raise AppError(422, ErrorCode.VALIDATION, tr("oversight.s1.not_below"))
    return cell


# -- S1: assignments and visits -----------------------------------------------------------------


async def assign(
    db: Database,
    audit: AuditLog,
    actor: str,
    committee_id: int,
    cell_id: int,
    account_id: int,
    started_on: dt.date,
    authorize: Authorize,
) -> SupervisionAssignment:
    """S1: only a member of the committee itself (secretary, deputy, member: cấp ủy viên) may be
    assigned to follow its cell; anyone else is refused (409 citing S1), and the refusal is
    audited ``supervision.assign.refused`` in its own transaction so that it is kept."""
    async with db.session() as session:
        await org_or_404(session, committee_id)
        authorize(P.OVERSIGHT_MANAGE, committee_id)
        await _cell_below(session, committee_id, cell_id)
        if await account_store.get(session, account_id) is None:
            raise not_found("tài khoản / account")
        on_committee = await store.committee_accounts(session, committee_id, COMMITTEE_ROLES)
        row = None
        if account_id in {a for a, _name, _role in on_committee}:
            row = await _assigned(
                session, audit, actor, committee_id, cell_id, account_id, started_on
            )
    if row is None:
        await audit.record(
            actor,
            "supervision.assign.refused",
            f"org:{cell_id}",
            {"account": account_id, "committee": committee_id, "rule": "S1"},
        )
        text = tr("oversight.s1.not_committee")
        raise AppError(409, ErrorCode.POLICY_DENIED, text, rules=("S1",))
    return row


async def _assigned(
    session: Session,
    audit: AuditLog,
    actor: str,
    committee_id: int,
    cell_id: int,
    account_id: int,
    started_on: dt.date,
) -> SupervisionAssignment:
    granted = not await store.has_role(session, account_id, cell_id, Role.OBSERVER)
    if granted:
        await account_store.grant(session, account_id, cell_id, Role.OBSERVER)
    row = SupervisionAssignment(
        committee_org_id=committee_id,
        cell_org_id=cell_id,
        account_id=account_id,
        started_on=started_on,
        granted=granted,
        created_by=actor,
    )
    await store.add(session, row)
    await audit.record(
        actor,
        "supervision.assign",
        f"org:{cell_id}",
        {"account": account_id, "committee": committee_id, "observer_granted": granted},
        session=session,
    )
    return row


async def end_assignment(
    db: Database,
    audit: AuditLog,
    actor: str,
    assignment_id: int,
    ended_on: dt.date,
    authorize: Authorize,
) -> SupervisionAssignment:
    async with db.session() as session:
        row = await store.assignment(session, assignment_id)
        if row is None:
            raise not_found("phân công / assignment")
        authorize(P.OVERSIGHT_MANAGE, row.committee_org_id)
        if row.ended_on is not None:
            raise AppError.of(ErrorCode.CONFLICT, detail="already ended")
        if ended_on < row.started_on:
            raise AppError.of(ErrorCode.VALIDATION, detail="ended_on before started_on")
        row.ended_on = ended_on
        if row.granted:
            await store.revoke_role(session, row.account_id, row.cell_org_id, Role.OBSERVER)
        await session.flush()
        await audit.record(
            actor, "supervision.end", f"org:{row.cell_org_id}", {"id": row.id}, session=session
        )
        return row


async def assignments(
    db: Database, committee_id: int, authorize: Authorize
) -> list[dict[str, Any]]:
    async with db.session() as session:
        await org_or_404(session, committee_id)
        authorize(P.OVERSIGHT_READ, committee_id)
        rows = await store.assignments(session, committee_id)
        names = await store.account_names(session, [r.account_id for r in rows])
        cells = {c.id: c.name for c in await org_store.children(session, committee_id)}
        return [
            {
                "id": r.id,
                "committee_id": r.committee_org_id,
                "cell_id": r.cell_org_id,
                "cell": cells.get(r.cell_org_id, ""),
                "account_id": r.account_id,
                "member": names.get(r.account_id, ""),
                "started_on": r.started_on.isoformat(),
                "ended_on": r.ended_on.isoformat() if r.ended_on else None,
            }
            for r in rows
        ]


async def candidates(db: Database, committee_id: int, authorize: Authorize) -> list[dict[str, Any]]:
    """S1: the committee's members (their accounts) who may be assigned to follow a cell."""
    async with db.session() as session:
        await org_or_404(session, committee_id)
        authorize(P.OVERSIGHT_READ, committee_id)
        seen: dict[int, dict[str, Any]] = {}
        for account_id, name, role in await store.committee_accounts(
            session, committee_id, COMMITTEE_ROLES
        ):
            entry = seen.setdefault(
                account_id, {"account_id": account_id, "name": name, "roles": []}
            )
            entry["roles"].append(role.value)
        return list(seen.values())


async def record_visit(
    db: Database,
    audit: AuditLog,
    actor: str,
    actor_account: int,
    meeting_id: int,
    account_id: int,
    way: str,
    now: dt.datetime,
    authorize: Authorize,
) -> SupervisionVisit:
    """S1: a committee member attended the meeting (in the room, or online). The cell's chair
    records it, or the member themselves when assigned to the cell."""
    async with db.session() as session:
        meeting = await meeting_store.get(session, meeting_id)
        if meeting is None:
            raise not_found("cuộc họp / meeting")
        if await account_store.get(session, account_id) is None:
            raise not_found("tài khoản / account")
        if account_id == actor_account:
            active = [
                a
                for a in await store.assignments(session, cell_id=meeting.org_id)
                if a.account_id == account_id and a.ended_on is None
            ]
            if not active:
                authorize(P.MEETING_CHAIR, meeting.org_id)
        else:
            authorize(P.MEETING_CHAIR, meeting.org_id)
        row = await store.visit(session, meeting_id, account_id)
        if row is None:
            row = SupervisionVisit(
                meeting_id=meeting_id,
                account_id=account_id,
                way=way,
                recorded_by=actor,
                recorded_at=now,
            )
            await store.add(session, row)
        await audit.record(
            actor,
            "supervision.visit",
            f"meeting:{meeting_id}",
            {"account": account_id, "way": way},
            session=session,
        )
        return row


async def visits(
    db: Database, committee_id: int, start: dt.date, end: dt.date, authorize: Authorize
) -> list[dict[str, Any]]:
    async with db.session() as session:
        await org_or_404(session, committee_id)
        authorize(P.OVERSIGHT_READ, committee_id)
        return await visits_in(session, committee_id, start, end)


async def visits_in(
    session: Session, committee_id: int, start: dt.date, end: dt.date
) -> list[dict[str, Any]]:
    """S1: the committee members' attendance at its cells' meetings held in ``start``–``end``."""
    out = []
    for cell in await org_store.children(session, committee_id):
        meetings = {
            m.id: m
            for m in await meeting_store.of_org(session, cell.id)
            if m.parent_meeting_id is None and start <= rules.local_date(m.scheduled_start) <= end
        }
        rows = await store.visits(session, list(meetings))
        names = await store.account_names(session, [r.account_id for r in rows])
        for r in rows:
            out.append(
                {
                    "meeting_id": r.meeting_id,
                    "cell_id": cell.id,
                    "cell": cell.name,
                    "on": rules.local_date(meetings[r.meeting_id].scheduled_start).isoformat(),
                    "account_id": r.account_id,
                    "member": names.get(r.account_id, ""),
                    "way": r.way,
                }
            )
    return out


# -- S2: inspections ----------------------------------------------------------------------------


async def open_inspection(
    db: Database,
    audit: AuditLog,
    actor: str,
    committee_id: int,
    fields: Mapping[str, Any],
    now: dt.datetime,
    authorize: Authorize,
) -> Inspection:
    async with db.session() as session:
        await org_or_404(session, committee_id)
        authorize(P.INSPECT, committee_id)
        await _cell_below(session, committee_id, int(fields["cell_id"]))
        if fields["period_to"] < fields["period_from"]:
            raise AppError.of(ErrorCode.VALIDATION, detail="period_to before period_from")
        row = Inspection(
            committee_org_id=committee_id,
            cell_org_id=int(fields["cell_id"]),
            period_from=fields["period_from"],
            period_to=fields["period_to"],
            subject=str(fields.get("subject", "")),
            opened_by=actor,
            opened_at=now,
        )
        await store.add(session, row)
        await audit.record(
            actor,
            "inspection.open",
            f"org:{row.cell_org_id}",
            {
                "inspection": row.id,
                "from": row.period_from.isoformat(),
                "to": row.period_to.isoformat(),
            },
            session=session,
        )
        return row


async def inspection_or_404(session: Session, inspection_id: int) -> Inspection:
    row = await store.inspection(session, inspection_id)
    if row is None:
        raise not_found("cuộc kiểm tra / inspection")
    return row


async def close_inspection(
    db: Database,
    audit: AuditLog,
    actor: str,
    inspection_id: int,
    now: dt.datetime,
    authorize: Authorize,
) -> Inspection:
    async with db.session() as session:
        row = await inspection_or_404(session, inspection_id)
        authorize(P.INSPECT, row.committee_org_id)
        if row.closed_at is not None:
            raise refused("oversight.s2.closed")
        row.closed_at = now
        await session.flush()
        await audit.record(
            actor,
            "inspection.close",
            f"org:{row.cell_org_id}",
            {"inspection": row.id},
            session=session,
        )
        return row


def inspection_out(row: Inspection) -> dict[str, Any]:
    return {
        "id": row.id,
        "committee_id": row.committee_org_id,
        "cell_id": row.cell_org_id,
        "period_from": row.period_from.isoformat(),
        "period_to": row.period_to.isoformat(),
        "subject": row.subject,
        "opened_at": row.opened_at.isoformat(),
        "closed_at": row.closed_at.isoformat() if row.closed_at else None,
    }


async def _meeting_records(session: Session, meeting_id: int) -> dict[str, Any]:
    items = await meeting_store.agenda(session, meeting_id)
    notes = await conduct_store.notes(session, [i.id for i in items])
    minutes = await conduct_store.minutes(session, meeting_id)
    votes = await conduct_store.votes(session, meeting_id)
    titles = {i.id: i.title for i in items}
    groups = await conduct_store.assignments(session, meeting_id)
    return {
        "minutes": {
            "content": minutes.content if minutes is not None else None,
            "adopted_at": minutes.adopted_at.isoformat()
            if minutes is not None and minutes.adopted_at
            else None,
        },
        "resolutions": [
            {"subject": v.subject, "item": titles.get(v.item_id or 0), "result": v.result}
            for v in votes
            if v.result
        ]
        + [
            {"item": titles.get(n.item_id), "conclusion": n.text}
            for n in notes
            if n.kind == "conclusion"
        ],
        "task_reports": [
            {"item": titles.get(n.item_id), "speaker": n.speaker, "text": n.text}
            for n in notes
            if n.kind == "speech"
            and any(i.id == n.item_id and i.category is AgendaCategory.TASK_REPORT for i in items)
        ],
        "group_assignments": [
            {
                "group_org_id": g.group_org_id,
                "group_meeting_id": g.group_meeting_id,
                "leader_member_id": g.leader_member_id,
                "committee_member_id": g.committee_member_id,
                "reported_at": g.reported_at.isoformat() if g.reported_at else None,
                "gm3": g.gm3,
            }
            for g in groups
        ],
    }


async def inspection_records(
    db: Database,
    audit: AuditLog,
    actor: str,
    provider: KeyProvider,
    inspection_id: int,
    authorize: Authorize,
) -> dict[str, Any]:
    """S2: the inspected cell's records for the period: minutes, resolutions, task assignments
    for each meeting held, and the notebooks handed in. Audited ``inspection.read``, and
    ``notebook.read`` for each notebook entry shown."""
    async with db.session() as session:
        row = await inspection_or_404(session, inspection_id)
        authorize(P.INSPECT, row.committee_org_id)
        if row.closed_at is not None:
            raise refused("oversight.s2.closed")
        cell = await org_or_404(session, row.cell_org_id)
        meetings = [
            m
            for m in await meeting_store.of_org(session, cell.id)
            if m.status in HELD
            and row.period_from <= rules.local_date(m.scheduled_start) <= row.period_to
        ]
        out_meetings = []
        for m in meetings:
            out_meetings.append(
                {
                    "id": m.id,
                    "title": m.title,
                    "kind": m.kind.value,
                    "mode": m.mode.value,
                    "on": rules.local_date(m.scheduled_start).isoformat(),
                    **await _meeting_records(session, m.id),
                }
            )
        notes = await notebook.handed_in_for(session, provider, row.id)
        await audit.record(
            actor,
            "inspection.read",
            f"org:{cell.id}",
            {"inspection": row.id, "meetings": len(meetings), "notebooks": len(notes)},
            session=session,
        )
        for n in notes:
            await audit.record(
                actor,
                "notebook.read",
                f"meeting:{n['meeting_id']}",
                {"inspection": row.id, "member": n["member_id"], "entry": n["id"]},
                session=session,
            )
        return {
            **inspection_out(row),
            "cell": cell.name,
            "meetings": out_meetings,
            "notebooks": notes,
        }


async def inspections(
    db: Database, committee_id: int, authorize: Authorize
) -> list[dict[str, Any]]:
    async with db.session() as session:
        await org_or_404(session, committee_id)
        authorize(P.INSPECT, committee_id)
        return [inspection_out(r) for r in await store.inspections(session, committee_id)]
