"""The superior committee's oversight API: meeting quality (Q1–Q3), supervision and inspection
(S1–S3), members' notebooks (S2), the pilot programme (V1–V3) and the reports as files (S3, V3).
Each handler parses, calls one service of :mod:`server.oversight` and serialises."""

from __future__ import annotations

import datetime as dt
from types import GenericAlias

from aiohttp import web

from policy.error_codes import ErrorCode
from policy.programme import RegistrationAction
from server import appkeys, rules
from server.auth.authz import Authorize, authorizer
from server.auth.middleware import context_of
from server.errors import AppError
from server.http.body import parse_body, path_int, respond
from server.http.organisations import actor_of
from server.http.oversight_schemas import (
    CallIn,
    CallOut,
    CandidateOut,
    CellOverviewOut,
    CriteriaIn,
    CriteriaOut,
    CriteriaVersionOut,
    EvaluateIn,
    HandInIn,
    HandInOut,
    IncidentIn,
    IncidentListOut,
    IncidentOut,
    InspectionIn,
    InspectionOut,
    InspectionRecordsOut,
    MeetingQualityOut,
    MonitoringOut,
    NotebookIn,
    NotebookOut,
    OpenCallOut,
    ProgrammeRegistrationIn,
    ProgrammeRegistrationOut,
    PublishIn,
    QualityResultOut,
    RegistrationEventOut,
    StepIn,
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
from server.oversight import criteria, notebook, programme, quality, reports, supervision
from server.reports.layout import MEDIA_TYPES, render

routes = Routes()
ORG = r"/api/organisations/{org_id:\d+}"
MEETING = r"/api/meetings/{meeting_id:\d+}"


def _authorize(request: web.Request) -> Authorize:
    return authorizer(context_of(request))


def _now(request: web.Request) -> dt.datetime:
    return request.app[appkeys.CLOCK]()


def _today(request: web.Request) -> dt.date:
    return rules.local_date(_now(request))


def _query(request: web.Request, name: str) -> str:
    raw = request.query.get(name)
    if raw is None:
        raise AppError.of(ErrorCode.VALIDATION, detail=f"{name}: required")
    return raw


def _query_date(request: web.Request, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(_query(request, name))
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
        request.app[appkeys.DB], path_int(request, "org_id"), _authorize(request)
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
        request.app[appkeys.DB], path_int(request, "org_id"), _authorize(request)
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
        _authorize(request),
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
        request.app[appkeys.DB], path_int(request, "meeting_id"), _authorize(request)
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
        _now(request),
        _authorize(request),
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
        _now(request),
        _authorize(request),
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
        _query(request, "period"),
        _authorize(request),
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
        request.app[appkeys.DB], path_int(request, "org_id"), _authorize(request)
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
        request.app[appkeys.DB], path_int(request, "org_id"), _authorize(request)
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
        request.app[appkeys.DB], path_int(request, "org_id"), _authorize(request)
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
        request.app[appkeys.DB], path_int(request, "org_id"), _authorize(request)
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
        _authorize(request),
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
        _authorize(request),
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
        _now(request),
        _authorize(request),
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
        _query_date(request, "from"),
        _query_date(request, "to"),
        _authorize(request),
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
        request.app[appkeys.DB], path_int(request, "org_id"), _authorize(request)
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
        _now(request),
        _authorize(request),
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
        _authorize(request),
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
        _now(request),
        _authorize(request),
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
        _authorize(request),
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
        _now(request),
        _authorize(request),
    )
    return respond(NotebookOut, out)


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
        _now(request),
        _authorize(request),
    )
    return respond(HandInOut, out)


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
        request.app[appkeys.DB], path_int(request, "org_id"), _authorize(request)
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
        request.app[appkeys.DB], path_int(request, "org_id"), _today(request), _authorize(request)
    )
    return respond(OpenCallOut, out)


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
        _authorize(request),
    )
    return respond(CallOut, row, 201)


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
        _now(request),
        _authorize(request),
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
    today = _today(request)
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
        _now(request),
        _authorize(request),
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
        request.app[appkeys.DB], path_int(request, "registration_id"), _authorize(request)
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
    row = await programme.record_incident(
        app[appkeys.DB],
        app[appkeys.AUDIT],
        actor_of(request),
        path_int(request, "org_id"),
        body.model_dump(),
        _authorize(request),
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
    out = await programme.incidents(
        request.app[appkeys.DB],
        path_int(request, "org_id"),
        _query_date(request, "from"),
        _query_date(request, "to"),
        _authorize(request),
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
        _query_date(request, "from"),
        _query_date(request, "to"),
        _authorize(request),
    )
    return respond(MonitoringOut, out)


# -- reports (S3, S1, V3) -----------------------------------------------------------------------


def _report_params(kind: str, request: web.Request) -> dict[str, object]:
    if kind != "pilot":
        return {"period": _query(request, "period")}
    stage = request.query.get("stage", "interim")
    if stage not in ("interim", "final"):
        raise AppError.of(ErrorCode.VALIDATION, detail="stage: interim|final")
    return {
        "from": _query_date(request, "from"),
        "to": _query_date(request, "to"),
        "final": stage == "final",
    }


def _report_route(kind: str, name: str, fmt: str, summary: str, tag: str) -> None:
    """``GET /api/organisations/{org_id}/reports/<name>.<fmt>``: the report as a file."""
    query = (
        (("from", "string"), ("to", "string"), ("stage", "string"))
        if kind == "pilot"
        else (("period", "string"),)
    )

    async def handler(request: web.Request) -> web.Response:
        org_id = path_int(request, "org_id")
        params = _report_params(kind, request)
        app = request.app
        report = await reports.export(
            app[appkeys.DB],
            app[appkeys.AUDIT],
            actor_of(request),
            kind,
            org_id,
            params,
            fmt,
            _today(request),
            _authorize(request),
        )
        body, media_type = render(report, fmt)
        return web.Response(
            body=body,
            content_type=media_type,
            headers={"Content-Disposition": f'attachment; filename="{name}-{org_id}.{fmt}"'},
        )

    handler.__name__ = f"{name.replace('-', '_')}_{fmt}"  # operationId
    routes.route(
        "GET",
        f"{ORG}/reports/{name}.{fmt}",
        summary=f"{summary} ({fmt.upper()})",
        tag=tag,
        content=MEDIA_TYPES[fmt],
        query=query,
    )(handler)


for _fmt in ("docx", "pdf", "xlsx"):
    _report_route(
        "monthly",
        "monthly",
        _fmt,
        "Monthly report of the results of cell meetings (S3)",
        "oversight",
    )
    _report_route(
        "supervision",
        "supervision",
        _fmt,
        "Quarterly supervision report of the assigned committee members (S1, S2)",
        "oversight",
    )
    _report_route(
        "pilot", "pilot-review", _fmt, "Interim or final review of the pilot (V3)", "pilot"
    )
