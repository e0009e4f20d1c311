"""HTML pages of the browser client (static files; their data comes from the JSON API), the
front door at ``/`` and the readable error pages shown instead of a page shell."""

from __future__ import annotations

from html import escape
from pathlib import Path
from urllib.parse import quote

from aiohttp import web

from policy.error_codes import ErrorCode
from policy.i18n import tr
from policy.model import Role
from server import appkeys
from server.auth.context import AccountContext
from server.auth.middleware import cookie_context, deny
from server.errors import AppError
from server.http.routes import Routes
from server.meeting.admission import PageAccess, page_access

WEB_CLIENT = Path(__file__).resolve().parent.parent.parent / "web_client"

routes = Routes()


def _page(name: str) -> web.FileResponse:
    return web.FileResponse(WEB_CLIENT / name, headers={"Cache-Control": "no-store"})


def _to_login(request: web.Request) -> web.HTTPFound:
    return web.HTTPFound(f"/login?next={quote(request.path_qs, safe='/')}")


def home_of(context: AccountContext) -> str:
    """Where a signed-in person starts: a security officer with no other role at the officer
    console (R7: no meeting content), everyone else at the home page."""
    if context.grants and all(g.role is Role.SECURITY_OFFICER for g in context.grants):
        return "/officer"
    return "/home"


def _error_page(access: PageAccess) -> web.Response:
    """A readable page in place of the page shell, Vietnamese first."""
    status, name = (404, "not_found") if access is PageAccess.MISSING else (403, "forbidden")
    title, body = tr(f"pages.error.{name}.title"), tr(f"pages.error.{name}.body")
    home = tr("pages.error.home")
    html = f"""<!doctype html>
<html lang="vi">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{escape(title.vi)} — hopchibo</title>
  <link rel="icon" href="/favicon.ico">
  <link rel="stylesheet" href="/static/css/auth.css">
</head>
<body>
  <header><strong>hopchibo</strong></header>
  <main>
    <h1>{escape(title.vi)}</h1>
    <p>{escape(body.vi)}</p>
    <p lang="en" class="secondary">{escape(title.en)}. {escape(body.en)}</p>
    <p><a href="/">{escape(home.vi)}</a> · <a href="/" lang="en">{escape(home.en)}</a></p>
  </main>
</body>
</html>
"""
    return web.Response(
        text=html,
        status=status,
        content_type="text/html",
        headers={"Cache-Control": "no-store"},
    )


async def meeting_shell(request: web.Request, name: str, *, chair: bool) -> web.StreamResponse:
    context = await cookie_context(request)
    if context is None:
        raise _to_login(request)
    meeting_id = int(request.match_info["meeting_id"])
    if not 0 < meeting_id < 2**31:  # no such id can exist (the database's integer range)
        return _error_page(PageAccess.MISSING)
    access = await page_access(request.app[appkeys.DB], context, meeting_id, chair=chair)
    if access is PageAccess.FORBIDDEN:
        await deny(request, AppError.of(ErrorCode.FORBIDDEN), "page", actor=context.actor)
    if access is not PageAccess.OK:
        return _error_page(access)
    return _page(name)


@routes.route(
    "GET",
    "/",
    summary="Front door: a signed-in person's home, everyone else the sign-in page",
    tag="pages",
    content="text/html",
    public=True,
)
async def front_door(request: web.Request) -> web.StreamResponse:
    context = await cookie_context(request)
    raise web.HTTPFound(home_of(context) if context is not None else "/login")


@routes.route(
    "GET",
    "/home",
    summary="Home page: the person's meetings and where to go next",
    tag="pages",
    content="text/html",
    public=True,
)
async def home_page(request: web.Request) -> web.StreamResponse:
    if await cookie_context(request) is None:
        raise _to_login(request)
    return _page("home.html")


@routes.route(
    "GET", "/favicon.ico", summary="Site icon", tag="pages", content="image/x-icon", public=True
)
async def favicon(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(
        WEB_CLIENT / "favicon.ico",
        headers={"Cache-Control": "public, max-age=86400", "Content-Type": "image/x-icon"},
    )


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
    summary="Meeting page (sign-in first; a readable 404 or 403 page for a meeting that does "
    "not exist or that the person may not attend)",
    tag="pages",
    content="text/html",
    public=True,
)
async def meeting_page(request: web.Request) -> web.StreamResponse:
    return await meeting_shell(request, "meeting.html", chair=False)
