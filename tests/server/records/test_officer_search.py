"""The officer's search (R7): by meeting it finds every record about the meeting, those whose
target is an item or a document too; by member it finds an account by number, username or name
(accents and case folded)."""

from __future__ import annotations

from sqlalchemy import update

from policy.model import MeetingStatus, Role
from server.auth import factors
from server.config import Settings
from server.records.people import fold
from server.storage.db import Database
from server.storage.models import Meeting
from tests.conftest import Client
from tests.server.auth.conftest import World
from tests.server.auth.support import FakeClock, make_account, sign_in


async def test_search_by_meeting_and_by_member_name(
    client: Client, db: Database, settings: Settings, world: World, clock: FakeClock
) -> None:
    officer = await make_account(db, settings, "canbo", Role.SECURITY_OFFICER, world.grassroots)
    chair = await make_account(
        db, settings, "bithu", Role.SECRETARY, world.cell, member_id=world.members[1]
    )
    csrf = await sign_in(client, chair)
    h = {"X-CSRF-Token": csrf}
    base = f"/api/meetings/{world.meeting}"
    resp = await client.post(
        f"{base}/agenda", json={"title": "Thời sự", "category": "ordinary"}, headers=h
    )
    assert resp.status == 201, await resp.text()
    item = await resp.json()
    # opened as a meeting in progress (the start's own checks are tested elsewhere)
    async with db.session() as session:
        await session.execute(
            update(Meeting)
            .where(Meeting.id == world.meeting)
            .values(status=MeetingStatus.OPEN, started_at=clock.now)
        )
    resp = await client.post(f"{base}/agenda/{item['id']}/open", headers=h)
    assert resp.status == 200, await resp.text()
    resp = await client.post(
        f"{base}/documents",
        params={"filename": "du-thao.txt"},
        data=b"du thao nghi quyet",
        headers={**h, "Content-Type": "text/plain"},
    )
    assert resp.status == 201, await resp.text()
    document = await resp.json()
    await client.post("/api/auth/logout", headers=h)

    csrf = await sign_in(client, officer, clock.now)
    clock.advance(seconds=30)
    code = factors.totp_now(officer.totp_secret, clock.now)
    resp = await client.post(
        "/api/auth/step-up", json={"code": code}, headers={"X-CSRF-Token": csrf}
    )
    assert resp.status == 200, await resp.text()

    resp = await client.get("/api/records/audit", params={"meeting": str(world.meeting)})
    assert resp.status == 200, await resp.text()
    found = {(r["action"], r["target"]) for r in await resp.json()}
    assert ("agenda.add", f"item:{item['id']}") in found
    assert ("agenda.open", f"item:{item['id']}") in found  # a conduct record, item-targeted
    assert ("document.upload", f"document:{document['id']}") in found
    # nothing happened in the other cell's meeting
    resp = await client.get("/api/records/audit", params={"meeting": str(world.other_meeting)})
    assert await resp.json() == []

    chair_actor = f"account:{chair.id}"
    for member in ("bithu", "BITHU", "Đảng viên 1", "dang vien 1", str(chair.id)):
        resp = await client.get("/api/records/audit", params={"member": member})
        assert resp.status == 200, await resp.text()
        rows = await resp.json()
        assert rows, member
        assert {r["actor"] for r in rows} == {chair_actor}, member
    resp = await client.get("/api/records/audit", params={"member": "không có ai"})
    assert await resp.json() == []
    resp = await client.get("/api/records/audit", params={"meeting": "abc"})
    assert resp.status == 422
    assert (await resp.json())["message"]["vi"]  # a readable refusal, Vietnamese first


def test_fold_ignores_case_and_vietnamese_accents() -> None:
    assert fold("Đặng Thị  Hoà") == fold("dang thi hoa") == "dang thi hoa"
