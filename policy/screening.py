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
from typing import Final

from policy.model import AgendaCategory

C = AgendaCategory


def _fold_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for code in range(0x80, 0x2000):
        char = chr(code)
        if unicodedata.combining(char):
            table[code] = None
            continue
        base = "".join(
            c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)
        )
        if base != char:
            table[code] = base.lower()
    for char in "đĐðÐ":
        table[ord(char)] = "d"
    return table


_FOLD: Final = _fold_table()
_NON_WORD: Final = re.compile(r"[^a-z0-9]+")

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
    "d c": "dong chi",
    "kt gs": "kiem tra giam sat",
    "kt va gs": "kiem tra giam sat",
    "tc cb": "to chuc can bo",
}
_ABBREVIATION_RE: Final = re.compile(
    r"\b(?:" + "|".join(sorted(map(re.escape, _ABBREVIATIONS), key=len, reverse=True)) + r")\b"
)

_PERSON = r"(?:dong chi|dang vien|quan chung|ong|ba|anh|chi|em|ban)"

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
            r"\b(?:kiem tra|giam sat) (?:doi voi )?(?:dang vien|chi bo|chi uy|cap uy|to chuc dang)\b",
            r"\bdau hieu vi pham\b",
            r"\bkiem tra tai chinh dang\b",
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

_STUDY_VERB: Final = re.compile(
    r"\b(?:hoc tap|quan triet|pho bien|nghien cuu|tim hieu|gioi thieu|tuyen truyen|trien khai"
    r"|chuyen de ve|on tap|cap nhat|thao luan)\b"
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
            if hit.category in self.categories and hit.category not in seen:
                if hit.strong or not self.study:
                    seen[hit.category] = hit.fragment
        return tuple(seen.values())


_COMPILED: Final = tuple(
    (category, re.compile("|".join(strong)), re.compile("|".join(weak)))
    for category, strong, weak in _PATTERNS
)
_ANY: Final = re.compile("|".join(f"(?:{p})" for _, s, w in _PATTERNS for p in (*s, *w)))
_CLEAN: Final = Screening(frozenset(), (), False)


def strip_diacritics(text: str) -> str:
    """Remove Vietnamese diacritics and map đ/Đ to d/D, keeping case."""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.replace("đ", "d").replace("Đ", "D")


def fold(text: str) -> str:
    """The folded form patterns run on: no diacritics, lower case, words separated by one space,
    abbreviations expanded, with a space at either end."""
    folded = _NON_WORD.sub(" ", text.translate(_FOLD).lower())
    expanded = _ABBREVIATION_RE.sub(lambda m: _ABBREVIATIONS[m.group(0)], folded)
    return f" {expanded.strip()} "


def screen_folded(folded: str) -> Screening:
    """G2 over text already passed through :func:`fold`."""
    if _ANY.search(folded) is None:
        return _CLEAN
    hits: list[Hit] = []
    for category, strong, weak in _COMPILED:
        if match := strong.search(folded):
            hits.append(Hit(category, match.group(0).strip(), True))
        if match := weak.search(folded):
            hits.append(Hit(category, match.group(0).strip(), False))
    if not hits:
        return _CLEAN
    study = bool(_STUDY_VERB.search(folded) and _STUDY_DOC.search(folded))
    categories = frozenset(hit.category for hit in hits if hit.strong or not study)
    return Screening(categories, tuple(hits), study)


def screen(*texts: str) -> Screening:
    """G2 over the item's title, description and attachment names, taken together."""
    return screen_folded(fold(" \n ".join(texts)))
