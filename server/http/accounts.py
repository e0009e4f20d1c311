"""Members' accounts: enrolment links (invite; open and set the password, public), and the
administrator's reset of a second factor, locking and sign-out everywhere."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from aiohttp import web
from pydantic import Field

from server import appkeys
from server.auth import accounts_admin, enrolment
from server.auth.middleware import context_of
from server.http.body import Input, Output, json_response, parse_body, path_int, respond
from server.http.links import Hours, Token, hours_or_default, link_url
from server.http.routes import Routes

routes = Routes()


class EnrolInviteIn(Input):
    member_id: int = Field(gt=0)
    #: the new account's username (ignored when the member has an account already)
    username: Annotated[str, Field(max_length=64)] = ""
    hours: Hours | None = None


class EnrolInviteOut(Output):
    url: str
    account_id: int
    username: str
    expires_at: dt.datetime


class EnrolLinkIn(Input):
    token: Token


class EnrolLinkOut(Output):
    username: str
    display_name: str
    expires_at: dt.datetime


class EnrolPasswordIn(Input):
    token: Token
    password: Annotated[str, Field(min_length=1, max_length=1024)]


class EnrolStageOut(Output):
    stage: str
    csrf: str


class LockIn(Input):
    locked: bool


class CountOut(Output):
    count: int


@routes.route(
    "POST",
    "/api/enrolments",
    summary="Invite a member to enrol: the account (made if missing) and a single-use, "
    "expiring link (administrator or secretary)",
    tag="auth",
    body=EnrolInviteIn,
    response=EnrolInviteOut,
    status=201,
)
async def invite(request: web.Request) -> web.Response:
    body = await parse_body(request, EnrolInviteIn)
    invited = await enrolment.invite(
        request.app[appkeys.DB],
        request.app[appkeys.AUDIT],
        context_of(request),
        request.app[appkeys.CLOCK](),
        body.member_id,
        body.username,
        hours_or_default(request, body.hours),
    )
    out = {
        "url": link_url(request, "/enrol#", invited.token),
        "account_id": invited.account_id,
        "username": invited.username,
        "expires_at": invited.expires_at,
    }
    return respond(EnrolInviteOut, out, 201)


@routes.route(
    "POST",
    "/api/auth/enrolment",
    summary="Whose enrolment link this is and until when it works (refused and audited when "
    "unknown, used or expired)",
    tag="auth",
    body=EnrolLinkIn,
    response=EnrolLinkOut,
    public=True,
)
async def describe(request: web.Request) -> web.Response:
    body = await parse_body(request, EnrolLinkIn)
    account, expires = await enrolment.describe(request, body.token)
    out = {
        "username": account.username,
        "display_name": account.display_name,
        "expires_at": expires,
    }
    return respond(EnrolLinkOut, out)


@routes.route(
    "POST",
    "/api/auth/enrolment/password",
    summary="Use an enrolment link: set the password; a session at the enrolment stage follows "
    "(then a second factor, then the recovery codes, shown once)",
    tag="auth",
    body=EnrolPasswordIn,
    response=EnrolStageOut,
    public=True,
)
async def set_password(request: web.Request) -> web.Response:
    body = await parse_body(request, EnrolPasswordIn)
    issued = await enrolment.set_password(request, body.token, body.password)
    return issued.response(request, {})


@routes.route(
    "POST",
    r"/api/accounts/{account_id:\d+}/factor-reset",
    summary="Reset a member's second factor (administrator, with a fresh step-up of their own; "
    "audited); the member enrols a new factor at next sign-in",
    tag="auth",
    response=CountOut,
)
async def factor_reset(request: web.Request) -> web.Response:
    removed = await accounts_admin.reset_factor(request, path_int(request, "account_id"))
    return json_response({"count": removed})


@routes.route(
    "POST",
    r"/api/accounts/{account_id:\d+}/lock",
    summary="Lock (every session ends) or unlock an account (administrator; audited)",
    tag="auth",
    body=LockIn,
    response=CountOut,
)
async def lock(request: web.Request) -> web.Response:
    body = await parse_body(request, LockIn)
    ended = await accounts_admin.set_locked(request, path_int(request, "account_id"), body.locked)
    return json_response({"count": ended})


@routes.route(
    "POST",
    r"/api/accounts/{account_id:\d+}/logout-all",
    summary="Sign a member out everywhere, e.g. after a lost phone (administrator; audited)",
    tag="auth",
    response=CountOut,
)
async def logout_all(request: web.Request) -> web.Response:
    ended = await accounts_admin.sign_out_everywhere(request, path_int(request, "account_id"))
    return json_response({"count": ended})
