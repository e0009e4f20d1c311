"""The server feeds the rules engine: meetings are refused with cited rules (E1–E4, P3, P4, G1,
G2), eligibility can be asked for a date, and the 828-CV registration list exports."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import docx

from server.auth.context import system_clock
from server.demo import SEAFARERS_CODE, load_demo
from server.rules import VN_TZ
from server.storage.db import Database
from server.storage.models import Organisation
from tests.conftest import Client


async def _demo_cells(client: Client, db_url: str) -> dict[str, dict[str, Any]]:
    db = Database(db_url)
    try:
        await load_demo(db)
    finally:
        await db.close()
    orgs = await (await client.get("/api/organisations")).json()
    return {o["code"]: o for o in orgs}


async def _new_cell(client: Client, parent: int, code: str, approved: bool) -> dict[str, Any]:
    cell = await (
        await client.post(
            "/api/organisations",
            json={
                "parent_id": parent,
                "level": "cell",
                "name": f"Chi bộ {code}",
                "code": code,
                "it_ready": True,
            },
        )
    ).json()
    for i in range(6):  # 4 of 6 at sea: E1 holds
        resp = await client.post(
            f"/api/organisations/{cell['id']}/members",
            json={
                "full_name": f"Đảng viên {i}",
                "status": "full",
                "e1a_reasons": ["seafarer"] if i < 4 else [],
            },
        )
        assert resp.status == 201
    if approved:
        resp = await client.post(
            f"/api/organisations/{cell['id']}/decisions",
            json={
                "number": "9-QĐ/ĐU",
                "decided_on": "2025-08-01",
                "issuer": "Đảng ủy Khối",
                "issuer_kind": "superior_committee",
                "scope": "online",
                "valid_from": "2025-08-01",
            },
        )
        assert resp.status == 201
    assert isinstance(cell, dict)
    return cell


def _meeting(title: str, when: str, mode: str = "hybrid") -> dict[str, str]:
    return {
        "kind": "regular",
        "mode": mode,
        "title": title,
        "scheduled_start": f"{when}T08:00:00+07:00",
    }


async def test_eligibility_cites_rules(client: Client, db_url: str) -> None:
    cells = await _demo_cells(client, db_url)
    sea = cells[SEAFARERS_CODE]["id"]
    ok = await (
        await client.get(f"/api/organisations/{sea}/eligibility?mode=hybrid&date=2026-12-03")
    ).json()
    assert ok["outcome"] == "eligible"
    assert {"E1", "E3", "P1", "P3"} <= set(ok["rules"])
    gap = await (
        await client.get(f"/api/organisations/{sea}/eligibility?mode=hybrid&date=2025-07-01")
    ).json()
    assert gap["outcome"] == "blocked" and gap["rules"] == ["E4"]
    assert gap["vi"] and gap["en"]
    bad = await client.get(f"/api/organisations/{sea}/eligibility?mode=party&date=2026-12-03")
    assert bad.status == 422


async def test_meeting_without_approval_refused_e3(client: Client, db_url: str) -> None:
    cells = await _demo_cells(client, db_url)
    cell = await _new_cell(client, cells["DEMO-DBCS"]["id"], "CB-X", approved=False)
    resp = await client.post(
        f"/api/organisations/{cell['id']}/meetings",
        json=_meeting("Sinh hoạt tháng 12", "2026-12-03"),
    )
    assert resp.status == 409
    body = await resp.json()
    assert body["code"] == "policy_denied" and "E3" in body["rules"]
    assert "phê duyệt" in body["message"]["vi"] or "quyết định" in body["message"]["vi"]
    assert await (await client.get(f"/api/organisations/{cell['id']}/meetings")).json() == []
    # in person is always possible
    resp = await client.post(
        f"/api/organisations/{cell['id']}/meetings",
        json=_meeting("Sinh hoạt tháng 12", "2026-12-03", "in_person"),
    )
    assert resp.status == 201


async def test_fourth_online_meeting_of_a_year_refused_p3(client: Client, db_url: str) -> None:
    cells = await _demo_cells(client, db_url)
    cell = await _new_cell(client, cells["DEMO-DBCS"]["id"], "CB-Y", approved=True)
    for month in ("2026-02-03", "2026-05-04", "2026-08-03"):
        resp = await client.post(
            f"/api/organisations/{cell['id']}/meetings", json=_meeting("Sinh hoạt", month)
        )
        assert resp.status == 201, await resp.text()
        meeting = await resp.json()
        assert (await client.post(f"/api/meetings/{meeting['id']}/start")).status == 200
        assert (await client.post(f"/api/meetings/{meeting['id']}/close")).status == 200
    resp = await client.post(
        f"/api/organisations/{cell['id']}/meetings",
        json=_meeting("Sinh hoạt tháng 12", "2026-12-03"),
    )
    assert resp.status == 409
    assert "P3" in (await resp.json())["rules"]
    # next calendar year starts a new count
    resp = await client.post(
        f"/api/organisations/{cell['id']}/meetings",
        json=_meeting("Sinh hoạt tháng 1", "2027-01-04"),
    )
    assert resp.status == 201


async def test_circumstance_lifecycle_p4(client: Client, db_url: str) -> None:
    cells = await _demo_cells(client, db_url)
    root = cells["DEMO-DBCS"]["id"]
    cell = await (
        await client.post(
            "/api/organisations",
            json={
                "parent_id": root,
                "level": "cell",
                "name": "Chi bộ vùng lũ",
                "code": "CB-LU",
                "it_ready": True,
            },
        )
    ).json()
    for i in range(4):
        await client.post(
            f"/api/organisations/{cell['id']}/members",
            json={"full_name": f"Đảng viên {i}", "status": "full"},
        )
    # every date follows the app's clock (starting a meeting checks eligibility on its today)
    today = system_clock().astimezone(VN_TZ).date()
    decided = (today - dt.timedelta(days=60)).isoformat()
    await client.post(
        f"/api/organisations/{cell['id']}/decisions",
        json={
            "number": "10-QĐ/ĐU",
            "decided_on": decided,
            "issuer": "Đảng ủy Khối",
            "issuer_kind": "superior_committee",
            "scope": "online",
            "valid_from": decided,
        },
    )
    # nobody has an E1a reason: not eligible until a circumstance is declared
    resp = await client.post(
        f"/api/organisations/{cell['id']}/meetings",
        json=_meeting("Sinh hoạt", today.isoformat(), "online"),
    )
    assert resp.status == 409 and "E1" in (await resp.json())["rules"]
    circ = await (
        await client.post(
            f"/api/organisations/{cell['id']}/circumstances",
            json={
                "kind": "natural_disaster",
                "description": "Lũ lớn",
                "started_on": str(today - dt.timedelta(days=10)),
            },
        )
    ).json()
    resp = await client.post(
        f"/api/organisations/{cell['id']}/meetings",
        json={**_meeting("Sinh hoạt", today.isoformat(), "online"), "circumstance_id": circ["id"]},
    )
    assert resp.status == 201, await resp.text()
    meeting = await resp.json()
    assert (await client.post(f"/api/meetings/{meeting['id']}/start")).status == 200
    assert (await client.post(f"/api/meetings/{meeting['id']}/close")).status == 200
    resp = await client.post(
        f"/api/circumstances/{circ['id']}/end", json={"ended_on": today.isoformat()}
    )
    assert resp.status == 200
    again = await client.post(
        f"/api/circumstances/{circ['id']}/end", json={"ended_on": today.isoformat()}
    )
    assert again.status == 409
    resp = await client.post(
        f"/api/organisations/{cell['id']}/meetings",
        json=_meeting("Sinh hoạt tháng sau", str(today + dt.timedelta(days=28)), "online"),
    )
    assert resp.status == 409
    assert {"P4"} & set((await resp.json())["rules"]) or {"E1"} & set((await resp.json())["rules"])


async def test_agenda_gate_at_planning(client: Client, db_url: str) -> None:
    cells = await _demo_cells(client, db_url)
    sea = cells[SEAFARERS_CODE]["id"]
    meeting = await (
        await client.post(
            f"/api/organisations/{sea}/meetings", json=_meeting("Sinh hoạt tháng 12", "2026-12-03")
        )
    ).json()
    url = f"/api/meetings/{meeting['id']}/agenda"
    blocked = await (
        await client.post(
            url, json={"title": "Xét kết nạp quần chúng Trần Văn B", "category": "T2"}
        )
    ).json()
    assert blocked["status"] == "deferred"
    assert blocked["gate"]["outcome"] == "blocked" and {"G1", "T2"} <= set(blocked["gate"]["rules"])
    suspected = await (
        await client.post(url, json={"title": "Xet ket nap dang vien moi", "category": "ordinary"})
    ).json()
    assert suspected["status"] == "planned"
    assert suspected["gate"]["outcome"] == "suspected" and "G2" in suspected["gate"]["rules"]
    study = await (
        await client.post(
            url, json={"title": "Học tập Quy định về kỷ luật đảng viên", "category": "study"}
        )
    ).json()
    assert study["gate"]["outcome"] == "allowed"


async def test_registration_exports(client: Client, db_url: str) -> None:
    cells = await _demo_cells(client, db_url)
    root = cells["DEMO-DBCS"]["id"]
    resp = await client.get(f"/api/organisations/{root}/registrations/export.csv")
    assert resp.status == 200
    text = await resp.text()
    assert "Chi bộ Thuyền viên (demo)" in text and "Sinh hoạt trực tuyến" in text
    resp = await client.get(f"/api/organisations/{root}/registrations/export.docx")
    assert resp.status == 200
    document = docx.Document(io.BytesIO(await resp.read()))
    cells_text = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert "Chi bộ Thuyền viên (demo)" in cells_text
    assert "Tên tổ chức đảng" in cells_text
    assert any(p.text == "DANH SÁCH" for p in document.paragraphs)


async def _created_on(db_url: str, org_id: int) -> dt.date:
    """The Vietnam date the app's clock gave the organisation when the demo created it."""
    db = Database(db_url)
    try:
        async with db.session() as s:
            org = await s.get(Organisation, org_id)
            assert org is not None
            return org.created_at.replace(tzinfo=dt.UTC).astimezone(VN_TZ).date()
    finally:
        await db.close()


async def test_duties_listed(client: Client, db_url: str) -> None:
    cells = await _demo_cells(client, db_url)
    sea = cells[SEAFARERS_CODE]["id"]
    # R1: on the 10th of the month after next, that month's regular meeting is due or late; the
    # date follows the cell's creation, never today's calendar.
    created = await _created_on(db_url, sea)
    later = created.replace(day=1) + dt.timedelta(days=62)
    on = later.replace(day=10)
    duties = await (await client.get(f"/api/organisations/{sea}/duties?date={on}")).json()
    kinds = {d["kind"] for d in duties}
    assert "regular_meeting" in kinds
    regular = [d for d in duties if d["kind"] == "regular_meeting"]
    assert any(d["due_on"].startswith(f"{on:%Y-%m}") for d in regular), regular
    assert all(d["rules"] and d["vi"] for d in duties)
