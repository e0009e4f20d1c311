"""Health, readiness, the OpenAPI description and the translation table."""

from __future__ import annotations

from aiohttp import web

from policy.i18n import TABLE
from server import appkeys
from server.http.body import json_response
from server.http.routes import Routes, openapi
from server.http.schemas import Health, Readiness

routes = Routes()


@routes.route("GET", "/api/health", summary="Liveness", tag="system", response=Health, public=True)
async def health(request: web.Request) -> web.Response:
    return json_response({"status": "ok"})


@routes.route(
    "GET",
    "/api/ready",
    summary="Readiness (database reachable)",
    tag="system",
    response=Readiness,
    public=True,
)
async def ready(request: web.Request) -> web.Response:
    ok = await request.app[appkeys.DB].ping()
    return json_response(
        {"status": "ok" if ok else "unavailable", "database": ok}, status=200 if ok else 503
    )


@routes.route(
    "GET",
    "/api/openapi.json",
    summary="This API description",
    tag="system",
    public=True,
    response=dict[str, object],
)
async def openapi_json(request: web.Request) -> web.Response:
    spec = openapi(request.app[appkeys.ROUTES].endpoints, title="hopchibo", version="1")
    return json_response(spec)


@routes.route(
    "GET",
    "/api/i18n",
    summary="The translation table (Vietnamese first)",
    tag="system",
    public=True,
    response=dict[str, dict[str, str]],
)
async def i18n(request: web.Request) -> web.Response:
    return json_response({key: text.as_dict() for key, text in TABLE.items()})
