"""``docs/rules.md`` maps every rule id of ``docs/domain.md`` (the ids of the shared DOMAIN.md:
E1–E4, P1–P5, T1–T15, G1–G3, C1, R1–R8, Q1–Q3, S1–S3, V1–V3, GM3, A1–A5, M1–M4) to its source
clause, the code that enforces it and the tests that show it — and every test it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ID = r"[A-Z]{1,2}[0-9]+[a-z]?"


def _domain_ids() -> set[str]:
    text = (ROOT / "docs" / "domain.md").read_text(encoding="utf-8")
    return set(re.findall(rf"^\| *({ID}) *\|", text, flags=re.M))


def _rows() -> dict[str, list[str]]:
    """The table "Rule → source → function → tests": id → [clause, code, tests]; a row for a
    range (``T1–T15``) stands for each id in it."""
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    start = text.index("## Rule → source → function → tests")
    table = text[start : text.index("\n## ", start + 1)]
    rows: dict[str, list[str]] = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 4 or not re.fullmatch(rf"{ID}(–{ID})?", cells[0]):
            continue
        first, _, last = cells[0].partition("–")
        if last:
            prefix = re.sub(r"[0-9]+$", "", first)
            low, high = int(first[len(prefix) :]), int(last[len(prefix) :])
            ids = [f"{prefix}{n}" for n in range(low, high + 1)]
        else:
            ids = [first]
        for rule in ids:
            rows[rule] = [cells[1], cells[2], " | ".join(cells[3:])]
    return rows


def _defined_tests() -> tuple[set[str], set[str]]:
    names: set[str] = set()
    stems: set[str] = set()
    for path in (ROOT / "tests").rglob("*.py"):
        stems.add(path.stem)
        names |= set(re.findall(r"def (test_\w+)", path.read_text(encoding="utf-8")))
    return names, stems


def test_every_rule_id_has_a_row_with_clause_code_and_tests() -> None:
    rows = _rows()
    ids = _domain_ids()
    assert {"Q1", "S2", "V1", "GM3", "E1a", "R8", "C1", "M1"} <= ids  # the parser reads them
    assert sorted(ids - set(rows)) == []
    for rule, (clause, code, tests) in rows.items():
        assert clause and code, rule
        assert "test_" in tests, f"{rule}: no test named"


def test_every_test_the_table_names_exists() -> None:
    names, stems = _defined_tests()
    missing = set()
    for _rule, (_clause, _code, tests) in _rows().items():
        for name in re.findall(r"(test_\w+)", tests):
            if name in names or name in stems:
                continue
            if name.endswith("_") and any(n.startswith(name) for n in names):
                continue  # a family: `test_g1_*`
            missing.add(name)
        for path in re.findall(r"`(tests/[\w/]+\.py)", tests):
            if not (ROOT / path).exists():
                missing.add(path)
    assert sorted(missing) == []
