"""The aiohttp application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web

from server import appkeys
from server.audit import AuditLog
from server.config import Settings
from server.errors import error_middleware
from server.http import lifecycle, meetings, pilots, registry, system
from server.http.routes import Routes
from server.keys import load_or_create_kek
from server.storage.db import Database

log = logging.getLogger(__name__)

WEB_CLIENT = Path(__file__).resolve().parent.parent / "web_client"


def all_routes() -> Routes:
    combined = Routes()
    for module in (system, registry, pilots, meetings, lifecycle):
        combined.endpoints.extend(module.routes.endpoints)
    return combined


async def _database(app: web.Application) -> AsyncIterator[None]:
    settings = app[appkeys.SETTINGS]
    db = Database(settings.database_url, echo=settings.database.echo)
    app[appkeys.DB] = db
    app[appkeys.AUDIT] = AuditLog(db)
    yield
    await db.close()


async def _security_headers(request: web.Request, response: web.StreamResponse) -> None:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    )
    if request.path.startswith("/api/"):
        response.headers.setdefault("Cache-Control", "no-store")


def create_app(settings: Settings) -> web.Application:
    app = web.Application(
        client_max_size=settings.server.max_body_bytes,
        middlewares=[error_middleware],
    )
    app[appkeys.SETTINGS] = settings
    settings.server.var_dir.mkdir(parents=True, exist_ok=True)
    app[appkeys.KEK] = load_or_create_kek(settings.kek_path, settings.keys.kek)
    routes = all_routes()
    app[appkeys.ROUTES] = routes
    routes.register(app)
    if WEB_CLIENT.is_dir():
        app.router.add_static("/static/", WEB_CLIENT, follow_symlinks=False)
    app.cleanup_ctx.append(_database)
    app.on_response_prepare.append(_security_headers)
    return app
