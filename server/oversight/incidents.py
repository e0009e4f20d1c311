"""Incidents and members' feedback of the pilot (V3), counted in the monitoring figures and in
the interim and final reviews of :mod:`server.oversight.programme`: recorded by the unit, by the
organisation board that monitors the pilot, or by the leaders of a committee above the unit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from policy.error_codes import ErrorCode
from policy.i18n import tr
from server.audit import AuditLog
from server.auth.authz import Authorize, Denied, Permission
from server.errors import AppError, not_found
from server.organisations import org_or_404
from server.oversight.programme import units
from server.oversight.quality import either
from server.storage import meetings as meeting_store
from server.storage import organisations as org_store
from server.storage import oversight as store
from server.storage.db import Database, Session
from server.storage.models_oversight import PilotIncident

P = Permission


async def record_incident(
    db: Database,
    audit: AuditLog,
    actor: str,
    org_id: int,
    fields: Mapping[str, Any],
    today: dt.date,
    authorize: Authorize,
) -> PilotIncident:
    """V3: an incident or members' feedback, for the reviews: recorded by the unit itself, by
    the organisation board that monitors the pilot (``PILOT_VET`` carried down from the
    superior committee) or by the leaders of a committee above the unit (``OVERSIGHT_MANAGE``
    held there: its secretary and deputies, from ``/committee``), on a day not after ``today``
    (Vietnam time). Audited ``pilot.incident``; a refusal is audited by the middleware."""
    async with db.session() as session:
        await org_or_404(session, org_id)
        await _may_record_incident(session, org_id, authorize)
        if fields["occurred_on"] > today:
            raise AppError(422, ErrorCode.VALIDATION, tr("oversight.v3.future"), rules=("V3",))
        meeting_id = fields.get("meeting_id")
        if meeting_id is not None:
            meeting = await meeting_store.get(session, meeting_id)
            if meeting is None or meeting.org_id != org_id:
                raise not_found("cuộc họp / meeting")
        row = PilotIncident(org_id=org_id, recorded_by=actor, **fields)
        await store.add(session, row)
        await audit.record(
            actor, "pilot.incident", f"org:{org_id}", {"kind": row.kind}, session=session
        )
        return row


async def _may_record_incident(session: Session, org_id: int, authorize: Authorize) -> None:
    """V3: the unit or the board (:func:`either`), else the leaders of a committee above the
    unit, nearest first; refused with the first denial (the unit's own permission)."""
    try:
        either(authorize, (P.PILOT_VET, org_id), (P.PILOT_MANAGE, org_id))
        return
    except Denied as refusal:
        denied = refusal
    org = await org_store.get(session, org_id)
    seen: set[int] = set()
    while org is not None and org.parent_id is not None and org.parent_id not in seen:
        seen.add(org.parent_id)
        try:
            authorize(P.OVERSIGHT_MANAGE, org.parent_id)
            return
        except Denied:
            org = await org_store.get(session, org.parent_id)
    raise denied


async def incidents(
    db: Database, org_id: int, start: dt.date, end: dt.date, authorize: Authorize
) -> list[dict[str, Any]]:
    """V3: the incidents and feedback recorded in ``start``–``end`` for ``org_id`` and the units
    under it, newest first, each with its unit's name."""
    async with db.session() as session:
        root = await org_or_404(session, org_id)
        authorize(P.PILOT_READ, org_id)
        names = {o.id: o.name for o in [root, *await units(session, root)]}
        rows = await store.incidents(session, list(names), start, end)
        return [
            {
                "id": r.id,
                "org_id": r.org_id,
                "unit": names[r.org_id],
                "meeting_id": r.meeting_id,
                "occurred_on": r.occurred_on,
                "kind": r.kind,
                "description": r.description,
            }
            for r in sorted(rows, key=lambda r: (r.occurred_on, r.id), reverse=True)
        ]
