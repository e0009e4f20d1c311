"""The meeting flows, shared by the HTTP API and the ``hopchibo meeting`` command: schedule (E1–E4,
P1–P5 before anything is stored), the planning-time agenda gate (G1/G2), start (G3 re-checks the
mode as of today), and close in its defined order (A1: attendance ends with the meeting, then the
live meeting, then the recording).

Each flow opens its own transaction. ``authorize`` decides whether the caller may act on an
organisation: :func:`server.auth.authz.authorizer` for a signed-in account (deny by default,
R7), :func:`server.auth.authz.operator` for the operator at the machine's command line.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from policy.dates import check_meeting_under_circumstance, require_dates
from policy.decision import Decision, Outcome
from policy.error_codes import ErrorCode
from policy.model import (
    AgendaCategory,
    ItemStatus,
    MeetingKind,
    MeetingMode,
    MeetingStatus,
    OrgLevel,
)
from server import rules
from server.audit import AuditLog
from server.auth.authz import Authorize, Permission, operator
from server.errors import AppError, not_found
from server.meeting.live_attendance import recover_meeting
from server.meeting.live_meetings import LiveMeetings
from server.organisations import org_or_404
from server.records.recordings import RecordingService, RecordingStateError
from server.storage import attendance as attendance_store
from server.storage import meetings as meeting_store
from server.storage import organisations as org_store
from server.storage import pilots as pilot_store
from server.storage.db import Database, Session
from server.storage.models import AgendaItem, Meeting

log = logging.getLogger(__name__)

__all__ = ["Authorize", "operator"]


@dataclass(frozen=True, slots=True)
class NewMeeting:
    kind: MeetingKind
    mode: MeetingMode
    title: str
    scheduled_start: dt.datetime
    location: str = ""
    circumstance_id: int | None = None
    parent_meeting_id: int | None = None
    #: R2: the other body's meeting this one would be combined with (refused when given)
    combined_with: str = ""
    #: R2: the chair confirms a look-alike title is the cell's own meeting
    not_combined_confirmed: bool = False


@dataclass(frozen=True, slots=True)
class NewAgendaItem:
    title: str
    category: AgendaCategory
    description: str = ""
    attachment_names: list[str] = field(default_factory=list)


async def org_id_by_code(db: Database, code: str) -> int:
    async with db.session() as session:
        org = await org_store.by_code(session, code)
    if org is None:
        raise not_found("tổ chức / organisation")
    return org.id


async def meeting_or_404(session: Session, meeting_id: int) -> Meeting:
    meeting = await meeting_store.get(session, meeting_id)
    if meeting is None:
        raise not_found("cuộc họp / meeting")
    return meeting


async def org_of(db: Database, meeting_id: int) -> int:
    """The organisation that holds the meeting (404 if there is no such meeting)."""
    async with db.session() as session:
        return (await meeting_or_404(session, meeting_id)).org_id


async def of_org(db: Database, org_id: int, authorize: Authorize) -> Sequence[Meeting]:
    async with db.session() as session:
        await org_or_404(session, org_id)
        authorize(Permission.MEETING_READ, org_id)
        return await meeting_store.of_org(session, org_id)


async def get(db: Database, meeting_id: int, authorize: Authorize) -> Meeting:
    async with db.session() as session:
        meeting = await meeting_or_404(session, meeting_id)
        authorize(Permission.MEETING_READ, meeting.org_id)
        return meeting


async def schedule(
    db: Database,
    audit: AuditLog,
    actor: str,
    org_id: int,
    new: NewMeeting,
    authorize: Authorize,
) -> Meeting:
    """A scheduled meeting; refused with the cited rule (E1–E4, P1–P5, R2) before anything is
    stored."""
    async with db.session() as session:
        org = await org_or_404(session, org_id)
        authorize(Permission.MEETING_SCHEDULE, org_id)
        if org.level is OrgLevel.GRASSROOTS and new.kind is MeetingKind.GROUP:
            raise AppError.of(ErrorCode.VALIDATION, detail="group meetings belong to a cell")
        if new.circumstance_id is not None:
            circ = await pilot_store.circumstance(session, new.circumstance_id)
            if circ is None or circ.org_id != org_id:
                raise not_found("hoàn cảnh đặc biệt / circumstance")
            on = rules.local_date(new.scheduled_start)  # E1b: held while the circumstance lasts
            require_dates(check_meeting_under_circumstance(on, circ.started_on, circ.ended_on))
        if new.parent_meeting_id is not None:
            await meeting_or_404(session, new.parent_meeting_id)
        await rules.require_meeting_mode(
            session, org, new.mode, rules.local_date(new.scheduled_start)
        )
        # R2: never combined with another body's meeting; a look-alike title needs confirming
        rules.require_not_combined(
            new.title, combined_with=new.combined_with, confirmed=new.not_combined_confirmed
        )
        fields = asdict(new)
        del fields["combined_with"], fields["not_combined_confirmed"]
        meeting = await meeting_store.add(session, Meeting(org_id=org_id, **fields))
        await audit.record(
            actor,
            "meeting.create",
            f"meeting:{meeting.id}",
            {
                "mode": meeting.mode.value,
                "kind": meeting.kind.value,
                "r2_confirmed": new.not_combined_confirmed,
            },
            session=session,
        )
        return meeting


async def agenda(db: Database, meeting_id: int, authorize: Authorize) -> Sequence[AgendaItem]:
    async with db.session() as session:
        meeting = await meeting_or_404(session, meeting_id)
        authorize(Permission.MEETING_READ, meeting.org_id)
        return await meeting_store.agenda(session, meeting_id)


def plan_gate(item: AgendaItem, meeting: Meeting) -> Decision:
    """The planning-time gate (G1/G2) on ``item``: its decision is kept on the item, and an item
    that may not be discussed in this mode is deferred (G1: to the next in-person meeting). G3
    re-runs the gate at opening."""
    decision = rules.gate(item, meeting)
    item.gate = decision.as_dict()
    if decision.outcome is Outcome.BLOCKED:
        item.status = ItemStatus.DEFERRED
    return decision


async def add_agenda_item(
    db: Database,
    audit: AuditLog,
    actor: str,
    meeting_id: int,
    new: NewAgendaItem,
    authorize: Authorize,
) -> AgendaItem:
    """An agenda item appended to the meeting's agenda, through the planning gate."""
    async with db.session() as session:
        meeting = await meeting_or_404(session, meeting_id)
        authorize(Permission.MEETING_SCHEDULE, meeting.org_id)
        item = AgendaItem(meeting_id=meeting_id, **asdict(new))
        decision = plan_gate(item, meeting)
        item = await meeting_store.add_item(session, item)
        await audit.record(
            actor,
            "agenda.add",
            f"item:{item.id}",
            {
                "meeting": meeting_id,
                "category": item.category.value,
                "gate": decision.outcome.value,
                "rules": list(decision.rule_ids),
            },
            session=session,
        )
        return item


async def start(
    db: Database,
    audit: AuditLog,
    actor: str,
    meeting_id: int,
    authorize: Authorize,
    now: dt.datetime,
) -> Meeting:
    """Open a scheduled meeting at ``now`` (the app clock); its mode is checked again as of that
    day (G3, E1–P5)."""
    async with db.session() as session:
        meeting = await meeting_or_404(session, meeting_id)
        org = await org_or_404(session, meeting.org_id)
        authorize(Permission.MEETING_CHAIR, meeting.org_id)
        if meeting.status is not MeetingStatus.SCHEDULED:
            raise AppError.of(ErrorCode.CONFLICT, detail=f"meeting is {meeting.status.value}")
        await rules.require_meeting_mode(
            session, org, meeting.mode, rules.local_date(now), exclude=meeting.id
        )
        meeting.status = MeetingStatus.OPEN
        meeting.started_at = now
        await session.flush()
        await audit.record(
            actor,
            "meeting.start",
            f"meeting:{meeting.id}",
            {"mode": meeting.mode.value},
            session=session,
        )
        return meeting


async def close(
    db: Database,
    audit: AuditLog,
    live: LiveMeetings,
    recordings: RecordingService | None,
    actor: str,
    meeting_id: int,
    authorize: Authorize,
    now: dt.datetime,
) -> Meeting:
    """Close an open cell meeting at ``now`` (the app clock, the one the hall check-ins and
    check-outs are written by: an end read off another clock could fall before a start, A1):
    committed with its attendance ended (A1), then
    :func:`end_live` (everyone connected told and disconnected, the recording completed)."""
    async with db.session() as session:
        meeting = await meeting_or_404(session, meeting_id)
        authorize(Permission.MEETING_CHAIR, meeting.org_id)
        if meeting.status is not MeetingStatus.OPEN:
            raise AppError.of(ErrorCode.CONFLICT, detail=f"meeting is {meeting.status.value}")
        ended_at = now
        meeting.status = MeetingStatus.CLOSED
        meeting.ended_at = ended_at
        await session.flush()
        # A1: a connection whose process died ended when it was last seen, not now
        recovered = await recover_meeting(session, audit, live.leases, meeting.id)
        closed = await attendance_store.close_open(session, meeting.id, ended_at)
        await audit.record(
            actor,
            "meeting.close",
            f"meeting:{meeting.id}",
            {"intervals_closed": closed, "intervals_recovered": recovered},
            session=session,
        )
    await end_live(live, recordings, meeting_id, actor)
    return meeting


async def end_live(
    live_meetings: LiveMeetings,
    recordings: RecordingService | None,
    meeting_id: int,
    actor: str,
) -> None:
    """After a meeting's close is committed (nobody joins it any more): the recorder finishes its
    Matroska file, the live meeting ends here at once (so nobody is admitted after ``ended_at``)
    and in every other process, then the recording gets its final segment and is complete. Used
    by the cell meeting's close and a party group's. ``recordings`` is ``None`` where this
    process records nothing (the command line)."""
    recording = recordings is not None and recordings.handle(meeting_id) is not None
    if recording:
        live = live_meetings.get(meeting_id)
        if live is not None:
            live.stop_recording()
    await live_meetings.end(meeting_id)
    if recordings is not None and recording:
        try:
            await recordings.stop(meeting_id, actor)
        except RecordingStateError:  # the chair stopped it meanwhile
            pass
        except Exception:
            log.exception("meeting %s: recording not completed at close", meeting_id)
