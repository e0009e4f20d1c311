"""Recording metadata (the files themselves are encrypted, see server.records.recordings)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select, update

from server.storage.db import Session
from server.storage.models_records import RecordingRow


async def add(session: Session, row: RecordingRow) -> RecordingRow:
    session.add(row)
    await session.flush()
    return row


async def get(session: Session, recording_id: str) -> RecordingRow | None:
    return await session.get(RecordingRow, recording_id)


async def of_meeting(session: Session, meeting_id: int) -> Sequence[RecordingRow]:
    query = (
        select(RecordingRow)
        .where(RecordingRow.meeting_id == meeting_id)
        .order_by(RecordingRow.started_at)
    )
    return (await session.execute(query)).scalars().all()


async def active(session: Session, meeting_id: int) -> RecordingRow | None:
    query = select(RecordingRow).where(
        RecordingRow.meeting_id == meeting_id, RecordingRow.state == "recording"
    )
    return (await session.execute(query)).scalars().first()


async def recording_now(session: Session) -> Sequence[RecordingRow]:
    """Every recording whose state says it is being written."""
    query = select(RecordingRow).where(RecordingRow.state == "recording")
    return (await session.execute(query)).scalars().all()


async def fail_if_recording(session: Session, recording_id: str, at: dt.datetime) -> bool:
    """Mark a recording failed only if it is still "recording" (re-checked by the database, so a
    completion committed meanwhile by another process wins); whether it was."""
    result = await session.execute(
        update(RecordingRow)
        .where(RecordingRow.id == recording_id, RecordingRow.state == "recording")
        .values(state="failed", stopped_at=at)
        .execution_options(synchronize_session="fetch")
    )
    return int(getattr(result, "rowcount", 0)) == 1


async def expired(session: Session, before: dt.datetime) -> Sequence[RecordingRow]:
    """Recordings started before ``before`` whose key still exists."""
    query = select(RecordingRow).where(
        RecordingRow.started_at < before, RecordingRow.key_id.is_not(None)
    )
    return (await session.execute(query)).scalars().all()
