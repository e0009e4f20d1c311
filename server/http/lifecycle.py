"""Pilot checks and meeting lifecycle: eligibility on a date, start and close, duties, the
828-CV registration list."""

from __future__ import annotations

import datetime as dt
import logging

from aiohttp import web
from pydantic import BaseModel

from policy.calendar import check_duties
from policy.model import MeetingMode, MeetingStatus
from policy.rulesets import find_ruleset
from server import appkeys, pilots, rules
from server.auth.authz import Permission, require
from server.auth.middleware import context_of
from server.errors import AppError, not_found
from server.http.body import json_response, path_int
from server.http.records import RECORDINGS
from server.http.registry import actor_of, org_or_404
from server.http.routes import Routes
from server.http.schemas import MeetingOut
from server.records.recordings import RecordingStateError
from server.reports.registrations import to_csv, to_docx
from server.storage import attendance as attendance_store
from server.storage import meetings as meeting_store
from server.storage.db import Session
from server.storage.models import Meeting, Organisation
from signaling.errors import ErrorCode

log = logging.getLogger(__name__)
routes = Routes()


class DecisionOut(BaseModel):
    outcome: str
    rules: list[str]
    vi: str
    en: str


class DutyOut(BaseModel):
    kind: str
    status: str
    due_on: dt.date
    rules: list[str]
    vi: str
    en: str
    meeting_id: str | None


def _query_date(request: web.Request, name: str = "date") -> dt.date:
    raw = request.query.get(name)
    if raw is None:
        return dt.datetime.now(rules.VN_TZ).date()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise AppError.of(ErrorCode.VALIDATION, detail=f"{name}: YYYY-MM-DD") from None


@routes.route(
    "GET",
    r"/api/organisations/{org_id:\d+}/eligibility",
    summary="May this organisation hold a meeting in this mode on this date? (E1–E4, P1–P5)",
    tag="pilot",
    response=DecisionOut,
    query=(("mode", "string"), ("date", "string")),
)
async def eligibility(request: web.Request) -> web.Response:
    org_id = path_int(request, "org_id")
    try:
        mode = MeetingMode(request.query.get("mode", "online"))
    except ValueError:
        raise AppError.of(
            ErrorCode.VALIDATION, detail="mode: in_person|hybrid|online|group"
        ) from None
    on = _query_date(request)
    async with request.app[appkeys.DB].session() as session:
        org = await org_or_404(session, org_id)
        require(context_of(request), Permission.PILOT_READ, org_id)
        decision = await rules.check_meeting_mode(session, org, mode, on)
    return json_response(decision.as_dict())


async def _meeting(session: Session, meeting_id: int) -> tuple[Meeting, Organisation]:
    meeting = await meeting_store.get(session, meeting_id)
    if meeting is None:
        raise not_found("cuộc họp / meeting")
    return meeting, await org_or_404(session, meeting.org_id)


@routes.route(
    "POST",
    r"/api/meetings/{meeting_id:\d+}/start",
    summary="Open a meeting; the mode is checked again as of today (G3, E1–P5)",
    tag="meetings",
    response=MeetingOut,
)
async def start_meeting(request: web.Request) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    async with request.app[appkeys.DB].session() as session:
        meeting, org = await _meeting(session, meeting_id)
        require(context_of(request), Permission.MEETING_CHAIR, meeting.org_id)
        if meeting.status is not MeetingStatus.SCHEDULED:
            raise AppError.of(ErrorCode.CONFLICT, detail=f"meeting is {meeting.status.value}")
        now = dt.datetime.now(dt.UTC)
        await rules.require_meeting_mode(
            session, org, meeting.mode, rules.local_date(now), exclude=meeting.id
        )
        meeting.status = MeetingStatus.OPEN
        meeting.started_at = now
        await session.flush()
        await request.app[appkeys.AUDIT].record(
            actor_of(request),
            "meeting.start",
            f"meeting:{meeting.id}",
            {"mode": meeting.mode.value},
            session=session,
        )
        out = MeetingOut.model_validate(meeting).model_dump(mode="json")
    return json_response(out)


@routes.route(
    "POST",
    r"/api/meetings/{meeting_id:\d+}/close",
    summary="Close an open meeting: attendance ends with it (A1), a recording is completed, "
    "everyone connected is told and disconnected",
    tag="meetings",
    response=MeetingOut,
)
async def close_meeting(request: web.Request) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    actor = actor_of(request)
    async with request.app[appkeys.DB].session() as session:
        meeting, _org = await _meeting(session, meeting_id)
        require(context_of(request), Permission.MEETING_CHAIR, meeting.org_id)
        if meeting.status is not MeetingStatus.OPEN:
            raise AppError.of(ErrorCode.CONFLICT, detail=f"meeting is {meeting.status.value}")
        ended_at = dt.datetime.now(dt.UTC)
        meeting.status = MeetingStatus.CLOSED
        meeting.ended_at = ended_at
        await session.flush()
        closed = await attendance_store.close_open(session, meeting.id, ended_at)
        await request.app[appkeys.AUDIT].record(
            actor,
            "meeting.close",
            f"meeting:{meeting.id}",
            {"intervals_closed": closed},
            session=session,
        )
        out = MeetingOut.model_validate(meeting).model_dump(mode="json")
    await end_live_meeting(request.app, meeting_id, actor)
    return json_response(out)


async def end_live_meeting(app: web.Application, meeting_id: int, actor: str) -> None:
    """After a meeting's close is committed (nobody joins it any more): the recorder finishes its
    Matroska file, the live meeting ends here at once (so nobody is admitted after ``ended_at``)
    and in every other process, then the recording gets its final segment and is complete. Used
    by the cell meeting's close and a party group's."""
    recordings, live_meetings = app[RECORDINGS], app[appkeys.LIVE]
    recording = recordings.handle(meeting_id) is not None
    if recording:
        live = live_meetings.get(meeting_id)
        if live is not None:
            live.stop_recording()
    await live_meetings.end(meeting_id)
    if recording:
        try:
            await recordings.stop(meeting_id, actor)
        except RecordingStateError:  # the chair stopped it meanwhile
            pass
        except Exception:
            log.exception("meeting %s: recording not completed at close", meeting_id)


@routes.route(
    "GET",
    r"/api/organisations/{org_id:\d+}/duties",
    summary="What is due or overdue for a cell (R1, R3, M3, group reports)",
    tag="pilot",
    response=list[DutyOut],
    query=(("date", "string"),),
)
async def duties(request: web.Request) -> web.Response:
    org_id = path_int(request, "org_id")
    on = _query_date(request)
    ruleset = find_ruleset(on)
    async with request.app[appkeys.DB].session() as session:
        org = await org_or_404(session, org_id)
        require(context_of(request), Permission.MEETING_READ, org_id)
        history = await rules.history(session, org_id)
    if ruleset is None:
        raise AppError.of(ErrorCode.VALIDATION, detail=f"date: no rule set in force on {on}")
    found = check_duties(
        on,
        history,
        ruleset,
        day=org.meeting_day,
        tracking_from=org.created_at.astimezone(rules.VN_TZ).date(),
    )
    return json_response(
        [
            {
                "kind": d.kind.value,
                "status": d.status.value,
                "due_on": d.due_on.isoformat(),
                "rules": [r.value for r in d.rules],
                **d.text.as_dict(),
                "meeting_id": d.meeting_id,
            }
            for d in found
        ]
    )


@routes.route(
    "GET",
    r"/api/organisations/{org_id:\d+}/registrations/export.csv",
    summary="Registration list of this organisation and those under it (CSV)",
    tag="pilot",
    content="text/csv",
)
async def export_registrations_csv(request: web.Request) -> web.Response:
    org_id = path_int(request, "org_id")
    async with request.app[appkeys.DB].session() as session:
        org = await org_or_404(session, org_id)
        require(context_of(request), Permission.PILOT_READ, org_id)
        rows = await pilots.registration_rows(session, org)
        await request.app[appkeys.AUDIT].record(
            actor_of(request), "pilot.export", f"org:{org_id}", {"format": "csv"}, session=session
        )
    return web.Response(
        text=to_csv(rows),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="dang-ky-03.csv"'},
    )


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@routes.route(
    "GET",
    r"/api/organisations/{org_id:\d+}/registrations/export.docx",
    summary="Registration list in the 828-CV/ĐUK layout (DOCX)",
    tag="pilot",
    content=DOCX,
)
async def export_registrations_docx(request: web.Request) -> web.Response:
    org_id = path_int(request, "org_id")
    async with request.app[appkeys.DB].session() as session:
        org = await org_or_404(session, org_id)
        require(context_of(request), Permission.PILOT_READ, org_id)
        rows = await pilots.registration_rows(session, org)
        await request.app[appkeys.AUDIT].record(
            actor_of(request), "pilot.export", f"org:{org_id}", {"format": "docx"}, session=session
        )
    body = to_docx(rows, org.name, org.location or "Hà Nội", dt.datetime.now(rules.VN_TZ).date())
    return web.Response(
        body=body,
        content_type=DOCX,
        headers={"Content-Disposition": 'attachment; filename="dang-ky-03.docx"'},
    )
