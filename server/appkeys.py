"""Every piece of application state, as typed aiohttp ``AppKey``s (nothing lives in module
globals). Built once by the composition root, :func:`server.app.create_app`.

This module imports types only (under ``TYPE_CHECKING``), so any layer may read the keys
without importing what fills them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from server.audit import AuditLog
    from server.auth.context import Clock
    from server.auth.sessions import Sessions
    from server.auth.throttle import Throttle
    from server.conduct.presentation import PageCache
    from server.config import Settings
    from server.crypto.keys import KeyProvider
    from server.http.routes import Routes
    from server.meeting.live_meetings import LiveMeetings
    from server.metrics import Metrics
    from server.records.recordings import RecordingService
    from server.storage.db import Database

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

SETTINGS: web.AppKey[Settings] = web.AppKey("settings")
#: the KEK's 32 bytes (second-factor secrets are sealed under it) and its one provider
KEK: web.AppKey[bytes] = web.AppKey("kek")
KEYS: web.AppKey[KeyProvider] = web.AppKey("keys")
DB: web.AppKey[Database] = web.AppKey("db")
AUDIT: web.AppKey[AuditLog] = web.AppKey("audit")
ROUTES: web.AppKey[Routes] = web.AppKey("routes")
LIVE: web.AppKey[LiveMeetings] = web.AppKey("live")
RECORDINGS: web.AppKey[RecordingService] = web.AppKey("recordings")
METRICS: web.AppKey[Metrics] = web.AppKey("metrics")
#: rendered pages of presented documents (everyone loads the same page at once)
PAGES: web.AppKey[PageCache] = web.AppKey("pages")

# identity and access
CLOCK: web.AppKey[Clock] = web.AppKey("auth_clock")
SESSIONS: web.AppKey[Sessions] = web.AppKey("auth_sessions")
THROTTLE: web.AppKey[Throttle] = web.AppKey("auth_throttle")
#: handlers reachable without a session (``public=True`` in the route registry)
PUBLIC: web.AppKey[frozenset[Handler]] = web.AppKey("auth_public")
#: handlers that start a sign-in: Origin-checked and SameSite-protected instead of a CSRF token
CSRF_EXEMPT: web.AppKey[frozenset[Handler]] = web.AppKey("auth_csrf_exempt")
#: an argon2id hash verified for unknown usernames, so timing does not reveal who exists
DUMMY_HASH: web.AppKey[str] = web.AppKey("auth_dummy_hash")
