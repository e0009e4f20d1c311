"""Creating accounts outside the web flow (CLI, demo) and read-only API tokens."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from policy.model import Role
from server.audit import AuditLog
from server.auth import factors
from server.auth.passwords import hash_password
from server.auth.tokens import digest, new_token
from server.storage import accounts as account_store
from server.storage import identity as store
from server.storage.db import Session
from server.storage.models import Account
from server.storage.models_auth import ApiToken

#: API tokens live at most this long (they only read: GET)
TOKEN_MAX_MINUTES = 24 * 60


@dataclass(frozen=True, slots=True)
class Provisioned:
    account_id: int
    totp_uri: str  # empty when the second factor is enrolled at first sign-in
    totp_secret: str
    recovery_codes: tuple[str, ...]


def new_password() -> str:
    return secrets.token_urlsafe(15)  # 20 characters, 120 bits


async def create_account(
    session: Session,
    audit: AuditLog,
    kek: bytes,
    *,
    username: str,
    display_name: str,
    password: str,
    member_id: int | None,
    role: Role,
    org_id: int,
    with_totp: bool = True,
    actor: str = "cli",
) -> Provisioned:
    account = await account_store.add(
        session,
        Account(
            username=username,
            display_name=display_name,
            member_id=member_id,
            password_hash=hash_password(password),
        ),
    )
    await account_store.grant(session, account.id, org_id, role)
    await audit.record(
        actor,
        "role.grant",
        f"account:{account.id}",
        {"org": org_id, "role": role.value},
        session=session,
    )
    if not with_totp:
        return Provisioned(account.id, "", "", ())
    secret = factors.new_totp_secret()
    await store.set_totp(session, account.id, factors.seal(kek, account.id, secret))
    codes = factors.new_recovery_codes()
    await store.replace_recovery_codes(
        session, account.id, [factors.recovery_hash(c) for c in codes]
    )
    await audit.record(
        actor, "auth.factor.add", f"account:{account.id}", {"kind": "totp"}, session=session
    )
    uri = factors.provisioning_uri(secret, username)
    return Provisioned(account.id, uri, secret, tuple(codes))


async def create_api_token(
    session: Session, audit: AuditLog, account_id: int, minutes: int, now: dt.datetime
) -> tuple[str, dt.datetime]:
    minutes = max(1, min(minutes, TOKEN_MAX_MINUTES))
    token = new_token()
    expires = now + dt.timedelta(minutes=minutes)
    row = await store.add_api_token(
        session,
        ApiToken(
            token_hash=digest(token), account_id=account_id, created_at=now, expires_at=expires
        ),
    )
    await audit.record(
        "cli",
        "apitoken.create",
        f"account:{account_id}",
        {"id": row.id, "minutes": minutes},
        session=session,
    )
    return token, expires
