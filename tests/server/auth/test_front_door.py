"""The front door and the page shells (R7, deny by default): ``/`` sends a signed-in person home
and everyone else to sign in; a meeting page that does not exist, or that the person may not
open, answers a readable Vietnamese 404 or 403 page (audited), never an empty shell."""

from __future__ import annotations

from policy.model import Role
from server.config import Settings
from server.storage.db import Database
from tests.conftest import Client
from tests.server.auth.conftest import World
from tests.server.auth.support import FakeClock, audit_records, make_account, sign_in


async def _location(client: Client, path: str) -> tuple[int, str]:
    resp = await client.get(path, allow_redirects=False)
    return resp.status, resp.headers.get("Location", "")


async def test_signed_out_front_door_and_pages_lead_to_sign_in(client: Client) -> None:
    assert await _location(client, "/") == (302, "/login")
    assert await _location(client, "/home") == (302, "/login?next=/home")
    assert await _location(client, "/meetings/7") == (302, "/login?next=/meetings/7")
    assert await _location(client, "/meetings/7/chair") == (302, "/login?next=/meetings/7/chair")
    login = await client.get("/login")
    assert login.status == 200 and "Đăng nhập" in await login.text()


async def test_favicon(client: Client) -> None:
    resp = await client.get("/favicon.ico")
    assert resp.status == 200
    body = await resp.read()
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO header
    assert "max-age" in resp.headers["Cache-Control"]


async def test_each_role_lands_at_its_home(
    client: Client, db: Database, settings: Settings, world: World, clock: FakeClock
) -> None:
    member = await make_account(
        db, settings, "dv", Role.MEMBER, world.cell, member_id=world.members[1]
    )
    await sign_in(client, member, clock.now)
    assert await _location(client, "/") == (302, "/home")
    home = await client.get("/home")
    assert home.status == 200 and 'src="/static/js/home.js"' in await home.text()
    client.session.cookie_jar.clear()
    officer = await make_account(db, settings, "anninh", Role.SECURITY_OFFICER, world.grassroots)
    await sign_in(client, officer, clock.now)
    assert await _location(client, "/") == (302, "/officer")


async def test_meeting_pages_missing_and_forbidden_are_readable(
    client: Client, db: Database, settings: Settings, world: World, clock: FakeClock
) -> None:
    member = await make_account(
        db, settings, "dv", Role.MEMBER, world.cell, member_id=world.members[1]
    )
    await sign_in(client, member, clock.now)
    ok = await client.get(f"/meetings/{world.meeting}")
    assert ok.status == 200 and "meeting" in await ok.text()
    missing = await client.get("/meetings/999999")
    text = await missing.text()
    assert missing.status == 404 and missing.content_type == "text/html"
    assert "Không tìm thấy cuộc họp" in text and "Meeting not found" in text
    assert text.index("Không tìm thấy") < text.index("Meeting not found")  # Vietnamese first
    other = await client.get(f"/meetings/{world.other_meeting}")
    assert other.status == 403 and "Không có quyền xem" in await other.text()
    chair = await client.get(f"/meetings/{world.meeting}/chair")  # a member does not chair
    assert chair.status == 403
    denied = [r for r in await audit_records(db, "access.denied") if r.details["reason"] == "page"]
    assert {r.target for r in denied} == {
        f"/meetings/{world.other_meeting}",
        f"/meetings/{world.meeting}/chair",
    }
    assert all(r.actor == f"account:{member.id}" for r in denied)
    assert all(r.details["error_code"] == "forbidden" for r in denied)


async def test_security_officer_sees_no_meeting_page(
    client: Client, db: Database, settings: Settings, world: World, clock: FakeClock
) -> None:
    officer = await make_account(db, settings, "anninh", Role.SECURITY_OFFICER, world.grassroots)
    await sign_in(client, officer, clock.now)
    resp = await client.get(f"/meetings/{world.meeting}")
    assert resp.status == 403  # R7: access logs, never meeting content
    secretary = await make_account(
        db, settings, "bithu", Role.SECRETARY, world.cell, member_id=world.members[0]
    )
    client.session.cookie_jar.clear()
    await sign_in(client, secretary, clock.now)
    assert (await client.get(f"/meetings/{world.meeting}/chair")).status == 200


async def test_an_impossible_meeting_id_is_a_readable_404(
    client: Client, db: Database, settings: Settings, world: World, clock: FakeClock
) -> None:
    member = await make_account(db, settings, "dv", Role.MEMBER, world.cell)
    await sign_in(client, member, clock.now)
    for path in ("/meetings/0", "/meetings/99999999999999999999999/chair"):
        resp = await client.get(path)
        assert resp.status == 404 and "Không tìm thấy cuộc họp" in await resp.text()
