"""Process leases in the database (used when no Redis is configured, :mod:`server.leases`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import delete, select, update

from server.storage.db import Session
from server.storage.models import ProcessLease


async def renew(session: Session, owner: str, expires_at: dt.datetime) -> None:
    """Hold ``owner``'s lease until ``expires_at`` (only the owner itself writes its row)."""
    query = update(ProcessLease).where(ProcessLease.owner == owner).values(expires_at=expires_at)
    if (await session.execute(query)).rowcount == 0:  # type: ignore[attr-defined]
        session.add(ProcessLease(owner=owner, expires_at=expires_at))
        await session.flush()


async def alive(session: Session, owners: Collection[str], at: dt.datetime) -> set[str]:
    """Those of ``owners`` whose lease runs past ``at``."""
    if not owners:
        return set()
    query = select(ProcessLease.owner).where(
        ProcessLease.owner.in_(list(owners)), ProcessLease.expires_at > at
    )
    return set((await session.execute(query)).scalars().all())


async def release(session: Session, owner: str) -> None:
    await session.execute(delete(ProcessLease).where(ProcessLease.owner == owner))


async def forget_expired(session: Session, before: dt.datetime) -> None:
    """Drop leases that ran out before ``before`` (their intervals are recovered by then)."""
    await session.execute(delete(ProcessLease).where(ProcessLease.expires_at < before))
