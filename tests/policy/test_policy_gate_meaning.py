"""G2 on meaning: paraphrase, office abbreviations, typos and i/y spellings, English and mixed
titles, several topics in one title; study framing that clears study of procedure and of Hồ Chí
Minh's works but never a person's case nor a secret-document marker (T11); everyday words that
share a topic's words. Titles here are written for these tests (not taken from the corpus).
The held-apart split of the labelled corpus must meet the targets of docs/rules.md."""

from __future__ import annotations

from datetime import date

import pytest

from policy.decision import Outcome, RuleId
from policy.gate import AgendaItem, Confirmation, check_item, report_item
from policy.model import AgendaCategory, MeetingMode
from policy.screening import screen
from tests.policy import gate_corpus as corpus

C = AgendaCategory
ON = date(2026, 1, 3)

MIN_RECALL = 0.95
MAX_FALSE_ORDINARY = 0.05
MAX_FALSE_TRICKY = 0.25


def _topics(title: str) -> frozenset[str]:
    return frozenset(c.value for c in screen(title).categories)


def test_g2_corpus_has_2000_labelled_titles_and_a_held_apart_split() -> None:
    written, tuning, held = corpus.written(), corpus.tuning_split(), corpus.held_apart_split()
    assert len(written) + len(tuning) - (len(written) - len(held)) >= 2000
    assert len(held) >= 150
    held_titles = {t.title for t in held}
    assert held_titles.isdisjoint(t.title for t in tuning)
    assert {t.kind for t in held} >= {
        "paraphrase",
        "abbreviation",
        "typo",
        "english",
        "mixed",
        "multi",
        "ordinary",
        "tricky",
    }


def test_g2_held_apart_split_meets_the_targets(capsys: pytest.CaptureFixture[str]) -> None:
    figures = corpus.measure(corpus.held_apart_split(), _topics)
    with capsys.disabled():
        print(
            f"\nG2 held-apart: recall {figures.recall}, false suspicion ordinary"
            f" {figures.false_ordinary}, tricky {figures.false_tricky}, multi-topic complete"
            f" {figures.multi_all_topics}"
        )
    assert figures.recall.value >= MIN_RECALL, [t.title for t in figures.missed]
    assert figures.false_ordinary.value <= MAX_FALSE_ORDINARY
    assert figures.false_tricky.value <= MAX_FALSE_TRICKY
    assert figures.multi_all_topics.value == 1.0


@pytest.mark.parametrize(
    ("title", "topic"),
    [
        pytest.param(
            "Đưa đồng chí Trương Văn Kha về làm phó phòng kinh doanh",
            "T1",
            id="T1-paraphrase-transfer-named",
        ),
        pytest.param(
            "Điều chuyển đ/c Hậu sang ban quản lý dự án", "T1", id="T1-paraphrase-điều-chuyển"
        ),
        pytest.param(
            "Chi bộ giới thiệu đồng chí Mạc Thị Lụa để đề bạt kế toán trưởng",
            "T1",
            id="T1-paraphrase-nomination",
        ),
        pytest.param(
            "Xem xét hồ sơ của quần chúng Phùng Thị Nga", "T2", id="T2-paraphrase-file-of-applicant"
        ),
        pytest.param(
            "Ý kiến về việc đứng vào hàng ngũ của Đảng của bạn Khuê",
            "T2",
            id="T2-paraphrase-hàng-ngũ",
        ),
        pytest.param(
            "Giải quyết vụ việc của đồng chí Tạ Văn Sửu", "T7", id="T7-paraphrase-handling-the-case"
        ),
        pytest.param(
            "Hình thức xử lý đối với đảng viên uống rượu bia khi lái xe",
            "T7",
            id="T7-paraphrase-hình-thức-xử-lý",
        ),
        pytest.param(
            "Đồng chí Lò Văn Páo đã qua 12 tháng dự bị", "T3", id="T3-paraphrase-12-tháng-dự-bị"
        ),
        pytest.param("Nguyện vọng rời Đảng của đồng chí Chiến", "T5", id="T5-paraphrase-rời-Đảng"),
        pytest.param(
            "Chấm điểm, phân loại đảng viên năm 2026", "T14", id="T14-paraphrase-chấm-điểm"
        ),
    ],
)
def test_g2_paraphrase_is_caught(title: str, topic: str) -> None:
    assert topic in _topics(title)


@pytest.mark.parametrize(
    ("title", "topic"),
    [
        pytest.param("Xét KN quần chúng Đinh Công Tráng", "T2", id="T2-abbrev-KN"),
        pytest.param("Đề nghị KL đ/c Phát", "T7", id="T7-abbrev-KL"),
        pytest.param("KĐ cuối năm chi ủy", "T13", id="T13-abbrev-KĐ"),
        pytest.param("Công tác BVCT nội bộ quý IV", "T10", id="T10-abbrev-BVCT-nội-bộ"),
        pytest.param("Xóa tên ĐV bỏ sinh hoạt", "T4", id="T4-abbrev-ĐV"),
        pytest.param("QH CB giai đoạn 2026-2031", "T1", id="T1-abbrev-QH-CB"),
        pytest.param("Báo cáo của UBKT Đảng ủy", "T6", id="T6-abbrev-UBKT"),
        pytest.param("Xét HTXSNV năm 2026", "T14", id="T14-abbrev-HTXSNV"),
    ],
)
def test_g2_office_abbreviation_is_caught(title: str, topic: str) -> None:
    assert topic in _topics(title)


@pytest.mark.parametrize(
    "title",
    [
        pytest.param("Thông báo KL số 12-KL/TW của Bộ Chính trị", id="T7-abbrev-KL-is-kết-luận"),
        pytest.param("Phòng KD báo cáo doanh thu", id="T13-abbrev-KD-is-kinh-doanh"),
        pytest.param(
            "Bầu cử đại biểu QH khóa XVI: lịch tuyên truyền", id="T1-abbrev-QH-is-Quốc-hội"
        ),
    ],
)
def test_g2_ambiguous_abbreviation_not_suspected(title: str) -> None:
    assert not _topics(title)


@pytest.mark.parametrize(
    ("title", "topic"),
    [
        pytest.param("Xem xét kỉ luật đồng chí Hoà", "T7", id="T7-spelling-kỉ-hoà"),
        pytest.param("Thẩm tra lí lịch quần chúng Thuỳ", "T10", id="T10-spelling-lí-lịch"),
        pytest.param("xem xet ki luat dang vien vi pham", "T7", id="T7-no-diacritics-ki"),
        pytest.param("Xét kết nạpp quần chúng Bảo", "T2", id="T2-typo-doubled-letter"),
        pytest.param("Xét chuyển đảng chnh thức", "T3", id="T3-typo-missing-letter"),
        pytest.param("Bỏ phiếu kínn bầu bí thư", "T12", id="T12-typo-doubled"),
        pytest.param("Kiểm điểmtự phê bình cuối năm", "T13", id="T13-typo-missing-space"),
        pytest.param("Disciplnary action against comrade Hung", "T7", id="T7-typo-english"),
    ],
)
def test_g2_typo_and_spelling_is_caught(title: str, topic: str) -> None:
    assert topic in _topics(title)


@pytest.mark.parametrize(
    ("title", "topic"),
    [
        pytest.param(
            "Transfer of comrade Le Van Hieu to the Da Nang office", "T1", id="T1-english-transfer"
        ),
        pytest.param(
            "Reviewing the membership application of Ms Thu", "T2", id="T2-english-application"
        ),
        pytest.param("Full membership for comrade Khanh", "T3", id="T3-english-full-membership"),
        pytest.param("Request to leave the Party from comrade Vu", "T5", id="T5-english-leave"),
        pytest.param("Secret ballot to elect the cell secretary", "T12", id="T12-english-ballot"),
        pytest.param("Annual self-criticism session", "T13", id="T13-english-self-criticism"),
        pytest.param("Ranking of party members 2026", "T14", id="T14-english-ranking"),
        pytest.param("Xét admission cho bạn Ngân", "T2", id="T2-mixed"),
        pytest.param("Disciplinary case: đồng chí Bình", "T7", id="T7-mixed"),
    ],
)
def test_g2_english_and_mixed_title_is_caught(title: str, topic: str) -> None:
    assert topic in _topics(title)


@pytest.mark.parametrize(
    ("title", "topics"),
    [
        pytest.param(
            "Kiểm điểm, xếp loại và khen thưởng đảng viên năm 2026",
            {"T8", "T13", "T14"},
            id="T8-T13-T14-multi",
        ),
        pytest.param(
            "Xét kết nạp quần chúng Hạ và thẩm tra lý lịch quần chúng Đông",
            {"T2", "T10"},
            id="T2-T10-multi",
        ),
        pytest.param(
            "Discipline and dismissal of comrade Tuan", {"T1", "T7"}, id="T1-T7-multi-english"
        ),
        pytest.param(
            "Bầu bổ sung chi ủy viên; phân công đ/c Lâm phụ trách tổ đảng",
            {"T1", "T12"},
            id="T1-T12-multi",
        ),
    ],
)
def test_g2_every_topic_of_a_multi_topic_title_is_reported(title: str, topics: set[str]) -> None:
    assert _topics(title) >= topics
    decision = check_item(AgendaItem(title, C.ORDINARY), MeetingMode.HYBRID, ON)
    assert {r.value for r in decision.rules} >= topics


@pytest.mark.parametrize(
    "title",
    [
        pytest.param("Học tập quy trình xét kết nạp đảng viên", id="T2-study-of-procedure"),
        pytest.param("Tìm hiểu thủ tục xoá tên đảng viên theo Điều lệ", id="T4-study-of-procedure"),
        pytest.param("Tập huấn nghiệp vụ công tác kiểm tra, giám sát", id="T6-study-of-procedure"),
        pytest.param(
            'Học tập tác phẩm "Sửa đổi lối làm việc" của Hồ Chí Minh về phê bình',
            id="T13-study-of-HCM-works",
        ),
        pytest.param(
            "Nghiên cứu tư tưởng Hồ Chí Minh về công tác cán bộ", id="T1-study-of-HCM-thought"
        ),
        pytest.param("Chi quỹ khen thưởng của công đoàn cơ sở", id="T8-union-reward-fund"),
        pytest.param("Lịch bầu cử quốc gia năm 2026", id="T12-national-election-calendar"),
        pytest.param("Danh sách đảng phí tháng 3", id="T4-party-fee-list"),
        pytest.param("Giải thi đấu cầu lông chào mừng 3/2", id="T8-thi-đấu-is-not-thi-đua"),
        pytest.param("Kiểm tra thiết bị trước buổi họp trực tuyến", id="T6-checking-equipment"),
        pytest.param("Tổ chức Đại hội chi bộ nhiệm kỳ 2027-2030", id="T1-chi-bộ-nhiệm-kỳ"),
        pytest.param("Nhân sự kiện ngày 2/9, để bắt đầu năm học mới", id="T1-straddling-words"),
        pytest.param("Giải thể thao chào mừng ngày thành lập", id="T15-giải-thể-thao"),
        pytest.param(
            "Studying the procedure for admitting new members", id="T2-english-study-of-procedure"
        ),
    ],
)
def test_g2_false_suspicion_avoided(title: str) -> None:
    assert not _topics(title)


@pytest.mark.parametrize(
    "title",
    [
        pytest.param("Học tập nghị quyết số 15 (tài liệu mật)", id="T11-study-secret-document"),
        pytest.param("Quán triệt chỉ thị tối mật của Ban Bí thư", id="T11-study-tối-mật"),
        pytest.param("Nghiên cứu văn bản tuyệt mật về quốc phòng", id="T11-study-tuyệt-mật"),
        pytest.param("Studying the secret resolution on defence", id="T11-study-secret-english"),
        pytest.param("Study of a confidential directive", id="T11-study-confidential"),
        pytest.param("Hoc tap nghi quyet (mat)", id="T11-study-mật-no-diacritics"),
    ],
)
def test_t11_secret_marker_never_cleared_by_study_framing(title: str) -> None:
    assert "T11" in _topics(title)
    decision = check_item(AgendaItem(title, C.STUDY), MeetingMode.ONLINE, ON)
    assert decision.outcome is Outcome.SUSPECTED and RuleId.T11 in decision.rules


@pytest.mark.parametrize(
    ("title", "topic"),
    [
        pytest.param(
            "Học tập Quy định về kỷ luật và xét kỷ luật đồng chí Tân",
            "T7",
            id="T7-study-then-a-case",
        ),
        pytest.param(
            "Quán triệt hướng dẫn kết nạp quần chúng Nguyễn Thị Mơ",
            "T2",
            id="T2-study-naming-a-person",
        ),
        pytest.param(
            "Học tập nghị quyết, xét chuyển đảng chính thức cho đ/c Huệ",
            "T3",
            id="T3-study-then-a-case",
        ),
    ],
)
def test_g2_study_framing_does_not_clear_a_persons_case(title: str, topic: str) -> None:
    assert topic in _topics(title)


def test_g2_decision_explains_every_topic_with_its_words() -> None:
    title = "Kỷ luật và miễn nhiệm đồng chí Lê Văn Ba; học tập quy định về kết nạp"
    report = report_item(AgendaItem(title, C.ORDINARY), MeetingMode.HYBRID, ON)
    assert report.decision.outcome is Outcome.SUSPECTED
    assert report.decision.rules == (RuleId.G2, RuleId.T1, RuleId.T7)
    found = {t.category: t for t in report.topics}
    assert set(found) == {C.T1, C.T7}
    assert found[C.T7].words == ("ky luat",) and found[C.T1].words == ("mien nhiem",)
    assert all(t.blocked_here and t.deciding for t in report.topics)
    assert [t.category for t in report.studied] == [C.T2]
    assert (
        "T1: “mien nhiem”" in report.decision.text.vi and "T7: “ky luat”" in report.decision.text.en
    )
    data = report.as_dict()
    assert data["outcome"] == "suspected" and data["rules"] == ["G2", "T1", "T7"]
    topics = data["topics"]
    assert isinstance(topics, list) and [t["topic"] for t in topics] == ["T1", "T7"]


def test_g2_chair_confirmation_still_clears_a_new_style_suspicion() -> None:
    title = "Handling the case of member Dao Van Binh"
    suspected = check_item(AgendaItem(title, C.ORDINARY), MeetingMode.HYBRID, ON)
    assert suspected.outcome is Outcome.SUSPECTED and RuleId.T7 in suspected.rules
    confirmation = Confirmation("Chỉ thông báo kết quả của cấp trên", frozenset({C.T7}), "Bí thư")
    confirmed = check_item(
        AgendaItem(title, C.ORDINARY, confirmation=confirmation), MeetingMode.HYBRID, ON
    )
    assert confirmed.outcome is Outcome.ALLOWED and "Chỉ thông báo" in confirmed.text.vi
