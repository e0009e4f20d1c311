"""What the handlers of single-use, expiring links share (meeting invitations, R7, and
enrolment links; the links themselves are :mod:`server.auth.links`): the token and validity
fields of their bodies, the default validity and the link's address."""

from __future__ import annotations

from typing import Annotated

from aiohttp import web
from pydantic import Field

from server import appkeys

#: a link's token as sent back by its holder
Token = Annotated[str, Field(min_length=16, max_length=128)]

#: how long a new link is valid, in hours (at most two weeks; the setting when missing)
Hours = Annotated[int, Field(ge=1, le=24 * 14)]


def hours_or_default(request: web.Request, hours: int | None) -> int:
    """The validity asked for, else ``security.invitation_hours``."""
    return hours or request.app[appkeys.SETTINGS].security.invitation_hours


def link_url(request: web.Request, path: str, token: str) -> str:
    """The link to send: the public origin, the page and the token (shown once)."""
    origin = request.app[appkeys.SETTINGS].server.public_origin.rstrip("/")
    return f"{origin}{path}{token}"
