"""``hopchibo gate check``: the agenda gate's pre-check (G1/G2, T1–T15) for secretaries and scripts.

``hopchibo gate check "Xét kết nạp quần chúng Hoa" --mode hybrid --on 2026-01-03`` prints the
decision, the topics found with the words behind each, and the rule ids. Without a title it reads
titles from standard input, one per line; ``--json`` prints one JSON object per input line, in
the same order, with ``outcome`` (allowed / suspected / blocked), ``topics``, ``rules``, the
Vietnamese and English explanation, and the words per topic. An empty line gives an object with
``outcome`` null and an ``error``. Exit status: 0 when every title is allowed, 1 when any is
suspected, blocked or empty, 2 on a usage error. Needs no configuration, database or key: the
gate is a pure function of the text, the declared category, the meeting mode and the date.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Iterable
from typing import TextIO

from policy.decision import Outcome
from policy.gate import AgendaItem, GateReport, report_item
from policy.i18n import tr
from policy.model import AgendaCategory, MeetingMode

COMMANDS = frozenset({"gate"})


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {value!r}") from None


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    gate = sub.add_parser("gate", help="the agenda gate (G1/G2, T1–T15)")
    cmds = gate.add_subparsers(dest="gate_command", required=True)
    check = cmds.add_parser(
        "check",
        help="would this agenda item pass the gate? (titles from stdin, one per line, if none)",
    )
    check.add_argument("title", nargs="?", help="the item's title (default: read stdin)")
    check.add_argument("--mode", required=True, choices=[m.value for m in MeetingMode])
    check.add_argument("--on", required=True, type=_date, help="meeting date, YYYY-MM-DD")
    check.add_argument(
        "--category",
        default=AgendaCategory.ORDINARY.value,
        choices=[c.value for c in AgendaCategory],
        help="the declared category (default: ordinary)",
    )
    check.add_argument("--description", default="", help="the item's description")
    check.add_argument("--json", action="store_true", help="one JSON object per title")


def _as_json(line: int, title: str, report: GateReport | None) -> dict[str, object]:
    if report is None:
        error = tr("rules.gate.empty_title", line=line)
        return {
            "line": line,
            "title": title,
            "outcome": None,
            "rules": [],
            "topics": [],
            "error": {"vi": error.vi, "en": error.en},
        }
    data = report.as_dict()
    return {"line": line, "title": title, **data}


def _as_text(line: int, title: str, report: GateReport | None) -> str:
    if report is None:
        return tr("rules.gate.empty_title", line=line).both()
    decision = report.decision
    topics = "; ".join(
        f"{t.category.value}: {', '.join(t.words) or '(declared)'}" for t in report.topics
    )
    lines = [
        f"{decision.outcome.value}\t{', '.join(decision.rule_ids)}\t{title}",
        f"  {decision.text.vi}",
        f"  {decision.text.en}",
    ]
    if topics:
        lines.append(f"  topics: {topics}")
    if report.studied:
        lines.append("  studied: " + ", ".join(t.category.value for t in report.studied))
    return "\n".join(lines)


def check(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    titles: Iterable[str] = [args.title] if args.title is not None else stdin
    mode = MeetingMode(args.mode)
    category = AgendaCategory(args.category)
    status = 0
    for line, raw in enumerate(titles, start=1):
        title = raw.rstrip("\r\n").strip()
        report = None
        if title:
            item = AgendaItem(title, category, description=args.description)
            report = report_item(item, mode, args.on)
        if report is None or report.decision.outcome is not Outcome.ALLOWED:
            status = 1
        if args.json:
            print(json.dumps(_as_json(line, title, report), ensure_ascii=False), file=stdout)
        else:
            print(_as_text(line, title, report), file=stdout)
        stdout.flush()
    return status


def run(args: argparse.Namespace) -> int:
    return check(args, sys.stdin, sys.stdout)
