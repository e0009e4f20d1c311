"""Invitation links: sent by the secretary for one member and one meeting, single use,
expiring, and never a way around the password and second factor."""

from __future__ import annotations

from policy.model import Role
from server.config import Settings
from server.storage.db import Database
from tests.conftest import Client
from tests.server.auth.conftest import ORIGIN, World
from tests.server.auth.support import FakeClock, last_audit, make_account, sign_in


async def _invite(
    client: Client,
    db: Database,
    settings: Settings,
    world: World,
    clock: FakeClock,
    member_index: int = 1,
) -> str:
    secretary = await make_account(
        db, settings, "bithu", Role.SECRETARY, world.cell, member_id=world.members[0]
    )
    csrf = await sign_in(client, secretary, clock())
    resp = await client.post(
        f"/api/meetings/{world.meeting}/invitations",
        json={"member_id": world.members[member_index]},
        headers={"X-CSRF-Token": csrf},
    )
    assert resp.status == 201
    body = await resp.json()
    assert body["url"].startswith(f"{ORIGIN}/login?invite=")
    record = await last_audit(db, "invitation.create")
    assert (record.actor, record.target) == (f"account:{secretary.id}", f"meeting:{world.meeting}")
    token = body["url"].split("invite=")[1]
    assert token not in str(record.details)
    client.session.cookie_jar.clear()
    return str(token)


async def _redeem(client: Client, csrf: str, token: str) -> tuple[int, dict[str, object]]:
    resp = await client.post(
        "/api/auth/invitations/redeem", json={"invitation": token}, headers={"X-CSRF-Token": csrf}
    )
    return resp.status, await resp.json()


async def test_link_needs_sign_in_then_leads_to_the_meeting_once(
    client: Client, db: Database, settings: Settings, world: World, clock: FakeClock
) -> None:
    token = await _invite(client, db, settings, world, clock)
    # the link alone opens nothing
    resp = await client.post("/api/auth/invitations/redeem", json={"invitation": token})
    assert resp.status == 401
    member = await make_account(
        db, settings, "dangvien", Role.MEMBER, world.cell, member_id=world.members[1]
    )
    csrf = await sign_in(client, member, clock())
    status, body = await _redeem(client, csrf, token)
    assert (status, body) == (
        200,
        {"meeting_id": world.meeting, "url": f"/meetings/{world.meeting}"},
    )
    assert (await last_audit(db, "invitation.redeem")).actor == f"account:{member.id}"
    resp = await client.get(f"/meetings/{world.meeting}")
    assert resp.status == 200
    assert "text/html" in resp.headers["Content-Type"]
    # reused
    status, body = await _redeem(client, csrf, token)
    assert (status, body["code"]) == (410, "invitation_invalid")
    record = await last_audit(db, "invitation.rejected")
    assert record.details["reason"] == "used"
    assert token not in str(record.details)


async def test_expired_link_refused(
    client: Client, db: Database, settings: Settings, world: World, clock: FakeClock
) -> None:
    token = await _invite(client, db, settings, world, clock)
    clock.advance(hours=settings.security.invitation_hours, seconds=1)
    member = await make_account(
        db, settings, "dangvien", Role.MEMBER, world.cell, member_id=world.members[1]
    )
    csrf = await sign_in(client, member, clock())
    status, body = await _redeem(client, csrf, token)
    assert (status, body["code"]) == (410, "invitation_invalid")
    assert "hết hạn" in str(body["message"])
    assert (await last_audit(db, "invitation.rejected")).details["reason"] == "expired"


async def test_link_is_bound_to_one_member(
    client: Client, db: Database, settings: Settings, world: World, clock: FakeClock
) -> None:
    token = await _invite(client, db, settings, world, clock)
    someone = await make_account(
        db, settings, "nguoikhac", Role.MEMBER, world.cell, member_id=world.members[2]
    )
    csrf = await sign_in(client, someone, clock())
    status, body = await _redeem(client, csrf, token)
    assert (status, body["code"]) == (403, "forbidden")
    assert (await last_audit(db, "invitation.rejected")).details["reason"] == "other_member"


async def test_only_cell_members_can_be_invited(
    client: Client, db: Database, settings: Settings, world: World, clock: FakeClock
) -> None:
    secretary = await make_account(db, settings, "bithu", Role.SECRETARY, world.cell)
    csrf = await sign_in(client, secretary, clock())
    resp = await client.post(
        f"/api/meetings/{world.meeting}/invitations",
        json={"member_id": world.other_member},
        headers={"X-CSRF-Token": csrf},
    )
    assert resp.status == 422
    assert (await resp.json())["code"] == "validation"
    resp = await client.post(
        f"/api/meetings/{world.other_meeting}/invitations",
        json={"member_id": world.other_member},
        headers={"X-CSRF-Token": csrf},
    )
    assert resp.status == 403
    assert (await last_audit(db, "access.denied")).details["permission"] == "invite.send"


async def test_observer_invited_by_account_once_and_only_with_the_role(
    client: Client, db: Database, settings: Settings, world: World, clock: FakeClock
) -> None:
    """R5: the secretary invites by username an account the superior committee made an
    observer (here on the grassroots committee, carried down to the cell); an account without
    that role is refused citing R5, like an unknown name (no probing); the link is the
    observer's only, and works once."""
    secretary = await make_account(db, settings, "bithu", Role.SECRETARY, world.cell)
    observer = await make_account(db, settings, "giamsat", Role.OBSERVER, world.grassroots)
    await make_account(db, settings, "ngoaichibo", Role.MEMBER, world.other_cell)
    csrf = await sign_in(client, secretary, clock())
    url = f"/api/meetings/{world.meeting}/invitations/observers"
    for name in ("ngoaichibo", "khongco"):
        resp = await client.post(url, json={"username": name}, headers={"X-CSRF-Token": csrf})
        assert resp.status == 422, name
        body = await resp.json()
        assert (body["code"], body["rules"]) == ("validation", ["R5"])
        assert "cấp ủy cấp trên phân công" in body["message"]["vi"]
    resp = await client.post(url, json={"username": " "}, headers={"X-CSRF-Token": csrf})
    assert resp.status == 422
    resp = await client.post(url, json={"username": "giamsat"}, headers={"X-CSRF-Token": csrf})
    assert resp.status == 201, await resp.text()
    made = await resp.json()
    assert (made["member_id"], made["observer"]) == (None, observer.username)
    record = await last_audit(db, "invitation.create")
    assert record.details["observer_account"] == observer.id
    token = made["url"].split("invite=")[1]
    # the secretary (or anyone else) cannot use the observer's link
    status, body = await _redeem(client, csrf, token)
    assert (status, body["code"]) == (403, "forbidden")
    client.session.cookie_jar.clear()
    csrf = await sign_in(client, observer, clock())
    status, body = await _redeem(client, csrf, token)
    assert (status, body) == (
        200,
        {"meeting_id": world.meeting, "url": f"/meetings/{world.meeting}"},
    )
    status, body = await _redeem(client, csrf, token)
    assert (status, body["code"]) == (410, "invitation_invalid")
