"""Conduct flows at run time: the agenda gate when an item opens (G1–G3), attendance (A1–A3),
open votes (A3, A4, G3), the chair console, chat and presenting a document (R7), and the
records: documents (M3), minutes (M1) and the party-group cycle (E2, P5, GM3, 03-HD/TW §II.4.2).

Each flow opens one transaction, loads the meeting with the one authorization check (deny by
default, R7), runs the step in the concept's module and writes the audit record in the same
transaction (never content). The HTTP handlers (``server/http/conduct.py``,
``conduct_records.py``) parse, call one of these and serialise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from policy.decision import Outcome, PolicyDenied
from policy.model import AgendaCategory
from server.audit import AuditLog
from server.auth.authz import Permission, allowed, require
from server.auth.context import AccountContext
from server.conduct import agenda, chat, documents, groups, minutes, presentation, roll_call, votes
from server.conduct.common import Scope, conflict, invalid, load_scope, missing
from server.leases import Liveness
from server.organisations import org_or_404
from server.rules import VN_TZ
from server.storage import attendance as attendance_store
from server.storage import conduct as conduct_store
from server.storage import meetings as meeting_store
from server.storage import members as member_store
from server.storage.db import Database, Session
from server.storage.models import AgendaItem
from server.storage.models_conduct import GroupAssignment, ItemNote

P = Permission


@dataclass(frozen=True, slots=True)
class Call:
    """What a conduct flow takes from the app and the request: the database, the audit log,
    the caller, the app clock's now, the reconnect grace and which server processes are alive
    (A1: :func:`server.conduct.roll_call.ended_at`)."""

    db: Database
    log: AuditLog
    context: AccountContext
    now: dt.datetime
    grace: dt.timedelta
    alive: Liveness
    meeting_id: int | None = None  # the meeting the request names, for the audit records

    @asynccontextmanager
    async def meeting(
        self, meeting_id: int, permission: Permission
    ) -> AsyncIterator[tuple[Session, Scope]]:
        """One transaction with the meeting, after checking ``permission`` on the organisation
        that holds it: the cell, or the party group for a group's meeting (its leader chairs)."""
        async with self.db.session() as session:
            scope = await load_scope(session, meeting_id)
            require(self.context, permission, scope.org.id)
            yield session, scope

    def may(self, permission: Permission, scope: Scope) -> bool:
        return allowed(self.context, permission, scope.org.id)

    async def audit(
        self, session: Session | None, action: str, target: str, details: dict[str, Any]
    ) -> None:
        """Every conduct decision goes to the audit log in the same transaction (never content),
        with the meeting's id, so that the officer's search by meeting finds item, vote and
        document records too; ``session=None``: a refusal, in a transaction of its own so that
        it is kept."""
        if self.meeting_id is not None and "meeting" not in details:
            details = {"meeting": self.meeting_id, **details}
        await self.log.record(self.context.actor, action, target, details, session=session)


# -- agenda (G1–G3, R8) ------------------------------------------------------------------------


async def open_item(call: Call, meeting_id: int, item_id: int) -> AgendaItem:
    """The gate runs again now (G3); blocked → deferred (G1), suspected → reclassify or
    confirm (G2): both refused after the commit, so the item's new state is kept."""
    async with call.meeting(meeting_id, P.MEETING_CHAIR) as (session, scope):
        item = await agenda.item_in(session, scope, item_id)
        gated = await agenda.open_item(session, scope, item)
        await call.audit(
            session,
            "agenda.open",
            f"item:{item.id}",
            {
                "meeting": meeting_id,
                "outcome": gated.decision.outcome.value,
                "rules": list(gated.decision.rule_ids),
                "status": item.status.value,
            },
        )
    if gated.decision.outcome is Outcome.BLOCKED:
        raise PolicyDenied(agenda.deferred_refusal(gated.decision))
    if gated.decision.outcome is Outcome.SUSPECTED:
        raise PolicyDenied(gated.decision)
    return item


async def close_item(call: Call, meeting_id: int, item_id: int) -> AgendaItem:
    async with call.meeting(meeting_id, P.MEETING_CHAIR) as (session, scope):
        item = await agenda.close_item(
            session, scope, await agenda.item_in(session, scope, item_id)
        )
        await call.audit(session, "agenda.close", f"item:{item.id}", {"meeting": scope.meeting.id})
        return item


async def reclassify_item(
    call: Call, meeting_id: int, item_id: int, category: AgendaCategory
) -> AgendaItem:
    async with call.meeting(meeting_id, P.MEETING_CHAIR) as (session, scope):
        item = await agenda.item_in(session, scope, item_id)
        before = item.category.value
        gated = await agenda.reclassify(session, scope, item, category)
        await call.audit(
            session,
            "agenda.reclassify",
            f"item:{item.id}",
            {
                "from": before,
                "category": category.value,
                "outcome": gated.decision.outcome.value,
                "rules": list(gated.decision.rule_ids),
                "meeting": scope.meeting.id,
            },
        )
        return item


async def confirm_item(call: Call, meeting_id: int, item_id: int, reason: str) -> AgendaItem:
    async with call.meeting(meeting_id, P.MEETING_CHAIR) as (session, scope):
        item = await agenda.item_in(session, scope, item_id)
        gated = await agenda.confirm(session, scope, item, reason, call.context.display_name)
        await call.audit(
            session,
            "agenda.confirm",
            f"item:{item.id}",
            {
                "categories": list((item.gate or {}).get("confirmed_categories", [])),
                "outcome": gated.decision.outcome.value,
                "rules": list(gated.decision.rule_ids),
                "meeting": scope.meeting.id,
            },
        )
        return item


async def add_note(
    call: Call,
    meeting_id: int,
    item_id: int,
    kind: str,
    member_id: int | None,
    speaker: str,
    text: str,
) -> ItemNote:
    async with call.meeting(meeting_id, P.MEETING_CHAIR) as (session, scope):
        item = await agenda.item_in(session, scope, item_id)
        note = await agenda.add_note(session, scope, item, kind, member_id, speaker, text)
        await call.audit(
            session,
            "agenda.note",
            f"item:{item.id}",
            {"kind": kind, "meeting": scope.meeting.id},
        )
        return note


async def add_task_report(call: Call, meeting_id: int) -> AgendaItem:
    async with call.meeting(meeting_id, P.MEETING_SCHEDULE) as (session, scope):
        gated = await agenda.add_task_report(session, scope)
        await call.audit(
            session,
            "agenda.add",
            f"item:{gated.item.id}",
            {
                "meeting": meeting_id,
                "category": gated.item.category.value,
                "gate": gated.decision.outcome.value,
                "rules": list(gated.decision.rule_ids),
            },
        )
        return gated.item


async def deferred_items(call: Call, org_id: int) -> list[dict[str, Any]]:
    require(call.context, P.MEETING_READ, org_id)
    async with call.db.session() as session:
        await org_or_404(session, org_id)
        return await agenda.deferred(session, org_id)


# -- attendance (A1–A3) ------------------------------------------------------------------------


async def check_in(call: Call, meeting_id: int, member_ids: Sequence[int]) -> list[int]:
    async with call.meeting(meeting_id, P.MEETING_CHAIR) as (session, scope):
        done = await roll_call.check_in(session, scope, member_ids, call.now)
        action, details = roll_call.hall_audit(True, done)
        await call.audit(session, action, f"meeting:{meeting_id}", details)
    return done


async def check_out(call: Call, meeting_id: int, member_ids: Sequence[int]) -> list[int]:
    async with call.meeting(meeting_id, P.MEETING_CHAIR) as (session, scope):
        done = await roll_call.check_out(session, scope, member_ids, call.now)
        action, details = roll_call.hall_audit(False, done)
        await call.audit(session, action, f"meeting:{meeting_id}", details)
    return done


async def hall_code(call: Call, meeting_id: int) -> dict[str, Any]:
    async with call.meeting(meeting_id, P.MEETING_CHAIR) as (session, scope):
        code, expires = await roll_call.issue_code(session, scope, call.now)
        await call.audit(
            session,
            "attendance.hall_code",
            f"meeting:{meeting_id}",
            {"code_kind": "hall", "expires_at": expires.isoformat()},
        )
    return {"code": code, "expires_at": expires.isoformat(), "seconds": roll_call.CODE_SECONDS}


async def check_in_with_code(call: Call, meeting_id: int, code: str) -> list[int]:
    async with call.meeting(meeting_id, P.MEETING_ATTEND) as (session, scope):
        if call.context.member_id is None:
            raise conflict("conduct.attendance.not_invited")
        member_id = call.context.member_id
        done = await roll_call.use_code(session, scope, member_id, code, call.now)
        action, details = roll_call.hall_audit(True, [member_id] if done else [], "hall_code")
        await call.audit(session, action, f"meeting:{meeting_id}", details)
    return [member_id] if done else []


async def record_absences(
    call: Call, meeting_id: int, absences: Sequence[tuple[int, bool, str]]
) -> dict[str, Any]:
    """``absences``: (member, with a reason, the reason) each (M1)."""
    async with call.meeting(meeting_id, P.MEETING_CHAIR) as (session, scope):
        await roll_call.record_absences(session, scope, list(absences))
        await call.audit(
            session,
            "attendance.absences",
            f"meeting:{meeting_id}",
            {
                "with_reason": [m for m, with_reason, _ in absences if with_reason],
                "without_reason": [m for m, with_reason, _ in absences if not with_reason],
            },
        )
        return await roll_call.summary(session, scope, call.now, call.grace, call.alive)


async def attendance_summary(call: Call, meeting_id: int) -> dict[str, Any]:
    async with call.meeting(meeting_id, P.MEETING_READ) as (session, scope):
        return await roll_call.summary(session, scope, call.now, call.grace, call.alive)


# -- votes (A3, A4, G3) ------------------------------------------------------------------------


async def open_vote(
    call: Call, meeting_id: int, subject: str, item_id: int | None, kind: str
) -> dict[str, Any]:
    """A secret ballot is refused unless in person (G3, T12); the refusal is audited."""
    try:
        async with call.meeting(meeting_id, P.MEETING_CHAIR) as (session, scope):
            vote = await votes.open_vote(
                session, scope, subject, item_id, kind == "secret", call.now
            )
            await call.audit(
                session,
                "vote.open",
                f"vote:{vote.id}",
                {"meeting": meeting_id, "item": item_id, "kind": "open"},
            )
            return votes.vote_out(vote)
    except PolicyDenied as refused:
        async with call.db.session() as session:
            await call.log.record(
                call.context.actor,
                "vote.refused",
                f"meeting:{meeting_id}",
                {"kind": kind, "rules": list(refused.decision.rule_ids)},
                session=session,
            )
        raise


async def list_votes(call: Call, meeting_id: int) -> list[dict[str, Any]]:
    async with call.meeting(meeting_id, P.MEETING_READ) as (session, scope):
        return [votes.vote_out(v) for v in await conduct_store.votes(session, scope.meeting.id)]


async def cast_ballot(call: Call, meeting_id: int, vote_id: int, choice: str) -> dict[str, Any]:
    """Only full members present and not in the hall, until the vote closes (A1, A4); a
    refusal is audited in its own transaction, so that it is kept."""
    context = call.context
    async with call.meeting(meeting_id, P.MEETING_ATTEND) as (session, scope):
        vote = await votes.vote_in(session, scope, vote_id)
        member = (
            await member_store.get(session, context.member_id)
            if context.member_id is not None
            else None
        )
        refused: PolicyDenied | None = None
        changed = False
        try:
            changed = await votes.cast(
                session, scope, vote, member, choice, call.now, call.grace, call.alive
            )
        except PolicyDenied as exc:
            refused = exc
        else:
            await call.audit(
                session,
                "vote.ballot",
                f"vote:{vote.id}",
                {"changed": changed, "meeting": scope.meeting.id},
            )
    if refused is not None:
        await call.audit(
            None,
            "vote.ballot_refused",
            f"vote:{vote_id}",
            {"rules": list(refused.decision.rule_ids), "meeting": meeting_id},
        )
        raise refused
    return {"vote_id": vote_id, "changed": changed}


async def hall_count(
    call: Call, meeting_id: int, vote_id: int, yes: int, no: int, abstain: int
) -> dict[str, Any]:
    async with call.meeting(meeting_id, P.MEETING_CHAIR) as (session, scope):
        vote = await votes.vote_in(session, scope, vote_id)
        await votes.set_hall(
            session, scope, vote, (yes, no, abstain), call.now, call.grace, call.alive
        )
        await call.audit(
            session,
            "vote.hall",
            f"vote:{vote.id}",
            {"yes": yes, "no": no, "abstain": abstain, "meeting": scope.meeting.id},
        )
        return votes.vote_out(vote)


async def close_vote(call: Call, meeting_id: int, vote_id: int) -> dict[str, Any]:
    async with call.meeting(meeting_id, P.MEETING_CHAIR) as (session, scope):
        vote = await votes.vote_in(session, scope, vote_id)
        result = await votes.close(session, scope, vote, call.now, call.grace, call.alive)
        await call.audit(
            session,
            "vote.close",
            f"vote:{vote.id}",
            {k: result[k] for k in ("outcome", "rules", "yes", "no", "abstain")}
            | {"meeting": scope.meeting.id},
        )
        return votes.vote_out(vote)


# -- the chair console -------------------------------------------------------------------------


async def console(call: Call, meeting_id: int) -> dict[str, Any]:
    """The chair console's state at once: agenda with gate decisions, the open item, votes
    with the running online count, attendance and quorum, minutes status."""
    async with call.meeting(meeting_id, P.MEETING_CHAIR) as (session, scope):
        items = await meeting_store.agenda(session, meeting_id)
        all_votes = await conduct_store.votes(session, meeting_id)
        open_vote = next((v for v in all_votes if v.closed_at is None), None)
        draft = await conduct_store.minutes(session, meeting_id)
        meeting = scope.meeting
        return {
            "meeting": {
                "id": meeting.id,
                "title": meeting.title,
                "kind": meeting.kind.value,
                "mode": meeting.mode.value,
                "status": meeting.status.value,
                "started_at": meeting.started_at.isoformat() if meeting.started_at else None,
                "ended_at": meeting.ended_at.isoformat() if meeting.ended_at else None,
            },
            "agenda": list(items),  # rows: the handler serialises them
            "open_item_id": next((i.id for i in items if i.status.value == "open"), None),
            "votes": [votes.vote_out(v) for v in all_votes],
            "open_vote_id": open_vote.id if open_vote else None,
            "running": await votes.running(session, open_vote) if open_vote else None,
            "attendance": await roll_call.summary(session, scope, call.now, call.grace, call.alive),
            "minutes": {
                "exists": draft is not None and bool(draft.content.get("title")),
                "adopted": draft is not None and draft.adopted_at is not None,
            },
        }


# -- documents (M3) ----------------------------------------------------------------------------


async def upload_document(
    call: Call,
    meeting_id: int,
    filename: str,
    media_type: str,
    read: Callable[[], Awaitable[bytes]],
) -> dict[str, Any]:
    """Stored encrypted under the meeting's documents data key; the body is read (``read``)
    only after the caller is authorized."""
    async with call.meeting(meeting_id, P.MEETING_SCHEDULE) as (session, scope):
        data = await read()
        row = await documents.upload(
            session,
            scope,
            filename,
            media_type,
            data,
            call.context.actor,
            call.now,
            call.log.provider,
        )
        await call.audit(
            session,
            "document.upload",
            f"document:{row.id}",
            {"meeting": meeting_id, "size": row.size, "sha256": row.sha256, "key_id": row.key_id},
        )
        return documents.document_out(row)


async def publish_document(call: Call, meeting_id: int, document_id: int) -> dict[str, Any]:
    """Later than a day before is allowed but flagged (M3)."""
    async with call.meeting(meeting_id, P.MEETING_SCHEDULE) as (session, scope):
        row = await documents.document_in(session, scope, document_id)
        m3 = await documents.publish(session, scope, row, call.now)
        await call.audit(
            session,
            "document.publish",
            f"document:{row.id}",
            {
                "outcome": m3["outcome"],
                "rules": m3["rules"],
                "late": m3["late"],
                "meeting": scope.meeting.id,
            },
        )
        return documents.document_out(row)


async def list_documents(call: Call, meeting_id: int) -> list[dict[str, Any]]:
    """Members see the published ones."""
    async with call.meeting(meeting_id, P.MEETING_READ) as (session, scope):
        chair = call.may(P.MEETING_SCHEDULE, scope)
        return [
            documents.document_out(d)
            for d in await conduct_store.documents(session, meeting_id)
            if chair or d.published_at is not None
        ]


@dataclass(frozen=True, slots=True)
class Download:
    data: bytes
    media_type: str
    filename: str


async def download_document(call: Call, meeting_id: int, document_id: int) -> Download:
    """Decrypted and checked first; every download and every refusal audited (the refusal is
    raised after the commit, so it stays in the log)."""
    refused: documents.DocumentUnavailable | None = None
    data = b""
    async with call.meeting(meeting_id, P.MEETING_READ) as (session, scope):
        row = await documents.document_in(session, scope, document_id)
        if row.published_at is None and not call.may(P.MEETING_SCHEDULE, scope):
            raise missing("conduct.not_found.document")
        details: dict[str, Any] = {"meeting": meeting_id, "size": row.size}
        try:
            data = await documents.read(session, row, call.log.provider)
        except documents.DocumentUnavailable as exc:
            refused = exc
            details = {"meeting": meeting_id, "reason": exc.reason}
        action = "document.download" if refused is None else "document.download.refused"
        await call.audit(session, action, f"document:{row.id}", details)
        media_type, name = row.media_type, row.filename
    if refused is not None:
        raise documents.refusal(refused)
    return Download(data, media_type, name)


# -- chat and presenting a document (R7) -------------------------------------------------------


async def post_chat(call: Call, meeting_id: int, sender: str, text: str) -> chat.Message:
    """A message from someone who may attend (the live room has admitted them): stored sealed
    under the meeting's chat key and audited ``chat.post`` with its length, never its text. A
    refused text is audited ``chat.refused`` (in its own transaction, so that it is kept)."""
    try:
        async with call.meeting(meeting_id, P.MEETING_ATTEND) as (session, scope):
            message = await chat.post(
                session, scope, call.context.account_id, sender, text, call.now, call.log.provider
            )
            await call.audit(
                session,
                "chat.post",
                f"chat:{message.id}",
                {"meeting": meeting_id, "chars": len(message.text)},
            )
            return message
    except chat.TextRefused as refused:
        await call.audit(None, "chat.refused", f"meeting:{meeting_id}", {"reason": refused.reason})
        raise


async def chat_history(call: Call, meeting_id: int) -> list[dict[str, Any]]:
    """The meeting's chat for its page (those who may read the meeting); audited ``chat.read``."""
    async with call.meeting(meeting_id, P.MEETING_READ) as (session, _scope):
        messages = await chat.history(session, meeting_id, call.log.provider)
        await call.audit(session, "chat.read", f"meeting:{meeting_id}", {"count": len(messages)})
        return [chat.message_out(m) for m in messages]


async def _published_pdf(
    call: Call, session: Session, scope: Scope, document_id: int
) -> tuple[Any, bytes]:
    row = await documents.document_in(session, scope, document_id)
    if row.published_at is None:
        raise missing("conduct.not_found.document")
    presentation.require_pdf(row.media_type)
    try:
        return row, await documents.read(session, row, call.log.provider)
    except documents.DocumentUnavailable as exc:
        raise documents.refusal(exc) from None


async def present_document(
    call: Call, meeting_id: int, document_id: int, page: int
) -> dict[str, Any]:
    """The chair presents page ``page`` of a published PDF of the meeting: checked (the
    document, its page) and audited ``document.present``; the live meeting tells everyone."""
    async with call.meeting(meeting_id, P.MEETING_CHAIR) as (session, scope):
        row, data = await _published_pdf(call, session, scope, document_id)
        pages = await presentation.page_count(data)
        presentation.check_page(page, pages)
        details = {"meeting": meeting_id, "page": page, "pages": pages}
        await call.audit(session, "document.present", f"document:{row.id}", details)
        return {"document_id": row.id, "filename": row.filename, "page": page, "pages": pages}


async def document_page(
    call: Call, meeting_id: int, document_id: int, page: int, cache: presentation.PageCache
) -> bytes:
    """One page of a published PDF as PNG, for those who may read the meeting; audited
    ``document.page`` like a download. Rendered once for everyone (``cache``)."""
    async with call.meeting(meeting_id, P.MEETING_READ) as (session, scope):
        row = await documents.document_in(session, scope, document_id)
        key = (row.id, row.sha256, page, presentation.PAGE_WIDTH)
        png = cache.get(key) if row.published_at is not None else None
        if png is None:
            row, data = await _published_pdf(call, session, scope, document_id)
            png = await presentation.render_page(data, page)
            cache.put(key, png)
        details = {"meeting": meeting_id, "page": page}
        await call.audit(session, "document.page", f"document:{row.id}", details)
        return png


# -- minutes (M1) ------------------------------------------------------------------------------


def _name(scope: Scope, member_id: int | None, name: str) -> str:
    if member_id is None:
        return name
    member = scope.member(member_id)
    if member is None:
        raise invalid("conduct.attendance.unknown_members", ids=str(member_id))
    return member.full_name


async def generate_minutes(
    call: Call,
    meeting_id: int,
    chair: tuple[int | None, str],
    secretary: tuple[int | None, str],
) -> dict[str, Any]:
    """Generate (or regenerate) the draft from the records; ``chair`` and ``secretary`` are a
    member of the meeting or a name."""
    async with call.meeting(meeting_id, P.MEETING_CHAIR) as (session, scope):
        chair_name = _name(scope, *chair)
        secretary_name = _name(scope, *secretary)
        row = await minutes.generate(session, scope, call.now, chair_name, secretary_name)
        await call.audit(session, "minutes.generate", f"meeting:{meeting_id}", {})
        return minutes.minutes_out(row)


async def get_minutes(call: Call, meeting_id: int) -> dict[str, Any]:
    async with call.meeting(meeting_id, P.MEETING_READ) as (session, _scope):
        return minutes.minutes_out(await minutes.current(session, meeting_id))


async def edit_minutes(
    call: Call,
    meeting_id: int,
    fields: dict[str, Any],
    items: dict[int, dict[str, Any]],
) -> dict[str, Any]:
    """Refused once adopted."""
    async with call.meeting(meeting_id, P.MEETING_CHAIR) as (session, scope):
        row = await minutes.edit(session, scope, fields, items, call.now)
        await call.audit(
            session,
            "minutes.edit",
            f"meeting:{meeting_id}",
            {"fields": sorted(fields), "items": sorted(items)},
        )
        return minutes.minutes_out(row)


async def adopt_minutes(call: Call, meeting_id: int) -> dict[str, Any]:
    """Read back and adopted: from now on immutable (M1)."""
    async with call.meeting(meeting_id, P.MEETING_CHAIR) as (session, scope):
        row = await minutes.adopt(session, scope, call.now)
        await call.audit(session, "minutes.adopt", f"meeting:{meeting_id}", {})
        return minutes.minutes_out(row)


async def export_minutes(call: Call, meeting_id: int, fmt: str) -> dict[str, Any]:
    """The minutes' content for an export in ``fmt`` (audited)."""
    async with call.meeting(meeting_id, P.MEETING_READ) as (session, scope):
        row = await minutes.current(session, meeting_id)
        await call.audit(session, "minutes.export", f"meeting:{meeting_id}", {"format": fmt})
        return minutes.printable(scope, row)


# -- party groups (E2, P5, GM3) ----------------------------------------------------------------


async def assign_groups(
    call: Call, meeting_id: int, committee_meeting_id: int, plans: Sequence[groups.Plan]
) -> Sequence[GroupAssignment]:
    """The committee's assignments for a cell meeting held by groups (§II.4.2)."""
    async with call.meeting(meeting_id, P.MEETING_SCHEDULE) as (session, scope):
        committee = await conduct_store.committee_member_ids(session, scope.cell.id)
        rows = await groups.assign(session, scope, committee_meeting_id, list(plans), committee)
        await call.audit(
            session,
            "groups.assign",
            f"meeting:{meeting_id}",
            {
                "committee_meeting": committee_meeting_id,
                "groups": [r.group_org_id for r in rows],
                "invited_leaders": [r.leader_member_id for r in rows if r.leader_invited],
            },
        )
        return rows


async def group_reports(call: Call, meeting_id: int, on: dt.date | None) -> list[dict[str, Any]]:
    """Each group's report: reported, late, due or overdue on ``on`` (today if None; GM3)."""
    async with call.meeting(meeting_id, P.MEETING_READ) as (session, scope):
        return await groups.reports(session, scope, on or call.now.astimezone(VN_TZ).date())


async def group_planning(call: Call, meeting_id: int) -> dict[str, Any]:
    """The committee's assignment step: groups from the roster, committee members, committee
    meetings and the content (§II.4.2). Whoever may schedule the cell meeting."""
    async with call.meeting(meeting_id, P.MEETING_SCHEDULE) as (session, scope):
        committee = await conduct_store.committee_member_ids(session, scope.cell.id)
        return await groups.planning(session, scope, committee)


async def group_status(call: Call, meeting_id: int) -> dict[str, Any]:
    """A group meeting's part in the cycle as its leader sees it (GM3 on the app clock)."""
    async with call.meeting(meeting_id, P.MEETING_READ) as (session, scope):
        return await groups.own_status(session, scope, call.now.astimezone(VN_TZ).date())


async def group_state(call: Call, meeting_id: int, start: bool) -> dict[str, Any]:
    """Open or close a party group's meeting; attendance ends with it (A1). The caller then
    ends the live meeting (``server.meeting.service.end_live``)."""
    async with call.meeting(meeting_id, P.MEETING_CHAIR) as (session, scope):
        meeting = await groups.start_or_close(session, scope, start, call.now)
        details: dict[str, Any] = {}
        if not start:
            details["intervals_closed"] = await attendance_store.close_open(
                session, meeting.id, call.now
            )
        action = "group.start" if start else "group.close"
        await call.audit(session, action, f"meeting:{meeting_id}", details)
        return {"id": meeting.id, "status": meeting.status.value}


async def report_group(call: Call, meeting_id: int) -> GroupAssignment:
    """The group leader's report to the cell committee; late reports flagged (GM3)."""
    async with call.meeting(meeting_id, P.MEETING_CHAIR) as (session, scope):
        row, decision = await groups.report(session, scope, call.now)
        await call.audit(
            session,
            "group.report",
            f"meeting:{meeting_id}",
            {"outcome": decision.outcome.value, "rules": list(decision.rule_ids)},
        )
        return row


async def consolidate_groups(call: Call, meeting_id: int) -> dict[str, Any]:
    """Refused while a group has not reported (GM3)."""
    async with call.meeting(meeting_id, P.MEETING_CHAIR) as (session, scope):
        out = await groups.consolidate(session, scope, call.now)
        await call.audit(
            session, "groups.consolidate", f"meeting:{meeting_id}", {"groups": len(out["groups"])}
        )
        return out


# -- the home page -----------------------------------------------------------------------------


async def home(call: Call) -> dict[str, Any]:
    """What the home page needs beyond the caller's organisations' meetings: today's date in
    Vietnam on the app clock (the page lists "today" by the server, never by the device), and
    the party-group meetings the caller is assigned to attend for the cell committee (§II.4.2),
    each only while the caller may still attend it (deny by default), and the group meetings
    the caller leads whose report is still owed (GM3)."""
    member_id = call.context.member_id
    rows: Sequence[tuple[GroupAssignment, Any, Any]] = []
    owed: Sequence[Any] = []
    if member_id is not None:
        async with call.db.session() as session:
            rows = await conduct_store.attending(session, member_id)
            owed = await conduct_store.reports_owed(session, member_id)
    attending = [
        {
            "meeting": meeting,
            "group_id": group.id,
            "group": group.name,
            "cell_meeting_id": row.cell_meeting_id,
        }
        for row, meeting, group in rows
        if allowed(call.context, P.MEETING_ATTEND, meeting.org_id)
    ]
    return {
        "today": call.now.astimezone(VN_TZ).date(),
        "now": call.now,
        "attending": attending,
        # GM3: the leader reaches the console to send a report also once the meeting is past
        "reports_owed": [m for m in owed if allowed(call.context, P.MEETING_CHAIR, m.org_id)],
    }
