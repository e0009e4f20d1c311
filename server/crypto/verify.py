"""``hopchibo audit verify``: find the first altered, removed, reordered or inserted audit row.

What is checked, per row, in one pass (R6: records tamper-evident):

1. ``seq`` is the expected next number (gap-free from 1);
2. ``prev_hash`` equals the previous row's stored ``entry_hash`` (the link);
3. ``entry_hash`` equals the hash recomputed from the row's columns (the content);
4. ``mac`` equals HMAC(mac_key, recomputed hash) (only a holder of the segment key could write it);
5. the recomputed hash feeds the Merkle frontier; every checkpoint's root is compared when the
   walk reaches its size.

6. by default, the AES-GCM binding of each ciphertext to its seq, ts and key id (decryption,
   plaintext discarded).

Step 6 adds nothing against an attacker without the segment key: a row whose hash and MAC verify
is byte-for-byte what the key holder wrote, and whoever can forge the MAC holds the encryption
key too. ``decrypt=False`` skips it for intact rows (about twice as fast); rows whose hash does
not match are always decrypted, to say *how* they were altered.

After a failure the walk re-synchronises on the stored values, so one altered row yields one
failure (plus secondary ones at the same seq), and two swapped rows yield two failures.
"""

from __future__ import annotations

import bisect
import enum
import hashlib
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag

from server.crypto.auditchain import (
    AD_PREFIX,
    NONCE_SIZE,
    ROW_HEAD,
    ZERO_HASH,
    AuditRow,
    SegmentKeys,
)
from server.crypto.checkpoints import Checkpoint, TrustedSigners
from server.crypto.errors import KeyNotFoundError, UnwrapError
from server.crypto.keys import DekSource, KeyPurpose
from server.crypto.merkle import HASH_SIZE, FrontierBuilder

MAX_FAILURES = 1000
"""Failures kept in a report; the count beyond it is still given."""

_sha256 = hashlib.sha256
_SEQ_TS = struct.Struct(">Qq")


class FailureKind(enum.StrEnum):
    """Why verification failed. Declaration order is the precedence at one seq."""

    GAP = "gap"  # rows missing before this seq
    SEQUENCE = "sequence"  # a row carries a seq other than the one expected here
    FORMAT = "format"  # a column has the wrong length
    KEY = "key"  # the row's key id is unknown or shredded
    DECRYPT = "decrypt"  # the ciphertext is not bound to this seq/ts/key id
    CHAIN = "chain"  # prev_hash or entry_hash does not match
    MAC = "mac"  # the HMAC does not verify
    MERKLE = "merkle"  # a signed checkpoint root differs from the rows' root
    TRUNCATION = "truncation"  # a valid checkpoint covers more rows than are present
    ROLLBACK = "rollback"  # the kept checkpoint's root differs from the log's prefix
    SIGNATURE = "signature"  # a checkpoint is forged, foreign-signed or of another log


_RANK = {kind: i for i, kind in enumerate(FailureKind)}


@dataclass(frozen=True, slots=True)
class Failure:
    seq: int
    kind: FailureKind
    message: str


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """Outcome of :func:`verify`; ``first_bad_seq``/``kind`` are those of ``failures[0]``."""

    ok: bool
    first_bad_seq: int | None
    kind: FailureKind | None
    message: str
    failures: tuple[Failure, ...]
    failure_count: int
    rows_checked: int
    verified_size: int
    """Rows covered by the largest valid checkpoint whose root matched (0 if none)."""

    def __post_init__(self) -> None:
        if self.ok != (self.first_bad_seq is None):
            raise ValueError("a report is ok exactly when it names no bad seq")


@dataclass(frozen=True, slots=True)
class VerifyKeys:
    """Keys a verifier needs: segment DEKs by id, and the signers it trusts."""

    deks: DekSource
    trusted: TrustedSigners


class _Segments:
    """Lazily derived segment keys; ``None`` for an id that cannot be unwrapped."""

    __slots__ = ("_cache", "_deks", "errors")

    def __init__(self, deks: DekSource) -> None:
        self._deks = deks
        self._cache: dict[str, SegmentKeys | None] = {}
        self.errors: dict[str, str] = {}

    def get(self, key_id: str) -> SegmentKeys | None:
        try:
            return self._cache[key_id]
        except KeyError:
            pass
        keys: SegmentKeys | None
        try:
            keys = SegmentKeys.derive(key_id, self._deks.key(key_id, KeyPurpose.AUDIT_SEGMENT))
        except (KeyNotFoundError, UnwrapError, ValueError) as exc:
            self.errors[key_id] = str(exc)
            keys = None
        self._cache[key_id] = keys
        return keys


def _decrypts(keys: SegmentKeys, row: AuditRow) -> bool:
    try:
        keys.aead.decrypt(
            row.nonce,
            row.ciphertext,
            AD_PREFIX + _SEQ_TS.pack(row.seq, row.ts) + row.key_id.encode(),
        )
    except (InvalidTag, ValueError, OverflowError, struct.error):
        return False
    return True


def verify(
    rows: Iterable[AuditRow],
    checkpoints: Iterable[Checkpoint],
    keys: VerifyKeys,
    kept_checkpoint: Checkpoint | Sequence[Checkpoint] | None = None,
    *,
    log_id: str,
    decrypt: bool = True,
) -> VerifyReport:
    """Verify the whole log ``rows`` (in storage order, from seq 1) against its ``checkpoints``
    and, optionally, checkpoints the officer kept off the server.

    ``kept_checkpoint`` proves truncation (kept size > rows present) and rollback (kept root
    differs from the root of the log's first ``size`` rows). For a rollback the first bad seq is
    one past the largest size known to agree with the kept history: another kept checkpoint that
    matches, or a matching log checkpoint signed before the kept one (an append-only signer only
    signs prefixes of its later heads).
    """
    failures: list[Failure] = []
    segments = _Segments(keys.deks)
    kept = (
        []
        if kept_checkpoint is None
        else [kept_checkpoint]
        if isinstance(kept_checkpoint, Checkpoint)
        else list(kept_checkpoint)
    )

    def add(seq: int, kind: FailureKind, message: str) -> None:
        failures.append(Failure(seq, kind, message))

    # Signatures first: only valid checkpoints take part in the Merkle and truncation checks.
    valid_log_cps: list[Checkpoint] = []
    for cp in checkpoints:
        why = keys.trusted.check(cp, log_id)
        if why is None:
            valid_log_cps.append(cp)
        else:
            add(max(cp.size, 1), FailureKind.SIGNATURE, why)
    valid_kept: list[Checkpoint] = []
    for cp in kept:
        why = keys.trusted.check(cp, log_id)
        if why is None:
            valid_kept.append(cp)
        else:
            add(max(cp.size, 1), FailureKind.SIGNATURE, "kept " + why)

    wanted = sorted({cp.size for cp in valid_log_cps} | {cp.size for cp in valid_kept})
    roots: dict[int, bytes] = {}  # prefix size -> root recomputed from the rows
    if 0 in wanted:
        roots[0] = FrontierBuilder().root()
    want_iter = iter(s for s in wanted if s > 0)
    next_want = next(want_iter, -1)

    acc = FrontierBuilder()
    merkle_broken_at: int | None = None  # first position whose leaf index is unknown (gap)
    expected = 1
    prev_stored = ZERO_HASH
    skip_link = False
    rows_checked = 0
    append = acc.append
    get_keys = segments.get

    def check_row(
        row: AuditRow, pos: int, kid: str, kid_b: bytes, skip_link: bool, prev_stored: bytes
    ) -> bytes:
        """Steps 2-4 and 6 for a well-formed row; returns the recomputed leaf hash."""
        segment = get_keys(kid)
        h = _sha256(
            b"\x00"
            + ROW_HEAD.pack(row.seq, row.ts, len(kid_b))
            + kid_b
            + row.nonce
            + row.prev_hash
            + row.ciphertext
        ).digest()
        if row.prev_hash != prev_stored and not skip_link:
            add(pos, FailureKind.CHAIN, f"row {pos}: prev_hash is not the entry_hash of {pos - 1}")
        if segment is None:
            add(pos, FailureKind.KEY, f"row {pos}: {segments.errors.get(kid, 'key unavailable')}")
        if h != row.entry_hash:
            if segment is not None and not _decrypts(segment, row):
                add(pos, FailureKind.DECRYPT, f"row {pos}: ciphertext not bound to seq/ts/key")
            else:
                add(pos, FailureKind.CHAIN, f"row {pos}: entry_hash does not match its contents")
        elif decrypt and segment is not None and not _decrypts(segment, row):
            add(pos, FailureKind.DECRYPT, f"row {pos}: ciphertext not bound to seq/ts/key")
        if segment is not None and segment.mac(h) != row.mac:
            add(pos, FailureKind.MAC, f"row {pos}: HMAC does not verify")
        return h

    for row in rows:
        rows_checked += 1
        seq = row.seq
        pos = expected
        if seq != expected:
            if seq > expected:
                add(expected, FailureKind.GAP, f"rows {expected}..{seq - 1} are missing")
                if merkle_broken_at is None:
                    merkle_broken_at = expected
                pos = seq
                skip_link = True
            else:
                add(expected, FailureKind.SEQUENCE, f"row at seq {expected} carries seq {seq}")
        kid = row.key_id
        try:
            kid_b = kid.encode()
        except UnicodeEncodeError:
            kid_b = b""
        if (
            len(row.nonce) != NONCE_SIZE
            or len(row.prev_hash) != HASH_SIZE
            or len(row.entry_hash) != HASH_SIZE
            or len(row.mac) != HASH_SIZE
            or not 0 < len(kid_b) < 256
            or not 0 <= seq < 1 << 64
            or not -(1 << 63) <= row.ts < 1 << 63
        ):
            add(pos, FailureKind.FORMAT, f"row {pos} has a malformed column")
            h = ZERO_HASH  # stands in for the leaf; the roots above it are explained by this row
        else:
            h = check_row(row, pos, kid, kid_b, skip_link, prev_stored)
        append(h)
        if acc.size == next_want:
            if merkle_broken_at is None:
                roots[next_want] = acc.root()
            next_want = next(want_iter, -1)
        prev_stored = row.entry_hash
        skip_link = False
        expected = pos + 1

    present = expected - 1  # highest seq position reached
    row_bad = sorted({f.seq for f in failures if _RANK[f.kind] <= _RANK[FailureKind.MAC]})

    def explained(lo: int, hi: int) -> bool:
        """A row failure in ``lo..hi`` already accounts for a root mismatch there."""
        i = bisect.bisect_left(row_bad, lo)
        return i < len(row_bad) and row_bad[i] <= hi

    # The log's own checkpoints.
    verified_size = 0
    good_log_sizes: list[int] = [0]
    for cp in sorted(valid_log_cps, key=lambda c: c.size):
        if cp.size > present:
            add(
                present + 1,
                FailureKind.TRUNCATION,
                f"checkpoint at size {cp.size} is signed but the log ends at seq {present}",
            )
            continue
        root = roots.get(cp.size)
        if root is None:
            continue  # beyond a gap: already reported
        lo = max(s for s in good_log_sizes if s <= cp.size)
        if root == cp.root:
            good_log_sizes.append(cp.size)
            verified_size = max(verified_size, cp.size)
        elif not explained(lo + 1, cp.size):
            add(
                lo + 1,
                FailureKind.MERKLE,
                f"checkpoint at size {cp.size} has another root than rows 1..{cp.size}; "
                f"rows {lo + 1}..{cp.size} were rewritten",
            )

    # The officer's kept checkpoints.
    agreed = [0]
    for cp in sorted(valid_kept, key=lambda c: c.size):
        if cp.size > present:
            add(
                present + 1,
                FailureKind.TRUNCATION,
                f"kept checkpoint covers {cp.size} rows but the log ends at seq {present}",
            )
            continue
        root = roots.get(cp.size)
        if root is None:
            continue
        if root == cp.root:
            agreed.append(cp.size)
            continue
        earlier = [
            c.size
            for c in valid_log_cps
            if c.ts < cp.ts and c.size <= cp.size and roots.get(c.size) == c.root
        ]
        lo = min(max(agreed + earlier), cp.size - 1)  # equal size, other root: equivocation
        if not explained(lo + 1, cp.size):
            add(
                lo + 1,
                FailureKind.ROLLBACK,
                f"the log's first {cp.size} rows differ from the kept checkpoint: "
                f"rolled back or rewritten after seq {lo}",
            )

    if not failures:
        return VerifyReport(True, None, None, "ok", (), 0, rows_checked, verified_size)
    failures.sort(key=lambda f: (f.seq, _RANK[f.kind]))
    first = failures[0]
    return VerifyReport(
        ok=False,
        first_bad_seq=first.seq,
        kind=first.kind,
        message=first.message,
        failures=tuple(failures[:MAX_FAILURES]),
        failure_count=len(failures),
        rows_checked=rows_checked,
        verified_size=verified_size,
    )
