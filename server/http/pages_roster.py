"""The roster and accounts page ``/roster`` (secretary, deputy, administrator; sign-in first,
the API refuses whoever may not read a roster) and the enrolment page ``/enrol`` (public: the
single-use link's token travels in the URL fragment, never to the server's logs)."""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from server.auth.middleware import cookie_context
from server.http.pages import WEB_CLIENT
from server.http.routes import Routes

routes = Routes()


@routes.route(
    "GET",
    "/roster",
    summary="The roster: members, flags with dates, E1a reasons with periods, groups, roles, "
    "accounts, history, import and export (sign-in first)",
    tag="pages",
    content="text/html",
    public=True,
)
async def roster_page(request: web.Request) -> web.StreamResponse:
    if await cookie_context(request) is None:
        raise web.HTTPFound(f"/login?next={quote(request.path_qs, safe='/')}")
    return web.FileResponse(WEB_CLIENT / "roster.html", headers={"Cache-Control": "no-store"})


@routes.route(
    "GET",
    "/enrol",
    summary="Enrolment page: set a password and a second factor with a single-use link",
    tag="pages",
    content="text/html",
    public=True,
)
async def enrol_page(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(
        WEB_CLIENT / "enrol.html",
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )
