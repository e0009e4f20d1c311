"""Public holidays as data (R1/M4 pass over them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select

from server.storage.db import Session
from server.storage.models import PublicHoliday


async def between(session: Session, start: dt.date, end: dt.date) -> Sequence[PublicHoliday]:
    """Holidays from ``start`` to ``end`` inclusive, by date."""
    query = (
        select(PublicHoliday)
        .where(PublicHoliday.day >= start, PublicHoliday.day <= end)
        .order_by(PublicHoliday.day)
    )
    return (await session.execute(query)).scalars().all()


async def add_missing(session: Session, rows: Sequence[PublicHoliday]) -> list[PublicHoliday]:
    """Add the rows whose day is not stored yet; return those added."""
    if not rows:
        return []
    days = [row.day for row in rows]
    stored = set(
        (
            await session.execute(select(PublicHoliday.day).where(PublicHoliday.day.in_(days)))
        ).scalars()
    )
    added = [row for row in rows if row.day not in stored]
    session.add_all(added)
    await session.flush()
    return added


async def remove(session: Session, day: dt.date) -> bool:
    row = (
        await session.execute(select(PublicHoliday).where(PublicHoliday.day == day))
    ).scalar_one_or_none()
    if row is None:
        return False
    await session.delete(row)
    await session.flush()
    return True
