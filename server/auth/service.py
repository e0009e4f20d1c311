"""Sign-in, second factors, sessions, step-up and sign-out as flows (docs/security-identity.md).

The HTTP handlers (``server/http/auth.py``) parse the body, call one of these and serialise.
The flows take the request because a sign-in step reads what it carries (the presented session,
the client's address, the throttle, the app clock) and :mod:`server.auth.signin` works on it;
each opens its own transactions and audits in them. Every failure goes through
:func:`server.auth.signin.failed` (counted by the throttle, audited, then refused).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from policy.error_codes import ErrorCode
from policy.i18n import tr
from server import appkeys
from server.auth import factors, passkeys, signin
from server.auth.middleware import client_address, context_of, origins, session_of
from server.auth.passkeys import PasskeyError
from server.auth.passwords import hash_password
from server.auth.sessions import Stage
from server.errors import AppError, not_found
from server.storage import accounts as account_store
from server.storage import identity as store
from server.storage.db import Session
from server.storage.models import Account
from server.storage.models_auth import PasskeyCredential


async def methods(request: web.Request, account_id: int) -> list[str]:
    """The second factors an account can use now."""
    async with request.app[appkeys.DB].session() as s:
        totp = await store.totp_of(s, account_id)
        keys = await store.passkeys_of(s, account_id)
        left = await store.recovery_codes_left(s, account_id)
    out = []
    if totp is not None and totp.confirmed:
        out.append("totp")
    if keys:
        out.append("passkey")
    if left:
        out.append("recovery")
    return out


# --- sign-in ----------------------------------------------------------------------------------


async def login(
    request: web.Request, username: str, password: str
) -> tuple[signin.Issued, list[str], bool]:
    """Username and password: a session at the second-factor (or enrolment) stage, the
    factors to choose from, and whether the administrator reset the account's second factor
    (the member is told so and enrols a new one)."""
    await signin.check_throttle(request, username)
    async with request.app[appkeys.DB].session() as s:
        account = await account_store.by_username(s, username)
    if not await signin.password_ok(request, account, password) or account is None:
        raise await signin.failed(
            request,
            username,
            "password",
            ErrorCode.BAD_CREDENTIALS,
            account_id=account.id if account else None,
        )
    async with request.app[appkeys.DB].session() as s:
        account = await account_store.get(s, account.id)
        assert account is not None
        await signin.maybe_rehash(s, account, password)
        stage: Stage = "mfa" if await signin.has_factor(s, account.id) else "enrol"
        reset = stage == "enrol" and account.factor_reset_at is not None
        issued = await signin.issue(request, s, account.id, stage)
        await request.app[appkeys.AUDIT].record(
            f"account:{account.id}",
            "auth.password.accepted",
            f"account:{account.id}",
            {"next": stage, "address": client_address(request), "factor_reset": reset},
            session=s,
        )
    return issued, await methods(request, account.id) if stage == "mfa" else [], reset


async def verify_totp(request: web.Request, code: str) -> signin.Issued:
    """Second factor: a TOTP code (each time step once)."""
    kek = request.app[appkeys.KEK]
    async with request.app[appkeys.DB].session() as s:
        account = await signin.partial_account(request, s, "mfa")
        username, account_id = account.username, account.id
    await signin.check_throttle(request, username)
    async with request.app[appkeys.DB].session() as s:
        account = await signin.partial_account(request, s, "mfa")
        totp = await store.totp_of(s, account_id)
        sealed = totp.sealed_secret if totp is not None and totp.confirmed else ""
        step = signin.totp_step(kek, account_id, sealed, code, request)
        reason = "totp" if step is None else None
        if (
            totp is not None
            and step is not None
            and not await store.advance_totp_step(s, totp.id, step)
        ):
            reason = "totp_replay"
        if reason is None:
            issued = await signin.completed(request, s, account, "password+totp")
    if reason is not None:
        raise await signin.failed(
            request, username, reason, ErrorCode.BAD_SECOND_FACTOR, account_id=account_id
        )
    return issued


async def verify_recovery(request: web.Request, code: str) -> signin.Issued:
    """Second factor: a one-time recovery code."""
    async with request.app[appkeys.DB].session() as s:
        account = await signin.partial_account(request, s, "mfa")
        username, account_id = account.username, account.id
    await signin.check_throttle(request, username)
    now = request.app[appkeys.CLOCK]()
    async with request.app[appkeys.DB].session() as s:
        account = await signin.partial_account(request, s, "mfa")
        ok = await store.use_recovery_code(s, account_id, factors.recovery_hash(code), now)
        if ok:
            issued = await signin.completed(request, s, account, "password+recovery")
            left = await store.recovery_codes_left(s, account_id)
            await request.app[appkeys.AUDIT].record(
                f"account:{account_id}",
                "auth.factor.recovery_used",
                f"account:{account_id}",
                {"left": left},
                session=s,
            )
    if not ok:
        raise await signin.failed(
            request, username, "recovery", ErrorCode.BAD_SECOND_FACTOR, account_id=account_id
        )
    return issued


async def passkey_options(request: web.Request) -> dict[str, Any]:
    """WebAuthn request options for a passkey sign-in (bound to the account of a session at
    the second-factor stage, if one is presented)."""
    settings = request.app[appkeys.SETTINGS].security
    current = session_of(request)
    account_id = current.account_id if current is not None and current.stage == "mfa" else None
    now = request.app[appkeys.CLOCK]()
    async with request.app[appkeys.DB].session() as s:
        allow = (
            [k.credential_id for k in await store.passkeys_of(s, account_id)]
            if account_id is not None
            else []
        )
        options, challenge = passkeys.authentication_options(rp_id=settings.rp_id, allow=allow)
        await passkeys.save_challenge(s, challenge, "assert", account_id, now)
    return options


async def _take_challenge(
    request: web.Request, credential: dict[str, Any], purpose: str
) -> tuple[str, int | None]:
    """The challenge the response answers, consumed in its own committed transaction."""
    challenge = passkeys.challenge_of(credential)
    now = request.app[appkeys.CLOCK]()
    async with request.app[appkeys.DB].session() as s:
        row = await store.take_challenge(s, challenge, purpose, now)
        found = row is not None
        account_id = row.account_id if row is not None else None
    if not found:
        raise PasskeyError("challenge", "unknown or expired challenge")
    return challenge, account_id


async def verify_passkey(request: web.Request, credential: dict[str, Any]) -> signin.Issued:
    """A passkey sign-in (user verification required)."""
    settings = request.app[appkeys.SETTINGS]
    await signin.check_throttle(request, "")
    account_id: int | None = None
    username = ""
    try:
        cred_id = passkeys.credential_id_of(credential)
        async with request.app[appkeys.DB].session() as s:
            row = await store.passkey_by_credential_id(s, cred_id)
            account = await account_store.get(s, row.account_id) if row is not None else None
            if account is not None and not account.disabled:
                account_id, username = account.id, account.username
        if account_id is None:
            raise PasskeyError("unknown_credential")
        await signin.check_throttle(request, username)
        challenge, bound = await _take_challenge(request, credential, "assert")
        if bound is not None and bound != account_id:
            raise PasskeyError("other_account")
        async with request.app[appkeys.DB].session() as s:
            row = await store.passkey_by_credential_id(s, cred_id)
            account = await account_store.get(s, account_id)
            if row is None or account is None:
                raise PasskeyError("unknown_credential")
            row.sign_count = passkeys.verify_assertion(
                credential,
                challenge=challenge,
                rp_id=settings.security.rp_id,
                origins=sorted(origins(settings)),
                public_key=row.public_key,
                sign_count=row.sign_count,
            )
            row.last_used_at = request.app[appkeys.CLOCK]()
            issued = await signin.completed(request, s, account, "passkey")
    except PasskeyError as exc:
        raise await signin.failed(
            request,
            username,
            f"passkey_{exc.reason}",
            ErrorCode.PASSKEY_REJECTED,
            account_id=account_id,
        ) from None
    return issued


async def current_session(request: web.Request) -> dict[str, object]:
    """The presented session: stage, account, roles (when full) and the CSRF token."""
    current = session_of(request)
    if current is None:
        return {"authenticated": False}
    out: dict[str, object] = {
        "authenticated": current.stage == "full",
        "stage": current.stage,
        "csrf": current.csrf,
        "step_up_fresh": request.app[appkeys.SESSIONS].fresh_step_up(current.step_up_at),
    }
    async with request.app[appkeys.DB].session() as s:
        account = await account_store.get(s, current.account_id)
        if account is not None:
            out["account"] = {
                "id": account.id,
                "username": account.username,
                "display_name": account.display_name,
                "member_id": account.member_id,
            }
            out["factor_reset"] = current.stage == "enrol" and account.factor_reset_at is not None
            if current.stage == "full":
                out["roles"] = [
                    {"org_id": r.org_id, "role": r.role.value}
                    for r in await account_store.roles(s, account.id)
                ]
    return out


async def sign_out(request: web.Request) -> None:
    """End the presented session, if any."""
    current = session_of(request)
    if current is not None:
        await request.app[appkeys.SESSIONS].end(current.id)
        await request.app[appkeys.AUDIT].record(
            f"account:{current.account_id}", "auth.signout", f"account:{current.account_id}"
        )


async def sign_out_everywhere(request: web.Request) -> int:
    """End every session of the caller's account: how many."""
    context = context_of(request)
    async with request.app[appkeys.DB].session() as s:
        count = await request.app[appkeys.SESSIONS].end_all(s, context.account_id)
        await request.app[appkeys.AUDIT].record(
            context.actor, "auth.signout_all", context.actor, {"sessions": count}, session=s
        )
    return count


# --- enrolment --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Enrolled:
    """A new factor: an enrolling session becomes a full one (``issued``) with recovery codes."""

    issued: signin.Issued | None = None
    recovery_codes: tuple[str, ...] = ()


async def totp_setup(request: web.Request) -> str:
    """A new pending TOTP secret as an otpauth URI."""
    await signin.require_recent_auth(request)
    kek = request.app[appkeys.KEK]
    async with request.app[appkeys.DB].session() as s:
        account = await signin.partial_account(request, s, "enrol", "full")
        secret = factors.new_totp_secret()
        await store.set_pending_totp(s, account.id, factors.seal(kek, account.id, secret))
        return factors.provisioning_uri(secret, account.username)


async def _after_enrol(request: web.Request, s: Session, account: Account, kind: str) -> Enrolled:
    """Audit the new factor; an enrolling session becomes a full one with recovery codes."""
    await request.app[appkeys.AUDIT].record(
        f"account:{account.id}",
        "auth.factor.add",
        f"account:{account.id}",
        {"kind": kind},
        session=s,
    )
    account.factor_reset_at = None  # a reset second factor is replaced
    current = session_of(request)
    if current is not None and current.stage == "enrol":
        codes = await signin.new_recovery_codes(s, account.id)
        issued = await signin.completed(request, s, account, f"password+{kind}-enrolment")
        return Enrolled(issued, tuple(codes))
    return Enrolled()


async def totp_confirm(request: web.Request, code: str) -> Enrolled:
    """Finish TOTP enrolment with a code from the new secret."""
    kek = request.app[appkeys.KEK]
    async with request.app[appkeys.DB].session() as s:
        account = await signin.partial_account(request, s, "enrol", "full")
        totp = await store.totp_of(s, account.id)
        pending = totp.pending_secret if totp is not None else ""
        step = signin.totp_step(kek, account.id, pending, code, request)
        if step is not None:
            await store.set_totp(s, account.id, pending, last_step=step)
            enrolled = await _after_enrol(request, s, account, "totp")
    if step is None:
        raise await signin.failed(
            request,
            account.username,
            "totp_enrol",
            ErrorCode.BAD_SECOND_FACTOR,
            account_id=account.id,
        )
    return enrolled


async def passkey_register_options(request: web.Request) -> dict[str, Any]:
    """WebAuthn creation options for a new passkey."""
    await signin.require_recent_auth(request)
    security = request.app[appkeys.SETTINGS].security
    now = request.app[appkeys.CLOCK]()
    async with request.app[appkeys.DB].session() as s:
        account = await signin.partial_account(request, s, "enrol", "full")
        existing = [k.credential_id for k in await store.passkeys_of(s, account.id)]
        options, challenge = passkeys.registration_options(
            rp_id=security.rp_id,
            rp_name=security.rp_name,
            account_id=account.id,
            username=account.username,
            display_name=account.display_name,
            existing=existing,
        )
        await passkeys.save_challenge(s, challenge, "register", account.id, now)
    return options


async def passkey_register(request: web.Request, credential: dict[str, Any], name: str) -> Enrolled:
    """Finish registering a passkey."""
    settings = request.app[appkeys.SETTINGS]
    async with request.app[appkeys.DB].session() as s:
        account = await signin.partial_account(request, s, "enrol", "full")
        account_id, username = account.id, account.username
    try:
        challenge, bound = await _take_challenge(request, credential, "register")
        if bound != account_id:
            raise PasskeyError("other_account")
        cred_id, public_key, count = passkeys.verify_registration(
            credential,
            challenge=challenge,
            rp_id=settings.security.rp_id,
            origins=sorted(origins(settings)),
        )
    except PasskeyError as exc:
        raise await signin.failed(
            request,
            username,
            f"passkey_register_{exc.reason}",
            ErrorCode.PASSKEY_REJECTED,
            account_id=account_id,
        ) from None
    async with request.app[appkeys.DB].session() as s:
        account = await signin.partial_account(request, s, "enrol", "full")
        if await store.passkey_by_credential_id(s, cred_id) is not None:
            raise AppError.of(ErrorCode.CONFLICT, detail="passkey already registered")
        await store.add_passkey(
            s,
            PasskeyCredential(
                account_id=account_id,
                credential_id=cred_id,
                public_key=public_key,
                sign_count=count,
                name=name or "passkey",
            ),
        )
        return await _after_enrol(request, s, account, "passkey")


async def passkey_list(request: web.Request) -> list[PasskeyCredential]:
    """The caller's registered passkeys."""
    context = context_of(request)
    async with request.app[appkeys.DB].session() as s:
        return list(await store.passkeys_of(s, context.account_id))


async def passkey_remove(request: web.Request, passkey_id: int) -> None:
    """Remove one of the caller's passkeys (not the last second factor)."""
    context = context_of(request)
    await signin.require_recent_auth(request)
    async with request.app[appkeys.DB].session() as s:
        keys = await store.passkeys_of(s, context.account_id)
        if passkey_id not in {k.id for k in keys}:
            raise not_found("khóa truy cập / passkey")
        totp = await store.totp_of(s, context.account_id)
        if len(keys) == 1 and not (totp is not None and totp.confirmed):
            raise AppError(409, ErrorCode.CONFLICT, tr("auth.last_factor"))
        await store.remove_passkey(s, context.account_id, passkey_id)
        await request.app[appkeys.AUDIT].record(
            context.actor,
            "auth.factor.remove",
            context.actor,
            {"kind": "passkey", "id": passkey_id},
            session=s,
        )


async def recovery_regenerate(request: web.Request) -> list[str]:
    """Replace the caller's recovery codes (shown once)."""
    context = context_of(request)
    await signin.require_recent_auth(request)
    async with request.app[appkeys.DB].session() as s:
        codes = await signin.new_recovery_codes(s, context.account_id)
        await request.app[appkeys.AUDIT].record(
            context.actor,
            "auth.factor.add",
            context.actor,
            {"kind": "recovery_codes", "count": len(codes)},
            session=s,
        )
    return codes


async def change_password(request: web.Request, current_password: str, new_password: str) -> int:
    """Change the caller's password; the other sessions are signed out (how many)."""
    context = context_of(request)
    if len(new_password) < 12:
        raise AppError(422, ErrorCode.VALIDATION, tr("auth.password_too_short"))
    await signin.check_throttle(request, context.username)
    async with request.app[appkeys.DB].session() as s:
        account = await account_store.get(s, context.account_id)
    if not await signin.password_ok(request, account, current_password):
        raise await signin.failed(
            request,
            context.username,
            "password_change",
            ErrorCode.BAD_CREDENTIALS,
            account_id=context.account_id,
        )
    new_hash = await asyncio.to_thread(hash_password, new_password)
    async with request.app[appkeys.DB].session() as s:
        account = await account_store.get(s, context.account_id)
        assert account is not None
        account.password_hash = new_hash
        ended = await request.app[appkeys.SESSIONS].end_all(
            s, context.account_id, keep=context.session_id
        )
        await request.app[appkeys.AUDIT].record(
            context.actor,
            "auth.password.change",
            context.actor,
            {"sessions_ended": ended},
            session=s,
        )
    return ended


# --- step-up ----------------------------------------------------------------------------------


async def step_up(request: web.Request, code: str) -> dt.datetime:
    """Confirm the second factor again with a TOTP code: when."""
    context = context_of(request)
    kek = request.app[appkeys.KEK]
    await signin.check_throttle(request, context.username)
    async with request.app[appkeys.DB].session() as s:
        totp = await store.totp_of(s, context.account_id)
        sealed = totp.sealed_secret if totp is not None and totp.confirmed else ""
        step = signin.totp_step(kek, context.account_id, sealed, code, request)
        ok = (
            totp is not None
            and step is not None
            and await store.advance_totp_step(s, totp.id, step)
        )
        if ok and context.session_id is not None:
            at = await request.app[appkeys.SESSIONS].step_up(s, context.session_id)
            await request.app[appkeys.AUDIT].record(
                context.actor, "auth.stepup", context.actor, {"method": "totp"}, session=s
            )
    if not ok or context.session_id is None:
        raise await signin.failed(
            request,
            context.username,
            "stepup",
            ErrorCode.BAD_SECOND_FACTOR,
            account_id=context.account_id,
        )
    return at


async def step_up_passkey_options(request: web.Request) -> dict[str, Any]:
    """WebAuthn request options for a step-up with one of the caller's passkeys."""
    context = context_of(request)
    security = request.app[appkeys.SETTINGS].security
    now = request.app[appkeys.CLOCK]()
    async with request.app[appkeys.DB].session() as s:
        allow = [k.credential_id for k in await store.passkeys_of(s, context.account_id)]
        if not allow:
            raise not_found("khóa truy cập / passkey")
        options, challenge = passkeys.authentication_options(rp_id=security.rp_id, allow=allow)
        await passkeys.save_challenge(s, challenge, "stepup", context.account_id, now)
    return options


async def step_up_passkey(request: web.Request, credential: dict[str, Any]) -> dt.datetime:
    """Confirm a step-up with one of the caller's passkeys (user verification required)."""
    context = context_of(request)
    settings = request.app[appkeys.SETTINGS]
    await signin.check_throttle(request, context.username)
    try:
        challenge, bound = await _take_challenge(request, credential, "stepup")
        if bound != context.account_id or context.session_id is None:
            raise PasskeyError("other_account")
        async with request.app[appkeys.DB].session() as s:
            row = await store.passkey_by_credential_id(s, passkeys.credential_id_of(credential))
            if row is None or row.account_id != context.account_id:
                raise PasskeyError("unknown_credential")
            row.sign_count = passkeys.verify_assertion(
                credential,
                challenge=challenge,
                rp_id=settings.security.rp_id,
                origins=sorted(origins(settings)),
                public_key=row.public_key,
                sign_count=row.sign_count,
            )
            row.last_used_at = request.app[appkeys.CLOCK]()
            at = await request.app[appkeys.SESSIONS].step_up(s, context.session_id)
            await request.app[appkeys.AUDIT].record(
                context.actor, "auth.stepup", context.actor, {"method": "passkey"}, session=s
            )
    except PasskeyError as exc:
        raise await signin.failed(
            request,
            context.username,
            f"passkey_stepup_{exc.reason}",
            ErrorCode.PASSKEY_REJECTED,
            account_id=context.account_id,
        ) from None
    return at
