"""Sign-in steps shared by the handlers: throttling, factor checks, session issue, audit.

Every failure is written to the audit log (outside the request's transaction, so a refusal
is recorded even though the request's changes roll back) and counted by the throttle.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import math
from dataclasses import dataclass

from aiohttp import web

from policy.error_codes import ErrorCode
from policy.i18n import tr
from server import appkeys
from server.auth import factors
from server.auth.middleware import client_address, deny, session_of
from server.auth.passwords import hash_password, needs_rehash, verify_password
from server.auth.sessions import STEP_UP_MINUTES, SessionState, Stage, set_cookie
from server.auth.throttle import ACCOUNT_FACTOR, MAX_DELAY_SECONDS, PAIR_FREE, Verdict
from server.errors import AppError
from server.storage import accounts as account_store
from server.storage import identity as store
from server.storage.db import Session
from server.storage.models import Account

STATUS = {
    ErrorCode.BAD_CREDENTIALS: 401,
    ErrorCode.BAD_SECOND_FACTOR: 401,
    ErrorCode.PASSKEY_REJECTED: 401,
    ErrorCode.INVITATION_INVALID: 410,
    ErrorCode.STEP_UP_REQUIRED: 403,
}


def refusal(code: ErrorCode, key: str | None = None, **params: object) -> AppError:
    status = STATUS.get(code, 403 if code is ErrorCode.FORBIDDEN else 422)
    return AppError(status, code, tr(key or f"error.{code.value}", **params))


def account_key(username: str) -> str:
    return f"acct:{username.strip().lower()}"


def address_key(request: web.Request) -> str:
    return f"addr:{client_address(request)}"


def pair_key(request: web.Request, username: str) -> str:
    """One account from one address: the counter a member who mistypes meets first."""
    return f"pair:{username.strip().lower()}@{client_address(request)}"


def _rate_limited(seconds: int) -> AppError:
    seconds = max(seconds, 1)
    if seconds > MAX_DELAY_SECONDS:
        text = tr("auth.locked", minutes=math.ceil(seconds / 60), seconds=seconds)
    else:
        text = tr("auth.slow_down", seconds=seconds)
    return AppError(429, ErrorCode.RATE_LIMITED, text, headers={"Retry-After": str(seconds)})


async def check_throttle(request: web.Request, username: str) -> None:
    throttle = request.app[appkeys.THROTTLE]
    wait = await throttle.blocked_for(address_key(request))
    if username:
        wait = max(
            wait,
            await throttle.blocked_for(account_key(username)),
            await throttle.blocked_for(pair_key(request, username)),
        )
    if wait:
        await request.app[appkeys.AUDIT].record(
            "anonymous",
            "auth.throttled",
            f"username:{username[:64]}",
            {"address": client_address(request), "retry_after": wait},
        )
        raise _rate_limited(wait)


async def failed(
    request: web.Request,
    username: str,
    reason: str,
    code: ErrorCode,
    *,
    account_id: int | None = None,
    key: str | None = None,
) -> AppError:
    """Count a failure against the (account, address) pair, the account and, once per account,
    the address; audit it; return the refusal."""
    settings = request.app[appkeys.SETTINGS].security
    throttle = request.app[appkeys.THROTTLE]
    audit = request.app[appkeys.AUDIT]
    target = f"account:{account_id}" if account_id is not None else f"username:{username[:64]}"
    limit = settings.login_max_failures
    none = Verdict(0, 0, False)  # passkey from an unknown credential: address only
    by_pair = (
        await throttle.failure(pair_key(request, username), PAIR_FREE, limit) if username else none
    )
    by_account = (
        await throttle.failure(account_key(username), limit, limit * ACCOUNT_FACTOR)
        if username
        else none
    )
    # the address counts accounts, not tries: one member's failures never lock the crew out
    by_address = await throttle.spread(
        address_key(request),
        account_key(username) if username else "?",
        settings.login_address_accounts,
    )
    address = client_address(request)
    request.app[appkeys.METRICS].signin_failures.labels(reason).inc()
    await audit.record(
        "anonymous" if account_id is None else f"account:{account_id}",
        "auth.signin.failure",
        target,
        {"reason": reason, "address": address, "failures": by_pair.failures},
    )
    scopes = (("account_address", by_pair), ("account", by_account), ("address", by_address))
    for scope, verdict in scopes:
        if verdict.locked:
            await audit.record(
                "system",
                "auth.lock",
                f"address:{address}" if scope == "address" else target,
                {"scope": scope, "minutes": settings.login_lock_minutes, "address": address},
            )
    wait = max(v.retry_after for _, v in scopes)
    if any(v.locked for _, v in scopes):
        return _rate_limited(wait)
    return refusal(code, key)


async def password_ok(request: web.Request, account: Account | None, password: str) -> bool:
    """argon2id in a worker thread; unknown accounts cost the same (dummy hash)."""
    stored = request.app[appkeys.DUMMY_HASH]
    if account is not None and account.password_hash and not account.disabled:
        stored = account.password_hash
    ok = await asyncio.to_thread(verify_password, stored, password)
    return ok and account is not None and not account.disabled and bool(account.password_hash)


async def maybe_rehash(session: Session, account: Account, password: str) -> None:
    if needs_rehash(account.password_hash):
        account.password_hash = await asyncio.to_thread(hash_password, password)
        await session.flush()


async def has_factor(session: Session, account_id: int) -> bool:
    totp = await store.totp_of(session, account_id)
    if totp is not None and totp.confirmed:
        return True
    return bool(await store.passkeys_of(session, account_id))


@dataclass(frozen=True, slots=True)
class Issued:
    state: SessionState

    def response(self, request: web.Request, body: dict[str, object]) -> web.Response:
        """The JSON answer of a sign-in step, setting the new session cookie."""
        payload = {"stage": self.state.stage, "csrf": self.state.csrf, **body}
        resp = web.json_response(payload, dumps=lambda v: json.dumps(v, ensure_ascii=False))
        set_cookie(resp, request.app[appkeys.SETTINGS].server, self.state.token)
        return resp


async def issue(request: web.Request, session: Session, account_id: int, stage: Stage) -> Issued:
    """A new session identifier (the one presented, if any, is revoked)."""
    current = session_of(request)
    new = await request.app[appkeys.SESSIONS].start(
        session,
        account_id,
        stage,
        client_address(request),
        replaces=current.id if current else None,
    )
    return Issued(new)


async def completed(
    request: web.Request, session: Session, account: Account, method: str
) -> Issued:
    """The second factor (or a passkey) succeeded: a full session, audited, throttle cleared."""
    issued = await issue(request, session, account.id, "full")
    throttle = request.app[appkeys.THROTTLE]
    await throttle.clear(account_key(account.username))
    await throttle.clear(pair_key(request, account.username))
    await throttle.forgive(address_key(request), account_key(account.username))
    await request.app[appkeys.AUDIT].record(
        f"account:{account.id}",
        "auth.signin.success",
        f"account:{account.id}",
        {"method": method, "address": client_address(request)},
        session=session,
    )
    return issued


async def partial_account(request: web.Request, session: Session, *stages: Stage) -> Account:
    """The account of the presented session when its stage is one of ``stages`` (else 401)."""
    current = session_of(request)
    if current is None or current.stage not in stages:
        raise AppError.of(ErrorCode.UNAUTHENTICATED)
    account = await account_store.get(session, current.account_id)
    if account is None or account.disabled:
        raise AppError.of(ErrorCode.UNAUTHENTICATED)
    return account


def totp_step(
    kek: bytes, account_id: int, sealed: str, code: str, request: web.Request
) -> int | None:
    if not sealed:
        return None
    secret = factors.unseal(kek, account_id, sealed)
    return factors.matching_step(secret, code.strip(), request.app[appkeys.CLOCK]())


async def new_recovery_codes(session: Session, account_id: int) -> list[str]:
    codes = factors.new_recovery_codes()
    await store.replace_recovery_codes(
        session, account_id, [factors.recovery_hash(c) for c in codes]
    )
    return codes


async def require_recent_auth(request: web.Request) -> None:
    """Changing factors on a full session needs a recent sign-in or a fresh step-up (so a
    stolen session cannot add its own factor); an enrolling session is recent by design."""
    current = session_of(request)
    if current is None or current.stage != "full":
        return
    sessions = request.app[appkeys.SESSIONS]
    recent = sessions.now() - current.created_at < dt.timedelta(minutes=STEP_UP_MINUTES)
    if not recent and not sessions.fresh_step_up(current.step_up_at):
        raise await deny(request, refusal(ErrorCode.STEP_UP_REQUIRED), "step_up")
