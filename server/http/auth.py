"""Sign-in, second factors, sessions and sign-out (docs/security-identity.md)."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated, Any

from aiohttp import web
from pydantic import BaseModel, Field

from policy.error_codes import ErrorCode
from policy.i18n import tr
from server import appkeys
from server.auth import factors, passkeys, signin
from server.auth.middleware import client_address, context_of, origins, session_of
from server.auth.passkeys import PasskeyError
from server.auth.passwords import hash_password
from server.auth.sessions import Stage, clear_cookie
from server.errors import AppError, not_found
from server.http.body import Input, Output, json_response, parse_body, path_int
from server.http.routes import Routes
from server.storage import accounts as account_store
from server.storage import identity as store
from server.storage.db import Session
from server.storage.models import Account
from server.storage.models_auth import PasskeyCredential

routes = Routes()

Secret = Annotated[str, Field(min_length=1, max_length=1024)]
Code = Annotated[str, Field(min_length=6, max_length=64)]


class LoginIn(Input):
    username: Annotated[str, Field(min_length=1, max_length=64)]
    password: Secret


class CodeIn(Input):
    code: Code


class CredentialIn(Input):
    credential: dict[str, Any]
    name: Annotated[str, Field(max_length=100)] = ""


class PasswordIn(Input):
    current_password: Secret
    new_password: Annotated[str, Field(min_length=1, max_length=1024)]


class StageOut(Output):
    stage: str
    csrf: str
    methods: list[str] = []
    recovery_codes: list[str] = []


class SessionOut(Output):
    authenticated: bool
    stage: str | None = None
    csrf: str | None = None
    account: dict[str, object] | None = None
    roles: list[dict[str, object]] = []
    step_up_fresh: bool = False


class TotpSetupOut(Output):
    uri: str
    qr: str


class PasskeyOut(Output):
    id: int
    name: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None


class RecoveryOut(Output):
    recovery_codes: list[str]


class Options(BaseModel):
    publicKey: dict[str, Any]


async def _methods(request: web.Request, account_id: int) -> list[str]:
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


@routes.route(
    "POST",
    "/api/auth/login",
    summary="Sign in with username and password (a second factor follows)",
    tag="auth",
    body=LoginIn,
    response=StageOut,
    public=True,
)
async def login(request: web.Request) -> web.Response:
    body = await parse_body(request, LoginIn)
    await signin.check_throttle(request, body.username)
    async with request.app[appkeys.DB].session() as s:
        account = await account_store.by_username(s, body.username)
    if not await signin.password_ok(request, account, body.password) or account is None:
        raise await signin.failed(
            request,
            body.username,
            "password",
            ErrorCode.BAD_CREDENTIALS,
            account_id=account.id if account else None,
        )
    async with request.app[appkeys.DB].session() as s:
        account = await account_store.get(s, account.id)
        assert account is not None
        await signin.maybe_rehash(s, account, body.password)
        stage: Stage = "mfa" if await signin.has_factor(s, account.id) else "enrol"
        issued = await signin.issue(request, s, account.id, stage)
        await request.app[appkeys.AUDIT].record(
            f"account:{account.id}",
            "auth.password.accepted",
            f"account:{account.id}",
            {"next": stage, "address": client_address(request)},
            session=s,
        )
    methods = await _methods(request, account.id) if stage == "mfa" else []
    return issued.response(request, {"methods": methods})


@routes.route(
    "POST",
    "/api/auth/totp/verify",
    summary="Second factor: a TOTP code (each time step once)",
    tag="auth",
    body=CodeIn,
    response=StageOut,
    public=True,
)
async def totp_verify(request: web.Request) -> web.Response:
    body = await parse_body(request, CodeIn)
    kek = request.app[appkeys.KEK]
    async with request.app[appkeys.DB].session() as s:
        account = await signin.partial_account(request, s, "mfa")
        username, account_id = account.username, account.id
    await signin.check_throttle(request, username)
    async with request.app[appkeys.DB].session() as s:
        account = await signin.partial_account(request, s, "mfa")
        totp = await store.totp_of(s, account_id)
        sealed = totp.sealed_secret if totp is not None and totp.confirmed else ""
        step = signin.totp_step(kek, account_id, sealed, body.code, request)
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
    return issued.response(request, {})


@routes.route(
    "POST",
    "/api/auth/recovery/verify",
    summary="Second factor: a one-time recovery code",
    tag="auth",
    body=CodeIn,
    response=StageOut,
    public=True,
)
async def recovery_verify(request: web.Request) -> web.Response:
    body = await parse_body(request, CodeIn)
    async with request.app[appkeys.DB].session() as s:
        account = await signin.partial_account(request, s, "mfa")
        username, account_id = account.username, account.id
    await signin.check_throttle(request, username)
    now = request.app[appkeys.CLOCK]()
    async with request.app[appkeys.DB].session() as s:
        account = await signin.partial_account(request, s, "mfa")
        ok = await store.use_recovery_code(s, account_id, factors.recovery_hash(body.code), now)
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
    return issued.response(request, {})


@routes.route(
    "POST",
    "/api/auth/passkey/options",
    summary="Start a passkey sign-in (WebAuthn request options)",
    tag="auth",
    response=Options,
    public=True,
)
async def passkey_options(request: web.Request) -> web.Response:
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
    return json_response({"publicKey": options})


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


@routes.route(
    "POST",
    "/api/auth/passkey/verify",
    summary="Finish a passkey sign-in (user verification required)",
    tag="auth",
    body=CredentialIn,
    response=StageOut,
    public=True,
)
async def passkey_verify(request: web.Request) -> web.Response:
    body = await parse_body(request, CredentialIn)
    settings = request.app[appkeys.SETTINGS]
    await signin.check_throttle(request, "")
    account_id: int | None = None
    username = ""
    try:
        cred_id = passkeys.credential_id_of(body.credential)
        async with request.app[appkeys.DB].session() as s:
            row = await store.passkey_by_credential_id(s, cred_id)
            account = await account_store.get(s, row.account_id) if row is not None else None
            if account is not None and not account.disabled:
                account_id, username = account.id, account.username
        if account_id is None:
            raise PasskeyError("unknown_credential")
        await signin.check_throttle(request, username)
        challenge, bound = await _take_challenge(request, body.credential, "assert")
        if bound is not None and bound != account_id:
            raise PasskeyError("other_account")
        async with request.app[appkeys.DB].session() as s:
            row = await store.passkey_by_credential_id(s, cred_id)
            account = await account_store.get(s, account_id)
            if row is None or account is None:
                raise PasskeyError("unknown_credential")
            row.sign_count = passkeys.verify_assertion(
                body.credential,
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
    return issued.response(request, {})


@routes.route(
    "GET",
    "/api/auth/session",
    summary="The current session: stage, account, roles and the CSRF token",
    tag="auth",
    response=SessionOut,
    public=True,
)
async def current_session(request: web.Request) -> web.Response:
    current = session_of(request)
    if current is None:
        return json_response({"authenticated": False})
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
            if current.stage == "full":
                out["roles"] = [
                    {"org_id": r.org_id, "role": r.role.value}
                    for r in await account_store.roles(s, account.id)
                ]
    return json_response(out)


@routes.route("POST", "/api/auth/logout", summary="Sign out this session", tag="auth", public=True)
async def logout(request: web.Request) -> web.Response:
    current = session_of(request)
    if current is not None:
        await request.app[appkeys.SESSIONS].end(current.id)
        await request.app[appkeys.AUDIT].record(
            f"account:{current.account_id}", "auth.signout", f"account:{current.account_id}"
        )
    resp = json_response({"stage": None})
    clear_cookie(resp, request.app[appkeys.SETTINGS].server)
    return resp


@routes.route(
    "POST", "/api/auth/logout-all", summary="Sign out everywhere (every session)", tag="auth"
)
async def logout_all(request: web.Request) -> web.Response:
    context = context_of(request)
    async with request.app[appkeys.DB].session() as s:
        count = await request.app[appkeys.SESSIONS].end_all(s, context.account_id)
        await request.app[appkeys.AUDIT].record(
            context.actor, "auth.signout_all", context.actor, {"sessions": count}, session=s
        )
    resp = json_response({"stage": None, "ended": count})
    clear_cookie(resp, request.app[appkeys.SETTINGS].server)
    return resp


# --- enrolment --------------------------------------------------------------------------------


@routes.route(
    "POST",
    "/api/auth/totp/setup",
    summary="Start TOTP enrolment: a new secret as an otpauth URI and a QR code",
    tag="auth",
    response=TotpSetupOut,
    public=True,
)
async def totp_setup(request: web.Request) -> web.Response:
    await signin.require_recent_auth(request)
    kek = request.app[appkeys.KEK]
    async with request.app[appkeys.DB].session() as s:
        account = await signin.partial_account(request, s, "enrol", "full")
        secret = factors.new_totp_secret()
        await store.set_pending_totp(s, account.id, factors.seal(kek, account.id, secret))
        uri = factors.provisioning_uri(secret, account.username)
    return json_response({"uri": uri, "qr": factors.qr_data_url(uri)})


async def _after_enrol(
    request: web.Request, s: Session, account: Account, kind: str
) -> dict[str, object]:
    """Audit the new factor; an enrolling session becomes a full one with recovery codes."""
    await request.app[appkeys.AUDIT].record(
        f"account:{account.id}",
        "auth.factor.add",
        f"account:{account.id}",
        {"kind": kind},
        session=s,
    )
    current = session_of(request)
    if current is not None and current.stage == "enrol":
        codes = await signin.new_recovery_codes(s, account.id)
        issued = await signin.completed(request, s, account, f"password+{kind}-enrolment")
        return {"issued": issued, "recovery_codes": codes}
    return {}


@routes.route(
    "POST",
    "/api/auth/totp/confirm",
    summary="Finish TOTP enrolment with a code from the new secret",
    tag="auth",
    body=CodeIn,
    response=StageOut,
    public=True,
)
async def totp_confirm(request: web.Request) -> web.Response:
    body = await parse_body(request, CodeIn)
    kek = request.app[appkeys.KEK]
    async with request.app[appkeys.DB].session() as s:
        account = await signin.partial_account(request, s, "enrol", "full")
        totp = await store.totp_of(s, account.id)
        pending = totp.pending_secret if totp is not None else ""
        step = signin.totp_step(kek, account.id, pending, body.code, request)
        if step is not None:
            await store.set_totp(s, account.id, pending, last_step=step)
            extra = await _after_enrol(request, s, account, "totp")
    if step is None:
        raise await signin.failed(
            request,
            account.username,
            "totp_enrol",
            ErrorCode.BAD_SECOND_FACTOR,
            account_id=account.id,
        )
    return _enrolled(request, extra)


def _enrolled(request: web.Request, extra: dict[str, object]) -> web.Response:
    issued = extra.get("issued")
    if isinstance(issued, signin.Issued):
        return issued.response(request, {"recovery_codes": extra["recovery_codes"]})
    current = session_of(request)
    assert current is not None
    return json_response({"stage": current.stage, "csrf": current.csrf})


@routes.route(
    "POST",
    "/api/auth/passkeys/options",
    summary="Start registering a passkey (WebAuthn creation options)",
    tag="auth",
    response=Options,
    public=True,
)
async def passkey_register_options(request: web.Request) -> web.Response:
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
    return json_response({"publicKey": options})


@routes.route(
    "POST",
    "/api/auth/passkeys",
    summary="Finish registering a passkey",
    tag="auth",
    body=CredentialIn,
    response=StageOut,
    status=201,
    public=True,
)
async def passkey_register(request: web.Request) -> web.Response:
    body = await parse_body(request, CredentialIn)
    settings = request.app[appkeys.SETTINGS]
    async with request.app[appkeys.DB].session() as s:
        account = await signin.partial_account(request, s, "enrol", "full")
        account_id, username = account.id, account.username
    try:
        challenge, bound = await _take_challenge(request, body.credential, "register")
        if bound != account_id:
            raise PasskeyError("other_account")
        cred_id, public_key, count = passkeys.verify_registration(
            body.credential,
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
                name=body.name or "passkey",
            ),
        )
        extra = await _after_enrol(request, s, account, "passkey")
    resp = _enrolled(request, extra)
    resp.set_status(201)
    return resp


@routes.route(
    "GET",
    "/api/auth/passkeys",
    summary="My registered passkeys",
    tag="auth",
    response=list[PasskeyOut],
)
async def passkey_list(request: web.Request) -> web.Response:
    context = context_of(request)
    async with request.app[appkeys.DB].session() as s:
        rows = await store.passkeys_of(s, context.account_id)
        data = [PasskeyOut.model_validate(r).model_dump(mode="json") for r in rows]
    return json_response(data)


@routes.route(
    "DELETE",
    r"/api/auth/passkeys/{passkey_id:\d+}",
    summary="Remove one of my passkeys (not the last second factor)",
    tag="auth",
)
async def passkey_remove(request: web.Request) -> web.Response:
    context = context_of(request)
    await signin.require_recent_auth(request)
    passkey_id = path_int(request, "passkey_id")
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
    return json_response({"removed": passkey_id})


@routes.route(
    "POST",
    "/api/auth/recovery-codes",
    summary="Replace my recovery codes (shown once)",
    tag="auth",
    response=RecoveryOut,
)
async def recovery_regenerate(request: web.Request) -> web.Response:
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
    return json_response({"recovery_codes": codes})


@routes.route(
    "POST",
    "/api/auth/password",
    summary="Change my password (other sessions are signed out)",
    tag="auth",
    body=PasswordIn,
)
async def change_password(request: web.Request) -> web.Response:
    context = context_of(request)
    body = await parse_body(request, PasswordIn)
    if len(body.new_password) < 12:
        raise AppError(422, ErrorCode.VALIDATION, tr("auth.password_too_short"))
    await signin.check_throttle(request, context.username)
    async with request.app[appkeys.DB].session() as s:
        account = await account_store.get(s, context.account_id)
    if not await signin.password_ok(request, account, body.current_password):
        raise await signin.failed(
            request,
            context.username,
            "password_change",
            ErrorCode.BAD_CREDENTIALS,
            account_id=context.account_id,
        )
    new_hash = await asyncio.to_thread(hash_password, body.new_password)
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
    return json_response({"changed": True, "sessions_ended": ended})


@routes.route(
    "POST",
    "/api/auth/step-up",
    summary="Confirm the second factor again (needed e.g. before reading the access logs)",
    tag="auth",
    body=CodeIn,
)
async def step_up(request: web.Request) -> web.Response:
    context = context_of(request)
    body = await parse_body(request, CodeIn)
    kek = request.app[appkeys.KEK]
    await signin.check_throttle(request, context.username)
    async with request.app[appkeys.DB].session() as s:
        totp = await store.totp_of(s, context.account_id)
        sealed = totp.sealed_secret if totp is not None and totp.confirmed else ""
        step = signin.totp_step(kek, context.account_id, sealed, body.code, request)
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
    return json_response({"step_up_at": at.isoformat()})


@routes.route(
    "POST",
    "/api/auth/step-up/passkey/options",
    summary="Start a step-up with one of my passkeys (WebAuthn request options)",
    tag="auth",
    response=Options,
)
async def step_up_passkey_options(request: web.Request) -> web.Response:
    context = context_of(request)
    security = request.app[appkeys.SETTINGS].security
    now = request.app[appkeys.CLOCK]()
    async with request.app[appkeys.DB].session() as s:
        allow = [k.credential_id for k in await store.passkeys_of(s, context.account_id)]
        if not allow:
            raise not_found("khóa truy cập / passkey")
        options, challenge = passkeys.authentication_options(rp_id=security.rp_id, allow=allow)
        await passkeys.save_challenge(s, challenge, "stepup", context.account_id, now)
    return json_response({"publicKey": options})


@routes.route(
    "POST",
    "/api/auth/step-up/passkey",
    summary="Confirm a step-up with one of my passkeys (user verification required)",
    tag="auth",
    body=CredentialIn,
)
async def step_up_passkey(request: web.Request) -> web.Response:
    context = context_of(request)
    body = await parse_body(request, CredentialIn)
    settings = request.app[appkeys.SETTINGS]
    await signin.check_throttle(request, context.username)
    try:
        challenge, bound = await _take_challenge(request, body.credential, "stepup")
        if bound != context.account_id or context.session_id is None:
            raise PasskeyError("other_account")
        async with request.app[appkeys.DB].session() as s:
            row = await store.passkey_by_credential_id(
                s, passkeys.credential_id_of(body.credential)
            )
            if row is None or row.account_id != context.account_id:
                raise PasskeyError("unknown_credential")
            row.sign_count = passkeys.verify_assertion(
                body.credential,
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
    return json_response({"step_up_at": at.isoformat()})
