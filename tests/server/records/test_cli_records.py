"""The real ``hopchibo`` entry point: audit verify exit codes, checkpoint, export-key, key
rotation and retention on a fresh var directory (SQLite file, KEK file)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from server.auth.factors import SealError, unseal
from server.cli import main
from server.crypto.keys import create_kek_file
from server.demo import DEMO_ACCOUNTS
from server.kek import load_or_create_kek


@pytest.fixture
def var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOPCHIBO_SERVER_VAR_DIR", str(tmp_path / "var"))
    for key in ("HOPCHIBO_DATABASE_URL", "HOPCHIBO_CONFIG", "HOPCHIBO_KEYS_KEK"):
        monkeypatch.delenv(key, raising=False)
    return tmp_path / "var"


def test_audit_commands_and_exit_codes(
    var: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo"]) == 0  # creates accounts: audited
    capsys.readouterr()
    assert main(["audit", "export-key"]) == 0
    key = tmp_path / "officer.pub"
    key.write_text(capsys.readouterr().out)
    assert key.read_text().startswith("hopchibo-ed25519 ")
    assert main(["audit", "checkpoint"]) == 0
    assert "checkpoint hopchibo-" in capsys.readouterr().out
    kept = tmp_path / "kept"
    kept.mkdir()
    for f in (var / "checkpoints").iterdir():  # the officer's copy, off the server
        (kept / f.name).write_text(f.read_text())
    args = ["audit", "verify", "--trusted-key", str(key), "--checkpoint", str(kept)]
    assert main(args) == 0
    assert capsys.readouterr().out.startswith("OK: ")

    # rotation: every key rewrapped, then the server runs on the new KEK file
    new = tmp_path / "new.kek"
    create_kek_file(new)
    old_kek = load_or_create_kek(var / "kek.key")
    assert main(["keys", "rotate", "--new-kek-file", str(new)]) == 0
    out = capsys.readouterr().out
    accounts = len(DEMO_ACCOUNTS)  # each demo account has a TOTP secret
    assert "rewrapped" in out and f"re-sealed {accounts} second-factor secret(s)" in out
    # second factors survive rotation: every TOTP secret opens under the new KEK only
    new_kek = load_or_create_kek(new)
    with sqlite3.connect(var / "hopchibo.db") as conn:
        rows = conn.execute("SELECT account_id, sealed_secret FROM totp_credentials").fetchall()
    assert len(rows) == accounts
    for account_id, sealed in rows:
        assert len(unseal(new_kek, account_id, sealed)) >= 16
        with pytest.raises(SealError):
            unseal(old_kek, account_id, sealed)
    monkeypatch.setenv("HOPCHIBO_KEYS_KEK_FILE", str(new))
    assert main(args) == 0
    assert main(["records", "retention"]) == 0
    assert "shredded 0 recording(s)" in capsys.readouterr().out

    # an attacker with the file drops the trigger and changes one byte of row 2
    with sqlite3.connect(var / "hopchibo.db") as conn:
        conn.execute("DROP TRIGGER audit_log_no_update")
        (mac,) = conn.execute("SELECT mac FROM audit_log WHERE seq = 2").fetchone()
        conn.execute("UPDATE audit_log SET mac = ? WHERE seq = 2", (bytes([mac[0] ^ 1]) + mac[1:],))
    capsys.readouterr()
    assert main(args) == 1
    assert "FAILED at seq 2: mac" in capsys.readouterr().out
    assert main(["audit", "verify", "--trusted-key", str(tmp_path / "nothing.pub")]) == 2


def test_truncated_tail_reported_against_the_witness_by_default(
    var: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nobody kept a checkpoint by hand: the witness directory the server wrote each signed
    checkpoint to (records.witness_dir, here another path than var/) is what reveals it."""
    witness = tmp_path / "witness-mount" / "hopchibo"
    monkeypatch.setenv("HOPCHIBO_RECORDS_WITNESS_DIR", str(witness))
    assert main(["demo"]) == 0  # creates accounts: audited, checkpoints signed as it goes
    assert main(["audit", "checkpoint"]) in (0,)
    capsys.readouterr()
    files = sorted(witness.glob("*.json"))
    assert files and all(f.stat().st_mode & 0o777 == 0o444 for f in files)  # written once
    assert main(["audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: ") and f"witness {witness}: {len(files)} checkpoint(s)" in out
    # a witness emptied (or the wrong directory) is reported, not taken as "nothing to check"
    away = tmp_path / "away"
    witness.rename(away)
    assert main(["audit", "verify"]) == 1
    assert "holds no checkpoint" in capsys.readouterr().out
    away.rename(witness)
    with sqlite3.connect(var / "hopchibo.db") as conn:
        (last,) = conn.execute("SELECT max(seq) FROM audit_log").fetchone()
        (covered,) = conn.execute("SELECT max(size) FROM audit_checkpoints").fetchone()
        assert covered == last
    # an attacker with the database deletes the last rows and the checkpoints that cover them
    cut = last - 3
    with sqlite3.connect(var / "hopchibo.db") as conn:
        for trigger in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN "
            "('audit_log', 'audit_checkpoints')"
        ).fetchall():
            conn.execute(f"DROP TRIGGER {trigger[0]}")
        conn.execute("DELETE FROM audit_log WHERE seq > ?", (cut,))
        conn.execute("DELETE FROM audit_checkpoints WHERE size > ?", (cut,))
    assert main(["audit", "verify", "--no-witness"]) == 0  # the database alone looks fine
    capsys.readouterr()
    assert main(["audit", "verify"]) == 1
    assert f"FAILED at seq {cut + 1}: truncation" in capsys.readouterr().out
