"""Meeting documents (M3): uploaded by the chair, published to the invited at least one day
before the meeting (publishing later is allowed and flagged with M3), downloaded only by those
invited, each download audited by the handler.

Bytes are kept in the ``meeting_documents`` table for now; encryption at rest (R7) is the
records-security work that follows. The size limit is the server's ``max_body_bytes``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

from policy.calendar import check_documents
from policy.facts import MeetingRecord
from server.conduct.common import Scope, conflict, invalid, missing, require_not_closed
from server.rules import local_date
from server.storage import conduct as store
from server.storage.db import Session
from server.storage.models_conduct import MeetingDocument

#: file names as shown to members: letters (any script), digits, space and . _ - ( )
_NAME = re.compile(r"^[\w .()-]{1,255}$")
MEDIA_TYPES = frozenset(
    {
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/msword",
        "text/plain",
        "application/octet-stream",
    }
)


def check_name(filename: str) -> str:
    name = filename.strip()
    if not _NAME.match(name) or name.startswith("."):
        raise invalid("conduct.document.bad_name")
    return name


async def upload(
    session: Session,
    scope: Scope,
    filename: str,
    media_type: str,
    data: bytes,
    by: str,
    at: dt.datetime,
) -> MeetingDocument:
    require_not_closed(scope.meeting)
    if media_type not in MEDIA_TYPES:
        raise invalid("conduct.document.media_type", allowed=", ".join(sorted(MEDIA_TYPES)))
    if not data:
        raise invalid("conduct.document.empty")
    return await store.add_document(
        session,
        MeetingDocument(
            meeting_id=scope.meeting.id,
            filename=check_name(filename),
            media_type=media_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            data=data,
            uploaded_by=by,
            uploaded_at=at,
        ),
    )


async def document_in(session: Session, scope: Scope, document_id: int) -> MeetingDocument:
    row = await store.document(session, document_id)
    if row is None or row.meeting_id != scope.meeting.id:
        raise missing("conduct.not_found.document")
    return row


async def publish(
    session: Session, scope: Scope, document: MeetingDocument, at: dt.datetime
) -> dict[str, Any]:
    """M3: publish now; a publication later than the deadline is made but flagged."""
    require_not_closed(scope.meeting)
    if document.published_at is not None:
        raise conflict("conduct.document.already_published")
    record = MeetingRecord(
        meeting_id=str(scope.meeting.id),
        on=scope.on,
        mode=scope.meeting.mode,
        kind=scope.meeting.kind,
        status=scope.meeting.status,
        documents_published_on=local_date(at),
    )
    decision = check_documents(record, scope.rules)
    document.published_at = at
    document.m3 = {**decision.as_dict(), "late": not decision.ok}
    await session.flush()
    return document.m3


def document_out(row: MeetingDocument) -> dict[str, Any]:
    return {
        "id": row.id,
        "meeting_id": row.meeting_id,
        "filename": row.filename,
        "media_type": row.media_type,
        "size": row.size,
        "sha256": row.sha256,
        "uploaded_at": row.uploaded_at.isoformat(),
        "published_at": row.published_at.isoformat() if row.published_at else None,
        "m3": row.m3,
    }
