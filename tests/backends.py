"""Real databases and Redis for tests: SQLite always, PostgreSQL and Redis when their URLs are set.

In CI (``CI=true``) a missing URL or an unreachable service fails the run instead of skipping.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from server.storage.migrate import upgrade
from server.storage.models import Base

POSTGRES_ENV = "HOPCHIBO_TEST_POSTGRES_URL"
REDIS_ENV = "HOPCHIBO_TEST_REDIS_URL"


def in_ci() -> bool:
    return os.environ.get("CI") == "true"


def require_env(name: str) -> str:
    """The service URL from ``name``; skip outside CI when unset, fail in CI."""
    url = os.environ.get(name, "")
    if not url:
        if in_ci():
            pytest.fail(f"{name} must be set in CI (see .ci/run)")
        pytest.skip(f"{name} not set")
    return url


class SqliteTemplate:
    """A migrated SQLite file copied for each test (migrating once is the slow part)."""

    def __init__(self, root: Path) -> None:
        self.template = root / "template.db"
        self._ready = False

    async def fresh(self, target: Path) -> str:
        if not self._ready:
            await upgrade(f"sqlite+aiosqlite:///{self.template}")
            self._ready = True
        shutil.copyfile(self.template, target)
        return f"sqlite+aiosqlite:///{target}"


class PostgresDatabase:
    """A database of its own for this test session, migrated once, emptied before each test."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.name = f"hopchibo_test_{uuid.uuid4().hex[:10]}"
        base, _, _ = admin_url.rpartition("/")
        self.url = f"{base}/{self.name}"
        self._ready = False

    async def _admin(self, sql: str) -> None:
        engine = create_async_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                await conn.execute(text(sql))
        finally:
            await engine.dispose()

    async def fresh(self) -> str:
        if not self._ready:
            await self._admin(f'CREATE DATABASE "{self.name}"')
            await upgrade(self.url)
            self._ready = True
        else:
            engine = create_async_engine(self.url)
            try:
                async with engine.begin() as conn:
                    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
                    await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            finally:
                await engine.dispose()
        return self.url

    async def drop_async(self) -> None:
        if self._ready:
            await self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self._ready = False

    def drop(self) -> None:
        """For session-scoped, synchronous teardown (no loop is running there)."""
        asyncio.run(self.drop_async())
