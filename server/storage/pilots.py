"""Pilot registrations (828-CV), approval decisions (E3) and special circumstances (E1b)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from server.storage.db import Session
from server.storage.models import ApprovalDecision, Circumstance, PilotRegistration


async def registrations(session: Session, org_id: int | None = None) -> Sequence[PilotRegistration]:
    query = select(PilotRegistration).order_by(PilotRegistration.id)
    if org_id is not None:
        query = query.where(PilotRegistration.org_id == org_id)
    return (await session.execute(query)).scalars().all()


async def registration(session: Session, registration_id: int) -> PilotRegistration | None:
    return await session.get(PilotRegistration, registration_id)


async def decisions(session: Session, org_id: int) -> Sequence[ApprovalDecision]:
    query = (
        select(ApprovalDecision)
        .where(ApprovalDecision.org_id == org_id)
        .order_by(ApprovalDecision.id)
    )
    return (await session.execute(query)).scalars().all()


async def circumstances(session: Session, org_id: int) -> Sequence[Circumstance]:
    query = select(Circumstance).where(Circumstance.org_id == org_id).order_by(Circumstance.id)
    return (await session.execute(query)).scalars().all()


async def circumstance(session: Session, circumstance_id: int) -> Circumstance | None:
    return await session.get(Circumstance, circumstance_id)


async def add(session: Session, row: PilotRegistration | ApprovalDecision | Circumstance) -> None:
    session.add(row)
    await session.flush()
