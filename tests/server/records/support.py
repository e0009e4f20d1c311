"""The attacker's tools: raw SQL through a separate engine, with the append-only triggers
dropped (SQLite) or disabled (PostgreSQL) for the duration, as someone with file or owner
access would do. The application's own engine never does this."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

_SQLITE_TRIGGERS = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END",
)

COLUMNS = ("seq", "ts", "key_id", "nonce", "ciphertext", "prev_hash", "entry_hash", "mac")


async def tamper(url: str, statements: Sequence[tuple[str, Mapping[str, Any]]]) -> None:
    engine = create_async_engine(url)
    pg = engine.dialect.name == "postgresql"
    try:
        async with engine.begin() as conn:
            if pg:
                await conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
            else:
                await conn.execute(text("DROP TRIGGER audit_log_no_update"))
                await conn.execute(text("DROP TRIGGER audit_log_no_delete"))
            for sql, params in statements:
                await conn.execute(text(sql), dict(params))
            if pg:
                await conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))
            else:
                for sql in _SQLITE_TRIGGERS:
                    await conn.execute(text(sql))
    finally:
        await engine.dispose()


async def read_rows(url: str) -> list[dict[str, Any]]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            result = await conn.execute(
                text(f"SELECT {', '.join(COLUMNS)} FROM audit_log ORDER BY seq")  # noqa: S608 - fixed column names
            )
            return [dict(r._mapping) for r in result]
    finally:
        await engine.dispose()


def flip(value: bytes) -> bytes:
    return bytes([value[0] ^ 0x01]) + bytes(value[1:])
