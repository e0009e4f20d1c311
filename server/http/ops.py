"""``/metrics`` for the operator's Prometheus: only from ``ops.metrics_allow`` and never through
the public proxy (a forwarded request is answered as an unknown route)."""

from __future__ import annotations

from aiohttp import web

from policy.error_codes import ErrorCode
from server import appkeys
from server.auth.middleware import client_address
from server.errors import AppError
from server.http.routes import Routes
from server.metrics import CONTENT_TYPE, allowed

routes = Routes()


@routes.route(
    "GET",
    "/metrics",
    summary="Operator metrics (Prometheus text format); operator network only",
    tag="system",
    public=True,
    content="text/plain",
)
async def metrics(request: web.Request) -> web.Response:
    ops = request.app[appkeys.SETTINGS].ops
    proxied = "X-Forwarded-For" in request.headers or "Forwarded" in request.headers
    if proxied or not allowed(client_address(request), ops.metrics_allow):
        raise AppError.of(ErrorCode.ROUTE_NOT_FOUND)
    body = request.app[appkeys.METRICS].render()
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})
