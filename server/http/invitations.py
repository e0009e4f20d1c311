"""Invitations to meetings (the access log is read through ``GET /api/audit``, in
``server/http/audit_log.py``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from aiohttp import web
from pydantic import Field

from server import appkeys
from server.auth import invitations
from server.auth.middleware import context_of
from server.http.body import Input, Output, json_response, parse_body, path_int, respond
from server.http.routes import Routes

routes = Routes()


class InvitationIn(Input):
    member_id: int = Field(gt=0)
    hours: int | None = Field(default=None, ge=1, le=24 * 14)


class ObserverInvitationIn(Input):
    """R5: the observer's username (an account the superior committee assigned to the cell)."""

    username: Annotated[str, Field(min_length=1, max_length=100)]
    hours: int | None = Field(default=None, ge=1, le=24 * 14)


class InvitationOut(Output):
    url: str
    meeting_id: int
    member_id: int | None
    expires_at: dt.datetime
    observer: str | None = None


class RedeemIn(Input):
    invitation: Annotated[str, Field(min_length=16, max_length=128)]


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
    context = context_of(request)
    settings = request.app[appkeys.SETTINGS]

    async def member_and_hours() -> tuple[int, int]:
        body = await parse_body(request, InvitationIn)
        return body.member_id, body.hours or settings.security.invitation_hours

    invited = await invitations.invite(
        request.app[appkeys.DB],
        request.app[appkeys.AUDIT],
        context,
        request.app[appkeys.CLOCK](),
        path_int(request, "meeting_id"),
        member_and_hours,
    )
    return respond(InvitationOut, _invitation_out(request, invited), 201)


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
    context = context_of(request)
    settings = request.app[appkeys.SETTINGS]

    async def username_and_hours() -> tuple[str, int]:
        body = await parse_body(request, ObserverInvitationIn)
        return body.username, body.hours or settings.security.invitation_hours

    invited = await invitations.invite_observer(
        request.app[appkeys.DB],
        request.app[appkeys.AUDIT],
        context,
        request.app[appkeys.CLOCK](),
        path_int(request, "meeting_id"),
        username_and_hours,
    )
    return respond(InvitationOut, _invitation_out(request, invited), 201)


def _invitation_out(request: web.Request, invited: invitations.Invited) -> dict[str, object]:
    origin = request.app[appkeys.SETTINGS].server.public_origin.rstrip("/")
    return {
        "url": f"{origin}/login?invite={invited.token}",
        "meeting_id": invited.meeting_id,
        "member_id": invited.member_id,
        "expires_at": invited.expires_at,
        "observer": invited.observer,
    }


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
