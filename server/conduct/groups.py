"""A cell meeting held by party groups (E2, P5, 03-HD/TW §II.4.2).

1. The cell committee's preparatory meeting (kind committee) assigns a committee member to each
   group; it may invite group leaders who are not committee members.
2. Each group meets (kind group, mode group, ``parent_meeting_id`` = the cell meeting) under its
   leader; the group's minutes record attendance, opinions and the vote on the draft.
3. GM3: the leader reports to the committee no later than one day after the group meeting.
4. The committee consolidates every group's result into the cell's conclusion or resolution;
   it cannot while a group has not reported.

A group's meeting belongs to the party group (``org_id`` = the group), so that its leader chairs
it by the group-leader role and so that it is not counted again in the cell's P5 cap: the cell
meeting (mode group) is the one the cap counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from policy.calendar import check_group_report
from policy.decision import Decision, Outcome, PolicyDenied, RuleId
from policy.i18n import tr
from policy.model import ItemStatus, MeetingKind, MeetingMode, MeetingStatus, OrgLevel
from policy.quorum import check_vote, counted_full_members
from server.conduct import minutes as minutes_service
from server.conduct.common import Scope, conflict, invalid, missing, scope_of
from server.rules import gate, local_date, member_facts
from server.storage import attendance as attendance_store
from server.storage import conduct as store
from server.storage import meetings as meeting_store
from server.storage import members as member_store
from server.storage import organisations as org_store
from server.storage.db import Session
from server.storage.models import AgendaItem, Meeting
from server.storage.models_conduct import GroupAssignment


@dataclass(frozen=True, slots=True)
class Plan:
    group_id: int
    leader_member_id: int
    committee_member_id: int
    scheduled_start: dt.datetime
    location: str


async def assign(
    session: Session,
    cell: Scope,
    committee_meeting_id: int,
    plans: Sequence[Plan],
    committee_ids: frozenset[int],
) -> list[GroupAssignment]:
    """Create each group's meeting and its assignment. ``committee_ids``: members who sit on the
    cell committee (a leader outside it is marked invited)."""
    meeting = cell.meeting
    if meeting.mode is not MeetingMode.GROUP or cell.is_group:
        raise conflict("conduct.group.not_group_meeting")
    if meeting.status is not MeetingStatus.SCHEDULED:
        raise conflict("conduct.meeting.not_scheduled", status=meeting.status.value)
    committee = await meeting_store.get(session, committee_meeting_id)
    if (
        committee is None
        or committee.org_id != cell.org.id
        or committee.kind is not MeetingKind.COMMITTEE
    ):
        raise invalid("conduct.group.bad_committee_meeting")
    existing = {a.group_org_id for a in await store.assignments(session, meeting.id)}
    content = [
        i
        for i in await meeting_store.agenda(session, meeting.id)
        if i.status is not ItemStatus.DEFERRED
    ]
    seen: set[int] = set()
    out = []
    for plan in plans:
        group = await org_store.get(session, plan.group_id)
        if group is None or group.level is not OrgLevel.GROUP or group.parent_id != cell.org.id:
            raise invalid("conduct.group.not_a_group", group=plan.group_id)
        if plan.group_id in existing or plan.group_id in seen:
            raise conflict("conduct.group.already_assigned", group=group.name)
        seen.add(plan.group_id)
        leader = await member_store.get(session, plan.leader_member_id)
        if leader is None or leader.group_id != group.id:
            raise invalid("conduct.group.bad_leader", group=group.name)
        assignee = cell.member(plan.committee_member_id)
        if assignee is None or plan.committee_member_id not in committee_ids:
            raise invalid("conduct.group.bad_committee_member", group=group.name)
        group_meeting = await meeting_store.add(
            session,
            Meeting(
                org_id=group.id,
                kind=MeetingKind.GROUP,
                mode=MeetingMode.GROUP,
                title=f"{meeting.title} — {group.name}",
                location=plan.location,
                scheduled_start=plan.scheduled_start,
                parent_meeting_id=meeting.id,
            ),
        )
        await _copy_content(session, content, group_meeting)
        out.append(
            await store.add_assignment(
                session,
                GroupAssignment(
                    cell_meeting_id=meeting.id,
                    committee_meeting_id=committee.id,
                    group_org_id=group.id,
                    group_meeting_id=group_meeting.id,
                    leader_member_id=leader.id,
                    committee_member_id=assignee.id,
                    leader_invited=leader.id not in committee_ids,
                ),
            )
        )
    return out


async def _copy_content(
    session: Session, content: Sequence[AgendaItem], group_meeting: Meeting
) -> None:
    """The content the committee set on the cell meeting (its agenda: the draft conclusion or
    resolution and what each group discusses) becomes each group meeting's agenda, through the
    planning gate again (G1: a topic blocked in group meetings is deferred there too)."""
    for source in content:
        item = AgendaItem(
            meeting_id=group_meeting.id,
            title=source.title,
            description=source.description,
            attachment_names=list(source.attachment_names),
            category=source.category,
        )
        decision = gate(item, group_meeting)
        item.gate = decision.as_dict()
        if decision.outcome is Outcome.BLOCKED:
            item.status = ItemStatus.DEFERRED
        await meeting_store.add_item(session, item)


async def assignment_for(session: Session, group: Scope) -> GroupAssignment:
    row = await store.assignment_of(session, group.meeting.id)
    if row is None or not group.is_group:
        raise missing("conduct.not_found.group_meeting")
    return row


def _totals(content: dict[str, Any]) -> dict[str, Any]:
    votes = list(content.get("votes", []))
    for item in content.get("items", []):
        votes.extend(item.get("votes", []))
    return {
        "attendance": content.get("attendance", {}),
        #: M1: the group's absent members by name, with or without a reason, for the cell's minutes
        "absences": content.get("absences", {"with_reason": [], "without_reason": []}),
        "membership": content.get("membership", {}),
        "votes": [
            {k: v.get(k) for k in ("subject", "yes", "no", "abstain", "valid", "passed")}
            for v in votes
            if v.get("closed")
        ],
        "differing": [
            {"item": i["title"], **o} for i in content.get("items", []) for o in i["differing"]
        ],
        "reserved": [
            {"item": i["title"], **o} for i in content.get("items", []) for o in i["reserved"]
        ],
    }


async def report(
    session: Session, group: Scope, at: dt.datetime
) -> tuple[GroupAssignment, Decision]:
    """GM3: the leader's summary to the committee, taken from the group's minutes (generated
    now if the leader has not yet done so). Late reports are accepted and flagged."""
    row = await assignment_for(session, group)
    if row.reported_at is not None:
        raise conflict("conduct.group.already_reported")
    if group.meeting.status is not MeetingStatus.CLOSED:
        raise conflict("conduct.group.not_closed", status=group.meeting.status.value)
    minutes = await store.minutes(session, group.meeting.id)
    if minutes is None or not minutes.content.get("title"):
        leader = group.member(row.leader_member_id)
        minutes = await minutes_service.generate(
            session, group, at, leader.full_name if leader else "", ""
        )
    attendees = {r.member_id for r in await attendance_store.of_meeting(session, group.meeting.id)}
    held_on = local_date(group.meeting.scheduled_start)
    decision = check_group_report(held_on, local_date(at), local_date(at), group.rules)
    row.report = {
        "group": group.org.name,
        "held_on": held_on.isoformat(),
        "attendee_ids": sorted(attendees),
        **_totals(minutes.content),
    }
    row.reported_at = at
    row.gm3 = {**decision.as_dict(), "late": not decision.ok}
    await session.flush()
    return row, decision


async def _status(
    session: Session, row: GroupAssignment, on: dt.date, scope: Scope
) -> dict[str, Any]:
    """One group's standing under GM3 on ``on``: reported (on time or late), upcoming, due or
    overdue, with its report once sent."""
    group_meeting = await meeting_store.get(session, row.group_meeting_id)
    group_org = await org_store.get(session, row.group_org_id)
    assert group_meeting is not None and group_org is not None
    held_on = local_date(group_meeting.scheduled_start)
    reported_on = local_date(row.reported_at) if row.reported_at else None
    decision = check_group_report(held_on, reported_on, on, scope.rules)
    if reported_on is not None:
        status = "reported" if decision.ok else "reported_late"
    elif held_on > on:
        status = "upcoming"
    else:
        status = "due" if decision.ok else "overdue"
    leader = await member_store.get(session, row.leader_member_id)
    assignee = await member_store.get(session, row.committee_member_id)
    return {
        "group_id": row.group_org_id,
        "group": group_org.name,
        "group_meeting_id": row.group_meeting_id,
        "meeting_status": group_meeting.status.value,
        "leader_member_id": row.leader_member_id,
        "leader": leader.full_name if leader else "",
        "committee_member_id": row.committee_member_id,
        "committee_member": assignee.full_name if assignee else "",
        "leader_invited": row.leader_invited,
        "held_on": held_on.isoformat(),
        "due_on": (held_on + dt.timedelta(days=scope.rules.group_report_days)).isoformat(),
        "reported_on": reported_on.isoformat() if reported_on else None,
        "status": status,
        "report": row.report,
        **decision.as_dict(),
    }


async def reports(session: Session, cell: Scope, on: dt.date) -> list[dict[str, Any]]:
    """Every group of the cell meeting: reported (on time or late), due or overdue on ``on``,
    each with its report once sent (the committee reads them side by side)."""
    return [
        await _status(session, row, on, cell)
        for row in await store.assignments(session, cell.meeting.id)
    ]


async def own_status(session: Session, group: Scope, on: dt.date) -> dict[str, Any]:
    """The group meeting's part in the cycle, for its leader's console: the cell meeting, the
    committee member attending, and the report's standing under GM3 on ``on``."""
    row = await assignment_for(session, group)
    cell = await meeting_store.get(session, row.cell_meeting_id)
    assert cell is not None
    return {
        **await _status(session, row, on, group),
        "cell_meeting_id": cell.id,
        "cell_meeting_title": cell.title,
    }


async def planning(session: Session, cell: Scope, committee_ids: frozenset[int]) -> dict[str, Any]:
    """What the committee needs to assign the groups (§II.4.2): the cell's party groups from
    the roster with their members, the committee members, the committee's meetings, and the
    content (the cell meeting's agenda) that each group meeting will take over."""
    if cell.is_group:
        raise conflict("conduct.group.not_group_meeting")
    members = sorted(cell.members, key=lambda m: m.id)
    groups = [
        {
            "id": g.id,
            "name": g.name,
            # who holds the group's leader role on the roster: the page proposes them
            "leader_member_ids": await store.group_leader_member_ids(session, g.id),
            "members": [
                {"id": m.id, "name": m.full_name, "status": m.status.value}
                for m in members
                if m.group_id == g.id
            ],
        }
        for g in await org_store.children(session, cell.org.id)
        if g.level is OrgLevel.GROUP
    ]
    meetings = [
        {"id": m.id, "title": m.title, "scheduled_start": m.scheduled_start.isoformat()}
        for m in await meeting_store.of_org(session, cell.org.id)
        if m.kind is MeetingKind.COMMITTEE
    ]
    content = [
        {"id": i.id, "title": i.title, "category": i.category.value, "status": i.status.value}
        for i in await meeting_store.agenda(session, cell.meeting.id)
    ]
    return {
        "meeting": {
            "id": cell.meeting.id,
            "title": cell.meeting.title,
            "mode": cell.meeting.mode.value,
            "status": cell.meeting.status.value,
            "scheduled_start": cell.meeting.scheduled_start.isoformat(),
            "org_id": cell.org.id,
        },
        "groups": groups,
        "committee": [{"id": m.id, "name": m.full_name} for m in members if m.id in committee_ids],
        "committee_meetings": meetings,
        "content": content,
    }


async def consolidate(session: Session, cell: Scope, at: dt.datetime) -> dict[str, Any]:
    """Totals across groups of attendance and votes, each group's differing and reserved
    opinions, and the draft's standing against the cell's counted full members (A3)."""
    rows = await store.assignments(session, cell.meeting.id)
    if not rows:
        raise conflict("conduct.group.none_assigned")
    missing_groups = []
    for row in rows:
        if row.report is None:
            org = await org_store.get(session, row.group_org_id)
            missing_groups.append(org.name if org else str(row.group_org_id))
    if missing_groups:
        raise PolicyDenied(
            Decision(
                Outcome.BLOCKED,
                (RuleId.GM3,),
                tr("conduct.group.not_all_reported", groups="; ".join(missing_groups)),
            )
        )
    attendance = {"present": 0, "room": 0, "online": 0}
    by_category: dict[str, int] = {}
    votes: dict[str, dict[str, int]] = {}
    groups = []
    attendees: set[str] = set()
    for row in rows:
        report = row.report or {}
        att = report.get("attendance", {})
        for key in attendance:
            attendance[key] += int(att.get(key, 0))
        for key, value in att.get("by_category", {}).items():
            by_category[key] = by_category.get(key, 0) + int(value)
        attendees.update(str(i) for i in report.get("attendee_ids", []))
        for v in report.get("votes", []):
            tally = votes.setdefault(str(v["subject"]), {"yes": 0, "no": 0, "abstain": 0})
            for key in tally:
                tally[key] += int(v.get(key) or 0)
        groups.append(
            {
                "group": report.get("group", ""),
                "held_on": report.get("held_on"),
                "late": bool((row.gm3 or {}).get("late")),
                "present": int(att.get("present", 0)),
                "absences": report.get("absences"),  # None: a report sent before names were kept
                "differing": report.get("differing", []),
                "reserved": report.get("reserved", []),
            }
        )
    facts = member_facts(cell.members)
    present = frozenset(attendees)
    voters = sorted(counted_full_members(facts, present, on=cell.on) & present, key=int)
    standing = []
    for subject, tally in votes.items():
        approvals = frozenset(voters[: tally["yes"]])
        result = check_vote(facts, present, approvals, cell.rules, on=cell.on)
        standing.append({"subject": subject, **tally, **result.decision.as_dict()})
    consolidation = {
        "cell_meeting_id": cell.meeting.id,
        "groups": groups,
        "attendance": {**attendance, "by_category": by_category, "members": len(cell.members)},
        "votes": standing,
        "consolidated_at": at.isoformat(),
    }
    await minutes_service.store_consolidation(session, cell.meeting.id, consolidation, at)
    return consolidation


async def start_or_close(session: Session, group: Scope, start: bool, at: dt.datetime) -> Meeting:
    """A group's meeting opens and closes under its leader; the cell meeting's mode (E2, P5)
    was checked when the cell meeting was scheduled."""
    await assignment_for(session, group)
    meeting = group.meeting
    wanted = MeetingStatus.SCHEDULED if start else MeetingStatus.OPEN
    if meeting.status is not wanted:
        raise conflict("conduct.meeting.wrong_state", status=meeting.status.value)
    if start:
        meeting.status, meeting.started_at = MeetingStatus.OPEN, at
    else:
        meeting.status, meeting.ended_at = MeetingStatus.CLOSED, at
    await session.flush()
    return meeting


async def cell_scope_of_group(session: Session, group: Scope) -> Scope:
    parent_id = group.meeting.parent_meeting_id
    parent = await meeting_store.get(session, parent_id) if parent_id else None
    if parent is None:
        raise missing("conduct.not_found.meeting")
    return await scope_of(session, parent)
