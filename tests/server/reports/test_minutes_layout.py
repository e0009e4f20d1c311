"""The printed minutes (M1): sections numbered in order, the end time filled in, rule ids printed
once, the members present named. Pure layout: the content is what the service stores."""

from __future__ import annotations

import io
import re
from typing import Any

import docx

from server.reports.minutes import blocks, cited, to_docx

PASSED_VI = (
    "Thông qua: 5/9 đảng viên chính thức được tính tán thành, trên một nửa"
    " (Điều lệ Điều 10.5, A3, A4)."
)
QUORATE_VI = "Đủ số lượng: 6/9 đảng viên chính thức được tính có mặt, trên một nửa (A2, A3)."


def content(*, votes: bool, deferred: bool, ended: str) -> dict[str, Any]:
    vote = {
        "subject": "Nghị quyết tháng 11",
        "yes": 5,
        "no": 0,
        "abstain": 0,
        "rules": ["A2", "A3", "A4"],
        "vi": PASSED_VI,
    }
    return {
        "meeting": {"subject": "Sinh hoạt chi bộ", "started": "19 giờ 00", "ended": ended},
        "attendance": {
            "present": 2,
            "room": 1,
            "online": 1,
            "quorum": {"vi": QUORATE_VI, "rules": ["A2", "A3"]},
            "names": [
                {"name": "Trần Văn Hùng", "where": "room"},
                {"name": "Lê Thị Mai", "where": "online"},
            ],
        },
        "items": [{"title": "Thông tin thời sự", "votes": [vote]}],
        "votes": [vote] if votes else [],
        "deferred": [{"title": "Xét kết nạp", "rules": ["G1", "T2"]}] if deferred else [],
    }


def headings(c: dict[str, Any]) -> list[str]:
    return [b.text for b in blocks(c) if b.kind == "heading"]


def test_sections_are_numbered_in_order_whichever_are_left_out() -> None:
    # no vote outside the items: the deferred items follow III as IV, not V
    assert headings(content(votes=False, deferred=True, ended="21 giờ 00")) == [
        "I. THỜI GIAN, ĐỊA ĐIỂM",
        "II. THÀNH PHẦN",
        "III. NỘI DUNG SINH HOẠT",
        "IV. NỘI DUNG CHUYỂN SANG SINH HOẠT TRỰC TIẾP TOÀN CHI BỘ",
    ]
    both = headings(content(votes=True, deferred=True, ended="21 giờ 00"))
    assert [h.split(".")[0] for h in both] == ["I", "II", "III", "IV", "V"]


def test_rule_ids_print_once_and_the_legal_reference_stays() -> None:
    text = "\n".join(b.text for b in blocks(content(votes=False, deferred=False, ended="x")))
    vote_line = next(line for line in text.splitlines() if line.startswith("Biểu quyết"))
    assert vote_line.endswith("(Điều lệ Điều 10.5). [A2, A3, A4]"), vote_line
    for rule in ("A2", "A3", "A4"):
        assert len(re.findall(rf"\b{rule}\b", vote_line)) == 1, vote_line
    quorum = next(line for line in text.splitlines() if line.startswith("Đủ số lượng"))
    assert quorum == (
        "Đủ số lượng: 6/9 đảng viên chính thức được tính có mặt, trên một nửa. [A2, A3]"
    )
    assert cited("Không có căn cứ.", []) == "Không có căn cứ."


def test_members_present_are_named_and_the_end_time_is_printed() -> None:
    raw = to_docx(content(votes=False, deferred=False, ended="21 giờ 05, ngày 20/11/2026"))
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(raw)).paragraphs)
    assert "Trần Văn Hùng (tại hội trường)" in text
    assert "Lê Thị Mai (trực tuyến)" in text
    assert "Cuộc họp kết thúc lúc 21 giờ 05, ngày 20/11/2026." in text
    assert "…" not in text
