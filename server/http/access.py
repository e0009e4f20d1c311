"""Invitations to meetings and the access-log view for security officers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import pydantic
from aiohttp import web
from pydantic import Field, ValidationError

from policy.error_codes import ErrorCode
from policy.i18n import tr
from server import appkeys
from server.auth.authz import Permission, require
from server.auth.middleware import context_of, deny
from server.auth.signin import refusal
from server.auth.tokens import digest, new_token
from server.errors import AppError, not_found
from server.http.body import Input, Output, json_response, parse_body, path_int, query_int
from server.http.routes import Routes
from server.storage import identity as store
from server.storage import meetings as meeting_store
from server.storage import members as member_store
from server.storage.models_auth import Invitation

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
    meeting_id = path_int(request, "meeting_id")
    settings = request.app[appkeys.SETTINGS]
    now = request.app[appkeys.CLOCK]()
    async with request.app[appkeys.DB].session() as s:
        meeting = await meeting_store.get(s, meeting_id)
        if meeting is None:
            raise not_found("cuộc họp / meeting")
        require(context, Permission.INVITE_SEND, meeting.org_id)
        body = await parse_body(request, InvitationIn)
        member = await member_store.get(s, body.member_id)
        if member is None or meeting.org_id not in (member.org_id, member.group_id):
            raise AppError(422, ErrorCode.VALIDATION, tr("auth.member_not_in_meeting"))
        token = new_token()
        hours = body.hours or settings.security.invitation_hours
        row = await store.add_invitation(
            s,
            Invitation(
                token_hash=digest(token),
                member_id=member.id,
                meeting_id=meeting.id,
                created_by=context.account_id,
                created_at=now,
                expires_at=now + dt.timedelta(hours=hours),
            ),
        )
        await request.app[appkeys.AUDIT].record(
            context.actor,
            "invitation.create",
            f"meeting:{meeting.id}",
            {"member": member.id, "invitation": row.id, "hours": hours},
            session=s,
        )
    url = f"{settings.server.public_origin.rstrip('/')}/login?invite={token}"
    out = {
        "url": url,
        "meeting_id": meeting.id,
        "member_id": member.id,
        "expires_at": row.expires_at,
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
    now = request.app[appkeys.CLOCK]()
    reason = ""
    async with request.app[appkeys.DB].session() as s:
        row = await store.invitation_by_hash(s, digest(body.invitation))
        if row is None:
            reason = "unknown"
        elif row.used_at is not None:
            reason = "used"
        elif row.expires_at <= now:
            reason = "expired"
        elif row.member_id != context.member_id:
            reason = "other_member"
        else:
            meeting = await meeting_store.get(s, row.meeting_id)
            assert meeting is not None
            require(context, Permission.MEETING_ATTEND, meeting.org_id)
            if not await store.use_invitation(s, row.id, now):
                reason = "used"
            else:
                await request.app[appkeys.AUDIT].record(
                    context.actor,
                    "invitation.redeem",
                    f"meeting:{row.meeting_id}",
                    {"invitation": row.id},
                    session=s,
                )
        invitation_id = row.id if row is not None else None
        meeting_id = row.meeting_id if row is not None else 0
    if reason:
        err = (
            AppError(403, ErrorCode.FORBIDDEN, tr("auth.invitation_other_member"))
            if reason == "other_member"
            else refusal(ErrorCode.INVITATION_INVALID)
        )
        await request.app[appkeys.AUDIT].record(
            context.actor,
            "invitation.rejected",
            f"invitation:{invitation_id}" if invitation_id else "invitation:unknown",
            {"reason": reason, "error_code": err.code.value},
        )
        raise err
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
