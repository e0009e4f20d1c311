"""The pilot registration list in the layout of 828-CV/ĐUK (DOCX) and as CSV.

Columns: Số TT | Tên tổ chức đảng | Số đảng viên | Địa bàn công tác | Số chi bộ/Tổ đảng |
Đủ điều kiện về hạ tầng CNTT; section I online meetings, section II party-group meetings.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from policy.model import ApprovalScope

HEADERS = (
    "Số TT",
    "Tên tổ chức đảng",
    "Số đảng viên",
    "Địa bàn công tác",
    "Số chi bộ/Tổ đảng",
    "Đủ điều kiện về hạ tầng công nghệ thông tin",
)
SECTIONS = (
    (ApprovalScope.ONLINE, "I", "Sinh hoạt trực tuyến"),
    (ApprovalScope.GROUP, "II", "Sinh hoạt tổ đảng"),
)


@dataclass(frozen=True, slots=True)
class RegistrationRow:
    scope: ApprovalScope
    org_name: str
    member_count: int
    locations: str
    cells_or_groups: str
    it_readiness: str


def _rows_by_section(rows: list[RegistrationRow]) -> list[tuple[str, str, list[RegistrationRow]]]:
    return [(num, title, [r for r in rows if r.scope is scope]) for scope, num, title in SECTIONS]


def to_csv(rows: list[RegistrationRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(("Mục", *HEADERS))
    for num, title, section in _rows_by_section(rows):
        for i, r in enumerate(section, 1):
            writer.writerow(
                (
                    f"{num}. {title}",
                    i,
                    r.org_name,
                    r.member_count,
                    r.locations,
                    r.cells_or_groups,
                    r.it_readiness,
                )
            )
    return out.getvalue()


def to_docx(rows: list[RegistrationRow], superior: str, place: str, on: dt.date) -> bytes:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    head = doc.add_table(rows=1, cols=2)
    left, right = head.rows[0].cells
    left.text = f"{superior.upper()}\n*"
    right.text = (
        f"ĐẢNG CỘNG SẢN VIỆT NAM\n{place}, ngày {on.day:02d} tháng {on.month:02d} năm {on.year}"
    )
    for cell in (left, right):
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run("DANH SÁCH").bold = True
    sub = doc.add_paragraph(
        "Đăng ký tổ chức sinh hoạt đảng theo Hướng dẫn số 03-HD/TW ngày 27/12/2022 của Ban Bí thư"
    )
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    table = doc.add_table(rows=1, cols=len(HEADERS))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, HEADERS, strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for num, section_title, section in _rows_by_section(rows):
        cells = table.add_row().cells
        cells[0].text = num
        cells[1].text = section_title
        cells[1].paragraphs[0].runs[0].bold = True
        for i, r in enumerate(section, 1):
            cells = table.add_row().cells
            values = (
                str(i),
                r.org_name,
                str(r.member_count),
                r.locations,
                r.cells_or_groups,
                r.it_readiness,
            )
            for cell, value in zip(cells, values, strict=True):
                cell.text = value
    sign = doc.add_paragraph("T/M ĐẢNG ỦY (CHI BỘ)\n(Ký tên, đóng dấu)")
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
