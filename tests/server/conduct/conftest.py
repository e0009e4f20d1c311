"""Fixtures for meeting conduct: the real app on an injected clock, the demo organisation, and
people signed in through the real API with the roles they hold."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from server.app import create_app
from server.config import Settings
from server.demo import load_demo
from server.storage.db import Database
from tests.conftest import AiohttpClient, Client
from tests.server.auth.conftest import make_settings
from tests.server.auth.support import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    """A fixed instant (15:00 Vietnam time on a Monday): meetings an hour later fall on the same
    day whatever today's date and hour are (M3 lateness, duties and caps do not drift)."""
    return FakeClock()


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return make_settings(tmp_path, db_url)


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database(db_url)
    await load_demo(database)
    yield database
    await database.close()


@pytest.fixture
async def client(
    aiohttp_client: AiohttpClient, settings: Settings, clock: FakeClock, db: Database
) -> Client:
    return await aiohttp_client(create_app(settings, clock=clock))
