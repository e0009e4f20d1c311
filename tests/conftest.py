"""Shared fixtures: settings, real databases (SQLite and PostgreSQL) and the real app."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from server.app import create_app
from server.config import (
    BusSettings,
    DatabaseSettings,
    ServerSettings,
    Settings,
    load_settings,
)
from server.storage.db import Database
from tests.backends import POSTGRES_ENV, REDIS_ENV, PostgresDatabase, SqliteTemplate, require_env

AiohttpClient = Callable[[web.Application], Awaitable[TestClient[web.Request, web.Application]]]
Client = TestClient[web.Request, web.Application]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplate:
    return SqliteTemplate(tmp_path_factory.mktemp("sqlite"))


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresDatabase | None]:
    url = os.environ.get(POSTGRES_ENV, "")
    if not url:
        yield None
        return
    pg = PostgresDatabase(url)
    yield pg
    pg.drop()


@pytest.fixture(params=["sqlite", "postgres"])
async def db_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: SqliteTemplate,
    postgres: PostgresDatabase | None,
) -> str:
    """A migrated, empty database: every test using it runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return await sqlite_template.fresh(tmp_path / "test.db")
    require_env(POSTGRES_ENV)
    assert postgres is not None
    return await postgres.fresh()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where browser tests save their screenshots: ``docs/screenshots`` only when asked
    (``make screenshots`` sets ``HOPCHIBO_SCREENSHOT_DIR``), so a test run leaves the tree clean."""
    chosen = os.environ.get("HOPCHIBO_SCREENSHOT_DIR")
    path = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def redis_url() -> str:
    return require_env(REDIS_ENV)


def unique_key_prefix() -> str:
    return f"hopchibo-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return load_settings(
        {},
        server=ServerSettings(var_dir=tmp_path / "var", max_body_bytes=64 * 1024),
        database=DatabaseSettings(url=db_url),
        # a key prefix per test: throttle counts and bus channels never leak between tests
        bus=BusSettings(redis_url=os.environ.get(REDIS_ENV, ""), key_prefix=unique_key_prefix()),
    )


@pytest.fixture
async def client(aiohttp_client: AiohttpClient, settings: Settings) -> Client:
    return await aiohttp_client(create_app(settings))


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database(db_url)
    yield database
    await database.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Show which backends the run exercised, so CI proves PostgreSQL and Redis ran."""
    counts: dict[str, dict[str, int]] = {}
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            keywords = getattr(report, "keywords", {})
            backends = []
            if "postgres" in nodeid or "postgres" in keywords:
                backends.append("postgresql")
            elif "[sqlite" in nodeid or "sqlite]" in nodeid:
                backends.append("sqlite")
            if "redis" in keywords or "redis" in nodeid:
                backends.append("redis")
            for backend in backends:
                per = counts.setdefault(backend, {})
                per[outcome] = per.get(outcome, 0) + 1
    for backend in sorted(counts):
        line = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts[backend].items()))
        terminalreporter.write_line(f"backend {backend}: {line}")


def free_port() -> int:
    """A loopback TCP port free right now, for a server a test starts itself."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
