"""The officer's API through the real app: step-up first, every view and export audited, no
meeting content reachable; recordings belong to the chair (R7)."""

from __future__ import annotations

from policy.model import Role
from server.auth import factors
from server.config import Settings
from server.crypto.checkpoints import TrustedSigners, parse_public_key_text
from server.crypto.extract import verify_extract
from server.storage.db import Database
from tests.conftest import Client
from tests.server.auth.conftest import World
from tests.server.auth.support import FakeClock, audit_records, make_account, sign_in


async def test_officer_reads_log_after_step_up_and_is_audited(
    client: Client, db: Database, settings: Settings, world: World, clock: FakeClock
) -> None:
    officer = await make_account(db, settings, "canbo", Role.SECURITY_OFFICER, world.grassroots)
    chair = await make_account(db, settings, "bithu", Role.SECRETARY, world.cell)
    csrf = await sign_in(client, chair)
    h = {"X-CSRF-Token": csrf}
    resp = await client.post(f"/api/meetings/{world.meeting}/recording/start", headers=h)
    assert resp.status == 201, await resp.text()
    assert (await (await client.get(f"/api/meetings/{world.meeting}/recording")).json())[
        "recording"
    ]
    resp = await client.post(f"/api/meetings/{world.meeting}/recording/stop", headers=h)
    assert resp.status == 200
    rec = await resp.json()
    resp = await client.get(f"/api/recordings/{rec['id']}/content")
    assert resp.status == 200 and await resp.read() == b""
    await client.post("/api/auth/logout", headers=h)

    csrf = await sign_in(client, officer, clock.now)
    h = {"X-CSRF-Token": csrf}
    resp = await client.get("/api/audit")
    assert resp.status == 403 and (await resp.json())["code"] == "step_up_required"
    clock.advance(seconds=30)
    code = factors.totp_now(officer.totp_secret, clock.now)
    resp = await client.post("/api/auth/step-up", json={"code": code}, headers=h)
    assert resp.status == 200, await resp.text()
    resp = await client.get("/api/audit", params={"action": "recording.start"})
    assert resp.status == 200
    found = await resp.json()
    assert [r["target"] for r in found] == [f"meeting:{world.meeting}"]
    resp = await client.get("/api/audit", params={"meeting": str(world.meeting)})
    assert {r["action"] for r in await resp.json()} >= {"recording.start", "recording.play"}
    # the old path of the officer's search redirects to the one search, with its query
    old = "/api/records/audit?action=recording.start&limit=5"
    resp = await client.get(old, allow_redirects=False)
    assert resp.status == 308
    assert resp.headers["Location"] == "/api/audit?action=recording.start&limit=5"
    resp = await client.get(old)
    assert [r["target"] for r in await resp.json()] == [f"meeting:{world.meeting}"]
    status = await (await client.get("/api/records/status")).json()
    assert status["ok"] is True and status["checkpoint"] is not None
    resp = await client.post(
        "/api/records/extract",
        json={"seqs": [found[0]["seq"]], "purpose": "kiểm tra"},
        headers=h,
    )
    assert resp.status == 200
    trusted = TrustedSigners.of([parse_public_key_text(status["public_key"])])
    extract = verify_extract(await resp.text(), trusted)
    assert extract.records[0].action == "recording.start"
    # no content: recordings and their listing are the chair's
    assert (await client.get(f"/api/recordings/{rec['id']}/content")).status == 403
    assert (await client.get(f"/api/meetings/{world.meeting}/recordings")).status == 403
    actions = [r.action for r in await audit_records(db)]
    assert {"audit.view", "audit.verify", "audit.export", "recording.play"} <= set(actions)
    assert actions.count("access.denied") >= 3


async def test_non_officer_refused(
    client: Client, db: Database, settings: Settings, world: World
) -> None:
    member = await make_account(db, settings, "dangvien", Role.MEMBER, world.cell)
    csrf = await sign_in(client, member)
    for path in ("/api/records/audit", "/api/records/status"):
        assert (await client.get(path)).status == 403
    resp = await client.post(
        "/api/records/extract", json={"seqs": [1], "purpose": "x"}, headers={"X-CSRF-Token": csrf}
    )
    assert resp.status == 403
    resp = await client.post(
        f"/api/meetings/{world.meeting}/recording/start", headers={"X-CSRF-Token": csrf}
    )
    assert resp.status == 403
    # the refusals above were audited
    assert len([r for r in await audit_records(db) if r.action == "access.denied"]) >= 4
