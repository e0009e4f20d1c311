"""Invitations to meetings (the access log is read through ``GET /api/audit``, in
``server/http/audit_log.py``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

from aiohttp import web
from pydantic import Field

from server import appkeys
from server.audit import AuditLog
from server.auth import invitations
from server.auth.context import AccountContext
from server.auth.middleware import context_of
from server.http.body import Input, Output, json_response, parse_body, path_int, respond
from server.http.links import Hours, Token, hours_or_default, link_url
from server.http.routes import Routes

if TYPE_CHECKING:
    from server.storage.db import Database

routes = Routes()

T = TypeVar("T")


class InvitationIn(Input):
    member_id: int = Field(gt=0)
    hours: Hours | None = None


class ObserverInvitationIn(Input):
    """R5: the observer's username (an account the superior committee assigned to the cell)."""

    username: Annotated[str, Field(min_length=1, max_length=100)]
    hours: Hours | None = None


class InvitationOut(Output):
    url: str
    meeting_id: int
    member_id: int | None
    expires_at: dt.datetime
    observer: str | None = None


class RedeemIn(Input):
    invitation: Token


class RedeemOut(Output):
    meeting_id: int
    url: str


@routes.route(
    "POST",
    r"/api/meetings/{meeting_id:\d+}/invitations",
    summary="Invite one member to one meeting (single-use, expiring link)",
    tag="auth",
    body=InvitationIn,
    response=InvitationOut,
    status=201,
)
async def create_invitation(request: web.Request) -> web.Response:
    async def member_and_hours() -> tuple[int, int]:
        body = await parse_body(request, InvitationIn)
        return body.member_id, hours_or_default(request, body.hours)

    return await _create(request, invitations.invite, member_and_hours)


@routes.route(
    "POST",
    r"/api/meetings/{meeting_id:\d+}/invitations/observers",
    summary="Invite an observer by account to one meeting (R5: single-use, expiring link)",
    tag="auth",
    body=ObserverInvitationIn,
    response=InvitationOut,
    status=201,
)
async def create_observer_invitation(request: web.Request) -> web.Response:
    async def username_and_hours() -> tuple[str, int]:
        body = await parse_body(request, ObserverInvitationIn)
        return body.username, hours_or_default(request, body.hours)

    return await _create(request, invitations.invite_observer, username_and_hours)


async def _create(
    request: web.Request,
    invite: Callable[
        [Database, AuditLog, AccountContext, dt.datetime, int, Callable[[], Awaitable[T]]],
        Awaitable[invitations.Invited],
    ],
    read: Callable[[], Awaitable[T]],
) -> web.Response:
    """Either kind of invitation: the body is read (by ``read``) only after the caller may send
    invitations; the answer carries the link, shown once."""
    invited = await invite(
        request.app[appkeys.DB],
        request.app[appkeys.AUDIT],
        context_of(request),
        request.app[appkeys.CLOCK](),
        path_int(request, "meeting_id"),
        read,
    )
    out = {
        "url": link_url(request, "/login?invite=", invited.token),
        "meeting_id": invited.meeting_id,
        "member_id": invited.member_id,
        "expires_at": invited.expires_at,
        "observer": invited.observer,
    }
    return respond(InvitationOut, out, 201)


@routes.route(
    "POST",
    "/api/auth/invitations/redeem",
    summary="Use an invitation after signing in (password and second factor): the meeting page",
    tag="auth",
    body=RedeemIn,
    response=RedeemOut,
)
async def redeem_invitation(request: web.Request) -> web.Response:
    context = context_of(request)
    body = await parse_body(request, RedeemIn)
    meeting_id = await invitations.redeem(
        request.app[appkeys.DB],
        request.app[appkeys.AUDIT],
        context,
        request.app[appkeys.CLOCK](),
        body.invitation,
    )
    return json_response({"meeting_id": meeting_id, "url": f"/meetings/{meeting_id}"})
