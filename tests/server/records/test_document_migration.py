"""Migration 0005 on a database that already holds a document in clear (SQLite and PostgreSQL):
the row becomes legacy and stays readable, the models match the schema (``alembic check``),
the conversion seals it once, and a downgrade that would expose ciphertext as a document is
refused."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.ext.asyncio import create_async_engine

from policy.model import MeetingKind, MeetingMode, OrgLevel
from server.audit import AuditLog
from server.conduct import documents
from server.crypto.keys import LocalKek, generate_kek
from server.storage import conduct as store
from server.storage.db import Database
from server.storage.migrate import alembic_config, check, upgrade
from server.storage.models import Meeting, Organisation
from tests.backends import POSTGRES_ENV, PostgresDatabase, require_env

TEXT = "Nghị quyết chi bộ tháng 11 — bản lưu trước khi mã hóa\n".encode() * 64


@pytest.fixture(params=["sqlite", "postgres"])
async def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A database of this test's own at head (migrations are run on it again below)."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'docs.db'}"
        await upgrade(url)
        yield url
        return
    pg = PostgresDatabase(require_env(POSTGRES_ENV))
    try:
        yield await pg.fresh()
    finally:
        await pg.drop_async()


async def downgrade(url: str, revision: str) -> None:
    await asyncio.to_thread(command.downgrade, alembic_config(url), revision)


async def sql(
    url: str, statement: str, params: dict[str, object] | None = None
) -> list[sa.Row[tuple[object, ...]]]:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            result = await conn.execute(sa.text(statement), params or {})
            return list(result.all()) if result.returns_rows else []
    finally:
        await engine.dispose()


async def test_a_document_in_clear_survives_0005_and_is_sealed_once(empty_url: str) -> None:
    url = empty_url
    db = Database(url)
    async with db.session() as s:
        cell = Organisation(level=OrgLevel.CELL, name="Chi bộ thử", code="CB-MIG")
        s.add(cell)
        await s.flush()
        meeting = Meeting(
            org_id=cell.id,
            kind=MeetingKind.REGULAR,
            mode=MeetingMode.HYBRID,
            title="Sinh hoạt chi bộ",
            scheduled_start=dt.datetime.now(dt.UTC),
        )
        s.add(meeting)
        await s.flush()
        meeting_id = meeting.id
    await db.close()

    await downgrade(url, "0004")
    # what the server stored before 0005, with the columns it had
    await sql(
        url,
        "INSERT INTO meeting_documents (meeting_id, filename, media_type, size, sha256, data, "
        "uploaded_by, uploaded_at) VALUES (:meeting, 'nghi-quyet.txt', 'text/plain', :size, "
        ":sha256, :data, 'bithu', CURRENT_TIMESTAMP)",
        {
            "meeting": meeting_id,
            "size": len(TEXT),
            "sha256": hashlib.sha256(TEXT).hexdigest(),
            "data": TEXT,
        },
    )
    await upgrade(url)
    await check(url)  # the models and the migrated schema agree
    ((version, key_id, nonce, data),) = await sql(
        url, "SELECT enc_version, key_id, nonce, data FROM meeting_documents"
    )
    assert (version, key_id, nonce, bytes(data)) == (documents.LEGACY, None, None, TEXT)

    kek = LocalKek(generate_kek())
    db = Database(url)
    try:
        async with db.session() as s:
            (doc_id,) = await store.legacy_document_ids(s)
            row = await store.document(s, doc_id)
            assert row is not None
            assert await documents.read(s, row, kek) == TEXT
        audit = AuditLog(db, kek)
        assert await documents.encrypt_legacy(db, audit, "test") == 1
        assert await documents.encrypt_legacy(db, audit, "test") == 0
        async with db.session() as s:
            row = await store.document(s, doc_id)
            assert row is not None
            assert row.enc_version == documents.SEALED and TEXT[:64] not in bytes(row.data)
            assert await documents.read(s, row, kek) == TEXT
    finally:
        await db.close()

    # the schema before 0005 would serve the ciphertext as the document: refused, nothing changed
    # (later revisions come off first; 0005 itself refuses and stays)
    await downgrade(url, "0005")
    with pytest.raises(RuntimeError, match="encrypted"):
        await downgrade(url, "0004")
    await upgrade(url)
    await check(url)
