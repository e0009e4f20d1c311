"""G2: screening the text of an agenda item for topics that may not be discussed online.

Text is folded before matching: diacritics removed (so old and new tone placement, "xoá"/"xóa",
"hoà"/"hòa", "thuý"/"thúy", and composed or decomposed input, all fold alike), đ → d, lower case,
punctuation → spaces; then common abbreviations are expanded ("KNĐ", "ĐV", "BPK", "KT, GS",
"BVCTNB" …). Invariant: ``screen(t) == screen(strip_diacritics(t)) == screen(t.upper())`` for
Vietnamese text, because every pattern runs on the folded form only.

Each category has *strong* patterns (deciding a case: "xem xét kỷ luật đồng chí …") and *weak*
ones (the topic is mentioned: "kỷ luật"). Weak hits are cleared when the item studies a document
("Học tập Quy định 69-QĐ/TW về kỷ luật …"); strong hits never are.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from policy.model import AgendaCategory

C = AgendaCategory


_COMBINING: Final = re.compile("[\u0300-\u036f]+")
# Folding works on the UTF-8 bytes of the NFD form: combining marks (U+0300–U+036F, lead bytes
# CC and CD) and every continuation byte are deleted, every other lead byte (another non-ASCII
# character) and every ASCII byte but [a-z0-9] becomes a word break, A–Z becomes a–z.
_DELETE: Final = bytes([0xCC, 0xCD, *range(0x80, 0xC0)])
_BYTE_MAP: Final = bytes(
    b if (0x61 <= b <= 0x7A or 0x30 <= b <= 0x39) else b + 0x20 if 0x41 <= b <= 0x5A else 0x20
    for b in range(256)
)

_ABBREVIATIONS: Final[dict[str, str]] = {
    "knd": "ket nap dang",
    "kndv": "ket nap dang vien",
    "dv": "dang vien",
    "dvdb": "dang vien du bi",
    "dvct": "dang vien chinh thuc",
    "dct": "dang chinh thuc",
    "cdct": "chuyen dang chinh thuc",
    "qcut": "quan chung uu tu",
    "bpk": "bo phieu kin",
    "ktgs": "kiem tra giam sat",
    "ubkt": "uy ban kiem tra",
    "bvctnb": "bao ve chinh tri noi bo",
    "ctnb": "chinh tri noi bo",
    "tdkt": "thi dua khen thuong",
    "dgxl": "danh gia xep loai",
    "dgxlcl": "danh gia xep loai chat luong",
    "tpb": "tu phe binh",
    "bmnn": "bi mat nha nuoc",
    "tccb": "to chuc can bo",
    "dc": "dong chi",
}
# Abbreviations written with a separator ("đ/c", "KT, GS", "TC-CB"), padded with spaces.
_PHRASES: Final[tuple[tuple[str, str], ...]] = (
    (" d c ", " dong chi "),
    (" kt va gs ", " kiem tra giam sat "),
    (" kt gs ", " kiem tra giam sat "),
    (" tc cb ", " to chuc can bo "),
    (" bv chinh tri noi bo ", " bao ve chinh tri noi bo "),
)

_PHRASE_FIRST_WORDS: Final = frozenset(short.split()[0] for short, _ in _PHRASES)

_PERSON = r"(?:dong chi|quan chung|ong|ba|anh|chi|em|ban)"

# (category, strong patterns, weak patterns), over folded and expanded text.
_PATTERNS: Final[tuple[tuple[AgendaCategory, tuple[str, ...], tuple[str, ...]], ...]] = (
    (
        C.T1,
        (
            r"\b(?:bo nhiem|mien nhiem|luan chuyen|dieu dong|quy hoach|kien toan|bo sung|de cu"
            r"|gioi thieu|cho thoi)\b.{0,25}?\b(?:can bo|nhan su|chi uy vien|cap uy vien|bi thu"
            r"|pho bi thu|chi uy|cap uy|to truong|lanh dao|chuc danh)\b",
        ),
        (
            r"\bto chuc (?:va )?can bo\b",
            r"\bcong tac can bo\b",
            r"\bnhan su\b",
            r"\b(?:quy hoach|bo nhiem|luan chuyen|danh gia|quan ly) can bo\b",
            r"\bkien toan (?:chi uy|cap uy|to dang|bo may)\b",
            r"\bsap xep (?:to chuc )?bo may\b",
            r"\b(?:mien|chuyen) sinh hoat dang\b",
        ),
    ),
    (
        C.T2,
        (
            r"\b(?:xet|de nghi|bieu quyet|thong qua|ho so|thu tuc)\b.{0,20}?\bket nap\b",
            rf"\bket nap (?:dang vien moi |vao dang |dang )?{_PERSON}\b",
        ),
        (
            r"\bket nap\b",
            r"\bquan chung uu tu\b",
            r"\b(?:xin|dang ky|phan dau) vao dang\b",
        ),
    ),
    (
        C.T3,
        (
            r"\b(?:xet|de nghi|bieu quyet)\b.{0,20}?\b(?:chuyen (?:dang )?chinh thuc|cong nhan)\b",
            rf"\bchuyen (?:dang )?chinh thuc (?:cho )?{_PERSON}\b",
        ),
        (
            r"\bchuyen (?:dang )?chinh thuc\b",
            r"\bcong nhan dang vien chinh thuc\b",
            r"\bdang vien du bi\b",
            r"\bhet (?:thoi gian|thoi han) du bi\b",
        ),
    ),
    (
        C.T4,
        (
            rf"\bxoa ten (?:khoi danh sach )?{_PERSON}\b",
            r"\b(?:xet|de nghi|quyet dinh|bieu quyet)\b.{0,20}?\bxoa ten\b",
        ),
        (r"\bxoa ten\b",),
    ),
    (
        C.T5,
        (r"\b(?:don )?xin ra khoi dang\b", r"\bxin ra dang\b"),
        (r"\bra khoi dang\b", r"\bxin ra khoi\b"),
    ),
    (
        C.T6,
        (
            r"\b(?:ke hoach|chuong trinh|bao cao|ket qua|thong qua|ket luan)\b.{0,15}?"
            r"\bkiem tra (?:va )?giam sat\b",
            r"\b(?:kiem tra|giam sat) (?:doi voi )?(?:dong chi|chi uy vien|cap uy vien)\b",
            r"\bkhi co dau hieu vi pham\b",
        ),
        (
            r"\bkiem tra (?:va )?giam sat\b",
            r"\buy ban kiem tra\b",
            r"\bgiam sat chuyen de\b",
            r"\b(?:kiem tra|giam sat) (?:doi voi )?"
            r"(?:dang vien|chi bo|chi uy|cap uy|to chuc dang)\b",
            r"\bdau hieu vi pham\b",
            r"\bkiem tra tai chinh dang\b",
            r"\b(?:kiem tra|giam sat) viec chap hanh\b",
        ),
    ),
    (
        C.T7,
        (
            r"\b(?:xem xet|de nghi|xu ly|bieu quyet|ap dung|thi hanh)\b.{0,25}?\bky luat\b"
            r"(?! (?:dang|to chuc dang|cua dang)\b)",
            r"\bky luat (?:doi voi )?(?:dong chi|ong|ba|anh|chi)\b",
            r"\bthi hanh ky luat (?:doi voi|dong chi)\b",
        ),
        (
            r"\bky luat\b(?! (?:ky cuong|lao dong)\b)",
            r"\b(?:khien trach|canh cao|cach chuc|khai tru)\b",
            r"\bvi pham (?:tu cach|dieu le|quy dinh cua dang)\b",
            r"\bxu ly (?:dang vien|dong chi|sai pham)\b",
            r"\bdang vien vi pham\b",
            r"\bxem xet trach nhiem\b",
        ),
    ),
    (
        C.T8,
        (
            r"\b(?:xet|de nghi|binh xet|bieu quyet|binh bau)\b.{0,20}?\b(?:khen thuong|thi dua"
            r"|danh hieu|huy hieu|bang khen|giay khen)\b",
            rf"\b(?:khen thuong|tang thuong) (?:cho )?{_PERSON}\b",
        ),
        (
            r"\bthi dua\b",
            r"\bkhen thuong\b",
            r"\b(?:bang khen|giay khen|danh hieu|huy hieu dang|huy hieu \d+ nam)\b",
            r"\bbinh xet\b",
        ),
    ),
    (
        C.T9,
        (
            r"\b(?:xem xet|de nghi|bieu quyet)\b.{0,25}?\b(?:dua .{0,20}?ra khoi dang"
            r"|khong con du tu cach)\b",
        ),
        (
            r"\b(?:ra soat|sang loc)\b.{0,25}?\bdang vien\b",
            r"\bkhong (?:con )?du tu cach\b",
            r"\bdua .{0,30}?ra khoi dang\b",
            r"\bsang loc\b",
        ),
    ),
    (
        C.T10,
        (
            r"\b(?:ket luan|xem xet|tham tra|xac minh)\b.{0,25}?\b(?:lich su chinh tri"
            r"|van de chinh tri|ly lich)\b",
        ),
        (
            r"\b(?:bao ve )?chinh tri noi bo\b",
            r"\bvan de chinh tri\b",
            r"\blich su chinh tri\b",
            r"\btieu chuan chinh tri\b",
            r"\b(?:tham tra|xac minh) (?:ly lich|lich su)\b",
        ),
    ),
    (
        C.T11,
        (
            r"\b(?:pho bien|thong bao|trao doi|bao cao|truyen dat)\b.{0,20}?\b(?:tai lieu|van ban"
            r"|thong tin|ho so) (?:do )?(?:mat|toi mat|tuyet mat)\b",
            r"\b(?:toi mat|tuyet mat)\b",
        ),
        (
            r"\bbi mat (?:nha nuoc|cua dang|dang|quoc gia|quan su|noi bo|cong tac|an ninh)\b",
            r"\b(?:tai lieu|van ban|thong tin|ho so) (?:do )?mat\b",
            r"\bdo mat\b",
            r"\bbao ve bi mat\b",
        ),
    ),
    (
        C.T12,
        (
            r"\bbau (?:bi thu|pho bi thu|chi uy|cap uy|bo sung|truc tiep|ban chap hanh"
            r"|dai bieu)\b",
            r"\b(?:lay phieu tin nhiem|kiem phieu|phieu bau)\b",
            r"\b(?:tien hanh|to chuc) bo phieu\b",
        ),
        (
            r"\bbo phieu\b",
            r"\bphieu kin\b",
            r"\bbau (?:cu|chon|lai|doan|nhan su|to truong|thu ky)\b",
            r"\blay phieu\b",
            r"\bphieu tin nhiem\b",
            r"\bung cu\b",
        ),
    ),
    (
        C.T13,
        (
            rf"\bkiem diem (?:tap the|ca nhan|cuoi nam|nam|giua nhiem ky|lam ro|tu phe binh"
            rf"|chi uy|cap uy|{_PERSON})\b",
        ),
        (r"\bkiem diem\b", r"\btu phe binh\b", r"\bphe binh\b"),
    ),
    (
        C.T14,
        (r"\b(?:bieu quyet|de nghi|xet|thong qua)\b.{0,20}?\b(?:xep loai|danh gia chat luong)\b",),
        (
            r"\bdanh gia (?:va )?xep loai\b",
            r"\bxep loai (?:chat luong|dang vien|to chuc dang|chi bo|cap uy|muc do)\b",
            r"\bdanh gia chat luong (?:dang vien|to chuc dang|chi bo|cap uy)\b",
            r"\bmuc do hoan thanh nhiem vu\b",
        ),
    ),
    (
        C.T15,
        (r"\b(?:quyet dinh|thong qua|bieu quyet)\b.{0,20}?\bchu truong\b",),
        (
            r"\bchu truong (?:lon|quan trong)\b",
            r"\b(?:cho y kien|xin y kien|lanh dao)\b.{0,20}?\bchu truong\b",
            r"\bchu truong dau tu\b",
            r"\bquyet dinh (?:van de|viec) (?:lon|quan trong)\b",
        ),
    ),
)

# Literal words, padded with spaces, at least one of which every pattern of the category needs:
# a cheap prefilter before the regexes (tests check it never changes a result).
_TRIGGERS: Final[dict[AgendaCategory, tuple[str, ...]]] = {
    C.T1: (
        " bo nhiem ",
        " mien nhiem ",
        " luan chuyen ",
        " dieu dong ",
        " quy hoach ",
        " kien toan ",
        " bo sung ",
        " de cu ",
        " gioi thieu ",
        " cho thoi ",
        " can bo ",
        " nhan su ",
        " sap xep ",
        " sinh hoat dang ",
    ),
    C.T2: (" ket nap ", " quan chung uu tu ", " vao dang "),
    C.T3: (" chinh thuc ", " du bi ", " cong nhan "),
    C.T4: (" xoa ten ",),
    C.T5: (" ra khoi ", " xin ra "),
    C.T6: (" kiem tra ", " giam sat ", " dau hieu vi pham "),
    C.T7: (
        " ky luat ",
        " khien trach ",
        " canh cao ",
        " cach chuc ",
        " khai tru ",
        " vi pham ",
        " xu ly ",
        " xem xet trach nhiem ",
    ),
    C.T8: (
        " thi dua ",
        " khen thuong ",
        " danh hieu ",
        " huy hieu ",
        " bang khen ",
        " giay khen ",
        " binh xet ",
    ),
    C.T9: (" ra soat ", " sang loc ", " du tu cach ", " ra khoi dang "),
    C.T10: (
        " chinh tri noi bo ",
        " van de chinh tri ",
        " lich su chinh tri ",
        " ly lich ",
        " tham tra lich su ",
        " xac minh lich su ",
        " tieu chuan chinh tri ",
    ),
    C.T11: (" mat ",),
    C.T12: (" phieu ", " bau ", " ung cu "),
    C.T13: (" kiem diem ", " phe binh "),
    C.T14: (" xep loai ", " danh gia chat luong ", " muc do hoan thanh nhiem vu "),
    C.T15: (" chu truong ", " quyet dinh van de ", " quyet dinh viec "),
}

# A study verb, as literal words padded with spaces (folded text has single spaces and padded ends).
_STUDY_VERBS: Final = (
    " hoc tap ",
    " quan triet ",
    " pho bien ",
    " nghien cuu ",
    " tim hieu ",
    " gioi thieu ",
    " tuyen truyen ",
    " trien khai ",
    " chuyen de ve ",
    " on tap ",
    " cap nhat ",
    " thao luan ",
)
_STUDY_DOC: Final = re.compile(
    r"\b(?:quy dinh|nghi quyet|chi thi|huong dan|dieu le|(?<!ky )luat|ket luan so|thong tri"
    r"|quy che|nghi dinh|thong tu)\b"
    r"|\b\d+ (?:qd|nq|ct|hd|kl|qc|tt|nd|tb) (?:tw|tu|du|btctw|ubkttw|bct|bbt|cp|dk|duk|qh)\b"
)


@dataclass(frozen=True, slots=True)
class Hit:
    """One pattern match: the category it points to, the folded fragment, and its strength."""

    category: AgendaCategory
    fragment: str
    strong: bool


@dataclass(frozen=True, slots=True)
class Screening:
    """The result of G2 screening. ``categories`` are those the text looks like (strong hits, and
    weak hits unless the text studies a document); ``study`` says a study framing was found."""

    categories: frozenset[AgendaCategory]
    hits: tuple[Hit, ...]
    study: bool

    def __post_init__(self) -> None:
        if not self.categories <= {hit.category for hit in self.hits}:
            raise ValueError("every screened category rests on a hit")

    @property
    def suspected(self) -> bool:
        return bool(self.categories)

    def fragments(self) -> tuple[str, ...]:
        """Fragments of the hits behind ``categories``, first per category, in category order."""
        seen: dict[AgendaCategory, str] = {}
        for hit in self.hits:
            counts = hit.strong or not self.study
            if counts and hit.category in self.categories and hit.category not in seen:
                seen[hit.category] = hit.fragment
        return tuple(seen.values())


_COMPILED: Final = tuple(
    (
        category,
        re.compile("|".join(strong)),
        re.compile(f"(?P<strong>{'|'.join(strong)})|(?P<weak>{'|'.join(weak)})"),
    )
    for category, strong, weak in _PATTERNS
)
_TRIGGER_ENTRIES: Final = tuple(
    (trigger, index)
    for index, (category, _strong, _weak) in enumerate(_PATTERNS)
    for trigger in _TRIGGERS[category]
)
_BY_FIRST_WORD: Final[dict[str, tuple[tuple[str, int], ...]]] = {
    first: tuple(entry for entry in _TRIGGER_ENTRIES if entry[0].split()[0] == first)
    for first in {trigger.split()[0] for trigger, _ in _TRIGGER_ENTRIES}
}
_FIRST_WORDS: Final = frozenset(_BY_FIRST_WORD)
_CLEAN: Final = Screening(frozenset(), (), False)


def _candidates(folded: str, words: list[str]) -> set[int]:
    """Indexes into ``_COMPILED`` of the categories whose triggers occur in ``folded``."""
    found: set[int] = set()
    for first in _FIRST_WORDS.intersection(words):
        for trigger, index in _BY_FIRST_WORD[first]:
            if trigger in folded:
                found.add(index)
    return found


def strip_diacritics(text: str) -> str:
    """Remove Vietnamese diacritics and map đ/Đ to d/D, keeping case."""
    stripped = _COMBINING.sub("", unicodedata.normalize("NFD", text))
    return stripped.replace("đ", "d").replace("Đ", "D")


def _fold(text: str) -> tuple[str, list[str]]:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "d"))
    words = decomposed.encode("utf-8").translate(_BYTE_MAP, _DELETE).decode("ascii").split()
    expanded = not _ABBREVIATIONS.keys().isdisjoint(words)
    if expanded:
        words = [_ABBREVIATIONS.get(word, word) for word in words]
    folded = f" {' '.join(words)} "
    if not _PHRASE_FIRST_WORDS.isdisjoint(words):
        for short, long in _PHRASES:
            if short in folded:
                folded = folded.replace(short, long)
                expanded = True
    return folded, folded.split() if expanded else words


def fold(text: str) -> str:
    """The folded form patterns run on: no diacritics, lower case, words separated by one space,
    abbreviations expanded, with a space at either end."""
    return _fold(text)[0]


def _screen(folded: str, words: list[str], prefilter: bool) -> Screening:
    indexes = sorted(_candidates(folded, words)) if prefilter else range(len(_COMPILED))
    if not indexes:
        return _CLEAN
    study = any(verb in folded for verb in _STUDY_VERBS) and _STUDY_DOC.search(folded) is not None
    hits: list[Hit] = []
    for index in indexes:
        category, strong, either = _COMPILED[index]
        match = either.search(folded)
        if match is None:
            continue
        if match.lastgroup == "strong":
            hits.append(Hit(category, match.group(0).strip(), True))
            continue
        hits.append(Hit(category, match.group(0).strip(), False))
        if study and (strong_match := strong.search(folded)):
            hits.append(Hit(category, strong_match.group(0).strip(), True))
    if not hits:
        return _CLEAN
    categories = frozenset(hit.category for hit in hits if hit.strong or not study)
    return Screening(categories, tuple(hits), study)


def screen_folded(folded: str, *, prefilter: bool = True) -> Screening:
    """G2 over text already passed through :func:`fold`. ``prefilter=False`` runs every regex
    (for tests: the result is the same)."""
    return _screen(folded, folded.split(), prefilter)


@lru_cache(maxsize=8192)
def _screen_text(text: str) -> Screening:
    """Memoised (bounded): the gate sees the same agenda text when planning and again when each
    item opens (G3)."""
    folded, words = _fold(text)
    return _screen(folded, words, True)


def screen(*texts: str) -> Screening:
    """G2 over the item's title, description and attachment names, taken together."""
    return _screen_text(" \n ".join(texts))
