"""Meeting records: documents (M3), minutes (M1) with DOCX and PDF export, and the party-group
cycle (E2, P5, GM3, 03-HD/TW §II.4.2). Registered through ``server.http.conduct.routes``."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from aiohttp import web

from policy.error_codes import ErrorCode
from server import appkeys
from server.auth.authz import Permission
from server.conduct import documents, groups
from server.conduct import minutes as minutes_service
from server.conduct.common import Scope, invalid, missing
from server.errors import AppError
from server.http.body import json_response, parse_body, path_int
from server.http.conduct_base import audit, authorized, may, now
from server.http.conduct_schemas import (
    AssignmentOut,
    ConsolidationOut,
    DocumentOut,
    GroupReportOut,
    GroupsIn,
    MinutesIn,
    MinutesOut,
    MinutesPatch,
)
from server.http.routes import Routes
from server.meeting import service as meeting_service
from server.reports.minutes import to_docx, to_pdf
from server.rules import VN_TZ
from server.storage import attendance as attendance_store
from server.storage import conduct as store
from server.storage.models_conduct import GroupAssignment

routes = Routes()
P = Permission
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
    async with request.app[appkeys.DB].session() as session:
        scope, context = await authorized(session, request, meeting_id, P.MEETING_SCHEDULE)
        data = await request.read()  # refused with 413 above client_max_size
        row = await documents.upload(
            session,
            scope,
            filename,
            request.content_type,
            data,
            context.actor,
            now(request),
            request.app[appkeys.AUDIT].provider,
        )
        await audit(
            request,
            session,
            context,
            "document.upload",
            f"document:{row.id}",
            {"meeting": meeting_id, "size": row.size, "sha256": row.sha256, "key_id": row.key_id},
        )
        out = documents.document_out(row)
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
    async with request.app[appkeys.DB].session() as session:
        scope, context = await authorized(session, request, meeting_id, P.MEETING_SCHEDULE)
        row = await documents.document_in(session, scope, document_id)
        m3 = await documents.publish(session, scope, row, now(request))
        await audit(
            request,
            session,
            context,
            "document.publish",
            f"document:{row.id}",
            {"outcome": m3["outcome"], "rules": m3["rules"], "late": m3["late"]},
        )
        out = documents.document_out(row)
    return json_response(out)


@routes.route(
    "GET",
    f"{MEETING}/documents",
    summary="Documents of a meeting (members see the published ones)",
    tag="conduct",
    response=list[DocumentOut],
)
async def list_documents(request: web.Request) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    async with request.app[appkeys.DB].session() as session:
        scope, context = await authorized(session, request, meeting_id, P.MEETING_READ)
        chair = may(context, P.MEETING_SCHEDULE, scope)
        out = [
            documents.document_out(d)
            for d in await store.documents(session, meeting_id)
            if chair or d.published_at is not None
        ]
    return json_response(out)


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
    refused: documents.DocumentUnavailable | None = None
    data = b""
    async with request.app[appkeys.DB].session() as session:
        scope, context = await authorized(session, request, meeting_id, P.MEETING_READ)
        row = await documents.document_in(session, scope, document_id)
        if row.published_at is None and not may(context, P.MEETING_SCHEDULE, scope):
            raise missing("conduct.not_found.document")
        details: dict[str, Any] = {"meeting": meeting_id, "size": row.size}
        try:
            data = await documents.read(session, row, request.app[appkeys.AUDIT].provider)
        except documents.DocumentUnavailable as exc:
            refused = exc
            details = {"meeting": meeting_id, "reason": exc.reason}
        action = "document.download" if refused is None else "document.download.refused"
        await audit(request, session, context, action, f"document:{row.id}", details)
        media_type, name = row.media_type, row.filename
    if refused is not None:  # raised after the commit, so the refusal stays in the log
        raise documents.refusal(refused)
    return web.Response(
        body=data,
        content_type=media_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


# -- minutes (M1) ------------------------------------------------------------------------------


def _name(scope: Scope, member_id: int | None, name: str) -> str:
    if member_id is None:
        return name
    member = scope.member(member_id)
    if member is None:
        raise invalid("conduct.attendance.unknown_members", ids=str(member_id))
    return member.full_name


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
    async with request.app[appkeys.DB].session() as session:
        scope, context = await authorized(session, request, meeting_id, P.MEETING_CHAIR)
        chair = _name(scope, body.chair_member_id, body.chair)
        secretary = _name(scope, body.secretary_member_id, body.secretary)
        row = await minutes_service.generate(session, scope, now(request), chair, secretary)
        await audit(request, session, context, "minutes.generate", f"meeting:{meeting_id}", {})
        out = minutes_service.minutes_out(row)
    return json_response(out, status=201)


@routes.route(
    "GET", f"{MEETING}/minutes", summary="The minutes", tag="conduct", response=MinutesOut
)
async def get_minutes(request: web.Request) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    async with request.app[appkeys.DB].session() as session:
        await authorized(session, request, meeting_id, P.MEETING_READ)
        out = minutes_service.minutes_out(await minutes_service.current(session, meeting_id))
    return json_response(out)


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
    async with request.app[appkeys.DB].session() as session:
        scope, context = await authorized(session, request, meeting_id, P.MEETING_CHAIR)
        row = await minutes_service.edit(session, scope, fields, items, now(request))
        await audit(
            request,
            session,
            context,
            "minutes.edit",
            f"meeting:{meeting_id}",
            {"fields": sorted(fields), "items": sorted(items)},
        )
        out = minutes_service.minutes_out(row)
    return json_response(out)


@routes.route(
    "POST",
    f"{MEETING}/minutes/adopt",
    summary="The minutes were read back and adopted: from now on immutable (M1). Chair.",
    tag="conduct",
    response=MinutesOut,
)
async def adopt_minutes(request: web.Request) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    async with request.app[appkeys.DB].session() as session:
        scope, context = await authorized(session, request, meeting_id, P.MEETING_CHAIR)
        row = await minutes_service.adopt(session, scope, now(request))
        await audit(request, session, context, "minutes.adopt", f"meeting:{meeting_id}", {})
        out = minutes_service.minutes_out(row)
    return json_response(out)


async def _export(request: web.Request, fmt: str) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    async with request.app[appkeys.DB].session() as session:
        scope, context = await authorized(session, request, meeting_id, P.MEETING_READ)
        row = await minutes_service.current(session, meeting_id)
        await audit(
            request, session, context, "minutes.export", f"meeting:{meeting_id}", {"format": fmt}
        )
        content = minutes_service.printable(scope, row)
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
    async with request.app[appkeys.DB].session() as session:
        scope, context = await authorized(session, request, meeting_id, P.MEETING_SCHEDULE)
        committee = await store.committee_member_ids(session, scope.cell.id)
        plans = [
            groups.Plan(
                p.group_id, p.leader_member_id, p.committee_member_id, p.scheduled_start, p.location
            )
            for p in body.groups
        ]
        rows = await groups.assign(session, scope, body.committee_meeting_id, plans, committee)
        await audit(
            request,
            session,
            context,
            "groups.assign",
            f"meeting:{meeting_id}",
            {
                "committee_meeting": body.committee_meeting_id,
                "groups": [r.group_org_id for r in rows],
                "invited_leaders": [r.leader_member_id for r in rows if r.leader_invited],
            },
        )
        out = [_assignment(r) for r in rows]
    return json_response(out, status=201)


def _query_date(request: web.Request) -> dt.date:
    raw = request.query.get("date")
    if raw is None:
        return now(request).astimezone(VN_TZ).date()
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
    async with request.app[appkeys.DB].session() as session:
        scope, _context = await authorized(session, request, meeting_id, P.MEETING_READ)
        out = await groups.reports(session, scope, on)
    return json_response(out)


async def _group_state(request: web.Request, start: bool) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    async with request.app[appkeys.DB].session() as session:
        scope, context = await authorized(session, request, meeting_id, P.MEETING_CHAIR)
        at = now(request)
        meeting = await groups.start_or_close(session, scope, start, at)
        details: dict[str, Any] = {}
        if not start:  # attendance ends with the meeting (A1)
            details["intervals_closed"] = await attendance_store.close_open(session, meeting.id, at)
        action = "group.start" if start else "group.close"
        await audit(request, session, context, action, f"meeting:{meeting_id}", details)
        out = {"id": meeting.id, "status": meeting.status.value}
    if not start:
        app = request.app
        await meeting_service.end_live(
            app[appkeys.LIVE], app[appkeys.RECORDINGS], meeting_id, context.actor
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
    async with request.app[appkeys.DB].session() as session:
        scope, context = await authorized(session, request, meeting_id, P.MEETING_CHAIR)
        row, decision = await groups.report(session, scope, now(request))
        await audit(
            request,
            session,
            context,
            "group.report",
            f"meeting:{meeting_id}",
            {"outcome": decision.outcome.value, "rules": list(decision.rule_ids)},
        )
        out = _assignment(row)
    return json_response(out)


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
    async with request.app[appkeys.DB].session() as session:
        scope, context = await authorized(session, request, meeting_id, P.MEETING_CHAIR)
        out = await groups.consolidate(session, scope, now(request))
        await audit(
            request,
            session,
            context,
            "groups.consolidate",
            f"meeting:{meeting_id}",
            {"groups": len(out["groups"])},
        )
    return json_response(out)
