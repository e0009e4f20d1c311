"""Session cookies: production flags, a new identifier at each sign-in step, idle and absolute
limits on the injected clock, sign-out everywhere, CSRF and read-only API tokens."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import select

from policy.model import Role
from server.app import create_app
from server.auth import factors
from server.auth.provision import create_api_token
from server.auth.sessions import Sessions, purge_periodically
from server.config import Settings
from server.storage.db import Database
from server.storage.models_auth import ApiToken, AuthSession
from tests.conftest import AiohttpClient, Client
from tests.server.auth.conftest import World, make_settings
from tests.server.auth.support import (
    PASSWORD,
    FakeClock,
    audit_log,
    audit_records,
    last_audit,
    make_account,
    sign_in,
)


async def test_production_cookie_flags(
    aiohttp_client: AiohttpClient,
    tmp_path: Path,
    db_url: str,
    db: Database,
    world: World,
    clock: FakeClock,
) -> None:
    settings = make_settings(tmp_path, db_url, insecure=False)
    client = await aiohttp_client(create_app(settings, clock=clock))
    user = await make_account(db, settings, "an", Role.MEMBER, world.cell)
    resp = await client.post("/api/auth/login", json={"username": "an", "password": PASSWORD})
    assert resp.status == 200
    header = resp.headers["Set-Cookie"]
    name, _, rest = header.partition("=")
    assert name == "__Host-hopchibo"
    token = rest.split(";")[0]
    assert len(token) >= 43  # 256 bits in base64url (at least 128 required)
    attrs = {a.strip().split("=")[0].lower(): a.strip() for a in rest.split(";")[1:]}
    assert "secure" in attrs and "httponly" in attrs
    assert attrs["samesite"].lower() == "samesite=strict"
    assert attrs["path"] == "Path=/"
    assert "domain" not in attrs and "max-age" not in attrs and "expires" not in attrs
    # the second factor issues a new identifier; the first one is dead
    csrf = (await resp.json())["csrf"]
    code = factors.totp_now(user.totp_secret, clock())
    resp = await client.post(
        "/api/auth/totp/verify",
        json={"code": code},
        headers={"X-CSRF-Token": csrf, "Cookie": f"__Host-hopchibo={token}"},
    )
    assert resp.status == 200
    second = resp.headers["Set-Cookie"].split(";")[0].partition("=")[2]
    assert second != token
    resp = await client.get("/api/auth/session", headers={"Cookie": f"__Host-hopchibo={token}"})
    assert (await resp.json())["authenticated"] is False
    resp = await client.get("/api/auth/session", headers={"Cookie": f"__Host-hopchibo={second}"})
    assert (await resp.json())["authenticated"] is True


async def test_dev_cookie_drops_secure_and_prefix_only_when_configured(
    client: Client, settings: Settings, db: Database, world: World
) -> None:
    assert settings.server.insecure_cookies is True
    await make_account(db, settings, "ba", Role.MEMBER, world.cell)
    resp = await client.post("/api/auth/login", json={"username": "ba", "password": PASSWORD})
    header = resp.headers["Set-Cookie"]
    assert header.startswith("hopchibo=")
    assert "Secure" not in header
    assert "HttpOnly" in header and "SameSite=Strict" in header


async def test_new_identifier_at_every_sign_in(
    client: Client, settings: Settings, db: Database, world: World, clock: FakeClock
) -> None:
    user = await make_account(db, settings, "chi", Role.MEMBER, world.cell)
    await sign_in(client, user, clock())
    first = {c.key: c.value for c in client.session.cookie_jar}["hopchibo"]
    clock.advance(seconds=30)
    await sign_in(client, user, clock())
    second = {c.key: c.value for c in client.session.cookie_jar}["hopchibo"]
    assert first != second
    client.session.cookie_jar.clear()
    resp = await client.get("/api/organisations", headers={"Cookie": f"hopchibo={first}"})
    assert resp.status == 401
    resp = await client.get("/api/organisations", headers={"Cookie": f"hopchibo={second}"})
    assert resp.status == 200


async def test_idle_limit(
    client: Client, settings: Settings, db: Database, world: World, clock: FakeClock
) -> None:
    user = await make_account(db, settings, "duc", Role.MEMBER, world.cell)
    await sign_in(client, user, clock())
    clock.advance(minutes=29)
    assert (await client.get(f"/api/organisations/{world.cell}")).status == 200
    clock.advance(minutes=29)  # active 29 minutes ago: still alive
    assert (await client.get(f"/api/organisations/{world.cell}")).status == 200
    clock.advance(minutes=30)
    resp = await client.get(f"/api/organisations/{world.cell}")
    assert resp.status == 401
    assert (await resp.json())["code"] == "unauthenticated"
    record = await last_audit(db, "access.denied")
    assert record.details["reason"] == "no_session"


async def test_absolute_limit(
    client: Client, settings: Settings, db: Database, world: World, clock: FakeClock
) -> None:
    user = await make_account(db, settings, "em", Role.MEMBER, world.cell)
    await sign_in(client, user, clock())
    for _ in range(35):  # active every 20 minutes for 11 h 40 min
        clock.advance(minutes=20)
        assert (await client.get(f"/api/organisations/{world.cell}")).status == 200
    clock.advance(minutes=20)  # 12 hours after sign-in
    resp = await client.get(f"/api/organisations/{world.cell}")
    assert resp.status == 401
    assert (await last_audit(db, "access.denied")).details["reason"] == "no_session"


async def test_sign_out_everywhere(
    client: Client, settings: Settings, db: Database, world: World, clock: FakeClock
) -> None:
    user = await make_account(db, settings, "phuc", Role.MEMBER, world.cell)
    await sign_in(client, user, clock())  # e.g. on the ship's laptop
    laptop = {c.key: c.value for c in client.session.cookie_jar}["hopchibo"]
    client.session.cookie_jar.clear()
    clock.advance(seconds=30)
    csrf = await sign_in(client, user, clock())  # and on the phone
    phone = {c.key: c.value for c in client.session.cookie_jar}["hopchibo"]
    client.session.cookie_jar.clear()
    for token in (laptop, phone):
        resp = await client.get("/api/auth/passkeys", headers={"Cookie": f"hopchibo={token}"})
        assert resp.status == 200
    resp = await client.post(
        "/api/auth/logout-all", headers={"X-CSRF-Token": csrf, "Cookie": f"hopchibo={phone}"}
    )
    assert resp.status == 200
    assert (await resp.json())["ended"] == 2
    for token in (laptop, phone):
        resp = await client.get("/api/auth/passkeys", headers={"Cookie": f"hopchibo={token}"})
        assert resp.status == 401
    assert (await last_audit(db, "auth.signout_all")).details == {"sessions": 2}


async def test_post_without_csrf_token_is_403(
    client: Client, settings: Settings, db: Database, world: World, clock: FakeClock
) -> None:
    user = await make_account(db, settings, "quang", Role.SECRETARY, world.cell)
    csrf = await sign_in(client, user, clock())
    meeting = {
        "kind": "regular",
        "mode": "in_person",
        "title": "Họp",
        "scheduled_start": "2026-12-03T08:00:00+07:00",
    }
    path = f"/api/organisations/{world.cell}/meetings"
    for headers in ({}, {"X-CSRF-Token": "0" * 64}):
        resp = await client.post(path, json=meeting, headers=headers)
        assert resp.status == 403
        assert (await resp.json())["code"] == "csrf"
        record = await last_audit(db, "access.denied")
        assert (record.actor, record.details["reason"]) == (f"account:{user.id}", "csrf")
    resp = await client.post(path, json=meeting, headers={"X-CSRF-Token": csrf})
    assert resp.status == 201


async def test_api_token_reads_only(
    client: Client, settings: Settings, db: Database, world: World, clock: FakeClock
) -> None:
    user = await make_account(db, settings, "son", Role.SECRETARY, world.cell)
    async with db.session() as s:
        token, _ = await create_api_token(s, audit_log(db, settings), user.id, 30, clock())
    assert (await last_audit(db, "apitoken.create")).details["minutes"] == 30
    bearer = {"Authorization": f"Bearer {token}"}
    resp = await client.get("/api/organisations?level=cell", headers=bearer)
    assert resp.status == 200
    assert [o["code"] for o in await resp.json()] == ["CB-1"]
    resp = await client.post(
        f"/api/organisations/{world.cell}/members",
        json={"full_name": "X", "status": "full"},
        headers=bearer,
    )
    assert resp.status == 403
    assert (await last_audit(db, "access.denied")).details["reason"] == "token_read_only"
    clock.advance(minutes=31)
    resp = await client.get("/api/organisations", headers=bearer)
    assert resp.status == 401
    assert (await last_audit(db, "access.denied")).details["reason"] == "bad_token"


async def test_no_session_no_api(client: Client) -> None:
    resp = await client.get("/api/organisations")
    assert resp.status == 401
    assert (await resp.json())["message"]["vi"] == "Bạn cần đăng nhập."
    assert (await client.get("/api/health")).status == 200
    assert (await client.get("/api/i18n")).status == 200


async def test_factor_changes_need_a_recent_sign_in_or_step_up(
    client: Client, settings: Settings, db: Database, world: World, clock: FakeClock
) -> None:
    user = await make_account(db, settings, "vu", Role.MEMBER, world.cell)
    csrf = await sign_in(client, user, clock())
    headers = {"X-CSRF-Token": csrf}
    assert (await client.post("/api/auth/recovery-codes", headers=headers)).status == 200
    clock.advance(minutes=11)
    for path in ("/api/auth/recovery-codes", "/api/auth/passkeys/options", "/api/auth/totp/setup"):
        resp = await client.post(path, headers=headers)
        assert resp.status == 403
        assert (await resp.json())["code"] == "step_up_required"
        assert (await last_audit(db, "access.denied")).details["path"] == path
    code = factors.totp_now(user.totp_secret, clock())
    resp = await client.post("/api/auth/step-up", json={"code": code}, headers=headers)
    assert resp.status == 200
    resp = await client.post("/api/auth/recovery-codes", headers=headers)
    assert resp.status == 200
    assert len((await resp.json())["recovery_codes"]) == 10


async def test_dead_sessions_and_tokens_are_purged_and_the_purge_is_audited(
    client: Client, settings: Settings, db: Database, world: World, clock: FakeClock
) -> None:
    user = await make_account(db, settings, "xoa", Role.MEMBER, world.cell)
    await sign_in(client, user, clock())  # a partial (mfa) row, revoked, and a full one
    async with db.session() as s:
        await create_api_token(s, audit_log(db, settings), user.id, 30, clock())
    sessions = Sessions(db, settings.security, clock)
    assert (await sessions.purge()).total == 0  # all of them could still be in use or looked at
    limit = settings.security.session_absolute_hours
    clock.advance(hours=limit + 24, minutes=1)
    await sign_in(client, user, clock())  # a live session, which must survive
    async with db.session() as s:
        before = len((await s.execute(select(AuthSession))).scalars().all())
    assert before == 4

    audit = audit_log(db, settings)
    task = asyncio.get_running_loop().create_task(purge_periodically(sessions, audit))
    try:
        for _ in range(100):  # the first round runs at once
            if await audit_records(db, "auth.purge"):
                break
            await asyncio.sleep(0.05)
    finally:
        task.cancel()
    record = await last_audit(db, "auth.purge")
    assert record.actor == "system"
    assert (record.details["sessions"], record.details["bearer_grants"]) == (2, 1)
    async with db.session() as s:
        left = (await s.execute(select(AuthSession))).scalars().all()
        tokens = (await s.execute(select(ApiToken))).scalars().all()
    assert len(left) == 2 and all(row.created_at == clock() for row in left)
    assert tokens == []
    resp = await client.get("/api/auth/session")
    assert (await resp.json())["authenticated"] is True  # the live session was kept
    assert (await sessions.purge()).total == 0  # nothing left to purge: no second audit record
