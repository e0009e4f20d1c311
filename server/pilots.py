"""Pilot lifecycle service shared by the HTTP API and the CLI: registrations (828-CV),
approval decisions (E3), special circumstances (E1b) and the registration list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from policy.calendar import Duty
from policy.dates import check_approval_dates, check_circumstance_dates, require_dates
from policy.decision import Decision
from policy.decision import require as require_decision
from policy.eligibility import check_issuer
from policy.error_codes import ErrorCode
from policy.facts import OrgFacts
from policy.model import MeetingMode, OrgLevel
from server import rules
from server.audit import AuditLog
from server.auth.authz import Authorize, Permission
from server.errors import AppError, not_found
from server.organisations import org_or_404
from server.reports.registrations import RegistrationRow
from server.storage import organisations as org_store
from server.storage import pilots as pilot_store
from server.storage.db import Database, Session
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
    """Record an E3 decision; dates that contradict each other are refused (``DatesContradict``)."""
    require_dates(check_approval_dates(row.number, row.decided_on, row.valid_from, row.valid_to))
    org = await org_store.get(session, row.org_id)
    if org is None:
        raise PilotError(f"no organisation {row.org_id}")
    # E3 (03-HD/TW §III.1): at home the superior committee under the provincial committee,
    # abroad the MFA's party committee; anyone else is refused with the rule cited
    facts = OrgFacts(org_id=str(org.id), level=org.level, abroad=org.abroad)
    require_decision(check_issuer(facts, row.issuer_kind, row.issuer))
    await pilot_store.add(session, row)
    await audit.record(
        actor,
        "pilot.decision",
        f"org:{row.org_id}",
        {"scope": row.scope.value, "number": row.number, "issuer_kind": row.issuer_kind.value},
        session=session,
    )
    return row


async def declare(session: Session, audit: AuditLog, actor: str, row: Circumstance) -> Circumstance:
    require_dates(check_circumstance_dates(row.started_on, row.ended_on))
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
    require_dates(check_circumstance_dates(row.started_on, ended_on))
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


# -- the API's flows: one transaction each, the caller's permission checked after the 404 ------

Kind = Literal["registrations", "decisions", "circumstances"]


async def listed(
    db: Database, kind: Kind, org_id: int, authorize: Authorize
) -> Sequence[PilotRegistration | ApprovalDecision | Circumstance]:
    async with db.session() as session:
        await org_or_404(session, org_id)
        authorize(Permission.PILOT_READ, org_id)
        if kind == "registrations":
            return await pilot_store.registrations(session, org_id)
        if kind == "decisions":
            return await pilot_store.decisions(session, org_id)
        return await pilot_store.circumstances(session, org_id)


async def register_for(
    db: Database,
    audit: AuditLog,
    actor: str,
    org_id: int,
    fields: Mapping[str, Any],
    authorize: Authorize,
) -> PilotRegistration:
    async with db.session() as session:
        await org_or_404(session, org_id)
        authorize(Permission.PILOT_MANAGE, org_id)
        return await register(session, audit, actor, PilotRegistration(org_id=org_id, **fields))


async def decide_for(
    db: Database,
    audit: AuditLog,
    actor: str,
    org_id: int,
    fields: Mapping[str, Any],
    authorize: Authorize,
) -> ApprovalDecision:
    async with db.session() as session:
        await org_or_404(session, org_id)
        authorize(Permission.PILOT_MANAGE, org_id)
        registration_id = fields.get("registration_id")
        if registration_id is not None:
            reg = await pilot_store.registration(session, registration_id)
            if reg is None or reg.org_id != org_id:
                raise not_found("đăng ký / registration")
        return await decide(session, audit, actor, ApprovalDecision(org_id=org_id, **fields))


async def declare_for(
    db: Database,
    audit: AuditLog,
    actor: str,
    org_id: int,
    fields: Mapping[str, Any],
    authorize: Authorize,
) -> Circumstance:
    async with db.session() as session:
        await org_or_404(session, org_id)
        authorize(Permission.PILOT_MANAGE, org_id)
        return await declare(session, audit, actor, Circumstance(org_id=org_id, **fields))


async def end_by_id(
    db: Database,
    audit: AuditLog,
    actor: str,
    circumstance_id: int,
    ended_on: dt.date,
    authorize: Authorize,
) -> Circumstance:
    """:func:`end` on the circumstance ``circumstance_id``; 409 if it ended before, 422 citing
    E1b for an end before its start (``DatesContradict``)."""
    async with db.session() as session:
        row = await pilot_store.circumstance(session, circumstance_id)
        if row is None:
            raise not_found("hoàn cảnh đặc biệt / circumstance")
        authorize(Permission.PILOT_MANAGE, row.org_id)
        try:
            return await end(session, audit, actor, row, ended_on)
        except AlreadyEnded:
            raise AppError.of(ErrorCode.CONFLICT, detail="already ended") from None


async def eligibility(
    db: Database, org_id: int, mode: MeetingMode, on: dt.date, authorize: Authorize
) -> Decision:
    """May this organisation hold a meeting in ``mode`` on ``on``? (E1–E4, P1–P5)"""
    async with db.session() as session:
        org = await org_or_404(session, org_id)
        authorize(Permission.PILOT_READ, org_id)
        return await rules.check_meeting_mode(session, org, mode, on)


async def duties(db: Database, org_id: int, on: dt.date, authorize: Authorize) -> tuple[Duty, ...]:
    """What is due or overdue for a cell on ``on`` (R1, R3, M3, group reports)."""
    async with db.session() as session:
        org = await org_or_404(session, org_id)
        authorize(Permission.MEETING_READ, org_id)
        return await rules.duties(session, org, on)


async def export(
    db: Database, audit: AuditLog, actor: str, org_id: int, fmt: str, authorize: Authorize
) -> tuple[Organisation, list[RegistrationRow]]:
    """The 828-CV registration list of the organisation and those under it, for an export in
    ``fmt`` (audited as ``pilot.export``)."""
    async with db.session() as session:
        org = await org_or_404(session, org_id)
        authorize(Permission.PILOT_READ, org_id)
        rows = await registration_rows(session, org)
        await audit.record(actor, "pilot.export", f"org:{org_id}", {"format": fmt}, session=session)
    return org, rows
