"""The sealed audit log through the real storage: tampering is named by seq and kind (R6)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from server.audit import AuditLog, AuditOptions
from server.crypto.auditchain import AuditEntry
from server.crypto.checkpoints import (
    CheckpointSigner,
    export_checkpoint,
    load_checkpoints,
    parse_public_key_text,
)
from server.crypto.keys import LocalKek
from server.crypto.verify import FailureKind
from server.storage.db import Database
from tests.server.records.support import flip, read_rows, tamper


async def _fill(audit: AuditLog, n: int) -> None:
    for i in range(n):
        await audit.record(f"account:{i % 3}", "meeting.read", f"meeting:{i % 4}", {"i": i})


async def test_appends_verify_and_decrypt(audit: AuditLog, db: Database) -> None:
    await _fill(audit, 12)
    report = await audit.verify()
    assert report.ok and report.rows_checked == 12 and report.verified_size == 11
    found = await audit.search(target="meeting:1")
    assert [v.seq for v in found] == [10, 6, 2]
    assert found[0].details == {"i": 9} and found[0].actor == "account:0"
    rows = await read_rows(db.url)
    assert b"meeting" not in b"".join(r["ciphertext"] for r in rows)  # payload is encrypted


async def test_record_rolls_back_with_the_callers_change(audit: AuditLog, db: Database) -> None:
    await _fill(audit, 3)
    with pytest.raises(RuntimeError):
        async with db.session() as s:
            await audit.record("account:1", "member.update", "member:1", {}, session=s)
            raise RuntimeError("the change failed")
    await audit.record("account:1", "member.update", "member:2", {})
    async with db.session() as s:
        assert await audit.record("account:1", "x.y", "z", {}, session=s) == 5
    assert (await audit.verify()).ok
    assert [v.target for v in await audit.search(action="member.update")] == ["member:2"]


async def test_batched_append(audit: AuditLog) -> None:
    entries = [AuditEntry("system", "bench.append", f"t:{i}", {}) for i in range(500)]
    seqs = await audit.record_many(entries)
    assert seqs == list(range(1, 501))
    assert (await audit.verify()).ok


@pytest.mark.parametrize(
    ("column", "kind"),
    [
        ("ts", FailureKind.DECRYPT),
        ("key_id", FailureKind.KEY),
        ("nonce", FailureKind.DECRYPT),
        ("ciphertext", FailureKind.DECRYPT),
        ("prev_hash", FailureKind.CHAIN),
        ("entry_hash", FailureKind.CHAIN),
        ("mac", FailureKind.MAC),
        ("seq", FailureKind.GAP),
    ],
)
async def test_one_flipped_byte_in_any_column_is_named(
    audit: AuditLog, db: Database, column: str, kind: FailureKind
) -> None:
    await _fill(audit, 12)
    row = (await read_rows(db.url))[6]  # seq 7
    value = row[column]
    if column == "seq":
        new: object = value ^ 0x40  # 7 -> 71: rows 7.. appear missing
    elif column == "ts":
        new = value ^ 1
    elif column == "key_id":
        new = value[:-1] + ("0" if value[-1] != "0" else "1")
    else:
        new = flip(value)
    sql = f"UPDATE audit_log SET {column} = :v WHERE seq = 7"  # noqa: S608 - fixed names
    await tamper(db.url, [(sql, {"v": new})])
    report = await audit.verify()
    assert not report.ok
    assert (report.first_bad_seq, report.kind) == (7, kind)


async def test_deleted_middle_row_is_a_gap(audit: AuditLog, db: Database) -> None:
    await _fill(audit, 12)
    await tamper(db.url, [("DELETE FROM audit_log WHERE seq = 4", {})])
    report = await audit.verify()
    assert (report.first_bad_seq, report.kind) == (4, FailureKind.GAP)


async def test_tail_deleted_after_checkpoint_is_truncation_against_kept(
    audit: AuditLog, db: Database, checkpoint_dir: Path
) -> None:
    await _fill(audit, 12)
    await audit.checkpoint()  # size 12, exported: the officer copies the directory
    kept = load_checkpoints(checkpoint_dir)
    assert [c.size for c in kept] == [1, 6, 11, 12]  # first row, then every 5
    await tamper(db.url, [("DELETE FROM audit_log WHERE seq > 10", {})])
    await tamper(db.url, [("DELETE FROM audit_checkpoints WHERE size > 10", {})])
    assert (await audit.verify()).ok  # the server's own view cannot see it
    report = await audit.verify(kept)
    assert (report.first_bad_seq, report.kind) == (11, FailureKind.TRUNCATION)


async def test_swapped_ciphertexts_both_fail(audit: AuditLog, db: Database) -> None:
    await _fill(audit, 8)
    rows = await read_rows(db.url)
    a, b = rows[2], rows[5]
    await tamper(
        db.url,
        [
            ("UPDATE audit_log SET ciphertext = :c WHERE seq = 3", {"c": b["ciphertext"]}),
            ("UPDATE audit_log SET ciphertext = :c WHERE seq = 6", {"c": a["ciphertext"]}),
        ],
    )
    report = await audit.verify()
    bad = {(f.seq, f.kind) for f in report.failures}
    assert {(3, FailureKind.DECRYPT), (6, FailureKind.DECRYPT)} <= bad
    assert report.first_bad_seq == 3


async def test_restored_old_snapshot_is_inconsistent_with_kept_checkpoint(
    db: Database, kek: LocalKek, options: AuditOptions, checkpoint_dir: Path
) -> None:
    audit = AuditLog(db, kek, options=options)
    await _fill(audit, 6)
    snapshot = await read_rows(db.url)  # the backup the attacker keeps
    await _fill(audit, 6)
    await audit.checkpoint()
    kept = load_checkpoints(checkpoint_dir)
    cols = ", ".join(snapshot[0])
    marks = ", ".join(f":{c}" for c in snapshot[0])
    await tamper(
        db.url,
        [("DELETE FROM audit_log", {})]
        + [(f"INSERT INTO audit_log ({cols}) VALUES ({marks})", r) for r in snapshot],  # noqa: S608
    )
    await tamper(db.url, [("DELETE FROM audit_checkpoints WHERE size > 6", {})])
    report = await audit.verify(kept)
    assert (report.first_bad_seq, report.kind) == (7, FailureKind.TRUNCATION)
    # the server carries on from the old snapshot (a restart) and grows past the kept size
    restarted = AuditLog(db, kek, options=options)
    await _fill(restarted, 8)
    report = await restarted.verify(kept)
    assert report.kind is FailureKind.ROLLBACK and report.first_bad_seq == 7


async def test_forged_and_foreign_checkpoints_fail_signature(
    audit: AuditLog, db: Database, tmp_path: Path
) -> None:
    await _fill(audit, 7)
    trusted = parse_public_key_text(await audit.public_key())
    stored = await audit.latest_checkpoint()
    assert stored is not None and stored.size == 6
    forged = type(stored)(stored.log_id, 7, stored.root, stored.ts, stored.signer, stored.signature)
    report = await audit.verify([forged], [trusted])
    assert report.kind is FailureKind.SIGNATURE
    foreign = CheckpointSigner(
        __import__(
            "cryptography.hazmat.primitives.asymmetric.ed25519", fromlist=["x"]
        ).Ed25519PrivateKey.generate(),
        stored.log_id,
    )
    path = export_checkpoint(tmp_path / "kept", foreign.sign(7, stored.root, stored.ts))
    report = await audit.verify(load_checkpoints(path.parent), [trusted])
    assert (report.first_bad_seq, report.kind) == (7, FailureKind.SIGNATURE)
    # and verifying the log's own checkpoints with a key that is not the server's fails too
    report = await audit.verify((), [foreign.public_key_raw])
    assert report.kind is FailureKind.SIGNATURE


async def test_app_role_cannot_update_or_delete(audit: AuditLog, db: Database) -> None:
    await _fill(audit, 3)
    for sql in ("UPDATE audit_log SET ts = ts + 1 WHERE seq = 2", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"):
            async with db.engine.begin() as conn:
                await conn.execute(text(sql))
    assert (await audit.verify()).ok and (await audit.verify()).rows_checked == 3


async def test_two_audit_logs_append_one_unbroken_chain(
    db_url: str, kek: LocalKek, options: AuditOptions
) -> None:
    db_a, db_b = Database(db_url), Database(db_url)  # two "processes": own engines and state
    try:
        a, b = AuditLog(db_a, kek, options=options), AuditLog(db_b, kek, options=options)

        async def burst(log: AuditLog, name: str) -> None:
            for i in range(25):
                if i % 5 == 0:
                    await log.record_many([AuditEntry(name, "burst", str(i), {}) for _ in range(4)])
                else:
                    await log.record(name, "single", str(i), {})

        await asyncio.gather(burst(a, "a"), burst(b, "b"), burst(a, "a2"), burst(b, "b2"))
        report = await a.verify()
        assert report.ok, report.message
        assert report.rows_checked == 4 * (20 + 5 * 4)
    finally:
        await db_a.close()
        await db_b.close()


async def test_truncate_refused_to_a_non_owner_role(audit: AuditLog, db: Database) -> None:
    """PostgreSQL: a role that is not the table owner cannot TRUNCATE (nor UPDATE/DELETE) even
    when granted. SQLite has no TRUNCATE; its equivalent, an unqualified DELETE, is refused."""
    await _fill(audit, 3)
    if db.is_sqlite:
        with pytest.raises(DBAPIError, match="append-only"):
            async with db.engine.begin() as conn:
                await conn.execute(text("DELETE FROM audit_log"))
        assert (await audit.verify()).rows_checked == 3
        return
    role = "hopchibo_test_app"
    async with db.engine.begin() as conn:
        await conn.execute(
            text(
                f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') "
                f"THEN CREATE ROLE {role} NOLOGIN; END IF; END $$"
            )
        )
        await conn.execute(
            text(f"GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON audit_log TO {role}")
        )
    try:
        for sql in ("TRUNCATE audit_log", "DELETE FROM audit_log", "UPDATE audit_log SET ts = 0"):
            with pytest.raises(DBAPIError, match="append-only"):
                async with db.engine.begin() as conn:
                    await conn.execute(text(f"SET LOCAL ROLE {role}"))
                    await conn.execute(text(sql))
    finally:
        async with db.engine.begin() as conn:
            await conn.execute(text(f"REVOKE ALL ON audit_log FROM {role}"))
    assert (await audit.verify()).rows_checked == 3
