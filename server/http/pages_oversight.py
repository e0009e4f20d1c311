"""The superior committee's pages (static; their data comes from the JSON API): its cells on one
screen at ``/committee`` (Q1–Q3, S1, GM3, the reports), the pilot registrations for the
organisation board and the standing committee at ``/board`` (V1–V3), and a cell's own pilot
registrations at ``/pilot`` (V1, V2: register, correct a returned one). Sign-in first; the API
refuses whoever holds no role for them."""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from server.auth.middleware import cookie_context
from server.http.pages import WEB_CLIENT
from server.http.routes import Routes

routes = Routes()


async def _signed_in_page(request: web.Request, name: str) -> web.StreamResponse:
    if await cookie_context(request) is None:
        raise web.HTTPFound(f"/login?next={quote(request.path_qs, safe='/')}")
    return web.FileResponse(WEB_CLIENT / name, headers={"Cache-Control": "no-store"})


@routes.route(
    "GET",
    "/committee",
    summary="The superior committee's cells on one screen: this month's meetings, caps, late "
    "group reports, quality over time, weak cells, assignments, evaluation and reports",
    tag="pages",
    content="text/html",
    public=True,
)
async def committee_page(request: web.Request) -> web.StreamResponse:
    return await _signed_in_page(request, "committee.html")


@routes.route(
    "GET",
    "/board",
    summary="Pilot registrations for the organisation board (vet, return, endorse) and the "
    "standing committee (approve, refuse), with the review exports (V1–V3)",
    tag="pages",
    content="text/html",
    public=True,
)
async def board_page(request: web.Request) -> web.StreamResponse:
    return await _signed_in_page(request, "board.html")


@routes.route(
    "GET",
    "/pilot",
    summary="A cell's pilot registrations: register, read the board's reasons, correct a "
    "returned one (V1, V2)",
    tag="pages",
    content="text/html",
    public=True,
)
async def pilot_page(request: web.Request) -> web.StreamResponse:
    return await _signed_in_page(request, "pilot.html")
