"""Passkeys (WebAuthn, user verification required) with real signed responses: registration,
sign-in, and refusals for a wrong origin, a wrong RP id, no user verification and a sign
counter that does not increase — each with a code and an audit record."""

from __future__ import annotations

from typing import Any

import pytest

from policy.model import Role
from server.config import Settings
from server.storage.db import Database
from tests.conftest import Client
from tests.server.auth.authenticator import UP, UV, SoftAuthenticator
from tests.server.auth.conftest import ORIGIN, RP_ID, World
from tests.server.auth.support import FakeClock, SignInAccount, last_audit, make_account, sign_in


async def _register(client: Client, csrf: str, device: SoftAuthenticator) -> dict[str, Any]:
    headers = {"X-CSRF-Token": csrf}
    options = await (await client.post("/api/auth/passkeys/options", headers=headers)).json()
    assert options["publicKey"]["authenticatorSelection"]["userVerification"] == "required"
    assert options["publicKey"]["rp"]["id"] == RP_ID
    resp = await client.post(
        "/api/auth/passkeys",
        json={"credential": device.create(options), "name": "Điện thoại"},
        headers=headers,
    )
    assert resp.status == 201, await resp.text()
    body = await resp.json()
    assert isinstance(body, dict)
    return body


async def _member_with_passkey(
    client: Client, db: Database, settings: Settings, world: World, clock: FakeClock, name: str
) -> tuple[SignInAccount, SoftAuthenticator]:
    user = await make_account(
        db, settings, name, Role.MEMBER, world.cell, member_id=world.members[1]
    )
    csrf = await sign_in(client, user, clock())
    device = SoftAuthenticator(RP_ID, ORIGIN)
    await _register(client, csrf, device)
    added = await last_audit(db, "auth.factor.add")
    assert (added.target, added.details) == (f"account:{user.id}", {"kind": "passkey"})
    # a second passkey for the same member
    await _register(client, csrf, SoftAuthenticator(RP_ID, ORIGIN))
    listed = await (await client.get("/api/auth/passkeys")).json()
    assert [k["name"] for k in listed] == ["Điện thoại", "Điện thoại"]
    client.session.cookie_jar.clear()
    return user, device


async def _assert(client: Client, credential: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    resp = await client.post("/api/auth/passkey/verify", json={"credential": credential})
    return resp.status, await resp.json()


async def _options(client: Client) -> dict[str, Any]:
    resp = await client.post("/api/auth/passkey/options")
    assert resp.status == 200
    options = await resp.json()
    assert options["publicKey"]["userVerification"] == "required"
    assert isinstance(options, dict)
    return options


async def test_passkey_sign_in(
    client: Client, db: Database, settings: Settings, world: World, clock: FakeClock
) -> None:
    user, device = await _member_with_passkey(client, db, settings, world, clock, "tam")
    status, body = await _assert(client, device.get(await _options(client)))
    assert (status, body["stage"]) == (200, "full")
    success = await last_audit(db, "auth.signin.success")
    assert (success.target, success.details["method"]) == (f"account:{user.id}", "passkey")
    resp = await client.get(f"/api/meetings/{world.meeting}")
    assert (await resp.json())["title"] == "Sinh hoạt chi bộ tháng 12"


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("origin", "passkey_origin"),
        ("rp_id", "passkey_rp_id"),
        ("no_uv", "passkey_user_verification"),
        ("counter", "passkey_sign_count"),
        ("replayed_challenge", "passkey_challenge"),
    ],
)
async def test_passkey_assertion_refused(
    client: Client,
    db: Database,
    settings: Settings,
    world: World,
    clock: FakeClock,
    case: str,
    reason: str,
) -> None:
    user, device = await _member_with_passkey(client, db, settings, world, clock, "vinh")
    if case == "counter":
        status, _ = await _assert(client, device.get(await _options(client), counter=7))
        assert status == 200
        client.session.cookie_jar.clear()
        credential = device.get(await _options(client), counter=7)
    elif case == "replayed_challenge":
        credential = device.get(await _options(client))
        assert (await _assert(client, credential))[0] == 200
        client.session.cookie_jar.clear()
    elif case == "origin":
        credential = device.get(await _options(client), origin="https://evil.example")
    elif case == "rp_id":
        credential = device.get(await _options(client), rp_id="evil.example")
    else:
        credential = device.get(await _options(client), flags=UP)
    status, body = await _assert(client, credential)
    assert status == 401
    assert body["code"] == "passkey_rejected"
    record = await last_audit(db, "auth.signin.failure")
    assert record.details["reason"] == reason
    assert record.target == f"account:{user.id}"
    assert (await client.get("/api/auth/session")).status == 200
    assert (await (await client.get("/api/auth/session")).json())["authenticated"] is False


async def test_passkey_registration_refused(
    client: Client, db: Database, settings: Settings, world: World, clock: FakeClock
) -> None:
    user = await make_account(db, settings, "yen", Role.MEMBER, world.cell)
    csrf = await sign_in(client, user, clock())
    headers = {"X-CSRF-Token": csrf}
    device = SoftAuthenticator(RP_ID, ORIGIN)
    for kwargs, reason in (
        ({"origin": "https://evil.example"}, "passkey_register_origin"),
        ({"rp_id": "evil.example"}, "passkey_register_rp_id"),
        ({"flags": UP | 0x40}, "passkey_register_user_verification"),
    ):
        options = await (await client.post("/api/auth/passkeys/options", headers=headers)).json()
        resp = await client.post(
            "/api/auth/passkeys",
            json={"credential": device.create(options, **kwargs)},
            headers=headers,
        )
        assert resp.status == 401
        assert (await resp.json())["code"] == "passkey_rejected"
        assert (await last_audit(db, "auth.signin.failure")).details["reason"] == reason
    assert await (await client.get("/api/auth/passkeys")).json() == []
    assert UV == 0x04


async def test_step_up_with_a_passkey(
    client: Client, db: Database, settings: Settings, world: World, clock: FakeClock
) -> None:
    officer = await make_account(db, settings, "baomat", Role.SECURITY_OFFICER, world.grassroots)
    csrf = await sign_in(client, officer, clock())
    device = SoftAuthenticator(RP_ID, ORIGIN)
    await _register(client, csrf, device)
    headers = {"X-CSRF-Token": csrf}
    assert (await client.get("/api/audit")).status == 403
    # a response for another purpose (a sign-in challenge) does not step up
    stray = device.get(await _options(client))
    resp = await client.post(
        "/api/auth/step-up/passkey", json={"credential": stray}, headers=headers
    )
    assert resp.status == 401
    assert (await resp.json())["code"] == "passkey_rejected"
    failure = await last_audit(db, "auth.signin.failure")
    assert failure.details["reason"] == "passkey_stepup_challenge"
    options = await (await client.post("/api/auth/step-up/passkey/options", headers=headers)).json()
    resp = await client.post(
        "/api/auth/step-up/passkey", json={"credential": device.get(options)}, headers=headers
    )
    assert resp.status == 200
    assert (await last_audit(db, "auth.stepup")).details == {"method": "passkey"}
    assert (await client.get("/api/audit")).status == 200
