"""Tables of the records service (R6, R7): wrapped keys, signed checkpoints, recordings.

Key material is only ever stored wrapped under the KEK (:class:`server.crypto.keys.WrappedKey`);
deleting a ``wrapped_keys`` row is crypto-shredding.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from server.storage.models import Base, utcnow


class WrappedKeyRow(Base):
    """One DEK or signing seed, wrapped under the KEK ``kek_id``."""

    __tablename__ = "wrapped_keys"

    key_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(32))
    kek_id: Mapped[str] = mapped_column(String(64))
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class RecordsMeta(Base):
    """Named values of the records service: the log id, the signing key id."""

    __tablename__ = "records_meta"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class CheckpointRow(Base):
    """A signed Merkle tree head of the audit log (also exported as a file)."""

    __tablename__ = "audit_checkpoints"

    size: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    log_id: Mapped[str] = mapped_column(String(64))
    root: Mapped[bytes] = mapped_column(LargeBinary)
    ts: Mapped[int] = mapped_column(BigInteger)
    signer: Mapped[str] = mapped_column(String(64))
    signature: Mapped[bytes] = mapped_column(LargeBinary)


class RecordingRow(Base):
    """An encrypted recording file and its data key id (``None`` once shredded)."""

    __tablename__ = "recordings"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    key_id: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))  # recording | complete | failed | shredded
    file_name: Mapped[str] = mapped_column(String(200))
    started_by: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[dt.datetime] = mapped_column()
    stopped_at: Mapped[dt.datetime | None] = mapped_column()
    size: Mapped[int] = mapped_column(BigInteger, default=0)  # plaintext bytes
    shredded_at: Mapped[dt.datetime | None] = mapped_column()
