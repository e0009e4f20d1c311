"""A superior committee with six cells and their records over the first half of 2026, written
as the meeting flows would have stored them (meetings held, attendance intervals, agenda, notes,
votes, minutes, published documents, party-group assignments): the facts the oversight reads.

The cells: a good one; a late one (on the 20th, short, thin); one that never holds a thematic
meeting; one whose hybrid meetings go past the online cap (P3) from April; one whose agenda
carries the agency's routine business every month (R2); one whose January and February meetings
are held by party groups that report three days late (GM3).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from policy.model import (
    AgendaCategory,
    ItemStatus,
    MeetingKind,
    MeetingMode,
    MeetingStatus,
    MemberStatus,
    OrgLevel,
    Role,
)
from server.rules import VN_TZ
from server.storage.db import Database, Session
from server.storage.models import (
    Account,
    AgendaItem,
    AttendanceInterval,
    Meeting,
    Member,
    Minutes,
    Organisation,
    RoleAssignment,
    Vote,
)
from server.storage.models_conduct import GroupAssignment, ItemNote, MeetingDocument

#: R1 days of 2026 (no holidays stored: weekends only; 3 Jan and 3 May are weekend days)
ON_TIME = {1: 5, 2: 3, 3: 3, 4: 3, 5: 4, 6: 3}
LATE = {1: 20, 2: 20, 3: 20, 4: 20, 5: 20, 6: 19}
THEMATIC = ((2, 12), (5, 14))
MEMBERS = 10

GOOD, LATE_CELL, NO_THEMATIC, OVER_CAP, COMBINING, GROUPS = (
    "CB-TOT",
    "CB-MUON",
    "CB-KCD",
    "CB-VUOT",
    "CB-LONG",
    "CB-TO",
)
NAMES = {
    GOOD: "Chi bộ Phòng Tổ chức",
    LATE_CELL: "Chi bộ Phòng Hành chính",
    NO_THEMATIC: "Chi bộ Phòng Kế hoạch",
    OVER_CAP: "Chi bộ Tàu Biển Đông",
    COMBINING: "Chi bộ Phòng Tài vụ",
    GROUPS: "Chi bộ Nhà máy",
}


@dataclass
class Built:
    committee: int
    cells: dict[str, int]
    members: dict[str, list[int]]
    meetings: dict[str, list[int]] = field(default_factory=dict)
    follower: int = 0  # the committee member's account (S1)


def at(month: int, day: int, hour: int = 8, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=VN_TZ)


async def _meeting(
    s: Session,
    org_id: int,
    members: list[int],
    month: int,
    day: int,
    *,
    kind: MeetingKind = MeetingKind.REGULAR,
    mode: MeetingMode = MeetingMode.IN_PERSON,
    minutes: int = 100,
    present: int = MEMBERS,
    documents: bool = True,
    task_report: bool = True,
    speakers: int = 4,
    valid_vote: bool = True,
    adopted: bool = True,
    extra_item: str = "",
    deferred: int = 0,
) -> Meeting:
    start = at(month, day)
    meeting = Meeting(
        org_id=org_id,
        kind=kind,
        mode=mode,
        status=MeetingStatus.CLOSED,
        title=f"Sinh hoạt chi bộ tháng {month}"
        if kind is MeetingKind.REGULAR
        else "Sinh hoạt chuyên đề",
        scheduled_start=start,
        started_at=start,
        ended_at=start + dt.timedelta(minutes=minutes),
    )
    s.add(meeting)
    await s.flush()
    for member_id in members[:present]:
        s.add(
            AttendanceInterval(
                meeting_id=meeting.id,
                member_id=member_id,
                way="room",
                joined_at=start,
                left_at=start + dt.timedelta(minutes=minutes),
            )
        )
    titles = [("Thông tin thời sự", AgendaCategory.ORDINARY)]
    if task_report:
        titles.append(("Đảng viên báo cáo kết quả thực hiện nhiệm vụ", AgendaCategory.TASK_REPORT))
    if extra_item:
        titles.append((extra_item, AgendaCategory.OTHER))
    titles += [(f"Nội dung chuyển sang trực tiếp {n}", AgendaCategory.T8) for n in range(deferred)]
    items = []
    for position, (title, category) in enumerate(titles, start=1):
        item = AgendaItem(
            meeting_id=meeting.id,
            position=position,
            title=title,
            category=category,
            status=ItemStatus.DEFERRED if category is AgendaCategory.T8 else ItemStatus.DONE,
        )
        s.add(item)
        items.append(item)
    await s.flush()
    for n, member_id in enumerate(members[:speakers]):
        item = items[1] if task_report and n % 2 == 0 else items[0]
        s.add(
            ItemNote(
                item_id=item.id,
                kind="speech",
                member_id=member_id,
                speaker=f"Đảng viên {member_id}",
                text="Báo cáo kết quả nhiệm vụ được giao.",
            )
        )
    s.add(ItemNote(item_id=items[0].id, kind="conclusion", text="Chi bộ thống nhất."))
    s.add(
        Vote(
            meeting_id=meeting.id,
            item_id=items[0].id,
            subject="Nghị quyết tháng",
            opened_at=start,
            closed_at=start,
            hall_yes=present,
            result={"valid": valid_vote, "passed": valid_vote, "rules": ["A3"], "text": {}},
        )
    )
    if documents:
        s.add(
            MeetingDocument(
                meeting_id=meeting.id,
                filename="du-thao-nghi-quyet.pdf",
                media_type="application/pdf",
                size=1,
                sha256="0" * 64,
                data=b"x",
                uploaded_by="bithu",
                uploaded_at=start - dt.timedelta(days=3),
                published_at=start - dt.timedelta(days=2),
            )
        )
    s.add(
        Minutes(
            meeting_id=meeting.id,
            content={
                "chair": "Bí thư",
                "secretary": "Thư ký",
                "attendance": {"present": present},
                "items": [{"title": t} for t, _ in titles],
            },
            adopted_at=start + dt.timedelta(minutes=minutes) if adopted else None,
        )
    )
    await s.flush()
    return meeting


async def _groups_meeting(
    s: Session, cell_id: int, groups: list[tuple[int, list[int]]], month: int, day: int
) -> Meeting:
    """A regular meeting held by party groups (E2): the committee's meeting, a meeting of each
    group the same day, and each group's report three days later (GM3: late)."""
    everyone = sorted(m for _, members in groups for m in members)
    meeting = await _meeting(s, cell_id, everyone, month, day, mode=MeetingMode.GROUP, present=0)
    committee = Meeting(
        org_id=cell_id,
        kind=MeetingKind.COMMITTEE,
        mode=MeetingMode.IN_PERSON,
        status=MeetingStatus.CLOSED,
        title="Họp chi ủy",
        scheduled_start=at(month, day - 1) if day > 1 else at(month, day),
        parent_meeting_id=meeting.id,
    )
    s.add(committee)
    await s.flush()
    for group_id, members in groups:
        session_meeting = Meeting(
            org_id=group_id,
            kind=MeetingKind.GROUP,
            mode=MeetingMode.IN_PERSON,
            status=MeetingStatus.CLOSED,
            title="Sinh hoạt tổ đảng",
            scheduled_start=at(month, day),
            started_at=at(month, day),
            ended_at=at(month, day, 10),
            parent_meeting_id=meeting.id,
        )
        s.add(session_meeting)
        await s.flush()
        for member_id in members:
            s.add(
                AttendanceInterval(
                    meeting_id=session_meeting.id,
                    member_id=member_id,
                    way="room",
                    joined_at=at(month, day),
                    left_at=at(month, day, 10),
                )
            )
        s.add(
            GroupAssignment(
                cell_meeting_id=meeting.id,
                committee_meeting_id=committee.id,
                group_org_id=group_id,
                group_meeting_id=session_meeting.id,
                leader_member_id=members[0],
                committee_member_id=members[1],
                reported_at=at(month, day + 3, 9),
                report={"present": len(members)},
            )
        )
    await s.flush()
    return meeting


async def build(db: Database) -> Built:
    async with db.session() as s:
        committee = Organisation(
            level=OrgLevel.GRASSROOTS,
            name="Đảng bộ Cơ quan Tỉnh",
            code="DB-CQT",
            location="Yên Bái",
            created_at=dt.datetime(2025, 10, 1, tzinfo=dt.UTC),
        )
        s.add(committee)
        await s.flush()
        built = Built(committee.id, {}, {})
        groups: list[tuple[int, list[int]]] = []
        for code, name in NAMES.items():
            cell = Organisation(
                level=OrgLevel.CELL,
                parent_id=committee.id,
                name=name,
                code=code,
                location="Yên Bái",
                it_ready=True,
                created_at=dt.datetime(2025, 10, 1, tzinfo=dt.UTC),
            )
            s.add(cell)
            await s.flush()
            built.cells[code] = cell.id
            group_ids = []
            if code == GROUPS:
                for g in (1, 2):
                    group = Organisation(
                        level=OrgLevel.GROUP, parent_id=cell.id, name=f"Tổ đảng {g}", code=f"TO-{g}"
                    )
                    s.add(group)
                    await s.flush()
                    group_ids.append(group.id)
            ids = []
            for n in range(MEMBERS):
                member = Member(
                    org_id=cell.id,
                    group_id=group_ids[n % 2] if group_ids else None,
                    full_name=f"Đảng viên {code} {n + 1}",
                    status=MemberStatus.FULL,
                    e1a_reasons=["seafarer"] if code == OVER_CAP else [],
                )
                s.add(member)
                await s.flush()
                ids.append(member.id)
            built.members[code] = ids
            if group_ids:
                groups = [
                    (gid, [m for i, m in enumerate(ids) if i % 2 == k])
                    for k, gid in enumerate(group_ids)
                ]
        follower = Account(username="uyvien", display_name="Đồng chí Nguyễn Văn Theo")
        s.add(follower)
        await s.flush()
        built.follower = follower.id
        s.add(RoleAssignment(account_id=follower.id, org_id=committee.id, role=Role.COMMITTEE))
        for code, cell_id in built.cells.items():
            ids = built.members[code]
            made: list[Meeting] = []
            for month in range(1, 7):
                if code == LATE_CELL:
                    made.append(
                        await _meeting(
                            s,
                            cell_id,
                            ids,
                            month,
                            LATE[month],
                            minutes=60,
                            present=4,
                            documents=False,
                            task_report=False,
                            speakers=1,
                            valid_vote=False,
                            adopted=False,
                        )
                    )
                elif code == GROUPS and month in (1, 2):
                    made.append(await _groups_meeting(s, cell_id, groups, month, ON_TIME[month]))
                else:
                    made.append(
                        await _meeting(
                            s,
                            cell_id,
                            ids,
                            month,
                            ON_TIME[month],
                            mode=MeetingMode.HYBRID if code == OVER_CAP else MeetingMode.IN_PERSON,
                            extra_item="Giao ban công tác chuyên môn của cơ quan"
                            if code == COMBINING
                            else "",
                            deferred=1 if code == OVER_CAP and month == 2 else 0,
                        )
                    )
            if code not in (LATE_CELL, NO_THEMATIC):
                for month, day in THEMATIC:
                    made.append(
                        await _meeting(s, cell_id, ids, month, day, kind=MeetingKind.THEMATIC)
                    )
            built.meetings[code] = [m.id for m in made]
    return built
