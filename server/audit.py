"""The audit interface every feature calls: ``record(actor, action, target, details)`` (R6, R7).

Behind it, the sealed log of :mod:`server.crypto.auditchain`: each record's payload is
AES-256-GCM encrypted under a segment data key (associated data: seq, ts, key id), chained by
hash and HMAC, with Ed25519-signed Merkle checkpoints every N rows or M minutes, exported as files
for the security officer to copy off the server.

Append protocol (two processes never fork the chain):

1. take the database chain lock for the transaction (PostgreSQL ``pg_try_advisory_xact_lock``;
   SQLite: the database write lock), then this process's ``asyncio.Lock``;
2. re-read the last row (seq, entry_hash) under the lock and bring the cached chain state to it;
3. seal and insert the batch in the transaction: the caller's when ``session=`` is given, so the
   record commits or rolls back with the change it describes.

Checkpoints are signed only over committed rows, in a transaction of their own.

Details must never carry a secret or meeting content: keys that look like secrets are refused.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from server.crypto.auditchain import (
    SEGMENT_MAX_ROWS,
    AuditEntry,
    ChainState,
    JsonValue,
    SegmentKeys,
    seal_many,
    ts_from_datetime,
    utc_micros,
)
from server.crypto.checkpoints import (
    Checkpoint,
    CheckpointPolicy,
    CheckpointSigner,
    TrustedSigners,
    export_checkpoint,
    load_signer,
    new_signer,
    public_key_text,
    witness_checkpoint,
)
from server.crypto.extract import make_extract
from server.crypto.keys import (
    KeyProvider,
    KeyPurpose,
    KeyRing,
    WrappedKey,
)
from server.crypto.merkle import FrontierBuilder
from server.crypto.verify import VerifyKeys, VerifyReport, verify
from server.storage import audit as store
from server.storage.audit import AuditView
from server.storage.db import Database, Session

log = logging.getLogger(__name__)

_SECRET_KEY = re.compile(r"pass|secret|token|totp|otp|code|key|cookie|sdp|content", re.I)
#: keys that match the pattern above but are known to carry no secret
_ALLOWED_KEYS = frozenset({"code_kind", "error_code", "key_id", "rule_code"})
_HISTORY = 32  # recent chain states kept to follow a rolled-back caller transaction


class AuditError(ValueError):
    pass


def _check_details(details: dict[str, Any]) -> None:
    for key, value in details.items():
        if _SECRET_KEY.search(key) and key not in _ALLOWED_KEYS:
            raise AuditError(f"audit details may not carry {key!r}")
        if isinstance(value, dict):
            _check_details(value)


@dataclass(frozen=True, slots=True)
class AuditOptions:
    """Checkpoint policy and export directory (``None``: checkpoints are kept in the database
    only); a new segment data key every ``segment_hours`` and at every process start."""

    checkpoint_every_rows: int = 1000
    checkpoint_every_seconds: int = 300
    checkpoint_dir: Path | None = None
    #: the append-only witness each checkpoint is also written to (``None``: none)
    witness_dir: Path | None = None
    segment_hours: int = 24

    def __post_init__(self) -> None:
        if self.segment_hours < 1:
            raise ValueError("segment_hours must be positive")

    @property
    def policy(self) -> CheckpointPolicy:
        return CheckpointPolicy(self.checkpoint_every_rows, self.checkpoint_every_seconds)


@dataclass(frozen=True)
class _Encoded(AuditEntry):
    """An entry whose canonical payload was computed once, before the chain lock."""

    encoded: bytes = b""

    @classmethod
    def of(cls, entry: AuditEntry) -> _Encoded:
        if isinstance(entry, _Encoded):
            return entry
        return cls(entry.actor, entry.action, entry.target, entry.details, entry.payload())

    def payload(self) -> bytes:
        return self.encoded


@dataclass(slots=True)
class _Segment:
    keys: SegmentKeys
    wrapped: WrappedKey
    started_us: int
    rows: int
    confirmed: bool  # its wrapped key row was seen committed by another transaction
    inserted_in: object | None  # the transaction that inserted the row, while unconfirmed


class AuditLog:
    """The one audit log of a database. Cheap to construct; keys are loaded on first use.

    ``provider`` holds the KEK (``server.records.settings.key_provider`` chooses it); there is
    no default, so a record can never be written under a key nobody keeps.
    """

    def __init__(
        self,
        db: Database,
        provider: KeyProvider,
        *,
        options: AuditOptions | None = None,
    ) -> None:
        self._db = db
        self._provider = provider
        self._options = options or AuditOptions()
        self._lock = asyncio.Lock()
        self._states: list[ChainState] = []
        self._segment: _Segment | None = None
        self._signer: CheckpointSigner | None = None
        self._log_id: str | None = None
        self._last_checkpoint: Checkpoint | None = None  # as last seen; another process may
        self._checkpoint_known = False  # have signed a newer one, checkpoint() re-reads
        #: records appended by this process (a caller's transaction may still roll some back)
        self.appended = 0

    @property
    def provider(self) -> KeyProvider:
        return self._provider

    @property
    def options(self) -> AuditOptions:
        return self._options

    # -- appending ---------------------------------------------------------------------------

    async def record(
        self,
        actor: str,
        action: str,
        target: str = "",
        details: dict[str, Any] | None = None,
        *,
        session: Session | None = None,
    ) -> int:
        """Append one record; inside ``session`` it commits or rolls back with the change."""
        details = details or {}
        _check_details(details)
        entry = AuditEntry(actor, action, target, _json(details))
        return (await self._record_checked([entry], session))[0]

    async def record_many(
        self, entries: Sequence[AuditEntry], *, session: Session | None = None
    ) -> list[int]:
        """Append a batch with one lock, one state read and one multi-row insert; the seqs."""
        if not entries:
            return []
        for e in entries:
            _check_details(dict(e.details))
        return await self._record_checked(entries, session)

    async def _record_checked(
        self, entries: Sequence[AuditEntry], session: Session | None
    ) -> list[int]:
        if session is not None:
            # Not checkpointed here: the rows are not committed yet. The next own-transaction
            # append or the periodic task (run_checkpoints) signs them.
            appended = await self._append(session, entries)
            self.appended += len(appended)
            return appended
        async with self._db.session() as own:
            seqs = await self._append(own, entries)
        self.appended += len(seqs)
        last, state = self._last_checkpoint, self._states[-1]
        if not self._checkpoint_known or self._options.policy.due(last, state, utc_micros()):
            await self.maybe_checkpoint()
        return seqs

    async def _append(self, session: Session, entries: Sequence[AuditEntry]) -> list[int]:
        entries = [_Encoded.of(e) for e in entries]  # JSON encoding outside the locks
        await self._lock_db(session)
        async with self._lock:
            state = await self._state_in(session)
            segment = await self._segment_in(session, len(entries))
            rows, after = seal_many(state, segment.keys, entries, utc_micros())
            await store.insert_rows(session, rows)
            segment.rows += len(rows)
            self._push(after)
            return [r.seq for r in rows]

    async def _lock_db(self, session: Session) -> None:
        await store.lock_chain(session)

    def _push(self, state: ChainState) -> None:
        self._states.append(state)
        del self._states[:-_HISTORY]

    async def _state_in(self, session: Session) -> ChainState:
        """The chain state of the rows visible in ``session`` (under the chain lock)."""
        head = await store.head(session)
        if head is None:
            return ChainState()
        seq, entry_hash = head
        for st in reversed(self._states):
            if st.seq == seq and st.entry_hash == entry_hash:
                return st
        # Rows were appended by another process (or a caller rolled back): catch up from the
        # newest cached state that is still a prefix, else rebuild from every entry hash.
        for st in reversed(self._states):
            if st.seq < seq and await store.entry_hash_at(session, st.seq) == st.entry_hash:
                base = st
                break
        else:
            base = ChainState()
        acc = FrontierBuilder(base.frontier)
        last = base.entry_hash
        for _s, h in await store.entry_hashes(session, base.seq, seq):
            acc.append(h)
            last = h
        state = ChainState(acc.size, last, acc.freeze())
        self._push(state)
        return state

    async def _segment_in(self, session: Session, n: int) -> _Segment:
        """The current segment key, its wrapped row present in ``session``'s transaction."""
        now = utc_micros()
        seg = self._segment
        if (
            seg is None
            or seg.rows + n > SEGMENT_MAX_ROWS
            or now - seg.started_us > self._options.segment_hours * 3_600_000_000
        ):
            ring = KeyRing(self._provider)
            wrapped, dek = ring.new_key(KeyPurpose.AUDIT_SEGMENT)
            seg = _Segment(SegmentKeys.derive(wrapped.key_id, dek), wrapped, now, 0, False, None)
            self._segment = seg
        if not seg.confirmed:
            tx = session.sync_session.get_transaction()
            if await store.key_exists(session, seg.keys.key_id):
                if seg.inserted_in is not tx:
                    seg.confirmed = True  # committed by an earlier transaction
            else:
                await store.add_key(session, seg.wrapped)
                seg.inserted_in = tx
        return seg

    # -- checkpoints -------------------------------------------------------------------------

    async def _quiet_checkpoint(self) -> None:
        try:
            await self.maybe_checkpoint()
        except Exception:  # a failed checkpoint is retried at the next append or tick
            log.exception("audit checkpoint failed")

    async def maybe_checkpoint(self) -> Checkpoint | None:
        """Sign a checkpoint if the policy says one is due."""
        return await self.checkpoint(force=False)

    async def checkpoint(self, *, force: bool = True) -> Checkpoint | None:
        """Sign the committed log's tree head, store it and export it (``None`` if not due, or
        if the log is empty or unchanged since the last checkpoint)."""
        async with self._db.session() as s:
            await self._lock_db(s)
            async with self._lock:
                state = await self._state_in(s)
                last = await store.last_checkpoint(s)
                self._last_checkpoint, self._checkpoint_known = last, True
                now = utc_micros()
                if state.seq == 0 or (last is not None and last.size >= state.seq):
                    return None
                if not force and not self._options.policy.due(last, state, now):
                    return None
                signer = await self._signer_in(s)
                cp = signer.sign_state(state, now)
                await store.add_checkpoint(s, cp)
                self._last_checkpoint = cp
        if self._options.checkpoint_dir is not None:
            await asyncio.to_thread(export_checkpoint, self._options.checkpoint_dir, cp)
        if self._options.witness_dir is not None:
            try:
                await asyncio.to_thread(witness_checkpoint, self._options.witness_dir, cp)
            except OSError:  # the checkpoint is signed and stored; `audit verify` shows the gap
                log.exception("checkpoint size %d not written to the witness", cp.size)
        return cp

    async def _signer_in(self, session: Session) -> CheckpointSigner:
        if self._signer is not None:
            return self._signer
        log_id = await store.get_meta(session, "log_id")
        key_id = await store.get_meta(session, "signing_key_id")
        ring = KeyRing(
            self._provider, await store.load_keys(session, KeyPurpose.CHECKPOINT_SIGNING)
        )
        if log_id is None or key_id is None:
            log_id = log_id or "hopchibo-" + secrets.token_hex(8)
            wrapped, signer = new_signer(ring, log_id)
            await store.add_key(session, wrapped)
            await store.set_meta(session, "log_id", log_id)
            await store.set_meta(session, "signing_key_id", wrapped.key_id)
        else:
            signer = load_signer(ring, key_id, log_id)
        self._signer = signer
        self._log_id = log_id
        return signer

    async def signer(self) -> CheckpointSigner:
        """The checkpoint (and extract) signing key, created on first use."""
        if self._signer is not None:
            return self._signer
        async with self._db.session() as s:
            await self._lock_db(s)
            async with self._lock:
                return await self._signer_in(s)

    async def public_key(self) -> str:
        """The signing public key in the one-line form officers keep (``export-key``)."""
        return public_key_text((await self.signer()).public_key_raw)

    def forget_keys(self) -> None:
        """Drop cached keys (after a KEK rotation the provider changes)."""
        self._signer = None
        self._segment = None
        self._checkpoint_known = False

    def configure(self, provider: KeyProvider, options: AuditOptions | None = None) -> None:
        """Switch to ``provider`` (start-up, or after a KEK rotation) and ``options``."""
        self.forget_keys()
        self._provider = provider
        if options is not None:
            self._options = options

    async def run_checkpoints(self, stop: asyncio.Event) -> None:
        """Background loop for the "every M minutes" half of the policy."""
        period = max(1.0, min(60.0, self._options.checkpoint_every_seconds / 4))
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), period)
            except TimeoutError:
                await self._quiet_checkpoint()

    # -- reading -----------------------------------------------------------------------------

    async def keyring(self, session: Session) -> KeyRing:
        return KeyRing(self._provider, await store.load_keys(session))

    async def search(
        self,
        *,
        actor: str | None = None,
        action: str | None = None,
        target: str | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        before: int | None = None,
        limit: int = 200,
        session: Session | None = None,
        actors: frozenset[str] | None = None,
        meeting: int | None = None,
        where: Callable[[AuditView], bool] | None = None,
    ) -> list[AuditView]:
        """Decrypted records, newest first (for officers; callers audit the view). ``actors``:
        any of these actors; ``meeting``: every record about that meeting (see
        :func:`server.storage.audit.of_meeting`)."""
        if session is None:
            async with self._db.session() as s:
                return await self.search(
                    actor=actor,
                    action=action,
                    target=target,
                    since=since,
                    until=until,
                    before=before,
                    limit=limit,
                    session=s,
                    actors=actors,
                    meeting=meeting,
                    where=where,
                )
        ring = KeyRing(self._provider, await store.load_keys(session, KeyPurpose.AUDIT_SEGMENT))
        return await store.search_with(
            session,
            ring,
            actor=actor,
            action=action,
            target=target,
            since=since,
            until=until,
            before=before,
            limit=limit,
            actors=actors,
            meeting=meeting,
            where=where,
        )

    async def verify(
        self,
        kept: Sequence[Checkpoint] = (),
        trusted_keys: Sequence[bytes] | None = None,
        *,
        decrypt: bool = True,
    ) -> VerifyReport:
        """Verify the whole log. ``trusted_keys``: the officer's copy of the public key(s);
        without it, the server's own signing key (which proves nothing against whoever holds
        the database and the KEK: use ``--trusted-key``)."""
        if trusted_keys is None:
            trusted_keys = [(await self.signer()).public_key_raw]
        async with self._db.session() as s:
            log_id = await store.get_meta(s, "log_id") or "unknown"
            ring = await self.keyring(s)
            cps = await store.checkpoints(s)
            rows = [r async for page in store.iter_rows(s) for r in page]
        return await asyncio.to_thread(
            verify,
            rows,
            cps,
            VerifyKeys(ring, TrustedSigners.of(trusted_keys)),
            list(kept) or None,
            log_id=log_id,
            decrypt=decrypt,
        )

    async def latest_checkpoint(self) -> Checkpoint | None:
        async with self._db.session() as s:
            return await store.last_checkpoint(s)

    async def extract(self, seqs: Sequence[int], *, issued_by: str, purpose: str) -> str:
        """A signed extract of the given records (server.crypto.extract)."""
        signer = await self.signer()
        async with self._db.session() as s:
            rows = await store.rows_by_seq(s, seqs)
            ring = await self.keyring(s)
            cp = await store.last_checkpoint(s)
        return make_extract(
            rows,
            ring,
            signer,
            issued_by=issued_by,
            issued_at=ts_from_datetime(dt.datetime.now(dt.UTC)),
            purpose=purpose,
            checkpoint=cp,
        )


def _json(details: dict[str, Any]) -> dict[str, JsonValue]:
    """Details as JSON values (datetimes and other objects become strings)."""
    out = json.loads(json.dumps(details, default=str, ensure_ascii=False))
    assert isinstance(out, dict)
    return out
