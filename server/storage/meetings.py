"""Meetings and their agenda items."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from server.storage.db import Session
from server.storage.models import AgendaItem, Meeting


async def get(session: Session, meeting_id: int) -> Meeting | None:
    return await session.get(Meeting, meeting_id)


async def of_org(session: Session, org_id: int) -> Sequence[Meeting]:
    query = select(Meeting).where(Meeting.org_id == org_id).order_by(Meeting.scheduled_start)
    return (await session.execute(query)).scalars().all()


async def add(session: Session, meeting: Meeting) -> Meeting:
    session.add(meeting)
    await session.flush()
    return meeting


async def agenda(session: Session, meeting_id: int) -> Sequence[AgendaItem]:
    query = (
        select(AgendaItem).where(AgendaItem.meeting_id == meeting_id).order_by(AgendaItem.position)
    )
    return (await session.execute(query)).scalars().all()


async def item(session: Session, item_id: int) -> AgendaItem | None:
    return await session.get(AgendaItem, item_id)


async def add_item(session: Session, item: AgendaItem) -> AgendaItem:
    """Append ``item`` at the end of its meeting's agenda."""
    query = select(func.coalesce(func.max(AgendaItem.position), 0)).where(
        AgendaItem.meeting_id == item.meeting_id
    )
    item.position = int((await session.execute(query)).scalar_one()) + 1
    session.add(item)
    await session.flush()
    return item
