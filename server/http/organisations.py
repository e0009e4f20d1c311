"""Organisations and members: parse, call :mod:`server.organisations`, serialise."""

from __future__ import annotations

from aiohttp import web

from policy.error_codes import ErrorCode
from policy.model import OrgLevel
from server import appkeys
from server import organisations as service
from server.auth.authz import Permission
from server.auth.middleware import actor_of as auth_actor_of
from server.auth.middleware import context_of
from server.errors import AppError
from server.http.body import parse_body, path_int, respond
from server.http.routes import Routes
from server.http.schemas import (
    MemberIn,
    MemberOut,
    MemberPatch,
    OrganisationIn,
    OrganisationOut,
    periods_json,
)
from server.organisations import org_or_404

__all__ = ["actor_of", "org_or_404", "routes"]

routes = Routes()


def actor_of(request: web.Request) -> str:
    """Who is acting, for the audit log: the signed-in account."""
    return auth_actor_of(request)


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
    orgs = await service.visible(request.app[appkeys.DB], context_of(request), level)
    return respond(OrganisationOut, orgs)


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
    app = request.app
    org = await service.create(app[appkeys.DB], app[appkeys.AUDIT], context, body.model_dump())
    return respond(OrganisationOut, org, 201)


@routes.route(
    "GET",
    r"/api/organisations/{org_id:\d+}",
    summary="One organisation",
    tag="registry",
    response=OrganisationOut,
)
async def get_organisation(request: web.Request) -> web.Response:
    org_id = path_int(request, "org_id")
    org = await service.get(
        request.app[appkeys.DB], context_of(request), org_id, Permission.ORG_READ
    )
    return respond(OrganisationOut, org)


@routes.route(
    "GET",
    r"/api/organisations/{org_id:\d+}/members",
    summary="Members of a cell",
    tag="registry",
    response=list[MemberOut],
)
async def list_members(request: web.Request) -> web.Response:
    org_id = path_int(request, "org_id")
    rows = await service.members(request.app[appkeys.DB], context_of(request), org_id)
    return respond(MemberOut, rows)


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
    context = context_of(request)
    body = await parse_body(request, MemberIn)
    data = body.model_dump()
    data["e1a_reasons"] = [r.value for r in body.e1a_reasons]
    data["e1a_periods"] = periods_json(body.e1a_periods)
    data["flag_periods"] = periods_json(body.flag_periods)
    app = request.app
    member = await service.add_member(
        app[appkeys.DB], app[appkeys.AUDIT], context, org_id, data, app[appkeys.CLOCK]()
    )
    return respond(MemberOut, member, 201)


@routes.route(
    "GET", r"/api/members/{member_id:\d+}", summary="One member", tag="registry", response=MemberOut
)
async def get_member(request: web.Request) -> web.Response:
    member_id = path_int(request, "member_id")
    member = await service.member(request.app[appkeys.DB], context_of(request), member_id)
    return respond(MemberOut, member)


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
    context = context_of(request)
    body = await parse_body(request, MemberPatch)
    changes = {k: getattr(body, k) for k in body.model_fields_set}
    if "e1a_reasons" in changes and changes["e1a_reasons"] is not None:
        changes["e1a_reasons"] = [r.value for r in changes["e1a_reasons"]]
    if "e1a_periods" in changes and changes["e1a_periods"] is not None:
        changes["e1a_periods"] = periods_json(changes["e1a_periods"])
    if "flag_periods" in changes and changes["flag_periods"] is not None:
        changes["flag_periods"] = periods_json(changes["flag_periods"])
    app = request.app
    member = await service.update_member(
        app[appkeys.DB], app[appkeys.AUDIT], context, member_id, changes, app[appkeys.CLOCK]()
    )
    return respond(MemberOut, member)
