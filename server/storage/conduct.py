"""Repository of meeting conduct: absences, hall codes, item notes, votes and
ballots, documents, minutes and the party-group cycle. Only this module builds their queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete, func, select, update

from policy.model import ItemStatus, MeetingStatus, Role
from server.crypto.keys import KeyPurpose
from server.storage.db import Session
from server.storage.models import (
    Absence,
    Account,
    AgendaItem,
    Ballot,
    Meeting,
    Minutes,
    Organisation,
    RoleAssignment,
    Vote,
)
from server.storage.models_conduct import CheckinCode, GroupAssignment, ItemNote, MeetingDocument
from server.storage.models_records import WrappedKeyRow

# -- absences (M1); attendance intervals are in server/storage/attendance.py ------------------


async def absences(session: Session, meeting_id: int) -> Sequence[Absence]:
    query = select(Absence).where(Absence.meeting_id == meeting_id).order_by(Absence.member_id)
    return (await session.execute(query)).scalars().all()


async def set_absence(
    session: Session, meeting_id: int, member_id: int, with_reason: bool, reason: str
) -> Absence:
    query = select(Absence).where(Absence.meeting_id == meeting_id, Absence.member_id == member_id)
    row = (await session.execute(query)).scalars().first()
    if row is None:
        row = Absence(meeting_id=meeting_id, member_id=member_id)
        session.add(row)
    row.with_reason = with_reason
    row.reason = reason
    await session.flush()
    return row


async def clear_absence(session: Session, meeting_id: int, member_id: int) -> None:
    await session.execute(
        delete(Absence).where(Absence.meeting_id == meeting_id, Absence.member_id == member_id)
    )


# -- hall codes --------------------------------------------------------------------------------


async def add_code(session: Session, row: CheckinCode) -> CheckinCode:
    session.add(row)
    await session.flush()
    return row


async def live_code(
    session: Session, meeting_id: int, code_hash: str, at: dt.datetime
) -> CheckinCode | None:
    query = select(CheckinCode).where(
        CheckinCode.meeting_id == meeting_id,
        CheckinCode.code_hash == code_hash,
        CheckinCode.expires_at > at,
    )
    return (await session.execute(query)).scalars().first()


async def expire_codes(session: Session, meeting_id: int, at: dt.datetime) -> None:
    """A new code replaces the previous ones: they stop working at once."""
    for row in (
        (
            await session.execute(
                select(CheckinCode).where(
                    CheckinCode.meeting_id == meeting_id, CheckinCode.expires_at > at
                )
            )
        )
        .scalars()
        .all()
    ):
        row.expires_at = at
    await session.flush()


# -- agenda and notes --------------------------------------------------------------------------


async def open_items(session: Session, meeting_id: int) -> Sequence[AgendaItem]:
    query = select(AgendaItem).where(
        AgendaItem.meeting_id == meeting_id, AgendaItem.status == ItemStatus.OPEN
    )
    return (await session.execute(query)).scalars().all()


async def deferred_items(
    session: Session, org_ids: Sequence[int]
) -> Sequence[tuple[AgendaItem, Meeting]]:
    query = (
        select(AgendaItem, Meeting)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(Meeting.org_id.in_(org_ids), AgendaItem.status == ItemStatus.DEFERRED)
        .order_by(Meeting.scheduled_start, AgendaItem.position)
    )
    return [(row[0], row[1]) for row in (await session.execute(query)).all()]


async def add_note(session: Session, note: ItemNote) -> ItemNote:
    session.add(note)
    await session.flush()
    return note


async def notes(session: Session, item_ids: Sequence[int]) -> Sequence[ItemNote]:
    if not item_ids:
        return ()
    query = select(ItemNote).where(ItemNote.item_id.in_(item_ids)).order_by(ItemNote.id)
    return (await session.execute(query)).scalars().all()


# -- votes (A3, A4) ----------------------------------------------------------------------------


async def vote(session: Session, vote_id: int) -> Vote | None:
    return await session.get(Vote, vote_id)


async def hold_open_vote(session: Session, vote_id: int) -> bool:
    """Take the vote's row for this transaction while it is still open: PostgreSQL's row lock,
    SQLite's write lock, until the commit. A ballot, a hall count and the close each take it
    first, so none of them is written beside a close that did not count it; False if the vote
    was closed meanwhile (by the transaction that held it before)."""
    query = (
        update(Vote)
        .where(Vote.id == vote_id, Vote.closed_at.is_(None))
        .values(id=Vote.id)
        .returning(Vote.id)
        .execution_options(synchronize_session=False)
    )
    return (await session.execute(query)).first() is not None


async def votes(session: Session, meeting_id: int) -> Sequence[Vote]:
    query = select(Vote).where(Vote.meeting_id == meeting_id).order_by(Vote.id)
    return (await session.execute(query)).scalars().all()


async def add_vote(session: Session, row: Vote) -> Vote:
    session.add(row)
    await session.flush()
    return row


async def ballots(session: Session, vote_id: int) -> Sequence[Ballot]:
    query = select(Ballot).where(Ballot.vote_id == vote_id).order_by(Ballot.member_id)
    return (await session.execute(query)).scalars().all()


async def cast(
    session: Session, vote_id: int, member_id: int, choice: str, at: dt.datetime
) -> tuple[Ballot, bool]:
    """Record or change a member's ballot; returns it and whether it replaced an earlier one."""
    query = select(Ballot).where(Ballot.vote_id == vote_id, Ballot.member_id == member_id)
    row = (await session.execute(query)).scalars().first()
    changed = row is not None
    if row is None:
        row = Ballot(vote_id=vote_id, member_id=member_id)
        session.add(row)
    row.choice = choice
    row.cast_at = at
    await session.flush()
    return row, changed


# -- documents (M3) ----------------------------------------------------------------------------


async def add_document(session: Session, row: MeetingDocument) -> MeetingDocument:
    session.add(row)
    await session.flush()
    return row


async def document(session: Session, document_id: int) -> MeetingDocument | None:
    return await session.get(MeetingDocument, document_id)


async def documents(session: Session, meeting_id: int) -> Sequence[MeetingDocument]:
    query = (
        select(MeetingDocument)
        .where(MeetingDocument.meeting_id == meeting_id)
        .order_by(MeetingDocument.id)
    )
    return (await session.execute(query)).scalars().all()


async def first_publications(session: Session, org_id: int) -> dict[int, dt.datetime]:
    """When each meeting of ``org_id`` first published a document to its members (M3)."""
    query = (
        select(MeetingDocument.meeting_id, func.min(MeetingDocument.published_at))
        .join(Meeting, Meeting.id == MeetingDocument.meeting_id)
        .where(Meeting.org_id == org_id, MeetingDocument.published_at.is_not(None))
        .group_by(MeetingDocument.meeting_id)
    )
    return {mid: at for mid, at in (await session.execute(query)).all()}


async def documents_key_id(session: Session, meeting_id: int) -> str | None:
    """The data key of the meeting's latest encrypted document whose key still exists (R7):
    ``None`` before the first upload, or once every key the meeting used was shredded."""
    query = (
        select(MeetingDocument.key_id)
        .join(WrappedKeyRow, WrappedKeyRow.key_id == MeetingDocument.key_id)
        .where(
            MeetingDocument.meeting_id == meeting_id,
            WrappedKeyRow.purpose == KeyPurpose.DOCUMENTS.value,
        )
        .order_by(MeetingDocument.id.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar()


async def has_legacy_documents(session: Session) -> bool:
    """Whether any document is still stored in clear (``enc_version`` 0)."""
    query = select(MeetingDocument.id).where(MeetingDocument.enc_version == 0).limit(1)
    return (await session.execute(query)).scalar() is not None


async def legacy_document_ids(session: Session) -> list[int]:
    query = (
        select(MeetingDocument.id)
        .where(MeetingDocument.enc_version == 0)
        .order_by(MeetingDocument.id)
    )
    return [int(i) for i in (await session.execute(query)).scalars().all()]


def forget(session: Session, row: MeetingDocument) -> None:
    """Drop a flushed row from the session, so a long conversion holds one document at a time."""
    session.expunge(row)


# -- minutes (M1) ------------------------------------------------------------------------------


async def minutes(session: Session, meeting_id: int) -> Minutes | None:
    query = select(Minutes).where(Minutes.meeting_id == meeting_id)
    return (await session.execute(query)).scalars().first()


async def add_minutes(session: Session, row: Minutes) -> Minutes:
    session.add(row)
    await session.flush()
    return row


# -- party groups (§II.4.2) --------------------------------------------------------------------


async def add_assignment(session: Session, row: GroupAssignment) -> GroupAssignment:
    session.add(row)
    await session.flush()
    return row


async def assignments(session: Session, cell_meeting_id: int) -> Sequence[GroupAssignment]:
    query = (
        select(GroupAssignment)
        .where(GroupAssignment.cell_meeting_id == cell_meeting_id)
        .order_by(GroupAssignment.id)
    )
    return (await session.execute(query)).scalars().all()


async def assignment_of(session: Session, group_meeting_id: int) -> GroupAssignment | None:
    query = select(GroupAssignment).where(GroupAssignment.group_meeting_id == group_meeting_id)
    return (await session.execute(query)).scalars().first()


async def committee_member_ids(session: Session, org_id: int) -> frozenset[int]:
    """Members who sit on the cell committee: linked accounts holding secretary, deputy or
    committee roles on the cell."""
    query = (
        select(Account.member_id)
        .join(RoleAssignment, RoleAssignment.account_id == Account.id)
        .where(
            RoleAssignment.org_id == org_id,
            RoleAssignment.role.in_((Role.SECRETARY, Role.DEPUTY, Role.COMMITTEE)),
            Account.member_id.is_not(None),
        )
    )
    return frozenset(int(m) for m in (await session.execute(query)).scalars().all() if m)


async def group_leader_member_ids(session: Session, group_id: int) -> list[int]:
    """Members holding a party group's leader role through a linked account (oldest first)."""
    query = (
        select(Account.member_id)
        .join(RoleAssignment, RoleAssignment.account_id == Account.id)
        .where(
            RoleAssignment.org_id == group_id,
            RoleAssignment.role == Role.GROUP_LEADER,
            Account.member_id.is_not(None),
        )
        .order_by(RoleAssignment.id)
    )
    return [int(m) for m in (await session.execute(query)).scalars().all() if m]


async def reports_owed(session: Session, member_id: int) -> Sequence[Meeting]:
    """GM3: the party-group meetings a member leads whose report the committee still waits
    for (not cancelled), earliest first: also once past, when the report is late."""
    query = (
        select(Meeting)
        .join(GroupAssignment, GroupAssignment.group_meeting_id == Meeting.id)
        .where(
            GroupAssignment.leader_member_id == member_id,
            GroupAssignment.reported_at.is_(None),
            Meeting.status != MeetingStatus.CANCELLED,
        )
        .order_by(Meeting.scheduled_start, Meeting.id)
    )
    return (await session.execute(query)).scalars().all()


async def attending(
    session: Session, member_id: int
) -> Sequence[tuple[GroupAssignment, Meeting, Organisation]]:
    """§II.4.2: the party-group meetings a committee member is assigned to attend, with the
    group's meeting and the group, earliest first."""
    query = (
        select(GroupAssignment, Meeting, Organisation)
        .join(Meeting, Meeting.id == GroupAssignment.group_meeting_id)
        .join(Organisation, Organisation.id == GroupAssignment.group_org_id)
        .where(GroupAssignment.committee_member_id == member_id)
        .order_by(Meeting.scheduled_start, Meeting.id)
    )
    return [(a, m, o) for a, m, o in (await session.execute(query)).all()]
