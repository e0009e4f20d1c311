"""Members of cells, with the flags that the denominators of E1 and A2 depend on."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from server.storage.db import Session
from server.storage.models import Member, MemberChange


async def get(session: Session, member_id: int) -> Member | None:
    return await session.get(Member, member_id)


async def of_org(session: Session, org_id: int) -> Sequence[Member]:
    query = select(Member).where(Member.org_id == org_id).order_by(Member.id)
    return (await session.execute(query)).scalars().all()


async def of_group(session: Session, group_id: int) -> Sequence[Member]:
    query = select(Member).where(Member.group_id == group_id).order_by(Member.id)
    return (await session.execute(query)).scalars().all()


async def add(session: Session, member: Member) -> Member:
    session.add(member)
    await session.flush()
    return member


async def add_change(session: Session, change: MemberChange) -> MemberChange:
    session.add(change)
    await session.flush()
    return change


async def changes_of_org(session: Session, org_id: int, limit: int = 500) -> Sequence[MemberChange]:
    """The roster's history, newest first."""
    query = (
        select(MemberChange)
        .where(MemberChange.org_id == org_id)
        .order_by(MemberChange.changed_at.desc(), MemberChange.id.desc())
        .limit(limit)
    )
    return (await session.execute(query)).scalars().all()
