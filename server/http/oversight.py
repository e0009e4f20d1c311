"""The superior committee's oversight API: meeting quality (Q1–Q3). Supervision, inspections and
notebooks (S1, S2) are in :mod:`server.http.supervision`, the pilot programme (V1–V3) in
:mod:`server.http.programme`, the reports as files in :mod:`server.http.oversight_reports`.
Each handler parses, calls one service of :mod:`server.oversight` and serialises. The helpers
``authorize_of``, ``now_of``, ``today_of``, ``query_text`` and ``query_date`` serve all four."""

from __future__ import annotations

import datetime as dt
from types import GenericAlias

from aiohttp import web

from policy.error_codes import ErrorCode
from server import appkeys, rules
from server.auth.authz import Authorize, authorizer
from server.auth.middleware import context_of
from server.errors import AppError
from server.http.body import parse_body, path_int, respond
from server.http.organisations import actor_of
from server.http.oversight_schemas import (
    CellOverviewOut,
    CriteriaIn,
    CriteriaOut,
    CriteriaVersionOut,
    EvaluateIn,
    MeetingQualityOut,
    PublishIn,
    QualityResultOut,
    WeakCellOut,
)
from server.http.routes import Routes
from server.oversight import criteria, quality

routes = Routes()
ORG = r"/api/organisations/{org_id:\d+}"
MEETING = r"/api/meetings/{meeting_id:\d+}"


def authorize_of(request: web.Request) -> Authorize:
    return authorizer(context_of(request))


def now_of(request: web.Request) -> dt.datetime:
    return request.app[appkeys.CLOCK]()


def today_of(request: web.Request) -> dt.date:
    return rules.local_date(now_of(request))


def query_text(request: web.Request, name: str) -> str:
    raw = request.query.get(name)
    if raw is None:
        raise AppError.of(ErrorCode.VALIDATION, detail=f"{name}: required")
    return raw


def query_date(request: web.Request, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(query_text(request, name))
    except ValueError:
        raise AppError.of(ErrorCode.VALIDATION, detail=f"{name}: YYYY-MM-DD") from None


# -- Q1–Q3 --------------------------------------------------------------------------------------


@routes.route(
    "GET",
    f"{ORG}/quality/criteria",
    summary="The committee's quality criteria in force, or the defaults from the rules (Q1)",
    tag="oversight",
    response=CriteriaOut,
)
async def get_criteria(request: web.Request) -> web.Response:
    out = await criteria.criteria(
        request.app[appkeys.DB], path_int(request, "org_id"), authorize_of(request)
    )
    return respond(CriteriaOut, out)


@routes.route(
    "GET",
    f"{ORG}/quality/criteria/versions",
    summary="Every version of the committee's quality criteria, the defaults first (Q1)",
    tag="oversight",
    response=GenericAlias(list, (CriteriaVersionOut,)),
)
async def criteria_versions(request: web.Request) -> web.Response:
    out = await criteria.history(
        request.app[appkeys.DB], path_int(request, "org_id"), authorize_of(request)
    )
    return respond(CriteriaVersionOut, out)


@routes.route(
    "POST",
    f"{ORG}/quality/criteria",
    summary="A new version of the committee's quality criteria (Q1)",
    tag="oversight",
    body=CriteriaIn,
    response=CriteriaOut,
    status=201,
)
async def set_criteria(request: web.Request) -> web.Response:
    body = await parse_body(request, CriteriaIn)
    app = request.app
    out = await criteria.set_criteria(
        app[appkeys.DB],
        app[appkeys.AUDIT],
        actor_of(request),
        path_int(request, "org_id"),
        body.model_dump(),
        authorize_of(request),
    )
    return respond(CriteriaOut, out, 201)


@routes.route(
    "GET",
    f"{MEETING}/quality",
    summary="A held meeting's quality evaluation with the evidence per criterion (Q1)",
    tag="oversight",
    response=MeetingQualityOut,
)
async def meeting_quality(request: web.Request) -> web.Response:
    out = await quality.meeting_quality(
        request.app[appkeys.DB], path_int(request, "meeting_id"), authorize_of(request)
    )
    return respond(MeetingQualityOut, out)


@routes.route(
    "POST",
    f"{ORG}/quality/evaluate",
    summary="Classify every cell of the committee, or one, for a month or quarter; publish (Q2)",
    tag="oversight",
    body=EvaluateIn,
    response=GenericAlias(list, (QualityResultOut,)),
)
async def evaluate(request: web.Request) -> web.Response:
    body = await parse_body(request, EvaluateIn)
    app = request.app
    out = await quality.evaluate(
        app[appkeys.DB],
        app[appkeys.AUDIT],
        actor_of(request),
        path_int(request, "org_id"),
        body.period,
        body.publish,
        now_of(request),
        authorize_of(request),
        cell_id=body.cell_id,
    )
    return respond(QualityResultOut, out)


@routes.route(
    "POST",
    f"{ORG}/quality/publish",
    summary="Send the period's results back to the cells (or one cell), openly (Q2)",
    tag="oversight",
    body=PublishIn,
    response=GenericAlias(list, (QualityResultOut,)),
)
async def publish(request: web.Request) -> web.Response:
    body = await parse_body(request, PublishIn)
    app = request.app
    out = await quality.publish(
        app[appkeys.DB],
        app[appkeys.AUDIT],
        actor_of(request),
        path_int(request, "org_id"),
        body.period,
        now_of(request),
        authorize_of(request),
        cell_id=body.cell_id,
    )
    return respond(QualityResultOut, out)


@routes.route(
    "GET",
    f"{ORG}/quality",
    summary="The committee's cells for a period: classification, R1 state, caps, GM3 (Q2)",
    tag="oversight",
    response=GenericAlias(list, (CellOverviewOut,)),
    query=(("period", "string"),),
)
async def overview(request: web.Request) -> web.Response:
    out = await quality.overview(
        request.app[appkeys.DB],
        path_int(request, "org_id"),
        query_text(request, "period"),
        authorize_of(request),
    )
    return respond(CellOverviewOut, out)


@routes.route(
    "GET",
    f"{ORG}/quality/results",
    summary="A cell's published quality results, for its home page (Q2)",
    tag="oversight",
    response=GenericAlias(list, (QualityResultOut,)),
)
async def cell_results(request: web.Request) -> web.Response:
    out = await quality.cell_results(
        request.app[appkeys.DB], path_int(request, "org_id"), authorize_of(request)
    )
    return respond(QualityResultOut, out)


@routes.route(
    "GET",
    f"{ORG}/quality/weak",
    summary="Cells weak over consecutive periods, with the members following them (Q3)",
    tag="oversight",
    response=GenericAlias(list, (WeakCellOut,)),
)
async def weak(request: web.Request) -> web.Response:
    out = await quality.weak(
        request.app[appkeys.DB], path_int(request, "org_id"), authorize_of(request)
    )
    return respond(WeakCellOut, out)
