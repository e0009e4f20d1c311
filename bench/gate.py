"""Benchmark: agenda-gate decisions per second, with G2 text screening, on one core.

Run ``python bench/gate.py`` from the repository root. Every decision is a full
:func:`policy.gate.check_item` call (rule set lookup, G1, G2 screening of title, description and
attachment names, and the bilingual explanation) over the labelled corpus in
``tests/data/agenda_corpus.tsv``. "cold" gives every decision a text never seen before, so the
normalisation and screening caches cannot help; "warm" re-runs the gate on a known agenda (G3, at
open time). Rates are per second of this process's CPU time on the one core it is pinned to (so
other load on a shared machine does not count against it), best of several runs as ``timeit``
does; wall-clock rates are printed too.
"""

from __future__ import annotations

import csv
import os
import platform
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from policy.gate import AgendaItem, check_item
from policy.model import AgendaCategory, MeetingMode

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "agenda_corpus.tsv"
MODES = (MeetingMode.HYBRID, MeetingMode.ONLINE, MeetingMode.GROUP)
ON = date(2025, 9, 3)
SECONDS = 1.5
RUNS = 7
TARGET = 50_000  # gate decisions per second, with text screening, on one core


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_titles() -> list[str]:
    with CORPUS.open(encoding="utf-8", newline="") as handle:
        return [row["title"] for row in csv.DictReader(handle, delimiter="\t")]


def make_items(titles: Sequence[str], tag: str) -> list[AgendaItem]:
    """Items declared ordinary, so that every one goes through text screening (the costly path).
    ``tag`` makes every text new, so the normalisation and screening caches cannot help."""
    return [
        AgendaItem(
            title=title,
            category=AgendaCategory.ORDINARY,
            description=f"Nội dung {tag}-{number} do chi ủy chuẩn bị, gửi trước kỳ sinh hoạt",
            attachment_names=(f"tai-lieu-{tag}-{number}.pdf", "du-thao-ket-luan.docx"),
        )
        for number, title in enumerate(titles)
    ]


def run(titles: Sequence[str], *, cold: bool) -> tuple[int, float, float]:
    """Cold: each decision on text never seen before (one mode per item). Warm: the same agenda
    checked again in every mode, as at open time (G3)."""
    decisions = 0
    elapsed = 0.0
    wall = 0.0
    warm_items = make_items(titles, "warm")
    passes = 0
    while elapsed < SECONDS:
        passes += 1
        batches = (
            [(mode, make_items(titles, f"{passes}{mode.value}")) for mode in MODES]
            if cold
            else [(mode, warm_items) for mode in MODES]
        )
        start, start_wall = time.process_time(), time.perf_counter()
        for mode, items in batches:
            for item in items:
                check_item(item, mode, ON)
        elapsed += time.process_time() - start
        wall += time.perf_counter() - start_wall
        decisions += sum(len(items) for _, items in batches)
    return decisions, elapsed, wall


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    titles = load_titles()
    print(f"platform: {platform.platform()}")
    print(f"cpu: {cpu_model()} (pinned to one core)")
    print(f"python: {platform.python_implementation()} {platform.python_version()}")
    if hasattr(os, "getloadavg"):
        print(f"load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"corpus: {len(titles)} titles x {len(MODES)} modes, declared ordinary (screened)")
    for name, cold in (("cold", True), ("warm", False)):
        best = best_wall = 0.0
        for _ in range(RUNS):
            decisions, elapsed, wall = run(titles, cold=cold)
            best = max(best, decisions / elapsed)
            best_wall = max(best_wall, decisions / wall)
        print(
            f"{name}: {best:,.0f} gate decisions per CPU-second ({1e6 / best:.1f} µs each;"
            f" wall clock {best_wall:,.0f}/s), best of {RUNS} runs of {SECONDS:g} s;"
            f" target {TARGET:,}/s {'met' if best >= TARGET else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
