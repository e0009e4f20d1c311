"""Minutes (biên bản, M1) as DOCX (python-docx) and PDF (fpdf2 with DejaVu, for Vietnamese).

Layout of a party cell's minutes: the organisations left ("ĐẢNG BỘ …" / "CHI BỘ …") and
"ĐẢNG CỘNG SẢN VIỆT NAM" right, the title, numbered sections, and the signatures of the
secretary (thư ký) and the chair (chủ trì). Both formats render the same :func:`blocks`.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from server.plaintext import one_line, paragraph

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
PARTY = "ĐẢNG CỘNG SẢN VIỆT NAM"

# fpdf2 warns about glyphs the font lacks by quoting them: document text (meeting content)
# must not reach the server log
logging.getLogger("fpdf").setLevel(logging.ERROR)

_CATEGORY = {
    "full": "chính thức",
    "probationary": "dự bị",
    "exempted": "miễn sinh hoạt",
    "temporarily_attached": "sinh hoạt tạm thời",
    "suspended": "đình chỉ sinh hoạt",
}


@dataclass(frozen=True, slots=True)
class Block:
    kind: Literal["heading", "para", "bullet"]
    text: str


_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
_RULE_ID = re.compile(r"^[A-Z]{1,2}\d{1,2}$")
_TRAILING_CITATION = re.compile(r"\s*\(([^()]*)\)(\.?)\s*$")
_WHERE = {"room": "tại hội trường", "online": "trực tuyến"}


def cited(text: str, rules: Sequence[str]) -> str:
    """``text`` with its rule ids printed once, as ``[A2, A3]`` at the end: ids already cited in
    the text's closing parenthesis are taken out of it (the legal references stay)."""
    text = text.strip()
    if rules:
        match = _TRAILING_CITATION.search(text)
        if match:
            kept = [p for p in match.group(1).split(", ") if not _RULE_ID.match(p.strip())]
            inner = f" ({', '.join(kept)})" if kept else ""
            text = text[: match.start()] + inner + match.group(2)
        text += f" [{', '.join(rules)}]"
    return text.strip()


def _day(iso: object) -> str:
    """dd/mm/yyyy for a YYYY-MM-DD date ("" when absent)."""
    text = str(iso or "")
    return "/".join(reversed(text.split("-"))) if text else ""


def _vote_line(v: Mapping[str, Any]) -> str:
    line = (
        f"Biểu quyết “{v.get('subject', '')}”: tán thành {v.get('yes', 0)}, "
        f"không tán thành {v.get('no', 0)}, không biểu quyết {v.get('abstain', 0)}."
    )
    if v.get("vi"):
        line += f" {cited(str(v['vi']), v.get('rules', []))}"
    return line


def harmless(value: Any) -> Any:
    """``value`` (the minutes' content, nested) with every string made printable: a control
    character stored before the edge refused it (an older version, or by hand) becomes a space,
    newlines stay. DOCX cannot hold such characters at all, and PDF would warn about them."""
    if isinstance(value, str):
        return paragraph(value)
    if isinstance(value, Mapping):
        return {k: harmless(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [harmless(v) for v in value]
    return value


def _group_absences(g: Mapping[str, Any]) -> list[Block]:
    """M1: a group's absent members by name, with their reasons, as its report carried them."""
    absences = g.get("absences")
    if absences is None:  # a report sent before the names were kept: the count only
        return []
    with_reason = absences.get("with_reason", [])
    without = absences.get("without_reason", [])
    reasons = "; ".join(f"{a['name']} ({a.get('reason') or 'có lý do'})" for a in with_reason)
    names = "; ".join(str(a["name"]) for a in without)
    return [
        Block(
            "bullet",
            f"{g['group']}: vắng có lý do {len(with_reason)} đồng chí"
            + (f": {reasons}" if reasons else "")
            + f"; vắng không có lý do {len(without)} đồng chí"
            + (f": {names}" if names else "")
            + ".",
        )
    ]


def blocks(c: Mapping[str, Any]) -> list[Block]:
    """The body of the minutes, section by section, in Vietnamese."""
    c = harmless(c)
    out: list[Block] = []
    meeting = c.get("meeting", {})
    add = out.append
    sections = iter(_ROMAN)

    def heading(title: str) -> None:  # numbered in order: a section left out takes no number
        add(Block("heading", f"{next(sections)}. {title}"))

    heading("THỜI GIAN, ĐỊA ĐIỂM")
    add(Block("para", f"Nội dung: {meeting.get('subject', '')}."))
    add(Block("para", f"Bắt đầu lúc {meeting.get('started', '')}; địa điểm: {c.get('place', '')}."))
    mode = {"hybrid": "kết hợp trực tiếp và trực tuyến", "online": "trực tuyến"}
    mode.update(group="theo tổ đảng", in_person="trực tiếp")
    add(Block("para", f"Hình thức: {mode.get(str(meeting.get('mode')), '')}."))
    heading("THÀNH PHẦN")
    add(Block("para", f"Chủ trì: {c.get('chair', '')}. Thư ký: {c.get('secretary', '')}."))
    ms = c.get("membership", {})
    add(
        Block(
            "para",
            f"Tổng số đảng viên: {ms.get('total', 0)}, trong đó chính thức {ms.get('full', 0)}, "
            f"dự bị {ms.get('probationary', 0)}, sinh hoạt tạm thời "
            f"{ms.get('temporarily_attached', 0)}; miễn công tác và sinh hoạt đảng "
            f"{ms.get('exempted', 0)}; chuyển sinh hoạt đi {c.get('transferred_out', 0)}.",
        )
    )
    att = c.get("attendance", {})
    cons = c.get("consolidation")
    if cons and meeting.get("mode") == "group" and not att.get("present"):
        # E2: the cell met in its party groups; who attended is counted there
        att = {**cons.get("attendance", {}), "names": [], "quorum": {}}
        add(
            Block(
                "para",
                f"Sinh hoạt theo tổ đảng: có mặt ở các tổ {att.get('present', 0)} đồng chí "
                "(chi tiết từng tổ ở mục Tổng hợp kết quả sinh hoạt các tổ đảng).",
            )
        )
    cats = ", ".join(
        f"{_CATEGORY.get(k, k)} {v}" for k, v in att.get("by_category", {}).items() if v
    )
    add(
        Block(
            "para",
            f"Có mặt: {att.get('present', 0)} đồng chí (tại hội trường {att.get('room', 0)}, "
            f"trực tuyến {att.get('online', 0)}); theo loại: {cats or 'không có'}.",
        )
    )
    for p in att.get("names", []):
        add(Block("bullet", f"{p['name']} ({_WHERE.get(str(p.get('where')), '')})"))
    quorum = att.get("quorum", {})
    if quorum:
        add(Block("para", cited(str(quorum.get("vi", "")), quorum.get("rules", []))))
    absences = c.get("absences", {})
    with_reason = absences.get("with_reason", [])
    without = absences.get("without_reason", [])
    add(Block("para", f"Vắng có lý do: {len(with_reason)} đồng chí."))
    for a in with_reason:
        add(Block("bullet", f"{a['name']} ({a.get('reason') or 'có lý do'})"))
    add(Block("para", f"Vắng không có lý do: {len(without)} đồng chí."))
    for a in without:
        add(Block("bullet", str(a["name"])))
    if c.get("opening"):
        add(Block("para", str(c["opening"])))
    heading("NỘI DUNG SINH HOẠT")
    for n, item in enumerate(c.get("items", []), start=1):
        add(Block("para", f"{n}. {one_line(item['title'])}"))
        for s in item.get("speeches", []):
            add(Block("bullet", f"Đồng chí {s['speaker']} phát biểu: {s['text']}"))
        for s in item.get("differing", []):
            add(Block("bullet", f"Ý kiến khác (đồng chí {s['speaker']}): {s['text']}"))
        for s in item.get("reserved", []):
            add(Block("bullet", f"Ý kiến bảo lưu (đồng chí {s['speaker']}): {s['text']}"))
        if item.get("conclusion"):
            add(Block("para", f"Kết luận: {item['conclusion']}"))
        for v in item.get("votes", []):
            add(Block("para", _vote_line(v)))
    if c.get("votes"):
        heading("BIỂU QUYẾT DỰ THẢO KẾT LUẬN, NGHỊ QUYẾT")
        for v in c["votes"]:
            add(Block("para", _vote_line(v)))
    if c.get("deferred"):
        heading("NỘI DUNG CHUYỂN SANG SINH HOẠT TRỰC TIẾP TOÀN CHI BỘ")
        for d in c["deferred"]:
            add(Block("bullet", f"{d['title']} [{', '.join(d.get('rules', []))}]"))
    if cons:
        heading("TỔNG HỢP KẾT QUẢ SINH HOẠT CÁC TỔ ĐẢNG")
        ca = cons.get("attendance", {})
        add(Block("para", f"Tổng số có mặt ở các tổ: {ca.get('present', 0)} đồng chí."))
        for g in cons.get("groups", []):
            held = _day(g.get("held_on"))
            late = "; báo cáo gửi chi ủy muộn (GM3)" if g.get("late") else ""
            add(Block("bullet", f"{g['group']}: họp ngày {held}, có mặt {g['present']}{late}."))
            out.extend(_group_absences(g))
        for v in cons.get("votes", []):
            add(Block("para", _vote_line(v)))
        for g in cons.get("groups", []):
            for o in g.get("differing", []):
                add(Block("bullet", f"{g['group']}: ý kiến khác ({o['speaker']}): {o['text']}"))
            for o in g.get("reserved", []):
                add(Block("bullet", f"{g['group']}: ý kiến bảo lưu ({o['speaker']}): {o['text']}"))
    if c.get("documents"):
        names = "; ".join(
            d["filename"] + (" (gửi muộn, M3)" if d.get("late") else "") for d in c["documents"]
        )
        add(Block("para", f"Tài liệu: {names}."))
    chat = c.get("chat") or {}
    if chat.get("messages"):
        add(
            Block(
                "para",
                f"Trong cuộc họp có trao đổi bằng tin nhắn văn bản ({chat['messages']} tin nhắn; "
                "nội dung lưu mã hoá, không ghi vào biên bản).",
            )
        )
    if c.get("notes"):
        add(Block("para", str(c["notes"])))
    ended = meeting.get("ended") or "…"
    closing = c.get("closing") or f"Cuộc họp kết thúc lúc {ended}."
    add(Block("para", str(closing)))
    if c.get("adopted_at"):
        add(Block("para", f"Biên bản đã được đọc lại và thông qua lúc {c['adopted_at']}."))
    return out


def to_docx(c: Mapping[str, Any]) -> bytes:
    c = harmless(c)
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    head = doc.add_table(rows=1, cols=2)
    left, right = head.rows[0].cells
    left.text = "\n".join([*c.get("header", []), "*"])
    right.text = PARTY
    for cell in (left, right):
        for p in cell.paragraphs:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            for run in p.runs:
                run.bold = True
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(str(c.get("title", "")))
    run.bold = True
    run.font.size = Pt(15)
    for b in blocks(c):
        if b.kind == "heading":
            doc.add_paragraph().add_run(b.text).bold = True
        elif b.kind == "bullet":
            doc.add_paragraph(f"– {b.text}")
        else:
            doc.add_paragraph(b.text)
    sign = doc.add_table(rows=2, cols=2)
    sign.rows[0].cells[0].text = "THƯ KÝ"
    sign.rows[0].cells[1].text = "CHỦ TRÌ"
    sign.rows[1].cells[0].text = f"\n\n\n{c.get('secretary', '')}"
    sign.rows[1].cells[1].text = f"\n\n\n{c.get('chair', '')}"
    for row in sign.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def to_pdf(c: Mapping[str, Any]) -> bytes:
    """PDF with embedded DejaVu Sans (Debian fonts-dejavu-core), which covers Vietnamese."""
    if not FONT.is_file() or not FONT_BOLD.is_file():
        raise FileNotFoundError(f"DejaVu fonts missing in {FONT_DIR} (install fonts-dejavu-core)")
    c = harmless(c)
    pdf = FPDF(format="A4")
    pdf.set_margins(20, 15, 15)
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.add_font("DejaVu", "B", str(FONT_BOLD))
    pdf.add_page()
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    top = pdf.get_y()
    pdf.set_font("DejaVu", "B", 10)
    pdf.multi_cell(half, 5, "\n".join([*c.get("header", []), "*"]), align="C")
    bottom = pdf.get_y()
    pdf.set_xy(pdf.l_margin + half, top)
    pdf.multi_cell(half, 5, PARTY, align="C")
    pdf.set_y(max(bottom, pdf.get_y()) + 6)
    pdf.set_font("DejaVu", "B", 14)
    pdf.multi_cell(0, 8, str(c.get("title", "")), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    for b in blocks(c):
        if b.kind == "heading":
            pdf.ln(2)
            pdf.set_font("DejaVu", "B", 11)
            pdf.multi_cell(0, 6, b.text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        else:
            pdf.set_font("DejaVu", "", 11)
            text = f"– {b.text}" if b.kind == "bullet" else b.text
            pdf.multi_cell(0, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(8)
    pdf.set_font("DejaVu", "B", 11)
    y = pdf.get_y()
    pdf.multi_cell(half, 6, "THƯ KÝ", align="C")
    pdf.set_xy(pdf.l_margin + half, y)
    pdf.multi_cell(half, 6, "CHỦ TRÌ", align="C")
    pdf.ln(18)
    pdf.set_font("DejaVu", "", 11)
    y = pdf.get_y()
    pdf.multi_cell(half, 6, str(c.get("secretary", "")), align="C")
    pdf.set_xy(pdf.l_margin + half, y)
    pdf.multi_cell(half, 6, str(c.get("chair", "")), align="C")
    return bytes(pdf.output())
