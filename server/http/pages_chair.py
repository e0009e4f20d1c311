"""The chair console page (static; its data comes from the conduct API and the meeting socket)."""

from __future__ import annotations

from aiohttp import web

from server.http.pages import WEB_CLIENT
from server.http.routes import Routes

routes = Routes()


@routes.route(
    "GET",
    r"/meetings/{meeting_id:\d+}/chair",
    summary="Chair console of a meeting (lobby, attendance and quorum, agenda gate, votes, "
    "minutes); the page signs in first and the API refuses anyone but the chair",
    tag="pages",
    content="text/html",
    public=True,
)
async def chair_page(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(WEB_CLIENT / "chair.html", headers={"Cache-Control": "no-store"})
