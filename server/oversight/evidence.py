"""The evidence Q1 judges a meeting by, read from the cell's records: attendance (its own and its
party groups' sessions), agenda, notes, votes, minutes, documents, and the cell's history for R3
and the caps (P3, P5). :mod:`server.oversight.quality` evaluates it; supervision and the pilot
programme share ``HELD``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from policy.calendar import meeting_day
from policy.caps import count_group, count_online, online_cap
from policy.facts import GroupReport, MeetingRecord
from policy.model import AgendaCategory, MeetingKind, MeetingMode, MeetingStatus
from policy.quality import MeetingFacts, parse_period
from policy.quorum import counted_full_members
from policy.rulesets import regime_for
from server import holidays, rules
from server.storage import attendance as attendance_store
from server.storage import conduct as conduct_store
from server.storage import meetings as meeting_store
from server.storage import members as member_store
from server.storage import organisations as org_store
from server.storage.db import Session
from server.storage.models import Meeting, Member, Organisation

HELD = frozenset({MeetingStatus.OPEN, MeetingStatus.CLOSED})
CELL_KINDS = frozenset({MeetingKind.REGULAR, MeetingKind.THEMATIC})
#: M1: the parts of the minutes Q1 checks, with the words a cell reads
MINUTES_PARTS = (
    ("chair", "chủ trì"),
    ("secretary", "thư ký"),
    ("attendance", "thành phần dự họp"),
    ("items", "nội dung sinh hoạt"),
)


@dataclass
class CellRecords:
    """What one cell's records hold, loaded once for several evaluations."""

    org: Organisation
    members: Sequence[Member]
    meetings: Sequence[Meeting]
    history: Sequence[MeetingRecord]
    days_off: frozenset[dt.date]
    #: when each meeting's documents first reached the members (M3)
    published: Mapping[int, dt.datetime]

    def held(self, start: dt.date, end: dt.date) -> list[Meeting]:
        return [
            m
            for m in self.meetings
            if m.status in HELD
            and m.kind in CELL_KINDS
            and m.parent_meeting_id is None
            and start <= rules.local_date(m.scheduled_start) <= end
        ]


async def load_cell(session: Session, org: Organisation, until: dt.date) -> CellRecords:
    start = dt.date(until.year - 1, 1, 1)
    return CellRecords(
        org=org,
        members=await member_store.of_org(session, org.id),
        meetings=await meeting_store.of_org(session, org.id),
        history=await rules.history(session, org.id),
        days_off=await holidays.days_off(session, start, dt.date(until.year, 12, 31)),
        published=await conduct_store.first_publications(session, org.id),
    )


async def sessions_of(session: Session, cell: CellRecords, meeting: Meeting) -> set[int]:
    """The meeting and the sessions it was held in: its party groups' meetings (E2)."""
    groups = await conduct_store.assignments(session, meeting.id)
    children = {m.id for m in cell.meetings if m.parent_meeting_id == meeting.id}
    return {meeting.id, *children, *(a.group_meeting_id for a in groups)}


async def _group_reports(session: Session, meeting: Meeting) -> tuple[GroupReport, ...]:
    reports = []
    for a in await conduct_store.assignments(session, meeting.id):
        group = await org_store.get(session, a.group_org_id)
        held = await meeting_store.get(session, a.group_meeting_id)
        if group is None or held is None:
            continue
        reported = rules.local_date(a.reported_at) if a.reported_at is not None else None
        reports.append(GroupReport(group.name, rules.local_date(held.scheduled_start), reported))
    return tuple(reports)


async def meeting_facts(
    session: Session, cell: CellRecords, meeting: Meeting, judged_until: dt.date
) -> MeetingFacts:
    """Q1's view of ``meeting`` from its records: attendance intervals (its own and its party
    groups'), agenda, notes, votes, minutes, documents, the cell's history for R3 and caps.
    ``judged_until``: the end of the period evaluated (R3 is judged once its quarter is over)."""
    on = rules.local_date(meeting.scheduled_start)
    ruleset = regime_for(on)
    window = meeting_day(
        on.year, on.month, ruleset, days_off=cell.days_off, day=cell.org.meeting_day
    ).window
    present: set[str] = set()
    for mid in await sessions_of(session, cell, meeting):
        present |= {str(i.member_id) for i in await attendance_store.of_meeting(session, mid)}
    member_ids = {str(m.id) for m in cell.members}
    facts = rules.member_facts(cell.members)
    counted = counted_full_members(facts, frozenset(present), on=on)
    items = await meeting_store.agenda(session, meeting.id)
    notes = await conduct_store.notes(session, [i.id for i in items])
    task_items = {i.id for i in items if i.category is AgendaCategory.TASK_REPORT}
    speaking = [n for n in notes if n.kind in ("speech", "differing", "reserved")]
    speakers = {str(n.member_id) if n.member_id is not None else n.speaker for n in speaking}
    votes = [v for v in await conduct_store.votes(session, meeting.id) if v.result]
    minutes = await conduct_store.minutes(session, meeting.id)
    content: Mapping[str, Any] = minutes.content if minutes is not None else {}
    missing = tuple(words for key, words in MINUTES_PARTS if not content.get(key))
    published = cell.published.get(meeting.id)
    q_start = dt.date(on.year, 3 * ((on.month - 1) // 3) + 1, 1)
    q_end = parse_period(f"{on.year}-Q{(on.month - 1) // 3 + 1}").end
    thematic_held = any(
        r.held and r.kind is MeetingKind.THEMATIC and q_start <= r.on <= q_end for r in cell.history
    )
    thematic = True if thematic_held else (False if judged_until >= q_end else None)
    upto = [r for r in cell.history if r.on <= on and r.on.year == on.year]
    started, ended = meeting.started_at, meeting.ended_at
    duration = None
    if started is not None and ended is not None and ended >= started:
        duration = int((ended - started).total_seconds() // 60)
    return MeetingFacts(
        meeting_id=str(meeting.id),
        on=on,
        kind=meeting.kind,
        window=window,
        duration_minutes=duration,
        counted=len(counted),
        present=len(counted & present),
        attendees=len(present & member_ids),
        speakers=len(speakers),
        documents_published_on=rules.local_date(published) if published is not None else None,
        task_reports=sum(1 for n in speaking if n.item_id in task_items),
        votes=tuple((bool(v.result["valid"]), bool(v.result["passed"])) for v in votes if v.result),
        conclusions=sum(1 for n in notes if n.kind == "conclusion"),
        minutes_adopted=minutes is not None and minutes.adopted_at is not None,
        minutes_missing=missing,
        thematic=thematic,
        online_used=count_online(upto, on.year),
        online_cap=online_cap(cell.org.level, ruleset),
        group_used=count_group(upto, on.year),
        group_cap=ruleset.group_meeting_cap,
        agenda_texts=tuple(t for i in items for t in (i.title, i.description) if t),
        group_reports=await _group_reports(session, meeting)
        if meeting.mode is MeetingMode.GROUP
        else (),
        group_report_days=ruleset.group_report_days,
        min_minutes=ruleset.min_minutes,
        min_minutes_combined=ruleset.min_minutes_combined,
        documents_days_before=ruleset.documents_days_before,
    )
