"""The superior committee's month, quarter and half-year over six cells (Q1–Q3, S1–S3, V3):
classifications, flags and the numbers in each report, read back from DOCX, PDF and XLSX.

50-CT/TW §5: "Cấp ủy cấp trên định kỳ tổ chức đánh giá và thông báo kết quả đến cấp ủy, chi bộ
trực thuộc, bảo đảm công khai, minh bạch, thực chất." §6: "phải phân công cấp ủy viên dự sinh
hoạt chi bộ trực thuộc … định kỳ hằng quý phải báo cáo về kết quả với cấp ủy cùng cấp; gắn trách
nhiệm của cấp ủy viên được phân công theo dõi … nhất là các chi bộ yếu kém kéo dài."
828-CV/ĐUK §3: "tham mưu cho Ban Thường vụ Đảng uỷ Khối sơ, tổng kết thực hiện thí điểm".
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import docx
import openpyxl
import pypdf
import pytest

from server import appkeys
from server.auth.context import Clock
from server.storage.db import Database
from tests.conftest import Client
from tests.server.app.oversight_support import (
    COMBINING,
    GOOD,
    GROUPS,
    LATE_CELL,
    NAMES,
    NO_THEMATIC,
    OVER_CAP,
    Built,
    build,
)
from tests.server.auth.support import FakeClock


async def _built(db_url: str) -> Built:
    db = Database(db_url)
    try:
        return await build(db)
    finally:
        await db.close()


async def _evaluate(client: Client, committee: int, period: str, publish: bool) -> dict[str, Any]:
    resp = await client.post(
        f"/api/organisations/{committee}/quality/evaluate",
        json={"period": period, "publish": publish},
    )
    assert resp.status == 200, await resp.text()
    rows = await resp.json()
    return {r["cell"]: r for r in rows}


def _docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    return "\n".join(parts)


def _pdf_text(data: bytes) -> str:
    """The PDF's text with its line breaks (table cells wrap) as single spaces."""
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def _xlsx_rows(data: bytes) -> list[list[Any]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


async def _report(client: Client, path: str, fmt: str) -> bytes:
    """``path`` is ``…/reports/<name>?<query>``: the file in ``fmt``."""
    where, _, query = path.partition("?")
    resp = await client.get(f"{where}.{fmt}?{query}")
    assert resp.status == 200, await resp.text()
    return await resp.read()


# after the two quarters: the V3 incident of 3 February is not dated after the app's today
@pytest.mark.parametrize(
    "app_clock", [FakeClock(dt.datetime(2026, 7, 15, 2, 0, tzinfo=dt.UTC))], ids=["15-07-2026"]
)
async def test_q2_six_cells_over_two_quarters_classified_flagged_and_reported(
    client: Client, db_url: str, app_clock: Clock
) -> None:
    built = await _built(db_url)
    committee = built.committee
    # S1: a committee member follows the late cell and the good one; attends two meetings
    for code in (LATE_CELL, GOOD):
        resp = await client.post(
            f"/api/organisations/{committee}/supervision/assignments",
            json={
                "cell_id": built.cells[code],
                "account_id": built.follower,
                "started_on": "2026-01-01",
            },
        )
        assert resp.status == 201, await resp.text()
    for meeting_id in built.meetings[GOOD][:2]:
        resp = await client.post(
            f"/api/meetings/{meeting_id}/supervision-visits",
            json={"account_id": built.follower, "way": "room"},
        )
        assert resp.status == 201, await resp.text()
    # V3: an incident on the ship's cell
    resp = await client.post(
        f"/api/organisations/{built.cells[OVER_CAP]}/pilot-incidents",
        json={"occurred_on": "2026-02-03", "kind": "technical", "description": "Mất kết nối"},
    )
    assert resp.status == 201, await resp.text()

    months = {}
    for month in range(1, 7):
        months[month] = await _evaluate(client, committee, f"2026-{month:02d}", month <= 3)
    quarters = {q: await _evaluate(client, committee, f"2026-Q{q}", True) for q in (1, 2)}

    jan, mar, apr = months[1], months[3], months[4]
    # Q2: January
    assert jan[NAMES[GOOD]]["grade"] == "good" and jan[NAMES[GOOD]]["percent"] == 100
    assert jan[NAMES[LATE_CELL]]["grade"] == "weak"
    assert jan[NAMES[NO_THEMATIC]]["grade"] == "good"
    assert jan[NAMES[OVER_CAP]]["grade"] == "good"
    assert jan[NAMES[COMBINING]]["grade"] == "average"  # R2 caps the grade
    assert jan[NAMES[GROUPS]]["grade"] == "good"  # GM3 late costs its points only
    # Q1: the evidence a cell reads (the late cell's January meeting)
    late_meeting = jan[NAMES[LATE_CELL]]["result"]["months"][0]["meetings"][0]
    by = {r["criterion"]: r for r in late_meeting["results"]}
    assert by["on_day"]["met"] is False and "20/01/2026" in by["on_day"]["vi"]
    assert by["on_day"]["rules"] == ["R1"]
    assert by["duration"]["met"] is False and "60 phút" in by["duration"]["vi"]
    assert by["attendance"]["met"] is False and "4/10" in by["attendance"]["vi"]
    assert by["thematic"]["met"] is None  # January: the quarter is still open
    combining = jan[NAMES[COMBINING]]["result"]["months"][0]["meetings"][0]["results"]
    r2 = next(r for r in combining if r["criterion"] == "not_combined")
    assert r2["met"] is False and "giao ban" in r2["vi"] and r2["rules"] == ["R2"]
    groups = jan[NAMES[GROUPS]]["result"]["months"][0]
    assert groups["group_reports_late"] == 2
    gm3 = next(r for r in groups["meetings"][0]["results"] if r["criterion"] == "group_reports")
    assert gm3["met"] is False and gm3["rules"] == ["GM3"]
    # R3 judged in the quarter's last month; P3 over the cap from the fourth hybrid meeting
    thematic = next(
        r
        for r in mar[NAMES[NO_THEMATIC]]["result"]["months"][0]["meetings"][0]["results"]
        if r["criterion"] == "thematic"
    )
    assert thematic["met"] is False
    assert mar[NAMES[NO_THEMATIC]]["grade"] == "good"
    assert apr[NAMES[OVER_CAP]]["grade"] == "average"
    assert apr[NAMES[OVER_CAP]]["result"]["months"][0]["online_used"] == 4
    # quarters
    q1, q2 = quarters[1], quarters[2]
    assert q1[NAMES[GOOD]]["grade"] == "good"
    assert q1[NAMES[LATE_CELL]]["grade"] == "weak"
    assert q1[NAMES[NO_THEMATIC]]["grade"] == "average"  # R3
    assert "R3" in q1[NAMES[NO_THEMATIC]]["result"]["rules"]
    assert q1[NAMES[OVER_CAP]]["grade"] == "good"
    assert q2[NAMES[OVER_CAP]]["grade"] == "average"  # P3 months cap the quarter
    assert q1[NAMES[COMBINING]]["grade"] == "average"
    assert q1[NAMES[GROUPS]]["grade"] == "good"

    # Q3: the late cell is weak in consecutive periods, with the member following it
    weak = await (await client.get(f"/api/organisations/{committee}/quality/weak")).json()
    assert [w["cell"] for w in weak] == [NAMES[LATE_CELL]]
    assert weak[0]["periods"][0] == "2026-01" and weak[0]["rules"] == ["Q3"]
    assert weak[0]["responsible"] == ["Đồng chí Nguyễn Văn Theo"]
    assert "yếu kém kéo dài" in weak[0]["vi"]
    # Q2: results published back to the cell (the first quarter's months and both quarters)
    published = await (
        await client.get(f"/api/organisations/{built.cells[LATE_CELL]}/quality/results")
    ).json()
    assert [r["period"] for r in published] == [
        "2026-01",
        "2026-02",
        "2026-03",
        "2026-Q1",
        "2026-Q2",
    ]
    assert all(r["grade"] == "weak" for r in published)

    # S3: the monthly report of January, in the three formats
    monthly = f"/api/organisations/{committee}/reports/monthly?period=2026-01"
    text = _docx_text(await _report(client, monthly, "docx"))
    for expected in (
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Yên Bái, ngày",
        "Số …-BC/DB-CQT",
        "Kết quả sinh hoạt chi bộ tháng 01/2026",
        "Nơi nhận:",
        "T/M ĐẢNG ỦY",
        "sinh hoạt đúng ngày: 5; sinh hoạt muộn: 1; không sinh hoạt: 0; tổ đảng báo cáo chậm: 2",
        f"2 | {NAMES[LATE_CELL]} | Muộn | 20/01/2026 | 1 | 4/10 | 11 | Yếu",
        f"{NAMES[COMBINING]} | 05/01/2026 | Định kỳ | trực tiếp | 95 | Trung bình",
        "Chi bộ yếu kém kéo dài",
        "Đồng chí Nguyễn Văn Theo",
    ):
        assert expected in text, expected
    pdf = _pdf_text(await _report(client, monthly, "pdf"))
    for expected in ("ĐẢNG CỘNG SẢN VIỆT NAM", "BÁO CÁO", NAMES[LATE_CELL], "Yếu", "Nơi nhận"):
        assert expected in pdf, expected
    rows = _xlsx_rows(await _report(client, monthly, "xlsx"))
    assert rows[0][0] == "BÁO CÁO" and rows[1][0] == "Kết quả sinh hoạt chi bộ tháng 01/2026"
    table = {r[1]: r for r in rows[5:]}
    assert table[NAMES[LATE_CELL]][2:8] == ["Muộn", "20/01/2026", 1, "4/10", 11, "Yếu"]
    assert table[NAMES[GOOD]][6:8] == [100, "Tốt"]
    assert table[NAMES[GROUPS]][10] == 2  # late group reports (GM3)
    april = _xlsx_rows(
        await _report(
            client, f"/api/organisations/{committee}/reports/monthly?period=2026-04", "xlsx"
        )
    )
    assert {r[1]: r for r in april[5:]}[NAMES[OVER_CAP]][7:9] == ["Trung bình", "4/3"]

    # S1: the quarterly supervision report
    quarterly = f"/api/organisations/{committee}/reports/supervision?period=2026-Q1"
    rows = _xlsx_rows(await _report(client, quarterly, "xlsx"))
    follow = {r[2]: r for r in rows[5:]}
    assert follow[NAMES[GOOD]][1] == "Đồng chí Nguyễn Văn Theo"
    assert follow[NAMES[GOOD]][3:5] == [4, 2]  # 3 regular + 1 thematic held, 2 attended
    assert follow[NAMES[LATE_CELL]][3:5] == [3, 0]
    assert follow[NAMES[LATE_CELL]][6:8] == ["Yếu", "Có"]
    text = _docx_text(await _report(client, quarterly, "docx"))
    assert "Kết quả theo dõi, dự sinh hoạt chi bộ quý 1/2026" in text
    assert "số lượt dự sinh hoạt: 2" in text
    pdf = _pdf_text(await _report(client, quarterly, "pdf"))
    assert "Đồng chí Nguyễn Văn Theo" in pdf and "quý 1/2026" in pdf

    # V3: the interim review of the half year
    review = f"/api/organisations/{committee}/reports/pilot-review?from=2026-01-01&to=2026-06-30"
    rows = _xlsx_rows(await _report(client, review + "&stage=interim", "xlsx"))
    assert rows[1][0].startswith("Sơ kết")
    units = {r[1]: r for r in rows[5:]}
    # unit: online, groups, in person, attendance %, deferred, incidents
    assert units[NAMES[OVER_CAP]][2:8] == [6, 0, 2, 100, 1, 1]
    assert units[NAMES[GROUPS]][2:8] == [0, 2, 6, 100, 0, 0]
    assert units["Tổng cộng"][2:4] == [6, 2]
    text = _docx_text(await _report(client, review + "&stage=final", "docx"))
    assert "Tổng kết thực hiện thí điểm" in text and "T/M BAN THƯỜNG VỤ" in text
    pdf = _pdf_text(await _report(client, review + "&stage=interim", "pdf"))
    assert "Sơ kết" in pdf and NAMES[OVER_CAP] in pdf

    # every export is audited, with its kind, period and format
    assert client.app is not None
    exports = await client.app[appkeys.AUDIT].search(action="report.export", limit=50)
    assert len(exports) == 10
    assert {"report": "monthly", "period": "2026-01", "format": "pdf"} in [
        e.details for e in exports
    ]


async def test_q2_one_cell_evaluated_and_published_alone_with_its_evidence(
    client: Client, db_url: str
) -> None:
    """Q2 (50-CT/TW §5: "Cấp ủy cấp trên định kỳ tổ chức đánh giá và thông báo kết quả đến cấp
    ủy, chi bộ trực thuộc"): the committee may evaluate and publish one cell without touching
    the others' results; a cell that is not its own is refused citing Q2."""
    built = await _built(db_url)
    committee = built.committee
    path = f"/api/organisations/{committee}/quality"
    resp = await client.post(
        f"{path}/evaluate", json={"period": "2026-01", "cell_id": built.cells[LATE_CELL]}
    )
    assert resp.status == 200, await resp.text()
    [late] = await resp.json()
    assert (late["cell"], late["grade"], late["published_at"]) == (
        NAMES[LATE_CELL],
        "weak",
        None,
    )
    evidence = late["result"]["months"][0]["meetings"][0]["results"]
    on_day = next(r for r in evidence if r["criterion"] == "on_day")
    assert on_day["met"] is False and on_day["vi"] and on_day["rules"] == ["R1"]
    # the other cells were not evaluated
    overview = {c["cell"]: c for c in await (await client.get(f"{path}?period=2026-01")).json()}
    assert overview[NAMES[LATE_CELL]]["stored"] and not overview[NAMES[GOOD]]["stored"]
    # all cells, then only the late one published
    assert (await client.post(f"{path}/evaluate", json={"period": "2026-01"})).status == 200
    resp = await client.post(
        f"{path}/publish", json={"period": "2026-01", "cell_id": built.cells[LATE_CELL]}
    )
    assert [r["cell"] for r in await resp.json()] == [NAMES[LATE_CELL]]
    overview = {c["cell"]: c for c in await (await client.get(f"{path}?period=2026-01")).json()}
    assert overview[NAMES[LATE_CELL]]["published"] and not overview[NAMES[GOOD]]["published"]
    # not one of its cells: refused citing Q2, in Vietnamese
    resp = await client.post(f"{path}/evaluate", json={"period": "2026-01", "cell_id": committee})
    assert resp.status == 422
    refusal = await resp.json()
    assert refusal["rules"] == ["Q2"] and "không trực thuộc" in refusal["message"]["vi"]


async def test_q1_criteria_new_version_refused_in_vietnamese_and_history_kept(
    client: Client, db_url: str
) -> None:
    """Q1 (50-CT/TW §5: "Xây dựng tiêu chí đánh giá, xếp loại chất lượng sinh hoạt chi bộ khoa
    học, chặt chẽ, định lượng, cụ thể"): the committee saves a new version of its criteria; a set
    that cannot stand is refused with the reason in Vietnamese citing Q1 and nothing is stored;
    the history lists the defaults from the rules first, then each saved version."""
    built = await _built(db_url)
    path = f"/api/organisations/{built.committee}/quality/criteria"
    defaults = await (await client.get(path)).json()
    assert defaults["version"] == 1 and len(defaults["criteria"]) == 12

    def body(**change: Any) -> dict[str, Any]:
        criteria = [
            {k: c[k] for k in ("criterion", "points", "threshold", "cap")}
            for c in defaults["criteria"]
        ]
        return {"criteria": criteria, "good": 85, "fair": 70, "average": 50, **change}

    resp = await client.post(path, json=body(good=60, fair=70))
    assert resp.status == 422
    refusal = await resp.json()
    assert refusal["rules"] == ["Q1"]
    assert "Ngưỡng xếp loại phải tăng dần" in refusal["message"]["vi"]
    first = body()["criteria"][0]
    resp = await client.post(path, json=body(criteria=[first, dict(first)]))
    assert resp.status == 422
    assert "Sinh hoạt đúng ngày (R1)" in (await resp.json())["message"]["vi"]
    resp = await client.post(path, json=body(criteria=[{"criterion": "on_day", "points": 0}]))
    assert resp.status == 422 and "tổng điểm" in (await resp.json())["message"]["vi"]
    versions = await (await client.get(f"{path}/versions")).json()
    assert [v["version"] for v in versions] == [1]  # nothing stored

    resp = await client.post(path, json=body(good=90, weak_periods=3))
    assert resp.status == 201, await resp.text()
    assert (await resp.json())["version"] == 2
    versions = await (await client.get(f"{path}/versions")).json()
    assert [(v["version"], v["default"], v["good"]) for v in versions] == [
        (1, True, 85),
        (2, False, 90),
    ]
    assert versions[1]["created_by"] and versions[1]["created_at"]
    assert (await (await client.get(path)).json())["weak_periods"] == 3
