"""GET /api/organisations/{id}/caps: the pilot caps used in the year of a date (P3 online and
hybrid meetings held, P5 meetings by party groups), each cited, for the planning page."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from server.rules import VN_TZ
from server.storage.db import Database
from server.storage.models import Meeting
from tests.conftest import Client
from tests.server.app.test_pilot_lifecycle import _demo_cells, _meeting, _new_cell


async def test_p3_p5_caps_count_the_meetings_held_in_the_year(client: Client, db_url: str) -> None:
    cells = await _demo_cells(client, db_url)
    cell = await _new_cell(client, cells["DEMO-DBCS"]["id"], "CB-CAPS", approved=True)
    made = []
    for when in ("2026-02-03", "2026-03-03", "2026-04-03"):
        resp = await client.post(
            f"/api/organisations/{cell['id']}/meetings", json=_meeting(f"Họp {when}", when)
        )
        assert resp.status == 201, await resp.text()
        made.append((await resp.json())["id"])
    db = Database(db_url)
    try:  # two of them were held (a scheduled meeting counts toward no cap)
        async with db.session() as s:
            await s.execute(update(Meeting).where(Meeting.id.in_(made[:2])).values(status="closed"))
    finally:
        await db.close()
    resp = await client.get(f"/api/organisations/{cell['id']}/caps?date=2026-12-03")
    assert resp.status == 200
    online, group = await resp.json()
    assert online["rules"] == ["P3"] and online["outcome"] == "allowed"
    assert "2/" in online["vi"] and "2026" in online["vi"] and online["en"]
    assert group["rules"] == ["P5"] and "0/" in group["vi"]
    # another year starts again from zero
    online, _group = await (
        await client.get(f"/api/organisations/{cell['id']}/caps?date=2027-01-05")
    ).json()
    assert "0/" in online["vi"]


async def test_caps_refuse_a_bad_date_and_an_unknown_cell(client: Client, db_url: str) -> None:
    cells = await _demo_cells(client, db_url)
    sea = cells["DEMO-DBCS"]["id"]
    assert (await client.get(f"/api/organisations/{sea}/caps?date=3-12-2026")).status == 422
    assert (await client.get("/api/organisations/987654/caps")).status == 404
    # before any pilot rule set (E4) there is no cap to count
    assert await (await client.get(f"/api/organisations/{sea}/caps?date=2025-07-01")).json() == []


async def test_m3_duty_ends_once_a_document_is_published(client: Client, db_url: str) -> None:
    """The duties (M3) know about published documents: a meeting whose documents reached the
    members in time is no longer listed as due."""
    cells = await _demo_cells(client, db_url)
    cell = await _new_cell(client, cells["DEMO-DBCS"]["id"], "CB-M3", approved=True)
    start = (dt.datetime.now(VN_TZ) + dt.timedelta(days=12)).date().isoformat()
    resp = await client.post(
        f"/api/organisations/{cell['id']}/meetings", json=_meeting("Họp có tài liệu", start)
    )
    assert resp.status == 201, await resp.text()
    meeting = (await resp.json())["id"]

    async def m3_duties() -> list[dict[str, object]]:
        duties = await (await client.get(f"/api/organisations/{cell['id']}/duties")).json()
        return [d for d in duties if d["kind"] == "documents" and d["meeting_id"] == str(meeting)]

    due = await m3_duties()
    assert len(due) == 1 and due[0]["rules"] == ["M3"] and due[0]["status"] == "due"
    resp = await client.post(
        f"/api/meetings/{meeting}/documents?filename=du-thao.txt",
        data=b"Du thao nghi quyet",
        headers={"Content-Type": "text/plain"},
    )
    assert resp.status == 201, await resp.text()
    doc = (await resp.json())["id"]
    assert (await m3_duties()) == due  # uploaded is not published
    resp = await client.post(f"/api/meetings/{meeting}/documents/{doc}/publish")
    assert resp.status == 200 and (await resp.json())["m3"]["late"] is False
    assert await m3_duties() == []
