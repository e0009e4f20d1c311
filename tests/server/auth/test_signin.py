"""Password and second factor through the real app: every refusal has a code and an audit
record, with no secret in it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

from policy.model import Role
from server.app import create_app
from server.auth import factors
from server.config import Settings
from server.storage.db import Database
from tests.conftest import AiohttpClient, Client
from tests.server.auth.conftest import World, make_settings
from tests.server.auth.support import (
    PASSWORD,
    FakeClock,
    audit_records,
    last_audit,
    make_account,
    sign_in,
)


def _no_secret_in(record_details: dict[str, object], *secrets: str) -> None:
    text = json.dumps(record_details, ensure_ascii=False)
    for secret in secrets:
        assert secret not in text


async def _login(client: Client, username: str, password: str = PASSWORD) -> tuple[int, dict]:  # type: ignore[type-arg]
    resp = await client.post("/api/auth/login", json={"username": username, "password": password})
    return resp.status, await resp.json()


async def test_wrong_password_refused_and_audited(
    client: Client, db: Database, settings: Settings, world: World
) -> None:
    user = await make_account(db, settings, "anh", Role.MEMBER, world.cell)
    status, body = await _login(client, "anh", "sai-mật-khẩu-hoàn-toàn")
    assert status == 401
    assert body["code"] == "bad_credentials"
    assert body["message"]["vi"].startswith("Tên đăng nhập")
    record = await last_audit(db, "auth.signin.failure")
    assert record.target == f"account:{user.id}"
    assert record.details["reason"] == "password"
    _no_secret_in(record.details, "sai-mật-khẩu-hoàn-toàn", PASSWORD)
    # an unknown user gets the same answer, audited by name
    status, body = await _login(client, "khong-ai-ca")
    assert (status, body["code"]) == (401, "bad_credentials")
    assert (await last_audit(db, "auth.signin.failure")).target == "username:khong-ai-ca"


async def test_wrong_totp_refused_and_audited(
    client: Client, db: Database, settings: Settings, world: World, clock: FakeClock
) -> None:
    user = await make_account(db, settings, "binh", Role.MEMBER, world.cell)
    status, first = await _login(client, "binh")
    assert (status, first["stage"]) == (200, "mfa")
    assert set(first["methods"]) == {"totp", "recovery"}
    right = factors.totp_now(user.totp_secret, clock())
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    resp = await client.post(
        "/api/auth/totp/verify", json={"code": wrong}, headers={"X-CSRF-Token": first["csrf"]}
    )
    assert resp.status == 401
    assert (await resp.json())["code"] == "bad_second_factor"
    record = await last_audit(db, "auth.signin.failure")
    assert (record.target, record.details["reason"]) == (f"account:{user.id}", "totp")
    _no_secret_in(record.details, wrong, user.totp_secret)
    # the session is still only half signed in: the API stays closed
    resp = await client.get("/api/organisations")
    assert resp.status == 401


async def test_replayed_totp_refused_and_audited(
    client: Client, db: Database, settings: Settings, world: World, clock: FakeClock
) -> None:
    user = await make_account(db, settings, "cuong", Role.MEMBER, world.cell)
    code = factors.totp_now(user.totp_secret, clock())
    await sign_in(client, user, clock())
    client.session.cookie_jar.clear()
    status, first = await _login(client, "cuong")
    assert status == 200
    clock.advance(seconds=5)  # same 30-second step
    resp = await client.post(
        "/api/auth/totp/verify", json={"code": code}, headers={"X-CSRF-Token": first["csrf"]}
    )
    assert resp.status == 401
    assert (await resp.json())["code"] == "bad_second_factor"
    record = await last_audit(db, "auth.signin.failure")
    assert record.details["reason"] == "totp_replay"
    _no_secret_in(record.details, code)
    # the next time step works
    clock.advance(seconds=30)
    resp = await client.post(
        "/api/auth/totp/verify",
        json={"code": factors.totp_now(user.totp_secret, clock())},
        headers={"X-CSRF-Token": first["csrf"]},
    )
    assert resp.status == 200
    assert (await last_audit(db, "auth.signin.success")).details["method"] == "password+totp"


async def test_recovery_code_works_once(
    client: Client, db: Database, settings: Settings, world: World
) -> None:
    user = await make_account(db, settings, "dung", Role.MEMBER, world.cell)
    code = user.recovery_codes[0]
    for attempt in range(2):
        client.session.cookie_jar.clear()
        status, first = await _login(client, "dung")
        assert status == 200
        resp = await client.post(
            "/api/auth/recovery/verify",
            json={"code": code},
            headers={"X-CSRF-Token": first["csrf"]},
        )
        if attempt == 0:
            assert resp.status == 200
            used = await last_audit(db, "auth.factor.recovery_used")
            assert used.details == {"left": 9}
        else:
            assert resp.status == 401
            assert (await resp.json())["code"] == "bad_second_factor"
            record = await last_audit(db, "auth.signin.failure")
            assert record.details["reason"] == "recovery"
            _no_secret_in(record.details, code)


async def test_growing_delay_then_lock_with_retry_after(
    client: Client, db: Database, settings: Settings, world: World, clock: FakeClock
) -> None:
    await make_account(db, settings, "giang", Role.MEMBER, world.cell)
    statuses = []
    for _ in range(2):
        status, body = await _login(client, "giang", "sai-mật-khẩu-1234")
        statuses.append(body["code"])
    # third failure: a delay starts
    status, body = await _login(client, "giang", "sai-mật-khẩu-1234")
    assert (status, body["code"]) == (401, "bad_credentials")
    resp = await client.post("/api/auth/login", json={"username": "giang", "password": PASSWORD})
    assert resp.status == 429
    assert resp.headers["Retry-After"] == "2"
    body = await resp.json()
    assert body["code"] == "rate_limited"
    assert "2 giây" in body["message"]["vi"]
    assert (await last_audit(db, "auth.throttled")).details["retry_after"] == 2
    # failures 4 and 5 (after waiting each delay): the fifth locks the account for 15 minutes
    clock.advance(seconds=2)
    await _login(client, "giang", "sai-mật-khẩu-1234")
    clock.advance(seconds=4)
    status, body = await _login(client, "giang", "sai-mật-khẩu-1234")
    assert status == 429
    assert body["code"] == "rate_limited"
    assert "15 phút" in body["message"]["vi"]
    lock = await last_audit(db, "auth.lock")
    assert lock.details["scope"] == "account_address"
    assert lock.details["minutes"] == settings.security.login_lock_minutes
    # even the right password waits until the lock ends
    resp = await client.post("/api/auth/login", json={"username": "giang", "password": PASSWORD})
    assert resp.status == 429
    assert int(resp.headers["Retry-After"]) == 15 * 60
    clock.advance(minutes=15, seconds=1)
    status, body = await _login(client, "giang")
    assert (status, body["stage"]) == (200, "mfa")
    assert statuses == ["bad_credentials", "bad_credentials"]


async def test_one_member_locked_out_while_a_crewmate_signs_in_from_the_same_address(
    client: Client, db: Database, settings: Settings, world: World, clock: FakeClock
) -> None:
    """A ship's crew shares one address: one member's lock is that member's alone."""
    await make_account(db, settings, "thuyen-truong", Role.MEMBER, world.cell)
    mate = await make_account(db, settings, "thuy-thu", Role.MEMBER, world.cell)
    for wait in (0, 0, 0, 2, 4):
        clock.advance(seconds=wait)
        status, body = await _login(client, "thuyen-truong", "sai-mật-khẩu-1234")
    assert (status, body["code"]) == (429, "rate_limited")
    assert "15 phút" in body["message"]["vi"]
    resp = await client.post(
        "/api/auth/login", json={"username": "thuyen-truong", "password": PASSWORD}
    )
    assert resp.status == 429
    assert int(resp.headers["Retry-After"]) == 15 * 60
    # at once, same address: the crewmate signs in with no delay at all
    await sign_in(client, mate, at=clock())
    assert (await last_audit(db, "auth.signin.success")).target == f"account:{mate.id}"
    # ... and even mistypes twice without waiting, then signs in
    for _ in range(2):
        status, body = await _login(client, "thuy-thu", "sai-mật-khẩu-5678")
        assert (status, body["code"]) == (401, "bad_credentials")
    status, body = await _login(client, "thuy-thu")
    assert (status, body["stage"]) == (200, "mfa")


async def test_guessing_across_many_accounts_locks_the_address(
    client: Client, db: Database, settings: Settings, world: World, clock: FakeClock
) -> None:
    """The address limit counts distinct accounts (password spraying), not one member's tries."""
    await make_account(db, settings, "hung", Role.MEMBER, world.cell)
    limit = settings.security.login_address_accounts
    for i in range(limit - 1):
        status, body = await _login(client, f"doan-{i}", "Matkhau123!")
        assert (status, body["code"]) == (401, "bad_credentials")
    status, _ = await _login(client, "hung")
    assert status == 200  # nine accounts failed: the address is not locked yet
    status, body = await _login(client, f"doan-{limit}", "Matkhau123!")
    assert (status, body["code"]) == (429, "rate_limited")
    lock = await last_audit(db, "auth.lock")
    assert (lock.details["scope"], lock.target) == ("address", "address:127.0.0.1")
    resp = await client.post("/api/auth/login", json={"username": "hung", "password": PASSWORD})
    assert resp.status == 429
    clock.advance(minutes=15, seconds=1)
    status, _ = await _login(client, "hung")
    assert status == 200


async def test_a_member_who_signs_in_no_longer_counts_against_the_address(
    client: Client, db: Database, settings: Settings, world: World, clock: FakeClock
) -> None:
    limit = settings.security.login_address_accounts
    crew = [await make_account(db, settings, f"tt-{i}", Role.MEMBER, world.cell) for i in range(2)]
    for member in crew:  # each mistypes, then signs in: forgiven
        await _login(client, member.username, "sai-mật-khẩu-1234")
        await sign_in(client, member, at=clock())
    for i in range(limit - 1):
        status, _ = await _login(client, f"khach-{i}", "Matkhau123!")
        assert status == 401
    status, _ = await _login(client, crew[0].username)
    assert status == 200


async def test_enrolment_at_first_sign_in(
    client: Client, db: Database, settings: Settings, world: World, clock: FakeClock
) -> None:
    await make_account(db, settings, "hai", Role.MEMBER, world.cell, with_totp=False)
    status, first = await _login(client, "hai")
    assert (status, first["stage"]) == (200, "enrol")
    csrf = {"X-CSRF-Token": first["csrf"]}
    assert (await client.get("/api/organisations")).status == 401
    resp = await client.post("/api/auth/totp/setup", headers=csrf)
    assert resp.status == 200
    setup = await resp.json()
    assert setup["uri"].startswith("otpauth://totp/hopchibo:hai?secret=")
    assert setup["qr"].startswith("data:image/svg+xml;base64,")
    secret = setup["uri"].split("secret=")[1].split("&")[0]
    resp = await client.post(
        "/api/auth/totp/confirm", json={"code": factors.totp_now(secret, clock())}, headers=csrf
    )
    assert resp.status == 200
    done = await resp.json()
    assert done["stage"] == "full"
    assert len(done["recovery_codes"]) == 10
    added = await last_audit(db, "auth.factor.add")
    assert added.details == {"kind": "totp"}
    _no_secret_in(added.details, secret)
    resp = await client.get("/api/auth/session")
    assert (await resp.json())["authenticated"] is True


async def test_change_password_signs_out_other_sessions(
    client: Client,
    db: Database,
    settings: Settings,
    world: World,
    clock: FakeClock,
    aiohttp_client: object,
) -> None:
    user = await make_account(db, settings, "khanh", Role.MEMBER, world.cell)
    csrf = await sign_in(client, user, clock())
    resp = await client.post(
        "/api/auth/password",
        json={"current_password": PASSWORD, "new_password": "mật-khẩu-mới-dài-hơn-2026"},
        headers={"X-CSRF-Token": csrf},
    )
    assert resp.status == 200
    record = await last_audit(db, "auth.password.change")
    assert record.actor == f"account:{user.id}"
    _no_secret_in(record.details, PASSWORD, "mật-khẩu-mới-dài-hơn-2026")
    client.session.cookie_jar.clear()
    status, body = await _login(client, "khanh")
    assert (status, body["code"]) == (401, "bad_credentials")
    status, body = await _login(client, "khanh", "mật-khẩu-mới-dài-hơn-2026")
    assert status == 200
    assert len(await audit_records(db, "auth.signin.failure")) == 1


async def test_login_from_foreign_origin_refused(
    client: Client, db: Database, settings: Settings, world: World
) -> None:
    await make_account(db, settings, "lan", Role.MEMBER, world.cell)
    resp = await client.post(
        "/api/auth/login",
        json={"username": "lan", "password": PASSWORD},
        headers={"Origin": "https://evil.example"},
    )
    assert resp.status == 403
    assert (await resp.json())["code"] == "origin"
    record = await last_audit(db, "access.denied")
    assert record.details["reason"] == "origin"
    assert record.details["path"] == "/api/auth/login"
    at = dt.datetime.now(dt.UTC)
    assert abs((record.ts - at).total_seconds()) < 60


async def _login_via(
    client: Client, username: str, forwarded: str, password: str = PASSWORD
) -> tuple[int, dict]:  # type: ignore[type-arg]
    resp = await client.post(
        "/api/auth/login",
        json={"username": username, "password": password},
        headers={"X-Forwarded-For": forwarded},
    )
    return resp.status, await resp.json()


async def test_behind_the_proxy_each_ship_is_its_own_address(
    aiohttp_client: AiohttpClient, tmp_path: Path, db_url: str, db: Database, world: World
) -> None:
    """Behind nginx (a trusted proxy) the throttle and the audit log key on the member's own
    address from X-Forwarded-For: spraying from one ship locks that ship, not another ship's
    crew behind the same proxy; a client's own X-Forwarded-For entries are not believed."""
    base = make_settings(tmp_path, db_url)
    settings = dataclasses.replace(
        base, server=dataclasses.replace(base.server, trusted_proxies=("127.0.0.1/32",))
    )
    client = await aiohttp_client(create_app(settings, clock=FakeClock()))
    crew = await make_account(db, settings, "thuyen-truong", Role.MEMBER, world.cell)
    limit = settings.security.login_address_accounts
    ship_a, ship_b = "198.51.100.7", "203.0.113.40"
    for i in range(limit):
        await _login_via(client, f"khach-{i}", ship_a, "Matkhau123!")
    status, body = await _login_via(client, "thuyen-truong", ship_a)
    assert (status, body["code"]) == (429, "rate_limited")  # ship A is locked
    lock = await last_audit(db, "auth.lock")
    assert lock.target == f"address:{ship_a}"
    status, body = await _login_via(client, crew.username, ship_b)
    assert (status, body["stage"]) == (200, "mfa")  # ship B's crew signs in at once
    # a client on ship A that writes its own X-Forwarded-For is still ship A
    status, _ = await _login_via(client, crew.username, f"{ship_b}, {ship_a}")
    assert status == 429
    failed = await audit_records(db, "auth.signin.failure")
    assert {r.details["address"] for r in failed} == {ship_a}


async def test_without_trusted_proxies_the_header_is_ignored(
    client: Client, db: Database, settings: Settings, world: World
) -> None:
    await make_account(db, settings, "anh", Role.MEMBER, world.cell)
    status, _ = await _login_via(client, "anh", "198.51.100.7", "sai-mật-khẩu")
    assert status == 401
    failure = await last_audit(db, "auth.signin.failure")
    assert failure.details["address"] == "127.0.0.1"
