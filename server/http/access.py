"""Invitations to meetings and the access-log view for security officers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import pydantic
from aiohttp import web
from pydantic import Field, ValidationError

from policy.error_codes import ErrorCode
from server import appkeys
from server.auth import invitations
from server.auth.authz import Permission, require
from server.auth.middleware import context_of, deny
from server.auth.signin import refusal
from server.errors import AppError
from server.http.body import Input, Output, json_response, parse_body, path_int, query_int
from server.http.routes import Routes

routes = Routes()


class InvitationIn(Input):
    member_id: int = Field(gt=0)
    hours: int | None = Field(default=None, ge=1, le=24 * 14)


class InvitationOut(Output):
    url: str
    meeting_id: int
    member_id: int
    expires_at: dt.datetime


class RedeemIn(Input):
    invitation: Annotated[str, Field(min_length=16, max_length=128)]


class RedeemOut(Output):
    meeting_id: int
    url: str


class AuditOut(Output):
    seq: int
    ts: dt.datetime
    actor: str
    action: str
    target: str
    details: dict[str, object]


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
    url = f"{settings.server.public_origin.rstrip('/')}/login?invite={invited.token}"
    out = {
        "url": url,
        "meeting_id": invited.meeting_id,
        "member_id": invited.member_id,
        "expires_at": invited.expires_at,
    }
    return json_response(InvitationOut.model_validate(out).model_dump(mode="json"), status=201)


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


def _query_time(request: web.Request, name: str) -> dt.datetime | None:
    raw = request.query.get(name)
    if raw is None:
        return None
    try:
        value = pydantic.TypeAdapter(pydantic.AwareDatetime).validate_python(raw)
    except ValidationError:
        raise AppError.of(
            ErrorCode.VALIDATION, detail=f"{name}: ISO 8601 with a time zone"
        ) from None
    return value.astimezone(dt.UTC)


@routes.route(
    "GET",
    "/api/audit",
    summary="Access log (security officers, after a fresh second-factor step-up)",
    tag="audit",
    response=list[AuditOut],
    query=(
        ("actor", "string"),
        ("action", "string"),
        ("target", "string"),
        ("since", "string"),
        ("until", "string"),
        ("limit", "integer"),
    ),
)
async def list_audit(request: web.Request) -> web.Response:
    context = context_of(request)
    require(context, Permission.AUDIT_READ, None)
    if not request.app[appkeys.SESSIONS].fresh_step_up(context.step_up_at):
        raise await deny(request, refusal(ErrorCode.STEP_UP_REQUIRED), "step_up")
    filters = {k: request.query.get(k) for k in ("actor", "action", "target")}
    since, until = _query_time(request, "since"), _query_time(request, "until")
    limit = min(query_int(request, "limit") or 200, 1000)
    async with request.app[appkeys.DB].session() as s:
        rows = await request.app[appkeys.AUDIT].search(
            actor=filters["actor"],
            action=filters["action"],
            target=filters["target"],
            since=since,
            until=until,
            limit=limit,
            session=s,
        )
        data = [AuditOut.model_validate(r).model_dump(mode="json") for r in rows]
        await request.app[appkeys.AUDIT].record(
            context.actor,
            "audit.read",
            "audit_log",
            {"filters": {k: v for k, v in filters.items() if v}, "rows": len(data)},
            session=s,
        )
    return json_response(data)
