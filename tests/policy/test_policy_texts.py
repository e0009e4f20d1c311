"""The rules part of the translation table: every explanation in both languages."""

from __future__ import annotations

import string

import pytest

from policy.i18n import TABLE
from policy.texts.rules import TEXTS


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def language_neutral(names: set[str], suffix: str) -> set[str]:
    return {name.removesuffix(suffix) for name in names}


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_rule_texts_have_both_languages_and_the_same_placeholders(key: str) -> None:
    assert key.startswith("rules.")
    vi, en = TEXTS[key]
    assert vi.strip() and en.strip()
    assert language_neutral(fields(vi), "_vi") == language_neutral(fields(en), "_en"), key
    assert key in TABLE


def test_refusals_cite_rule_ids() -> None:
    refusing = [
        k for k in TEXTS if k.split(".")[-1] in {"not_eligible", "too_few", "reached", "blocked"}
    ]
    assert refusing
    for key in refusing:
        vi, en = TEXTS[key]
        assert ")" in vi and ")" in en
