"""Shared by the conduct handlers: the clock, the reconnect grace, and loading a meeting with
the one authorization check each handler makes (deny by default, R7)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp import web

from server import appkeys
from server.auth.authz import Permission, allowed, require
from server.auth.context import AccountContext
from server.auth.middleware import context_of
from server.conduct.common import Scope, load_scope
from server.storage.db import Session


def now(request: web.Request) -> dt.datetime:
    """The application's clock (tests inject it through ``create_app(clock=...)``)."""
    return request.app[appkeys.CLOCK]()


def grace(request: web.Request) -> dt.timedelta:
    """A1: a reconnect within this long does not break attendance."""
    return dt.timedelta(seconds=request.app[appkeys.SETTINGS].media.reconnect_grace_seconds)


async def authorized(
    session: Session, request: web.Request, meeting_id: int, permission: Permission
) -> tuple[Scope, AccountContext]:
    """The meeting, after checking ``permission`` on the organisation that holds it: the cell,
    or the party group for a group's meeting (where the group leader chairs)."""
    scope = await load_scope(session, meeting_id)
    context = context_of(request)
    require(context, permission, scope.org.id)
    return scope, context


def may(context: AccountContext, permission: Permission, scope: Scope) -> bool:
    return allowed(context, permission, scope.org.id)


async def audit(
    request: web.Request,
    session: Session,
    context: AccountContext,
    action: str,
    target: str,
    details: dict[str, Any],
) -> None:
    """Every conduct decision goes to the audit log in the same transaction (never content),
    with the meeting's id, so that the officer's search by meeting finds item, vote and document
    records too."""
    meeting = request.match_info.get("meeting_id")
    if meeting is not None and "meeting" not in details:
        details = {"meeting": int(meeting), **details}
    await request.app[appkeys.AUDIT].record(context.actor, action, target, details, session=session)
