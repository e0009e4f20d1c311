"""The committee's reports as :class:`server.reports.layout.Report` (S3, S1, V3):

* the monthly report of the results of cell meetings (S3: "Results of cell meetings go up in the
  monthly report of the grassroots committee");
* the quarterly supervision report of the members assigned to cells (S1: "định kỳ hằng quý phải
  báo cáo về kết quả với cấp ủy cùng cấp");
* the pilot review, interim or final (V3: "sơ, tổng kết thực hiện thí điểm").

Each export is audited ``report.export`` with its kind, period and format.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from policy.criteria import Grade
from policy.error_codes import ErrorCode
from policy.i18n import tr
from policy.model import MeetingMode
from policy.programme import RegistrationState, totals
from policy.quality import Period
from server import rules
from server.audit import AuditLog
from server.auth.authz import Authorize, Permission
from server.errors import AppError
from server.organisations import org_or_404
from server.oversight import evidence, programme, quality, supervision
from server.reports.layout import Report, Section, Table
from server.storage import oversight as store
from server.storage.db import Database, Session
from server.storage.models import Organisation

P = Permission
_MODE = {
    MeetingMode.IN_PERSON: "trực tiếp",
    MeetingMode.HYBRID: "kết hợp",
    MeetingMode.ONLINE: "trực tuyến",
    MeetingMode.GROUP: "theo tổ đảng",
}
FORMATS = ("docx", "pdf", "xlsx")


def _vi(key: str) -> str:
    return tr(key).vi


def _grade(value: str) -> str:
    return Grade(value).text.vi


async def _issuer(session: Session, committee: Organisation) -> tuple[str, ...]:
    if committee.parent_id is None:
        return (committee.name,)
    parent = await org_or_404(session, committee.parent_id)
    return (parent.name, committee.name)


def _fmt(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _month_label(period: Period) -> str:
    return f"{period.start.month:02d}/{period.start.year}"


async def monthly(session: Session, committee: Organisation, period: Period, on: dt.date) -> Report:
    """S3: the month's results of the committee's cells: each cell's regular meeting (R1 state),
    the meetings held, attendance, the classification (the committee's stored one, else the
    draft), caps used this year, late group reports (GM3) and the weak cells flagged (Q3)."""
    crit = await quality.criteria_of(session, committee.id)
    rows, meeting_rows = [], []
    counts = {"on_time": 0, "late": 0, "missing": 0}
    late_reports = 0
    for n, cell in enumerate(await quality.cells_of(session, committee.id), start=1):
        records = await evidence.load_cell(session, cell, period.end)
        view = await quality.month_view(session, records, period, crit)
        stored = await store.result(session, cell.id, period.label)
        grade = stored.grade if stored is not None else view.result.grade.value
        percent = stored.percent if stored is not None else view.result.percent
        counts[view.regime] += 1
        late_reports += view.group_reports_late
        attendance = f"{view.present}/{view.counted}" if view.counted else "0/0"
        rows.append(
            (
                n,
                cell.name,
                _vi(f"oversight.regime.{view.regime}"),
                _fmt(view.held_on),
                len(view.meetings),
                attendance,
                percent,
                _grade(grade),
                f"{view.online_used}/{view.online_cap}",
                f"{view.group_used}/{view.group_cap}",
                view.group_reports_late,
            )
        )
        for meeting, evaluation in zip(view.meetings, view.evaluations, strict=True):
            failed = ", ".join(
                f"{_vi('oversight.criterion.' + c.value)}" for c in evaluation.failed()
            )
            meeting_rows.append(
                (
                    cell.name,
                    _fmt(rules.local_date(meeting.scheduled_start)),
                    (meeting.kind.value == "thematic" and "Chuyên đề") or "Định kỳ",
                    _MODE[meeting.mode],
                    evaluation.percent,
                    _grade(evaluation.grade.value),
                    failed or "—",
                )
            )
    weak = await quality.weak_cells(session, committee.id, crit, period.end)
    cells = len(rows)
    summary = (
        f"Tổng số chi bộ: {cells}; sinh hoạt đúng ngày: {counts['on_time']}; sinh hoạt muộn:"
        f" {counts['late']}; không sinh hoạt: {counts['missing']}; tổ đảng báo cáo chậm:"
        f" {late_reports}."
    )
    table = Table(
        "Kết quả sinh hoạt chi bộ",
        (
            "Số TT",
            "Chi bộ",
            "Nền nếp (R1)",
            "Ngày sinh hoạt",
            "Số cuộc",
            "Dự họp (A2)",
            "Điểm (%)",
            "Xếp loại",
            "Trực tuyến (P3)",
            "Tổ đảng (P5)",
            "Tổ báo cáo chậm (GM3)",
        ),
        tuple(rows),
    )
    detail = Table(
        "Đánh giá từng cuộc sinh hoạt (Q1)",
        ("Chi bộ", "Ngày", "Loại", "Hình thức", "Điểm (%)", "Xếp loại", "Tiêu chí chưa đạt"),
        tuple(meeting_rows),
    )
    weak_lines = tuple(
        f"{w.cell.name}: {w.flag.text.vi} Cấp ủy viên theo dõi: "
        f"{', '.join(w.responsible) or 'chưa phân công'}."
        for w in weak
    )
    return Report(
        issuer=await _issuer(session, committee),
        number=f"Số …-BC/{committee.code}",
        place=committee.location or "…",
        on=on,
        title="Báo cáo",
        subject=f"Kết quả sinh hoạt chi bộ tháng {_month_label(period)}",
        sections=(
            Section("I. TÌNH HÌNH CHUNG", (summary,)),
            Section(
                "II. KẾT QUẢ SINH HOẠT CỦA CÁC CHI BỘ",
                (f"Bộ tiêu chí đánh giá phiên bản {crit.version} (Q1).",),
                tables=(table, detail),
            ),
            Section(
                "III. CHI BỘ YẾU KÉM KÉO DÀI (Q3)",
                () if weak_lines else ("Không có.",),
                weak_lines,
            ),
        ),
        recipients=("Cấp ủy cấp trên (B/c),", "Các chi bộ trực thuộc,", "Lưu Văn phòng."),
        sheet_name="Ket qua thang",
    )


async def quarterly_supervision(
    session: Session, committee: Organisation, period: Period, on: dt.date
) -> Report:
    """S1: the assigned members' report for the quarter: for each assignment, the cell's
    meetings held, how many the member attended, the cell's months and quarter, the weak flag;
    and the inspections of the quarter (S2)."""
    crit = await quality.criteria_of(session, committee.id)
    visits = await supervision.visits_in(session, committee.id, period.start, period.end)
    assignments = [
        a
        for a in await store.assignments(session, committee.id)
        if a.started_on <= period.end and (a.ended_on is None or a.ended_on >= period.start)
    ]
    names = await store.account_names(session, [a.account_id for a in assignments])
    weak = {w.cell.id: w for w in await quality.weak_cells(session, committee.id, crit)}
    rows = []
    cells = {c.id: c for c in await quality.cells_of(session, committee.id)}
    for n, a in enumerate(assignments, start=1):
        cell = cells.get(a.cell_org_id)
        if cell is None:
            continue
        records = await evidence.load_cell(session, cell, period.end)
        result, months = await quality.period_result(session, records, period, crit)
        held = sum(len(m.meetings) for m in months)
        attended = sum(
            1 for v in visits if v["cell_id"] == cell.id and v["account_id"] == a.account_id
        )
        rows.append(
            (
                n,
                names.get(a.account_id, ""),
                cell.name,
                held,
                attended,
                ", ".join(f"{m.period.label}: {_grade(m.result.grade.value)}" for m in months),
                _grade(result.grade.value),
                "Có" if cell.id in weak else "Không",
            )
        )
    inspections = [
        i
        for i in await store.inspections(session, committee.id)
        if i.period_from <= period.end and i.period_to >= period.start
    ]
    inspection_lines = tuple(
        f"{cells[i.cell_org_id].name if i.cell_org_id in cells else i.cell_org_id}: "
        f"{_fmt(i.period_from)} – {_fmt(i.period_to)}" + (f" ({i.subject})" if i.subject else "")
        for i in inspections
    )
    table = Table(
        "Cấp ủy viên dự sinh hoạt chi bộ",
        (
            "Số TT",
            "Cấp ủy viên",
            "Chi bộ theo dõi",
            "Số cuộc sinh hoạt",
            "Số cuộc dự",
            "Xếp loại từng tháng",
            "Xếp loại quý",
            "Yếu kém kéo dài (Q3)",
        ),
        tuple(rows),
    )
    quarter = f"quý {(period.start.month - 1) // 3 + 1}/{period.start.year}"
    return Report(
        issuer=await _issuer(session, committee),
        number=f"Số …-BC/{committee.code}",
        place=committee.location or "…",
        on=on,
        title="Báo cáo",
        subject=f"Kết quả theo dõi, dự sinh hoạt chi bộ {quarter}",
        sections=(
            Section(
                "I. PHÂN CÔNG CẤP ỦY VIÊN THEO DÕI CHI BỘ (S1)",
                (
                    f"Số cấp ủy viên được phân công: {len(rows)}; số lượt dự sinh hoạt: "
                    f"{sum(int(r[4]) for r in rows)}.",
                ),
                tables=(table,),
            ),
            Section(
                "II. KIỂM TRA, GIÁM SÁT (S2)",
                () if inspection_lines else ("Không có cuộc kiểm tra trong quý.",),
                inspection_lines,
            ),
        ),
        recipients=("Ban Thường vụ (B/c),", "Lưu Văn phòng."),
        sheet_name="Giam sat quy",
    )


async def pilot_review(
    session: Session, root: Organisation, start: dt.date, end: dt.date, final: bool, on: dt.date
) -> Report:
    """V3: the interim (sơ kết) or final (tổng kết) review of the pilot: per unit the online and
    group meetings, in-person ones, attendance, items deferred to in-person meetings, incidents,
    and where its registration stands."""
    rows = await programme.review_rows(session, root, start, end)
    total = totals(r.figures for r in rows)
    table_rows: list[tuple[Any, ...]] = [
        (
            n,
            r.figures.unit,
            r.figures.online_meetings,
            r.figures.group_meetings,
            r.figures.in_person_meetings,
            r.figures.attendance_percent,
            r.figures.deferred_items,
            r.figures.incidents,
            _vi(f"oversight.v2.state.{r.registration}")
            if r.registration in {s.value for s in RegistrationState}
            else "",
            r.decision,
        )
        for n, r in enumerate(rows, start=1)
    ]
    table_rows.append(
        (
            "",
            "Tổng cộng",
            total.online_meetings,
            total.group_meetings,
            total.in_person_meetings,
            total.attendance_percent,
            total.deferred_items,
            total.incidents,
            "",
            "",
        )
    )
    kind = "Tổng kết" if final else "Sơ kết"
    return Report(
        issuer=await _issuer(session, root),
        number=f"Số …-BC/{root.code}",
        place=root.location or "…",
        on=on,
        title="Báo cáo",
        subject=(
            f"{kind} thực hiện thí điểm sinh hoạt đảng trực tuyến và sinh hoạt theo tổ đảng"
            f" (từ {_fmt(start)} đến {_fmt(end)})"
        ),
        sections=(
            Section(
                "I. KẾT QUẢ THỰC HIỆN (V3)",
                (
                    f"Số đơn vị thực hiện: {len(rows)}; số cuộc sinh hoạt trực tuyến: "
                    f"{total.online_meetings}; theo tổ đảng: {total.group_meetings}; tỷ lệ đảng"
                    f" viên dự: {total.attendance_percent}%; nội dung chuyển sang sinh hoạt trực"
                    f" tiếp: {total.deferred_items}; sự cố, phản ánh: {total.incidents}.",
                ),
                tables=(
                    Table(
                        "Kết quả thí điểm theo đơn vị",
                        (
                            "Số TT",
                            "Đơn vị",
                            "Trực tuyến",
                            "Theo tổ đảng",
                            "Trực tiếp",
                            "Tỷ lệ dự (%)",
                            "Chuyển trực tiếp",
                            "Sự cố",
                            "Đăng ký (V2)",
                            "Quyết định (E3)",
                        ),
                        tuple(table_rows),
                    ),
                ),
            ),
        ),
        recipients=("Ban Thường vụ (B/c),", "Ban Tổ chức,", "Lưu Văn phòng."),
        signer_role=("T/M BAN THƯỜNG VỤ", "BÍ THƯ"),
        sheet_name="So tong ket",
    )


async def export(
    db: Database,
    audit: AuditLog,
    actor: str,
    kind: str,
    org_id: int,
    params: dict[str, Any],
    fmt: str,
    today: dt.date,
    authorize: Authorize,
) -> Report:
    """Build the report ``kind`` (monthly, supervision, pilot) for ``org_id``; audited."""
    if fmt not in FORMATS:
        raise AppError.of(ErrorCode.VALIDATION, detail=f"format: {fmt}")
    async with db.session() as session:
        org = await org_or_404(session, org_id)
        if kind == "pilot":
            authorize(P.PILOT_READ, org_id)
            start, end = params["from"], params["to"]
            if end < start:
                raise AppError.of(ErrorCode.VALIDATION, detail="to before from")
            report = await pilot_review(session, org, start, end, params["final"], today)
            period = f"{start.isoformat()}..{end.isoformat()}"
        else:
            authorize(P.OVERSIGHT_READ, org_id)
            p = quality.period_or_422(params["period"])
            if (kind == "monthly" and p.quarter) or (kind == "supervision" and not p.quarter):
                raise AppError.of(ErrorCode.VALIDATION, detail=f"period: {p.label}")
            build = monthly if kind == "monthly" else quarterly_supervision
            report = await build(session, org, p, today)
            period = p.label
        await audit.record(
            actor,
            "report.export",
            f"org:{org_id}",
            {"report": kind, "period": period, "format": fmt},
            session=session,
        )
        return report
