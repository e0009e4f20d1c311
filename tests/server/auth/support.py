"""Helpers to sign in through the real API as an account holding a given role.

``make_account`` creates an account (argon2id password, confirmed TOTP, recovery codes) the way
``hopchibo user add`` does; ``sign_in`` runs password then TOTP through ``/api/auth/*`` and
returns the CSRF token that every later POST/PUT/PATCH/DELETE must carry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from policy.model import Role
from server.audit import AuditLog
from server.auth import factors
from server.auth.provision import create_account
from server.config import Settings
from server.crypto.keys import LocalKek
from server.kek import load_or_create_kek
from server.storage.audit import AuditView
from server.storage.db import Database
from tests.conftest import Client

PASSWORD = "mật-khẩu-đủ-dài-2026"


@dataclass
class FakeClock:
    """An injectable clock: tests move time instead of sleeping."""

    now: dt.datetime = field(default_factory=lambda: dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC))

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@dataclass(frozen=True)
class SignInAccount:
    id: int
    username: str
    password: str
    totp_secret: str
    recovery_codes: tuple[str, ...]
    member_id: int | None


def kek_of(settings: Settings) -> bytes:
    return load_or_create_kek(Path(settings.kek_path), settings.keys.kek)


#: test-only: the KEK of each test database, noted by :func:`audit_log`, so that
#: :func:`audit_records` can read a database's sealed log given just the database
_KEKS: dict[str, bytes] = {}


def audit_log(db: Database, settings: Settings) -> AuditLog:
    """The audit log under the app's KEK (records stay readable by the app and the tests)."""
    kek = kek_of(settings)
    _KEKS[db.url] = kek
    return AuditLog(db, LocalKek(kek))


async def make_account(
    db: Database,
    settings: Settings,
    username: str,
    role: Role,
    org_id: int,
    *,
    member_id: int | None = None,
    with_totp: bool = True,
) -> SignInAccount:
    async with db.session() as s:
        made = await create_account(
            s,
            audit_log(db, settings),
            kek_of(settings),
            username=username,
            display_name=username,
            password=PASSWORD,
            member_id=member_id,
            role=role,
            org_id=org_id,
            with_totp=with_totp,
            actor="test",
        )
    return SignInAccount(
        made.account_id, username, PASSWORD, made.totp_secret, made.recovery_codes, member_id
    )


async def sign_in(client: Client, account: SignInAccount, at: dt.datetime | None = None) -> str:
    """Password then TOTP; returns the CSRF token of the new full session."""
    resp = await client.post(
        "/api/auth/login", json={"username": account.username, "password": account.password}
    )
    assert resp.status == 200, await resp.text()
    first = await resp.json()
    assert first["stage"] == "mfa"
    code = factors.totp_now(account.totp_secret, at or dt.datetime.now(dt.UTC))
    resp = await client.post(
        "/api/auth/totp/verify", json={"code": code}, headers={"X-CSRF-Token": first["csrf"]}
    )
    assert resp.status == 200, await resp.text()
    body = await resp.json()
    assert body["stage"] == "full"
    csrf = body["csrf"]
    assert isinstance(csrf, str)
    return csrf


async def audit_records(db: Database, action: str | None = None) -> list[AuditView]:
    kek = _KEKS.get(db.url)
    assert kek is not None, "make_account (or audit_log) first: it notes this database's KEK"
    return await AuditLog(db, LocalKek(kek)).search(action=action, limit=1000)


async def last_audit(db: Database, action: str) -> AuditView:
    rows = await audit_records(db, action)
    assert rows, f"no audit record {action!r}"
    return rows[0]
