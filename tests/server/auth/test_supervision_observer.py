"""S1 through the real socket: a committee member assigned to a cell joins its meeting as an
observer, and the attendance is recorded once.

50-CT/TW §6: "phải phân công cấp ủy viên dự sinh hoạt chi bộ trực thuộc và thường xuyên theo dõi,
nắm tình hình, chịu trách nhiệm về chất lượng sinh hoạt của chi bộ".
"""

from __future__ import annotations

import asyncio

from policy.model import Role
from server.config import Settings
from server.storage import oversight as oversight_store
from server.storage.db import Database
from tests.conftest import Client
from tests.server.auth.conftest import ORIGIN, World
from tests.server.auth.support import FakeClock, audit_records, make_account, sign_in


async def _visits(db: Database, meeting_id: int) -> int:
    async with db.session() as s:
        return len(await oversight_store.visits(s, [meeting_id]))


async def test_s1_assigned_member_joins_as_observer_and_is_recorded(
    client: Client, db: Database, settings: Settings, world: World, clock: FakeClock
) -> None:
    secretary = await make_account(db, settings, "bithudb", Role.SECRETARY, world.grassroots)
    follower = await make_account(db, settings, "uyvien", Role.COMMITTEE, world.grassroots)
    csrf = await sign_in(client, secretary, clock())
    resp = await client.post(
        f"/api/organisations/{world.grassroots}/supervision/assignments",
        json={"cell_id": world.cell, "account_id": follower.id, "started_on": "2026-12-01"},
        headers={"X-CSRF-Token": csrf, "Origin": ORIGIN},
    )
    assert resp.status == 201, await resp.text()
    assignment = (await resp.json())["id"]

    clock.advance(seconds=31)
    await sign_in(client, follower, clock())
    for _ in range(2):  # a reconnect is the same attendance
        ws = await client.ws_connect(f"/ws/meetings/{world.meeting}", origin=ORIGIN)
        for _ in range(200):  # admission follows the upgrade
            if await _visits(db, world.meeting):
                break
            await asyncio.sleep(0.05)
        await ws.close()

    clock.advance(seconds=31)
    csrf = await sign_in(client, secretary, clock())
    visits = await (
        await client.get(
            f"/api/organisations/{world.grassroots}/supervision/visits?from=2026-12-01&to=2026-12-31"
        )
    ).json()
    assert [(v["account_id"], v["way"], v["meeting_id"]) for v in visits] == [
        (follower.id, "online", world.meeting)
    ]
    # the assignment ends: the observer role it gave is taken back
    resp = await client.post(
        f"/api/supervision/assignments/{assignment}/end",
        json={"ended_on": "2026-12-31"},
        headers={"X-CSRF-Token": csrf, "Origin": ORIGIN},
    )
    assert resp.status == 200, await resp.text()
    clock.advance(seconds=31)
    await sign_in(client, follower, clock())
    ws = await client.ws_connect(f"/ws/meetings/{world.meeting}", origin=ORIGIN)
    refused = await ws.receive_json(timeout=30)
    assert refused["type"] == "error" and refused["code"] == "forbidden"
    await ws.close()


async def test_s1_only_a_member_of_the_committee_may_be_assigned(
    client: Client, db: Database, settings: Settings, world: World, clock: FakeClock
) -> None:
    """S1 (50-CT/TW §6: "phải phân công cấp ủy viên dự sinh hoạt chi bộ trực thuộc"): an account
    that is not on the superior committee (a member of the other cell's committee) is refused
    with the S1 message in Vietnamese, nothing is granted, and the refusal is audited."""
    secretary = await make_account(db, settings, "bithus1", Role.SECRETARY, world.grassroots)
    outsider = await make_account(db, settings, "ngoaics1", Role.COMMITTEE, world.other_cell)
    csrf = await sign_in(client, secretary, clock())
    resp = await client.post(
        f"/api/organisations/{world.grassroots}/supervision/assignments",
        json={"cell_id": world.cell, "account_id": outsider.id, "started_on": "2026-12-01"},
        headers={"X-CSRF-Token": csrf, "Origin": ORIGIN},
    )
    assert resp.status == 409, await resp.text()
    body = await resp.json()
    assert body["rules"] == ["S1"] and "cấp ủy viên" in body["message"]["vi"]
    listed = await client.get(f"/api/organisations/{world.grassroots}/supervision/assignments")
    assert await listed.json() == []
    async with db.session() as s:
        assert not await oversight_store.has_role(s, outsider.id, world.cell, Role.OBSERVER)
    refusals = await audit_records(db, "supervision.assign.refused")
    assert [(r.target, r.details["account"]) for r in refusals] == [
        (f"org:{world.cell}", outsider.id)
    ]
