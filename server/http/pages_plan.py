"""The secretary's planning pages (static; their data comes from the JSON API): scheduling a
meeting at ``/plan`` and preparing one at ``/meetings/{id}/plan`` (agenda with the gate
pre-check, documents, invitations, party groups)."""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from server.auth.middleware import cookie_context
from server.http.pages import WEB_CLIENT, meeting_shell
from server.http.routes import Routes

routes = Routes()


@routes.route(
    "GET",
    "/plan",
    summary="Schedule a meeting: eligibility and caps on the chosen date with their rules, the "
    "cell's duties and meetings (sign-in first; the API refuses whoever may not schedule)",
    tag="pages",
    content="text/html",
    public=True,
)
async def plan_page(request: web.Request) -> web.StreamResponse:
    if await cookie_context(request) is None:
        raise web.HTTPFound(f"/login?next={quote(request.path_qs, safe='/')}")
    return web.FileResponse(WEB_CLIENT / "plan.html", headers={"Cache-Control": "no-store"})


@routes.route(
    "GET",
    r"/meetings/{meeting_id:\d+}/plan",
    summary="Prepare a meeting: agenda with the gate pre-check (G1/G2), documents and the M3 "
    "deadline, invitations, party-group assignments; sign-in first, a readable 403 page for "
    "anyone who may not chair it",
    tag="pages",
    content="text/html",
    public=True,
)
async def prepare_page(request: web.Request) -> web.StreamResponse:
    return await meeting_shell(request, "prepare.html", chair=True)
