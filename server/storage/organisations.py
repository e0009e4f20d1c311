"""Organisations: the tree grassroots committee → cell → party group."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from policy.model import OrgLevel
from server.storage.db import Session
from server.storage.models import Member, Organisation

#: allowed parent level for each level
PARENT_LEVEL: dict[OrgLevel, OrgLevel | None] = {
    OrgLevel.GRASSROOTS: None,
    OrgLevel.CELL: OrgLevel.GRASSROOTS,
    OrgLevel.GROUP: OrgLevel.CELL,
}


async def get(session: Session, org_id: int) -> Organisation | None:
    return await session.get(Organisation, org_id)


async def by_code(session: Session, code: str) -> Organisation | None:
    return (
        await session.execute(select(Organisation).where(Organisation.code == code))
    ).scalar_one_or_none()


async def list_all(session: Session, level: OrgLevel | None = None) -> Sequence[Organisation]:
    query = select(Organisation).order_by(Organisation.id)
    if level is not None:
        query = query.where(Organisation.level == level)
    return (await session.execute(query)).scalars().all()


async def children(session: Session, org_id: int) -> Sequence[Organisation]:
    query = select(Organisation).where(Organisation.parent_id == org_id).order_by(Organisation.id)
    return (await session.execute(query)).scalars().all()


async def add(session: Session, org: Organisation) -> Organisation:
    session.add(org)
    await session.flush()
    return org


async def member_count(session: Session, org_id: int) -> int:
    query = select(func.count()).select_from(Member).where(Member.org_id == org_id)
    return int((await session.execute(query)).scalar_one())
