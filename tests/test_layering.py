"""The layering check (``tests/layering.py``) holds on this tree, and each of its rules catches
the violation it is there for: a rule removed or weakened fails here."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import layering

ROOT = Path(__file__).resolve().parent.parent


def test_the_tree_keeps_its_layers() -> None:
    assert layering.check(ROOT) == []


def _tree(root: Path, files: dict[str, str]) -> Path:
    for top in layering.OURS:
        (root / top).mkdir(parents=True, exist_ok=True)
        (root / top / "__init__.py").write_text("")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        for parent in path.relative_to(root).parents:
            if str(parent) != ".":
                (root / parent / "__init__.py").touch()
        path.write_text(text)
    return root


#: one tree per rule, each breaking only that rule
VIOLATIONS: dict[str, dict[str, str]] = {
    "policy imports nothing of ours": {
        "policy/gate.py": "from signaling.room import Room\n",
        "signaling/room.py": "Room = 1\n",
    },
    "signaling imports only policy": {
        "signaling/room.py": "from server import audit\n",
        "server/audit.py": "",
    },
    "server.http imports no server.storage": {
        "server/http/meetings.py": "from server.storage import meetings\n",
        "server/storage/meetings.py": "import sqlalchemy\n",
    },
    "only server.storage imports SQLAlchemy": {
        "server/demo.py": "from sqlalchemy import select\n",
    },
    "no import cycle between packages": {
        "server/http/routes.py": "from server.meeting import live\n",
        "server/meeting/live.py": "from server.auth.authz import require\n",
        "server/auth/authz.py": "from server.http import routes\n",
    },
}


def test_every_rule_has_a_violation_to_catch() -> None:
    assert set(layering.RULES) == set(VIOLATIONS)


@pytest.mark.parametrize("rule", sorted(VIOLATIONS))
def test_each_rule_catches_its_violation(tmp_path: Path, rule: str) -> None:
    root = _tree(tmp_path, VIOLATIONS[rule])
    problems = layering.check(root)
    assert len(problems) >= 1
    # the problems are this rule's alone: without it the tree passes
    others = {name: r for name, r in layering.RULES.items() if name != rule}
    assert layering.check(root, others) == []
    assert layering.RULES[rule](layering.imports(root)) == problems


def test_type_only_imports_do_not_count(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "policy/gate.py": "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from server.audit import AuditLog\n"
            "else:\n    import json\n",
            "server/audit.py": "",
        },
    )
    assert layering.check(root) == []


def test_relative_imports_are_resolved(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "server/http/meetings.py": "from ..storage import meetings\n",
            "server/storage/meetings.py": "",
        },
    )
    assert layering.handlers_without_storage(layering.imports(root)) != []


def test_a_cycle_is_named_with_the_imports_that_close_it(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {"server/a.py": "from server import b\n", "server/b.py": "import server.a\n"},
    )
    [problem] = layering.no_package_cycles(layering.imports(root))
    assert "server.a ↔ server.b" in problem and "server/b.py:1" in problem
