"""The audit chain and its verifier: each tampering names the first bad seq and its kind."""

from __future__ import annotations

import dataclasses
import functools
import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.crypto.auditchain import (
    AuditDecryptError,
    AuditEntry,
    AuditRow,
    AuditWriter,
    ChainState,
    datetime_from_ts,
    open_row,
    seal,
    seal_many,
    ts_from_datetime,
)
from server.crypto.checkpoints import (
    CheckpointPolicy,
    TrustedSigners,
    export_checkpoint,
    load_checkpoints,
    load_signer,
    new_signer,
    parse_public_key_text,
    public_key_text,
)
from server.crypto.errors import ExtractError
from server.crypto.extract import make_extract, verify_extract
from server.crypto.keys import KeyPurpose
from server.crypto.verify import FailureKind, VerifyReport, verify
from tests.server.crypto.crypto_support import (
    LOG_ID,
    T0,
    Log,
    continue_log,
    entry,
    make_log,
    new_ring,
    segment,
)


@functools.cache
def base_log() -> Log:
    """30 rows, checkpoints at 10, 20, 30, two segment keys (built once; rows are immutable)."""
    return make_log(30, every=10, segment_every=16)


def check(log: Log, rows: list[AuditRow] | None = None, **kw: object) -> VerifyReport:
    return verify(
        log.rows if rows is None else rows,
        kw.pop("checkpoints", log.checkpoints),  # type: ignore[arg-type]
        log.keys,
        kw.pop("kept", None),  # type: ignore[arg-type]
        log_id=LOG_ID,
        decrypt=bool(kw.pop("decrypt", True)),
    )


def flip(row: AuditRow, field: str, index: int, mask: int) -> AuditRow:
    """``row`` with one byte of one column XOR-ed with ``mask`` (ints as 8 bytes big-endian)."""
    value = getattr(row, field)
    if field == "seq":
        raw = bytearray(value.to_bytes(8, "big"))
        raw[index % 8] ^= mask
        return dataclasses.replace(row, seq=int.from_bytes(raw, "big"))
    if field == "ts":
        raw = bytearray(value.to_bytes(8, "big", signed=True))
        raw[index % 8] ^= mask
        return dataclasses.replace(row, ts=int.from_bytes(raw, "big", signed=True))
    if field == "key_id":
        raw = bytearray(value.encode())
        raw[index % len(raw)] ^= mask
        return dataclasses.replace(row, key_id=raw.decode("latin-1"))
    raw = bytearray(value)
    raw[index % len(raw)] ^= mask
    changed: dict[str, bytes] = {field: bytes(raw)}
    return dataclasses.replace(row, **changed)  # type: ignore[arg-type]


KIND_OF_FIELD = {
    "seq": {FailureKind.GAP, FailureKind.SEQUENCE},
    "ts": {FailureKind.DECRYPT},
    "key_id": {FailureKind.KEY},
    "nonce": {FailureKind.DECRYPT},
    "ciphertext": {FailureKind.DECRYPT},
    "prev_hash": {FailureKind.CHAIN},
    "entry_hash": {FailureKind.CHAIN},
    "mac": {FailureKind.MAC},
}


def test_intact_log_verifies_fast_and_full() -> None:
    log = base_log()
    for decrypt in (False, True):
        report = check(log, decrypt=decrypt)
        assert report.ok, report
        assert report.first_bad_seq is None and report.kind is None
        assert report.rows_checked == 30
        assert report.verified_size == 30


def test_rows_decrypt_to_their_entries() -> None:
    log = base_log()
    from server.crypto.auditchain import SegmentKeys

    for row in log.rows:
        keys = SegmentKeys.derive(row.key_id, log.ring.key(row.key_id, KeyPurpose.AUDIT_SEGMENT))
        record = open_row(row, keys)
        assert record.entry == entry(row.seq)
        assert record.seq == row.seq
        assert record.ts == T0 + row.seq * 1000


def test_row_with_another_seq_does_not_decrypt() -> None:
    log = base_log()
    row = log.rows[4]
    from server.crypto.auditchain import SegmentKeys

    keys = SegmentKeys.derive(row.key_id, log.ring.key(row.key_id, KeyPurpose.AUDIT_SEGMENT))
    with pytest.raises(AuditDecryptError):
        open_row(dataclasses.replace(row, seq=row.seq + 1), keys)


@pytest.mark.parametrize("field", sorted(KIND_OF_FIELD))
@pytest.mark.parametrize("seq", [1, 10, 17, 30])
def test_flipped_byte_in_each_field_names_that_seq(field: str, seq: int) -> None:
    log = base_log()
    rows = list(log.rows)
    rows[seq - 1] = flip(rows[seq - 1], field, 3, 0x01)
    report = check(log, rows)
    assert not report.ok
    assert report.first_bad_seq == seq
    assert report.kind in KIND_OF_FIELD[field]


@settings(max_examples=300, deadline=None)
@given(
    seq=st.integers(1, 30),
    field=st.sampled_from(sorted(KIND_OF_FIELD)),
    index=st.integers(0, 10_000),
    mask=st.integers(1, 255),
)
def test_any_flipped_byte_in_any_row_is_rejected(
    seq: int, field: str, index: int, mask: int
) -> None:
    log = base_log()
    rows = list(log.rows)
    rows[seq - 1] = flip(rows[seq - 1], field, index, mask)
    for decrypt in (True, False):
        report = check(log, rows, decrypt=decrypt)
        assert report.first_bad_seq == seq
        assert report.kind in KIND_OF_FIELD[field]


def test_deleted_middle_row_is_a_gap_at_its_seq() -> None:
    log = base_log()
    rows = [r for r in log.rows if r.seq != 15]
    report = check(log, rows)
    assert (report.first_bad_seq, report.kind) == (15, FailureKind.GAP)


def test_swapped_ciphertexts_fail_both_rows_on_decryption() -> None:
    log = base_log()
    rows = list(log.rows)
    a, b = rows[4], rows[11]  # seqs 5 and 12, same segment key
    assert a.key_id == b.key_id
    rows[4] = dataclasses.replace(a, ciphertext=b.ciphertext)
    rows[11] = dataclasses.replace(b, ciphertext=a.ciphertext)
    report = check(log, rows)
    assert (report.first_bad_seq, report.kind) == (5, FailureKind.DECRYPT)
    decrypt_failures = {f.seq for f in report.failures if f.kind is FailureKind.DECRYPT}
    assert decrypt_failures == {5, 12}


def test_swapped_rows_are_reported_at_the_first_position() -> None:
    log = base_log()
    rows = list(log.rows)
    rows[4], rows[5] = rows[5], rows[4]
    report = check(log, rows)
    assert (report.first_bad_seq, report.kind) == (5, FailureKind.GAP)


def test_inserted_forged_row_fails_its_mac() -> None:
    log = base_log()
    rows = list(log.rows)
    forger_keys = segment(new_ring())  # the attacker's own key: hashes right, MAC wrong
    forged, _ = seal(ChainState.from_rows(rows[:5]), forger_keys, entry(99), T0)
    forged = dataclasses.replace(forged, key_id=rows[4].key_id)
    from server.crypto.auditchain import compute_entry_hash

    forged = dataclasses.replace(
        forged,
        entry_hash=compute_entry_hash(
            forged.seq,
            forged.ts,
            forged.key_id.encode(),
            forged.nonce,
            forged.prev_hash,
            forged.ciphertext,
        ),
    )
    rows.insert(5, forged)
    report = check(log, rows)
    assert (report.first_bad_seq, report.kind) == (6, FailureKind.DECRYPT)
    report = check(log, rows, decrypt=False)  # hash and link are right: only the MAC tells
    assert (report.first_bad_seq, report.kind) == (6, FailureKind.MAC)
    assert FailureKind.SEQUENCE in {f.kind for f in report.failures if f.seq == 7}


def test_rows_deleted_after_last_checkpoint_are_a_truncation_against_kept_checkpoint() -> None:
    log = make_log(40, every=10)
    kept = log.checkpoint_at(40)  # exported off the server before the deletion
    rows = log.rows[:35]
    checkpoints = [cp for cp in log.checkpoints if cp.size <= 30]  # attacker drops cp 40 too
    unaided = check(log, rows, checkpoints=checkpoints)
    assert unaided.ok  # the documented limit: without a kept checkpoint the tail can vanish
    report = check(log, rows, checkpoints=checkpoints, kept=kept)
    assert (report.first_bad_seq, report.kind) == (36, FailureKind.TRUNCATION)


def test_truncation_below_a_stored_checkpoint() -> None:
    log = make_log(40, every=10)
    report = check(log, log.rows[:33])
    assert (report.first_bad_seq, report.kind) == (34, FailureKind.TRUNCATION)


def rolled_back(log: Log, snapshot_size: int, more: int) -> Log:
    """The database restored to ``snapshot_size`` rows, then ``more`` new rows written."""
    rows = log.rows[:snapshot_size]
    cps = [cp for cp in log.checkpoints if cp.size <= snapshot_size]
    after = Log(
        log.ring,
        continue_log(log, rows),
        log.signer,
        list(rows),
        cps,
        log.every,
        t_offset=10**9,
    )
    after.append(more, tag="-after-rollback")
    return after


def test_rollback_is_inconsistent_with_kept_checkpoint() -> None:
    log = make_log(40, every=10)
    kept = log.checkpoint_at(30)
    after = rolled_back(log, 20, 30)
    assert check(after).ok  # the rolled-back log is self-consistent
    report = check(after, kept=kept)
    assert (report.first_bad_seq, report.kind) == (21, FailureKind.ROLLBACK)


def test_rollback_bound_from_kept_checkpoints_alone() -> None:
    log = make_log(40, every=10)
    kept_dir = [log.checkpoint_at(s) for s in (10, 20, 30)]
    after = rolled_back(log, 20, 30)
    alone = check(after, checkpoints=[], kept=log.checkpoint_at(30))
    assert (alone.first_bad_seq, alone.kind) == (1, FailureKind.ROLLBACK)
    report = check(after, checkpoints=[], kept=kept_dir)
    assert (report.first_bad_seq, report.kind) == (21, FailureKind.ROLLBACK)


def test_rollback_to_fewer_rows_than_kept_is_truncation() -> None:
    log = make_log(40, every=10)
    after = rolled_back(log, 20, 5)
    report = check(after, kept=log.checkpoint_at(30))
    assert (report.first_bad_seq, report.kind) == (26, FailureKind.TRUNCATION)


def test_rows_rewritten_by_a_key_holder_fail_the_merkle_check() -> None:
    log = make_log(40, every=10)
    rewritten = rolled_back(log, 20, 20)  # valid chain and MACs, old checkpoints kept
    report = check(log, rewritten.rows, checkpoints=log.checkpoints)
    assert (report.first_bad_seq, report.kind) == (21, FailureKind.MERKLE)


def test_forged_checkpoint_fails_its_signature() -> None:
    log = base_log()
    cps = list(log.checkpoints)
    cps[1] = dataclasses.replace(cps[1], root=bytes(32))
    report = check(log, checkpoints=cps)
    assert (report.first_bad_seq, report.kind) == (20, FailureKind.SIGNATURE)


def test_foreign_signed_checkpoint_fails_its_signature() -> None:
    log = base_log()
    _, foreign = new_signer(new_ring(), LOG_ID)
    cps = [*log.checkpoints[:1], foreign.sign(20, log.checkpoints[1].root, T0)]
    report = check(log, checkpoints=cps)
    assert (report.first_bad_seq, report.kind) == (20, FailureKind.SIGNATURE)
    assert "unknown key" in report.message
    kept_report = check(log, kept=foreign.sign(30, log.checkpoints[2].root, T0))
    assert (kept_report.first_bad_seq, kept_report.kind) == (30, FailureKind.SIGNATURE)


def test_checkpoint_of_another_log_fails_its_signature() -> None:
    log = base_log()
    signing_key_id = next(w.key_id for w in log.ring if w.purpose is KeyPurpose.CHECKPOINT_SIGNING)
    other = load_signer(log.ring, signing_key_id, "another-log")  # same key, other log
    assert other.fingerprint == log.signer.fingerprint
    cps = [other.sign(10, log.checkpoints[0].root, T0)]
    report = check(log, checkpoints=cps)
    assert (report.first_bad_seq, report.kind) == (10, FailureKind.SIGNATURE)


def test_shredded_segment_key_is_reported_at_its_first_row() -> None:
    log = make_log(30, every=10, segment_every=16)
    log.ring.shred(log.rows[16].key_id)
    report = check(log)
    assert (report.first_bad_seq, report.kind) == (17, FailureKind.KEY)


def test_batch_append_equals_one_by_one() -> None:
    ring = new_ring()
    keys = segment(ring)
    entries = [entry(i) for i in range(1, 51)]
    batch, state_b = seal_many(ChainState(), keys, entries, [T0 + i for i in range(1, 51)])
    state = ChainState()
    single = []
    for i, e in enumerate(entries, start=1):
        row, state = seal(state, keys, e, T0 + i)
        single.append(row)
    assert [r.seq for r in batch] == list(range(1, 51))
    assert state_b.seq == state.seq == 50
    assert ChainState.from_rows(batch).frontier == state_b.frontier
    assert ChainState.from_rows(single).frontier == state.frontier
    assert batch[0].prev_hash == bytes(32)
    assert all(b.prev_hash == a.entry_hash for a, b in itertools.pairwise(batch))


def test_writer_resumes_from_stored_rows() -> None:
    log = make_log(25, every=5)
    resumed = AuditWriter(segment(log.ring), ChainState.from_rows(log.rows))
    rows = log.rows + resumed.append_many([entry(i) for i in range(26, 41)], ts=T0)
    report = verify(rows, log.checkpoints, log.keys, log_id=LOG_ID, decrypt=True)
    assert report.ok, report


def test_empty_log_with_no_checkpoints_is_ok_and_empty_kept_checkpoint_matches() -> None:
    log = make_log(0)
    empty_cp = log.signer.sign_state(ChainState(), T0)
    report = verify([], [], log.keys, empty_cp, log_id=LOG_ID)
    assert report.ok and report.rows_checked == 0


def test_checkpoints_export_and_load(tmp_path: Path) -> None:
    log = base_log()
    for cp in log.checkpoints:
        export_checkpoint(tmp_path / "kept", cp)
    loaded = load_checkpoints(tmp_path / "kept")
    assert loaded == log.checkpoints
    key = parse_public_key_text(public_key_text(log.signer.public_key_raw))
    report = verify(
        log.rows, [], log.keys.__class__(log.ring, TrustedSigners.of([key])), loaded, log_id=LOG_ID
    )
    assert report.ok


def test_checkpoint_policy_rows_or_minutes() -> None:
    policy = CheckpointPolicy(every_rows=100, every_seconds=300)
    log = make_log(150, every=100)
    last = log.checkpoint_at(100)
    state = log.writer.state
    assert not policy.due(last, state, last.ts + 299 * 1_000_000)
    assert policy.due(last, state, last.ts + 300 * 1_000_000)
    assert not policy.due(log.writer_checkpoint(), state, last.ts + 10**9)
    log.append(50)
    assert policy.due(last, log.writer.state, last.ts + 1)


def test_signed_extract_round_trip_and_tamper() -> None:
    log = base_log()
    text = make_extract(
        log.rows[2:18],
        log.ring,
        log.signer,
        issued_by="officer-1",
        issued_at=T0,
        purpose="kiểm tra hồ sơ sinh hoạt",
        checkpoint=log.checkpoints[-1],
    )
    trusted = TrustedSigners.of([log.signer.public_key_raw])
    extract = verify_extract(text, trusted)
    assert [r.seq for r in extract.records] == list(range(3, 19))
    assert extract.records[0].actor == entry(3).actor
    assert extract.records[0].details == dict(entry(3).details)
    assert extract.checkpoint == log.checkpoints[-1]
    with pytest.raises(ExtractError):
        verify_extract(text.replace("officer-1", "officer-2"), trusted)
    with pytest.raises(ExtractError):
        verify_extract(text, TrustedSigners.of([new_signer(new_ring(), LOG_ID)[1].public_key_raw]))
    with pytest.raises(ExtractError):
        make_extract(
            [flip(log.rows[3], "ciphertext", 0, 1)],
            log.ring,
            log.signer,
            issued_by="o",
            issued_at=T0,
            purpose="p",
        )


def test_entry_payload_is_canonical_json() -> None:
    e = AuditEntry("a", "b", "c", {"z": 1, "á": [True, None]})
    assert (
        e.payload()
        == '{"action":"b","actor":"a","details":{"z":1,"á":[true,null]},"target":"c"}'.encode()
    )
    assert AuditEntry.from_payload(e.payload()) == e
    with pytest.raises(ValueError):
        AuditEntry("a", "", "c")


def test_timestamps_convert_to_and_from_aware_datetimes() -> None:
    import datetime as dt

    when = dt.datetime(2026, 1, 3, 7, 30, 0, 123456, tzinfo=dt.UTC)
    ts = ts_from_datetime(when)
    assert datetime_from_ts(ts) == when
    assert ts_from_datetime(datetime_from_ts(T0)) == T0
    with pytest.raises(ValueError):
        ts_from_datetime(dt.datetime(2026, 1, 3))


def test_malformed_key_id_is_reported_not_raised() -> None:
    log = base_log()
    rows = list(log.rows)
    rows[6] = dataclasses.replace(rows[6], key_id="\ud800")
    rows[9] = dataclasses.replace(rows[9], nonce=b"short")
    report = check(log, rows)
    assert (report.first_bad_seq, report.kind) == (7, FailureKind.FORMAT)
    assert {(f.seq, f.kind) for f in report.failures} >= {(10, FailureKind.FORMAT)}
