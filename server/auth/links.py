"""Single-use, expiring links (meeting invitations, R7, and enrolment links): the parts both
kinds share.

A link's token is made here and shown once (in the link); only its SHA-256 is stored. A link is
usable while it is unused and unexpired; whoever consumes it marks it used in the same
transaction (the storage layer's ``use_*`` functions answer ``False`` when another request was
first), so that a link opens once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, Protocol

from server.auth.tokens import digest, new_token

#: why a link was refused ("" while it is usable); audited as ``reason``
Unusable = Literal["", "unknown", "used", "expired"]


@dataclass(frozen=True, slots=True)
class Fresh:
    """A new link: its token (shown once, never stored) and the columns of its stored row."""

    token: str
    token_hash: str
    created_at: dt.datetime
    expires_at: dt.datetime

    def columns(self, created_by: int) -> dict[str, object]:
        """The columns a stored link row of either kind takes from a new link."""
        return {
            "token_hash": self.token_hash,
            "created_by": created_by,
            "created_at": self.created_at,
            "expires_at": self.expires_at,
        }


def fresh(now: dt.datetime, hours: int) -> Fresh:
    """A new link, valid ``hours`` from ``now``."""
    token = new_token()
    return Fresh(token, digest(token), now, now + dt.timedelta(hours=hours))


def stored_hash(token: str) -> str:
    """The form a link's token is stored (and looked up) in."""
    return digest(token)


class StoredLink(Protocol):
    @property
    def used_at(self) -> dt.datetime | None: ...

    @property
    def expires_at(self) -> dt.datetime: ...


def unusable(link: StoredLink | None, now: dt.datetime) -> Unusable:
    """Why a stored link may not be used now, or ``""`` when it may."""
    if link is None:
        return "unknown"
    if link.used_at is not None:
        return "used"
    if link.expires_at <= now:
        return "expired"
    return ""
