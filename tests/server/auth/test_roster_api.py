"""The roster through the real API: flag dates and E1a periods change the E1 figure on the
dates they cover, every change lands in the history with who made it, and a member list is
imported (preview; a file with bad rows writes nothing; a good one is written) and exported."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io

from openpyxl import Workbook, load_workbook

from policy.model import Role
from server.config import Settings
from server.storage.db import Database
from tests.conftest import Client
from tests.server.auth.conftest import World
from tests.server.auth.support import FakeClock, last_audit, make_account, sign_in


def _xlsx(rows: list[list[object]]) -> str:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return base64.b64encode(buf.getvalue()).decode()


HEADER: list[object] = [
    "Họ và tên",
    "Loại đảng viên",
    "Tổ đảng",
    "Lý do E1a",
    "E1a từ ngày",
    "E1a đến ngày",
]


async def test_flags_and_periods_change_e1_and_the_history(
    client: Client, db: Database, settings: Settings, world: World, clock: FakeClock
) -> None:
    secretary = await make_account(
        db, settings, "bithu", Role.SECRETARY, world.cell, member_id=world.members[0]
    )
    csrf = await sign_in(client, secretary, clock())
    h = {"X-CSRF-Token": csrf}

    async def scope(on: str) -> dict[str, object]:
        resp = await client.get(f"/api/organisations/{world.cell}/online-scope?date={on}")
        assert resp.status == 200, await resp.text()
        return dict(await resp.json())

    assert (await scope("2026-07-01"))["unable"] == 0
    # E1a period: a student on break counts in July only (stored as from/to, read by the rules)
    resp = await client.patch(
        f"/api/members/{world.members[1]}",
        json={
            "e1a_reasons": ["far_from_home"],
            "e1a_periods": {"far_from_home": {"start": "2026-07-01", "end": "2026-07-31"}},
        },
        headers=h,
    )
    assert resp.status == 200, await resp.text()
    assert (await resp.json())["e1a_periods"] == {
        "far_from_home": {"from": "2026-07-01", "to": "2026-07-31"}
    }
    assert (await scope("2026-07-15"))["unable"] == 1
    assert (await scope("2026-08-15"))["unable"] == 0
    # an exemption with dates: not counted within them, counted again after
    resp = await client.patch(
        f"/api/members/{world.members[2]}",
        json={"exempted": True, "flag_periods": {"exempted": {"start": "2026-07-01", "end": None}}},
        headers=h,
    )
    assert resp.status == 200, await resp.text()
    assert (await scope("2026-06-30"))["counted"] == 4
    assert (await scope("2026-07-15"))["counted"] == 3
    # the roster shows it all on its date, and the history who changed what
    resp = await client.get(f"/api/organisations/{world.cell}/roster?date=2026-07-15")
    body = await resp.json()
    assert body["scope"]["unable"] == 1 and body["scope"]["counted"] == 3
    entry = next(e for e in body["entries"] if e["member"]["id"] == world.members[1])
    assert entry["reasons_now"] == ["far_from_home"]
    entry = next(e for e in body["entries"] if e["member"]["id"] == world.members[2])
    assert entry["flags_now"] == ["exempted"]
    assert body["may_manage"] is True and body["may_manage_accounts"] is False
    resp = await client.get(f"/api/organisations/{world.cell}/roster/history")
    history = await resp.json()
    assert history[0]["member_id"] == world.members[2]
    assert history[0]["actor"] == f"account:{secretary.id}"
    assert history[0]["changes"]["exempted"] == [False, True]
    assert history[1]["changes"]["e1a_reasons"] == [[], ["far_from_home"]]
    # a member of the cell reads no roster
    member = await make_account(
        db, settings, "dangvien", Role.MEMBER, world.cell, member_id=world.members[3]
    )
    client.session.cookie_jar.clear()
    await sign_in(client, member, clock())
    resp = await client.get(f"/api/organisations/{world.cell}/roster")
    assert resp.status == 403


async def test_import_preview_refuses_bad_rows_then_writes_a_good_file(
    client: Client, db: Database, settings: Settings, world: World, clock: FakeClock
) -> None:
    secretary = await make_account(
        db, settings, "bithu", Role.SECRETARY, world.cell, member_id=world.members[0]
    )
    csrf = await sign_in(client, secretary, clock())
    h = {"X-CSRF-Token": csrf}
    rows: list[list[object]] = [list(HEADER)]
    rows.append(["Đảng viên 1", "Dự bị", "Tổ 1", "", "", ""])  # an update
    rows.append(["Nguyễn Văn Mới", "chính thức", "", "Thuyền viên tuyến quốc tế", "", ""])
    rows.append(
        [
            "Trần Thị Hè",
            "Chính thức",
            "Tổ 1",
            "Sinh viên nghỉ hè",
            dt.datetime(2026, 6, 1),
            "31/08/2026",
        ]
    )
    bad: list[list[object]] = [
        *rows,
        ["Lê Văn Sai", "đảng viên", "Tổ 9", "", "", ""],
        ["", "Dự bị", "", "", "", ""],
    ]
    url = f"/api/organisations/{world.cell}/roster/import"
    resp = await client.post(
        f"{url}/preview", json={"kind": "xlsx", "content": _xlsx(bad)}, headers=h
    )
    assert resp.status == 200, await resp.text()
    preview = await resp.json()
    assert preview["errors"] == 2
    assert preview["mapping"]["full_name"] == 0 and preview["mapping"]["e1a_to"] == 5
    wrong = {r["line"]: r["errors"] for r in preview["rows"] if r["errors"]}
    assert set(wrong) == {5, 6}
    assert any("loại đảng viên «đảng viên»" in e["vi"] for e in wrong[5])
    assert any("tổ đảng «Tổ 9»" in e["vi"] for e in wrong[5])
    assert wrong[6][0]["vi"] == "thiếu họ và tên"
    # confirming the bad file writes nothing
    resp = await client.post(url, json={"kind": "xlsx", "content": _xlsx(bad)}, headers=h)
    assert resp.status == 422
    assert (await resp.json())["errors"] == 2
    resp = await client.get(f"/api/organisations/{world.cell}/members")
    assert len(await resp.json()) == 4
    # the fixed file: previewed, then confirmed
    resp = await client.post(
        f"{url}/preview", json={"kind": "xlsx", "content": _xlsx(rows)}, headers=h
    )
    preview = await resp.json()
    assert (preview["errors"], preview["new"], preview["updated"]) == (0, 2, 1)
    resp = await client.get(f"/api/organisations/{world.cell}/members")
    assert len(await resp.json()) == 4  # a preview writes nothing
    resp = await client.post(url, json={"kind": "xlsx", "content": _xlsx(rows)}, headers=h)
    assert resp.status == 200, await resp.text()
    resp = await client.get(f"/api/organisations/{world.cell}/members")
    members = {m["full_name"]: m for m in await resp.json()}
    assert len(members) == 6
    assert members["Đảng viên 1"]["status"] == "probationary"
    assert members["Trần Thị Hè"]["e1a_periods"] == {
        "student_break": {"from": "2026-06-01", "to": "2026-08-31"}
    }
    assert members["Nguyễn Văn Mới"]["e1a_reasons"] == ["seafarer"]
    record = await last_audit(db, "roster.import")
    assert (record.details["new"], record.details["updated"]) == (2, 1)
    # CSV with a mapping of its own (semicolons, other headers)
    text = "Tên;Ghi chú;Nơi ở\nPhạm Văn CSV;x;Hải Phòng\n"
    content = base64.b64encode(text.encode()).decode()
    resp = await client.post(
        f"{url}/preview",
        json={"kind": "csv", "content": content, "mapping": {"full_name": 0, "location": 2}},
        headers=h,
    )
    preview = await resp.json()
    assert preview["errors"] == 0 and preview["rows"][0]["fields"]["location"] == "Hải Phòng"
    # export: the same columns, read back
    resp = await client.get(f"/api/organisations/{world.cell}/roster/export.xlsx")
    assert resp.status == 200
    sheet = load_workbook(io.BytesIO(await resp.read())).worksheets[0]
    exported = [[c or "" for c in row] for row in sheet.iter_rows(values_only=True)]
    assert exported[0][0] == "Họ và tên" and len(exported) == 7
    hè = next(r for r in exported if r[0] == "Trần Thị Hè")
    assert hè[7:] == ["Sinh viên nghỉ hè", "01/06/2026", "31/08/2026"]
    resp = await client.get(f"/api/organisations/{world.cell}/roster/export.csv")
    lines = list(csv.reader(io.StringIO((await resp.read()).decode("utf-8-sig"))))
    assert lines[0][0] == "Họ và tên" and len(lines) == 7
    # the exported file imports back without a change
    resp = await client.post(
        f"{url}/preview",
        json={"kind": "csv", "content": base64.b64encode(await resp.read()).decode()},
        headers=h,
    )
    preview = await resp.json()
    assert preview["errors"] == 0, preview
    assert {r["action"] for r in preview["rows"]} == {"unchanged"}
