"""Application state of identity and access (``web.AppKey``s; nothing in module globals)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from server.auth.context import Clock
from server.auth.sessions import Sessions
from server.auth.throttle import Throttle

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

CLOCK: web.AppKey[Clock] = web.AppKey("auth_clock")
SESSIONS = web.AppKey("auth_sessions", Sessions)
THROTTLE = web.AppKey("auth_throttle", Throttle)
#: handlers reachable without a session (``public=True`` in the route registry)
PUBLIC = web.AppKey("auth_public", frozenset[Handler])
#: handlers that start a sign-in: Origin-checked and SameSite-protected instead of a CSRF token
CSRF_EXEMPT = web.AppKey("auth_csrf_exempt", frozenset[Handler])
#: an argon2id hash verified for unknown usernames, so timing does not reveal who exists
DUMMY_HASH = web.AppKey("auth_dummy_hash", str)
