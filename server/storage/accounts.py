"""Accounts and their roles per organisation."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from policy.model import Role
from server.storage.db import Session
from server.storage.models import Account, Member, RoleAssignment


async def get(session: Session, account_id: int) -> Account | None:
    return await session.get(Account, account_id)


async def by_username(session: Session, username: str) -> Account | None:
    query = select(Account).where(Account.username == username)
    return (await session.execute(query)).scalar_one_or_none()


async def add(session: Session, account: Account) -> Account:
    session.add(account)
    await session.flush()
    return account


async def grant(session: Session, account_id: int, org_id: int, role: Role) -> RoleAssignment:
    row = RoleAssignment(account_id=account_id, org_id=org_id, role=role)
    session.add(row)
    await session.flush()
    return row


async def roles(session: Session, account_id: int) -> Sequence[RoleAssignment]:
    query = select(RoleAssignment).where(RoleAssignment.account_id == account_id)
    return (await session.execute(query)).scalars().all()


async def names(session: Session) -> list[tuple[int, str, str, str | None]]:
    """Every account as (id, username, display name, its member's full name or None): the
    officer's search by username or name matches on these (case and accents folded by the
    caller, the same on every database)."""
    rows = await session.execute(
        select(Account.id, Account.username, Account.display_name, Member.full_name).outerjoin(
            Member, Member.id == Account.member_id
        )
    )
    return [(r[0], r[1], r[2], r[3]) for r in rows.all()]


async def of_members(session: Session, member_ids: Sequence[int]) -> Sequence[Account]:
    """The accounts of these members (with their roles)."""
    if not member_ids:
        return []
    query = select(Account).where(Account.member_id.in_(member_ids))
    return (await session.execute(query)).scalars().all()


async def by_member(session: Session, member_id: int) -> Account | None:
    query = select(Account).where(Account.member_id == member_id)
    return (await session.execute(query)).scalar_one_or_none()
