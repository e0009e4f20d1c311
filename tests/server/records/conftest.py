"""Fixtures for records security: an AuditLog over the real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from server.audit import AuditLog, AuditOptions
from server.crypto.keys import LocalKek, generate_kek
from server.storage.db import Database
from tests.server.auth.conftest import client, clock, settings, world  # noqa: F401 - officer API tests


@pytest.fixture
def kek() -> LocalKek:
    return LocalKek(generate_kek())


@pytest.fixture
def checkpoint_dir(tmp_path: Path) -> Path:
    return tmp_path / "checkpoints"


@pytest.fixture
def options(checkpoint_dir: Path) -> AuditOptions:
    return AuditOptions(checkpoint_every_rows=5, checkpoint_dir=checkpoint_dir)


@pytest.fixture
async def audit(db: Database, kek: LocalKek, options: AuditOptions) -> AsyncIterator[AuditLog]:
    yield AuditLog(db, kek, options=options)
