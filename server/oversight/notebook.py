"""Members' notebooks (S2: "sổ ghi chép của đảng viên"): a member's private notes on a meeting.

Encrypted at rest (R7): AES-256-GCM under the member's notebook data key
(:attr:`KeyPurpose.NOTEBOOK`, one per member, stored only wrapped under the KEK in
``wrapped_keys``: ``hopchibo keys rotate`` rewraps it, shredding it makes the member's notes
unreadable). The nonce is random per encryption; the associated data names the format, the
meeting, the member and the key, so a ciphertext moved to another row does not decrypt.

Only the member reads and writes their notes (their account's member record, with the right to
attend or read the meeting's cell). An inspection sees an entry only once the member hands it in
to that inspection (audited ``notebook.hand_in``; the inspection's reading is audited
``notebook.read``). A security officer has no route to them: a try is refused 403 and audited.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from policy.error_codes import ErrorCode
from policy.i18n import tr
from server import rules
from server.audit import AuditLog
from server.auth.authz import Authorize, Permission
from server.auth.context import AccountContext
from server.crypto.errors import UnwrapError
from server.crypto.keys import KeyProvider, KeyPurpose, new_data_key, unwrap_key
from server.errors import AppError, not_found
from server.oversight.quality import either
from server.storage import audit as key_store
from server.storage import meetings as meeting_store
from server.storage import organisations as org_store
from server.storage import oversight as store
from server.storage.db import Database, Session
from server.storage.models import Meeting
from server.storage.models_oversight import NotebookEntry

P = Permission
_NONCE_SIZE = 12
_AD_LABEL = b"hopchibo/notebook/v1\x00"
MAX_CHARS = 20_000


def _ad(meeting_id: int, member_id: int, key_id: str) -> bytes:
    return _AD_LABEL + b"%d\x00%d\x00%s" % (meeting_id, member_id, key_id.encode("ascii"))


async def _member_key(session: Session, provider: KeyProvider, member_id: int) -> tuple[str, bytes]:
    key_id = await store.notebook_key_id(session, member_id)
    wrapped = None if key_id is None else await key_store.get_key(session, key_id)
    if wrapped is not None:
        return wrapped.key_id, unwrap_key(provider, wrapped)
    wrapped, dek = new_data_key(provider, KeyPurpose.NOTEBOOK)
    await key_store.add_key(session, wrapped)
    return wrapped.key_id, dek


async def _open(session: Session, provider: KeyProvider, row: NotebookEntry) -> str:
    wrapped = await key_store.get_key(session, row.key_id)
    if wrapped is None:
        raise AppError(410, ErrorCode.CONFLICT, tr("oversight.s2.unreadable"))
    try:
        dek = unwrap_key(provider, wrapped)
        plain = AESGCM(dek).decrypt(
            row.nonce, row.ciphertext, _ad(row.meeting_id, row.member_id, row.key_id)
        )
    except (InvalidTag, UnwrapError):
        raise AppError(409, ErrorCode.CONFLICT, tr("oversight.s2.unreadable")) from None
    return plain.decode("utf-8")


async def _own_meeting(
    session: Session, context: AccountContext, meeting_id: int, authorize: Authorize
) -> tuple[Meeting, int]:
    meeting = await meeting_store.get(session, meeting_id)
    if meeting is None:
        raise not_found("cuộc họp / meeting")
    either(authorize, (P.MEETING_ATTEND, meeting.org_id), (P.MEETING_READ, meeting.org_id))
    if context.member_id is None:
        raise AppError(403, ErrorCode.FORBIDDEN, tr("oversight.s2.no_member"))
    return meeting, context.member_id


def entry_out(row: NotebookEntry, text: str) -> dict[str, Any]:
    return {
        "id": row.id,
        "meeting_id": row.meeting_id,
        "member_id": row.member_id,
        "text": text,
        "updated_at": row.updated_at.isoformat(),
        "handed_in_inspection_id": row.handed_in_inspection_id,
        "handed_in_at": row.handed_in_at.isoformat() if row.handed_in_at else None,
    }


async def write(
    db: Database,
    audit: AuditLog,
    provider: KeyProvider,
    context: AccountContext,
    meeting_id: int,
    text: str,
    now: dt.datetime,
    authorize: Authorize,
) -> dict[str, Any]:
    """Save the member's notes on the meeting (replacing earlier ones), sealed under their key.
    The audit record names the entry, never its content."""
    async with db.session() as session:
        meeting, member_id = await _own_meeting(session, context, meeting_id, authorize)
        key_id, dek = await _member_key(session, provider, member_id)
        nonce = os.urandom(_NONCE_SIZE)
        sealed = AESGCM(dek).encrypt(
            nonce, text.encode("utf-8"), _ad(meeting.id, member_id, key_id)
        )
        row = await store.notebook_entry(session, meeting.id, member_id)
        if row is None:
            row = NotebookEntry(meeting_id=meeting.id, member_id=member_id)
            session.add(row)
        row.key_id, row.nonce, row.ciphertext, row.updated_at = key_id, nonce, sealed, now
        await session.flush()
        await audit.record(
            context.actor,
            "notebook.write",
            f"meeting:{meeting.id}",
            {"entry": row.id},
            session=session,
        )
        return entry_out(row, text)


async def read(
    db: Database,
    audit: AuditLog,
    provider: KeyProvider,
    context: AccountContext,
    meeting_id: int,
    authorize: Authorize,
) -> dict[str, Any]:
    """The member's own notes on the meeting (audited ``notebook.read``)."""
    async with db.session() as session:
        meeting, member_id = await _own_meeting(session, context, meeting_id, authorize)
        row = await store.notebook_entry(session, meeting.id, member_id)
        if row is None:
            raise AppError(404, ErrorCode.NOT_FOUND, tr("oversight.s2.no_entry"))
        text = await _open(session, provider, row)
        await audit.record(
            context.actor,
            "notebook.read",
            f"meeting:{meeting.id}",
            {"entry": row.id, "own": True},
            session=session,
        )
        return entry_out(row, text)


async def hand_in(
    db: Database,
    audit: AuditLog,
    context: AccountContext,
    meeting_id: int,
    inspection_id: int,
    now: dt.datetime,
    authorize: Authorize,
) -> dict[str, Any]:
    """S2: the member hands their notes on the meeting to an open inspection of its cell and
    period; from then on that inspection shows them (audited ``notebook.hand_in``)."""
    async with db.session() as session:
        meeting, member_id = await _own_meeting(session, context, meeting_id, authorize)
        inspection = await store.inspection(session, inspection_id)
        if inspection is None:
            raise not_found("cuộc kiểm tra / inspection")
        if inspection.closed_at is not None:
            raise AppError(409, ErrorCode.CONFLICT, tr("oversight.s2.closed"))
        on = rules.local_date(meeting.scheduled_start)
        if inspection.cell_org_id != meeting.org_id or not (
            inspection.period_from <= on <= inspection.period_to
        ):
            raise AppError(409, ErrorCode.CONFLICT, tr("oversight.s2.outside"))
        row = await store.notebook_entry(session, meeting.id, member_id)
        if row is None:
            raise AppError(404, ErrorCode.NOT_FOUND, tr("oversight.s2.no_entry"))
        row.handed_in_inspection_id, row.handed_in_at = inspection.id, now
        await session.flush()
        await audit.record(
            context.actor,
            "notebook.hand_in",
            f"meeting:{meeting.id}",
            {"entry": row.id, "inspection": inspection.id},
            session=session,
        )
        return {
            "id": row.id,
            "meeting_id": row.meeting_id,
            "handed_in_inspection_id": row.handed_in_inspection_id,
            "handed_in_at": now.isoformat(),
        }


async def open_inspections(
    db: Database, context: AccountContext, meeting_id: int, authorize: Authorize
) -> list[dict[str, Any]]:
    """S2: the inspections the member may hand their notes on the meeting to: open, of the
    meeting's cell, their period covering the meeting's day (Vietnam time)."""
    async with db.session() as session:
        meeting, _member = await _own_meeting(session, context, meeting_id, authorize)
        cell = await org_store.get(session, meeting.org_id)
        if cell is None or cell.parent_id is None:
            return []
        committee = await org_store.get(session, cell.parent_id)
        on = rules.local_date(meeting.scheduled_start)
        return [
            {
                "id": i.id,
                "committee": committee.name if committee is not None else "",
                "period_from": i.period_from.isoformat(),
                "period_to": i.period_to.isoformat(),
                "subject": i.subject,
            }
            for i in await store.inspections(session, cell.parent_id)
            if i.cell_org_id == cell.id
            and i.closed_at is None
            and i.period_from <= on <= i.period_to
        ]


async def handed_in_for(
    session: Session, provider: KeyProvider, inspection_id: int
) -> list[dict[str, Any]]:
    """S2: the entries members handed in to the inspection, opened (the caller audits)."""
    return [
        entry_out(row, await _open(session, provider, row))
        for row in await store.handed_in(session, inspection_id)
    ]
