"""Tables of meeting conduct: hall check-in codes, what was said on each item, meeting documents,
chat messages and the party-group cycle (03-HD/TW §II.4.2). Votes, ballots, attendance, absences
and minutes live in :mod:`server.storage.models`.

A document's ``data`` is AES-256-GCM ciphertext under its meeting's documents data key (R7,
:mod:`server.conduct.documents`); rows written before migration 0005 hold plaintext until they are
converted (``enc_version`` 0).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.storage.models import Base, utcnow


class CheckinCode(Base):
    """A1: the short-lived code shown in the hall; only its SHA-256 is kept."""

    __tablename__ = "checkin_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[dt.datetime] = mapped_column()
    expires_at: Mapped[dt.datetime] = mapped_column()


class ItemNote(Base):
    """M1: one speaker's contribution on an agenda item, a differing or reserved opinion, or the
    item's conclusion, as the meeting's secretary records it."""

    __tablename__ = "item_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    speaker: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint(
            "kind IN ('speech', 'differing', 'reserved', 'conclusion')", name="ck_item_note_kind"
        ),
    )


class MeetingDocument(Base):
    """M3: a document of a meeting, visible to the invited once published. ``size`` and
    ``sha256`` are the plaintext's (members compare copies by the digest)."""

    __tablename__ = "meeting_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    #: ciphertext and tag (``enc_version`` 1), or the plaintext of a legacy row (0)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    #: 0: legacy plaintext (uploaded before migration 0005), 1: AES-256-GCM under ``key_id``.
    #: A row inserted without it is legacy, and start-up converts it.
    enc_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: the data key (``wrapped_keys``, purpose ``documents``); kept after the key is shredded
    key_id: Mapped[str | None] = mapped_column(String(64))
    #: the 12-byte AES-GCM nonce, random per encryption
    nonce: Mapped[bytes | None] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str] = mapped_column(String(200))
    uploaded_at: Mapped[dt.datetime] = mapped_column()
    published_at: Mapped[dt.datetime | None] = mapped_column()
    #: the M3 decision when published ({"outcome", "rules", "vi", "en"}); late is allowed, flagged
    m3: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (
        CheckConstraint(
            "(enc_version = 0 AND key_id IS NULL AND nonce IS NULL) OR "
            "(enc_version = 1 AND key_id IS NOT NULL AND nonce IS NOT NULL)",
            name="ck_meeting_document_sealing",
        ),
    )


class GroupAssignment(Base):
    """§II.4.2: one party group's part in a cell meeting held by groups (E2, P5, GM3)."""

    __tablename__ = "group_assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cell_meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    committee_meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    group_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    group_meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), unique=True)
    leader_member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    committee_member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    #: the leader is not a committee member and is invited to the committee's meeting
    leader_invited: Mapped[bool] = mapped_column(default=False)
    reported_at: Mapped[dt.datetime | None] = mapped_column()
    #: the leader's summary: attendance, votes, differing and reserved opinions (no free text
    #: beyond what the group's minutes hold)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: the GM3 decision at reporting time
    gm3: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (
        UniqueConstraint("cell_meeting_id", "group_org_id", name="uq_group_assignment"),
    )


class ChatRow(Base):
    """A chat message of a live meeting (R7): the text is AES-256-GCM ciphertext under the
    meeting's chat data key (:mod:`server.conduct.chat`); who sent it and when are kept in
    clear (the minutes count the messages, never quote them)."""

    __tablename__ = "chat_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    sender: Mapped[str] = mapped_column(String(200))
    sent_at: Mapped[dt.datetime] = mapped_column()
    #: the data key (``wrapped_keys``, purpose ``chat``); kept after the key is shredded
    key_id: Mapped[str] = mapped_column(String(64))
    nonce: Mapped[bytes] = mapped_column(LargeBinary)
    data: Mapped[bytes] = mapped_column(LargeBinary)
