"""The audit table: append and read only. The application never updates or deletes a row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from server.storage.db import Session
from server.storage.models import AuditRecord


async def append(
    session: Session,
    ts: dt.datetime,
    actor: str,
    action: str,
    target: str,
    details: dict[str, Any],
) -> AuditRecord:
    row = AuditRecord(ts=ts, actor=actor, action=action, target=target, details=details)
    session.add(row)
    await session.flush()
    return row


async def search(
    session: Session,
    *,
    actor: str | None = None,
    action: str | None = None,
    target: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = 200,
) -> Sequence[AuditRecord]:
    query = select(AuditRecord).order_by(AuditRecord.seq.desc()).limit(limit)
    if actor is not None:
        query = query.where(AuditRecord.actor == actor)
    if action is not None:
        query = query.where(AuditRecord.action == action)
    if target is not None:
        query = query.where(AuditRecord.target == target)
    if since is not None:
        query = query.where(AuditRecord.ts >= since)
    if until is not None:
        query = query.where(AuditRecord.ts < until)
    return (await session.execute(query)).scalars().all()
