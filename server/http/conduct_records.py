"""Meeting records: documents (M3), minutes (M1) with DOCX and PDF export, and the party-group
cycle (E2, P5, GM3, 03-HD/TW §II.4.2). Registered through ``server.http.conduct.routes``."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from aiohttp import web

from policy.error_codes import ErrorCode
from server import appkeys
from server.conduct import groups, service
from server.errors import AppError
from server.http.body import json_response, parse_body, path_int, respond
from server.http.conduct_base import call
from server.http.conduct_schemas import (
    AssignmentOut,
    ConsolidationOut,
    DocumentOut,
    GroupPlanningOut,
    GroupReportOut,
    GroupsIn,
    GroupStatusOut,
    HomeOut,
    MinutesIn,
    MinutesOut,
    MinutesPatch,
)
from server.http.routes import Routes
from server.meeting import service as meeting_service
from server.reports.minutes import to_docx, to_pdf

if TYPE_CHECKING:
    from server.storage.models_conduct import GroupAssignment

routes = Routes()
MEETING = r"/api/meetings/{meeting_id:\d+}"
DOC = r"/api/meetings/{meeting_id:\d+}/documents/{document_id:\d+}"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# -- documents (M3) ----------------------------------------------------------------------------


@routes.route(
    "POST",
    f"{MEETING}/documents",
    summary="Upload a meeting document (raw body, its media type as Content-Type, the name in "
    "?filename=; at most the server's max_body_bytes); stored encrypted under the meeting's "
    "documents data key, size and sha256 those of the plaintext. Chair.",
    tag="conduct",
    response=DocumentOut,
    status=201,
    content="application/json",
    query=(("filename", "string"),),
)
async def upload_document(request: web.Request) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    filename = request.query.get("filename", "")
    out = await service.upload_document(
        call(request), meeting_id, filename, request.content_type, request.read
    )  # the body is refused with 413 above client_max_size
    return json_response(out, status=201)


@routes.route(
    "POST",
    f"{DOC}/publish",
    summary="Publish a document to the invited; later than a day before is allowed but "
    "flagged (M3). Chair.",
    tag="conduct",
    response=DocumentOut,
)
async def publish_document(request: web.Request) -> web.Response:
    meeting_id, document_id = path_int(request, "meeting_id"), path_int(request, "document_id")
    return json_response(await service.publish_document(call(request), meeting_id, document_id))


@routes.route(
    "GET",
    f"{MEETING}/documents",
    summary="Documents of a meeting (members see the published ones)",
    tag="conduct",
    response=list[DocumentOut],
)
async def list_documents(request: web.Request) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    return json_response(await service.list_documents(call(request), meeting_id))


@routes.route(
    "GET",
    DOC,
    summary="Download a document (the invited only; every download audited). Decrypted and "
    "checked against its SHA-256 first: 410 if its data key was destroyed (crypto-shredded), 409 "
    "if the stored bytes do not authenticate; both refusals audited.",
    tag="conduct",
    content="application/octet-stream",
)
async def download_document(request: web.Request) -> web.Response:
    meeting_id, document_id = path_int(request, "meeting_id"), path_int(request, "document_id")
    doc = await service.download_document(call(request), meeting_id, document_id)
    return web.Response(
        body=doc.data,
        content_type=doc.media_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(doc.filename)}"},
    )


@routes.route(
    "GET",
    r"/api/meetings/{meeting_id:\d+}/documents/{document_id:\d+}/pages/{page:\d+}",
    summary="One page (from 1) of a published PDF document as a PNG 1280 pixels wide: what the "
    "chair presents. For those who may read the meeting; every page served is audited "
    "(document.page). 422 if the document is not a PDF or has no such page.",
    tag="conduct",
    content="image/png",
)
async def document_page(request: web.Request) -> web.Response:
    meeting_id, document_id = path_int(request, "meeting_id"), path_int(request, "document_id")
    page = path_int(request, "page")
    cache = request.app[appkeys.PAGES]
    png = await service.document_page(call(request), meeting_id, document_id, page, cache)
    return web.Response(body=png, content_type="image/png", headers={"Cache-Control": "no-store"})


# -- minutes (M1) ------------------------------------------------------------------------------


@routes.route(
    "POST",
    f"{MEETING}/minutes",
    summary="Generate (or regenerate) the draft minutes from the records (M1). Chair.",
    tag="conduct",
    body=MinutesIn,
    response=MinutesOut,
    status=201,
)
async def generate_minutes(request: web.Request) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    body = await parse_body(request, MinutesIn)
    out = await service.generate_minutes(
        call(request),
        meeting_id,
        (body.chair_member_id, body.chair),
        (body.secretary_member_id, body.secretary),
    )
    return json_response(out, status=201)


@routes.route(
    "GET", f"{MEETING}/minutes", summary="The minutes", tag="conduct", response=MinutesOut
)
async def get_minutes(request: web.Request) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    return json_response(await service.get_minutes(call(request), meeting_id))


@routes.route(
    "PATCH",
    f"{MEETING}/minutes",
    summary="Edit the draft minutes (refused once adopted). Chair or meeting secretary.",
    tag="conduct",
    body=MinutesPatch,
    response=MinutesOut,
)
async def patch_minutes(request: web.Request) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    body = await parse_body(request, MinutesPatch)
    fields = {
        k: getattr(body, k)
        for k in body.model_fields_set
        if k != "items" and getattr(body, k) is not None
    }
    items = {i.item_id: {"conclusion": i.conclusion} for i in body.items or []}
    return json_response(await service.edit_minutes(call(request), meeting_id, fields, items))


@routes.route(
    "POST",
    f"{MEETING}/minutes/adopt",
    summary="The minutes were read back and adopted: from now on immutable (M1). Chair.",
    tag="conduct",
    response=MinutesOut,
)
async def adopt_minutes(request: web.Request) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    return json_response(await service.adopt_minutes(call(request), meeting_id))


async def _export(request: web.Request, fmt: str) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    content = await service.export_minutes(call(request), meeting_id, fmt)
    body = to_docx(content) if fmt == "docx" else to_pdf(content)
    return web.Response(
        body=body,
        content_type=DOCX if fmt == "docx" else "application/pdf",
        headers={"Content-Disposition": f'attachment; filename="bien-ban-{meeting_id}.{fmt}"'},
    )


@routes.route(
    "GET",
    f"{MEETING}/minutes.docx",
    summary="The minutes as DOCX (biên bản layout)",
    tag="conduct",
    content=DOCX,
)
async def minutes_docx(request: web.Request) -> web.Response:
    return await _export(request, "docx")


@routes.route(
    "GET",
    f"{MEETING}/minutes.pdf",
    summary="The minutes as PDF (biên bản layout)",
    tag="conduct",
    content="application/pdf",
)
async def minutes_pdf(request: web.Request) -> web.Response:
    return await _export(request, "pdf")


# -- party groups (E2, P5, GM3) ----------------------------------------------------------------


def _assignment(row: GroupAssignment) -> dict[str, Any]:
    return AssignmentOut.model_validate(row).model_dump(mode="json")


@routes.route(
    "POST",
    f"{MEETING}/groups",
    summary="The committee's assignments for a cell meeting held by groups: each group's "
    "meeting, its leader and the committee member attending (§II.4.2). Cell chair.",
    tag="groups",
    body=GroupsIn,
    response=list[AssignmentOut],
    status=201,
)
async def assign_groups(request: web.Request) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    body = await parse_body(request, GroupsIn)
    plans = [
        groups.Plan(
            p.group_id, p.leader_member_id, p.committee_member_id, p.scheduled_start, p.location
        )
        for p in body.groups
    ]
    rows = await service.assign_groups(call(request), meeting_id, body.committee_meeting_id, plans)
    return json_response([_assignment(r) for r in rows], status=201)


@routes.route(
    "GET",
    f"{MEETING}/groups",
    summary="The committee's assignment step for a cell meeting held by groups: the cell's party "
    "groups from the roster with their members, the committee members, the committee's meetings "
    "and the content each group meeting takes over (the cell meeting's agenda). Cell chair.",
    tag="groups",
    response=GroupPlanningOut,
)
async def group_planning(request: web.Request) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    return json_response(await service.group_planning(call(request), meeting_id))


@routes.route(
    "GET",
    f"{MEETING}/group",
    summary="A party group's meeting in the cycle: its cell meeting, the committee member "
    "attending, and the report's standing today on the app clock (due, overdue, reported, "
    "reported late: GM3). Those who may read the group's meeting.",
    tag="groups",
    response=GroupStatusOut,
)
async def group_status(request: web.Request) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    return json_response(await service.group_status(call(request), meeting_id))


@routes.route(
    "GET",
    "/api/home",
    summary="The home page's today (Vietnam, on the app clock: never the device's) and the "
    "party-group meetings the caller attends for the cell committee (§II.4.2)",
    tag="meetings",
    response=HomeOut,
)
async def home(request: web.Request) -> web.Response:
    return respond(HomeOut, await service.home(call(request)))


def _query_date(request: web.Request) -> dt.date | None:
    """?date=, or None for today on the app clock."""
    raw = request.query.get("date")
    if raw is None:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise AppError.of(ErrorCode.VALIDATION, detail="date: YYYY-MM-DD") from None


@routes.route(
    "GET",
    f"{MEETING}/groups/reports",
    summary="Each group's report to the committee: reported, late, due or overdue on ?date= "
    "(GM3: one day after the group meeting)",
    tag="groups",
    response=list[GroupReportOut],
    query=(("date", "string"),),
)
async def group_reports(request: web.Request) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    on = _query_date(request)
    return json_response(await service.group_reports(call(request), meeting_id, on))


async def _group_state(request: web.Request, start: bool) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    caller = call(request)
    out = await service.group_state(caller, meeting_id, start)
    if not start:
        app = request.app
        await meeting_service.end_live(
            app[appkeys.LIVE], app[appkeys.RECORDINGS], meeting_id, caller.context.actor
        )
    return json_response(out)


@routes.route(
    "POST",
    f"{MEETING}/group/start",
    summary="Open a party group's meeting. Its group leader.",
    tag="groups",
)
async def start_group_meeting(request: web.Request) -> web.Response:
    return await _group_state(request, True)


@routes.route(
    "POST",
    f"{MEETING}/group/close",
    summary="Close a party group's meeting: attendance ends with it (A1), a recording is "
    "completed, everyone connected is told and disconnected. Its group leader.",
    tag="groups",
)
async def close_group_meeting(request: web.Request) -> web.Response:
    return await _group_state(request, False)


@routes.route(
    "POST",
    f"{MEETING}/group/report",
    summary="The group leader's report to the cell committee, from the group's minutes; due "
    "one day after the meeting, late reports flagged (GM3). Its group leader.",
    tag="groups",
    response=AssignmentOut,
)
async def report_group(request: web.Request) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    return json_response(_assignment(await service.report_group(call(request), meeting_id)))


@routes.route(
    "POST",
    f"{MEETING}/groups/consolidate",
    summary="Consolidate all groups' results into the cell's conclusion or resolution; "
    "refused while a group has not reported (GM3). Cell chair.",
    tag="groups",
    response=ConsolidationOut,
)
async def consolidate_groups(request: web.Request) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    return json_response(await service.consolidate_groups(call(request), meeting_id))
