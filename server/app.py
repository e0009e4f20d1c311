"""The composition root: the one place the application is wired.

:func:`create_app` builds, in this order and once each: the settings (given), the KEK and its key
provider, the database, the audit log (with that provider and the checkpoint policy), the
services (sessions and throttling, recordings, live meetings), then registers every route.
Every piece of state lives under a key of :mod:`server.appkeys`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web
from redis.asyncio import Redis

from server import appkeys
from server.audit import AuditLog
from server.auth.context import Clock, system_clock
from server.auth.middleware import auth_middleware
from server.auth.passwords import hash_password
from server.auth.sessions import Sessions, purge_periodically
from server.auth.throttle import MemoryThrottle, RedisThrottle
from server.conduct import documents
from server.conduct.presentation import PageCache
from server.config import Settings
from server.crypto.keys import LocalKek
from server.errors import error_middleware
from server.http import (
    accounts,
    audit_log,
    auth,
    invitations,
    lifecycle,
    meetings,
    organisations,
    oversight_reports,
    pages,
    pages_chair,
    pages_oversight,
    pages_plan,
    pages_roster,
    pilots,
    recordings,
    roster,
    system,
    ws,
)
from server.http import caps as caps_http
from server.http import chat as chat_http
from server.http import conduct as conduct_http
from server.http import gate as gate_http
from server.http import ops as ops_http
from server.http import oversight as oversight_http
from server.http import programme as programme_http
from server.http import supervision as supervision_http
from server.http.routes import Routes
from server.kek import load_or_create_kek
from server.logs import observe_middleware
from server.meeting.live_meetings import LiveMeetings, make_bus
from server.metrics import Metrics
from server.records.recordings import RecordingService
from server.records.settings import audit_options, recordings_dir
from server.storage.db import Database

log = logging.getLogger(__name__)

WEB_CLIENT = Path(__file__).resolve().parent.parent / "web_client"


def all_routes() -> Routes:
    combined = Routes()
    for module in (
        system,
        auth,
        invitations,
        pages,
        organisations,
        pilots,
        meetings,
        lifecycle,
        ws,
        recordings,
        audit_log,
    ):
        combined.endpoints.extend(module.routes.endpoints)
    combined.endpoints.extend(conduct_http.routes.endpoints)  # meeting conduct
    combined.endpoints.extend(pages_chair.routes.endpoints)  # the chair console page
    combined.endpoints.extend(pages_plan.routes.endpoints)  # the secretary's planning pages
    combined.endpoints.extend(pages_oversight.routes.endpoints)  # committee, board, pilot pages
    combined.endpoints.extend(caps_http.routes.endpoints)  # pilot caps used this year
    combined.endpoints.extend(ops_http.routes.endpoints)  # /metrics
    combined.endpoints.extend(gate_http.routes.endpoints)  # the agenda editor's gate pre-check
    combined.endpoints.extend(chat_http.routes.endpoints)  # the meeting chat's history
    combined.endpoints.extend(oversight_http.routes.endpoints)  # Q1–Q3
    combined.endpoints.extend(supervision_http.routes.endpoints)  # S1, S2
    combined.endpoints.extend(programme_http.routes.endpoints)  # V1–V3
    combined.endpoints.extend(oversight_reports.routes.endpoints)  # reports as files
    combined.endpoints.extend(roster.routes.endpoints)  # the roster, import and export
    combined.endpoints.extend(accounts.routes.endpoints)  # enrolment links, account admin
    combined.endpoints.extend(pages_roster.routes.endpoints)  # /roster and /enrol
    return combined


async def _database(app: web.Application) -> AsyncIterator[None]:
    """The database and the audit log (the KEK's provider, the checkpoint policy)."""
    settings = app[appkeys.SETTINGS]
    db = Database(settings.database_url, echo=settings.database.echo)
    app[appkeys.DB] = db
    app[appkeys.AUDIT] = AuditLog(db, app[appkeys.KEYS], options=audit_options(settings))
    yield
    await db.close()


async def _records(app: web.Application) -> AsyncIterator[None]:
    """Start-up: the recording service (recordings interrupted by a killed process are marked
    failed) and the periodic audit checkpoint task. Shutdown: open recordings are aborted (never
    decrypted)."""
    audit = app[appkeys.AUDIT]
    service = RecordingService(app[appkeys.DB], audit, recordings_dir(app[appkeys.SETTINGS]))
    app[appkeys.RECORDINGS] = service
    await service.recover_interrupted()  # left "recording" by a process that was killed
    stop = asyncio.Event()
    ticker = asyncio.create_task(audit.run_checkpoints(stop))
    yield
    stop.set()
    await ticker
    await service.abort_all()


async def _identity(app: web.Application) -> AsyncIterator[None]:
    """Sessions and sign-in throttling (Redis when ``bus.redis_url`` is set)."""
    settings = app[appkeys.SETTINGS]
    clock = app[appkeys.CLOCK]
    app[appkeys.SESSIONS] = Sessions(app[appkeys.DB], settings.security, clock)
    redis: Redis | None = None
    if settings.bus.redis_url:
        redis = Redis.from_url(settings.bus.redis_url)
        app[appkeys.THROTTLE] = RedisThrottle(
            redis, settings.security, prefix=settings.bus.key_prefix
        )
    else:
        app[appkeys.THROTTLE] = MemoryThrottle(settings.security, clock)
    purger = asyncio.get_running_loop().create_task(
        purge_periodically(app[appkeys.SESSIONS], app[appkeys.AUDIT])
    )
    yield
    purger.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await purger
    if redis is not None:
        await redis.aclose()


async def _live_meetings(app: web.Application) -> AsyncIterator[None]:
    live = LiveMeetings(
        app[appkeys.SETTINGS], app[appkeys.DB], app[appkeys.AUDIT], make_bus(app[appkeys.SETTINGS])
    )
    app[appkeys.LIVE] = live
    await live.start()  # the lease; start-up recovery of what a killed process left open
    yield
    await live.close()  # usually done already by ws.close_sockets on shutdown


async def _encrypt_legacy_documents(app: web.Application) -> None:
    """R7: documents stored in clear before migration 0005 are sealed at start-up (one
    transaction, each audited; with none left this is one query). A failure leaves them in clear
    and readable, is logged, and ``hopchibo records encrypt-documents`` shows it."""
    try:
        sealed = await documents.encrypt_legacy(
            app[appkeys.DB], app[appkeys.AUDIT], "system:startup"
        )
    except Exception:
        log.exception("meeting documents stored in clear were not encrypted")
        return
    if sealed:
        log.info("encrypted %d meeting document(s) stored in clear", sealed)


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


def create_app(settings: Settings, *, clock: Clock = system_clock) -> web.Application:
    """The application; ``clock`` drives session expiry, TOTP and throttling (tests inject it)."""
    app = web.Application(
        client_max_size=settings.server.max_body_bytes,
        middlewares=[observe_middleware, error_middleware, auth_middleware],
    )
    app[appkeys.SETTINGS] = settings
    metrics = Metrics()
    metrics.watch(lambda: app.get(appkeys.LIVE), lambda: app.get(appkeys.AUDIT))
    app[appkeys.METRICS] = metrics
    app[appkeys.CLOCK] = clock
    app[appkeys.PAGES] = PageCache()
    app[appkeys.DUMMY_HASH] = hash_password("hopchibo-no-such-account")
    settings.server.var_dir.mkdir(parents=True, exist_ok=True)
    app[appkeys.KEK] = load_or_create_kek(settings.kek_path, settings.keys.kek)
    app[appkeys.KEYS] = LocalKek(app[appkeys.KEK])  # the one key provider of this process
    routes = all_routes()
    app[appkeys.ROUTES] = routes
    routes.register(app)
    app[appkeys.PUBLIC] = frozenset(ep.handler for ep in routes.endpoints if ep.public)
    app[appkeys.CSRF_EXEMPT] = frozenset({auth.login, auth.passkey_options, auth.passkey_verify})
    if WEB_CLIENT.is_dir():
        app.router.add_static("/static/", WEB_CLIENT, follow_symlinks=False)
    app.cleanup_ctx.append(_database)
    app.cleanup_ctx.append(_records)
    app.cleanup_ctx.append(_live_meetings)
    app.on_shutdown.append(ws.close_sockets)
    app.cleanup_ctx.append(_identity)
    app.on_startup.append(_encrypt_legacy_documents)  # after every cleanup_ctx has started
    app.on_response_prepare.append(_security_headers)
    return app
