"""The layering of the tree, checked from its imports (``ast``, nothing is imported or run).

Run by ``make lint`` (``python -m tests.layering``) and by the test suite
(``tests/test_layering.py``). The rules, each a function over the import graph:

* ``policy`` imports nothing of ours: the rules are pure and stdlib-only;
* ``signaling`` imports only ``policy``: the protocol and the room know no server;
* HTTP handlers (``server.http``) import no ``server.storage``: they parse, call a service,
  serialise;
* only ``server.storage`` and the migrations import SQLAlchemy;
* no import cycle between packages (a package: ``policy``, ``signaling``, each subpackage of
  ``server``, and each module directly in ``server``).

Imports under ``if TYPE_CHECKING:`` are types only and do not count.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

OURS = ("policy", "signaling", "server")


@dataclass(frozen=True, slots=True)
class Import:
    module: str  # the importing module, dotted
    target: str  # what it imports, dotted (a module, or a name in one)
    path: Path
    line: int


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_block(node: ast.stmt) -> bool:
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports_of(tree: ast.AST, package: str) -> Iterator[tuple[str, int]]:
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt) and _type_checking_block(child):
                assert isinstance(child, ast.If)
                stack.extend(child.orelse)  # the ``else:`` branch runs
                continue
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield alias.name, child.lineno
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - child.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in child.names:
                    yield f"{base}.{alias.name}" if alias.name != "*" else base, child.lineno
            else:
                stack.append(child)


def imports(root: Path, packages: tuple[str, ...] = OURS) -> list[Import]:
    found: list[Import] = []
    for top in packages:
        for path in sorted((root / top).rglob("*.py")):
            name = module_name(root, path)
            package = name if path.name == "__init__.py" else name.rpartition(".")[0]
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for target, line in _imports_of(tree, package):
                found.append(Import(name, target, path, line))
    return found


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def unit(name: str) -> str:
    """The package a module belongs to for the cycle rule."""
    parts = name.split(".")
    if parts[0] == "server" and len(parts) > 1:
        return ".".join(parts[:2])
    return parts[0]


def ours(target: str) -> bool:
    return any(within(target, top) for top in OURS)


Rule = Callable[[list[Import]], list[str]]


def _where(imp: Import) -> str:
    return f"{imp.path}:{imp.line}: {imp.module} imports {imp.target}"


def policy_is_pure(found: list[Import]) -> list[str]:
    return [
        f"{_where(i)} (policy imports nothing of ours)"
        for i in found
        if within(i.module, "policy") and ours(i.target) and not within(i.target, "policy")
    ]


def signaling_only_policy(found: list[Import]) -> list[str]:
    return [
        f"{_where(i)} (signaling imports only policy)"
        for i in found
        if within(i.module, "signaling")
        and ours(i.target)
        and not (within(i.target, "policy") or within(i.target, "signaling"))
    ]


def handlers_without_storage(found: list[Import]) -> list[str]:
    return [
        f"{_where(i)} (server.http imports no server.storage: call a service)"
        for i in found
        if within(i.module, "server.http") and within(i.target, "server.storage")
    ]


def sqlalchemy_in_storage(found: list[Import]) -> list[str]:
    return [
        f"{_where(i)} (only server.storage imports SQLAlchemy)"
        for i in found
        if within(i.target, "sqlalchemy")
        and not (within(i.module, "server.storage") or within(i.module, "server.migrations"))
    ]


def graph(found: list[Import]) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for i in found:
        if not ours(i.target):
            continue
        src, dst = unit(i.module), unit(i.target)
        if src != dst:
            edges.setdefault(src, set()).add(dst)
    return edges


def cycles(edges: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def no_package_cycles(found: list[Import]) -> list[str]:
    edges = graph(found)
    problems = []
    for component in cycles(edges):
        members = set(component)
        witness = sorted(
            _where(i)
            for i in found
            if ours(i.target)
            and unit(i.module) in members
            and unit(i.target) in members
            and unit(i.module) != unit(i.target)
        )
        problems.append(
            f"import cycle between packages {' ↔ '.join(component)}: " + "; ".join(witness)
        )
    return problems


RULES: dict[str, Rule] = {
    "policy imports nothing of ours": policy_is_pure,
    "signaling imports only policy": signaling_only_policy,
    "server.http imports no server.storage": handlers_without_storage,
    "only server.storage imports SQLAlchemy": sqlalchemy_in_storage,
    "no import cycle between packages": no_package_cycles,
}


def check(root: Path, rules: Mapping[str, Rule] = RULES) -> list[str]:
    found = imports(root)
    return [problem for rule in rules.values() for problem in rule(found)]


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    problems = check(root)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"layering: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"layering: {len(RULES)} rules hold")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
