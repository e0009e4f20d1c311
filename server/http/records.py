"""Recordings (chair) and the security officer's view of the audit log (R6, R7).

Officers read decrypted audit records, the verification status and signed extracts, after a
fresh second-factor step-up; every view and export is itself audited. Nothing here gives an
officer meeting content or recordings: those routes require the chair's permission.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import pydantic
from aiohttp import web
from pydantic import Field, ValidationError

from policy.error_codes import ErrorCode
from policy.i18n import tr
from server import appkeys
from server.audit import AuditLog
from server.auth.authz import Permission, require
from server.auth.context import AccountContext
from server.auth.middleware import context_of, deny
from server.auth.signin import refusal
from server.crypto.checkpoints import Checkpoint
from server.crypto.errors import CryptoError
from server.errors import AppError, not_found
from server.http.body import Input, Output, json_response, parse_body, path_int, query_int
from server.http.routes import Routes
from server.meeting import service as meeting_service
from server.records import people
from server.records.recordings import RecordingStateError

if TYPE_CHECKING:
    from server.storage.models_records import RecordingRow

routes = Routes()
WEB_CLIENT = Path(__file__).resolve().parent.parent.parent / "web_client"
_RECORDING_ID = r"{recording_id:rec_[0-9a-f]+}"


# -- schemas -----------------------------------------------------------------------------------


class RecordingStateOut(Output):
    meeting_id: int
    recording: bool
    recording_id: str | None = None
    started_at: dt.datetime | None = None
    started_by: str | None = None


class RecordingOut(Output):
    id: str
    meeting_id: int
    state: str
    started_by: str
    started_at: dt.datetime
    stopped_at: dt.datetime | None
    size: int
    shredded_at: dt.datetime | None


class AuditRecordOut(Output):
    seq: int
    ts: dt.datetime
    actor: str
    action: str
    target: str
    details: dict[str, object]


class CheckpointOut(Output):
    log_id: str
    size: int
    root: str
    ts: dt.datetime
    signer: str


class StatusOut(Output):
    ok: bool
    rows_checked: int
    verified_size: int
    first_bad_seq: int | None
    kind: str | None
    message: str
    failure_count: int
    checked_at: dt.datetime
    checkpoint: CheckpointOut | None
    public_key: str


class ExtractIn(Input):
    seqs: Annotated[list[Annotated[int, Field(gt=0)]], Field(min_length=1, max_length=5000)]
    purpose: Annotated[str, Field(min_length=1, max_length=500)]


def _recording(row: RecordingRow) -> dict[str, object]:
    return RecordingOut.model_validate(row).model_dump(mode="json")


def _checkpoint(cp: Checkpoint | None) -> dict[str, object] | None:
    if cp is None:
        return None
    return {
        "log_id": cp.log_id,
        "size": cp.size,
        "root": cp.root.hex(),
        "ts": dt.datetime.fromtimestamp(cp.ts / 1_000_000, dt.UTC),
        "signer": cp.signer,
    }


# -- recordings (the chair) ----------------------------------------------------------------------


async def _meeting_org(request: web.Request, meeting_id: int) -> int:
    return await meeting_service.org_of(request.app[appkeys.DB], meeting_id)


async def _chair_of_recording(request: web.Request) -> tuple[AccountContext, RecordingRow]:
    context = context_of(request)
    row = await request.app[appkeys.RECORDINGS].get(request.match_info["recording_id"])
    if row is None:
        raise not_found("bản ghi / recording")
    require(context, Permission.MEETING_CHAIR, await _meeting_org(request, row.meeting_id))
    return context, row


@routes.route(
    "GET",
    r"/api/meetings/{meeting_id:\d+}/recording",
    summary="Is the meeting being recorded (everyone in the meeting sees it)",
    tag="records",
    response=RecordingStateOut,
)
async def recording_state(request: web.Request) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    require(context_of(request), Permission.MEETING_READ, await _meeting_org(request, meeting_id))
    st = await request.app[appkeys.RECORDINGS].state(meeting_id)
    return json_response(RecordingStateOut.model_validate(st).model_dump(mode="json"))


@routes.route(
    "POST",
    r"/api/meetings/{meeting_id:\d+}/recording/start",
    summary="Start recording (chair); a fresh data key encrypts the file as it is written",
    tag="records",
    response=RecordingStateOut,
    status=201,
)
async def recording_start(request: web.Request) -> web.Response:
    context = context_of(request)
    meeting_id = path_int(request, "meeting_id")
    require(context, Permission.MEETING_CHAIR, await _meeting_org(request, meeting_id))
    try:
        handle = await request.app[appkeys.RECORDINGS].start(meeting_id, context.actor)
    except RecordingStateError:
        raise AppError(409, ErrorCode.CONFLICT, tr("records.already_recording")) from None
    live = request.app[appkeys.LIVE].get(meeting_id)
    if live is not None and not live.closed:
        live.start_recording(handle)  # its media goes into the encrypting sink; all are told
    st = await request.app[appkeys.RECORDINGS].state(meeting_id)
    return json_response(RecordingStateOut.model_validate(st).model_dump(mode="json"), 201)


@routes.route(
    "POST",
    r"/api/meetings/{meeting_id:\d+}/recording/stop",
    summary="Stop recording (chair): the final segment is written, the file is complete",
    tag="records",
    response=RecordingOut,
)
async def recording_stop(request: web.Request) -> web.Response:
    context = context_of(request)
    meeting_id = path_int(request, "meeting_id")
    require(context, Permission.MEETING_CHAIR, await _meeting_org(request, meeting_id))
    live = request.app[appkeys.LIVE].get(meeting_id)
    if live is not None and request.app[appkeys.RECORDINGS].handle(meeting_id) is not None:
        live.stop_recording()  # the Matroska trailer goes in before the final segment
    try:
        row = await request.app[appkeys.RECORDINGS].stop(meeting_id, context.actor)
    except RecordingStateError:
        raise AppError(409, ErrorCode.CONFLICT, tr("records.not_recording")) from None
    return json_response(_recording(row))


@routes.route(
    "GET",
    r"/api/meetings/{meeting_id:\d+}/recordings",
    summary="Recordings of a meeting (chair): metadata only",
    tag="records",
    response=list[RecordingOut],
)
async def recording_list(request: web.Request) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    require(context_of(request), Permission.MEETING_CHAIR, await _meeting_org(request, meeting_id))
    rows = await request.app[appkeys.RECORDINGS].list(meeting_id)
    return json_response([_recording(r) for r in rows])


@routes.route(
    "GET",
    f"/api/recordings/{_RECORDING_ID}/content",
    summary="Play or download a recording (chair; audited). Released only if the whole file "
    "authenticates",
    tag="records",
    content="application/octet-stream",
)
async def recording_content(request: web.Request) -> web.StreamResponse:
    context, row = await _chair_of_recording(request)
    try:
        chunks = await request.app[appkeys.RECORDINGS].open_plaintext(row.id, context.actor)
    except (RecordingStateError, CryptoError, OSError):
        await request.app[appkeys.AUDIT].record(
            context.actor,
            "recording.play.refused",
            f"meeting:{row.meeting_id}",
            {"recording": row.id},
        )
        raise AppError(409, ErrorCode.CONFLICT, tr("records.unreadable")) from None
    response = web.StreamResponse(
        headers={
            "Content-Type": "application/octet-stream",
            "Content-Disposition": f'attachment; filename="{row.id}.mkv"',
        }
    )
    await response.prepare(request)
    for chunk in chunks:
        await response.write(chunk)
    await response.write_eof()
    return response


@routes.route(
    "DELETE",
    f"/api/recordings/{_RECORDING_ID}",
    summary="Delete a recording (chair): its data key is destroyed (crypto-shredding), audited",
    tag="records",
    response=RecordingOut,
)
async def recording_delete(request: web.Request) -> web.Response:
    context, row = await _chair_of_recording(request)
    if not await request.app[appkeys.RECORDINGS].shred(row.id, context.actor):
        raise AppError(409, ErrorCode.CONFLICT, tr("records.unreadable"))
    after = await request.app[appkeys.RECORDINGS].get(row.id)
    assert after is not None
    return json_response(_recording(after))


# -- the security officer -------------------------------------------------------------------------


async def _officer(request: web.Request) -> AccountContext:
    """Audit readers only, and only within minutes of a second-factor step-up."""
    context = context_of(request)
    require(context, Permission.AUDIT_READ, None)
    if not request.app[appkeys.SESSIONS].fresh_step_up(context.step_up_at):
        raise await deny(request, refusal(ErrorCode.STEP_UP_REQUIRED), "step_up")
    return context


def _query_time(request: web.Request, name: str) -> dt.datetime | None:
    raw = request.query.get(name)
    if not raw:
        return None
    try:
        value = pydantic.TypeAdapter(pydantic.AwareDatetime).validate_python(raw)
    except ValidationError:
        raise AppError.of(
            ErrorCode.VALIDATION, detail=f"{name}: ISO 8601 with a time zone"
        ) from None
    return value.astimezone(dt.UTC)


def _filters(request: web.Request) -> dict[str, str | None]:
    out: dict[str, str | None] = {
        k: request.query.get(k) or None for k in ("actor", "action", "target", "member")
    }
    meeting = request.query.get("meeting")
    if meeting and not meeting.isdigit():
        raise AppError.of(ErrorCode.VALIDATION, detail="meeting: a meeting number")
    out["meeting"] = meeting or None
    return out


@routes.route(
    "GET",
    "/api/audit",
    summary="Search the decrypted audit log, newest first (security officers, after a fresh "
    "second-factor step-up; every search audited as audit.view). "
    "`meeting`: every record about the meeting (its items, votes, documents); `member`: an "
    "account number, a username or part of a name",
    tag="audit",
    response=list[AuditRecordOut],
    query=(
        ("actor", "string"),
        ("member", "string"),
        ("meeting", "integer"),
        ("action", "string"),
        ("target", "string"),
        ("since", "string"),
        ("until", "string"),
        ("before", "integer"),
        ("limit", "integer"),
    ),
)
async def audit_search(request: web.Request) -> web.Response:
    context = await _officer(request)
    audit: AuditLog = request.app[appkeys.AUDIT]
    filters = _filters(request)
    since, until = _query_time(request, "since"), _query_time(request, "until")
    limit = max(1, min(query_int(request, "limit") or 200, 1000))
    member = filters["member"]
    actors = await people.actors_for(request.app[appkeys.DB], member) if member else None
    found = await audit.search(
        actor=filters["actor"],
        action=filters["action"],
        target=filters["target"],
        since=since,
        until=until,
        before=query_int(request, "before"),
        limit=limit,
        actors=actors,
        meeting=int(filters["meeting"]) if filters["meeting"] else None,
    )
    data = [AuditRecordOut.model_validate(v).model_dump(mode="json") for v in found]
    await audit.record(
        context.actor,
        "audit.view",
        "audit_log",
        {"filters": {k: v for k, v in filters.items() if v}, "rows": len(data)},
    )
    return json_response(data)


@routes.route(
    "GET",
    "/api/records/audit",
    summary="Moved permanently to GET /api/audit, the one audit-log search (308, the query kept)",
    tag="records",
    status=308,
)
async def audit_search_moved(request: web.Request) -> web.Response:
    query = f"?{request.query_string}" if request.query_string else ""
    raise web.HTTPPermanentRedirect(f"/api/audit{query}")


@routes.route(
    "GET",
    "/api/records/status",
    summary="Verify the whole audit log now; latest checkpoint and signing key (officers)",
    tag="records",
    response=StatusOut,
)
async def audit_status(request: web.Request) -> web.Response:
    context = await _officer(request)
    audit: AuditLog = request.app[appkeys.AUDIT]
    await audit.maybe_checkpoint()
    report = await audit.verify()
    public = await audit.public_key()
    cp = await audit.latest_checkpoint()
    await audit.record(
        context.actor,
        "audit.verify",
        "audit_log",
        {"ok": report.ok, "rows": report.rows_checked, "first_bad_seq": report.first_bad_seq},
    )
    out = {
        "ok": report.ok,
        "rows_checked": report.rows_checked,
        "verified_size": report.verified_size,
        "first_bad_seq": report.first_bad_seq,
        "kind": None if report.kind is None else report.kind.value,
        "message": report.message,
        "failure_count": report.failure_count,
        "checked_at": dt.datetime.now(dt.UTC),
        "checkpoint": _checkpoint(cp),
        "public_key": public.strip(),
    }
    return json_response(StatusOut.model_validate(out).model_dump(mode="json"))


@routes.route(
    "POST",
    "/api/records/extract",
    summary="Signed extract of chosen audit records, for hand-over (officers; audited)",
    tag="records",
    body=ExtractIn,
    content="application/json",
)
async def audit_extract(request: web.Request) -> web.Response:
    context = await _officer(request)
    body = await parse_body(request, ExtractIn)
    audit: AuditLog = request.app[appkeys.AUDIT]
    try:
        text = await audit.extract(body.seqs, issued_by=context.actor, purpose=body.purpose)
    except CryptoError:
        raise AppError(409, ErrorCode.CONFLICT, tr("records.extract_failed")) from None
    await audit.record(
        context.actor,
        "audit.export",
        "audit_log",
        {"seqs": len(body.seqs), "first": min(body.seqs), "last": max(body.seqs)},
    )
    return web.Response(
        text=text,
        content_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="hopchibo-extract.json"'},
    )


@routes.route(
    "GET",
    "/officer",
    summary="Security officer console (page; its data comes from /api/records/*)",
    tag="pages",
    content="text/html",
    public=True,
)
async def officer_page(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(WEB_CLIENT / "officer.html", headers={"Cache-Control": "no-store"})
