"""The superior committee's oversight API: meeting quality (Q1–Q3), supervision and inspection
(S1–S3) and members' notebooks (S2); the pilot programme (V1–V3) is in
:mod:`server.http.programme`, the reports as files in :mod:`server.http.oversight_reports`.
Each handler parses, calls one service of :mod:`server.oversight` and serialises. The helpers
``authorize_of``, ``now_of``, ``today_of``, ``query_text`` and ``query_date`` serve all three."""

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
    CandidateOut,
    CellOverviewOut,
    CriteriaIn,
    CriteriaOut,
    CriteriaVersionOut,
    EvaluateIn,
    HandInChoiceOut,
    HandInIn,
    HandInOut,
    InspectionIn,
    InspectionOut,
    InspectionRecordsOut,
    MeetingQualityOut,
    NotebookIn,
    NotebookOut,
    PublishIn,
    QualityResultOut,
    SupervisionAssignmentEndIn,
    SupervisionAssignmentIn,
    SupervisionAssignmentListOut,
    SupervisionAssignmentOut,
    VisitIn,
    VisitListOut,
    VisitOut,
    WeakCellOut,
)
from server.http.routes import Routes
from server.oversight import criteria, notebook, quality, supervision

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


# -- S1 -----------------------------------------------------------------------------------------


@routes.route(
    "GET",
    f"{ORG}/supervision/assignments",
    summary="Committee members assigned to follow cells (S1)",
    tag="oversight",
    response=GenericAlias(list, (SupervisionAssignmentListOut,)),
)
async def list_assignments(request: web.Request) -> web.Response:
    out = await supervision.assignments(
        request.app[appkeys.DB], path_int(request, "org_id"), authorize_of(request)
    )
    return respond(SupervisionAssignmentListOut, out)


@routes.route(
    "GET",
    f"{ORG}/supervision/candidates",
    summary="The committee's members who may be assigned to follow a cell (S1)",
    tag="oversight",
    response=GenericAlias(list, (CandidateOut,)),
)
async def list_candidates(request: web.Request) -> web.Response:
    out = await supervision.candidates(
        request.app[appkeys.DB], path_int(request, "org_id"), authorize_of(request)
    )
    return respond(CandidateOut, out)


@routes.route(
    "POST",
    f"{ORG}/supervision/assignments",
    summary="Assign a committee member to attend and follow a cell, as observer (S1)",
    tag="oversight",
    body=SupervisionAssignmentIn,
    response=SupervisionAssignmentOut,
    status=201,
)
async def assign(request: web.Request) -> web.Response:
    body = await parse_body(request, SupervisionAssignmentIn)
    app = request.app
    row = await supervision.assign(
        app[appkeys.DB],
        app[appkeys.AUDIT],
        actor_of(request),
        path_int(request, "org_id"),
        body.cell_id,
        body.account_id,
        body.started_on,
        authorize_of(request),
    )
    return respond(SupervisionAssignmentOut, row, 201)


@routes.route(
    "POST",
    r"/api/supervision/assignments/{assignment_id:\d+}/end",
    summary="End an assignment (the observer role it gave is taken back) (S1)",
    tag="oversight",
    body=SupervisionAssignmentEndIn,
    response=SupervisionAssignmentOut,
)
async def end_assignment(request: web.Request) -> web.Response:
    body = await parse_body(request, SupervisionAssignmentEndIn)
    app = request.app
    row = await supervision.end_assignment(
        app[appkeys.DB],
        app[appkeys.AUDIT],
        actor_of(request),
        path_int(request, "assignment_id"),
        body.ended_on,
        authorize_of(request),
    )
    return respond(SupervisionAssignmentOut, row)


@routes.route(
    "POST",
    f"{MEETING}/supervision-visits",
    summary="Record a committee member's attendance at a cell meeting (S1)",
    tag="oversight",
    body=VisitIn,
    response=VisitOut,
    status=201,
)
async def record_visit(request: web.Request) -> web.Response:
    body = await parse_body(request, VisitIn)
    app = request.app
    context = context_of(request)
    row = await supervision.record_visit(
        app[appkeys.DB],
        app[appkeys.AUDIT],
        actor_of(request),
        context.account_id,
        path_int(request, "meeting_id"),
        body.account_id,
        body.way,
        now_of(request),
        authorize_of(request),
    )
    return respond(VisitOut, row, 201)


@routes.route(
    "GET",
    f"{ORG}/supervision/visits",
    summary="Committee members' attendance at the cells' meetings in a period (S1)",
    tag="oversight",
    response=GenericAlias(list, (VisitListOut,)),
    query=(("from", "string"), ("to", "string")),
)
async def list_visits(request: web.Request) -> web.Response:
    out = await supervision.visits(
        request.app[appkeys.DB],
        path_int(request, "org_id"),
        query_date(request, "from"),
        query_date(request, "to"),
        authorize_of(request),
    )
    return respond(VisitListOut, out)


# -- S2 -----------------------------------------------------------------------------------------


@routes.route(
    "GET",
    f"{ORG}/inspections",
    summary="The committee's inspections (S2)",
    tag="oversight",
    response=GenericAlias(list, (InspectionOut,)),
)
async def list_inspections(request: web.Request) -> web.Response:
    out = await supervision.inspections(
        request.app[appkeys.DB], path_int(request, "org_id"), authorize_of(request)
    )
    return respond(InspectionOut, out)


@routes.route(
    "POST",
    f"{ORG}/inspections",
    summary="Open an inspection of a cell's records for a period (S2)",
    tag="oversight",
    body=InspectionIn,
    response=InspectionOut,
    status=201,
)
async def open_inspection(request: web.Request) -> web.Response:
    body = await parse_body(request, InspectionIn)
    app = request.app
    row = await supervision.open_inspection(
        app[appkeys.DB],
        app[appkeys.AUDIT],
        actor_of(request),
        path_int(request, "org_id"),
        body.model_dump(),
        now_of(request),
        authorize_of(request),
    )
    return respond(InspectionOut, supervision.inspection_out(row), 201)


@routes.route(
    "GET",
    r"/api/inspections/{inspection_id:\d+}/records",
    summary="The inspected cell's minutes, resolutions, task assignments, handed-in notebooks (S2)",
    tag="oversight",
    response=InspectionRecordsOut,
)
async def inspection_records(request: web.Request) -> web.Response:
    app = request.app
    out = await supervision.inspection_records(
        app[appkeys.DB],
        app[appkeys.AUDIT],
        actor_of(request),
        app[appkeys.KEYS],
        path_int(request, "inspection_id"),
        authorize_of(request),
    )
    return respond(InspectionRecordsOut, out)


@routes.route(
    "POST",
    r"/api/inspections/{inspection_id:\d+}/close",
    summary="Close an inspection (S2)",
    tag="oversight",
    response=InspectionOut,
)
async def close_inspection(request: web.Request) -> web.Response:
    app = request.app
    row = await supervision.close_inspection(
        app[appkeys.DB],
        app[appkeys.AUDIT],
        actor_of(request),
        path_int(request, "inspection_id"),
        now_of(request),
        authorize_of(request),
    )
    return respond(InspectionOut, supervision.inspection_out(row))


@routes.route(
    "GET",
    f"{MEETING}/notebook",
    summary="The signed-in member's own notes on the meeting (S2; encrypted at rest)",
    tag="oversight",
    response=NotebookOut,
)
async def read_notebook(request: web.Request) -> web.Response:
    app = request.app
    out = await notebook.read(
        app[appkeys.DB],
        app[appkeys.AUDIT],
        app[appkeys.KEYS],
        context_of(request),
        path_int(request, "meeting_id"),
        authorize_of(request),
    )
    return respond(NotebookOut, out)


@routes.route(
    "PUT",
    f"{MEETING}/notebook",
    summary="Save the signed-in member's notes on the meeting (S2)",
    tag="oversight",
    body=NotebookIn,
    response=NotebookOut,
)
async def write_notebook(request: web.Request) -> web.Response:
    body = await parse_body(request, NotebookIn)
    app = request.app
    out = await notebook.write(
        app[appkeys.DB],
        app[appkeys.AUDIT],
        app[appkeys.KEYS],
        context_of(request),
        path_int(request, "meeting_id"),
        body.text,
        now_of(request),
        authorize_of(request),
    )
    return respond(NotebookOut, out)


@routes.route(
    "GET",
    f"{MEETING}/notebook/inspections",
    summary="The open inspections the member may hand their notes on the meeting to (S2)",
    tag="oversight",
    response=GenericAlias(list, (HandInChoiceOut,)),
)
async def hand_in_choices(request: web.Request) -> web.Response:
    out = await notebook.open_inspections(
        request.app[appkeys.DB],
        context_of(request),
        path_int(request, "meeting_id"),
        authorize_of(request),
    )
    return respond(HandInChoiceOut, out)


@routes.route(
    "POST",
    f"{MEETING}/notebook/hand-in",
    summary="Hand the member's notes on the meeting to an inspection (S2)",
    tag="oversight",
    body=HandInIn,
    response=HandInOut,
)
async def hand_in(request: web.Request) -> web.Response:
    body = await parse_body(request, HandInIn)
    app = request.app
    out = await notebook.hand_in(
        app[appkeys.DB],
        app[appkeys.AUDIT],
        context_of(request),
        path_int(request, "meeting_id"),
        body.inspection_id,
        now_of(request),
        authorize_of(request),
    )
    return respond(HandInOut, out)
