"""The chair console page (static; its data comes from the conduct API and the meeting socket)."""

from __future__ import annotations

from aiohttp import web

from server.http.pages import meeting_shell
from server.http.routes import Routes

routes = Routes()


@routes.route(
    "GET",
    r"/meetings/{meeting_id:\d+}/chair",
    summary="Chair console of a meeting (lobby, attendance and quorum, agenda gate, votes, "
    "minutes); sign-in first, and a readable 403 page for anyone who may not chair it",
    tag="pages",
    content="text/html",
    public=True,
)
async def chair_page(request: web.Request) -> web.StreamResponse:
    return await meeting_shell(request, "chair.html", chair=True)


@routes.route(
    "GET",
    r"/meetings/{meeting_id:\d+}/groups",
    summary="The committee's page for a cell meeting held by party groups (E2, P5, §II.4.2): "
    "content and assignments, every group's report side by side (GM3), consolidation and the "
    "cell's resolution (A3); sign-in first, 403 page for anyone who may not chair the cell",
    tag="pages",
    content="text/html",
    public=True,
)
async def groups_page(request: web.Request) -> web.StreamResponse:
    return await meeting_shell(request, "groups.html", chair=True)


@routes.route(
    "GET",
    r"/meetings/{meeting_id:\d+}/group",
    summary="The group leader's console for a party group's meeting (phone-size): roster and "
    "attendance, opinions, the group's vote on the draft, minutes, the report (GM3)",
    tag="pages",
    content="text/html",
    public=True,
)
async def group_console_page(request: web.Request) -> web.StreamResponse:
    return await meeting_shell(request, "group.html", chair=True)
