"""The pilot as a programme (V1–V3) over the registrations of :mod:`server.pilots`.

V1: a superior committee opens a call with a deadline; a registration answering it is sent no
later than the deadline. V2: the organisation board (``PILOT_VET`` on the unit's superior
committee) vets, returns with a reason, or puts it to the standing committee once E1/E2 and P1
hold; the unit corrects a returned registration; the standing committee (``PILOT_DECIDE``)
approves — recording the E3 decision through :func:`server.pilots.decide` — or refuses with a
reason. Every step is an event with who and why, and an audit record. V3: the board's monitoring
figures per unit for a period (online and group meetings, attendance, items deferred to in-person
meetings, incidents — recorded through :mod:`server.oversight.incidents`) feed the interim and
final reviews.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from policy.caps import ONLINE_MODES
from policy.decision import require
from policy.error_codes import ErrorCode
from policy.i18n import tr
from policy.model import IssuerKind, ItemStatus, MeetingMode, OrgLevel
from policy.programme import (
    ACTOR,
    RegistrationAction,
    RegistrationState,
    UnitFigures,
    check_deadline,
    check_transition,
    check_vetting,
    next_state,
)
from policy.quorum import counted_full_members
from policy.rulesets import regime_for
from server import pilots, rules
from server.audit import AuditLog
from server.auth.authz import Authorize, Permission
from server.errors import AppError, not_found
from server.organisations import org_or_404
from server.oversight.evidence import HELD
from server.storage import attendance as attendance_store
from server.storage import conduct as conduct_store
from server.storage import meetings as meeting_store
from server.storage import members as member_store
from server.storage import organisations as org_store
from server.storage import oversight as store
from server.storage import pilots as pilot_store
from server.storage.db import Database, Session
from server.storage.models import ApprovalDecision, Organisation, PilotRegistration
from server.storage.models_oversight import PilotCall, RegistrationEvent

P = Permission
A = RegistrationAction
_EDITABLE = (
    "member_count",
    "locations",
    "cells_count",
    "groups_count",
    "it_readiness",
    "reason",
    "contact",
)


async def open_call(
    db: Database,
    audit: AuditLog,
    actor: str,
    org_id: int,
    fields: Mapping[str, Any],
    authorize: Authorize,
) -> PilotCall:
    """V1: the superior committee's call for registrations, with its deadline."""
    async with db.session() as session:
        await org_or_404(session, org_id)
        authorize(P.PILOT_VET, org_id)
        if fields["deadline"] < fields["issued_on"]:
            raise AppError.of(ErrorCode.VALIDATION, detail="deadline before issued_on")
        row = PilotCall(org_id=org_id, created_by=actor, **fields)
        await store.add(session, row)
        await audit.record(
            actor,
            "pilot.call",
            f"org:{org_id}",
            {"number": row.number, "deadline": row.deadline.isoformat()},
            session=session,
        )
        return row


async def close_call(
    db: Database,
    audit: AuditLog,
    actor: str,
    call_id: int,
    now: dt.datetime,
    authorize: Authorize,
) -> PilotCall:
    """V1: the organisation board closes a call before its deadline; it is no longer offered
    to the units and a registration sent to it is refused citing V1. Audited
    ``pilot.call.close``."""
    async with db.session() as session:
        row = await store.call(session, call_id)
        if row is None:
            raise not_found("đợt đăng ký / call")
        authorize(P.PILOT_VET, row.org_id)
        if row.closed_at is not None:
            raise AppError(
                409, ErrorCode.CONFLICT, tr("oversight.v1.already_closed"), rules=("V1",)
            )
        row.closed_at, row.closed_by = now, actor
        await audit.record(
            actor,
            "pilot.call.close",
            f"org:{row.org_id}",
            {"call": row.id, "number": row.number},
            session=session,
        )
        return row


def _closed_on(call: PilotCall) -> dt.date | None:
    return rules.local_date(call.closed_at) if call.closed_at is not None else None


async def calls(db: Database, org_id: int, authorize: Authorize) -> list[PilotCall]:
    async with db.session() as session:
        await org_or_404(session, org_id)
        authorize(P.PILOT_READ, org_id)
        return list(await store.calls(session, org_id))


async def open_calls(
    db: Database, org_id: int, today: dt.date, authorize: Authorize
) -> list[dict[str, Any]]:
    """V1: the calls a unit may answer — those of the organisations above it whose deadline
    (a date in Vietnam time, ``today`` from the app clock) has not passed — soonest first."""
    async with db.session() as session:
        await org_or_404(session, org_id)
        authorize(P.PILOT_MANAGE, org_id)
        out = []
        for ancestor in sorted(await _ancestors(session, org_id)):
            above = await org_or_404(session, ancestor)
            for c in await store.calls(session, ancestor):
                if c.closed_at is None and c.issued_on <= today <= c.deadline:
                    out.append(
                        {
                            "id": c.id,
                            "org_id": c.org_id,
                            "org": above.name,
                            "number": c.number,
                            "issued_on": c.issued_on,
                            "deadline": c.deadline,
                            "days_left": (c.deadline - today).days,
                        }
                    )
        out.sort(key=lambda c: (c["deadline"], c["id"]))
        return out


async def answered_calls(db: Database, org_id: int, authorize: Authorize) -> list[dict[str, Any]]:
    """V1: the calls a unit's registrations answered — open, past or closed — each with the
    organisation that issued it, so the unit's page shows what each registration answered."""
    async with db.session() as session:
        await org_or_404(session, org_id)
        authorize(P.PILOT_READ, org_id)
        ids = {r.call_id for r in await pilot_store.registrations(session, org_id)}
        out = []
        for call_id in sorted(i for i in ids if i is not None):
            c = await store.call(session, call_id)
            if c is None:
                continue
            above = await org_or_404(session, c.org_id)
            out.append(
                {
                    "id": c.id,
                    "org_id": c.org_id,
                    "org": above.name,
                    "number": c.number,
                    "issued_on": c.issued_on,
                    "deadline": c.deadline,
                    "closed_at": c.closed_at,
                }
            )
        return out


async def _superior(session: Session, reg: PilotRegistration) -> Organisation:
    org = await org_or_404(session, reg.org_id)
    return await org_or_404(session, org.parent_id) if org.parent_id is not None else org


async def _ancestors(session: Session, org_id: int) -> set[int]:
    """The organisations above ``org_id`` (a call comes from one of them)."""
    out: set[int] = set()
    org = await org_store.get(session, org_id)
    while org is not None and org.parent_id is not None and org.parent_id not in out:
        out.add(org.parent_id)
        org = await org_store.get(session, org.parent_id)
    return out


async def _event(
    session: Session,
    audit: AuditLog,
    actor: str,
    reg: PilotRegistration,
    action: A,
    reason: str,
    now: dt.datetime,
    check: dict[str, Any] | None = None,
) -> RegistrationEvent:
    """V2: move ``reg`` by ``action`` (refused citing V2 when the state does not allow it)."""
    state = RegistrationState(reg.state)
    require(check_transition(state, action, reason))
    to = next_state(state, action)
    event = RegistrationEvent(
        registration_id=reg.id,
        action=action.value,
        state_from=state.value,
        state_to=to.value,
        reason=reason,
        check=check,
        by=actor,
        at=now,
    )
    reg.state = to.value
    await store.add(session, event)
    await audit.record(
        actor,
        "pilot.registration",
        f"org:{reg.org_id}",
        {"registration": reg.id, "action": action.value, "to": to.value},
        session=session,
    )
    return event


async def register(
    db: Database,
    audit: AuditLog,
    actor: str,
    org_id: int,
    fields: Mapping[str, Any],
    draft: bool,
    now: dt.datetime,
    authorize: Authorize,
) -> PilotRegistration:
    """V1: a unit's registration (828-CV form), answering a call when ``call_id`` is given:
    sent after the call's deadline it is refused citing V1 — judged on the later of the date the
    form gives and today in Vietnam time by the app clock, so a form cannot be backdated past a
    deadline. A draft is sent later."""
    async with db.session() as session:
        await org_or_404(session, org_id)
        authorize(P.PILOT_MANAGE, org_id)
        call_id = fields.get("call_id")
        if call_id is not None:
            call = await store.call(session, call_id)
            if call is None or call.org_id not in await _ancestors(session, org_id):
                raise not_found("đợt đăng ký / call")
            if not draft:
                sent = max(fields["submitted_on"], rules.local_date(now))
                require(check_deadline(sent, call.deadline, _closed_on(call)))
        row = PilotRegistration(
            org_id=org_id, state=RegistrationState.DRAFT.value if draft else "submitted", **fields
        )
        await pilots.register(session, audit, actor, row)
        if not draft:
            await store.add(
                session,
                RegistrationEvent(
                    registration_id=row.id,
                    action=A.SUBMIT.value,
                    state_from=RegistrationState.DRAFT.value,
                    state_to=RegistrationState.SUBMITTED.value,
                    reason="",
                    by=actor,
                    at=now,
                ),
            )
        return row


@dataclass(frozen=True, slots=True)
class Step:
    """One V2 step as asked: the action, a reason, corrected fields (``correct``) and the
    decision's particulars (``approve``: number, decided_on, issuer, valid_from, valid_to)."""

    action: A
    reason: str = ""
    fields: Mapping[str, Any] | None = None
    decision: Mapping[str, Any] | None = None


async def step(
    db: Database,
    audit: AuditLog,
    actor: str,
    registration_id: int,
    asked: Step,
    today: dt.date,
    now: dt.datetime,
    authorize: Authorize,
) -> PilotRegistration:
    async with db.session() as session:
        reg = await store.registration(session, registration_id)
        if reg is None:
            raise not_found("đăng ký / registration")
        who = ACTOR[asked.action]
        if who == "unit":
            authorize(P.PILOT_MANAGE, reg.org_id)
        else:
            superior = await _superior(session, reg)
            authorize(P.PILOT_VET if who == "board" else P.PILOT_DECIDE, superior.id)
        check = None
        if asked.action is A.SUBMIT and reg.call_id is not None:
            call = await store.call(session, reg.call_id)
            if call is not None:
                require(check_deadline(today, call.deadline, _closed_on(call)))
        if asked.action is A.CORRECT and asked.fields:
            for name in _EDITABLE:
                if name in asked.fields:
                    setattr(reg, name, asked.fields[name])
        if asked.action is A.ENDORSE:
            org = await org_or_404(session, reg.org_id)
            facts = await rules.org_facts(session, org)
            decision = check_vetting(facts, reg.scope, today, regime_for(today))
            check = decision.as_dict()
            require(decision)
        await _event(session, audit, actor, reg, asked.action, asked.reason, now, check)
        if asked.action is A.APPROVE and not str((asked.decision or {}).get("number", "")).strip():
            raise AppError.of(ErrorCode.VALIDATION, detail="number: the decision's number (E3)")
        if asked.action is A.APPROVE:
            d = asked.decision or {}
            superior = await _superior(session, reg)
            await pilots.decide(
                session,
                audit,
                actor,
                ApprovalDecision(
                    org_id=reg.org_id,
                    registration_id=reg.id,
                    number=str(d.get("number", "")),
                    decided_on=d.get("decided_on", today),
                    issuer=str(d.get("issuer") or superior.name),
                    issuer_kind=IssuerKind(d.get("issuer_kind", IssuerKind.SUPERIOR_COMMITTEE)),
                    scope=reg.scope,
                    valid_from=d.get("valid_from", today),
                    valid_to=d.get("valid_to"),
                ),
            )
        return reg


async def events(
    db: Database, registration_id: int, authorize: Authorize
) -> list[RegistrationEvent]:
    async with db.session() as session:
        reg = await store.registration(session, registration_id)
        if reg is None:
            raise not_found("đăng ký / registration")
        authorize(P.PILOT_READ, reg.org_id)
        return list(await store.events(session, registration_id))


# -- V3: monitoring and reviews -----------------------------------------------------------------


async def units(session: Session, root: Organisation) -> list[Organisation]:
    """The organisations under ``root`` that may pilot: grassroots committees and cells."""
    out, frontier = [], [root]
    while frontier:
        for child in await org_store.children(session, frontier.pop().id):
            if child.level is not OrgLevel.GROUP:
                out.append(child)
                frontier.append(child)
    return out


async def unit_figures(
    session: Session, org: Organisation, start: dt.date, end: dt.date
) -> UnitFigures:
    """V3: one unit's meetings held in ``start``–``end``: online (hybrid counts, P2) and by
    groups, in person, the attendance of counted full members, items deferred, incidents."""
    members = rules.member_facts(await member_store.of_org(session, org.id))
    online = group = in_person = counted = present = deferred = 0
    meetings = await meeting_store.of_org(session, org.id)
    for m in meetings:
        on = rules.local_date(m.scheduled_start)
        if m.status not in HELD or m.parent_meeting_id is not None or not start <= on <= end:
            continue
        if m.mode in ONLINE_MODES:
            online += 1
        elif m.mode is MeetingMode.GROUP:
            group += 1
        else:
            in_person += 1
        groups = await conduct_store.assignments(session, m.id)
        ids = {m.id, *(c.id for c in meetings if c.parent_meeting_id == m.id)}
        ids |= {a.group_meeting_id for a in groups}
        here: set[str] = set()
        for mid in ids:
            here |= {str(i.member_id) for i in await attendance_store.of_meeting(session, mid)}
        cfm = counted_full_members(members, frozenset(here), on=on)
        counted += len(cfm)
        present += len(cfm & here)
        deferred += sum(
            1 for i in await meeting_store.agenda(session, m.id) if i.status is ItemStatus.DEFERRED
        )
    incidents = len(await store.incidents(session, [org.id], start, end))
    return UnitFigures(org.name, online, group, in_person, counted, present, deferred, incidents)


@dataclass(frozen=True, slots=True)
class ReviewRow:
    figures: UnitFigures
    registration: str  # the latest registration's state, or ""
    decision: str  # the E3 decision number(s), or ""


async def review_rows(
    session: Session, root: Organisation, start: dt.date, end: dt.date
) -> list[ReviewRow]:
    out = []
    for org in await units(session, root):
        regs = await pilot_store.registrations(session, org.id)
        decisions = await pilot_store.decisions(session, org.id)
        figures = await unit_figures(session, org, start, end)
        if not regs and not decisions and not (figures.online_meetings or figures.group_meetings):
            continue
        out.append(
            ReviewRow(
                figures,
                regs[-1].state if regs else "",
                ", ".join(d.number for d in decisions),
            )
        )
    return out


async def monitoring(
    db: Database, org_id: int, start: dt.date, end: dt.date, authorize: Authorize
) -> list[dict[str, Any]]:
    """V3: the board's figures per unit under ``org_id`` for ``start``–``end``."""
    async with db.session() as session:
        root = await org_or_404(session, org_id)
        authorize(P.PILOT_READ, org_id)
        rows = await review_rows(session, root, start, end)
        return [
            {
                "unit": r.figures.unit,
                "online_meetings": r.figures.online_meetings,
                "group_meetings": r.figures.group_meetings,
                "in_person_meetings": r.figures.in_person_meetings,
                "attendance_percent": r.figures.attendance_percent,
                "deferred_items": r.figures.deferred_items,
                "incidents": r.figures.incidents,
                "registration": r.registration,
                "decision": r.decision,
            }
            for r in rows
        ]
