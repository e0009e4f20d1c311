"""The sealed audit table and its keys and checkpoints: append and read only (R6, R7).

The application never updates or deletes an ``audit_log`` row (triggers refuse it, migration
0004). Everything here is storage; the sealing, the chain and the lock protocol are in
:mod:`server.audit`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, delete, func, insert, select, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from server.crypto.auditchain import (
    AuditRow,
    SegmentKeys,
    datetime_from_ts,
    open_row,
    ts_from_datetime,
)
from server.crypto.checkpoints import Checkpoint
from server.crypto.keys import KeyPurpose, KeyRing, WrappedKey
from server.storage.db import Session
from server.storage.models import AuditRecord
from server.storage.models_records import CheckpointRow, RecordsMeta, WrappedKeyRow

CHAIN_LOCK_ID = 0x68_6F_70_63_68_61_75_64  # "hopchaud": pg_advisory_xact_lock key of the chain
_LOCK_META = "chain-lock"


class ChainLockTimeout(RuntimeError):
    """The audit chain lock was not acquired in time (another transaction holds it)."""


async def lock_chain(session: Session, wait_seconds: float = 30.0) -> None:
    """Take the cross-process append lock for the rest of ``session``'s transaction.

    PostgreSQL: ``pg_try_advisory_xact_lock`` polled for ``wait_seconds`` (re-entrant within one
    transaction; released at commit or rollback). Polling rather than blocking turns a
    transaction that waits on itself (a second session opened while the first holds the lock)
    into an error instead of a hang. SQLite: an idempotent write that takes the write lock,
    so the chain is re-read under it (SQLite admits one writer; ``busy_timeout`` waits).
    """
    if session.bind.dialect.name == "postgresql":
        deadline = time.monotonic() + wait_seconds
        pause = 0.0005
        while True:
            got = await session.scalar(
                text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": CHAIN_LOCK_ID}
            )
            if got:
                return
            if time.monotonic() > deadline:
                raise ChainLockTimeout("audit chain lock not acquired")
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.02)
    await session.execute(
        sqlite_insert(RecordsMeta)
        .values(name=_LOCK_META, value="-")
        .on_conflict_do_nothing(index_elements=["name"])
    )


def _row(r: AuditRecord) -> AuditRow:
    return AuditRow(r.seq, r.ts, r.key_id, r.nonce, r.ciphertext, r.prev_hash, r.entry_hash, r.mac)


def _rows_query() -> Any:
    t = AuditRecord.__table__.c
    return select(t.seq, t.ts, t.key_id, t.nonce, t.ciphertext, t.prev_hash, t.entry_hash, t.mac)


def _tuple_row(r: Any) -> AuditRow:
    return AuditRow(
        int(r[0]),
        int(r[1]),
        str(r[2]),
        bytes(r[3]),
        bytes(r[4]),
        bytes(r[5]),
        bytes(r[6]),
        bytes(r[7]),
    )


_COLUMNS = ("seq", "ts", "key_id", "nonce", "ciphertext", "prev_hash", "entry_hash", "mac")
_AUDIT = cast(Table, AuditRecord.__table__)


async def insert_rows(session: Session, rows: Sequence[AuditRow]) -> None:
    """Insert sealed rows in the session's transaction: PostgreSQL ``COPY`` (asyncpg), else
    one executemany of plain tuples; no ORM objects for the hot path."""
    if not rows:
        return
    values = [
        (r.seq, r.ts, r.key_id, r.nonce, r.ciphertext, r.prev_hash, r.entry_hash, r.mac)
        for r in rows
    ]
    conn = await session.connection()
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "asyncpg":
        raw = await conn.get_raw_connection()
        await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
            "audit_log", records=values, columns=_COLUMNS
        )
        return
    await conn.execute(insert(_AUDIT), [dict(zip(_COLUMNS, v, strict=True)) for v in values])


async def head(session: Session) -> tuple[int, bytes] | None:
    """``(seq, entry_hash)`` of the last row, or ``None`` for an empty log."""
    got = (
        await session.execute(
            select(AuditRecord.seq, AuditRecord.entry_hash)
            .order_by(AuditRecord.seq.desc())
            .limit(1)
        )
    ).first()
    return None if got is None else (int(got[0]), bytes(got[1]))


async def entry_hash_at(session: Session, seq: int) -> bytes | None:
    got = await session.scalar(select(AuditRecord.entry_hash).where(AuditRecord.seq == seq))
    return None if got is None else bytes(got)


async def entry_hashes(session: Session, after: int, upto: int) -> list[tuple[int, bytes]]:
    """``(seq, entry_hash)`` of rows ``after+1..upto`` in order (to extend a Merkle frontier)."""
    result = await session.execute(
        select(AuditRecord.seq, AuditRecord.entry_hash)
        .where(AuditRecord.seq > after, AuditRecord.seq <= upto)
        .order_by(AuditRecord.seq)
    )
    return [(int(s), bytes(h)) for s, h in result.all()]


async def iter_rows(
    session: Session, *, after: int = 0, page: int = 20000
) -> AsyncIterator[list[AuditRow]]:
    """Every row after ``after`` in seq order, in pages (for verification)."""
    last = after
    seq = AuditRecord.__table__.c.seq
    while True:
        result = await session.execute(_rows_query().where(seq > last).order_by(seq).limit(page))
        got = [_tuple_row(r) for r in result.all()]
        if not got:
            return
        yield got
        last = got[-1].seq


async def rows_desc(
    session: Session,
    *,
    before: int | None,
    limit: int,
    since_us: int | None = None,
    until_us: int | None = None,
) -> list[AuditRow]:
    """Rows with seq < ``before`` (newest first), within ``[since, until)`` when given."""
    query = select(AuditRecord).order_by(AuditRecord.seq.desc()).limit(limit)
    if before is not None:
        query = query.where(AuditRecord.seq < before)
    if since_us is not None:
        query = query.where(AuditRecord.ts >= since_us)
    if until_us is not None:
        query = query.where(AuditRecord.ts < until_us)
    return [_row(r) for r in (await session.execute(query)).scalars().all()]


async def rows_by_seq(session: Session, seqs: Sequence[int]) -> list[AuditRow]:
    got = (
        (
            await session.execute(
                select(AuditRecord).where(AuditRecord.seq.in_(list(seqs))).order_by(AuditRecord.seq)
            )
        )
        .scalars()
        .all()
    )
    return [_row(r) for r in got]


async def count(session: Session) -> int:
    return int(await session.scalar(select(func.count()).select_from(AuditRecord)) or 0)


# -- wrapped keys ---------------------------------------------------------------------------


def _wrapped(row: WrappedKeyRow) -> WrappedKey:
    return WrappedKey(row.key_id, KeyPurpose(row.purpose), row.kek_id, bytes(row.wrapped))


async def load_keys(session: Session, purpose: KeyPurpose | None = None) -> list[WrappedKey]:
    query = select(WrappedKeyRow).order_by(WrappedKeyRow.created_at, WrappedKeyRow.key_id)
    if purpose is not None:
        query = query.where(WrappedKeyRow.purpose == purpose.value)
    return [_wrapped(r) for r in (await session.execute(query)).scalars().all()]


async def get_key(session: Session, key_id: str) -> WrappedKey | None:
    row = await session.get(WrappedKeyRow, key_id)
    return None if row is None else _wrapped(row)


async def key_exists(session: Session, key_id: str) -> bool:
    got = await session.scalar(select(WrappedKeyRow.key_id).where(WrappedKeyRow.key_id == key_id))
    return got is not None


async def add_key(session: Session, wrapped: WrappedKey) -> None:
    await session.execute(
        insert(WrappedKeyRow).values(
            key_id=wrapped.key_id,
            purpose=wrapped.purpose.value,
            kek_id=wrapped.kek_id,
            wrapped=wrapped.wrapped,
            created_at=dt.datetime.now(dt.UTC),
        )
    )


async def replace_keys(session: Session, rotated: Sequence[WrappedKey]) -> None:
    """Store rewrapped keys (same ids) in the caller's transaction."""
    for w in rotated:
        await session.execute(
            update(WrappedKeyRow)
            .where(WrappedKeyRow.key_id == w.key_id)
            .values(kek_id=w.kek_id, wrapped=w.wrapped)
        )


async def delete_key(session: Session, key_id: str) -> bool:
    """Crypto-shred: delete the only stored copy of a wrapped key."""
    result = await session.execute(delete(WrappedKeyRow).where(WrappedKeyRow.key_id == key_id))
    return bool(getattr(result, "rowcount", 0))


# -- meta and checkpoints -------------------------------------------------------------------


async def get_meta(session: Session, name: str) -> str | None:
    row = await session.get(RecordsMeta, name)
    return None if row is None else row.value


async def set_meta(session: Session, name: str, value: str) -> None:
    row = await session.get(RecordsMeta, name)
    if row is None:
        session.add(RecordsMeta(name=name, value=value))
    else:
        row.value = value
    await session.flush()


def _checkpoint(row: CheckpointRow) -> Checkpoint:
    return Checkpoint(
        row.log_id, row.size, bytes(row.root), row.ts, row.signer, bytes(row.signature)
    )


async def add_checkpoint(session: Session, cp: Checkpoint) -> None:
    await session.execute(
        insert(CheckpointRow).values(
            size=cp.size,
            log_id=cp.log_id,
            root=cp.root,
            ts=cp.ts,
            signer=cp.signer,
            signature=cp.signature,
        )
    )


async def checkpoints(session: Session) -> list[Checkpoint]:
    rows = (await session.execute(select(CheckpointRow).order_by(CheckpointRow.size))).scalars()
    return [_checkpoint(r) for r in rows.all()]


async def last_checkpoint(session: Session) -> Checkpoint | None:
    row = (
        await session.execute(select(CheckpointRow).order_by(CheckpointRow.size.desc()).limit(1))
    ).scalar_one_or_none()
    return None if row is None else _checkpoint(row)


# -- decrypted reading (compatibility) ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuditView:
    """A decrypted audit record, as officers and tests read it."""

    seq: int
    ts: dt.datetime
    actor: str
    action: str
    target: str
    details: dict[str, Any]


class SegmentCache:
    """Segment keys derived from a :class:`KeyRing`; rows under an unusable key are skipped by
    readers (verification reports them)."""

    def __init__(self, ring: KeyRing) -> None:
        self._ring = ring
        self._keys: dict[str, SegmentKeys | None] = {}

    def get(self, key_id: str) -> SegmentKeys | None:
        if key_id not in self._keys:
            try:
                dek = self._ring.key(key_id, KeyPurpose.AUDIT_SEGMENT)
                self._keys[key_id] = SegmentKeys.derive(key_id, dek)
            except Exception:  # unknown, shredded or unwrappable: the verifier says which
                self._keys[key_id] = None
        return self._keys[key_id]


def view(row: AuditRow, segments: SegmentCache) -> AuditView | None:
    keys = segments.get(row.key_id)
    if keys is None:
        return None
    try:
        rec = open_row(row, keys)
    except Exception:  # altered row: the verifier names it
        return None
    return AuditView(
        rec.seq,
        datetime_from_ts(rec.ts),
        rec.entry.actor,
        rec.entry.action,
        rec.entry.target,
        dict(rec.entry.details),
    )


def of_meeting(v: AuditView, meeting: int) -> bool:
    """A record about the meeting: its target, or an item, vote or document of it (their
    records carry the meeting's id in their details)."""
    return v.target == f"meeting:{meeting}" or v.details.get("meeting") in (meeting, str(meeting))


def _matches(
    v: AuditView,
    actor: str | None,
    action: str | None,
    target: str | None,
    actors: frozenset[str] | None = None,
    meeting: int | None = None,
) -> bool:
    return (
        (actor is None or v.actor == actor)
        and (actors is None or v.actor in actors)
        and (action is None or v.action == action)
        and (target is None or v.target == target)
        and (meeting is None or of_meeting(v, meeting))
    )


async def search_with(
    session: Session,
    ring: KeyRing,
    *,
    actor: str | None = None,
    action: str | None = None,
    target: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    before: int | None = None,
    limit: int = 200,
    scan_limit: int = 200_000,
    actors: frozenset[str] | None = None,
    meeting: int | None = None,
    where: Callable[[AuditView], bool] | None = None,
) -> list[AuditView]:
    """Newest first. The payload is encrypted, so actor/action/target (and ``where``, any test
    of a decrypted record) are matched after decryption; time bounds and ``before`` (a seq) are
    applied in SQL."""
    segments = SegmentCache(ring)
    since_us = None if since is None else ts_from_datetime(since)
    until_us = None if until is None else ts_from_datetime(until)
    out: list[AuditView] = []
    scanned = 0
    cursor = before
    while len(out) < limit and scanned < scan_limit:
        page = await rows_desc(
            session, before=cursor, limit=2000, since_us=since_us, until_us=until_us
        )
        if not page:
            break
        scanned += len(page)
        for row in page:
            v = view(row, segments)
            if (
                v is not None
                and _matches(v, actor, action, target, actors, meeting)
                and (where is None or where(v))
            ):
                out.append(v)
                if len(out) >= limit:
                    break
        cursor = page[-1].seq
    return out
