"""Pilot lifecycle: 828-CV registrations, E3 decisions, E1b circumstances."""

from __future__ import annotations

from aiohttp import web

from policy.error_codes import ErrorCode
from server import appkeys, pilots
from server.auth.authz import Permission, require
from server.auth.middleware import context_of
from server.errors import AppError, not_found
from server.http.body import json_response, parse_body, path_int
from server.http.registry import actor_of, org_or_404
from server.http.routes import Routes
from server.http.schemas import (
    CircumstanceEnd,
    CircumstanceIn,
    CircumstanceOut,
    DecisionIn,
    DecisionOut,
    RegistrationIn,
    RegistrationOut,
)
from server.storage import pilots as pilot_store
from server.storage.models import ApprovalDecision, Circumstance, PilotRegistration

routes = Routes()


@routes.route(
    "GET",
    r"/api/organisations/{org_id:\d+}/registrations",
    summary="Pilot registrations (828-CV)",
    tag="pilot",
    response=list[RegistrationOut],
)
async def list_registrations(request: web.Request) -> web.Response:
    org_id = path_int(request, "org_id")
    async with request.app[appkeys.DB].session() as session:
        await org_or_404(session, org_id)
        require(context_of(request), Permission.PILOT_READ, org_id)
        rows = await pilot_store.registrations(session, org_id)
        data = [RegistrationOut.model_validate(r).model_dump(mode="json") for r in rows]
    return json_response(data)


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
    async with request.app[appkeys.DB].session() as session:
        await org_or_404(session, org_id)
        require(context_of(request), Permission.PILOT_MANAGE, org_id)
        row = await pilots.register(
            session,
            request.app[appkeys.AUDIT],
            actor_of(request),
            PilotRegistration(org_id=org_id, **body.model_dump()),
        )
        out = RegistrationOut.model_validate(row).model_dump(mode="json")
    return json_response(out, status=201)


@routes.route(
    "GET",
    r"/api/organisations/{org_id:\d+}/decisions",
    summary="Approval decisions (E3)",
    tag="pilot",
    response=list[DecisionOut],
)
async def list_decisions(request: web.Request) -> web.Response:
    org_id = path_int(request, "org_id")
    async with request.app[appkeys.DB].session() as session:
        await org_or_404(session, org_id)
        require(context_of(request), Permission.PILOT_READ, org_id)
        rows = await pilot_store.decisions(session, org_id)
        data = [DecisionOut.model_validate(r).model_dump(mode="json") for r in rows]
    return json_response(data)


@routes.route(
    "POST",
    r"/api/organisations/{org_id:\d+}/decisions",
    summary="Record the superior committee's approval decision (E3)",
    tag="pilot",
    body=DecisionIn,
    response=DecisionOut,
    status=201,
)
async def create_decision(request: web.Request) -> web.Response:
    org_id = path_int(request, "org_id")
    body = await parse_body(request, DecisionIn)
    async with request.app[appkeys.DB].session() as session:
        await org_or_404(session, org_id)
        require(context_of(request), Permission.PILOT_MANAGE, org_id)
        if body.registration_id is not None:
            reg = await pilot_store.registration(session, body.registration_id)
            if reg is None or reg.org_id != org_id:
                raise not_found("đăng ký / registration")
        row = await pilots.decide(
            session,
            request.app[appkeys.AUDIT],
            actor_of(request),
            ApprovalDecision(org_id=org_id, **body.model_dump()),
        )
        out = DecisionOut.model_validate(row).model_dump(mode="json")
    return json_response(out, status=201)


@routes.route(
    "GET",
    r"/api/organisations/{org_id:\d+}/circumstances",
    summary="Special circumstances (E1b)",
    tag="pilot",
    response=list[CircumstanceOut],
)
async def list_circumstances(request: web.Request) -> web.Response:
    org_id = path_int(request, "org_id")
    async with request.app[appkeys.DB].session() as session:
        await org_or_404(session, org_id)
        require(context_of(request), Permission.PILOT_READ, org_id)
        rows = await pilot_store.circumstances(session, org_id)
        data = [CircumstanceOut.model_validate(r).model_dump(mode="json") for r in rows]
    return json_response(data)


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
    async with request.app[appkeys.DB].session() as session:
        await org_or_404(session, org_id)
        require(context_of(request), Permission.PILOT_MANAGE, org_id)
        row = await pilots.declare(
            session,
            request.app[appkeys.AUDIT],
            actor_of(request),
            Circumstance(org_id=org_id, **body.model_dump()),
        )
        out = CircumstanceOut.model_validate(row).model_dump(mode="json")
    return json_response(out, status=201)


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
    async with request.app[appkeys.DB].session() as session:
        row = await pilot_store.circumstance(session, cid)
        if row is None:
            raise not_found("hoàn cảnh đặc biệt / circumstance")
        require(context_of(request), Permission.PILOT_MANAGE, row.org_id)
        try:
            await pilots.end(
                session, request.app[appkeys.AUDIT], actor_of(request), row, body.ended_on
            )
        except pilots.AlreadyEnded:
            raise AppError.of(ErrorCode.CONFLICT, detail="already ended") from None
        except pilots.DateOrder:
            raise AppError.of(
                ErrorCode.VALIDATION, detail="ended_on is before started_on"
            ) from None
        out = CircumstanceOut.model_validate(row).model_dump(mode="json")
    return json_response(out)
