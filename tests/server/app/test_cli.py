"""The ``hopchibo`` command on a fresh var directory: db upgrade, demo, pilot lifecycle."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

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


def _meeting_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code = main(["meeting", *args])
    captured = capsys.readouterr()
    return code, json.loads(captured.out if code == 0 else captured.err)


def test_meeting_flow_from_cli(var: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The CLI schedules, plans, starts and closes through the API's service functions: the same
    rule refusals (E4, G1) and the same audit actions."""
    assert main(["demo"]) == 0
    capsys.readouterr()
    cell = ["--org", "DEMO-CB-THUYENVIEN", "--kind", "regular"]
    on_dec_3 = ["--start", "2026-12-03T19:00+07:00"]
    # E4: no pilot rule set in force on that date, so no online meeting; nothing is stored
    code, refused = _meeting_cli(
        [
            "schedule",
            *cell,
            "--mode",
            "online",
            "--title",
            "x",
            "--start",
            "2022-01-05T19:00+07:00",
        ],
        capsys,
    )
    assert code == 1 and refused["code"] == "policy_denied" and refused["rules"] == ["E4"]
    code, hybrid = _meeting_cli(
        ["schedule", *cell, "--mode", "hybrid", "--title", "Sinh hoạt tháng 12", *on_dec_3],
        capsys,
    )
    assert code == 0 and hybrid["status"] == "scheduled"
    # G1 at planning: a T1 item in a hybrid meeting is deferred, with the rule on the item
    code, item = _meeting_cli(
        ["agenda-add", str(hybrid["id"]), "--title", "Nhân sự", "--category", "T1"], capsys
    )
    assert code == 0 and item["status"] == "deferred" and item["gate"]["outcome"] == "blocked"
    assert "G1" in item["gate"]["rules"]
    # in person needs no pilot on any date: start and close, the close order of the API
    code, meeting = _meeting_cli(
        ["schedule", *cell, "--mode", "in_person", "--title", "Họp chi bộ", *on_dec_3],
        capsys,
    )
    assert code == 0
    mid = str(meeting["id"])
    code, closed_early = _meeting_cli(["close", mid], capsys)
    assert code == 1 and closed_early["code"] == "conflict"
    assert _meeting_cli(["start", mid], capsys) == (0, {"id": meeting["id"], "status": "open"})
    assert _meeting_cli(["close", mid], capsys) == (0, {"id": meeting["id"], "status": "closed"})
    code, again = _meeting_cli(["close", mid], capsys)
    assert code == 1 and again["code"] == "conflict"
    # R2: "tuyệt đối không được họp chi bộ kết hợp các cuộc họp khác" (50-CT/TW)
    joint = ["schedule", *cell, "--mode", "in_person", "--title", "Họp liên tịch công đoàn"]
    code, refused = _meeting_cli([*joint, *on_dec_3], capsys)
    assert code == 1 and refused["rules"] == ["R2"]
    code, _ = _meeting_cli([*joint, *on_dec_3, "--not-combined-confirmed"], capsys)
    assert code == 0


def test_m4_holidays_add_a_year_from_cli(var: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """M4: "Lunar New Year (5 days, dates set yearly) ... the calendar takes the year's list as
    data": ``hopchibo holidays add --year 2027`` stores it, lunar days in UTC+7, idempotently."""
    assert main(["db", "upgrade"]) == 0
    capsys.readouterr()
    assert main(["holidays", "add", "--year", "2027"]) == 0
    out = capsys.readouterr().out
    assert "2027-02-06  lunar  Tết Nguyên Đán (mùng 1)" in out  # Tết 2027 is 6 February
    assert "2027-04-16  lunar  Giỗ Tổ Hùng Vương" in out  # 10/3 âm lịch
    assert main(["holidays", "add", "--year", "2027"]) == 0
    assert "0 day(s) added for 2027" in capsys.readouterr().out
    assert main(["holidays", "remove", "--date", "2027-09-01"]) == 0
    assert main(["holidays", "add-day", "--date", "2027-09-03", "--name", "Nghỉ lễ 2/9"]) == 0
    capsys.readouterr()
    assert main(["holidays", "list", "--year", "2027"]) == 0
    listed = capsys.readouterr().out
    assert "2027-09-03" in listed and "2027-09-01" not in listed
    assert main(["holidays", "remove", "--date", "2027-09-01"]) == 1
