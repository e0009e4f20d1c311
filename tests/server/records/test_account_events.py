"""R7: the security officer's account events (GET /api/audit/accounts) through the real app.

An administrator invites a member to enrol; the member sets a password and a TOTP factor by the
link; the administrator's reset of that factor is refused without a fresh step-up and done with
one; the account is locked, unlocked and signed out everywhere. The officer's listing names every
one of these, who did it to whom, and holds no secret: no TOTP seed, no enrolment token, no
password, no password hash, no recovery code."""

from __future__ import annotations

from sqlalchemy import select

from policy.model import Role
from server.auth import factors
from server.config import Settings
from server.storage.db import Database
from server.storage.models import Account
from tests.conftest import Client
from tests.server.auth.conftest import World
from tests.server.auth.support import FakeClock, audit_records, make_account, sign_in
from tests.server.auth.test_enrolment import NEW_PASSWORD, _enrol_totp, _invite


async def _step_up(client: Client, csrf: str, secret: str, clock: FakeClock) -> None:
    clock.advance(seconds=30)
    resp = await client.post(
        "/api/auth/step-up",
        json={"code": factors.totp_now(secret, clock())},
        headers={"X-CSRF-Token": csrf},
    )
    assert resp.status == 200, await resp.text()


async def test_officer_sees_account_events_never_secrets(
    client: Client, db: Database, settings: Settings, world: World, clock: FakeClock
) -> None:
    admin = await make_account(db, settings, "quantri", Role.ADMIN, world.grassroots)
    officer = await make_account(db, settings, "canbo", Role.SECURITY_OFFICER, world.grassroots)
    csrf = await sign_in(client, admin, clock())
    status, body = await _invite(client, csrf, world.members[1], "dangvien1")
    assert status == 201, body
    token = str(body["url"]).split("#", 1)[1]
    client.session.cookie_jar.clear()
    secret, codes = await _enrol_totp(client, token, clock)
    async with db.session() as s:
        account = (
            await s.execute(select(Account).where(Account.username == "dangvien1"))
        ).scalar_one()
        member_account, password_hash = account.id, account.password_hash
    assert password_hash

    client.session.cookie_jar.clear()
    clock.advance(minutes=40)  # the administrator's sign-in is no longer a fresh step-up
    csrf = await sign_in(client, admin, clock())
    clock.advance(minutes=20)
    reset = f"/api/accounts/{member_account}/factor-reset"
    resp = await client.post(reset, headers={"X-CSRF-Token": csrf})
    assert resp.status == 403 and (await resp.json())["code"] == "step_up_required"
    await _step_up(client, csrf, admin.totp_secret, clock)
    resp = await client.post(reset, headers={"X-CSRF-Token": csrf})
    assert resp.status == 200, await resp.text()
    for path, json in (
        (f"/api/accounts/{member_account}/lock", {"locked": True}),
        (f"/api/accounts/{member_account}/lock", {"locked": False}),
        (f"/api/accounts/{member_account}/logout-all", None),
    ):
        resp = await client.post(path, json=json, headers={"X-CSRF-Token": csrf})
        assert resp.status == 200, (path, await resp.text())

    # the officer: refused without a step-up, then the listing
    client.session.cookie_jar.clear()
    csrf = await sign_in(client, officer, clock())
    clock.advance(minutes=20)
    resp = await client.get("/api/audit/accounts")
    assert resp.status == 403 and (await resp.json())["code"] == "step_up_required"
    await _step_up(client, csrf, officer.totp_secret, clock)
    resp = await client.get("/api/audit/accounts")
    assert resp.status == 200, await resp.text()
    raw = await resp.text()
    events = await resp.json()
    seen = [(e["event"], e["actor"], e["target"]) for e in events]
    admin_actor, member_target = f"account:{admin.id}", f"account:{member_account}"
    for expected in (
        ("invite", admin_actor, member_target),
        ("enrol_password", member_target, member_target),
        ("factor_add", member_target, member_target),
        ("factor_reset_no_step_up", admin_actor, member_target),
        ("factor_reset", admin_actor, member_target),
        ("lock", admin_actor, member_target),
        ("unlock", admin_actor, member_target),
        ("signout_all_admin", admin_actor, member_target),
    ):
        assert expected in seen, (expected, seen)
    # newest first, names resolved, times as instants (the page shows them in Vietnam time)
    assert [e["seq"] for e in events] == sorted((e["seq"] for e in events), reverse=True)
    lock = next(e for e in events if e["event"] == "lock")
    assert lock["actor_name"] == "quantri (quantri)"
    assert lock["target_name"] is not None and "(dangvien1)" in lock["target_name"]
    assert set(lock["details"]) == {"sessions_ended"}
    # no secret of any kind in the listing
    for secret_text in (
        secret,
        admin.totp_secret,
        officer.totp_secret,
        token,
        NEW_PASSWORD,
        admin.password,
        password_hash,
        *codes,
    ):
        assert secret_text not in raw, secret_text
    for e in events:
        assert not {"link", "token", "secret", "code", "path"} & set(e["details"])
    # the view itself is audited
    views = await audit_records(db, "audit.view")
    assert any(v.details.get("view") == "accounts" for v in views)
    # other log records (the officer's own step-up, sign-ins) are not account events
    assert "auth.stepup" not in {e["action"] for e in events}
