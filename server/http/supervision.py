"""The superior committee's supervision API: the committee members assigned to follow cells and
their visits (S1), inspections with the records they read and members' notebooks handed in (S2).
Each handler parses, calls one service of :mod:`server.oversight` and serialises."""

from __future__ import annotations

from types import GenericAlias

from aiohttp import web

from server import appkeys
from server.auth.middleware import context_of
from server.http.body import parse_body, path_int, respond
from server.http.organisations import actor_of
from server.http.oversight import MEETING, ORG, authorize_of, now_of, query_date
from server.http.oversight_schemas import (
    CandidateOut,
    HandInChoiceOut,
    HandInIn,
    HandInOut,
    InspectionIn,
    InspectionOut,
    InspectionRecordsOut,
    NotebookIn,
    NotebookOut,
    SupervisionAssignmentEndIn,
    SupervisionAssignmentIn,
    SupervisionAssignmentListOut,
    SupervisionAssignmentOut,
    VisitIn,
    VisitListOut,
    VisitOut,
)
from server.http.routes import Routes
from server.oversight import notebook, supervision

routes = Routes()


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
