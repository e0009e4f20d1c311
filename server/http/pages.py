"""HTML pages of the browser client (static files; their data comes from the JSON API)."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from server.http.routes import Routes

WEB_CLIENT = Path(__file__).resolve().parent.parent.parent / "web_client"

routes = Routes()


def _page(name: str) -> web.FileResponse:
    return web.FileResponse(WEB_CLIENT / name, headers={"Cache-Control": "no-store"})


@routes.route(
    "GET", "/login", summary="Sign-in page", tag="pages", content="text/html", public=True
)
async def login_page(request: web.Request) -> web.StreamResponse:
    return _page("login.html")


@routes.route(
    "GET",
    "/account",
    summary="Account and security page (factors, recovery codes, password)",
    tag="pages",
    content="text/html",
    public=True,
)
async def account_page(request: web.Request) -> web.StreamResponse:
    return _page("account.html")


@routes.route(
    "GET",
    r"/meetings/{meeting_id:\d+}",
    summary="Meeting page",
    tag="pages",
    content="text/html",
    public=True,
)
async def meeting_page(request: web.Request) -> web.StreamResponse:
    return _page("meeting.html")
