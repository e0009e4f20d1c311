"""``hopchibo gate check``: G1/G2 from the command line, one title or one per stdin line."""

from __future__ import annotations

import io
import json

import pytest

from server.cli import main


def test_g2_cli_check_one_title(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["gate", "check", "Xét KL đ/c Tuấn", "--mode", "hybrid", "--on", "2026-01-03"])
    out = capsys.readouterr().out
    assert status == 1
    assert out.startswith("suspected\tG2, T7\tXét KL đ/c Tuấn")
    assert "T7: xet ky luat" in out and "Nghi là" in out


def test_g2_cli_reads_stdin_and_prints_one_json_object_per_line_in_order(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [
        "Học tập quy trình xét kết nạp đảng viên",
        "Kiểm điểm, xếp loại và khen thưởng đảng viên",
        "",
        "Studying the secret resolution on defence",
        "Thu đảng phí quý I",
    ]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    status = main(["gate", "check", "--mode", "online", "--on", "2026-01-03", "--json"])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert status == 1
    assert [r["title"] for r in rows] == lines
    assert [r["outcome"] for r in rows] == ["allowed", "suspected", None, "suspected", "allowed"]
    assert [t["topic"] for t in rows[1]["topics"]] == ["T8", "T13", "T14"]
    assert rows[1]["rules"] == ["G2", "T8", "T13", "T14"]
    assert rows[3]["rules"] == ["G2", "T11"]
    assert rows[2]["error"]["vi"].startswith("Dòng 3")
    assert [t["topic"] for t in rows[0]["studied"]] == ["T2"]


def test_g1_cli_declared_category_and_in_person(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["gate", "check", "Bầu bí thư", "--on", "2026-01-03", "--json", "--category", "T12"]
    assert main([*args, "--mode", "group"]) == 1
    assert main([*args, "--mode", "in_person"]) == 0
    blocked, allowed = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert blocked["outcome"] == "blocked" and blocked["rules"] == ["G1", "T12"]
    assert allowed["outcome"] == "allowed"


def test_e4_cli_no_rule_set_on_the_date(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["gate", "check", "Sinh hoạt tháng 7", "--mode", "hybrid", "--on", "2025-07-10"])
    assert status == 1 and "E4" in capsys.readouterr().out


def test_g2_cli_bad_date_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["gate", "check", "x", "--mode", "hybrid", "--on", "3/1/2026"])
    assert exit_info.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
