"""What a live meeting shares besides media: chat messages and the document page the chair
presents. The socket's message is checked by the room (admitted; a chair to present), then the
conduct flow stores or checks it and audits it (:mod:`server.conduct.service`, with the caller as
authenticated at the upgrade), and the live meeting tells everyone what this returns."""

from __future__ import annotations

import datetime as dt

from policy.error_codes import ErrorCode, ProtocolError
from server.audit import AuditLog
from server.conduct import service
from server.errors import AppError
from server.leases import Liveness
from server.meeting.admission import Attendee
from server.storage.db import Database
from signaling.protocol import ChatMessage, Presenting


def _call(
    db: Database, audit: AuditLog, alive: Liveness, attendee: Attendee, meeting_id: int
) -> service.Call:
    if attendee.context is None:  # a connection made without a session (tools): deny
        raise ProtocolError(ErrorCode.FORBIDDEN, ErrorCode.FORBIDDEN.text())
    return service.Call(
        db, audit, attendee.context, dt.datetime.now(dt.UTC), dt.timedelta(0), alive, meeting_id
    )


def _refusal(exc: AppError) -> ProtocolError:
    return ProtocolError(exc.code, exc.message, exc.rules)


async def post_chat(
    db: Database,
    audit: AuditLog,
    alive: Liveness,
    meeting_id: int,
    attendee: Attendee,
    participant_id: str,
    text: str,
) -> ChatMessage:
    """Store ``text`` sealed and audited; the message everyone admitted gets."""
    call = _call(db, audit, alive, attendee, meeting_id)
    sender = attendee.identity.display_name
    try:
        message = await service.post_chat(call, meeting_id, sender, text)
    except AppError as exc:
        raise _refusal(exc) from None
    return ChatMessage(
        id=message.id,
        participant_id=participant_id,
        display_name=sender,
        text=message.text,
        sent_at=message.sent_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
    )


async def present(
    db: Database,
    audit: AuditLog,
    alive: Liveness,
    meeting_id: int,
    attendee: Attendee,
    document_id: int,
    page: int,
) -> Presenting:
    """Check the document and the page (a published PDF of this meeting), audited."""
    call = _call(db, audit, alive, attendee, meeting_id)
    try:
        out = await service.present_document(call, meeting_id, document_id, page)
    except AppError as exc:
        raise _refusal(exc) from None
    return Presenting(
        document_id=out["document_id"],
        filename=out["filename"],
        page=out["page"],
        pages=out["pages"],
    )
