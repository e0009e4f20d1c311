"""The labelled G2 corpus, its held-apart split, and the figures docs/rules.md reports.

Files (``tests/data/``):

- ``gate_titles_written.tsv``: titles written by hand before the screening was rewritten, in the
  kinds the issue lists (paraphrase, abbreviation, typo, English, mixed, multi-topic) and
  ordinary and tricky-ordinary titles. The **held-apart split** is the half of these whose
  SHA-256 of the title starts with an even byte; it is never used for tuning.
- ``gate_titles_generated.tsv``: generated tuning titles (``gate_corpus_generate.py``); with the
  other half of the written titles they form the tuning split.
- ``agenda_corpus.tsv``: the stock corpus (the old patterns' phrasing).

``topics`` is ``ordinary``, ``tricky`` or a comma-separated list of T-ids.
"""

from __future__ import annotations

import csv
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"
WRITTEN = DATA / "gate_titles_written.tsv"
GENERATED = DATA / "gate_titles_generated.tsv"
STOCK = DATA / "agenda_corpus.tsv"
ORDINARY_KINDS = ("ordinary", "tricky")


@dataclass(frozen=True, slots=True)
class Title:
    topics: tuple[str, ...]  # empty for ordinary and tricky titles
    kind: str
    title: str

    @property
    def sensitive(self) -> bool:
        return bool(self.topics)


def held_apart(title: str) -> bool:
    """The deterministic split: SHA-256 of the UTF-8 title, first byte even."""
    return hashlib.sha256(title.encode("utf-8")).digest()[0] % 2 == 0


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _title(row: dict[str, str]) -> Title:
    topics = row["topics"]
    if topics in ORDINARY_KINDS:
        return Title((), topics, row["title"])
    return Title(tuple(topics.split(",")), row["kind"], row["title"])


def written() -> list[Title]:
    return [_title(r) for r in _read(WRITTEN)]


def held_apart_split() -> list[Title]:
    return [t for t in written() if held_apart(t.title)]


def tuning_split() -> list[Title]:
    return [t for t in written() if not held_apart(t.title)] + [_title(r) for r in _read(GENERATED)]


def stock() -> list[Title]:
    out = []
    for r in _read(STOCK):
        if r["label"] == "ordinary":
            out.append(Title((), "ordinary", r["title"]))
        else:
            out.append(Title((r["label"],), r["variant"], r["title"]))
    return out


@dataclass
class Rate:
    hits: int = 0
    total: int = 0

    def add(self, hit: bool) -> None:
        self.hits += hit
        self.total += 1

    @property
    def value(self) -> float:
        return self.hits / self.total if self.total else float("nan")

    def __str__(self) -> str:
        return f"{self.value:.1%} ({self.hits}/{self.total})" if self.total else "–"


@dataclass
class Figures:
    """Recall counts a sensitive title when every labelled topic is reported; ``flagged``
    when it is suspected at all. False suspicion: ordinary or tricky titles suspected."""

    recall: Rate = field(default_factory=Rate)
    flagged: Rate = field(default_factory=Rate)
    multi_all_topics: Rate = field(default_factory=Rate)
    by_topic: dict[str, Rate] = field(default_factory=lambda: defaultdict(Rate))
    by_kind: dict[str, Rate] = field(default_factory=lambda: defaultdict(Rate))
    false_ordinary: Rate = field(default_factory=Rate)
    false_tricky: Rate = field(default_factory=Rate)
    missed: list[Title] = field(default_factory=list)
    suspected: list[Title] = field(default_factory=list)


def measure(titles: Iterable[Title], topics_of: Callable[[str], frozenset[str]]) -> Figures:
    figures = Figures()
    for t in titles:
        found = topics_of(t.title)
        if not t.sensitive:
            rate = figures.false_tricky if t.kind == "tricky" else figures.false_ordinary
            rate.add(bool(found))
            if found:
                figures.suspected.append(t)
            continue
        complete = set(t.topics) <= found
        figures.recall.add(complete)
        figures.flagged.add(bool(found))
        figures.by_kind[t.kind].add(complete)
        for topic in t.topics:
            figures.by_topic[topic].add(topic in found)
        if len(t.topics) > 1:
            figures.multi_all_topics.add(complete)
        if not complete:
            figures.missed.append(t)
    return figures
