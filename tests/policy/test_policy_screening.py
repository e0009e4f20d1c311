"""G2 text screening over the labelled agenda corpus (tests/data/agenda_corpus.tsv)."""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policy.model import AgendaCategory
from policy.screening import fold, screen, screen_folded, strip_diacritics

CORPUS = Path(__file__).resolve().parent.parent / "data" / "agenda_corpus.tsv"
MIN_RECALL = 1.0
MAX_FALSE_SUSPICION = 0.05


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    variant: str
    title: str

    @property
    def text(self) -> str:
        return (
            unicodedata.normalize("NFD", self.title) if self.variant == "decomposed" else self.title
        )


def load() -> tuple[Row, ...]:
    with CORPUS.open(encoding="utf-8", newline="") as handle:
        return tuple(
            Row(r["label"], r["variant"], r["title"])
            for r in csv.DictReader(handle, delimiter="\t")
        )


ROWS = load()
SENSITIVE = tuple(r for r in ROWS if r.label != "ordinary")
ORDINARY = tuple(r for r in ROWS if r.label == "ordinary")


def test_g2_corpus_shape() -> None:
    assert len(ROWS) >= 150
    labels = {r.label for r in SENSITIVE}
    assert labels == {c.value for c in AgendaCategory if c.value.startswith("T")}
    assert {"plain", "no_diacritics", "upper", "abbrev", "old_tone", "new_tone"} <= {
        r.variant for r in ROWS
    }
    assert len(ORDINARY) >= 60


def test_g2_corpus_recall_and_false_suspicion(capsys: pytest.CaptureFixture[str]) -> None:
    missed = [r for r in SENSITIVE if AgendaCategory(r.label) not in screen(r.text).categories]
    flagged = [r for r in ORDINARY if screen(r.text).suspected]
    recall = 1 - len(missed) / len(SENSITIVE)
    false_rate = len(flagged) / len(ORDINARY)
    with capsys.disabled():
        print(
            f"\nG2 corpus: recall {recall:.1%} on {len(SENSITIVE)} sensitive titles"
            f" (missed {[r.title for r in missed]}); false suspicion {false_rate:.1%} on"
            f" {len(ORDINARY)} ordinary titles (flagged {[r.title for r in flagged]})"
        )
    assert recall >= MIN_RECALL
    assert false_rate <= MAX_FALSE_SUSPICION


@pytest.mark.parametrize(
    "row", [pytest.param(r, id=f"G2-{r.label}-{r.variant}-{i}") for i, r in enumerate(SENSITIVE)]
)
def test_g2_sensitive_title_flagged_in_every_spelling(row: Row) -> None:
    category = AgendaCategory(row.label)
    for spelling in (row.text, strip_diacritics(row.title), row.title.upper(), row.title.lower()):
        assert category in screen(spelling).categories, spelling


@pytest.mark.parametrize(
    ("text", "category"),
    [
        pytest.param("Xoá tên đảng viên", AgendaCategory.T4, id="G2-T4-old-tone-xoá"),
        pytest.param("Xóa tên đảng viên", AgendaCategory.T4, id="G2-T4-new-tone-xóa"),
        pytest.param("XOA TEN DANG VIEN", AgendaCategory.T4, id="G2-T4-upper-no-diacritics"),
        pytest.param("Kết nạp ĐV", AgendaCategory.T2, id="G2-T2-kết-nạp-ĐV"),
        pytest.param("KNĐ", AgendaCategory.T2, id="G2-T2-KNĐ"),
        pytest.param("knd quần chúng Lò Văn Páo", AgendaCategory.T2, id="G2-T2-knd-lower"),
        pytest.param("Tổ chức BPK", AgendaCategory.T12, id="G2-T12-BPK"),
        pytest.param("Công tác KT, GS", AgendaCategory.T6, id="G2-T6-KT-GS"),
        pytest.param("KT và GS đảng viên", AgendaCategory.T6, id="G2-T6-KT-và-GS"),
        pytest.param("BVCTNB", AgendaCategory.T10, id="G2-T10-BVCTNB"),
        pytest.param("Chuyển ĐCT cho đ/c Hà", AgendaCategory.T3, id="G2-T3-ĐCT-đ/c"),
        pytest.param("Kiểm điểm TPB", AgendaCategory.T13, id="G2-T13-TPB"),
        pytest.param("ĐGXL ĐV", AgendaCategory.T14, id="G2-T14-ĐGXL"),
        pytest.param("Công tác TĐKT", AgendaCategory.T8, id="G2-T8-TĐKT"),
        pytest.param("Tài liệu BMNN", AgendaCategory.T11, id="G2-T11-BMNN"),
        pytest.param(
            "Hoà giải; xét kỷ luật đồng chí Thuý", AgendaCategory.T7, id="G2-T7-old-tone-thuý"
        ),
        pytest.param(
            "Xem xét kỷ luật đồng chí Nguyễn Văn A", AgendaCategory.T7, id="G2-T7-deciding-a-case"
        ),
        pytest.param(
            "Học tập Quy định 69-QĐ/TW; xem xét kỷ luật đồng chí B",
            AgendaCategory.T7,
            id="G2-T7-study-framing-does-not-clear-a-case",
        ),
    ],
)
def test_g2_variants_and_abbreviations(text: str, category: AgendaCategory) -> None:
    assert category in screen(text).categories


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            "Học tập Quy định 69-QĐ/TW về kỷ luật tổ chức đảng",
            id="G2-T7-studying-69-QĐ/TW-allowed",
        ),
        pytest.param(
            "Quán triệt Quy định 22-QĐ/TW về kiểm tra, giám sát",
            id="G2-T6-studying-22-QĐ/TW-allowed",
        ),
        pytest.param("Phổ biến Luật Bảo vệ bí mật nhà nước", id="G2-T11-studying-the-law-allowed"),
        pytest.param("hoc tap quy dinh 69 qd tw ve ky luat", id="G2-T7-study-no-diacritics"),
        pytest.param("Tăng cường kỷ luật, kỷ cương hành chính", id="G2-T7-kỷ-cương-is-ordinary"),
        pytest.param("Kinh nghiệm quý báu", id="G2-T12-quý-báu-is-not-bầu"),
        pytest.param("", id="G2-empty"),
    ],
)
def test_g2_ordinary_texts_not_suspected(text: str) -> None:
    assert not screen(text).suspected


def test_g2_hits_name_the_matched_words() -> None:
    result = screen("Xem xét kỷ luật đồng chí Nguyễn Văn A")
    assert result.fragments() == ("xem xet ky luat",)
    studied = screen("Học tập Quy định 69-QĐ/TW về kỷ luật tổ chức đảng")
    assert studied.study and studied.hits and not studied.categories


def test_g2_fold() -> None:
    assert fold("Đ/C Hà – ĐV, KT; GS…") == " qqperson ha | dang vien , kiem tra giam sat "
    assert fold(unicodedata.normalize("NFD", "xoá")) == fold("xóa") == " xoa "
    assert strip_diacritics("Đảng viên thuý") == "Dang vien thuy"
    assert fold("kỷ–luật") == fold("kỷ—luật") == fold("kỷ\u00a0luật") == " ky luat "
    assert fold("kỉ luật") == fold("KỶ LUẬT") == " ky luat "
    assert fold("lí lịch") == fold("lý lịch") == " ly lich "
    assert fold("x中y") == " x y "
    assert fold("") == "  "


@pytest.mark.parametrize("row", [pytest.param(r, id=f"G2-folded-{i}") for i, r in enumerate(ROWS)])
def test_g2_screen_folded_is_screen(row: Row) -> None:
    assert screen_folded(fold(row.text)) == screen(row.text)


VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
)
ALPHABET = VIETNAMESE + VIETNAMESE.upper() + "0123456789 ,.;:/-–()“”"
corpus_texts = st.sampled_from([r.title for r in ROWS])
free_texts = st.text(alphabet=ALPHABET, max_size=60)
mixed_texts = st.builds(lambda a, b: f"{a} {b}", corpus_texts, free_texts)


@st.composite
def random_case(draw: st.DrawFn, text: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    return "".join(c.upper() if f else c.lower() for c, f in zip(text, flips, strict=True))


@given(st.one_of(corpus_texts, free_texts, mixed_texts))
def test_g2_property_invariant_under_diacritic_removal_and_case(text: str) -> None:
    """Diacritics and composed/decomposed input never matter; case matters only through names
    (a capitalised name is a person), so all-upper and all-lower text screen alike."""
    expected = screen(text).categories
    assert screen(strip_diacritics(text)).categories == expected
    assert screen(unicodedata.normalize("NFD", text)).categories == expected
    assert screen(text.upper()).categories == screen(text.lower()).categories


SENSITIVE_ROWS = st.sampled_from(SENSITIVE)


@given(SENSITIVE_ROWS.flatmap(lambda r: st.tuples(st.just(r), random_case(r.title))))
def test_g2_property_stock_titles_flagged_in_any_case(case: tuple[Row, str]) -> None:
    row, text = case
    assert AgendaCategory(row.label) in screen(text).categories, text


@given(st.one_of(free_texts, mixed_texts))
def test_g2_property_fold_then_screen_is_screen(text: str) -> None:
    assert screen_folded(fold(text)) == screen(text)
