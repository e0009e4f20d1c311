"""Who is acting: the signed-in account and its roles per organisation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from policy.model import Role

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class RoleGrant:
    org_id: int
    role: Role


@dataclass(frozen=True, slots=True)
class AccountContext:
    """A fully authenticated caller (password and second factor, a passkey, or an API token).

    ``grants`` are the account's role assignments; ``parents`` the organisation tree at sign-in
    time, so :func:`server.auth.authz.require` needs no I/O.
    """

    account_id: int
    username: str
    display_name: str
    member_id: int | None
    grants: tuple[RoleGrant, ...]
    parents: Mapping[int, int | None] = field(default_factory=dict)
    via: Literal["session", "token"] = "session"
    session_id: int | None = None
    step_up_at: dt.datetime | None = None

    @property
    def actor(self) -> str:
        return f"account:{self.account_id}"
