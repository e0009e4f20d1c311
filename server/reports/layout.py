"""Reports a party committee files and signs, in the usual Vietnamese administrative layout, as
DOCX (python-docx), PDF (fpdf2 with DejaVu, for Vietnamese) and XLSX (openpyxl, the tables).

The layout (as in 828-CV/ĐUK and the committees' reports): top left the superior organisation,
the issuing committee in bold, a star and the number and symbol (số/ký hiệu); top right
"ĐẢNG CỘNG SẢN VIỆT NAM" and, below it, the place and date in italics; the title in capitals and
its subject; the body, numbered sections with paragraphs, bullets and tables; bottom left the
recipients (nơi nhận), bottom right the signature block (T/M … / BÍ THƯ, the name).
All three formats render the same :class:`Report`.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from server.reports.minutes import FONT, FONT_BOLD, FONT_DIR, PARTY, harmless

Cell = str | int | float


@dataclass(frozen=True, slots=True)
class Table:
    """A table of the report (also one sheet of the XLSX)."""

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.headers):
                raise ValueError("every row has one cell per header")


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    paragraphs: tuple[str, ...] = ()
    bullets: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()


@dataclass(frozen=True, slots=True)
class Report:
    """``issuer``: the header's left lines, top-down (the superior organisation, then the
    issuing committee); ``number``: số/ký hiệu, e.g. ``Số 12-BC/ĐU``."""

    issuer: tuple[str, ...]
    number: str
    place: str
    on: dt.date
    title: str
    subject: str
    sections: tuple[Section, ...]
    recipients: tuple[str, ...] = ("Như trên,", "Lưu Văn phòng.")
    signer_role: tuple[str, ...] = ("T/M ĐẢNG ỦY", "BÍ THƯ")
    signer: str = ""
    sheet_name: str = "Báo cáo"
    extra_tables: tuple[Table, ...] = field(default=())

    @property
    def dateline(self) -> str:
        return f"{self.place}, ngày {self.on.day:02d} tháng {self.on.month:02d} năm {self.on.year}"

    def tables(self) -> tuple[Table, ...]:
        return tuple(t for s in self.sections for t in s.tables) + self.extra_tables


def _text(value: Cell) -> str:
    return str(harmless(str(value)))


# -- DOCX ---------------------------------------------------------------------------------------


def to_docx(report: Report) -> bytes:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    head = doc.add_table(rows=1, cols=2)
    left, right = head.rows[0].cells
    lines = [_text(x) for x in report.issuer]
    left.text = ""
    p = left.paragraphs[0]
    for i, line in enumerate(lines):
        run = p.add_run(line.upper() + "\n")
        run.bold = i == len(lines) - 1
    p.add_run("*\n")
    p.add_run(_text(report.number))
    right.text = ""
    rp = right.paragraphs[0]
    rp.add_run(PARTY + "\n").bold = True
    rp.add_run(report.dateline).italic = True
    for cell in (left, right):
        for para in cell.paragraphs:
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(_text(report.title).upper())
    run.bold = True
    run.font.size = Pt(15)
    subject = doc.add_paragraph()
    subject.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subject.add_run(_text(report.subject)).bold = True
    for section in report.sections:
        doc.add_paragraph().add_run(_text(section.heading)).bold = True
        for para in section.paragraphs:
            doc.add_paragraph(_text(para))
        for bullet in section.bullets:
            doc.add_paragraph(f"- {_text(bullet)}")
        for table in section.tables:
            _docx_table(doc, table)
    sign = doc.add_table(rows=1, cols=2)
    recipients, signer = sign.rows[0].cells
    recipients.text = ""
    rp = recipients.paragraphs[0]
    rp.add_run("Nơi nhận:\n").bold = True
    rp.add_run("\n".join(f"- {_text(r)}" for r in report.recipients))
    signer.text = ""
    sp = signer.paragraphs[0]
    sp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sp.add_run("\n".join(_text(r) for r in report.signer_role) + "\n\n\n\n").bold = True
    sp.add_run(_text(report.signer)).bold = True
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _docx_table(doc: DocxDocument, table: Table) -> None:
    if table.title:
        doc.add_paragraph().add_run(_text(table.title)).italic = True
    grid = doc.add_table(rows=1, cols=len(table.headers))
    grid.style = "Table Grid"
    for cell, text in zip(grid.rows[0].cells, table.headers, strict=True):
        cell.text = _text(text)
        cell.paragraphs[0].runs[0].bold = True
    for row in table.rows:
        for cell, value in zip(grid.add_row().cells, row, strict=True):
            cell.text = _text(value)


# -- PDF ----------------------------------------------------------------------------------------


def to_pdf(report: Report) -> bytes:
    """PDF with embedded DejaVu Sans (Debian fonts-dejavu-core), which covers Vietnamese."""
    if not FONT.is_file() or not FONT_BOLD.is_file():
        raise FileNotFoundError(f"DejaVu fonts missing in {FONT_DIR} (install fonts-dejavu-core)")
    pdf = FPDF(format="A4")
    pdf.set_margins(20, 15, 15)
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.add_font("DejaVu", "B", str(FONT_BOLD))
    pdf.add_page()
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    top = pdf.get_y()
    pdf.set_font("DejaVu", "B", 10)
    issuer = [_text(x).upper() for x in report.issuer]
    pdf.multi_cell(half, 5, "\n".join([*issuer, "*", _text(report.number)]), align="C")
    bottom = pdf.get_y()
    pdf.set_xy(pdf.l_margin + half, top)
    pdf.multi_cell(half, 5, PARTY, align="C")
    pdf.set_x(pdf.l_margin + half)
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(half, 5, report.dateline, align="C")
    pdf.set_y(max(bottom, pdf.get_y()) + 6)
    pdf.set_font("DejaVu", "B", 14)
    pdf.multi_cell(
        0, 8, _text(report.title).upper(), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(0, 6, _text(report.subject), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    for section in report.sections:
        pdf.ln(2)
        pdf.set_font("DejaVu", "B", 11)
        pdf.multi_cell(0, 6, _text(section.heading), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("DejaVu", "", 10)
        for para in section.paragraphs:
            pdf.multi_cell(0, 5.5, _text(para), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        for bullet in section.bullets:
            pdf.multi_cell(0, 5.5, f"- {_text(bullet)}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        for table in section.tables:
            if table.title:
                pdf.multi_cell(0, 5.5, _text(table.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.set_font("DejaVu", "", 8)
            with pdf.table(
                text_align="LEFT", line_height=4.5, headings_style=FontFace(emphasis="BOLD")
            ) as grid:
                heading = grid.row()
                for h in table.headers:
                    heading.cell(_text(h))
                for row in table.rows:
                    cells = grid.row()
                    for value in row:
                        cells.cell(_text(value))
            pdf.set_font("DejaVu", "", 10)
            pdf.ln(2)
    pdf.ln(6)
    y = pdf.get_y()
    pdf.set_font("DejaVu", "B", 10)
    pdf.multi_cell(half, 5, "Nơi nhận:", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(half, 5, "\n".join(f"- {_text(r)}" for r in report.recipients))
    after_recipients = pdf.get_y()
    pdf.set_xy(pdf.l_margin + half, y)
    pdf.set_font("DejaVu", "B", 10)
    pdf.multi_cell(half, 5, "\n".join(_text(r) for r in report.signer_role), align="C")
    pdf.ln(16)
    pdf.set_x(pdf.l_margin + half)
    pdf.multi_cell(half, 5, _text(report.signer), align="C")
    pdf.set_y(max(after_recipients, pdf.get_y()))
    return bytes(pdf.output())


# -- XLSX ---------------------------------------------------------------------------------------


def to_xlsx(report: Report) -> bytes:
    """The report's tables, one sheet each: the report's title and subject, the dateline, then
    the headers in bold and the rows (numbers stay numbers)."""
    book = Workbook()
    first = True
    for n, table in enumerate(report.tables(), start=1):
        sheet = book.active if first else book.create_sheet()
        assert sheet is not None
        first = False
        sheet.title = f"{n}. {table.title}"[:31].replace("/", "-")
        sheet.append([_text(report.title).upper()])
        sheet.append([_text(report.subject)])
        sheet.append([report.dateline])
        sheet.append([_text(table.title)])
        sheet.append([_text(h) for h in table.headers])
        for cell in sheet[5]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet["A1"].font = Font(bold=True, size=13)
        for row in table.rows:
            sheet.append([v if isinstance(v, int | float) else _text(v) for v in row])
    if first:
        sheet = book.active
        assert sheet is not None
        sheet.append([_text(report.title).upper()])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = {"docx": DOCX, "pdf": PDF, "xlsx": XLSX}


def render(report: Report, fmt: str) -> tuple[bytes, str]:
    """The report in ``fmt`` (docx, pdf, xlsx) and its media type."""
    if fmt == "docx":
        return to_docx(report), DOCX
    if fmt == "pdf":
        return to_pdf(report), PDF
    if fmt == "xlsx":
        return to_xlsx(report), XLSX
    raise ValueError(f"unknown format {fmt!r}")
