"""Builders shared by the crypto tests: a real key ring, a real log, real checkpoints."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from server.crypto.auditchain import AuditEntry, AuditRow, AuditWriter, ChainState, SegmentKeys
from server.crypto.checkpoints import Checkpoint, CheckpointSigner, TrustedSigners, new_signer
from server.crypto.keys import KeyPurpose, KeyRing, LocalKek, generate_kek
from server.crypto.verify import VerifyKeys

LOG_ID = "audit-test"
T0 = 1_767_225_600_000_000  # 2026-01-01T00:00:00Z in microseconds


def entry(i: int) -> AuditEntry:
    return AuditEntry(
        actor=f"user-{i % 7}",
        action="recording.read" if i % 2 else "meeting.admit",
        target=f"meeting-{i // 10}",
        details={"i": i, "ghi_chú": "biên bản họp chi bộ", "ok": i % 3 == 0},
    )


@dataclass
class Log:
    """A log as the storage layer would hold it: rows, checkpoints, keys."""

    ring: KeyRing
    writer: AuditWriter
    signer: CheckpointSigner
    rows: list[AuditRow]
    checkpoints: list[Checkpoint]
    every: int
    t_offset: int = 0

    @property
    def keys(self) -> VerifyKeys:
        return VerifyKeys(self.ring, TrustedSigners.of([self.signer.public_key_raw]))

    def append(self, n: int, tag: str = "") -> None:
        for _ in range(n):
            i = len(self.rows) + 1
            e = entry(i)
            if tag:
                e = dataclasses.replace(e, target=e.target + tag)
            self.rows.append(self.writer.append(e, ts=T0 + self.t_offset + i * 1000))
            if i % self.every == 0:
                self.checkpoints.append(self.writer_checkpoint())

    def writer_checkpoint(self) -> Checkpoint:
        state = self.writer.state
        return self.signer.sign_state(state, T0 + self.t_offset + state.seq * 1000 + 1)

    def checkpoint_at(self, size: int) -> Checkpoint:
        return next(cp for cp in self.checkpoints if cp.size == size)


def new_ring() -> KeyRing:
    return KeyRing(LocalKek(generate_kek()))


def segment(ring: KeyRing) -> SegmentKeys:
    wrapped, dek = ring.new_key(KeyPurpose.AUDIT_SEGMENT)
    return SegmentKeys.derive(wrapped.key_id, dek)


def make_log(n: int, every: int = 10, segment_every: int = 0, ring: KeyRing | None = None) -> Log:
    """``n`` rows, a checkpoint every ``every`` rows, a new segment key every ``segment_every``."""
    ring = ring if ring is not None else new_ring()
    _, signer = new_signer(ring, LOG_ID)
    log = Log(ring, AuditWriter(segment(ring)), signer, [], [], every)
    if segment_every:
        while len(log.rows) < n:
            log.append(min(segment_every, n - len(log.rows)))
            log.writer.start_segment(segment(ring))
    else:
        log.append(n)
    return log


def continue_log(log: Log, rows: Sequence[AuditRow]) -> AuditWriter:
    """A writer resuming after ``rows`` with the log's current segment key."""
    return AuditWriter(segment(log.ring), ChainState.from_rows(rows))
