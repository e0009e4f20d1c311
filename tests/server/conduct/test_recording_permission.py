"""R7 through the API: listing and playing back recordings needs ``recording.play`` besides the
chair's permission. The deputy secretary chairs (starts and stops recording) but is refused the
list and the content — 403 with a Vietnamese message citing R7, audited as ``access.denied``
naming the permission — while the secretary lists and plays them (audited ``recording.play``)."""

from __future__ import annotations

from policy.model import Role
from server.config import Settings
from server.storage.db import Database
from tests.conftest import Client
from tests.server.auth.support import FakeClock, audit_records
from tests.server.conduct.test_hybrid_meeting import _setup


async def test_r7_playback_needs_its_own_permission(
    client: Client, db: Database, settings: Settings, clock: FakeClock
) -> None:
    h, who = await _setup(client, db, settings, clock)
    p, sec = h.people, who["secretary"]
    deputy = await p.add("phobithu", Role.DEPUTY, h.cell, h.m[1])
    await p.ok(sec, "POST", f"{h.base}/start")
    # the deputy chairs: starts and stops the recording
    state = await p.ok(deputy, "POST", f"{h.base}/recording/start", 201)
    assert state["recording"] is True
    assert (await p.ok(who["m3"], "GET", f"{h.base}/recording"))["recording"] is True
    row = await p.ok(deputy, "POST", f"{h.base}/recording/stop")
    assert row["state"] == "complete"

    for path in (f"{h.base}/recordings", f"/api/recordings/{row['id']}/content"):
        body = await p.refused(deputy, "GET", path, 403)
        assert body["code"] == "forbidden" and body["rules"] == ["R7"]
        assert "không có quyền xem lại bản ghi" in body["message"]["vi"]
    denied = [
        r
        for r in await audit_records(db, "access.denied")
        if r.details.get("permission") == "recording.play"
    ]
    assert len(denied) == 2 and {r.target for r in denied} == {
        f"{h.base}/recordings",
        f"/api/recordings/{row['id']}/content",
    }
    assert not await audit_records(db, "recording.play")

    listed = await p.ok(sec, "GET", f"{h.base}/recordings")
    assert [r["id"] for r in listed] == [row["id"]]
    await p.ok(sec, "GET", f"/api/recordings/{row['id']}/content")
    played = await audit_records(db, "recording.play")
    assert len(played) == 1 and played[0].details["recording"] == row["id"]
    # a member neither chairs nor plays back
    await p.refused(who["m3"], "GET", f"{h.base}/recordings", 403)
