"""Acting as several signed-in people through one test client.

Each person signs in once through ``/api/auth/*`` (password, then TOTP) with the identity
helpers; their session cookie and CSRF token are kept and sent with their own requests.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientResponse
from sqlalchemy import select

from policy.model import Role
from server import appkeys
from server.auth.sessions import cookie_name
from server.config import Settings
from server.storage import accounts as account_store
from server.storage.db import Database
from server.storage.models import AttendanceInterval, Member, Organisation
from tests.conftest import Client
from tests.server.auth.support import FakeClock, make_account, sign_in


@dataclass(frozen=True)
class Person:
    name: str
    account_id: int
    member_id: int | None
    cookie: str
    csrf: str


class People:
    """Sign people in and send requests as them."""

    def __init__(self, client: Client, db: Database, settings: Settings, clock: FakeClock):
        self.client = client
        self.db = db
        self.settings = settings
        self.clock = clock

    async def add(
        self, username: str, role: Role, org_id: int, member_id: int | None = None
    ) -> Person:
        account = await make_account(
            self.db, self.settings, username, role, org_id, member_id=member_id
        )
        csrf = await sign_in(self.client, account, self.clock.now)
        jar = self.client.session.cookie_jar
        name = cookie_name(self.settings.server)
        cookie = next(c.value for c in jar if c.key == name)
        jar.clear()
        return Person(username, account.id, member_id, cookie, csrf)

    async def grant(self, who: Person, role: Role, org_id: int) -> None:
        """A further role for someone already signed in (roles are read on every request)."""
        async with self.db.session() as s:
            await account_store.grant(s, who.account_id, org_id, role)

    async def call(self, who: Person, method: str, path: str, **kwargs: Any) -> ClientResponse:
        self.client.session.cookie_jar.clear()
        headers = dict(kwargs.pop("headers", {}))
        headers["X-CSRF-Token"] = who.csrf
        headers["Cookie"] = f"{cookie_name(self.settings.server)}={who.cookie}"
        return await self.client.request(method, path, headers=headers, **kwargs)

    async def ok(self, who: Person, method: str, path: str, status: int = 200, **kw: Any) -> Any:
        resp = await self.call(who, method, path, **kw)
        assert resp.status == status, (resp.status, await resp.text())
        if resp.content_type == "application/json":
            return await resp.json()
        return await resp.read()

    async def refused(
        self, who: Person, method: str, path: str, status: int, **kw: Any
    ) -> dict[str, Any]:
        """A refusal: the status, and a message in Vietnamese and English."""
        resp = await self.call(who, method, path, **kw)
        body = await resp.json()
        assert resp.status == status, (resp.status, body)
        assert body["message"]["vi"] and body["message"]["en"], body
        assert isinstance(body, dict)
        return body


async def org_id(db: Database, code: str) -> int:
    async with db.session() as s:
        found = (await s.execute(select(Organisation.id).where(Organisation.code == code))).scalar()
    assert found is not None
    return int(found)


async def members_of(db: Database, org: int) -> list[Member]:
    async with db.session() as s:
        rows = await s.execute(select(Member).where(Member.org_id == org).order_by(Member.id))
        return list(rows.scalars().all())


async def join_online(
    client: Client, db: Database, meeting_id: int, member_ids: list[int], at: dt.datetime
) -> None:
    """What the live meeting writes when members are admitted online (A1, way 'online'): held
    by the app's process, whose lease runs."""
    assert client.app is not None
    owner = client.app[appkeys.LIVE].leases.owner
    async with db.session() as s:
        for member_id in member_ids:
            s.add(
                AttendanceInterval(
                    meeting_id=meeting_id,
                    member_id=member_id,
                    way="online",
                    joined_at=at,
                    owner=owner,
                    last_seen=at,
                )
            )
