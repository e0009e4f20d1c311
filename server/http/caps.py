"""Pilot caps used this year (P3, P5) for the planning page: parse, call
:mod:`server.pilot_caps`, serialise."""

from __future__ import annotations

import datetime as dt

from aiohttp import web

from policy.error_codes import ErrorCode
from server import appkeys, pilot_caps
from server.auth.authz import authorizer
from server.auth.middleware import context_of
from server.errors import AppError
from server.http.body import json_response, path_int
from server.http.conduct_schemas import RuleDecisionOut
from server.http.routes import Routes
from server.rules import VN_TZ

routes = Routes()


@routes.route(
    "GET",
    r"/api/organisations/{org_id:\d+}/caps",
    summary="Pilot caps used in the year of ?date= (Vietnam today when absent): online meetings "
    "(P3) and meetings by party groups (P5), each with its count, cap and rule id",
    tag="pilot",
    response=list[RuleDecisionOut],
    query=(("date", "string"),),
)
async def caps_used(request: web.Request) -> web.Response:
    org_id = path_int(request, "org_id")
    raw = request.query.get("date")
    try:
        on = dt.date.fromisoformat(raw) if raw is not None else dt.datetime.now(VN_TZ).date()
    except ValueError:
        raise AppError.of(ErrorCode.VALIDATION, detail="date: YYYY-MM-DD") from None
    found = await pilot_caps.used(
        request.app[appkeys.DB], org_id, on, authorizer(context_of(request))
    )
    return json_response([d.as_dict() for d in found])
