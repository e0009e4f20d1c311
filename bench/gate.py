"""Benchmark: agenda-gate decisions per second, with G2 text screening, on one core.

Run ``python bench/gate.py`` from the repository root. Every decision is a full
:func:`policy.gate.check_item` call (rule set lookup, G1, G2 screening of title, description and
attachment names, and the bilingual explanation) over the labelled titles in ``tests/data/``:
the stock corpus ``agenda_corpus.tsv`` and the G2 corpus ``gate_titles_written.tsv`` and
``gate_titles_generated.tsv`` (paraphrases, abbreviations, typos, English, multi-topic …).
"first sight" screens each title once with every cache emptied. "cold" gives every decision a
description and attachment names never seen before, so the memo of whole texts cannot help (the
per-word memos of folding and typo lookups can, as in a running server); "warm" re-runs the
gate on a known agenda (G3, at open time). Rates are per second of this process's CPU time on
the one core it is pinned to (so other load on a shared machine does not count against it), best
of several runs as ``timeit`` does; wall-clock rates are printed too.
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

from policy import screening
from policy.gate import AgendaItem, check_item
from policy.model import AgendaCategory, MeetingMode

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
CORPORA = (
    DATA / "agenda_corpus.tsv",
    DATA / "gate_titles_written.tsv",
    DATA / "gate_titles_generated.tsv",
)
MODES = (MeetingMode.HYBRID, MeetingMode.ONLINE, MeetingMode.GROUP)
ON = date(2025, 9, 3)
SECONDS = 1.5
RUNS = 7
TARGET = 5_000  # gate decisions per second, with G2 screening on meaning, on one core


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_titles() -> list[str]:
    titles: list[str] = []
    for corpus in CORPORA:
        with corpus.open(encoding="utf-8", newline="") as handle:
            titles += [row["title"] for row in csv.DictReader(handle, delimiter="\t")]
    return titles


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


def first_sight(titles: Sequence[str]) -> tuple[int, float]:
    """Titles only, each screened once with every cache of the screening emptied first: the
    rate for text (and words) never seen before."""
    screening._screen_text.cache_clear()
    screening._fold_word.cache_clear()
    screening._fuzzy_lookup.cache_clear()
    start = time.process_time()
    for title in titles:
        screening.screen(title)
    return len(titles), time.process_time() - start


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
    best = 0.0
    for _ in range(RUNS):
        count, elapsed = first_sight(titles)
        best = max(best, count / elapsed)
    print(
        f"first sight (titles only, all caches emptied): {best:,.0f} titles per CPU-second"
        f" ({1e6 / best:.1f} µs each), best of {RUNS} runs;"
        f" target {TARGET:,}/s {'met' if best >= TARGET else 'NOT met'}"
    )
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
