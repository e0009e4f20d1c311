"""G2: screening the text of an agenda item for topics that may not be discussed online.

The screening reads what a title *means*, as far as a small table-driven matcher can, all offline
and in the standard library (policy/ imports nothing else):

1. **Names first.** On the original text, a capitalised surname followed by capitalised words
   ("Nguyễn Văn A"), or a capitalised name after "bạn/anh/chị/ông/bà/Mr/Ms", becomes one person
   token; "Hồ Chí Minh" becomes its own token (his works frame a study, he is not a case).
2. **Folding.** NFD, combining marks dropped (so old and new tone placement, "hoà"/"hòa",
   "xoá"/"xóa", fold alike), đ → d, lower case, punctuation that separates clauses (, ; : ( ) ! ?
   and line breaks) kept as a clause mark, everything else a word break. Words with two legal
   spellings take one (kỉ/kỷ → "ky", lí/lý → "ly", quí/quý → "quy").
3. **Abbreviations** of party offices are expanded (KNĐ, ĐV, ĐCT, BPK, KTGS, UBKT, BVCT, TĐKT,
   ĐGXL, TPB, BMNN, đ/c …); ambiguous ones only next to the words that settle them ("KL đ/c Tuấn" is
   kỷ luật, "Thông báo KL số 12" is kết luận; "KĐ cuối năm" is kiểm điểm, "phòng KD" is not).
4. **Concept lexicon** (``policy.screening_lexicon``): per topic T1–T15, Vietnamese and English
   phrases; everyday phrases that contain topic words ("quỹ khen thưởng", "lịch bầu cử quốc gia",
   "kỷ luật lao động") are masked first.
5. **Typos.** A word that is not a Vietnamese syllable (nor a lexicon word) is matched to lexicon
   phrases within one edit (insertion, deletion, substitution or swap of neighbours, and a lost or
   extra space), on the same first letter, through a precomputed table of one-letter deletions.
6. **Study framing, per clause.** After a study verb ("học tập", "quán triệt", "tìm hiểu",
   "study" …, or "phổ biến/triển khai/giới thiệu" followed by a document, a procedure or a work),
   topic words are studied, not decided, and are cleared — unless the clause names a person
   (deciding about someone is never study), or the word is a secret-document marker (T11: "mật",
   "tối mật", "tuyệt mật", "secret", "confidential" are never cleared). A following "và xét …"
   ends the study. Mentioning Hồ Chí Minh's thought or works frames the clause as study.

Every hit names its topic, the words that triggered it, whether the clause decides (an action
such as "xét/đề nghị/biểu quyết/vote" or a person) and whether study framing cleared it; the
categories are all topics with a hit that was not cleared. Invariant:
``screen(t).categories == screen(strip_diacritics(t)).categories`` and likewise for composed or
decomposed input.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from policy import screening_lexicon as lex
from policy.model import AgendaCategory

C = AgendaCategory

_COMBINING: Final = re.compile("[\u0300-\u036f]+")
# Folding works on the UTF-8 bytes of the NFD form: combining marks (U+0300–U+036F, lead bytes
# CC and CD) and every continuation byte are deleted, every other lead byte (another non-ASCII
# character) and every ASCII byte but [a-z0-9] becomes a word break, A–Z becomes a–z, and the
# clause separators , ; : ( ) ! ? and line breaks become "|".
_DELETE: Final = bytes([0xCC, 0xCD, *range(0x80, 0xC0)])
_CLAUSE_BYTES: Final = frozenset(b";:()!?\n[]")
_BYTE_MAP: Final = bytes(
    b
    if (0x61 <= b <= 0x7A or 0x30 <= b <= 0x39)
    else b + 0x20
    if 0x41 <= b <= 0x5A
    else 0x7C
    if b in _CLAUSE_BYTES
    else 0x2C
    if b == 0x2C
    else 0x20
    for b in range(256)
)
BREAK: Final = "|"
COMMA: Final = ","
_PERSON: Final = "qqperson"
_HCM: Final = "qqhcm"
_COUNT: Final = "qqcount"


def strip_diacritics(text: str) -> str:
    """Remove Vietnamese diacritics and map đ/Đ to d/D, keeping case."""
    stripped = _COMBINING.sub("", unicodedata.normalize("NFD", text))
    return stripped.replace("đ", "d").replace("Đ", "D")


def _raw_words(text: str) -> list[str]:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "d"))
    raw = decomposed.encode("utf-8").translate(_BYTE_MAP, _DELETE).decode("ascii")
    return raw.replace(BREAK, f" {BREAK} ").replace(COMMA, f" {COMMA} ").split()


# --- names (on the original text, before folding) ---------------------------------------------

_TITLE_WORDS: Final = frozenset(
    ("ban", "anh", "chi", "ong", "ba", "em", "co", "mr", "ms", "mrs", "comrade", "dc", "chu")
)
_SURNAMES_AND_HO: Final = lex.SURNAMES | {"ho"}
_PLACES: Final = frozenset(
    (
        ("ha", "noi"),
        ("ha", "giang"),
        ("ha", "tinh"),
        ("ha", "nam"),
        ("cao", "bang"),
        ("lai", "chau"),
    )
)
# A capital letter after the first one (a name needs two capitalised words).
_SECOND_CAPITAL: Final = re.compile(r"\S\s+\W*[A-ZĐÀ-ÝĂĨŨƠƯẠ-Ỹ]")
_WORD: Final = re.compile(r"\S+")
_EDGE_PUNCT: Final = "\"'“”‘’.,;:!?()[]"


@lru_cache(maxsize=65536)
def _fold_word(word: str) -> str:
    words = _raw_words(word)
    return words[0] if words else ""


def _is_capitalised(word: str) -> bool:
    core = word.strip(_EDGE_PUNCT)
    return bool(core) and core[0].isupper() and (len(core) == 1 or not core[1:].isupper())


def _mark_names(text: str) -> str:
    """Replace a person's name by ``qqperson`` and "Hồ Chí Minh" by ``qqhcm``. Needs case, so
    all-lower-case and all-upper-case text keeps its words ("đồng chí" still marks a person)."""
    if text.isupper() or text.islower() or _SECOND_CAPITAL.search(text) is None:
        return text
    words = _WORD.findall(text)
    out: list[str] = []
    index = 0
    count = len(words)
    while index < count:
        word = words[index]
        if _is_capitalised(word):
            folded = _fold_word(word)
            run = 1
            while (
                index + run < count
                and run < 4
                and _is_capitalised(words[index + run])
                and not _starts_term(words, index + run)
            ):
                run += 1
            names = [_fold_word(w) for w in words[index : index + min(run, 3)]]
            if names[:3] == ["ho", "chi", "minh"]:
                out.append(_HCM + _tail(words[index + 2]))
                index += 3
                continue
            is_name = (
                folded in lex.SURNAMES
                and not _starts_term(words, index)
                and (run >= 3 or (run == 2 and index > 0))
                and tuple(names[:2]) not in _PLACES
            )
            if is_name:
                out.append(_PERSON + _tail(words[index + run - 1]))
                index += run
                continue
            if folded in _TITLE_WORDS and run >= 2:
                out.append(f"{word} {_PERSON}{_tail(words[index + run - 1])}")
                index += run
                continue
        elif (
            index > 0
            and index + 1 < count
            and len(word) <= 8
            and _is_capitalised(words[index + 1])
            and _fold_word(word) in _TITLE_WORDS
        ):
            nxt = words[index + 1]
            folded_next = _fold_word(nxt)
            if (
                _is_capitalised(nxt)
                and folded_next not in _SURNAMES_AND_HO
                and folded_next not in _LEXICON_WORDS
            ):
                run = 1
                while (
                    index + 1 + run < count and run < 3 and _is_capitalised(words[index + 1 + run])
                ):
                    run += 1
                out.append(f"{word} {_PERSON}{_tail(words[index + run])}")
                index += 1 + run
                continue
        out.append(word)
        index += 1
    return " ".join(out)


def _starts_term(words: list[str], index: int) -> bool:
    """Whether ``words[index]`` may belong to a topic phrase (a one-word phrase, or a pair of
    neighbouring words of one): a name never swallows it."""
    word = _fold_word(words[index])
    if word in _TERM_WORDS or word in _ABBREVIATED:
        return True
    if index > 0 and (_fold_word(words[index - 1]), word) in _TERM_PAIRS:
        return True
    return index + 1 < len(words) and (word, _fold_word(words[index + 1])) in _TERM_PAIRS


def _tail(word: str) -> str:
    """The clause punctuation a replaced word ended with (so clauses stay apart)."""
    stripped = word.rstrip(",;:)!?")
    return " " + word[len(stripped) :] if len(stripped) < len(word) else ""


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# --- folding ---------------------------------------------------------------------------------


_PHRASES: Final = tuple((tuple(short.split()), long.split()) for short, long in lex.PHRASES)
_PHRASE_FIRST: Final = frozenset(key[0] for key, _ in _PHRASES)
_COUNT_NOUNS: Final = frozenset(("quan", "dang", "dong", "members", "new", "truong", "qqperson"))
_PERSON_PHRASES: Final = (("dong", "chi"), ("cac", "dong", "chi"), ("truong", "hop"))
_PERSON_SINGLE: Final = frozenset(("comrade", "comrades", "qqperson"))
_PERSON_TITLES: Final = frozenset(
    ("mr", "ms", "mrs", "ong", "ba", "anh", "chi", "ban", "em", "co", "member", "chu", _PERSON)
)


_WORD_MAP: Final[dict[str, tuple[str, ...]]] = {
    **{w: (y,) for w, y in lex.I_TO_Y.items()},
    **{w: tuple(long.split()) for w, long in lex.ABBREVIATIONS.items()},
}
_PHRASES_BY_FIRST: Final[dict[str, tuple[tuple[tuple[str, ...], list[str]], ...]]] = {
    first: tuple(p for p in _PHRASES if p[0][0] == first) for first in _PHRASE_FIRST
}
_PERSON_PHRASES_BY_FIRST: Final = {
    first: tuple(p for p in _PERSON_PHRASES if p[0] == first) for first in ("dong", "cac", "truong")
}


def _canonical(words: list[str]) -> list[str]:
    """i/y spellings, abbreviations, separated abbreviations, ambiguous abbreviations, counts
    and person words, over folded words (``BREAK`` marks clause edges)."""
    word_map = _WORD_MAP
    out: list[str] = []
    for w in words:
        mapped = word_map.get(w)
        if mapped is None:
            out.append(w)
        else:
            out.extend(mapped)
    if not _PHRASE_FIRST.isdisjoint(out):
        index = 0
        replaced: list[str] = []
        while index < len(out):
            for key, long in _PHRASES_BY_FIRST.get(out[index], ()):
                if tuple(out[index : index + len(key)]) == key:
                    replaced.extend(long)
                    index += len(key)
                    break
            else:
                replaced.append(out[index])
                index += 1
        out = replaced
    if not lex.CONTEXT_ABBREVIATIONS.keys().isdisjoint(out):
        expanded: list[str] = []
        for index, word in enumerate(out):
            rule = lex.CONTEXT_ABBREVIATIONS.get(word)
            if rule is not None:
                meaning, before, after = rule
                prev = out[index - 1] if index else ""
                nxt = out[index + 1] if index + 1 < len(out) else ""
                if prev in before or nxt in after:
                    expanded.extend(meaning.split())
                    continue
            expanded.append(word)
        out = expanded
    if _SPECIAL.isdisjoint(out) and not any(w.isdigit() for w in out):
        return out
    # counts of people ("02 quần chúng", "2 new members") and person words
    result: list[str] = []
    index = 0
    length = len(out)
    while index < length:
        word = out[index]
        if (
            word.isdigit()
            and len(word) <= 2
            and index + 1 < length
            and out[index + 1] in _COUNT_NOUNS
        ):
            result.append(_COUNT)
            index += 1
            continue
        phrases = _PERSON_PHRASES_BY_FIRST.get(word)
        if phrases:
            matched = False
            for phrase in phrases:
                if tuple(out[index : index + len(phrase)]) == phrase:
                    if not result or result[-1] != _PERSON:
                        result.append(_PERSON)
                    index += len(phrase)
                    matched = True
                    break
            if matched:
                continue
        if word in _PERSON_SINGLE:
            while result and result[-1] in _PERSON_TITLES:
                result.pop()
            if not result or result[-1] != _PERSON:
                result.append(_PERSON)
            index += 1
            continue
        result.append(word)
        index += 1
    return result


_SPECIAL: Final = frozenset((*_PERSON_PHRASES_BY_FIRST, *_PERSON_SINGLE))


_DASHES: Final = re.compile(r"\s[-–—]+\s")


def _fold_words(text: str) -> list[str]:
    if not text:
        return []
    return _canonical(_raw_words(_DASHES.sub(" ; ", _mark_names(text))))


def fold(text: str) -> str:
    """The folded form the lexicon matches: names marked, no diacritics, lower case, one space
    between words, clause edges as "|", abbreviations expanded, a space at either end."""
    return f" {' '.join(_fold_words(text))} "


# --- the lexicon as lookup tables -----------------------------------------------------------

_TERM, _MARKER, _STOP, _DECIDE, _STUDY, _STUDY_DOC, _DOCUMENT, _OTHER, _SUBJECT, _UNMARK = range(10)


@dataclass(frozen=True, slots=True)
class _Entry:
    kind: int
    topic: str
    words: tuple[str, ...]
    needs_context: bool = False


def _norm_phrase(phrase: str) -> tuple[str, ...]:
    return tuple(_canonical(phrase.split()))


def _expand(phrase: str) -> list[str]:
    if "{P}" in phrase:
        return [phrase.replace("{P}", _PERSON)]
    if "{M}" in phrase:
        members = {_PERSON, *(" ".join(_norm_phrase(m)) for m in lex.MEMBER_WORDS)}
        return [phrase.replace("{M}", m) for m in sorted(members)]
    return [phrase]


def _build_entries() -> list[_Entry]:
    entries: list[_Entry] = []
    for topic, phrases in lex.TOPIC_TERMS.items():
        entries += [
            _Entry(_TERM, topic, _norm_phrase(p.lstrip("~")), p.startswith("~"))
            for phrase in phrases
            for p in _expand(phrase)
        ]
    entries += [_Entry(_MARKER, "T11", _norm_phrase(p)) for p in lex.MARKERS]
    groups = (
        (_STOP, lex.STOP_PHRASES),
        (_UNMARK, lex.MARKER_EXCEPTIONS),
        (_DECIDE, lex.DECIDE),
        (_STUDY, lex.STUDY),
        (_STUDY_DOC, lex.STUDY_IF_DOCUMENT),
        (_DOCUMENT, lex.DOCUMENTS),
        (_OTHER, lex.OTHER_BODY),
        (_SUBJECT, lex.STUDY_SUBJECTS),
    )
    entries += [_Entry(kind, "", _norm_phrase(p)) for kind, phrases in groups for p in phrases]
    return entries


_ENTRIES: Final = tuple(_build_entries())


def _index(
    entries: Iterable[_Entry],
) -> dict[str, tuple[tuple[int, dict[tuple[str, ...], tuple[_Entry, ...]]], ...]]:
    by_first: dict[str, dict[int, dict[tuple[str, ...], list[_Entry]]]] = {}
    for entry in entries:
        by_length = by_first.setdefault(entry.words[0], {})
        by_length.setdefault(len(entry.words), {}).setdefault(entry.words, []).append(entry)
    return {
        first: tuple(
            (length, {key: tuple(found) for key, found in phrases.items()})
            for length, phrases in sorted(by_length.items(), reverse=True)
        )
        for first, by_length in by_first.items()
    }


_BY_FIRST: Final = _index(_ENTRIES)

# Vietnamese syllables (folded): a word that is one is never "corrected" as a typo.
_ONSETS: Final = ("", *_words("b c ch d g gh gi h k kh l m n ng ngh nh ph qu r s t th tr v x"))
_RIMES: Final = _words(
    "a ac ach ai am an ang anh ao ap at au ay e ec ech em en eng enh eo ep et eu i ia ich"
    " iec iem ien ieng iep iet ieu im in inh ip it iu o oa oac oach oai oam oan oang oanh"
    " oao oap oat oay oc oe oem oen oeo oet oi om on ong ooc oong op ot u ua uan uang uanh"
    " uat uay uc ue uech uenh ui um un ung uo uoc uoi uom uon uong uop uot uou up ut uu uy"
    " uya uych uyen uyet uynh uyp uyt uyu y yem yen yet yeu"
)
_SYLLABLES: Final = frozenset(
    onset + rime
    for onset in _ONSETS
    for rime in _RIMES
    if not (onset in ("k", "gh", "ngh") and rime[0] not in "eiy")
    and not (onset in ("c", "g", "ng") and rime[0] in "ei")
)
# Common English words: never typos of a lexicon word (and not worth a lookup).
_ENGLISH: Final = frozenset(
    _words(
        "a an the of to for and in on at by with from into as is are be this that new plan"
        " report meeting monthly work year quarter first second third end party cell members"
        " member comrade committee group office branch department head deputy pdf doc docx"
        " xls xlsx ppt pptx txt jpg png zip odt"
    )
)
_LEXICON_WORDS: Final = frozenset(w for entry in _ENTRIES for w in entry.words)
_TERM_WORDS: Final = frozenset(
    e.words[0] for e in _ENTRIES if e.kind in (_TERM, _MARKER) and len(e.words) == 1
)
_ABBREVIATED: Final = frozenset((*lex.ABBREVIATIONS, *lex.CONTEXT_ABBREVIATIONS))
_TERM_PAIRS: Final = frozenset(
    pair
    for e in _ENTRIES
    if e.kind in (_TERM, _MARKER)
    for pair in zip(e.words, e.words[1:], strict=False)
    if _PERSON not in pair
)
_KNOWN: Final = _SYLLABLES | _LEXICON_WORDS | _ENGLISH | {BREAK, COMMA}

_FUZZY_MIN: Final = 6


_FUZZY_MAX: Final = 1 + max(len("".join(e.words)) for e in _ENTRIES if e.kind in (_TERM, _MARKER))


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _build_fuzzy() -> dict[str, tuple[_Entry, ...]]:
    table: dict[str, set[_Entry]] = {}
    for entry in _ENTRIES:
        if entry.kind not in (_TERM, _MARKER) or _PERSON in entry.words:
            continue
        joined = "".join(entry.words)
        if len(joined) < _FUZZY_MIN:
            continue
        for variant in _deletions(joined) | {joined}:
            table.setdefault(variant, set()).add(entry)
    return {key: tuple(sorted(found, key=lambda e: e.words)) for key, found in table.items()}


_FUZZY: Final = _build_fuzzy()


def _within_one_edit(a: str, b: str) -> bool:
    """Damerau distance at most 1 (one insertion, deletion, substitution or neighbour swap)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    i = 0
    while i < min(la, lb) and a[i] == b[i]:
        i += 1
    if la == lb:
        return a[i + 1 :] == b[i + 1 :] or (
            i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
        )
    return a[i + 1 :] == b[i:] if la > lb else a[i:] == b[i + 1 :]


# --- screening ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hit:
    """One match: the category it points to, the words that triggered it (folded), whether its
    clause decides (an action or a person), and whether study framing cleared it."""

    category: AgendaCategory
    fragment: str
    strong: bool
    cleared: bool = False
    fuzzy: bool = False


@dataclass(frozen=True, slots=True)
class Screening:
    """The result of G2 screening. ``categories`` are the topics with at least one hit that study
    framing did not clear; ``study`` says study framing cleared at least one hit."""

    categories: frozenset[AgendaCategory]
    hits: tuple[Hit, ...]
    study: bool

    def __post_init__(self) -> None:
        if self.categories != {hit.category for hit in self.hits if not hit.cleared}:
            raise ValueError("the screened categories are exactly those of uncleared hits")

    @property
    def suspected(self) -> bool:
        return bool(self.categories)

    def words(self) -> dict[AgendaCategory, tuple[str, ...]]:
        """Per suspected category (T1…T15 order), the words that triggered it, each once."""
        found: dict[AgendaCategory, list[str]] = {}
        for hit in self.hits:
            if not hit.cleared and hit.fragment not in found.setdefault(hit.category, []):
                found[hit.category].append(hit.fragment)
        order = list(AgendaCategory)
        return {c: tuple(found[c]) for c in sorted(found, key=order.index)}

    def fragments(self) -> tuple[str, ...]:
        """The first triggering words of each suspected category, in T1…T15 order."""
        return tuple(words[0] for words in self.words().values())


_CLEAN: Final = Screening(frozenset(), (), False)
_CATEGORY: Final = {c.value: c for c in AgendaCategory}


@dataclass(slots=True)
class _Match:
    start: int
    end: int
    entry: _Entry
    fuzzy: bool = False


def _matches(words: list[str]) -> list[_Match]:
    found: list[_Match] = []
    length = len(words)
    for index, word in enumerate(words):
        options = _BY_FIRST.get(word)
        if options is None:
            continue
        for size, phrases in options:
            if index + size > length:
                continue
            hit = (
                phrases.get(tuple(words[index : index + size]))
                if size > 1
                else phrases.get((word,))
            )
            if hit:
                found.extend(_Match(index, index + size, entry) for entry in hit)
    return found


@lru_cache(maxsize=65536)
def _fuzzy_lookup(joined: str) -> tuple[_Entry, ...]:
    """Lexicon phrases within one edit of ``joined`` (spaces removed), on the same first letter
    (or with the first two letters swapped). Memoised: the words of agenda texts repeat."""
    found: list[_Entry] = []
    for variant in _deletions(joined) | {joined}:
        for entry in _FUZZY.get(variant, ()):
            target = "".join(entry.words)
            if entry in found or (target[0] != joined[0] and target[:2] != joined[1::-1]):
                continue
            if _within_one_edit(joined, target):
                found.append(entry)
    return tuple(found)


def _fuzzy_matches(words: list[str], exact: list[_Match]) -> list[_Match]:
    unknown = [
        i
        for i, w in enumerate(words)
        if w not in _KNOWN and len(w) >= 3 and w.isalpha() and not w.startswith("qq")
    ]
    if not unknown:
        return []
    covered = {(m.start, m.end) for m in exact}
    found: list[_Match] = []
    seen: set[tuple[int, int, _Entry]] = set()
    for u in unknown:
        for size in (1, 2, 3, 4):
            for start in range(max(0, u - size + 1), u + 1):
                end = start + size
                if end > len(words) or (start, end) in covered:
                    continue
                span = words[start:end]
                joined = "".join(span)
                if not _FUZZY_MIN - 1 <= len(joined) <= _FUZZY_MAX or not joined.isalpha():
                    continue
                for entry in _fuzzy_lookup(joined):
                    key = (start, end, entry)
                    if key not in seen:
                        seen.add(key)
                        found.append(_Match(start, end, entry, fuzzy=True))
    return found


def _clauses(words: list[str]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for index, word in enumerate(words):
        if word == BREAK:
            if index > start:
                spans.append((start, index))
            start = index + 1
    if len(words) > start:
        spans.append((start, len(words)))
    return spans


_MEMBER_WORDS: Final = frozenset(("vien", "member", "members", "chi", "cap"))
_PUT_OUT: Final = (lex.PUT_OUT[0], tuple(lex.PUT_OUT[1].split()))
_JOINERS: Final = frozenset(("va", "and", "dong", "roi", "sau", "then", COMMA))


def _screen_words(words: list[str]) -> Screening:
    if not words:
        return _CLEAN
    exact = _matches(words)
    matches = exact + _fuzzy_matches(words, exact)
    lone_mark = any(end - start == 1 and words[start] == "mat" for start, end in _clauses(words))
    if not lone_mark and not any(m.entry.kind in (_TERM, _MARKER) for m in matches):
        return _CLEAN
    masked = [False] * len(words)
    unmarked = [False] * len(words)
    for m in matches:
        if m.entry.kind in (_STOP, _UNMARK):
            for i in range(m.start, m.end):
                (masked if m.entry.kind == _STOP else unmarked)[i] = True
    hits: list[Hit] = []
    any_cleared = False
    for start, end in _clauses(words):
        inside = [m for m in matches if start <= m.start and m.end <= end]
        topical = [
            m
            for m in inside
            if (m.entry.kind == _TERM and not any(masked[m.start : m.end]))
            or (m.entry.kind == _MARKER and not any(unmarked[m.start : m.end]))
        ]
        if not topical:
            continue
        clause = words[start:end]
        has_person = _PERSON in clause or _COUNT in clause
        has_member = has_person or not _MEMBER_WORDS.isdisjoint(clause)
        decides = [m for m in inside if m.entry.kind == _DECIDE]
        other_body = any(m.entry.kind == _OTHER for m in inside)
        # study framing: from the first study verb (or the whole clause for Hồ Chí Minh's works)
        study_from = end
        for m in sorted(inside, key=lambda m: m.start):
            if m.entry.kind == _STUDY or (
                m.entry.kind == _STUDY_DOC
                and any(d.entry.kind == _DOCUMENT and d.start >= m.end for d in inside)
            ):
                study_from = m.start
                break
        if any(m.entry.kind == _SUBJECT for m in inside) or _HCM in clause:
            study_from = start
        study_to = end
        if study_from < end:
            study_to = _study_end(words, inside, study_from, end)
        for m in topical:
            topic = m.entry.topic
            phrase = " ".join(m.entry.words)
            if other_body and phrase in lex.OTHER_BODY_TERMS:
                continue
            if m.entry.needs_context and not (decides or has_member):
                continue
            if (
                topic == "T5"
                and m.entry.words == _PUT_OUT[1]
                and _PUT_OUT[0] in words[max(start, m.start - 10) : m.start]
            ):
                topic = "T9"
            marker = m.entry.kind == _MARKER
            studied = study_from <= m.start < study_to
            cleared = studied and not marker and not has_person
            strong = (
                marker or has_person or any(not study_from <= d.start < study_to for d in decides)
            )
            any_cleared = any_cleared or cleared
            first = m.start
            for d in decides:
                if d.end in (m.start, m.start - 1) and not studied:
                    first = min(first, d.start)
            hits.append(
                Hit(_CATEGORY[topic], " ".join(words[first : m.end]), strong, cleared, m.fuzzy)
            )
    # "(mật)" alone in a clause
    for start, end in _clauses(words):
        if end - start == 1 and words[start] == "mat":
            hits.append(Hit(C.T11, "mat", True))
    if not hits:
        return _CLEAN
    categories = frozenset(hit.category for hit in hits if not hit.cleared)
    return Screening(categories, tuple(_unique(hits)), any_cleared)


def _study_end(words: list[str], inside: list[_Match], study_from: int, end: int) -> int:
    """Where a study framing stops: at "và/and/, + a deciding action", or at a comma that does
    not continue a list of what is studied ("Quy định … về kết nạp, chuyển đảng chính thức")."""
    topic_after_document = {
        m.start
        for m in inside
        if m.entry.kind == _TERM
        and any(d.entry.kind == _DOCUMENT and d.end == m.start for d in inside)
    }
    about = False
    for index in range(study_from, end):
        word = words[index]
        if word in _ABOUT or index in topic_after_document:
            about = True
        if index > study_from and word in _JOINERS:
            nxt = [m for m in inside if m.start == index + 1 and m.entry.kind == _DECIDE]
            if nxt or (word == COMMA and not about):
                return index
    return end


_ABOUT: Final = frozenset(("ve", "on", "about", "theo", "regarding"))


def _unique(hits: list[Hit]) -> list[Hit]:
    seen: set[Hit] = set()
    out: list[Hit] = []
    for hit in hits:
        if hit not in seen:
            seen.add(hit)
            out.append(hit)
    return out


def screen_folded(folded: str) -> Screening:
    """G2 over text already passed through :func:`fold`."""
    return _screen_words(folded.split())


@lru_cache(maxsize=8192)
def _screen_text(text: str) -> Screening:
    """Memoised (bounded): the gate sees the same agenda text when planning and again when each
    item opens (G3)."""
    return _screen_words(_fold_words(text))


def screen(*texts: str) -> Screening:
    """G2 over the item's title, description and attachment names, each its own clause."""
    return _screen_text(" \n ".join(texts))
