"""Recordings: the chair starts, stops and deletes them; listing and playing them back needs the
separate permission ``recording.play`` as well (R6, R7: least privilege — a deputy or a group
leader chairs without it); a refusal is audited (``access.denied`` naming the permission). The
security officer's view of the audit log is in ``server/http/audit_log.py``; nothing there reaches
these."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from aiohttp import web

from policy.error_codes import ErrorCode
from policy.i18n import tr
from server import appkeys
from server.auth.authz import Denied, Permission, allowed, require
from server.auth.context import AccountContext
from server.auth.middleware import context_of
from server.crypto.errors import CryptoError
from server.errors import AppError, not_found
from server.http.body import Output, json_response, path_int, respond
from server.http.routes import Routes
from server.meeting import service as meeting_service
from server.records.recordings import RecordingStateError

if TYPE_CHECKING:
    from server.storage.models_records import RecordingRow

routes = Routes()
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


def _recording(row: RecordingRow) -> dict[str, object]:
    return RecordingOut.model_validate(row).model_dump(mode="json")


# -- recordings (the chair) ----------------------------------------------------------------------


async def _meeting_org(request: web.Request, meeting_id: int) -> int:
    return await meeting_service.org_of(request.app[appkeys.DB], meeting_id)


def require_play(context: AccountContext, org_id: int) -> None:
    """R7: the chair's permission and the separate ``recording.play``; the refusal says so in
    Vietnamese, cites R7, and is audited by the auth middleware (:class:`Denied`)."""
    require(context, Permission.MEETING_CHAIR, org_id)
    if not allowed(context, Permission.RECORDING_PLAY, org_id):
        denied = Denied(Permission.RECORDING_PLAY, org_id)
        denied.message = tr("records.play_denied")
        denied.rules = ("R7",)
        raise denied


async def _recording_of(request: web.Request) -> RecordingRow:
    row = await request.app[appkeys.RECORDINGS].get(request.match_info["recording_id"])
    if row is None:
        raise not_found("bản ghi / recording")
    return row


async def _chair_of_recording(request: web.Request) -> tuple[AccountContext, RecordingRow]:
    context = context_of(request)
    row = await _recording_of(request)
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
    return respond(RecordingStateOut, st)


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
    live = request.app[appkeys.LIVE].get(meeting_id)
    if live is not None and live.sharded_relay is not None:  # the recorder needs its frames here
        raise AppError(503, ErrorCode.UNAVAILABLE, tr("records.not_with_workers"))
    try:
        handle = await request.app[appkeys.RECORDINGS].start(meeting_id, context.actor)
    except RecordingStateError:
        raise AppError(409, ErrorCode.CONFLICT, tr("records.already_recording")) from None
    live = request.app[appkeys.LIVE].get(meeting_id)
    if live is not None and not live.closed:
        live.start_recording(handle)  # its media goes into the encrypting sink; all are told
    st = await request.app[appkeys.RECORDINGS].state(meeting_id)
    return respond(RecordingStateOut, st, 201)


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
    summary="Recordings of a meeting (chair with recording.play, R7): metadata only",
    tag="records",
    response=list[RecordingOut],
)
async def recording_list(request: web.Request) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    require_play(context_of(request), await _meeting_org(request, meeting_id))
    rows = await request.app[appkeys.RECORDINGS].list(meeting_id)
    return json_response([_recording(r) for r in rows])


@routes.route(
    "GET",
    f"/api/recordings/{_RECORDING_ID}/content",
    summary="Play or download a recording (chair with recording.play, R7; audited, refusals "
    "too). Released only if the whole file authenticates. `for=player`: remuxed in memory with "
    "an index and a duration so a player can seek (the download is the file as recorded)",
    tag="records",
    content="application/octet-stream",
    query=(("for", "string"),),
)
async def recording_content(request: web.Request) -> web.StreamResponse:
    context = context_of(request)
    row = await _recording_of(request)
    require_play(context, await _meeting_org(request, row.meeting_id))
    service = request.app[appkeys.RECORDINGS]
    try:
        if request.query.get("for") == "player":
            body = await service.open_for_player(row.id, context.actor)
            return web.Response(body=body, content_type="video/x-matroska")
        chunks = await service.open_plaintext(row.id, context.actor)
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
