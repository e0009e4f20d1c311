"""Shared by the conduct handlers: the :class:`~server.conduct.service.Call` a conduct flow
takes, built from the app (database, audit log, clock, reconnect grace, the processes' leases) and
the caller."""

from __future__ import annotations

import datetime as dt

from aiohttp import web

from server import appkeys
from server.auth.middleware import context_of
from server.conduct.service import Call


def call(request: web.Request) -> Call:
    """The caller, the app clock's now (tests inject it through ``create_app(clock=...)``) and
    the reconnect grace: a reconnect within it does not break attendance (A1); the leases say
    whose online intervals still run."""
    app = request.app
    grace = dt.timedelta(seconds=app[appkeys.SETTINGS].media.reconnect_grace_seconds)
    return Call(
        app[appkeys.DB],
        app[appkeys.AUDIT],
        context_of(request),
        app[appkeys.CLOCK](),
        grace,
        app[appkeys.LIVE].leases.alive,
    )
