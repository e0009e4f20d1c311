"""What every conduct service needs: the meeting with its organisation and members, the rule
set it is judged by, and refusals with Vietnamese-first messages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from policy.error_codes import ErrorCode
from policy.i18n import tr
from policy.model import MeetingStatus, MemberFlag, MemberStatus, OrgLevel
from policy.rulesets import RuleSet, regime_for
from server.errors import AppError
from server.rules import local_date, member_facts
from server.storage import meetings as meeting_store
from server.storage import members as member_store
from server.storage import organisations as org_store
from server.storage.db import Session
from server.storage.models import Meeting, Member, Organisation


def conflict(key: str, /, **params: object) -> AppError:
    """409: the action does not fit the current state (nothing was changed)."""
    return AppError(409, ErrorCode.CONFLICT, tr(key, **params))


def invalid(key: str, /, **params: object) -> AppError:
    """422: the request names something that does not belong here."""
    return AppError(422, ErrorCode.VALIDATION, tr(key, **params))


def missing(key: str, /, **params: object) -> AppError:
    return AppError(404, ErrorCode.NOT_FOUND, tr(key, **params))


@dataclass(frozen=True, slots=True)
class Scope:
    """A meeting as conduct sees it. ``org`` holds the meeting (a cell, or a party group for a
    group's meeting); ``cell`` is the cell; ``members`` are those invited as members: the cell's
    members, or the group's members for a group's meeting."""

    meeting: Meeting
    org: Organisation
    cell: Organisation
    parent: Organisation | None
    members: Sequence[Member]

    @property
    def is_group(self) -> bool:
        return self.org.level is OrgLevel.GROUP

    def member(self, member_id: int) -> Member | None:
        return next((m for m in self.members if m.id == member_id), None)

    @property
    def on(self) -> dt.date:
        return local_date(self.meeting.scheduled_start)

    @property
    def rules(self) -> RuleSet:
        """Quorum and majority thresholds in force on the meeting's date (E4)."""
        return regime_for(self.on)


async def load_scope(session: Session, meeting_id: int) -> Scope:
    meeting = await meeting_store.get(session, meeting_id)
    if meeting is None:
        raise missing("conduct.not_found.meeting")
    return await scope_of(session, meeting)


async def scope_of(session: Session, meeting: Meeting) -> Scope:
    org = await org_store.get(session, meeting.org_id)
    assert org is not None  # foreign key
    if org.level is OrgLevel.GROUP:
        assert org.parent_id is not None
        cell = await org_store.get(session, org.parent_id)
        assert cell is not None
        members = await member_store.of_group(session, org.id)
    else:
        cell = org
        members = await member_store.of_org(session, org.id)
    parent = await org_store.get(session, cell.parent_id) if cell.parent_id else None
    return Scope(meeting, org, cell, parent, members)


def flags_on(member: Member, on: dt.date) -> frozenset[MemberFlag]:
    """The member's flags that hold on ``on`` (a flag with dates only within them; A2)."""
    facts = member_facts([member])[0]
    return frozenset(flag for flag in MemberFlag if facts.flag_on(flag, on))


def category(member: Member, on: dt.date) -> str:
    """The attendance category a member is listed under in the minutes (M1) on ``on``, the
    meeting's date: a flag outside its dates does not place the member under it (A2)."""
    flags = flags_on(member, on)
    if MemberFlag.SUSPENDED in flags:
        return "suspended"
    if MemberFlag.TEMPORARILY_ATTACHED in flags:
        return "temporarily_attached"
    if MemberFlag.EXEMPTED in flags:
        return "exempted"
    return "full" if member.status is MemberStatus.FULL else "probationary"


def require_open(meeting: Meeting) -> None:
    if meeting.status is not MeetingStatus.OPEN:
        raise conflict("conduct.meeting.not_open", status=meeting.status.value)


def require_not_closed(meeting: Meeting) -> None:
    if meeting.status in (MeetingStatus.CLOSED, MeetingStatus.CANCELLED):
        raise conflict("conduct.meeting.finished", status=meeting.status.value)
