"""Meetings and agenda items."""

from __future__ import annotations

from aiohttp import web

from policy.decision import Outcome
from policy.model import ItemStatus, OrgLevel
from server import appkeys, rules
from server.auth.authz import Permission, require
from server.auth.middleware import context_of
from server.errors import AppError, not_found
from server.http.body import json_response, parse_body, path_int
from server.http.registry import actor_of, org_or_404
from server.http.routes import Routes
from server.http.schemas import AgendaItemIn, AgendaItemOut, MeetingIn, MeetingOut
from server.storage import meetings as meeting_store
from server.storage import pilots as pilot_store
from server.storage.models import AgendaItem, Meeting
from signaling.errors import ErrorCode

routes = Routes()


@routes.route(
    "GET",
    r"/api/organisations/{org_id:\d+}/meetings",
    summary="Meetings of a cell",
    tag="meetings",
    response=list[MeetingOut],
)
async def list_meetings(request: web.Request) -> web.Response:
    org_id = path_int(request, "org_id")
    async with request.app[appkeys.DB].session() as session:
        await org_or_404(session, org_id)
        require(context_of(request), Permission.MEETING_READ, org_id)
        rows = await meeting_store.of_org(session, org_id)
        data = [MeetingOut.model_validate(m).model_dump(mode="json") for m in rows]
    return json_response(data)


@routes.route(
    "POST",
    r"/api/organisations/{org_id:\d+}/meetings",
    summary="Schedule a meeting",
    tag="meetings",
    body=MeetingIn,
    response=MeetingOut,
    status=201,
)
async def create_meeting(request: web.Request) -> web.Response:
    org_id = path_int(request, "org_id")
    body = await parse_body(request, MeetingIn)
    async with request.app[appkeys.DB].session() as session:
        org = await org_or_404(session, org_id)
        require(context_of(request), Permission.MEETING_SCHEDULE, org_id)
        if org.level is OrgLevel.GRASSROOTS and body.kind.value == "group":
            raise AppError.of(ErrorCode.VALIDATION, detail="group meetings belong to a cell")
        if body.circumstance_id is not None:
            circ = await pilot_store.circumstance(session, body.circumstance_id)
            if circ is None or circ.org_id != org_id:
                raise not_found("hoàn cảnh đặc biệt / circumstance")
        if body.parent_meeting_id is not None:
            parent = await meeting_store.get(session, body.parent_meeting_id)
            if parent is None:
                raise not_found("cuộc họp / meeting")
        # E1–E4, P1–P5: refused with the cited rule before anything is stored
        await rules.require_meeting_mode(
            session, org, body.mode, rules.local_date(body.scheduled_start)
        )
        meeting = await meeting_store.add(session, Meeting(org_id=org_id, **body.model_dump()))
        await request.app[appkeys.AUDIT].record(
            actor_of(request),
            "meeting.create",
            f"meeting:{meeting.id}",
            {"mode": meeting.mode.value, "kind": meeting.kind.value},
            session=session,
        )
        out = MeetingOut.model_validate(meeting).model_dump(mode="json")
    return json_response(out, status=201)


@routes.route(
    "GET",
    r"/api/meetings/{meeting_id:\d+}",
    summary="One meeting",
    tag="meetings",
    response=MeetingOut,
)
async def get_meeting(request: web.Request) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    async with request.app[appkeys.DB].session() as session:
        meeting = await meeting_store.get(session, meeting_id)
        if meeting is None:
            raise not_found("cuộc họp / meeting")
        require(context_of(request), Permission.MEETING_READ, meeting.org_id)
        out = MeetingOut.model_validate(meeting).model_dump(mode="json")
    return json_response(out)


@routes.route(
    "GET",
    r"/api/meetings/{meeting_id:\d+}/agenda",
    summary="Agenda of a meeting",
    tag="meetings",
    response=list[AgendaItemOut],
)
async def list_agenda(request: web.Request) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    async with request.app[appkeys.DB].session() as session:
        meeting = await meeting_store.get(session, meeting_id)
        if meeting is None:
            raise not_found("cuộc họp / meeting")
        require(context_of(request), Permission.MEETING_READ, meeting.org_id)
        rows = await meeting_store.agenda(session, meeting_id)
        data = [AgendaItemOut.model_validate(i).model_dump(mode="json") for i in rows]
    return json_response(data)


@routes.route(
    "POST",
    r"/api/meetings/{meeting_id:\d+}/agenda",
    summary="Add an agenda item",
    tag="meetings",
    body=AgendaItemIn,
    response=AgendaItemOut,
    status=201,
)
async def create_agenda_item(request: web.Request) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    body = await parse_body(request, AgendaItemIn)
    async with request.app[appkeys.DB].session() as session:
        meeting = await meeting_store.get(session, meeting_id)
        if meeting is None:
            raise not_found("cuộc họp / meeting")
        require(context_of(request), Permission.MEETING_SCHEDULE, meeting.org_id)
        item = AgendaItem(meeting_id=meeting_id, **body.model_dump())
        decision = rules.gate(item, meeting)  # G1/G2 at planning; G3 re-runs it at opening
        item.gate = decision.as_dict()
        if decision.outcome is Outcome.BLOCKED:
            item.status = ItemStatus.DEFERRED  # G1: moved to the next in-person meeting
        item = await meeting_store.add_item(session, item)
        await request.app[appkeys.AUDIT].record(
            actor_of(request),
            "agenda.add",
            f"item:{item.id}",
            {
                "meeting": meeting_id,
                "category": item.category.value,
                "gate": decision.outcome.value,
                "rules": list(decision.rule_ids),
            },
            session=session,
        )
        out = AgendaItemOut.model_validate(item).model_dump(mode="json")
    return json_response(out, status=201)
