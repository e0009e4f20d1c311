"""The ``hopchibo`` command on a fresh var directory: db upgrade, demo, pilot lifecycle."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from server.cli import main


@pytest.fixture
def var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOPCHIBO_SERVER_VAR_DIR", str(tmp_path / "var"))
    for key in ("HOPCHIBO_DATABASE_URL", "HOPCHIBO_CONFIG"):
        monkeypatch.delenv(key, raising=False)
    return tmp_path / "var"


def test_bad_setting_stops_startup_naming_it(
    var: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HOPCHIBO_SERVER_PORT", "eighty")
    assert main(["db", "upgrade"]) == 2
    assert "HOPCHIBO_SERVER_PORT" in capsys.readouterr().err


def test_pilot_lifecycle_from_cli(var: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    assert (var / "kek.key").stat().st_mode & 0o777 == 0o600
    capsys.readouterr()
    assert (
        main(
            [
                "pilot",
                "check",
                "--org",
                "DEMO-CB-THUYENVIEN",
                "--mode",
                "hybrid",
                "--date",
                "2026-12-03",
            ]
        )
        == 0
    )
    decision = json.loads(capsys.readouterr().out)
    assert decision["outcome"] == "eligible" and "E3" in decision["rules"]
    # a meeting date before any rule set (E4) is refused with exit code 1
    assert (
        main(
            [
                "pilot",
                "check",
                "--org",
                "DEMO-CB-THUYENVIEN",
                "--mode",
                "online",
                "--date",
                "2022-01-03",
            ]
        )
        == 1
    )
    assert json.loads(capsys.readouterr().out)["rules"] == ["E4"]
    assert (
        main(
            [
                "pilot",
                "register",
                "--org",
                "DEMO-CB-LON",
                "--scope",
                "group",
                "--members",
                "60",
                "--groups",
                "4",
                "--locations",
                "Hà Nội",
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "pilot",
                "circumstance",
                "--org",
                "DEMO-CB-LON",
                "--kind",
                "epidemic",
                "--start",
                "2026-11-01",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["pilot", "end-circumstance", "1", "--date", "2026-10-01"]) == 1
    assert "before" in capsys.readouterr().err
    assert main(["pilot", "end-circumstance", "1", "--date", "2026-11-20"]) == 0
    assert main(["pilot", "end-circumstance", "1", "--date", "2026-11-21"]) == 1
    out = var / "list.csv"
    assert (
        main(["pilot", "export", "--org", "DEMO-DBCS", "--format", "csv", "--out", str(out)]) == 0
    )
    rows = list(csv.reader(out.open(encoding="utf-8")))
    sections = {r[0] for r in rows[1:]}
    assert sections == {"I. Sinh hoạt trực tuyến", "II. Sinh hoạt tổ đảng"}
    assert main(["pilot", "export", "--org", "DEMO-DBCS", "--out", str(var / "l.docx")]) == 0
    assert (var / "l.docx").read_bytes()[:2] == b"PK"
