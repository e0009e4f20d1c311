"""A1 attendance intervals of a meeting (online joins and hall check-ins)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select, update

from server.storage.db import Session
from server.storage.models import AttendanceInterval


async def open_interval(
    session: Session, meeting_id: int, member_id: int, way: str, at: dt.datetime
) -> int:
    row = AttendanceInterval(meeting_id=meeting_id, member_id=member_id, way=way, joined_at=at)
    session.add(row)
    await session.flush()
    return row.id


async def close_interval(session: Session, interval_id: int, at: dt.datetime) -> None:
    row = await session.get(AttendanceInterval, interval_id)
    if row is not None and row.left_at is None:
        row.left_at = at
        await session.flush()


async def close_open(session: Session, meeting_id: int, at: dt.datetime) -> dict[str, int]:
    """Close every open interval of the meeting (hall and online) at ``at``, when the meeting
    closes; how many were closed of each way. An interval closed meanwhile keeps its end."""
    query = (
        update(AttendanceInterval)
        .where(AttendanceInterval.meeting_id == meeting_id, AttendanceInterval.left_at.is_(None))
        .values(left_at=at)
        .returning(AttendanceInterval.way)
        .execution_options(synchronize_session="fetch")
    )
    ways = (await session.execute(query)).scalars().all()
    return {way: ways.count(way) for way in ("room", "online")}


async def of_meeting(session: Session, meeting_id: int) -> Sequence[AttendanceInterval]:
    """Every interval of the meeting, in the order they were opened (the one attendance query)."""
    query = (
        select(AttendanceInterval)
        .where(AttendanceInterval.meeting_id == meeting_id)
        .order_by(AttendanceInterval.id)
    )
    return (await session.execute(query)).scalars().all()


async def open_room_interval(
    session: Session, meeting_id: int, member_id: int
) -> AttendanceInterval | None:
    query = select(AttendanceInterval).where(
        AttendanceInterval.meeting_id == meeting_id,
        AttendanceInterval.member_id == member_id,
        AttendanceInterval.way == "room",
        AttendanceInterval.left_at.is_(None),
    )
    return (await session.execute(query)).scalars().first()


async def add_interval(session: Session, row: AttendanceInterval) -> AttendanceInterval:
    session.add(row)
    await session.flush()
    return row
