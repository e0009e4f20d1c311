"""The roll call (A1–A3): hall check-in by the secretary or by a rotating code, check-out,
absences, and the live summary that merges hall and online presence.

A1: one member counts once: presences through both channels are merged per member with the
reconnect grace (MediaSettings.reconnect_grace_seconds). Online intervals are written by the
live meeting; this module writes only ``way='room'`` intervals, whichever way the check-in comes
(the chair console, the hall code, or a chair in the live meeting): the open room intervals are
the one record of who is in the hall, and the live meeting's room follows them.

An online interval is held by the process with the member's connection (``owner``); while that
process's lease runs the interval is open, and once it has run out (the process died, or gave the
interval up at shutdown) the interval ended when the process last saw the member
(:func:`ended_at`). Ballots, quorum, the summary and the recovery that writes those ends down
(:mod:`server.meeting.live_attendance`) all read presence through this one rule.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from policy.quorum import (
    Channel,
    Interval,
    Presence,
    check_quorum,
    counted_full_members,
    present_at,
)
from server.conduct.common import Scope, category, conflict, invalid, require_open
from server.rules import member_facts
from server.storage import attendance as attendance_store
from server.storage import conduct as store
from server.storage.db import Session
from server.storage.models import AttendanceInterval
from server.storage.models_conduct import CheckinCode

if TYPE_CHECKING:
    from server.leases import Liveness

#: a hall code lives this long; the chair's screen fetches a new one before it runs out
CODE_SECONDS = 60
#: unambiguous capitals and digits (no 0/O, 1/I/L); 8 of them: about 10^12 codes
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def _hash(meeting_id: int, code: str) -> str:
    return hashlib.sha256(f"{meeting_id}:{code.strip().upper()}".encode()).hexdigest()


def ended_at(row: AttendanceInterval, live_owners: Collection[str]) -> dt.datetime | None:
    """A1: when the interval ended, ``None`` while it runs. An online interval whose holder has
    no lease (``live_owners``: the owners that have one) ended when it last saw the member."""
    if row.left_at is not None or row.way != "online":
        return row.left_at
    if row.owner is not None and row.owner in live_owners:
        return None
    return max(row.joined_at, row.last_seen or row.joined_at)


async def live_owners_of(rows: Iterable[AttendanceInterval], alive: Liveness) -> set[str]:
    """The holders of these open online intervals that have a lease now (one question)."""
    owners = {r.owner for r in rows if r.way == "online" and r.left_at is None and r.owner}
    return await alive(owners) if owners else set()


async def presences(rows: Sequence[AttendanceInterval], alive: Liveness) -> list[Presence]:
    live = await live_owners_of(rows, alive)
    return [
        Presence(str(r.member_id), Channel(r.way), Interval(r.joined_at, _end(r, live)))
        for r in rows
    ]


def _end(row: AttendanceInterval, live: Collection[str]) -> dt.datetime | None:
    """:func:`ended_at`, never before the start: an interval stored ending before it began (a
    clock set back, an older version) counts as no time at all instead of breaking the
    meeting's attendance."""
    end = ended_at(row, live)
    return None if end is None else max(end, row.joined_at)


async def present_now(
    session: Session, meeting_id: int, at: dt.datetime, grace: dt.timedelta, alive: Liveness
) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """Members present at ``at``: (all, in the room, online), each merged with ``grace`` (A1);
    ``alive`` says which processes holding online intervals are alive (:func:`ended_at`)."""
    rows = await attendance_store.of_meeting(session, meeting_id)
    all_presences = [_reconnecting(p, at, grace) for p in await presences(rows, alive)]
    room = [p for p in all_presences if p.channel is Channel.ROOM]
    online = [p for p in all_presences if p.channel is Channel.ONLINE]
    return (
        present_at(all_presences, at, grace),
        present_at(room, at, grace),
        present_at(online, at, grace),
    )


def _reconnecting(presence: Presence, at: dt.datetime, grace: dt.timedelta) -> Presence:
    """A1: an online connection that dropped less than ``grace`` ago may still reconnect, so
    the member still counts as present at ``at``. A check-out from the hall is deliberate and
    ends presence at once."""
    end = presence.interval.end
    if presence.channel is Channel.ONLINE and end is not None and end <= at <= end + grace:
        return Presence(presence.member_id, presence.channel, Interval(presence.interval.start))
    return presence


async def in_hall(session: Session, meeting_id: int) -> list[int]:
    """A1: the members checked in at the hall now (an open room interval), first arrived first."""
    rows = await attendance_store.of_meeting(session, meeting_id)
    return list(dict.fromkeys(r.member_id for r in rows if r.way == "room" and r.left_at is None))


def hall_audit(
    checked_in: bool, done: Sequence[int], by: str = "secretary"
) -> tuple[str, dict[str, Any]]:
    """The audit action and details of a hall check-in (``by`` the secretary or the hall code)
    or check-out, the same whichever way it came: member ids, nothing else."""
    if checked_in:
        return "attendance.check_in", {"way": "room", "by": by, "members": list(done)}
    return "attendance.check_out", {"way": "room", "members": list(done)}


def _known(scope: Scope, member_ids: Sequence[int]) -> None:
    unknown = [m for m in member_ids if scope.member(m) is None]
    if unknown:
        raise invalid("conduct.attendance.unknown_members", ids=", ".join(map(str, unknown)))


async def check_in(
    session: Session, scope: Scope, member_ids: Sequence[int], at: dt.datetime
) -> list[int]:
    """Open a room interval for each member not already checked in; returns those checked in
    now. A member checked in is no longer recorded as absent."""
    require_open(scope.meeting)
    _known(scope, member_ids)
    done: list[int] = []
    for member_id in dict.fromkeys(member_ids):
        if (
            await attendance_store.open_room_interval(session, scope.meeting.id, member_id)
            is not None
        ):
            continue
        await attendance_store.add_interval(
            session,
            AttendanceInterval(
                meeting_id=scope.meeting.id, member_id=member_id, way="room", joined_at=at
            ),
        )
        await store.clear_absence(session, scope.meeting.id, member_id)
        done.append(member_id)
    return done


async def check_out(
    session: Session, scope: Scope, member_ids: Sequence[int], at: dt.datetime
) -> list[int]:
    require_open(scope.meeting)
    _known(scope, member_ids)
    done: list[int] = []
    for member_id in dict.fromkeys(member_ids):
        row = await attendance_store.open_room_interval(session, scope.meeting.id, member_id)
        if row is not None:
            row.left_at = max(at, row.joined_at)
            done.append(member_id)
    await session.flush()
    return done


async def issue_code(session: Session, scope: Scope, at: dt.datetime) -> tuple[str, dt.datetime]:
    """A fresh hall code; earlier codes stop working. Only the hash is stored."""
    require_open(scope.meeting)
    await store.expire_codes(session, scope.meeting.id, at)
    code = "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))
    expires = at + dt.timedelta(seconds=CODE_SECONDS)
    await store.add_code(
        session,
        CheckinCode(
            meeting_id=scope.meeting.id,
            code_hash=_hash(scope.meeting.id, code),
            issued_at=at,
            expires_at=expires,
        ),
    )
    return code, expires


async def use_code(
    session: Session, scope: Scope, member_id: int, code: str, at: dt.datetime
) -> bool:
    """Check ``member_id`` in to the room with the hall code; False if already checked in."""
    require_open(scope.meeting)
    if scope.member(member_id) is None:
        raise conflict("conduct.attendance.not_invited")
    if await store.live_code(session, scope.meeting.id, _hash(scope.meeting.id, code), at) is None:
        raise invalid("conduct.attendance.bad_code")
    return bool(await check_in(session, scope, [member_id], at))


async def record_absences(
    session: Session, scope: Scope, entries: Sequence[tuple[int, bool, str]]
) -> None:
    """M1: absences with or without a reason; a member present now cannot be marked absent."""
    _known(scope, [e[0] for e in entries])
    for member_id, with_reason, reason in entries:
        if (
            await attendance_store.open_room_interval(session, scope.meeting.id, member_id)
            is not None
        ):
            raise conflict("conduct.attendance.present_not_absent", member=member_id)
        await store.set_absence(session, scope.meeting.id, member_id, with_reason, reason)


async def summary(
    session: Session, scope: Scope, at: dt.datetime, grace: dt.timedelta, alive: Liveness
) -> dict[str, Any]:
    """The live attendance: who is present and how, by category, counted full members (A2) and
    the quorum decision (A3)."""
    present, room, online = await present_now(session, scope.meeting.id, at, grace, alive)
    # M1: whoever attended at any time (the minutes' chair and secretary, also after the close)
    attended = {r.member_id for r in await attendance_store.of_meeting(session, scope.meeting.id)}
    facts = member_facts(scope.members)
    counted = counted_full_members(facts, present, on=scope.on)
    quorum = check_quorum(facts, present, scope.rules, on=scope.on)
    absences = {a.member_id: a for a in await store.absences(session, scope.meeting.id)}
    by_category: dict[str, int] = {
        "full": 0,
        "probationary": 0,
        "exempted": 0,
        "temporarily_attached": 0,
        "suspended": 0,
    }
    people = []
    for m in scope.members:
        key = str(m.id)
        here = key in present
        if here:
            by_category[category(m, scope.on)] += 1
        absence = absences.get(m.id)
        people.append(
            {
                "member_id": m.id,
                "full_name": m.full_name,
                "category": category(m, scope.on),
                "present": here,
                "attended": here or m.id in attended,
                "ways": [w for w, s in (("room", room), ("online", online)) if key in s],
                "counted": key in counted,
                "absence": None
                if absence is None
                else {"with_reason": absence.with_reason, "reason": absence.reason},
            }
        )
    return {
        "meeting_id": scope.meeting.id,
        "at": at.isoformat(),
        "members": len(scope.members),
        "present": len(present),
        "room": len(room),
        "online": len(online - room),
        "by_category": by_category,
        "counted_full_members": len(counted),
        "counted_full_present": len(counted & present),
        "quorum": quorum.as_dict(),
        "people": people,
    }
