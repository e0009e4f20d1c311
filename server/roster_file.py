"""A member list as a file: import from CSV or XLSX (preview, column mapping, row-by-row errors
in Vietnamese, nothing written until the secretary confirms) and export in the same columns.

Import matches rows to the cell's members by full name (case and accents folded): a known name
updates that member, an unknown one adds a member; nobody is removed. The preview and the
confirmation read the same file with the same mapping; the confirmation checks every row again
and writes all of them in one transaction, or none (a row in error refuses the whole file).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from openpyxl import Workbook, load_workbook

from policy.error_codes import ErrorCode
from policy.i18n import Text, tr
from policy.model import E1aReason, MemberStatus
from server import organisations as members_service
from server.audit import AuditLog
from server.auth.authz import Permission, require
from server.auth.context import AccountContext
from server.errors import AppError
from server.records.people import fold
from server.roster import cell_of, groups_of
from server.storage import members as member_store
from server.storage.db import Database
from server.storage.models import Member, Organisation

#: the columns of a member list, in the order of an export: (field, Vietnamese header)
COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("full_name", "Họ và tên"),
    ("status", "Loại đảng viên"),
    ("group", "Tổ đảng"),
    ("location", "Nơi ở, nơi công tác"),
    ("exempted", "Miễn sinh hoạt"),
    ("suspended", "Đình chỉ sinh hoạt"),
    ("temporarily_attached", "Sinh hoạt tạm thời"),
    ("e1a_reasons", "Lý do E1a"),
    ("e1a_from", "E1a từ ngày"),
    ("e1a_to", "E1a đến ngày"),
)
FIELDS: Final = tuple(f for f, _ in COLUMNS)
HEADER: Final = dict(COLUMNS)
MAX_ROWS: Final = 2000
_ALIASES: Final[dict[str, str]] = {
    "ho ten": "full_name",
    "ten": "full_name",
    "name": "full_name",
    "full name": "full_name",
    "tinh trang": "status",
    "status": "status",
    "to": "group",
    "group": "group",
    "noi o": "location",
    "dia ban": "location",
    "location": "location",
    "mien": "exempted",
    "dinh chi": "suspended",
    "tam thoi": "temporarily_attached",
    "ly do": "e1a_reasons",
    "e1a": "e1a_reasons",
    "tu ngay": "e1a_from",
    "den ngay": "e1a_to",
}
_YES: Final = frozenset({"x", "co", "1", "yes", "true", "y", "c"})
_NO: Final = frozenset({"", "khong", "0", "no", "false", "n", "k"})
_STATUS: Final[dict[str, MemberStatus]] = {
    "chinh thuc": MemberStatus.FULL,
    "full": MemberStatus.FULL,
    "du bi": MemberStatus.PROBATIONARY,
    "probationary": MemberStatus.PROBATIONARY,
}


@dataclass(frozen=True, slots=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[Any, ...]], ...]  # (line in the file, cells)


@dataclass(slots=True)
class RowResult:
    line: int
    name: str
    errors: list[Text] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    action: str = "new"  # "new" | "update" | "unchanged"
    member_id: int | None = None


@dataclass(frozen=True, slots=True)
class Preview:
    headers: tuple[str, ...]
    mapping: dict[str, int | None]
    rows: tuple[RowResult, ...]

    @property
    def errors(self) -> int:
        return sum(1 for r in self.rows if r.errors)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action and not r.errors)


def _refuse(key: str, **params: object) -> AppError:
    return AppError(422, ErrorCode.VALIDATION, tr(key, **params))


def read_table(data: bytes, kind: str) -> Table:
    """The header row and data rows of a CSV (UTF-8) or XLSX (first sheet) file."""
    if kind == "xlsx":
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheet = book.worksheets[0]
            raw = [
                (i, tuple(row)) for i, row in enumerate(sheet.iter_rows(values_only=True), start=1)
            ]
            book.close()
        except Exception as exc:  # openpyxl raises many kinds on a damaged file
            raise _refuse("roster.err.file_unreadable", detail=type(exc).__name__) from None
    elif kind == "csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise _refuse("roster.err.file_unreadable", detail="UTF-8") from None
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
            delimiter = dialect.delimiter
        except csv.Error:
            delimiter = ","
        raw = [
            (i, tuple(row))
            for i, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1)
        ]
    else:
        raise _refuse("roster.err.file_kind")
    raw = [(i, row) for i, row in raw if any(_cell_text(c) for c in row)]
    if len(raw) < 2:
        raise _refuse("roster.err.file_empty")
    if len(raw) - 1 > MAX_ROWS:
        raise _refuse("roster.err.too_many_rows", max=MAX_ROWS)
    headers = tuple(_cell_text(c) for c in raw[0][1])
    return Table(headers, tuple(raw[1:]))


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def guess_mapping(headers: Sequence[str]) -> dict[str, int | None]:
    """Which column holds each field, by its header (the export's own headers, or the usual
    Vietnamese and English names)."""
    out: dict[str, int | None] = dict.fromkeys(FIELDS)
    exact = {fold(h): f for f, h in COLUMNS}
    for index, header in enumerate(headers):
        key = fold(header)
        name = exact.get(key) or (key if key in FIELDS else None)
        if name is None:
            name = next((f for alias, f in _ALIASES.items() if alias in key), None)
        if name is not None and out[name] is None:
            out[name] = index
    return out


def _date(value: Any, column: str, errors: list[Text]) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _cell_text(value)
    if not text:
        return None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    errors.append(tr("roster.err.date", column=column, value=text))
    return None


def _reason_codes() -> dict[str, E1aReason]:
    codes: dict[str, E1aReason] = {}
    for reason in E1aReason:
        codes[reason.value] = reason
        label = tr(f"roster.reason.{reason.value}")
        codes[fold(label.vi)] = reason
        codes[fold(label.en)] = reason
    return codes


def parse_row(
    line: int,
    cells: Sequence[Any],
    mapping: Mapping[str, int | None],
    groups: Sequence[Organisation],
) -> RowResult:
    """One data row checked field by field; every problem becomes a Vietnamese-first error."""

    def get(name: str) -> Any:
        index = mapping.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    name = " ".join(_cell_text(get("full_name")).split())
    result = RowResult(line=line, name=name)
    errors = result.errors
    if not name:
        errors.append(tr("roster.err.name_missing"))
    elif len(name) > 200:
        errors.append(tr("roster.err.name_too_long"))
    fields: dict[str, Any] = {"full_name": name}
    status_text = _cell_text(get("status"))
    if mapping.get("status") is not None or status_text:
        status = _STATUS.get(fold(status_text)) if status_text else MemberStatus.FULL
        if status is None:
            errors.append(tr("roster.err.status", value=status_text))
        fields["status"] = status or MemberStatus.FULL
    for flag in ("exempted", "suspended", "temporarily_attached"):
        if mapping.get(flag) is None:
            continue
        text = fold(_cell_text(get(flag)))
        if text in _YES:
            fields[flag] = True
        elif text in _NO:
            fields[flag] = False
        else:
            errors.append(tr("roster.err.flag", column=HEADER[flag], value=_cell_text(get(flag))))
    if mapping.get("location") is not None:
        location = _cell_text(get("location"))
        if len(location) > 200:
            errors.append(tr("roster.err.location_too_long"))
        fields["location"] = location
    if mapping.get("group") is not None:
        group_text = _cell_text(get("group"))
        if not group_text:
            fields["group_id"] = None
        else:
            wanted = fold(group_text)
            found = next((g for g in groups if wanted in (fold(g.name), fold(g.code))), None)
            if found is None:
                errors.append(tr("roster.err.group", value=group_text))
            else:
                fields["group_id"] = found.id
    if mapping.get("e1a_reasons") is not None:
        codes = _reason_codes()
        reasons: list[str] = []
        for part in _cell_text(get("e1a_reasons")).replace(",", ";").split(";"):
            if not part.strip():
                continue
            reason = codes.get(fold(part)) or codes.get(part.strip())
            if reason is None:
                errors.append(tr("roster.err.reason", value=part.strip()))
            elif reason.value not in reasons:
                reasons.append(reason.value)
        start = _date(get("e1a_from"), HEADER["e1a_from"], errors)
        end = _date(get("e1a_to"), HEADER["e1a_to"], errors)
        if start and end and end < start:
            errors.append(tr("roster.err.date_order"))
        if (start or end) and not reasons:
            errors.append(tr("roster.err.period_without_reason"))
        fields["e1a_reasons"] = reasons
        # E1a periods: the row's dates are the period of each reason it names
        period = {
            "from": start.isoformat() if start else None,
            "to": end.isoformat() if end else None,
        }
        fields["e1a_periods"] = {r: dict(period) for r in reasons} if (start or end) else {}
    result.fields = fields
    return result


def check(
    table: Table,
    mapping: Mapping[str, int | None],
    groups: Sequence[Organisation],
    existing: Sequence[Member],
) -> Preview:
    """Every row of ``table`` checked, with what it would do to the roster."""
    mapping = {f: mapping.get(f) for f in FIELDS}
    for f, index in mapping.items():
        if index is not None and not 0 <= index < len(table.headers):
            mapping[f] = None
    if mapping["full_name"] is None:
        raise _refuse("roster.err.no_name_column")
    by_name = {fold(m.full_name): m for m in existing}
    seen: dict[str, int] = {}
    rows = []
    for line, cells in table.rows:
        row = parse_row(line, cells, mapping, groups)
        key = fold(row.name)
        if key and key in seen:
            row.errors.append(tr("roster.err.name_twice", name=row.name, line=seen[key]))
        seen.setdefault(key, line)
        member = by_name.get(key)
        if member is not None:
            row.member_id = member.id
            before = members_service.snapshot(member)
            changed = {
                k: v
                for k, v in row.fields.items()
                if before.get(k) != (v.value if isinstance(v, MemberStatus) else v)
            }
            row.fields = changed
            row.action = "update" if changed else "unchanged"
        rows.append(row)
    return Preview(table.headers, mapping, tuple(rows))


async def preview(
    db: Database,
    context: AccountContext,
    org_id: int,
    data: bytes,
    kind: str,
    mapping: Mapping[str, int | None] | None,
) -> Preview:
    """Read and check a member list; nothing is written."""
    async with db.session() as session:
        await cell_of(session, context, org_id)
        require(context, Permission.MEMBERS_MANAGE, org_id)
        groups = await groups_of(session, org_id)
        existing = await member_store.of_org(session, org_id)
    table = read_table(data, kind)
    return check(table, mapping or guess_mapping(table.headers), groups, existing)


async def commit(
    db: Database,
    audit: AuditLog,
    context: AccountContext,
    org_id: int,
    data: bytes,
    kind: str,
    mapping: Mapping[str, int | None] | None,
    now: dt.datetime,
) -> Preview:
    """Check the list again and write every row in one transaction; a row in error refuses the
    whole file (422 with the rows' errors) and nothing is written."""
    table = read_table(data, kind)
    async with db.session() as session:
        await cell_of(session, context, org_id)
        require(context, Permission.MEMBERS_MANAGE, org_id)
        groups = await groups_of(session, org_id)
        existing = await member_store.of_org(session, org_id)
        result = check(table, mapping or guess_mapping(table.headers), groups, existing)
        if result.errors:
            raise RowsRefused(result)
        by_id = {m.id: m for m in existing}
        for row in result.rows:
            if row.action == "new":
                fields = {"status": MemberStatus.FULL, **row.fields}
                member = await member_store.add(session, Member(org_id=org_id, **fields))
                created = {k: [None, v] for k, v in members_service.snapshot(member).items()}
                await members_service.record_change(
                    session, context, member, "import", created, now
                )
            elif row.action == "update" and row.member_id is not None:
                member = by_id[row.member_id]
                before = members_service.snapshot(member)
                for key, value in row.fields.items():
                    setattr(member, key, value)
                await session.flush()
                after = members_service.snapshot(member)
                diff = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
                await members_service.record_change(session, context, member, "import", diff, now)
        await audit.record(
            context.actor,
            "roster.import",
            f"org:{org_id}",
            {
                "format": kind,
                "new": result.count("new"),
                "updated": result.count("update"),
                "rows": len(result.rows),
            },
            session=session,
        )
    return result


class RowsRefused(AppError):
    """422: the file has rows in error (each listed); nothing was written."""

    def __init__(self, result: Preview) -> None:
        super().__init__(422, ErrorCode.VALIDATION, tr("roster.err.rows"))
        self.result = result


def export_rows(members: Sequence[Member], groups: Sequence[Organisation]) -> list[list[str]]:
    """The roster in the import's columns (one E1a period per row: the first reason's)."""
    names = {g.id: g.name for g in groups}
    out = [[h for _, h in COLUMNS]]
    for m in members:
        periods = m.e1a_periods or {}
        first = next((periods[r] for r in m.e1a_reasons if r in periods), {})
        out.append(
            [
                m.full_name,
                tr(f"roster.status.{m.status.value}").vi,
                names.get(m.group_id or 0, ""),
                m.location,
                "x" if m.exempted else "",
                "x" if m.suspended else "",
                "x" if m.temporarily_attached else "",
                "; ".join(tr(f"roster.reason.{r}").vi for r in m.e1a_reasons),
                _vn(first.get("from", first.get("start"))),
                _vn(first.get("to", first.get("end"))),
            ]
        )
    return out


def _vn(iso: str | None) -> str:
    return dt.date.fromisoformat(iso).strftime("%d/%m/%Y") if iso else ""


def to_csv(rows: Sequence[Sequence[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode("utf-8-sig")  # the BOM: spreadsheet programs read UTF-8


def to_xlsx(rows: Sequence[Sequence[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Danh sách đảng viên"
    for row in rows:
        sheet.append(list(row))
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


async def export(
    db: Database, audit: AuditLog, context: AccountContext, org_id: int, kind: str
) -> tuple[Organisation, bytes]:
    """The cell's roster as CSV or XLSX (audited as ``roster.export``)."""
    if kind not in ("csv", "xlsx"):
        raise _refuse("roster.err.file_kind")
    async with db.session() as session:
        org = await cell_of(session, context, org_id)
        groups = await groups_of(session, org_id)
        members = await member_store.of_org(session, org_id)
        await audit.record(
            context.actor, "roster.export", f"org:{org_id}", {"format": kind}, session=session
        )
    rows = export_rows(members, groups)
    return org, to_csv(rows) if kind == "csv" else to_xlsx(rows)
