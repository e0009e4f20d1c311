"""Organisations and members."""

from __future__ import annotations

from aiohttp import web

from policy.error_codes import ErrorCode
from policy.model import OrgLevel, Role
from server import appkeys
from server.auth.authz import Permission, allowed, require
from server.auth.middleware import actor_of as auth_actor_of
from server.auth.middleware import context_of
from server.errors import AppError, not_found
from server.http.body import json_response, parse_body, path_int
from server.http.routes import Routes
from server.http.schemas import MemberIn, MemberOut, MemberPatch, OrganisationIn, OrganisationOut
from server.storage import accounts as account_store
from server.storage import members as member_store
from server.storage import organisations as org_store
from server.storage.db import Session
from server.storage.models import Member, Organisation

routes = Routes()


def actor_of(request: web.Request) -> str:
    """Who is acting, for the audit log: the signed-in account."""
    return auth_actor_of(request)


async def org_or_404(session: Session, org_id: int) -> Organisation:
    org = await org_store.get(session, org_id)
    if org is None:
        raise not_found("tổ chức / organisation")
    return org


@routes.route(
    "GET",
    "/api/organisations",
    summary="List organisations",
    tag="registry",
    response=list[OrganisationOut],
    query=(("level", "string"),),
)
async def list_organisations(request: web.Request) -> web.Response:
    level_raw = request.query.get("level")
    try:
        level = OrgLevel(level_raw) if level_raw is not None else None
    except ValueError:
        raise AppError.of(ErrorCode.VALIDATION, detail=f"level: unknown {level_raw!r}") from None
    async with request.app[appkeys.DB].session() as session:
        orgs = await org_store.list_all(session, level)
        context = context_of(request)
        data = [
            OrganisationOut.model_validate(o).model_dump(mode="json")
            for o in orgs
            if allowed(context, Permission.ORG_READ, o.id)
        ]
    return json_response(data)


@routes.route(
    "POST",
    "/api/organisations",
    summary="Create an organisation",
    tag="registry",
    body=OrganisationIn,
    response=OrganisationOut,
    status=201,
)
async def create_organisation(request: web.Request) -> web.Response:
    """Needs ORG_MANAGE on the parent; a top-level organisation needs it installation-wide, and
    its creator becomes its administrator (audited as ``role.grant``)."""
    context = context_of(request)
    body = await parse_body(request, OrganisationIn)
    async with request.app[appkeys.DB].session() as session:
        if body.parent_id is not None:
            await org_or_404(session, body.parent_id)
        require(context, Permission.ORG_MANAGE, body.parent_id)
        if body.parent_id is not None:
            parent = await org_or_404(session, body.parent_id)
            expected = org_store.PARENT_LEVEL[body.level]
            if parent.level != expected:
                raise AppError.of(
                    ErrorCode.VALIDATION,
                    detail=f"parent of a {body.level.value} must be a {expected}",
                )
        elif body.level is OrgLevel.GROUP:
            raise AppError.of(ErrorCode.VALIDATION, detail="a party group needs its cell as parent")
        if await org_store.by_code(session, body.code) is not None:
            raise AppError.of(ErrorCode.CONFLICT, detail=f"code {body.code!r} already used")
        org = await org_store.add(session, Organisation(**body.model_dump()))
        await request.app[appkeys.AUDIT].record(
            actor_of(request),
            "organisation.create",
            f"org:{org.id}",
            {"level": org.level.value},
            session=session,
        )
        if org.parent_id is None:
            await account_store.grant(session, context.account_id, org.id, Role.ADMIN)
            await request.app[appkeys.AUDIT].record(
                context.actor,
                "role.grant",
                f"account:{context.account_id}",
                {"org": org.id, "role": Role.ADMIN.value},
                session=session,
            )
        out = OrganisationOut.model_validate(org).model_dump(mode="json")
    return json_response(out, status=201)


@routes.route(
    "GET",
    r"/api/organisations/{org_id:\d+}",
    summary="One organisation",
    tag="registry",
    response=OrganisationOut,
)
async def get_organisation(request: web.Request) -> web.Response:
    org_id = path_int(request, "org_id")
    async with request.app[appkeys.DB].session() as session:
        org = await org_or_404(session, org_id)
        require(context_of(request), Permission.ORG_READ, org_id)
        out = OrganisationOut.model_validate(org).model_dump(mode="json")
    return json_response(out)


@routes.route(
    "GET",
    r"/api/organisations/{org_id:\d+}/members",
    summary="Members of a cell",
    tag="registry",
    response=list[MemberOut],
)
async def list_members(request: web.Request) -> web.Response:
    org_id = path_int(request, "org_id")
    async with request.app[appkeys.DB].session() as session:
        await org_or_404(session, org_id)
        require(context_of(request), Permission.MEMBERS_READ, org_id)
        rows = await member_store.of_org(session, org_id)
        data = [MemberOut.model_validate(m).model_dump(mode="json") for m in rows]
    return json_response(data)


async def _check_group(session: Session, cell_id: int, group_id: int | None) -> None:
    if group_id is None:
        return
    group = await org_store.get(session, group_id)
    if group is None or group.level is not OrgLevel.GROUP or group.parent_id != cell_id:
        raise AppError.of(ErrorCode.VALIDATION, detail="group_id: not a party group of this cell")


@routes.route(
    "POST",
    r"/api/organisations/{org_id:\d+}/members",
    summary="Add a member",
    tag="registry",
    body=MemberIn,
    response=MemberOut,
    status=201,
)
async def create_member(request: web.Request) -> web.Response:
    org_id = path_int(request, "org_id")
    async with request.app[appkeys.DB].session() as session:
        org = await org_or_404(session, org_id)
        require(context_of(request), Permission.MEMBERS_MANAGE, org_id)
        body = await parse_body(request, MemberIn)
        if org.level is not OrgLevel.CELL:
            raise AppError.of(ErrorCode.VALIDATION, detail="members belong to a cell")
        await _check_group(session, org_id, body.group_id)
        data = body.model_dump()
        data["e1a_reasons"] = [r.value for r in body.e1a_reasons]
        member = await member_store.add(session, Member(org_id=org_id, **data))
        await request.app[appkeys.AUDIT].record(
            actor_of(request),
            "member.create",
            f"member:{member.id}",
            {"org": org_id},
            session=session,
        )
        out = MemberOut.model_validate(member).model_dump(mode="json")
    return json_response(out, status=201)


@routes.route(
    "GET", r"/api/members/{member_id:\d+}", summary="One member", tag="registry", response=MemberOut
)
async def get_member(request: web.Request) -> web.Response:
    member_id = path_int(request, "member_id")
    async with request.app[appkeys.DB].session() as session:
        member = await member_store.get(session, member_id)
        if member is None:
            raise not_found("đảng viên / member")
        context = context_of(request)
        if context.member_id != member.id:  # one's own record is always readable
            require(context, Permission.MEMBERS_READ, member.org_id)
        out = MemberOut.model_validate(member).model_dump(mode="json")
    return json_response(out)


@routes.route(
    "PATCH",
    r"/api/members/{member_id:\d+}",
    summary="Change a member's record",
    tag="registry",
    body=MemberPatch,
    response=MemberOut,
)
async def patch_member(request: web.Request) -> web.Response:
    member_id = path_int(request, "member_id")
    async with request.app[appkeys.DB].session() as session:
        member = await member_store.get(session, member_id)
        if member is None:
            raise not_found("đảng viên / member")
        require(context_of(request), Permission.MEMBERS_MANAGE, member.org_id)
        body = await parse_body(request, MemberPatch)
        changes = {k: getattr(body, k) for k in body.model_fields_set}
        if "group_id" in changes:
            await _check_group(session, member.org_id, changes["group_id"])
        if "e1a_reasons" in changes and changes["e1a_reasons"] is not None:
            changes["e1a_reasons"] = [r.value for r in changes["e1a_reasons"]]
        for key, value in changes.items():
            if value is None and key != "group_id":
                raise AppError.of(ErrorCode.VALIDATION, detail=f"{key}: may not be null")
            setattr(member, key, value)
        await session.flush()
        await request.app[appkeys.AUDIT].record(
            actor_of(request),
            "member.update",
            f"member:{member.id}",
            {"fields": sorted(changes)},
            session=session,
        )
        out = MemberOut.model_validate(member).model_dump(mode="json")
    return json_response(out)
