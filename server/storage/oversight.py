"""Queries of the superior committee's oversight: criteria sets and results (Q1–Q3),
assignments, visits, inspections and notebooks (S1–S3), calls, registration events and
incidents (V1–V3)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete, select

from policy.model import Role
from server.storage.db import Session
from server.storage.models import Account, PilotRegistration, RoleAssignment
from server.storage.models_oversight import (
    CriteriaSetRow,
    Inspection,
    NotebookEntry,
    PilotCall,
    PilotIncident,
    QualityResult,
    RegistrationEvent,
    SupervisionAssignment,
    SupervisionVisit,
)

Row = (
    CriteriaSetRow
    | QualityResult
    | SupervisionAssignment
    | SupervisionVisit
    | Inspection
    | NotebookEntry
    | PilotCall
    | RegistrationEvent
    | PilotIncident
)


async def add(session: Session, row: Row) -> None:
    session.add(row)
    await session.flush()


# -- Q1–Q3 --------------------------------------------------------------------------------------


async def latest_criteria(session: Session, org_id: int) -> CriteriaSetRow | None:
    query = (
        select(CriteriaSetRow)
        .where(CriteriaSetRow.org_id == org_id)
        .order_by(CriteriaSetRow.version.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalars().first()


async def criteria_versions(session: Session, org_id: int) -> Sequence[CriteriaSetRow]:
    query = (
        select(CriteriaSetRow)
        .where(CriteriaSetRow.org_id == org_id)
        .order_by(CriteriaSetRow.version)
    )
    return (await session.execute(query)).scalars().all()


async def result(session: Session, cell_id: int, period: str) -> QualityResult | None:
    query = select(QualityResult).where(
        QualityResult.cell_org_id == cell_id, QualityResult.period == period
    )
    return (await session.execute(query)).scalars().first()


async def results_of_committee(
    session: Session, committee_id: int, periods: Sequence[str] | None = None
) -> Sequence[QualityResult]:
    query = select(QualityResult).where(QualityResult.committee_org_id == committee_id)
    if periods is not None:
        query = query.where(QualityResult.period.in_(periods))
    query = query.order_by(QualityResult.cell_org_id, QualityResult.period)
    return (await session.execute(query)).scalars().all()


async def results_of_cell(
    session: Session, cell_id: int, *, published_only: bool
) -> Sequence[QualityResult]:
    query = select(QualityResult).where(QualityResult.cell_org_id == cell_id)
    if published_only:
        query = query.where(QualityResult.published_at.is_not(None))
    return (await session.execute(query.order_by(QualityResult.period))).scalars().all()


# -- S1 -----------------------------------------------------------------------------------------


async def assignment(session: Session, assignment_id: int) -> SupervisionAssignment | None:
    return await session.get(SupervisionAssignment, assignment_id)


async def assignments(
    session: Session, committee_id: int | None = None, cell_id: int | None = None
) -> Sequence[SupervisionAssignment]:
    query = select(SupervisionAssignment)
    if committee_id is not None:
        query = query.where(SupervisionAssignment.committee_org_id == committee_id)
    if cell_id is not None:
        query = query.where(SupervisionAssignment.cell_org_id == cell_id)
    return (await session.execute(query.order_by(SupervisionAssignment.id))).scalars().all()


async def has_role(session: Session, account_id: int, org_id: int, role: Role) -> bool:
    query = select(RoleAssignment.id).where(
        RoleAssignment.account_id == account_id,
        RoleAssignment.org_id == org_id,
        RoleAssignment.role == role,
    )
    return (await session.execute(query)).first() is not None


async def revoke_role(session: Session, account_id: int, org_id: int, role: Role) -> None:
    await session.execute(
        delete(RoleAssignment).where(
            RoleAssignment.account_id == account_id,
            RoleAssignment.org_id == org_id,
            RoleAssignment.role == role,
        )
    )


async def account_names(session: Session, account_ids: Sequence[int]) -> dict[int, str]:
    if not account_ids:
        return {}
    query = select(Account.id, Account.display_name).where(Account.id.in_(account_ids))
    return {int(r[0]): str(r[1]) for r in (await session.execute(query)).all()}


async def committee_accounts(
    session: Session, org_id: int, roles: Sequence[Role]
) -> list[tuple[int, str, Role]]:
    """The accounts holding one of ``roles`` on ``org_id``, with their display names."""
    query = (
        select(Account.id, Account.display_name, RoleAssignment.role)
        .join(RoleAssignment, RoleAssignment.account_id == Account.id)
        .where(RoleAssignment.org_id == org_id, RoleAssignment.role.in_(list(roles)))
        .order_by(Account.display_name, Account.id)
    )
    return [(int(r[0]), str(r[1]), Role(r[2])) for r in (await session.execute(query)).all()]


async def visit(session: Session, meeting_id: int, account_id: int) -> SupervisionVisit | None:
    query = select(SupervisionVisit).where(
        SupervisionVisit.meeting_id == meeting_id, SupervisionVisit.account_id == account_id
    )
    return (await session.execute(query)).scalars().first()


async def record_online_visit(session: Session, meeting_id: int, account_id: int) -> bool:
    """S1: an observer's online attendance, once per meeting (the first join's time)."""
    if await visit(session, meeting_id, account_id) is not None:
        return False
    row = SupervisionVisit(
        meeting_id=meeting_id,
        account_id=account_id,
        way="online",
        recorded_by=f"account:{account_id}",
        recorded_at=dt.datetime.now(dt.UTC),
    )
    await add(session, row)
    return True


async def visits(session: Session, meeting_ids: Sequence[int]) -> Sequence[SupervisionVisit]:
    if not meeting_ids:
        return ()
    query = select(SupervisionVisit).where(SupervisionVisit.meeting_id.in_(meeting_ids))
    return (await session.execute(query.order_by(SupervisionVisit.id))).scalars().all()


# -- S2 -----------------------------------------------------------------------------------------


async def inspection(session: Session, inspection_id: int) -> Inspection | None:
    return await session.get(Inspection, inspection_id)


async def inspections(session: Session, committee_id: int) -> Sequence[Inspection]:
    query = select(Inspection).where(Inspection.committee_org_id == committee_id)
    return (await session.execute(query.order_by(Inspection.id))).scalars().all()


async def notebook_entry(session: Session, meeting_id: int, member_id: int) -> NotebookEntry | None:
    query = select(NotebookEntry).where(
        NotebookEntry.meeting_id == meeting_id, NotebookEntry.member_id == member_id
    )
    return (await session.execute(query)).scalars().first()


async def notebook_key_id(session: Session, member_id: int) -> str | None:
    """The data key the member's notebook entries are sealed under (the newest entry's)."""
    query = (
        select(NotebookEntry.key_id)
        .where(NotebookEntry.member_id == member_id)
        .order_by(NotebookEntry.id.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalars().first()


async def handed_in(session: Session, inspection_id: int) -> Sequence[NotebookEntry]:
    query = select(NotebookEntry).where(NotebookEntry.handed_in_inspection_id == inspection_id)
    return (await session.execute(query.order_by(NotebookEntry.id))).scalars().all()


# -- V1–V3 --------------------------------------------------------------------------------------


async def call(session: Session, call_id: int) -> PilotCall | None:
    return await session.get(PilotCall, call_id)


async def calls(session: Session, org_id: int) -> Sequence[PilotCall]:
    query = select(PilotCall).where(PilotCall.org_id == org_id).order_by(PilotCall.id)
    return (await session.execute(query)).scalars().all()


async def registration(session: Session, registration_id: int) -> PilotRegistration | None:
    return await session.get(PilotRegistration, registration_id)


async def events(session: Session, registration_id: int) -> Sequence[RegistrationEvent]:
    query = (
        select(RegistrationEvent)
        .where(RegistrationEvent.registration_id == registration_id)
        .order_by(RegistrationEvent.id)
    )
    return (await session.execute(query)).scalars().all()


async def incidents(
    session: Session, org_ids: Sequence[int], start: dt.date, end: dt.date
) -> Sequence[PilotIncident]:
    if not org_ids:
        return ()
    query = select(PilotIncident).where(
        PilotIncident.org_id.in_(org_ids),
        PilotIncident.occurred_on >= start,
        PilotIncident.occurred_on <= end,
    )
    return (await session.execute(query.order_by(PilotIncident.id))).scalars().all()
