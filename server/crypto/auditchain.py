"""The audit log's rows: encrypted payload, hash chain, HMAC, Merkle leaf (DESIGN: Audit log, R6).

Row layout (one table, plain columns; ``seq`` gap-free from 1, unique)::

    seq         int    1, 2, 3, ...
    ts          int    microseconds since 1970-01-01 UTC
    key_id      text   id of the audit-segment DEK (a WrappedKey row)
    nonce       bytes  12 random bytes
    ciphertext  bytes  AES-256-GCM(enc_key, nonce, payload,
                                   ad = "hopchibo/audit/v1" ‖ seq ‖ ts ‖ key_id)
    prev_hash   bytes  entry_hash of row seq-1 (32 zero bytes for seq 1)
    entry_hash  bytes  SHA-256(0x00 ‖ seq ‖ ts ‖ len(key_id) ‖ key_id ‖ nonce ‖ prev_hash
                               ‖ ciphertext)
    mac         bytes  HMAC-SHA256(mac_key, entry_hash)

``entry_hash`` is at once the chain link and the RFC 6962 leaf hash of the row, so the Merkle
tree over the log costs no extra leaf hashing. ``enc_key`` and ``mac_key`` are derived from the
segment DEK with HKDF-SHA256. The payload is canonical JSON of ``{actor, action, target, details}``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import struct
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from server.crypto.errors import CryptoError
from server.crypto.keys import KEY_SIZE
from server.crypto.merkle import HASH_SIZE, FrontierBuilder, MerkleFrontier

JsonValue: TypeAlias = bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"] | None

NONCE_SIZE = 12
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
EMPTY_FRONTIER = MerkleFrontier()
ZERO_HASH = bytes(HASH_SIZE)
SEGMENT_MAX_ROWS = 1 << 28
"""Rows one segment key may encrypt: random 96-bit nonces stay far below NIST's 2^32 bound."""

AD_PREFIX = b"hopchibo/audit/v1\x00"
_HKDF_INFO = b"hopchibo/audit-segment/v1"
ROW_HEAD = struct.Struct(">QqB")  # seq, ts, len(key_id)
_sha256 = hashlib.sha256


class AuditDecryptError(CryptoError):
    """A row's ciphertext does not authenticate under its seq, ts and key id."""


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """What happened: the plaintext of one audit record, before encryption."""

    actor: str
    action: str
    target: str
    details: Mapping[str, JsonValue] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.action:
            raise ValueError("an audit entry needs an action")

    def payload(self) -> bytes:
        """Canonical JSON (sorted keys, no spaces, UTF-8)."""
        return json.dumps(
            {
                "actor": self.actor,
                "action": self.action,
                "target": self.target,
                "details": dict(self.details),
            },
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
            allow_nan=False,
        ).encode()

    @classmethod
    def from_payload(cls, payload: bytes) -> AuditEntry:
        obj = json.loads(payload)
        if not isinstance(obj, dict):
            raise ValueError("audit payload is not a JSON object")
        details = obj.get("details", {})
        if not isinstance(details, dict):
            raise ValueError("audit details are not a JSON object")
        return cls(str(obj["actor"]), str(obj["action"]), str(obj["target"]), details)


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One stored row (see the module docstring for each column).

    Not validated on construction: a row read back from storage is evidence, and
    :func:`server.crypto.verify.verify` reports a malformed one instead of raising.
    """

    seq: int
    ts: int
    key_id: str
    nonce: bytes
    ciphertext: bytes
    prev_hash: bytes
    entry_hash: bytes
    mac: bytes


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """A decrypted row."""

    seq: int
    ts: int
    entry: AuditEntry
    entry_hash: bytes


class HmacSha256:
    """HMAC-SHA256 with the key's inner and outer pad states computed once (RFC 2104).

    Three times faster than ``hmac.digest`` for the 32-byte messages of the chain, because the
    two pad blocks are hashed once per key instead of once per row.
    """

    __slots__ = ("_inner", "_outer")

    def __init__(self, key: bytes) -> None:
        if len(key) > 64:
            key = _sha256(key).digest()
        padded = key.ljust(64, b"\0")
        self._inner = _sha256(bytes(b ^ 0x36 for b in padded))
        self._outer = _sha256(bytes(b ^ 0x5C for b in padded))

    def __repr__(self) -> str:
        return "HmacSha256(<key hidden>)"

    def __call__(self, message: bytes) -> bytes:
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()


@dataclass(frozen=True, slots=True)
class SegmentKeys:
    """Working keys of one audit segment, derived from its DEK. Never logged (``repr`` hides)."""

    key_id: str
    aead: AESGCM = field(repr=False, compare=False)
    mac_key: bytes = field(repr=False)
    mac: HmacSha256 = field(repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.mac_key) != KEY_SIZE:
            raise ValueError("mac_key must be 32 bytes")

    @classmethod
    def derive(cls, key_id: str, dek: bytes) -> SegmentKeys:
        if len(dek) != KEY_SIZE:
            raise ValueError("a segment DEK must be 32 bytes")
        okm = HKDF(
            algorithm=hashes.SHA256(),
            length=2 * KEY_SIZE,
            salt=None,
            info=_HKDF_INFO + b"\x00" + key_id.encode(),
        ).derive(dek)
        mac_key = okm[KEY_SIZE:]
        return cls(key_id, AESGCM(okm[:KEY_SIZE]), mac_key, HmacSha256(mac_key))


def associated_data(seq: int, ts: int, key_id: str) -> bytes:
    """AES-GCM associated data of a row: binds the ciphertext to its seq, ts and key id."""
    return AD_PREFIX + struct.pack(">Qq", seq, ts) + key_id.encode()


def compute_entry_hash(
    seq: int, ts: int, key_id: bytes, nonce: bytes, prev_hash: bytes, ciphertext: bytes
) -> bytes:
    """The row's chain hash and RFC 6962 leaf hash (``key_id`` already UTF-8 encoded)."""
    return _sha256(
        b"\x00" + ROW_HEAD.pack(seq, ts, len(key_id)) + key_id + nonce + prev_hash + ciphertext
    ).digest()


def compute_mac(mac_key: bytes, entry_hash: bytes) -> bytes:
    return hmac.digest(mac_key, entry_hash, "sha256")


@dataclass(frozen=True, slots=True)
class ChainState:
    """What the next append needs to know about the log so far.

    ``seq`` and ``entry_hash`` are those of the last row (0 and zeros for an empty log);
    ``frontier`` is the Merkle frontier over all rows, from which a checkpoint root follows.
    The storage layer keeps it in memory and rebuilds it at start-up with :meth:`from_rows`.
    """

    seq: int = 0
    entry_hash: bytes = ZERO_HASH
    frontier: MerkleFrontier = EMPTY_FRONTIER

    def __post_init__(self) -> None:
        if self.seq < 0 or self.frontier.size != self.seq:
            raise ValueError("chain state seq and Merkle frontier size disagree")
        if len(self.entry_hash) != HASH_SIZE:
            raise ValueError("entry_hash must be 32 bytes")

    @classmethod
    def from_rows(cls, rows: Iterable[AuditRow]) -> ChainState:
        """State after ``rows`` (seq 1..n in order), trusting their stored hashes.

        Run :func:`server.crypto.verify.verify` first when the rows' integrity matters.
        """
        acc = FrontierBuilder()
        last = ZERO_HASH
        for row in rows:
            if row.seq != acc.size + 1:
                raise ValueError(f"rows are not gap-free: expected seq {acc.size + 1}")
            acc.append(row.entry_hash)
            last = row.entry_hash
        return cls(acc.size, last, acc.freeze())

    def root(self) -> bytes:
        return self.frontier.root()


def seal_many(
    state: ChainState,
    keys: SegmentKeys,
    entries: Sequence[AuditEntry],
    ts: int | Sequence[int],
) -> tuple[list[AuditRow], ChainState]:
    """Append ``entries`` after ``state``: the new rows and the state after them. Pure but for
    the random nonces (one ``os.urandom`` call for the whole batch)."""
    n = len(entries)
    stamps = [ts] * n if isinstance(ts, int) else list(ts)
    if len(stamps) != n:
        raise ValueError("one timestamp per entry")
    kid = keys.key_id.encode()
    if not 0 < len(kid) < 256:
        raise ValueError("key_id must be 1..255 bytes")
    encrypt = keys.aead.encrypt
    mac = keys.mac
    nonces = os.urandom(NONCE_SIZE * n)
    acc = FrontierBuilder(state.frontier)
    prev = state.entry_hash
    seq = state.seq
    rows: list[AuditRow] = []
    ad_tail = kid
    for i, entry in enumerate(entries):
        seq += 1
        t = stamps[i]
        nonce = nonces[NONCE_SIZE * i : NONCE_SIZE * (i + 1)]
        ct = encrypt(nonce, entry.payload(), AD_PREFIX + struct.pack(">Qq", seq, t) + ad_tail)
        h = _sha256(b"\x00" + ROW_HEAD.pack(seq, t, len(kid)) + kid + nonce + prev + ct).digest()
        rows.append(AuditRow(seq, t, keys.key_id, nonce, ct, prev, h, mac(h)))
        acc.append(h)
        prev = h
    return rows, ChainState(seq, prev, acc.freeze())


def seal(
    state: ChainState, keys: SegmentKeys, entry: AuditEntry, ts: int
) -> tuple[AuditRow, ChainState]:
    """The row following ``state`` and the state after it."""
    rows, after = seal_many(state, keys, [entry], ts)
    return rows[0], after


def open_row(row: AuditRow, keys: SegmentKeys) -> AuditRecord:
    """Decrypt one row, checking that its ciphertext is bound to its seq, ts and key id."""
    if row.key_id != keys.key_id:
        raise AuditDecryptError(f"row {row.seq} uses key {row.key_id}, not {keys.key_id}")
    try:
        payload = keys.aead.decrypt(
            row.nonce, row.ciphertext, associated_data(row.seq, row.ts, row.key_id)
        )
    except (InvalidTag, ValueError):
        raise AuditDecryptError(f"row {row.seq} does not decrypt under its binding") from None
    return AuditRecord(row.seq, row.ts, AuditEntry.from_payload(payload), row.entry_hash)


def utc_micros() -> int:
    """Now, in the unit of ``AuditRow.ts``."""
    return time.time_ns() // 1000


def ts_from_datetime(when: dt.datetime) -> int:
    """``AuditRow.ts`` of an aware datetime (for a storage layer with a timestamp column)."""
    if when.tzinfo is None:
        raise ValueError("audit timestamps must be timezone-aware")
    delta = when - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def datetime_from_ts(ts: int) -> dt.datetime:
    """Inverse of :func:`ts_from_datetime`, in UTC."""
    return _EPOCH + dt.timedelta(microseconds=ts)


class AuditWriter:
    """Stateful convenience over :func:`seal_many` for the one process that appends.

    The caller persists every returned row (in order, in one transaction per batch) before it
    uses the next; if the insert fails it must rebuild the writer from the stored rows.
    """

    __slots__ = ("_clock", "_keys", "_rows_this_key", "_state")

    def __init__(
        self,
        keys: SegmentKeys,
        state: ChainState | None = None,
        clock: Callable[[], int] = utc_micros,
    ) -> None:
        self._keys = keys
        self._state = state if state is not None else ChainState()
        self._clock = clock
        self._rows_this_key = 0

    @property
    def state(self) -> ChainState:
        return self._state

    @property
    def key_id(self) -> str:
        return self._keys.key_id

    def start_segment(self, keys: SegmentKeys) -> None:
        """Switch to a new segment DEK (per day or per process start; see docs)."""
        self._keys = keys
        self._rows_this_key = 0

    def append(self, entry: AuditEntry, ts: int | None = None) -> AuditRow:
        return self.append_many([entry], ts)[0]

    def append_many(self, entries: Sequence[AuditEntry], ts: int | None = None) -> list[AuditRow]:
        if self._rows_this_key + len(entries) > SEGMENT_MAX_ROWS:
            raise CryptoError("segment key exhausted: start a new segment")
        rows, self._state = seal_many(
            self._state, self._keys, entries, self._clock() if ts is None else ts
        )
        self._rows_this_key += len(rows)
        return rows
