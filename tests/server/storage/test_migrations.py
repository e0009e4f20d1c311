"""Migrations bring an empty database to head, and the models have not drifted from them."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from server.storage.migrate import check, upgrade
from server.storage.models import Base
from tests.backends import POSTGRES_ENV, PostgresDatabase, require_env


async def _tables(url: str) -> set[str]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda c: inspect(c).get_table_names())
    finally:
        await engine.dispose()
    return set(names)


async def test_sqlite_empty_to_head_without_drift(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    await upgrade(url)
    await check(url)
    assert {t.name for t in Base.metadata.sorted_tables} <= await _tables(url)


@pytest.mark.postgres
async def test_postgres_empty_to_head_without_drift() -> None:
    pg = PostgresDatabase(require_env(POSTGRES_ENV))
    try:
        await pg.fresh()
        await check(pg.url)
        assert {t.name for t in Base.metadata.sorted_tables} <= await _tables(pg.url)
    finally:
        await pg.drop_async()
