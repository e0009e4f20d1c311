"""Meeting documents (M3): uploaded by the chair, published to the invited at least one day
before the meeting (publishing later is allowed and flagged with M3), downloaded only by those
invited, each download audited by the handler. The size limit is the server's ``max_body_bytes``.

Encrypted at rest (R7). A document's bytes are AES-256-GCM under its meeting's documents data key
(:attr:`KeyPurpose.DOCUMENTS`: one per meeting, stored only wrapped under the KEK in
``wrapped_keys``, so ``hopchibo keys rotate`` rewraps it and shredding it makes every document
sealed under it unreadable). The 12-byte nonce is random per encryption; the associated data
names the format, the meeting id, the document id and the key id, so a ciphertext copied into
another row does not decrypt. ``size`` and ``sha256`` are the plaintext's, and a download releases
the bytes only once their SHA-256 matches. Two first uploads racing for one meeting may each
create a key; every row names its own.

Rows stored in clear before migration 0005 (``enc_version`` 0) are still read until
:func:`encrypt_legacy` (at start-up, and ``hopchibo records encrypt-documents``) seals them, each
audited ``document.encrypt``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from policy.calendar import check_documents
from policy.error_codes import ErrorCode
from policy.facts import MeetingRecord
from policy.i18n import tr
from server.audit import AuditLog
from server.conduct.common import Scope, conflict, invalid, missing, require_not_closed
from server.crypto.errors import UnwrapError
from server.crypto.keys import KeyProvider, KeyPurpose, new_data_key, unwrap_key
from server.errors import AppError
from server.rules import local_date
from server.storage import audit as key_store
from server.storage import conduct as store
from server.storage.db import Database, Session
from server.storage.models_conduct import MeetingDocument

LEGACY = 0
"""``enc_version`` of a row stored in clear before migration 0005."""
SEALED = 1
"""``enc_version`` of a row sealed as described above."""

_NONCE_SIZE = 12
_AD_LABEL = b"hopchibo/document/v1\x00"

#: why a document cannot be released (``DocumentUnavailable.reason``, audited)
KEY_DESTROYED = "key_destroyed"
KEY_UNUSABLE = "key_unusable"
UNAUTHENTIC = "unauthentic"
DIGEST = "digest_mismatch"
FORMAT = "unknown_format"


class DocumentUnavailable(Exception):
    """The stored bytes cannot be released. ``reason`` is :data:`KEY_DESTROYED` when the data
    key was shredded (gone for good), otherwise the row was altered, moved to another row, or
    sealed under a key this server cannot unwrap. Carries no content or key material."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    @property
    def gone(self) -> bool:
        return self.reason == KEY_DESTROYED


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


def _associated_data(meeting_id: int, document_id: int, key_id: str) -> bytes:
    return _AD_LABEL + b"%d\x00%d\x00%s" % (meeting_id, document_id, key_id.encode("ascii"))


async def _meeting_key(
    session: Session, provider: KeyProvider, meeting_id: int
) -> tuple[str, bytes]:
    """The meeting's documents data key (id, bytes), created and stored wrapped on first use or
    when every key it had was shredded."""
    key_id = await store.documents_key_id(session, meeting_id)
    wrapped = None if key_id is None else await key_store.get_key(session, key_id)
    if wrapped is not None:
        return wrapped.key_id, unwrap_key(provider, wrapped)
    wrapped, dek = new_data_key(provider, KeyPurpose.DOCUMENTS)
    await key_store.add_key(session, wrapped)
    return wrapped.key_id, dek


def _seal(row: MeetingDocument, plaintext: bytes, key_id: str, dek: bytes) -> None:
    """Encrypt ``plaintext`` into ``row`` (which has its id) under a fresh random nonce."""
    nonce = os.urandom(_NONCE_SIZE)
    ad = _associated_data(row.meeting_id, row.id, key_id)
    row.data = AESGCM(dek).encrypt(nonce, plaintext, ad)
    row.enc_version, row.key_id, row.nonce = SEALED, key_id, nonce


async def upload(
    session: Session,
    scope: Scope,
    filename: str,
    media_type: str,
    data: bytes,
    by: str,
    at: dt.datetime,
    provider: KeyProvider,
) -> MeetingDocument:
    """Store the document encrypted under the meeting's key (``provider`` holds the KEK)."""
    require_not_closed(scope.meeting)
    if media_type not in MEDIA_TYPES:
        raise invalid("conduct.document.media_type", allowed=", ".join(sorted(MEDIA_TYPES)))
    if not data:
        raise invalid("conduct.document.empty")
    name = check_name(filename)
    key_id, dek = await _meeting_key(session, provider, scope.meeting.id)
    # inserted empty first: the associated data names the id the database assigns
    row = await store.add_document(
        session,
        MeetingDocument(
            meeting_id=scope.meeting.id,
            filename=name,
            media_type=media_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            data=b"",
            enc_version=LEGACY,
            uploaded_by=by,
            uploaded_at=at,
        ),
    )
    _seal(row, data, key_id, dek)
    await session.flush()
    return row


async def read(session: Session, row: MeetingDocument, provider: KeyProvider) -> bytes:
    """The document's plaintext, decrypted and checked against its SHA-256; a legacy row's
    stored bytes, checked likewise. :class:`DocumentUnavailable` otherwise."""
    if row.enc_version == LEGACY:
        data = bytes(row.data)
    elif row.enc_version == SEALED and row.key_id is not None and row.nonce is not None:
        wrapped = await key_store.get_key(session, row.key_id)
        if wrapped is None:
            raise DocumentUnavailable(KEY_DESTROYED)
        if wrapped.purpose is not KeyPurpose.DOCUMENTS:
            raise DocumentUnavailable(KEY_UNUSABLE)
        try:
            dek = unwrap_key(provider, wrapped)
        except UnwrapError:
            raise DocumentUnavailable(KEY_UNUSABLE) from None
        ad = _associated_data(row.meeting_id, row.id, row.key_id)
        try:
            data = AESGCM(dek).decrypt(bytes(row.nonce), bytes(row.data), ad)
        except (InvalidTag, ValueError):
            raise DocumentUnavailable(UNAUTHENTIC) from None
    else:
        raise DocumentUnavailable(FORMAT)
    if hashlib.sha256(data).hexdigest() != row.sha256:
        raise DocumentUnavailable(DIGEST)
    return data


def refusal(exc: DocumentUnavailable) -> AppError:
    """410 when the key was destroyed (nothing will bring the document back), else 409."""
    if exc.gone:
        return AppError(410, ErrorCode.NOT_FOUND, tr("records.document.key_destroyed"))
    return conflict("records.document.unreadable")


async def encrypt_legacy(db: Database, audit: AuditLog, by: str) -> int:
    """Seal every document still stored in clear, in one transaction, each audited
    ``document.encrypt``; the number sealed. Idempotent: nothing left in clear is one query and
    no audit record. The audit chain lock serialises concurrent runs (several processes starting
    at once) and keeps a key rotation from interleaving."""
    async with db.session() as s:
        if not await store.has_legacy_documents(s):
            return 0
    sealed = 0
    async with db.session() as s:
        await key_store.lock_chain(s)
        keys: dict[int, tuple[str, bytes]] = {}
        for document_id in await store.legacy_document_ids(s):
            row = await store.document(s, document_id)
            assert row is not None  # rows are never deleted
            if row.meeting_id not in keys:
                keys[row.meeting_id] = await _meeting_key(s, audit.provider, row.meeting_id)
            key_id, dek = keys[row.meeting_id]
            plaintext = bytes(row.data)
            intact = hashlib.sha256(plaintext).hexdigest() == row.sha256
            _seal(row, plaintext, key_id, dek)
            await s.flush()
            await audit.record(
                by,
                "document.encrypt",
                f"document:{row.id}",
                {"meeting": row.meeting_id, "key_id": key_id, "size": row.size, "intact": intact},
                session=s,
            )
            store.forget(s, row)
            sealed += 1
    return sealed


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
