"""Enrolment links and the administrator's account work, through the real API: a member enrols
by a single-use, expiring link (password, TOTP, recovery codes once); a second-factor reset
without the administrator's own step-up is refused (403, audited), with it audited, and the
member is asked to enrol a new factor at next sign-in; locking; sign-out everywhere."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from policy.model import Role
from server.auth import factors
from server.config import Settings
from server.storage.db import Database
from tests.conftest import Client
from tests.server.auth.conftest import ORIGIN, World
from tests.server.auth.support import (
    FakeClock,
    SignInAccount,
    audit_records,
    last_audit,
    make_account,
    sign_in,
)

NEW_PASSWORD = "mật-khẩu-mới-của-tôi-2026"


async def _invite(
    client: Client, csrf: str, member_id: int, username: str
) -> tuple[int, dict[str, object]]:
    resp = await client.post(
        "/api/enrolments",
        json={"member_id": member_id, "username": username},
        headers={"X-CSRF-Token": csrf},
    )
    return resp.status, await resp.json()


async def _enrol_totp(client: Client, token: str, clock: FakeClock) -> tuple[str, list[str]]:
    """Password on the link, then TOTP: the secret and the recovery codes."""
    resp = await client.post(
        "/api/auth/enrolment/password", json={"token": token, "password": NEW_PASSWORD}
    )
    assert resp.status == 200, await resp.text()
    body = await resp.json()
    assert body["stage"] == "enrol"
    csrf = body["csrf"]
    resp = await client.post("/api/auth/totp/setup", headers={"X-CSRF-Token": csrf})
    assert resp.status == 200, await resp.text()
    setup = await resp.json()
    assert setup["qr"].startswith("data:image/svg+xml;base64,")
    secret = parse_qs(urlparse(setup["uri"]).query)["secret"][0]
    resp = await client.post(
        "/api/auth/totp/confirm",
        json={"code": factors.totp_now(secret, clock())},
        headers={"X-CSRF-Token": csrf},
    )
    assert resp.status == 200, await resp.text()
    done = await resp.json()
    assert done["stage"] == "full"
    assert len(done["recovery_codes"]) == 10
    return secret, done["recovery_codes"]


async def _admin(db: Database, settings: Settings, world: World) -> SignInAccount:
    return await make_account(db, settings, "quantri", Role.ADMIN, world.grassroots)


async def test_member_enrols_by_a_single_use_link(
    client: Client, db: Database, settings: Settings, world: World, clock: FakeClock
) -> None:
    admin = await _admin(db, settings, world)
    csrf = await sign_in(client, admin, clock())
    status, body = await _invite(client, csrf, world.members[1], "dangvien1")
    assert status == 201, body
    url = str(body["url"])
    assert url.startswith(f"{ORIGIN}/enrol#")
    token = url.split("#", 1)[1]
    record = await last_audit(db, "enrolment.invite")
    assert record.actor == f"account:{admin.id}"
    assert token not in str(record.details)
    # an enrolled account is not invited again
    client.session.cookie_jar.clear()
    resp = await client.post("/api/auth/enrolment", json={"token": token})
    assert resp.status == 200
    assert (await resp.json())["username"] == "dangvien1"
    secret, codes = await _enrol_totp(client, token, clock)
    # the session is full: the member's own record is readable
    resp = await client.get(f"/api/members/{world.members[1]}")
    assert resp.status == 200
    # the link is spent: refused and audited
    client.session.cookie_jar.clear()
    resp = await client.post(
        "/api/auth/enrolment/password", json={"token": token, "password": NEW_PASSWORD}
    )
    assert resp.status == 410
    assert (await resp.json())["message"]["vi"].startswith("Đường dẫn đăng ký không dùng được")
    rejected = await last_audit(db, "enrolment.rejected")
    assert rejected.details["reason"] == "used"
    # signs in with the new password and TOTP
    member = SignInAccount(0, "dangvien1", NEW_PASSWORD, secret, tuple(codes), world.members[1])
    clock.advance(seconds=30)
    await sign_in(client, member, clock())
    # inviting an enrolled account again is refused
    client.session.cookie_jar.clear()
    csrf = await sign_in(client, admin, clock())
    status, body = await _invite(client, csrf, world.members[1], "")
    assert status == 409


async def test_link_expires(
    client: Client, db: Database, settings: Settings, world: World, clock: FakeClock
) -> None:
    secretary = await make_account(
        db, settings, "bithu", Role.SECRETARY, world.cell, member_id=world.members[0]
    )
    csrf = await sign_in(client, secretary, clock())
    status, body = await _invite(client, csrf, world.members[2], "dangvien2")
    assert status == 201, body  # the secretary may invite too
    token = str(body["url"]).split("#", 1)[1]
    # a member of another cell is not the secretary's to invite
    status, _ = await _invite(client, csrf, world.other_member, "khac")
    assert status == 403
    client.session.cookie_jar.clear()
    clock.advance(hours=settings.security.invitation_hours, seconds=1)
    resp = await client.post(
        "/api/auth/enrolment/password", json={"token": token, "password": NEW_PASSWORD}
    )
    assert resp.status == 410
    assert (await last_audit(db, "enrolment.rejected")).details["reason"] == "expired"


async def test_factor_reset_needs_the_administrators_step_up(
    client: Client, db: Database, settings: Settings, world: World, clock: FakeClock
) -> None:
    member = await make_account(
        db, settings, "dangvien", Role.MEMBER, world.cell, member_id=world.members[1]
    )
    admin = await _admin(db, settings, world)
    # the member is signed in on a phone that gets lost
    phone = await sign_in(client, member, clock())
    phone_cookies = list(client.session.cookie_jar)
    client.session.cookie_jar.clear()
    clock.advance(minutes=20)  # the administrator's sign-in is no longer recent
    csrf = await sign_in(client, admin, clock())
    clock.advance(minutes=20)
    # 1. without a fresh step-up: refused, 403, audited
    resp = await client.post(
        f"/api/accounts/{member.id}/factor-reset", headers={"X-CSRF-Token": csrf}
    )
    assert resp.status == 403
    assert (await resp.json())["code"] == "step_up_required"
    denied = await audit_records(db, "access.denied")
    assert any(
        r.actor == f"account:{admin.id}"
        and r.details["reason"] == "step_up"
        and r.target == f"/api/accounts/{member.id}/factor-reset"
        for r in denied
    )
    assert not await audit_records(db, "account.factor_reset")
    # a secretary may not reset at all (ACCOUNTS_MANAGE is the administrator's)
    # 2. the administrator's own step-up, then the reset: audited
    clock.advance(seconds=30)
    resp = await client.post(
        "/api/auth/step-up",
        json={"code": factors.totp_now(admin.totp_secret, clock())},
        headers={"X-CSRF-Token": csrf},
    )
    assert resp.status == 200, await resp.text()
    resp = await client.post(
        f"/api/accounts/{member.id}/factor-reset", headers={"X-CSRF-Token": csrf}
    )
    assert resp.status == 200, await resp.text()
    assert (await resp.json())["count"] >= 1
    record = await last_audit(db, "account.factor_reset")
    assert (record.actor, record.target) == (f"account:{admin.id}", f"account:{member.id}")
    assert record.details["sessions_ended"] == 1
    assert member.totp_secret not in str(record.details)
    # the lost phone's session is over
    client.session.cookie_jar.clear()
    for cookie in phone_cookies:
        client.session.cookie_jar.update_cookies({cookie.key: cookie.value})
    resp = await client.get(f"/api/members/{world.members[1]}", headers={"X-CSRF-Token": phone})
    assert resp.status == 401
    # the secretary may not hand a reset account a new password by link (the administrator may)
    secretary = await make_account(
        db, settings, "bithu", Role.SECRETARY, world.cell, member_id=world.members[0]
    )
    client.session.cookie_jar.clear()
    secretary_csrf = await sign_in(client, secretary, clock())
    status, _ = await _invite(client, secretary_csrf, world.members[1], "")
    assert status == 403
    # 3. next sign-in: the member is told and enrols a new factor
    client.session.cookie_jar.clear()
    resp = await client.post(
        "/api/auth/login", json={"username": member.username, "password": member.password}
    )
    assert resp.status == 200
    body = await resp.json()
    assert body["stage"] == "enrol"
    assert body["factor_reset"] is True
    resp = await client.get("/api/auth/session")
    assert (await resp.json())["factor_reset"] is True
    resp = await client.post("/api/auth/totp/setup", headers={"X-CSRF-Token": body["csrf"]})
    setup = await resp.json()
    secret = parse_qs(urlparse(setup["uri"]).query)["secret"][0]
    resp = await client.post(
        "/api/auth/totp/confirm",
        json={"code": factors.totp_now(secret, clock())},
        headers={"X-CSRF-Token": body["csrf"]},
    )
    assert resp.status == 200
    assert (await resp.json())["stage"] == "full"
    resp = await client.get("/api/auth/session")
    assert (await resp.json())["factor_reset"] is False
    # the security officer sees the refusal and the reset in the console, never a secret
    officer = await make_account(db, settings, "baomat", Role.SECURITY_OFFICER, world.grassroots)
    client.session.cookie_jar.clear()
    csrf = await sign_in(client, officer, clock())
    clock.advance(seconds=30)
    resp = await client.post(
        "/api/auth/step-up",
        json={"code": factors.totp_now(officer.totp_secret, clock())},
        headers={"X-CSRF-Token": csrf},
    )
    assert resp.status == 200, await resp.text()
    resp = await client.get("/api/audit?action=account.factor_reset")
    assert resp.status == 200, await resp.text()
    seen = await resp.json()
    rows = seen["records"] if isinstance(seen, dict) else seen
    assert [r["target"] for r in rows] == [f"account:{member.id}"]
    assert secret not in str(rows) and member.totp_secret not in str(rows)


async def test_lock_unlock_and_sign_out_everywhere(
    client: Client, db: Database, settings: Settings, world: World, clock: FakeClock
) -> None:
    member = await make_account(
        db, settings, "dangvien", Role.MEMBER, world.cell, member_id=world.members[1]
    )
    secretary = await make_account(
        db, settings, "bithu", Role.SECRETARY, world.cell, member_id=world.members[0]
    )
    admin = await _admin(db, settings, world)
    await sign_in(client, member, clock())
    client.session.cookie_jar.clear()
    csrf = await sign_in(client, secretary, clock())
    for path in ("lock", "logout-all", "factor-reset"):
        resp = await client.post(
            f"/api/accounts/{member.id}/{path}",
            json={"locked": True} if path == "lock" else None,
            headers={"X-CSRF-Token": csrf},
        )
        assert resp.status == 403, path  # the administrator's, not the secretary's
    client.session.cookie_jar.clear()
    clock.advance(seconds=30)
    csrf = await sign_in(client, admin, clock())
    resp = await client.post(
        f"/api/accounts/{member.id}/logout-all", headers={"X-CSRF-Token": csrf}
    )
    assert (await resp.json())["count"] == 1
    assert (await last_audit(db, "account.signout_all")).target == f"account:{member.id}"
    resp = await client.post(
        f"/api/accounts/{member.id}/lock", json={"locked": True}, headers={"X-CSRF-Token": csrf}
    )
    assert resp.status == 200
    assert (await last_audit(db, "account.lock")).actor == f"account:{admin.id}"
    client.session.cookie_jar.clear()
    resp = await client.post(
        "/api/auth/login", json={"username": member.username, "password": member.password}
    )
    assert resp.status == 401  # locked: the password alone is refused
    clock.advance(seconds=30)
    csrf = await sign_in(client, admin, clock())
    resp = await client.post(
        f"/api/accounts/{member.id}/lock", json={"locked": False}, headers={"X-CSRF-Token": csrf}
    )
    assert resp.status == 200
    assert (await last_audit(db, "account.unlock")).target == f"account:{member.id}"
    client.session.cookie_jar.clear()
    clock.advance(seconds=30)
    await sign_in(client, member, clock())
