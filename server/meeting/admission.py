"""Who may join a live meeting, and as what (deny by default, R7)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from policy.error_codes import ErrorCode, ProtocolError
from policy.i18n import tr
from policy.model import MeetingKind, MeetingStatus, Role
from server.auth.authz import Permission, allowed, roles_at
from server.auth.context import AccountContext
from server.plaintext import one_line
from server.storage import admissions as admission_store
from server.storage import meetings as meeting_store
from server.storage import members as member_store
from server.storage import oversight as oversight_store
from server.storage.db import Database
from server.storage.models import Meeting
from signaling.room import Identity, room_role

#: when an account holds several roles on the cell, the first of these decides its room role
ROLE_ORDER = (
    Role.SECRETARY,
    Role.DEPUTY,
    Role.GROUP_LEADER,
    Role.COMMITTEE,
    Role.MEMBER,
    Role.OBSERVER,
    Role.ROOM_DEVICE,
)
LIVE_STATUSES = frozenset({MeetingStatus.SCHEDULED, MeetingStatus.OPEN})


@dataclass(frozen=True, slots=True)
class MeetingInfo:
    id: int
    org_id: int
    group_meeting: bool
    locked: bool


@dataclass(frozen=True, slots=True)
class Attendee:
    identity: Identity
    member_id: int | None  # counted in A1 when set and a member of the cell
    account_id: int
    #: the caller as authenticated at the upgrade: the conduct flows the socket starts (chat,
    #: presenting a document) check their permission with it, as over HTTP (deny by default)
    context: AccountContext | None = None


def user_id_of(member_id: int | None, account_id: int) -> str:
    """The room's user id: per member (so a hall check-in and an online join are one), else
    per account (room device, observers from the superior committee)."""
    return f"m{member_id}" if member_id is not None else f"a{account_id}"


def member_id_of(user_id: str) -> int | None:
    """The member id in a room user id made by :func:`user_id_of`; ``None`` for an account's."""
    digits = user_id[1:]
    if user_id.startswith("m") and digits.isascii() and digits.isdigit():
        return int(digits)
    return None


def _joinable(meeting: Meeting | None) -> Meeting:
    """The meeting if it may still be joined; :class:`ProtocolError` if it does not exist or is
    closed or cancelled."""
    if meeting is None:
        raise _refuse(ErrorCode.NOT_FOUND, what=tr("ui.live.what_meeting").vi)
    if meeting.status not in LIVE_STATUSES:
        raise _refuse(ErrorCode.CONFLICT, "ui.live.meeting_closed")
    return meeting


async def require_live(db: Database, meeting_id: int) -> None:
    """:class:`ProtocolError` unless the meeting may still be joined (read again now)."""
    async with db.session() as session:
        _joinable(await meeting_store.get(session, meeting_id))


def _refuse(code: ErrorCode, key: str | None = None, **params: object) -> ProtocolError:
    return ProtocolError(code, tr(key, **params) if key else code.text(**params))


class PageAccess(str, Enum):
    """What a meeting's page shell shows: the page, or a readable 404/403 in its place."""

    OK = "ok"
    MISSING = "missing"
    FORBIDDEN = "forbidden"


async def page_access(
    db: Database, context: AccountContext, meeting_id: int, *, chair: bool
) -> PageAccess:
    """R7, deny by default: the member page needs the right to attend or read the meeting's
    cell, the chair console the right to chair it. A security officer sees neither."""
    async with db.session() as session:
        meeting = await meeting_store.get(session, meeting_id)
    if meeting is None:
        return PageAccess.MISSING
    needed = (
        (Permission.MEETING_CHAIR,)
        if chair
        else (Permission.MEETING_ATTEND, Permission.MEETING_READ)
    )
    if any(allowed(context, p, meeting.org_id) for p in needed):
        return PageAccess.OK
    return PageAccess.FORBIDDEN


async def admit_account(
    db: Database, context: AccountContext, meeting_id: int
) -> tuple[MeetingInfo, Attendee]:
    """The meeting and the caller's identity in its room; :class:`ProtocolError` if refused."""
    async with db.session() as session:
        meeting = _joinable(await meeting_store.get(session, meeting_id))
        info = MeetingInfo(
            id=meeting.id,
            org_id=meeting.org_id,
            group_meeting=meeting.kind is MeetingKind.GROUP,
            locked=meeting.locked,
        )
        if not allowed(context, Permission.MEETING_ATTEND, meeting.org_id):
            raise _refuse(ErrorCode.FORBIDDEN, "ui.live.not_your_meeting")
        held = roles_at(context, meeting.org_id)
        role = next(r for r in ROLE_ORDER if r in held)
        if room_role(role, group_meeting=info.group_meeting) is None:
            raise _refuse(ErrorCode.FORBIDDEN, "ui.live.not_your_meeting")
        if role is Role.OBSERVER:
            # S1: a superior committee member attending as observer: recorded once per meeting
            await oversight_store.record_online_visit(session, meeting.id, context.account_id)
        cell_member = False
        member_id = context.member_id if role is not Role.ROOM_DEVICE else None
        if member_id is not None:
            member = await member_store.get(session, member_id)
            cell_member = member is not None and (
                member.org_id == meeting.org_id or member.group_id == meeting.org_id
            )
    identity = Identity(
        user_id=user_id_of(member_id, context.account_id),
        # a name stored before the edge refused control characters must not break the join
        display_name=one_line(context.display_name, 200)
        or one_line(context.username, 200, empty="?"),
        role=role,
        cell_member=cell_member,
    )
    return info, Attendee(identity, member_id if cell_member else None, context.account_id, context)


async def cell_directory(db: Database, org_id: int) -> dict[str, Identity]:
    """The members who can be checked in at the hall (A1), by room user id: those of the
    cell, or of the party group whose meeting it is (as :func:`admit_account` counts them)."""
    async with db.session() as session:
        members = [
            *await member_store.of_org(session, org_id),
            *await member_store.of_group(session, org_id),
        ]
        return {
            user_id_of(m.id, 0): Identity(
                user_id=user_id_of(m.id, 0),
                display_name=one_line(m.full_name, 200, empty=str(m.id)),
                role=Role.MEMBER,
                cell_member=True,
            )
            for m in members
        }


async def remember_admission(db: Database, meeting_id: int, user_id: str, admitted: bool) -> None:
    """Record a chair's decision in the room (admit: True; deny or remove: False), for a room
    rebuilt in another process (:func:`room_admissions`)."""
    async with db.session() as session:
        await admission_store.remember(
            session, meeting_id, user_id, admitted, dt.datetime.now(dt.UTC)
        )


async def remember_admissions(
    db: Database, meeting_id: int, user_ids: Sequence[str], *, admitted: bool
) -> None:
    """Record one decision for many people at once (``admit_all``), in one transaction."""
    at = dt.datetime.now(dt.UTC)
    async with db.session() as session:
        await admission_store.remember_many(session, meeting_id, user_ids, admitted, at)


async def room_admissions(db: Database, meeting_id: int) -> dict[str, bool]:
    """The chair's decisions recorded in the meeting's room: user id → let in or kept out."""
    async with db.session() as session:
        return await admission_store.of_meeting(session, meeting_id)
