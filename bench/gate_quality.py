"""G2 screening quality: recall and false suspicion on the held-apart split, the tuning split
and the stock corpus, per topic and per kind, as Markdown for docs/rules.md.

Run ``python bench/gate_quality.py`` from the repository root (``--missed`` lists the held-apart
titles missed or wrongly suspected).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from policy.screening import screen
from tests.policy import gate_corpus as corpus

KINDS = ("plain", "paraphrase", "abbreviation", "typo", "english", "mixed", "multi")


def topics_of(title: str) -> frozenset[str]:
    return frozenset(c.value for c in screen(title).categories)


def main() -> None:
    splits = {
        "held-apart": corpus.held_apart_split(),
        "tuning": corpus.tuning_split(),
        "stock": corpus.stock(),
    }
    figures = {name: corpus.measure(titles, topics_of) for name, titles in splits.items()}
    names = list(splits)
    print("| measure | " + " | ".join(names) + " |")
    print("| --- |" + " --- |" * len(names))
    rows: list[tuple[str, Callable[[corpus.Figures], str]]] = [
        ("titles", lambda f: str(f.recall.total + f.false_ordinary.total + f.false_tricky.total)),
        ("recall, every topic reported", lambda f: str(f.recall)),
        ("sensitive titles suspected at all", lambda f: str(f.flagged)),
        ("multi-topic: every topic reported", lambda f: str(f.multi_all_topics)),
        ("false suspicion, ordinary", lambda f: str(f.false_ordinary)),
        ("false suspicion, tricky ordinary", lambda f: str(f.false_tricky)),
    ]
    for label, get in rows:
        print(f"| {label} | " + " | ".join(get(figures[n]) for n in names) + " |")
    print()
    print("| recall by kind | " + " | ".join(names) + " |")
    print("| --- |" + " --- |" * len(names))
    kinds = [k for k in KINDS if any(k in f.by_kind for f in figures.values())]
    kinds += sorted({k for f in figures.values() for k in f.by_kind} - set(kinds))
    for kind in kinds:
        print(
            f"| {kind} | "
            + " | ".join(str(figures[n].by_kind.get(kind, corpus.Rate())) for n in names)
            + " |"
        )
    print()
    print("| recall by topic | " + " | ".join(names) + " |")
    print("| --- |" + " --- |" * len(names))
    for number in range(1, 16):
        topic = f"T{number}"
        print(
            f"| {topic} | "
            + " | ".join(str(figures[n].by_topic.get(topic, corpus.Rate())) for n in names)
            + " |"
        )
    if "--missed" in sys.argv:
        held = figures["held-apart"]
        print()
        for t in held.missed:
            print(
                f"missed\t{','.join(t.topics)}\t{t.kind}\t{t.title}\t{sorted(topics_of(t.title))}"
            )
        for t in held.suspected:
            print(f"suspected\t{t.kind}\t{t.title}\t{sorted(topics_of(t.title))}")


if __name__ == "__main__":
    main()
