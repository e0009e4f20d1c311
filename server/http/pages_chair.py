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
