"""The registry, pilot and lifecycle tests act as an operator signed in with a real session.

The operator holds the administrator and secretary roles on every organisation (granted before
each request, as organisations appear during a test). What each role may not do is tested in
``tests/server/auth``; here the domain rules are.
"""

from __future__ import annotations

import types
from collections.abc import AsyncIterator
from typing import Any, Protocol

import pytest
from aiohttp import ClientSession, TraceConfig, TraceRequestStartParams, web

from policy.model import OrgLevel, Role
from server.app import create_app
from server.auth.context import Clock, system_clock
from server.auth.sessions import Sessions, cookie_name
from server.config import Settings
from server.storage import accounts as account_store
from server.storage import organisations as org_store
from server.storage.db import Database
from server.storage.models import Account, Organisation
from tests.conftest import Client


class ClientFactory(Protocol):
    """pytest-aiohttp's ``aiohttp_client``, with the ``ClientSession`` keyword arguments."""

    async def __call__(self, app: web.Application, **kwargs: Any) -> Client: ...


OPERATOR_ROOT = "TEST-OPERATOR-ROOT"


async def _grant_everywhere(db: Database, account_id: int) -> None:
    async with db.session() as s:
        have = {(r.org_id, r.role) for r in await account_store.roles(s, account_id)}
        for org in await org_store.list_all(s, None):
            for role in (Role.ADMIN, Role.SECRETARY):
                if (org.id, role) not in have:
                    await account_store.grant(s, account_id, org.id, role)


@pytest.fixture
def app_clock() -> Clock:
    """The app's clock: the machine's, unless a test parametrizes a fixed one (a test whose
    dates are fixed must not depend on today's: the date-shift check runs it a year off)."""
    return system_clock


@pytest.fixture
async def client(
    aiohttp_client: ClientFactory, settings: Settings, db_url: str, app_clock: Clock
) -> AsyncIterator[Client]:
    db = Database(db_url)
    async with db.session() as s:
        await org_store.add(
            s, Organisation(level=OrgLevel.GRASSROOTS, name="Vận hành (test)", code=OPERATOR_ROOT)
        )
        account = await account_store.add(
            s, Account(username="operator", display_name="Operator (test)")
        )
        started = await Sessions(db, settings.security, app_clock).start(
            s, account.id, "full", "127.0.0.1"
        )
    account_id = account.id

    async def grant(
        session: ClientSession, ctx: types.SimpleNamespace, params: TraceRequestStartParams
    ) -> None:
        await _grant_everywhere(db, account_id)

    trace = TraceConfig()
    trace.on_request_start.append(grant)
    test_client = await aiohttp_client(
        create_app(settings, clock=app_clock),
        cookies={cookie_name(settings.server): started.token},
        headers={"X-CSRF-Token": started.csrf},
        trace_configs=[trace],
    )
    yield test_client
    await db.close()
