"""Pilot lifecycle service shared by the HTTP API and the CLI: registrations (828-CV),
approval decisions (E3), special circumstances (E1b) and the registration list."""

from __future__ import annotations

import datetime as dt

from policy.model import OrgLevel
from server.audit import AuditLog
from server.reports.registrations import RegistrationRow
from server.storage import organisations as org_store
from server.storage import pilots as pilot_store
from server.storage.db import Session
from server.storage.models import (
    ApprovalDecision,
    Circumstance,
    Organisation,
    PilotRegistration,
)


class PilotError(ValueError):
    """A request that contradicts stored facts."""


class AlreadyEnded(PilotError):
    """The circumstance was ended before."""


class DateOrder(PilotError):
    """An end date before the start date."""


async def register(
    session: Session, audit: AuditLog, actor: str, row: PilotRegistration
) -> PilotRegistration:
    await pilot_store.add(session, row)
    await audit.record(
        actor, "pilot.register", f"org:{row.org_id}", {"scope": row.scope.value}, session=session
    )
    return row


async def decide(
    session: Session, audit: AuditLog, actor: str, row: ApprovalDecision
) -> ApprovalDecision:
    await pilot_store.add(session, row)
    await audit.record(
        actor,
        "pilot.decision",
        f"org:{row.org_id}",
        {"scope": row.scope.value, "number": row.number},
        session=session,
    )
    return row


async def declare(session: Session, audit: AuditLog, actor: str, row: Circumstance) -> Circumstance:
    await pilot_store.add(session, row)
    await audit.record(
        actor,
        "circumstance.declare",
        f"org:{row.org_id}",
        {"kind": row.kind.value},
        session=session,
    )
    return row


async def end(
    session: Session, audit: AuditLog, actor: str, row: Circumstance, ended_on: dt.date
) -> Circumstance:
    """End an E1b circumstance; from then P4 requires the next meeting in person."""
    if row.ended_on is not None:
        raise AlreadyEnded("already ended")
    if ended_on < row.started_on:
        raise DateOrder("ended_on is before started_on")
    row.ended_on = ended_on
    await session.flush()
    await audit.record(
        actor, "circumstance.end", f"org:{row.org_id}", {"id": row.id}, session=session
    )
    return row


async def registration_rows(session: Session, root: Organisation) -> list[RegistrationRow]:
    """Registrations of ``root`` and every organisation under it, for the 828-CV list."""
    orgs = [root]
    frontier = [root]
    while frontier:
        children = await org_store.children(session, frontier.pop().id)
        orgs += children
        frontier += children
    rows = []
    for org in orgs:
        groups = [
            c.name for c in await org_store.children(session, org.id) if c.level is OrgLevel.GROUP
        ]
        for reg in await pilot_store.registrations(session, org.id):
            split = ", ".join(groups) if groups else f"{reg.cells_count} chi bộ"
            readiness = reg.it_readiness or ("Đáp ứng" if org.it_ready else "Chưa đáp ứng")
            rows.append(
                RegistrationRow(
                    scope=reg.scope,
                    org_name=org.name,
                    member_count=reg.member_count,
                    locations=reg.locations,
                    cells_or_groups=split,
                    it_readiness=readiness,
                )
            )
    return rows
