"""Repository of meeting chat messages (sealed rows; :mod:`server.conduct.chat` seals them)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from server.crypto.keys import KeyPurpose
from server.storage.db import Session
from server.storage.models_conduct import ChatRow
from server.storage.models_records import WrappedKeyRow


async def add(session: Session, row: ChatRow) -> ChatRow:
    session.add(row)
    await session.flush()
    return row


async def of_meeting(session: Session, meeting_id: int, limit: int) -> Sequence[ChatRow]:
    """The meeting's last ``limit`` messages, oldest first."""
    query = (
        select(ChatRow)
        .where(ChatRow.meeting_id == meeting_id)
        .order_by(ChatRow.id.desc())
        .limit(limit)
    )
    return list(reversed((await session.execute(query)).scalars().all()))


async def count(session: Session, meeting_id: int) -> int:
    query = select(func.count(ChatRow.id)).where(ChatRow.meeting_id == meeting_id)
    return int((await session.execute(query)).scalar_one())


async def key_id(session: Session, meeting_id: int) -> str | None:
    """The chat data key of the meeting's latest message whose key still exists (R7)."""
    query = (
        select(ChatRow.key_id)
        .join(WrappedKeyRow, WrappedKeyRow.key_id == ChatRow.key_id)
        .where(ChatRow.meeting_id == meeting_id, WrappedKeyRow.purpose == KeyPurpose.CHAT.value)
        .order_by(ChatRow.id.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar()
