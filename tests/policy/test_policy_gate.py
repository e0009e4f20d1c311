"""G1, G2, G3: the agenda gate over categories T1–T15 (03-HD/TW §II.3.2)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policy.decision import Outcome, RuleId
from policy.gate import AgendaItem, Confirmation, check_agenda, check_item, check_secret_ballot
from policy.model import AgendaCategory, MeetingMode

ON = date(2025, 9, 3)
BLOCKED = tuple(c for c in AgendaCategory if c.value.startswith("T"))
PILOT_MODES = (MeetingMode.HYBRID, MeetingMode.ONLINE, MeetingMode.GROUP)


@pytest.mark.parametrize(
    ("category", "mode"),
    [
        pytest.param(c, m, id=f"G1-{c.value}-blocked-{m.value}")
        for c in BLOCKED
        for m in PILOT_MODES
    ],
)
def test_g1_blocked_category_blocked_in_pilot_modes(
    category: AgendaCategory, mode: MeetingMode
) -> None:
    decision = check_item(AgendaItem("Nội dung", category), mode, ON)
    assert decision.outcome is Outcome.BLOCKED
    assert decision.rules == (RuleId.G1, RuleId(category.value))
    assert category.value in decision.text.vi and "II.3.2" in decision.text.vi


@pytest.mark.parametrize(
    "category", [pytest.param(c, id=f"G1-{c.value}-in-person-allowed") for c in BLOCKED]
)
def test_g1_blocked_category_allowed_in_person(category: AgendaCategory) -> None:
    decision = check_item(AgendaItem("Xét kết nạp đảng viên", category), MeetingMode.IN_PERSON, ON)
    assert decision.outcome is Outcome.ALLOWED


def test_g1_example_text_reads_like_the_issue() -> None:
    decision = check_item(AgendaItem("Xét kết nạp", AgendaCategory.T2), MeetingMode.ONLINE, ON)
    assert decision.text.vi.startswith(
        "Không được thảo luận trong cuộc họp trực tuyến: nội dung xét kết nạp"
    )
    assert "(03-HD/TW mục II.3.2, G1, T2)" in decision.text.vi
    assert "(03-HD/TW §II.3.2, G1, T2)" in decision.text.en


def test_g1_confirmation_cannot_override_a_blocked_category() -> None:
    confirmation = Confirmation(
        "Chỉ thông báo kết quả, không xét", frozenset({AgendaCategory.T2}), "Bí thư"
    )
    item = AgendaItem("Kết nạp", AgendaCategory.T2, confirmation=confirmation)
    assert check_item(item, MeetingMode.HYBRID, ON).outcome is Outcome.BLOCKED


@given(
    st.sampled_from(BLOCKED),
    st.sampled_from(list(MeetingMode)),
    st.text(min_size=1, max_size=40).filter(str.strip),
)
def test_g1_property_blocked_everywhere_but_in_person(
    category: AgendaCategory, mode: MeetingMode, title: str
) -> None:
    decision = check_item(AgendaItem(title, category), mode, ON)
    if mode is MeetingMode.IN_PERSON:
        assert decision.outcome is Outcome.ALLOWED
    else:
        assert decision.outcome is Outcome.BLOCKED


@pytest.mark.parametrize(
    ("title", "category", "outcome", "rules"),
    [
        pytest.param(
            "Xem xét kỷ luật đồng chí Nguyễn Văn A",
            AgendaCategory.ORDINARY,
            Outcome.SUSPECTED,
            (RuleId.G2, RuleId.T7),
            id="G2-T7-deciding-a-case-suspected",
        ),
        pytest.param(
            "Học tập Quy định 69-QĐ/TW về kỷ luật tổ chức đảng",
            AgendaCategory.STUDY,
            Outcome.ALLOWED,
            (RuleId.G2,),
            id="G2-T7-studying-discipline-rules-allowed",
        ),
        pytest.param(
            "Thông tin thời sự tháng 9",
            AgendaCategory.ORDINARY,
            Outcome.ALLOWED,
            (RuleId.G2,),
            id="G2-ordinary",
        ),
        pytest.param(
            "Kiểm điểm tự phê bình và bỏ phiếu tín nhiệm",
            AgendaCategory.OTHER,
            Outcome.SUSPECTED,
            (RuleId.G2, RuleId.T12, RuleId.T13),
            id="G2-T12-T13-several-topics-in-order",
        ),
        pytest.param(
            "XET KET NAP DV",
            AgendaCategory.TASK_REPORT,
            Outcome.SUSPECTED,
            (RuleId.G2, RuleId.T2),
            id="G2-T2-upper",
        ),
    ],
)
def test_g2_text_screening(
    title: str, category: AgendaCategory, outcome: Outcome, rules: tuple[RuleId, ...]
) -> None:
    decision = check_item(AgendaItem(title, category), MeetingMode.HYBRID, ON)
    assert decision.outcome is outcome
    assert decision.rules == rules


def test_g2_description_and_attachment_names_are_screened() -> None:
    by_description = AgendaItem(
        "Công việc tháng 9", AgendaCategory.ORDINARY, description="Xét kết nạp quần chúng Lan"
    )
    by_attachment = AgendaItem(
        "Công việc tháng 9",
        AgendaCategory.ORDINARY,
        attachment_names=("ho-so-ket-nap-dang-vien-Lan.pdf",),
    )
    for item in (by_description, by_attachment):
        decision = check_item(item, MeetingMode.ONLINE, ON)
        assert decision.outcome is Outcome.SUSPECTED and RuleId.T2 in decision.rules


def test_g2_suspected_text_names_the_words_and_the_way_out() -> None:
    decision = check_item(
        AgendaItem("Xem xét kỷ luật đồng chí A", AgendaCategory.ORDINARY), MeetingMode.ONLINE, ON
    )
    assert "“xem xet ky luat”" in decision.text.vi
    assert "xác nhận" in decision.text.vi and "confirm" in decision.text.en


def test_g2_in_person_meeting_does_not_screen() -> None:
    decision = check_item(
        AgendaItem("Xem xét kỷ luật đồng chí A", AgendaCategory.ORDINARY), MeetingMode.IN_PERSON, ON
    )
    assert decision.outcome is Outcome.ALLOWED


def test_g2_chair_confirmation_with_reason() -> None:
    confirmation = Confirmation(
        "Chỉ thông báo quyết định của cấp trên, không xem xét",
        frozenset({AgendaCategory.T7}),
        "Bí thư Lê B",
    )
    item = AgendaItem(
        "Thông báo kỷ luật đảng viên ở đảng bộ khác",
        AgendaCategory.ORDINARY,
        confirmation=confirmation,
    )
    decision = check_item(item, MeetingMode.HYBRID, ON)
    assert decision.outcome is Outcome.ALLOWED
    assert decision.rules == (RuleId.G2, RuleId.T7)
    assert "Bí thư Lê B" in decision.text.vi and "không xem xét" in decision.text.vi


def test_g2_confirmation_does_not_cover_a_new_topic() -> None:
    confirmation = Confirmation(
        "Chỉ thông báo, không xem xét", frozenset({AgendaCategory.T7}), "Bí thư"
    )
    item = AgendaItem(
        "Thông báo kỷ luật; xét kết nạp quần chúng Hà",
        AgendaCategory.ORDINARY,
        confirmation=confirmation,
    )
    decision = check_item(item, MeetingMode.HYBRID, ON)
    assert decision.outcome is Outcome.SUSPECTED
    assert RuleId.T2 in decision.rules


@pytest.mark.parametrize(
    ("reason", "categories", "by"),
    [
        pytest.param("ok", frozenset({AgendaCategory.T7}), "Bí thư", id="G2-reason-too-short"),
        pytest.param("Lý do đầy đủ ở đây", frozenset(), "Bí thư", id="G2-covers-nothing"),
        pytest.param("Lý do đầy đủ ở đây", frozenset({AgendaCategory.T7}), " ", id="G2-nobody"),
    ],
)
def test_g2_confirmation_is_checked(
    reason: str, categories: frozenset[AgendaCategory], by: str
) -> None:
    with pytest.raises(ValueError):
        Confirmation(reason, categories, by)


def test_agenda_item_is_checked() -> None:
    with pytest.raises(ValueError):
        AgendaItem("  ", AgendaCategory.ORDINARY)
    with pytest.raises(TypeError):
        AgendaItem("x", "T1")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("on", "outcome"),
    [
        pytest.param(date(2025, 6, 30), Outcome.ALLOWED, id="E4-G3-2025-06-30-covered"),
        pytest.param(date(2025, 7, 1), Outcome.BLOCKED, id="E4-G3-2025-07-01-no-rule-set"),
        pytest.param(date(2025, 7, 23), Outcome.ALLOWED, id="E4-G3-2025-07-23-covered"),
    ],
)
def test_e4_gate_judged_by_the_rules_on_the_date(on: date, outcome: Outcome) -> None:
    decision = check_item(
        AgendaItem("Thông tin thời sự", AgendaCategory.ORDINARY), MeetingMode.HYBRID, on
    )
    assert decision.outcome is outcome
    if outcome is Outcome.BLOCKED:
        assert decision.rules == (RuleId.E4, RuleId.G1)
        assert "01/07/2025" in decision.text.vi


def test_g3_gate_runs_again_with_the_meeting_as_it_is_now() -> None:
    item = AgendaItem("Bầu bổ sung chi ủy viên", AgendaCategory.T12)
    planned = check_item(item, MeetingMode.IN_PERSON, ON)
    at_open = check_item(item, MeetingMode.HYBRID, ON)
    assert planned.outcome is Outcome.ALLOWED
    assert at_open.outcome is Outcome.BLOCKED
    edited = AgendaItem("Thông tin thời sự", AgendaCategory.ORDINARY)
    assert [d.outcome for d in check_agenda((item, edited), MeetingMode.GROUP, ON)] == [
        Outcome.BLOCKED,
        Outcome.ALLOWED,
    ]


@pytest.mark.parametrize(
    ("mode", "outcome"),
    [
        pytest.param(MeetingMode.IN_PERSON, Outcome.ALLOWED, id="G3-secret-ballot-in-person"),
        pytest.param(MeetingMode.HYBRID, Outcome.BLOCKED, id="G3-secret-ballot-hybrid"),
        pytest.param(MeetingMode.ONLINE, Outcome.BLOCKED, id="G3-secret-ballot-online"),
        pytest.param(MeetingMode.GROUP, Outcome.BLOCKED, id="G3-secret-ballot-group"),
    ],
)
def test_g3_secret_ballot(mode: MeetingMode, outcome: Outcome) -> None:
    decision = check_secret_ballot(mode)
    assert decision.outcome is outcome
    assert decision.rules == (RuleId.G3, RuleId.T12)
