"""The one translation table: every text a member, chair or officer reads, Vietnamese first.

The table is assembled from per-area parts under ``policy/texts/`` so that each area keeps its
own strings, but there is one lookup (:func:`tr`) and one table (:data:`TABLE`), which the server
also serves to the browser client at ``/api/i18n``. Keys are dotted ``area.name``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Final

from policy.texts import (
    auth,
    chair,
    committee,
    conduct,
    errors,
    groups,
    media,
    oversight,
    pages,
    plan,
    records,
    roster,
    rules,
    stage,
    ui,
)


class Lang(str, Enum):
    VI = "vi"
    EN = "en"


@dataclass(frozen=True, slots=True)
class Text:
    """A message in both languages; ``vi`` is shown first."""

    vi: str
    en: str

    def __post_init__(self) -> None:
        if not self.vi or not self.en:
            raise ValueError("a Text needs both Vietnamese and English")

    def format(self, **params: object) -> Text:
        return Text(self.vi.format(**params), self.en.format(**params))

    def get(self, lang: Lang) -> str:
        return self.vi if lang is Lang.VI else self.en

    def both(self) -> str:
        """Vietnamese first, English after, for logs and plain-text refusals."""
        return f"{self.vi} / {self.en}"

    def as_dict(self) -> dict[str, str]:
        return {"vi": self.vi, "en": self.en}


def _build() -> dict[str, Text]:
    table: dict[str, Text] = {}
    for part in (
        errors,
        rules,
        auth,
        media,
        conduct,
        records,
        ui,
        chair,
        pages,
        plan,
        oversight,
        stage,
        committee,
        roster,
        groups,
    ):
        for key, (vi, en) in part.TEXTS.items():
            if key in table:
                raise ValueError(f"duplicate translation key {key!r} in {part.__name__}")
            table[key] = Text(vi, en)
    return table


TABLE: Final[dict[str, Text]] = _build()


def tr(key: str, /, **params: object) -> Text:
    """Look up ``key`` and fill its ``{placeholders}``. An unknown key is a programming error."""
    text = TABLE[key]
    return text.format(**params) if params else text
