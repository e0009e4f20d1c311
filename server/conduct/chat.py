"""Meeting chat (text only): what a message may hold, sealed at rest, read back for the page.

Encrypted at rest like the meeting's documents (R7): each text is AES-256-GCM under the
meeting's chat data key (:attr:`KeyPurpose.CHAT`: one per meeting, stored only wrapped under the
KEK, so ``hopchibo keys rotate`` rewraps it and shredding it makes the meeting's chat
unreadable). The nonce is random per message; the associated data names the format, the
meeting, the message id and the key id, so a ciphertext moved to another row does not open.

A message is 1 to :data:`MAX_CHAT_CHARS` characters after trimming, with no control characters
(line breaks, escapes) and no bidirectional overrides that would make a text read otherwise than
it is stored. The minutes record how many messages were sent, never what they said.
"""

from __future__ import annotations

import datetime as dt
import os
import unicodedata
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from policy.model import MeetingStatus
from server.conduct.common import Scope, conflict, invalid
from server.crypto.errors import UnwrapError
from server.crypto.keys import KeyProvider, KeyPurpose, new_data_key, unwrap_key
from server.errors import AppError
from server.storage import audit as key_store
from server.storage import chat as store
from server.storage.db import Session
from server.storage.models_conduct import ChatRow
from signaling.protocol import MAX_CHAT_CHARS

_NONCE_SIZE = 12
_AD_LABEL = b"hopchibo/chat/v1\x00"
#: how many of the latest messages the history returns
HISTORY_LIMIT = 500
#: format characters that reorder or hide text (bidirectional embeddings, overrides, isolates)
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


@dataclass(frozen=True, slots=True)
class Message:
    id: int
    account_id: int
    sender: str
    text: str
    sent_at: dt.datetime


class TextRefused(AppError):
    """422: the text may not be sent; ``reason`` (``empty``, ``too_long``, ``control``) is
    audited, the text never."""

    def __init__(self, reason: str, **params: object) -> None:
        base = invalid(f"conduct.chat.{reason}", **params)
        super().__init__(base.status, base.code, base.message)
        self.reason = reason


def check_text(text: str) -> str:
    """The message as stored: trimmed; refused (422, Vietnamese first) when empty, longer than
    :data:`MAX_CHAT_CHARS` characters, or holding a control or bidirectional-override character."""
    body = text.strip()
    if not body:
        raise TextRefused("empty")
    if len(body) > MAX_CHAT_CHARS:
        raise TextRefused("too_long", limit=MAX_CHAT_CHARS)
    if any(unicodedata.category(c) == "Cc" or c in _BIDI for c in body):
        raise TextRefused("control")
    return body


def _associated_data(meeting_id: int, message_id: int, key_id: str) -> bytes:
    return _AD_LABEL + b"%d\x00%d\x00%s" % (meeting_id, message_id, key_id.encode("ascii"))


async def _meeting_key(
    session: Session, provider: KeyProvider, meeting_id: int
) -> tuple[str, bytes]:
    """The meeting's chat data key, created and stored wrapped on first use (or after every key
    it had was shredded)."""
    key_id = await store.key_id(session, meeting_id)
    wrapped = None if key_id is None else await key_store.get_key(session, key_id)
    if wrapped is not None:
        return wrapped.key_id, unwrap_key(provider, wrapped)
    wrapped, dek = new_data_key(provider, KeyPurpose.CHAT)
    await key_store.add_key(session, wrapped)
    return wrapped.key_id, dek


async def post(
    session: Session,
    scope: Scope,
    account_id: int,
    sender: str,
    text: str,
    at: dt.datetime,
    provider: KeyProvider,
) -> Message:
    """Store a message sealed under the meeting's chat key; refused once the meeting is over."""
    body = check_text(text)
    if scope.meeting.status not in (MeetingStatus.SCHEDULED, MeetingStatus.OPEN):
        raise conflict("conduct.chat.closed")
    key_id, dek = await _meeting_key(session, provider, scope.meeting.id)
    # inserted empty first: the associated data names the id the database assigns
    row = await store.add(
        session,
        ChatRow(
            meeting_id=scope.meeting.id,
            account_id=account_id,
            sender=sender,
            sent_at=at,
            key_id=key_id,
            nonce=b"",
            data=b"",
        ),
    )
    nonce = os.urandom(_NONCE_SIZE)
    ad = _associated_data(row.meeting_id, row.id, key_id)
    row.data = AESGCM(dek).encrypt(nonce, body.encode(), ad)
    row.nonce = nonce
    await session.flush()
    return Message(row.id, account_id, sender, body, at)


async def history(session: Session, meeting_id: int, provider: KeyProvider) -> list[Message]:
    """The latest :data:`HISTORY_LIMIT` messages, oldest first, opened; a message whose key was
    shredded or whose row was altered is left out (``unreadable`` counts them)."""
    keys: dict[str, bytes | None] = {}
    out: list[Message] = []
    for row in await store.of_meeting(session, meeting_id, HISTORY_LIMIT):
        if row.key_id not in keys:
            wrapped = await key_store.get_key(session, row.key_id)
            try:
                usable = wrapped is not None and wrapped.purpose is KeyPurpose.CHAT
                keys[row.key_id] = unwrap_key(provider, wrapped) if usable and wrapped else None
            except UnwrapError:
                keys[row.key_id] = None
        dek = keys[row.key_id]
        if dek is None:
            continue
        ad = _associated_data(row.meeting_id, row.id, row.key_id)
        try:
            text = AESGCM(dek).decrypt(bytes(row.nonce), bytes(row.data), ad).decode()
        except (InvalidTag, ValueError):
            continue
        out.append(Message(row.id, row.account_id, row.sender, text, row.sent_at))
    return out


def message_out(message: Message) -> dict[str, object]:
    return {
        "id": message.id,
        "sender": message.sender,
        "text": message.text,
        "sent_at": message.sent_at.isoformat(),
    }
