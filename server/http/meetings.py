"""Meetings and agenda items: parse, call :mod:`server.meeting.service`, serialise."""

from __future__ import annotations

from aiohttp import web

from server import appkeys
from server.auth.authz import Authorize, authorizer
from server.auth.middleware import context_of
from server.http.body import parse_body, path_int, respond
from server.http.organisations import actor_of
from server.http.routes import Routes
from server.http.schemas import AgendaItemIn, AgendaItemOut, MeetingIn, MeetingOut
from server.meeting import service
from server.meeting.service import NewAgendaItem, NewMeeting

routes = Routes()


def _authorize(request: web.Request) -> Authorize:
    return authorizer(context_of(request))


@routes.route(
    "GET",
    r"/api/organisations/{org_id:\d+}/meetings",
    summary="Meetings of a cell",
    tag="meetings",
    response=list[MeetingOut],
)
async def list_meetings(request: web.Request) -> web.Response:
    org_id = path_int(request, "org_id")
    rows = await service.of_org(request.app[appkeys.DB], org_id, _authorize(request))
    return respond(MeetingOut, rows)


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
    app = request.app
    meeting = await service.schedule(
        app[appkeys.DB],
        app[appkeys.AUDIT],
        actor_of(request),
        org_id,
        NewMeeting(**body.model_dump()),
        _authorize(request),
    )
    return respond(MeetingOut, meeting, 201)


@routes.route(
    "GET",
    r"/api/meetings/{meeting_id:\d+}",
    summary="One meeting",
    tag="meetings",
    response=MeetingOut,
)
async def get_meeting(request: web.Request) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    meeting = await service.get(request.app[appkeys.DB], meeting_id, _authorize(request))
    return respond(MeetingOut, meeting)


@routes.route(
    "GET",
    r"/api/meetings/{meeting_id:\d+}/agenda",
    summary="Agenda of a meeting",
    tag="meetings",
    response=list[AgendaItemOut],
)
async def list_agenda(request: web.Request) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    rows = await service.agenda(request.app[appkeys.DB], meeting_id, _authorize(request))
    return respond(AgendaItemOut, rows)


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
    app = request.app
    item = await service.add_agenda_item(
        app[appkeys.DB],
        app[appkeys.AUDIT],
        actor_of(request),
        meeting_id,
        NewAgendaItem(**body.model_dump()),
        _authorize(request),
    )
    return respond(AgendaItemOut, item, 201)


@routes.route(
    "POST",
    r"/api/meetings/{meeting_id:\d+}/start",
    summary="Open a meeting; the mode is checked again as of today (G3, E1–P5)",
    tag="meetings",
    response=MeetingOut,
)
async def start_meeting(request: web.Request) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    app = request.app
    meeting = await service.start(
        app[appkeys.DB],
        app[appkeys.AUDIT],
        actor_of(request),
        meeting_id,
        _authorize(request),
        app[appkeys.CLOCK](),
    )
    return respond(MeetingOut, meeting)


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
    app = request.app
    meeting = await service.close(
        app[appkeys.DB],
        app[appkeys.AUDIT],
        app[appkeys.LIVE],
        app[appkeys.RECORDINGS],
        actor_of(request),
        meeting_id,
        _authorize(request),
        app[appkeys.CLOCK](),
    )
    return respond(MeetingOut, meeting)
