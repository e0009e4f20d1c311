"""Pilot lifecycle: 828-CV registrations, E3 decisions, E1b circumstances (parse, call
:mod:`server.pilots`, serialise)."""

from __future__ import annotations

from aiohttp import web

from server import appkeys, pilots
from server.auth.authz import Authorize, authorizer
from server.auth.middleware import context_of
from server.http.body import json_response, parse_body, path_int
from server.http.organisations import actor_of
from server.http.routes import Routes
from server.http.schemas import (
    ApprovalOut,
    CircumstanceEnd,
    CircumstanceIn,
    CircumstanceOut,
    DecisionIn,
    RegistrationIn,
    RegistrationOut,
)

routes = Routes()


def _authorize(request: web.Request) -> Authorize:
    return authorizer(context_of(request))


@routes.route(
    "GET",
    r"/api/organisations/{org_id:\d+}/registrations",
    summary="Pilot registrations (828-CV)",
    tag="pilot",
    response=list[RegistrationOut],
)
async def list_registrations(request: web.Request) -> web.Response:
    org_id = path_int(request, "org_id")
    rows = await pilots.listed(
        request.app[appkeys.DB], "registrations", org_id, _authorize(request)
    )
    return json_response([RegistrationOut.model_validate(r).model_dump(mode="json") for r in rows])


@routes.route(
    "POST",
    r"/api/organisations/{org_id:\d+}/registrations",
    summary="Register a unit for the pilot (828-CV form)",
    tag="pilot",
    body=RegistrationIn,
    response=RegistrationOut,
    status=201,
)
async def create_registration(request: web.Request) -> web.Response:
    org_id = path_int(request, "org_id")
    body = await parse_body(request, RegistrationIn)
    app = request.app
    row = await pilots.register_for(
        app[appkeys.DB],
        app[appkeys.AUDIT],
        actor_of(request),
        org_id,
        body.model_dump(),
        _authorize(request),
    )
    return json_response(RegistrationOut.model_validate(row).model_dump(mode="json"), status=201)


@routes.route(
    "GET",
    r"/api/organisations/{org_id:\d+}/decisions",
    summary="Approval decisions (E3)",
    tag="pilot",
    response=list[ApprovalOut],
)
async def list_decisions(request: web.Request) -> web.Response:
    org_id = path_int(request, "org_id")
    rows = await pilots.listed(request.app[appkeys.DB], "decisions", org_id, _authorize(request))
    return json_response([ApprovalOut.model_validate(r).model_dump(mode="json") for r in rows])


@routes.route(
    "POST",
    r"/api/organisations/{org_id:\d+}/decisions",
    summary="Record the superior committee's approval decision (E3)",
    tag="pilot",
    body=DecisionIn,
    response=ApprovalOut,
    status=201,
)
async def create_decision(request: web.Request) -> web.Response:
    org_id = path_int(request, "org_id")
    body = await parse_body(request, DecisionIn)
    app = request.app
    row = await pilots.decide_for(
        app[appkeys.DB],
        app[appkeys.AUDIT],
        actor_of(request),
        org_id,
        body.model_dump(),
        _authorize(request),
    )
    return json_response(ApprovalOut.model_validate(row).model_dump(mode="json"), status=201)


@routes.route(
    "GET",
    r"/api/organisations/{org_id:\d+}/circumstances",
    summary="Special circumstances (E1b)",
    tag="pilot",
    response=list[CircumstanceOut],
)
async def list_circumstances(request: web.Request) -> web.Response:
    org_id = path_int(request, "org_id")
    rows = await pilots.listed(
        request.app[appkeys.DB], "circumstances", org_id, _authorize(request)
    )
    return json_response([CircumstanceOut.model_validate(r).model_dump(mode="json") for r in rows])


@routes.route(
    "POST",
    r"/api/organisations/{org_id:\d+}/circumstances",
    summary="Declare a special circumstance (E1b)",
    tag="pilot",
    body=CircumstanceIn,
    response=CircumstanceOut,
    status=201,
)
async def create_circumstance(request: web.Request) -> web.Response:
    org_id = path_int(request, "org_id")
    body = await parse_body(request, CircumstanceIn)
    app = request.app
    row = await pilots.declare_for(
        app[appkeys.DB],
        app[appkeys.AUDIT],
        actor_of(request),
        org_id,
        body.model_dump(),
        _authorize(request),
    )
    return json_response(CircumstanceOut.model_validate(row).model_dump(mode="json"), status=201)


@routes.route(
    "POST",
    r"/api/circumstances/{circumstance_id:\d+}/end",
    summary="End a special circumstance (E1b; P4 then requires in person)",
    tag="pilot",
    body=CircumstanceEnd,
    response=CircumstanceOut,
)
async def end_circumstance(request: web.Request) -> web.Response:
    cid = path_int(request, "circumstance_id")
    body = await parse_body(request, CircumstanceEnd)
    app = request.app
    row = await pilots.end_by_id(
        app[appkeys.DB],
        app[appkeys.AUDIT],
        actor_of(request),
        cid,
        body.ended_on,
        _authorize(request),
    )
    return json_response(CircumstanceOut.model_validate(row).model_dump(mode="json"))
