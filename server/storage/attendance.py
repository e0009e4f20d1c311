"""A1 attendance intervals of a meeting (online joins and hall check-ins).

An online interval names its ``owner``, the process holding the member's connection, and
``last_seen``, when that process last saw the member connected (:mod:`server.leases`,
:mod:`server.meeting.live_attendance`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

from sqlalchemy import ColumnElement, case, literal, or_, select, update

from server.storage.db import Session
from server.storage.models import AttendanceInterval


async def open_interval(
    session: Session,
    meeting_id: int,
    member_id: int,
    way: str,
    at: dt.datetime,
    owner: str | None = None,
) -> int:
    """A new interval from ``at``; an online one held by ``owner``, seen at ``at``."""
    row = AttendanceInterval(
        meeting_id=meeting_id,
        member_id=member_id,
        way=way,
        joined_at=at,
        owner=owner,
        last_seen=at if owner is not None else None,
    )
    session.add(row)
    await session.flush()
    return row.id


def _end_at(at: dt.datetime) -> ColumnElement[dt.datetime]:
    """A1: ``at`` as an interval's end, or its start if ``at`` is earlier (a clock set back, two
    clocks a little apart): an interval never ends before it begins."""
    end = literal(at, AttendanceInterval.joined_at.type)
    return case((AttendanceInterval.joined_at > end, AttendanceInterval.joined_at), else_=end)


def _held_by(owner: str | None) -> ColumnElement[bool]:
    if owner is None:
        return AttendanceInterval.owner.is_(None)
    return AttendanceInterval.owner == owner


async def close_held(
    session: Session, interval_id: int, owner: str | None, at: dt.datetime
) -> bool:
    """End an open interval held by ``owner`` (``None``: by nobody) at ``at``; False if it was
    closed already (its end is kept) or is held by another (taken over)."""
    query = (
        update(AttendanceInterval)
        .where(
            AttendanceInterval.id == interval_id,
            AttendanceInterval.left_at.is_(None),
            _held_by(owner),
        )
        .values(left_at=_end_at(at))
        .returning(AttendanceInterval.id)
        .execution_options(synchronize_session=False)
    )
    return (await session.execute(query)).first() is not None


async def hand_over(session: Session, interval_id: int, owner: str, seen: dt.datetime) -> None:
    """``owner`` gives an open interval up (shutdown): held by nobody, its member seen at
    ``seen``."""
    query = (
        update(AttendanceInterval)
        .where(
            AttendanceInterval.id == interval_id,
            AttendanceInterval.left_at.is_(None),
            _held_by(owner),
        )
        .values(owner=None, last_seen=seen)
        .execution_options(synchronize_session=False)
    )
    await session.execute(query)


async def open_online(
    session: Session, meeting_id: int, member_ids: Collection[int] | None = None
) -> Sequence[AttendanceInterval]:
    """The open online intervals in the meeting (of these members only), oldest first."""
    query = select(AttendanceInterval).where(
        AttendanceInterval.meeting_id == meeting_id,
        AttendanceInterval.way == "online",
        AttendanceInterval.left_at.is_(None),
    )
    if member_ids is not None:
        query = query.where(AttendanceInterval.member_id.in_(list(member_ids)))
    return (await session.execute(query.order_by(AttendanceInterval.id))).scalars().all()


async def hold(
    session: Session, interval_ids: Collection[int], owner: str, at: dt.datetime
) -> set[int]:
    """``owner`` holds these intervals and saw their members at ``at``; those still open (the
    others were closed meanwhile: by a recovery, a take-over's close, or the meeting's close)."""
    if not interval_ids:
        return set()
    query = (
        update(AttendanceInterval)
        .where(AttendanceInterval.id.in_(list(interval_ids)), AttendanceInterval.left_at.is_(None))
        .values(owner=owner, last_seen=at)
        .returning(AttendanceInterval.id)
        .execution_options(synchronize_session=False)
    )
    return set((await session.execute(query)).scalars().all())


async def open_owners(session: Session) -> set[str | None]:
    """The owners of every open online interval (``None``: written before owners existed)."""
    query = (
        select(AttendanceInterval.owner)
        .where(AttendanceInterval.way == "online", AttendanceInterval.left_at.is_(None))
        .distinct()
    )
    return set((await session.execute(query)).scalars().all())


async def open_held_by(
    session: Session, owners: Collection[str | None]
) -> Sequence[AttendanceInterval]:
    """The open online intervals held by ``owners`` (``None`` among them: by nobody)."""
    named = [o for o in owners if o is not None]
    held = [AttendanceInterval.owner.in_(named)] if named else []
    if None in owners:
        held.append(AttendanceInterval.owner.is_(None))
    if not held:
        return []
    query = select(AttendanceInterval).where(
        AttendanceInterval.way == "online",
        AttendanceInterval.left_at.is_(None),
        or_(*held),
    )
    return (await session.execute(query.order_by(AttendanceInterval.id))).scalars().all()


async def close_open(session: Session, meeting_id: int, at: dt.datetime) -> dict[str, int]:
    """Close every open interval of the meeting (hall and online) at ``at``, when the meeting
    closes; how many were closed of each way. An interval closed meanwhile keeps its end."""
    query = (
        update(AttendanceInterval)
        .where(AttendanceInterval.meeting_id == meeting_id, AttendanceInterval.left_at.is_(None))
        .values(left_at=_end_at(at))
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
