"""Pilot lifecycle: 828-CV registrations, E3 decisions, E1b circumstances (parse, call
:mod:`server.pilots`, serialise)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from types import GenericAlias
from typing import TYPE_CHECKING, Any

from aiohttp import web

from server import appkeys, pilots
from server.audit import AuditLog
from server.auth.authz import Authorize, authorizer
from server.auth.middleware import context_of
from server.http.body import Input, Output, parse_body, path_int, respond
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


if TYPE_CHECKING:
    from server.storage.db import Database

    #: ``server.pilots.register_for``, ``decide_for``, ``declare_for``
    Create = Callable[
        [Database, AuditLog, str, int, Mapping[str, Any], Authorize], Awaitable[object]
    ]


def _per_organisation(
    kind: pilots.Kind,
    listing: str,
    creating: str,
    body: type[Input],
    response: type[Output],
    create: Create,
) -> None:
    """``GET`` and ``POST /api/organisations/{org_id}/<kind>``: list them, add one (201)."""
    path = rf"/api/organisations/{{org_id:\d+}}/{kind}"

    async def list_them(request: web.Request) -> web.Response:
        org_id = path_int(request, "org_id")
        rows = await pilots.listed(request.app[appkeys.DB], kind, org_id, _authorize(request))
        return respond(response, rows)

    async def add_one(request: web.Request) -> web.Response:
        org_id = path_int(request, "org_id")
        fields = (await parse_body(request, body)).model_dump()
        app = request.app
        row = await create(
            app[appkeys.DB],
            app[appkeys.AUDIT],
            actor_of(request),
            org_id,
            fields,
            _authorize(request),
        )
        return respond(response, row, 201)

    list_them.__name__, add_one.__name__ = f"list_{kind}", f"create_{kind[:-1]}"  # operationIds
    routes.route(
        "GET", path, summary=listing, tag="pilot", response=GenericAlias(list, (response,))
    )(list_them)
    routes.route(
        "POST", path, summary=creating, tag="pilot", body=body, response=response, status=201
    )(add_one)


_per_organisation(
    "registrations",
    "Pilot registrations (828-CV)",
    "Register a unit for the pilot (828-CV form)",
    RegistrationIn,
    RegistrationOut,
    pilots.register_for,
)
_per_organisation(
    "decisions",
    "Approval decisions (E3)",
    "Record the superior committee's approval decision (E3)",
    DecisionIn,
    ApprovalOut,
    pilots.decide_for,
)
_per_organisation(
    "circumstances",
    "Special circumstances (E1b)",
    "Declare a special circumstance (E1b)",
    CircumstanceIn,
    CircumstanceOut,
    pilots.declare_for,
)


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
    return respond(CircumstanceOut, row)
