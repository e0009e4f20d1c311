"""The chair's admission decisions in a meeting's room (who was let in, who is kept out)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select

from server.storage.db import Session
from server.storage.models import RoomAdmission


async def remember(
    session: Session, meeting_id: int, user_id: str, admitted: bool, at: dt.datetime
) -> None:
    """The last decision on ``user_id`` wins."""
    query = select(RoomAdmission).where(
        RoomAdmission.meeting_id == meeting_id, RoomAdmission.user_id == user_id
    )
    row = (await session.execute(query)).scalars().first()
    if row is None:
        session.add(RoomAdmission(meeting_id=meeting_id, user_id=user_id, admitted=admitted, at=at))
    else:
        row.admitted, row.at = admitted, at
    await session.flush()


async def remember_many(
    session: Session, meeting_id: int, user_ids: Sequence[str], admitted: bool, at: dt.datetime
) -> None:
    """The same decision on each of ``user_ids`` (one read, one flush)."""
    if not user_ids:
        return
    query = select(RoomAdmission).where(
        RoomAdmission.meeting_id == meeting_id, RoomAdmission.user_id.in_(user_ids)
    )
    rows = {row.user_id: row for row in (await session.execute(query)).scalars()}
    for user_id in dict.fromkeys(user_ids):
        row = rows.get(user_id)
        if row is None:
            session.add(
                RoomAdmission(meeting_id=meeting_id, user_id=user_id, admitted=admitted, at=at)
            )
        else:
            row.admitted, row.at = admitted, at
    await session.flush()


async def of_meeting(session: Session, meeting_id: int) -> dict[str, bool]:
    """user id → admitted (True) or kept out (False)."""
    query = select(RoomAdmission.user_id, RoomAdmission.admitted).where(
        RoomAdmission.meeting_id == meeting_id
    )
    return {user_id: admitted for user_id, admitted in (await session.execute(query)).all()}
