"""The pilot as a programme over HTTP (V1–V3): calls with their deadlines, registrations and
their steps, incidents and the monitoring figures. Each handler parses, calls one service of
:mod:`server.oversight.programme` and serialises."""

from __future__ import annotations

from types import GenericAlias

from aiohttp import web

from policy.programme import RegistrationAction
from server import appkeys
from server.http.body import parse_body, path_int, respond
from server.http.organisations import actor_of
from server.http.oversight import ORG, authorize_of, now_of, query_date, today_of
from server.http.oversight_schemas import (
    AnsweredCallOut,
    CallIn,
    CallOut,
    IncidentIn,
    IncidentListOut,
    IncidentOut,
    MonitoringOut,
    OpenCallOut,
    ProgrammeRegistrationIn,
    ProgrammeRegistrationOut,
    RegistrationEventOut,
    StepIn,
)
from server.http.routes import Routes
from server.oversight import incidents, programme

routes = Routes()


# -- V1–V3 --------------------------------------------------------------------------------------


@routes.route(
    "GET",
    f"{ORG}/pilot-calls",
    summary="The committee's calls for pilot registrations (V1)",
    tag="pilot",
    response=GenericAlias(list, (CallOut,)),
)
async def list_calls(request: web.Request) -> web.Response:
    out = await programme.calls(
        request.app[appkeys.DB], path_int(request, "org_id"), authorize_of(request)
    )
    return respond(CallOut, out)


@routes.route(
    "GET",
    f"{ORG}/pilot-calls/open",
    summary="Calls a unit may answer: deadline (Vietnam time) not past (V1)",
    tag="pilot",
    response=GenericAlias(list, (OpenCallOut,)),
)
async def list_open_calls(request: web.Request) -> web.Response:
    out = await programme.open_calls(
        request.app[appkeys.DB],
        path_int(request, "org_id"),
        today_of(request),
        authorize_of(request),
    )
    return respond(OpenCallOut, out)


@routes.route(
    "GET",
    f"{ORG}/pilot-calls/answered",
    summary="The calls a unit's registrations answered, with their deadlines (V1)",
    tag="pilot",
    response=GenericAlias(list, (AnsweredCallOut,)),
)
async def list_answered_calls(request: web.Request) -> web.Response:
    out = await programme.answered_calls(
        request.app[appkeys.DB], path_int(request, "org_id"), authorize_of(request)
    )
    return respond(AnsweredCallOut, out)


@routes.route(
    "POST",
    f"{ORG}/pilot-calls",
    summary="Open a call for pilot registrations with a deadline (V1)",
    tag="pilot",
    body=CallIn,
    response=CallOut,
    status=201,
)
async def open_call(request: web.Request) -> web.Response:
    body = await parse_body(request, CallIn)
    app = request.app
    row = await programme.open_call(
        app[appkeys.DB],
        app[appkeys.AUDIT],
        actor_of(request),
        path_int(request, "org_id"),
        body.model_dump(),
        authorize_of(request),
    )
    return respond(CallOut, row, 201)


@routes.route(
    "POST",
    r"/api/pilot-calls/{call_id:\d+}/close",
    summary="Close a call for registrations before its deadline (V1, the organisation board)",
    tag="pilot",
    response=CallOut,
)
async def close_call(request: web.Request) -> web.Response:
    app = request.app
    row = await programme.close_call(
        app[appkeys.DB],
        app[appkeys.AUDIT],
        actor_of(request),
        path_int(request, "call_id"),
        now_of(request),
        authorize_of(request),
    )
    return respond(CallOut, row)


@routes.route(
    "POST",
    f"{ORG}/pilot-registrations",
    summary="Register for the pilot answering a call, sent by its deadline or kept as draft (V1)",
    tag="pilot",
    body=ProgrammeRegistrationIn,
    response=ProgrammeRegistrationOut,
    status=201,
)
async def register(request: web.Request) -> web.Response:
    body = await parse_body(request, ProgrammeRegistrationIn)
    fields = body.model_dump()
    draft = fields.pop("draft")
    app = request.app
    row = await programme.register(
        app[appkeys.DB],
        app[appkeys.AUDIT],
        actor_of(request),
        path_int(request, "org_id"),
        fields,
        draft,
        now_of(request),
        authorize_of(request),
    )
    return respond(ProgrammeRegistrationOut, row, 201)


@routes.route(
    "POST",
    r"/api/registrations/{registration_id:\d+}/steps",
    summary="A step of a registration: vet, return, correct, endorse, approve, refuse (V2)",
    tag="pilot",
    body=StepIn,
    response=ProgrammeRegistrationOut,
)
async def registration_step(request: web.Request) -> web.Response:
    body = await parse_body(request, StepIn)
    today = today_of(request)
    decision = {
        "number": body.number,
        "decided_on": body.decided_on or today,
        "issuer": body.issuer,
        "issuer_kind": body.issuer_kind,
        "valid_from": body.valid_from or body.decided_on or today,
        "valid_to": body.valid_to,
    }
    correction = (
        {k: v for k, v in body.correction.model_dump().items() if v is not None}
        if body.correction is not None
        else None
    )
    app = request.app
    row = await programme.step(
        app[appkeys.DB],
        app[appkeys.AUDIT],
        actor_of(request),
        path_int(request, "registration_id"),
        programme.Step(RegistrationAction(body.action), body.reason, correction, decision),
        today,
        now_of(request),
        authorize_of(request),
    )
    return respond(ProgrammeRegistrationOut, row)


@routes.route(
    "GET",
    r"/api/registrations/{registration_id:\d+}/events",
    summary="A registration's steps, who took them and why (V2)",
    tag="pilot",
    response=GenericAlias(list, (RegistrationEventOut,)),
)
async def registration_events(request: web.Request) -> web.Response:
    out = await programme.events(
        request.app[appkeys.DB], path_int(request, "registration_id"), authorize_of(request)
    )
    return respond(RegistrationEventOut, out)


@routes.route(
    "POST",
    f"{ORG}/pilot-incidents",
    summary="Record an incident of the pilot or members' feedback: the unit or its board (V3)",
    tag="pilot",
    body=IncidentIn,
    response=IncidentOut,
    status=201,
)
async def record_incident(request: web.Request) -> web.Response:
    body = await parse_body(request, IncidentIn)
    app = request.app
    row = await incidents.record_incident(
        app[appkeys.DB],
        app[appkeys.AUDIT],
        actor_of(request),
        path_int(request, "org_id"),
        body.model_dump(),
        today_of(request),
        authorize_of(request),
    )
    return respond(IncidentOut, row, 201)


@routes.route(
    "GET",
    f"{ORG}/pilot-incidents",
    summary="Incidents and feedback of the pilot recorded for the units under it (V3)",
    tag="pilot",
    response=GenericAlias(list, (IncidentListOut,)),
    query=(("from", "string"), ("to", "string")),
)
async def list_incidents(request: web.Request) -> web.Response:
    out = await incidents.incidents(
        request.app[appkeys.DB],
        path_int(request, "org_id"),
        query_date(request, "from"),
        query_date(request, "to"),
        authorize_of(request),
    )
    return respond(IncidentListOut, out)


@routes.route(
    "GET",
    f"{ORG}/pilot-monitoring",
    summary="The pilot's figures per unit for a period (V3)",
    tag="pilot",
    response=GenericAlias(list, (MonitoringOut,)),
    query=(("from", "string"), ("to", "string")),
)
async def monitoring(request: web.Request) -> web.Response:
    out = await programme.monitoring(
        request.app[appkeys.DB],
        path_int(request, "org_id"),
        query_date(request, "from"),
        query_date(request, "to"),
        authorize_of(request),
    )
    return respond(MonitoringOut, out)
