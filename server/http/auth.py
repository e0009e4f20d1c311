"""Sign-in, second factors, sessions and sign-out (docs/security-identity.md)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from aiohttp import web
from pydantic import BaseModel, Field

from server import appkeys
from server.auth import factors, service
from server.auth.middleware import session_of
from server.auth.sessions import clear_cookie
from server.http.body import Input, Output, json_response, parse_body, path_int, respond
from server.http.routes import Routes

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
    #: the administrator reset the second factor: a new one is enrolled now
    factor_reset: bool = False


class SessionOut(Output):
    authenticated: bool
    stage: str | None = None
    csrf: str | None = None
    account: dict[str, object] | None = None
    roles: list[dict[str, object]] = []
    step_up_fresh: bool = False
    factor_reset: bool = False


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
    issued, methods, reset = await service.login(request, body.username, body.password)
    return issued.response(request, {"methods": methods, "factor_reset": reset})


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
    return (await service.verify_totp(request, body.code)).response(request, {})


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
    return (await service.verify_recovery(request, body.code)).response(request, {})


@routes.route(
    "POST",
    "/api/auth/passkey/options",
    summary="Start a passkey sign-in (WebAuthn request options)",
    tag="auth",
    response=Options,
    public=True,
)
async def passkey_options(request: web.Request) -> web.Response:
    return json_response({"publicKey": await service.passkey_options(request)})


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
    return (await service.verify_passkey(request, body.credential)).response(request, {})


@routes.route(
    "GET",
    "/api/auth/session",
    summary="The current session: stage, account, roles and the CSRF token",
    tag="auth",
    response=SessionOut,
    public=True,
)
async def current_session(request: web.Request) -> web.Response:
    return json_response(await service.current_session(request))


@routes.route("POST", "/api/auth/logout", summary="Sign out this session", tag="auth", public=True)
async def logout(request: web.Request) -> web.Response:
    await service.sign_out(request)
    resp = json_response({"stage": None})
    clear_cookie(resp, request.app[appkeys.SETTINGS].server)
    return resp


@routes.route(
    "POST", "/api/auth/logout-all", summary="Sign out everywhere (every session)", tag="auth"
)
async def logout_all(request: web.Request) -> web.Response:
    count = await service.sign_out_everywhere(request)
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
    uri = await service.totp_setup(request)
    return json_response({"uri": uri, "qr": factors.qr_data_url(uri)})


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
    return _enrolled(request, await service.totp_confirm(request, body.code))


def _enrolled(request: web.Request, enrolled: service.Enrolled) -> web.Response:
    if enrolled.issued is not None:
        codes = list(enrolled.recovery_codes)
        return enrolled.issued.response(request, {"recovery_codes": codes})
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
    return json_response({"publicKey": await service.passkey_register_options(request)})


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
    resp = _enrolled(request, await service.passkey_register(request, body.credential, body.name))
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
    rows = await service.passkey_list(request)
    return respond(PasskeyOut, rows)


@routes.route(
    "DELETE",
    r"/api/auth/passkeys/{passkey_id:\d+}",
    summary="Remove one of my passkeys (not the last second factor)",
    tag="auth",
)
async def passkey_remove(request: web.Request) -> web.Response:
    passkey_id = path_int(request, "passkey_id")
    await service.passkey_remove(request, passkey_id)
    return json_response({"removed": passkey_id})


@routes.route(
    "POST",
    "/api/auth/recovery-codes",
    summary="Replace my recovery codes (shown once)",
    tag="auth",
    response=RecoveryOut,
)
async def recovery_regenerate(request: web.Request) -> web.Response:
    return json_response({"recovery_codes": await service.recovery_regenerate(request)})


@routes.route(
    "POST",
    "/api/auth/password",
    summary="Change my password (other sessions are signed out)",
    tag="auth",
    body=PasswordIn,
)
async def change_password(request: web.Request) -> web.Response:
    body = await parse_body(request, PasswordIn)
    ended = await service.change_password(request, body.current_password, body.new_password)
    return json_response({"changed": True, "sessions_ended": ended})


@routes.route(
    "POST",
    "/api/auth/step-up",
    summary="Confirm the second factor again (needed e.g. before reading the access logs)",
    tag="auth",
    body=CodeIn,
)
async def step_up(request: web.Request) -> web.Response:
    body = await parse_body(request, CodeIn)
    at = await service.step_up(request, body.code)
    return json_response({"step_up_at": at.isoformat()})


@routes.route(
    "POST",
    "/api/auth/step-up/passkey/options",
    summary="Start a step-up with one of my passkeys (WebAuthn request options)",
    tag="auth",
    response=Options,
)
async def step_up_passkey_options(request: web.Request) -> web.Response:
    return json_response({"publicKey": await service.step_up_passkey_options(request)})


@routes.route(
    "POST",
    "/api/auth/step-up/passkey",
    summary="Confirm a step-up with one of my passkeys (user verification required)",
    tag="auth",
    body=CredentialIn,
)
async def step_up_passkey(request: web.Request) -> web.Response:
    body = await parse_body(request, CredentialIn)
    at = await service.step_up_passkey(request, body.credential)
    return json_response({"step_up_at": at.isoformat()})
