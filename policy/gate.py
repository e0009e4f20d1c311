"""The agenda gate (03-HD/TW §II.3.2): G1, G2 and G3 over categories T1–T15.

G1: a declared blocked category is blocked in hybrid, online and group meetings, with no override.
G2: text that looks like a blocked topic under an allowed category is *suspected* until the chair
reclassifies the item or confirms it with a written reason covering what was suspected.
G3: the gate is a pure function of the item and the meeting as they are now, so the server calls
it again when the item is opened; a secret ballot is possible only in person.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Final

from policy.decision import Decision, Outcome, RuleId, cite
from policy.i18n import Text, tr
from policy.model import AgendaCategory, MeetingMode
from policy.rulesets import RULE_SETS, RuleSet, find_ruleset
from policy.screening import Screening, screen

_ORDER: Final = {category: index for index, category in enumerate(AgendaCategory)}
_BLOCKABLE: Final = tuple(c for c in AgendaCategory if c.value.startswith("T"))
_RULE: Final = {category: RuleId(category.value) for category in _BLOCKABLE}
_TOPIC: Final = {category: tr(f"rules.topic.{category.value}") for category in _BLOCKABLE}
_MODE_TEXT: Final = {mode: tr(f"rules.mode_name.{mode.value}") for mode in MeetingMode}


@dataclass(frozen=True, slots=True)
class Confirmation:
    """The chair's written confirmation that a suspected item is not a blocked topic (G2).

    It covers the ``categories`` the chair was shown; a later edit that makes the text look like
    another blocked topic makes the item suspected again."""

    reason: str
    categories: frozenset[AgendaCategory]
    by: str

    def __post_init__(self) -> None:
        if len(self.reason.strip()) < 10:
            raise ValueError("a confirmation needs a written reason (at least 10 characters)")
        if not self.by.strip():
            raise ValueError("a confirmation names who confirmed it")
        if not self.categories:
            raise ValueError("a confirmation covers at least one suspected category")


@dataclass(frozen=True, slots=True)
class AgendaItem:
    """An agenda item as the gate sees it: declared category and the text to screen."""

    title: str
    category: AgendaCategory
    description: str = ""
    attachment_names: tuple[str, ...] = ()
    confirmation: Confirmation | None = None

    def __post_init__(self) -> None:
        if not self.title.strip():
            raise ValueError("an agenda item needs a title")
        if not isinstance(self.category, AgendaCategory):
            raise TypeError(f"category must be an AgendaCategory, not {self.category!r}")

    def screening(self) -> Screening:
        return screen(self.title, self.description, *self.attachment_names)


@lru_cache(maxsize=256)
def _topics(categories: frozenset[AgendaCategory]) -> tuple[tuple[RuleId, ...], Text, str]:
    """Rule ids, topic names and the ids as text, in T1…T15 order."""
    ordered = sorted(categories, key=_ORDER.__getitem__)
    rules = tuple(_RULE[c] for c in ordered)
    return (
        rules,
        Text("; ".join(_TOPIC[c].vi for c in ordered), "; ".join(_TOPIC[c].en for c in ordered)),
        ", ".join(rule.value for rule in rules),
    )


def check_item(
    item: AgendaItem,
    mode: MeetingMode,
    on: date,
    rulesets: tuple[RuleSet, ...] = RULE_SETS,
) -> Decision:
    """G1/G2 for one item in a meeting of ``mode`` on ``on``: ALLOWED, SUSPECTED or BLOCKED.

    Blocked category and not in person → BLOCKED (G1, Tn). In person → ALLOWED whatever the
    category. No pilot rule set in force and not in person → BLOCKED (E4)."""
    if mode is MeetingMode.IN_PERSON:
        return Decision(Outcome.ALLOWED, (RuleId.G1,), tr("rules.gate.in_person"))
    rules = find_ruleset(on, rulesets)
    mode_text = _MODE_TEXT[mode]
    if rules is None:
        return Decision(
            Outcome.BLOCKED,
            (RuleId.E4, RuleId.G1),
            tr(
                "rules.gate.no_ruleset",
                date=on.strftime("%d/%m/%Y"),
                mode_vi=mode_text.vi,
                mode_en=mode_text.en,
            ),
        )
    if item.category in rules.blocked_categories:
        ids, topics, id_text = _topics(frozenset((item.category,)))
        return Decision(
            Outcome.BLOCKED,
            (RuleId.G1, *ids),
            tr(
                "rules.gate.blocked",
                mode_vi=mode_text.vi,
                mode_en=mode_text.en,
                topic_vi=topics.vi,
                topic_en=topics.en,
                ids=f"G1, {id_text}",
            ),
        )
    screening = item.screening()
    suspected = screening.categories & rules.blocked_categories
    if not suspected:
        key = "rules.gate.study" if screening.study and screening.hits else "rules.gate.allowed"
        return Decision(Outcome.ALLOWED, (RuleId.G2,), tr(key))
    ids, topics, id_text = _topics(suspected)
    confirmation = item.confirmation
    if confirmation is not None and suspected <= confirmation.categories:
        return Decision(
            Outcome.ALLOWED,
            cite(RuleId.G2, *ids),
            tr(
                "rules.gate.confirmed",
                by=confirmation.by,
                reason=confirmation.reason.strip(),
                ids=id_text,
            ),
        )
    return Decision(
        Outcome.SUSPECTED,
        (RuleId.G2, *ids),
        tr(
            "rules.gate.suspected",
            topic_vi=topics.vi,
            topic_en=topics.en,
            words=_words_text(screening, suspected),
            ids=f"G2, {id_text}",
        ),
    )


def _words_text(screening: Screening, categories: frozenset[AgendaCategory]) -> str:
    """ "T7: “xem xet ky luat”, “khien trach”; T1: “mien nhiem”" for the suspected categories."""
    return "; ".join(
        f"{category.value}: {', '.join(f'“{w}”' for w in words)}"
        for category, words in screening.words().items()
        if category in categories
    )


@dataclass(frozen=True, slots=True)
class TopicFound:
    """One topic the screening found (G2): its rule id, the words that triggered it, whether
    the text decides it (an action or a person), and whether it is blocked in this meeting."""

    category: AgendaCategory
    words: tuple[str, ...]
    deciding: bool
    blocked_here: bool


@dataclass(frozen=True, slots=True)
class GateReport:
    """A gate decision with its explanation: every topic found (all of them, T1…T15 order),
    the words behind each, and what study framing cleared (G2)."""

    decision: Decision
    topics: tuple[TopicFound, ...]
    studied: tuple[TopicFound, ...]

    def as_dict(self) -> dict[str, object]:
        def topic(t: TopicFound) -> dict[str, object]:
            name = _TOPIC[t.category]
            return {
                "topic": t.category.value,
                "rule": _RULE[t.category].value,
                "name": {"vi": name.vi, "en": name.en},
                "words": list(t.words),
                "deciding": t.deciding,
                "blocked_here": t.blocked_here,
            }

        return {
            **self.decision.as_dict(),
            "topics": [topic(t) for t in self.topics],
            "studied": [topic(t) for t in self.studied],
        }


def report_item(
    item: AgendaItem,
    mode: MeetingMode,
    on: date,
    rulesets: tuple[RuleSet, ...] = RULE_SETS,
) -> GateReport:
    """:func:`check_item` with its explanation (the agenda editor's pre-check, the CLI)."""
    decision = check_item(item, mode, on, rulesets)
    rules = find_ruleset(on, rulesets)
    blocked = (
        rules.blocked_categories
        if rules is not None and mode is not MeetingMode.IN_PERSON
        else frozenset()
    )
    screening = item.screening()
    found: dict[AgendaCategory, list[str]] = {}
    deciding: set[AgendaCategory] = set()
    studied: dict[AgendaCategory, list[str]] = {}
    for hit in screening.hits:
        target = studied if hit.cleared else found
        words = target.setdefault(hit.category, [])
        if hit.fragment not in words:
            words.append(hit.fragment)
        if hit.strong and not hit.cleared:
            deciding.add(hit.category)
    if item.category in _RULE and item.category not in found:
        found[item.category] = []
        deciding.add(item.category)

    def ordered(table: dict[AgendaCategory, list[str]], cleared: bool) -> tuple[TopicFound, ...]:
        return tuple(
            TopicFound(
                c,
                tuple(table[c]),
                c in deciding and not cleared,
                c in blocked and not cleared,
            )
            for c in sorted(table, key=_ORDER.__getitem__)
        )

    return GateReport(
        decision,
        ordered(found, False),
        ordered({c: w for c, w in studied.items() if c not in found}, True),
    )


def check_agenda(
    items: Iterable[AgendaItem],
    mode: MeetingMode,
    on: date,
    rulesets: tuple[RuleSet, ...] = RULE_SETS,
) -> tuple[Decision, ...]:
    """:func:`check_item` for each item, in order."""
    return tuple(check_item(item, mode, on, rulesets) for item in items)


def check_secret_ballot(mode: MeetingMode) -> Decision:
    """G3/T12: a secret ballot can be started only in an in-person meeting of the whole cell."""
    if mode is MeetingMode.IN_PERSON:
        return Decision(Outcome.ALLOWED, (RuleId.G3, RuleId.T12), tr("rules.g3.ballot_in_person"))
    mode_text = _MODE_TEXT[mode]
    return Decision(
        Outcome.BLOCKED,
        (RuleId.G3, RuleId.T12),
        tr("rules.g3.ballot_blocked", mode_vi=mode_text.vi, mode_en=mode_text.en),
    )
