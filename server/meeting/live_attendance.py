"""A1 attendance of a live meeting: online intervals, and the hall records the room follows.

Online presence is reported as a whole (:meth:`Attendance.sync` with ``{member_id: "online"}``).
A member who stops being present keeps an open interval for ``grace`` seconds; coming back within
it continues the interval, otherwise the interval is closed at the moment they left.

Exact after any crash (issue 14): each online interval is held by this process (its ``owner``,
whose lease :mod:`server.leases` keeps) and :meth:`Attendance.heartbeat` records, every
``attendance.heartbeat_seconds``, that its members were seen. An interval whose holder's lease
ran out ended when it was last seen (:func:`server.conduct.roll_call.ended_at`, the one rule
ballots and quorum read); :func:`recover` writes that end down once the grace has passed too,
audited as ``attendance.recovered`` by ``system:recovery``. A member who joins again while such an
interval is open continues it if its holder is alive or saw them within the grace, and otherwise
gets it closed the same way and a new one: never two open online intervals of a member. At
shutdown the intervals are handed over (no owner, seen now), so that members reconnecting to
another process within the grace keep their interval.

Hall presence is not kept here: the open room intervals written by
:mod:`server.conduct.roll_call` are the one record of it, whether a chair checks a member in on
the console, in the live meeting, or the member uses the hall code. After each change the
meetings live in this process re-read them (:func:`hall_members`), and the other processes are
told on the bus (:func:`announce_hall`, channel :func:`hall_channel`) to do the same. The same
channel carries the notice that the meeting was closed (:func:`announce_closed`): every process
where it is live ends it there.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from policy.error_codes import ProtocolError
from policy.model import MeetingStatus
from server.audit import AuditLog
from server.conduct import roll_call as hall
from server.conduct.common import load_scope
from server.leases import Leases
from server.storage import attendance as store
from server.storage import meetings as meeting_store
from server.storage.db import Database, Session
from server.storage.models import AttendanceInterval
from signaling.bus import Bus
from signaling.codec import load_json_object

log = logging.getLogger(__name__)

HALL_NOTICE: Final = "hall_changed"
CLOSED_NOTICE: Final = "meeting_closed"
NOTICES: Final = frozenset({HALL_NOTICE, CLOSED_NOTICE})
#: a notice is about 50 bytes; anything much larger is not one
MAX_NOTICE_BYTES: Final = 256


def hall_channel(meeting_id: int) -> str:
    return f"meeting:{meeting_id}:hall"


def hall_notice(meeting_id: int) -> dict[str, object]:
    """The bus message after a meeting's hall records changed: only which meeting (every
    process reads the records itself, so a lost, repeated or late notice does no harm)."""
    return {"v": 1, "type": HALL_NOTICE, "meeting_id": meeting_id}


def closed_notice(meeting_id: int) -> dict[str, object]:
    """The bus message after a meeting was closed (committed): every process ends it."""
    return {"v": 1, "type": CLOSED_NOTICE, "meeting_id": meeting_id}


def notice_kind(payload: bytes, meeting_id: int) -> str | None:
    """:data:`HALL_NOTICE` or :data:`CLOSED_NOTICE` if ``payload`` is exactly such a notice for
    ``meeting_id`` (strict JSON, no other key), else ``None``."""
    try:
        obj = load_json_object(payload, MAX_NOTICE_BYTES)
    except ProtocolError:
        return None
    v, kind, mid = obj.get("v"), obj.get("type"), obj.get("meeting_id")
    if (
        set(obj) == {"v", "type", "meeting_id"}
        and type(v) is int
        and v == 1
        and isinstance(kind, str)
        and kind in NOTICES
        and type(mid) is int
        and mid == meeting_id
    ):
        return kind
    return None


def is_hall_notice(payload: bytes, meeting_id: int) -> bool:
    """Whether ``payload`` is exactly a hall notice for ``meeting_id``."""
    return notice_kind(payload, meeting_id) == HALL_NOTICE


async def _announce(bus: Bus, meeting_id: int, notice: dict[str, object]) -> None:
    try:
        await bus.publish(hall_channel(meeting_id), notice)
    except Exception:
        log.exception("meeting %s: %s notice not published", meeting_id, notice["type"])


async def announce_hall(bus: Bus, meeting_id: int) -> None:
    """Tell the other processes that ``meeting_id``'s hall records changed (logged if not)."""
    await _announce(bus, meeting_id, hall_notice(meeting_id))


async def announce_closed(bus: Bus, meeting_id: int) -> None:
    """Tell the other processes that ``meeting_id`` was closed (logged if not)."""
    await _announce(bus, meeting_id, closed_notice(meeting_id))


async def hall_members(db: Database, meeting_id: int) -> list[int]:
    """A1: the members checked in at the hall now, first arrived first."""
    async with db.session() as session:
        return await hall.in_hall(session, meeting_id)


async def record_hall(
    db: Database,
    audit: AuditLog,
    meeting_id: int,
    actor: str,
    member_ids: Sequence[int],
    *,
    checked_in: bool,
    at: dt.datetime,
) -> list[int]:
    """A chair's hall check-in or check-out from the live meeting, written and audited exactly
    as the chair console's (same rules, same one room interval per member); those changed.
    Refusals are :class:`~server.errors.AppError`, and nothing is written."""
    async with db.session() as session:
        scope = await load_scope(session, meeting_id)
        write = hall.check_in if checked_in else hall.check_out
        done = await write(session, scope, member_ids, at)
        action, details = hall.hall_audit(checked_in, done)
        await audit.record(actor, action, f"meeting:{meeting_id}", details, session=session)
    return done


Clock = Callable[[], dt.datetime]

#: the audit actor of the intervals closed because their process died
RECOVERY_ACTOR: Final = "system:recovery"


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def _close_recovered(
    session: Session,
    audit: AuditLog,
    rows: Sequence[AttendanceInterval],
    live_owners: set[str],
    by: str,
) -> list[AttendanceInterval]:
    """Close each of ``rows`` whose holder has no lease at the time it was last seen, if it is
    still open and held by the same owner (not taken over meanwhile); audit them per meeting."""
    closed: list[AttendanceInterval] = []
    for row in rows:
        end = hall.ended_at(row, live_owners)
        if end is not None and await store.close_held(session, row.id, row.owner, end):
            row.left_at = end
            closed.append(row)
    for meeting_id in sorted({r.meeting_id for r in closed}):
        mine = [r for r in closed if r.meeting_id == meeting_id]
        await audit.record(
            RECOVERY_ACTOR,
            "attendance.recovered",
            f"meeting:{meeting_id}",
            {
                "by": by,
                "intervals": [r.id for r in mine],
                "members": [r.member_id for r in mine],
                "ended_at": [r.left_at.isoformat() for r in mine if r.left_at is not None],
            },
            session=session,
        )
        log.info(
            "meeting %s: %d online interval(s) of a process that died closed at last-seen",
            meeting_id,
            len(mine),
        )
    return closed


async def recover(
    db: Database,
    audit: AuditLog,
    leases: Leases,
    grace: dt.timedelta,
    *,
    now: dt.datetime | None = None,
) -> int:
    """Close the online intervals of processes without a lease whose grace has run out since
    they were last seen, at that time (A1), audited; how many. Run at start-up and after every
    heartbeat by each process; a row closed or taken over meanwhile is left alone."""
    now = now or utc_now()
    async with db.session() as session:
        owners = await store.open_owners(session)
        named = {o for o in owners if o is not None}
        live = await leases.alive(named) if named else set()
        dead = {o for o in owners if o is None or o not in live}
        if not dead:
            return 0
        rows = [
            r
            for r in await store.open_held_by(session, dead)
            if (r.last_seen or r.joined_at) + grace <= now
        ]
        return len(await _close_recovered(session, audit, rows, live, "sweep"))


async def recover_meeting(
    session: Session, audit: AuditLog, leases: Leases, meeting_id: int
) -> int:
    """When the meeting closes: its online intervals held by no live process end when they were
    last seen, not at the close (A1), audited; how many."""
    rows = await store.open_online(session, meeting_id)
    named = {r.owner for r in rows if r.owner is not None}
    live = await leases.alive(named) if named else set()
    return len(await _close_recovered(session, audit, rows, live, "meeting_close"))


@dataclass(slots=True)
class _Interval:
    interval_id: int
    way: str
    left_at: dt.datetime | None = None
    timer: asyncio.Task[None] | None = None
    due: bool = False  # its grace ran out: to be closed with the others due (one transaction)


class Attendance:
    """The online attendance intervals of one meeting, written as presence changes. It never
    opens or closes a room interval: those belong to the hall records."""

    def __init__(
        self,
        db: Database,
        meeting_id: int,
        grace_seconds: float,
        clock: Clock = utc_now,
        on_settled: Callable[[], None] | None = None,
        *,
        leases: Leases,
        audit: AuditLog,
    ) -> None:
        """``on_settled``: called after a grace period ran out and its interval was closed
        (the live meeting checks whether it is now idle, to be released). ``leases``: this
        process's (its owner id holds the intervals written here)."""
        self._on_settled = on_settled
        self._db = db
        self._audit = audit
        self._leases = leases
        self._owner = leases.owner
        self._meeting_id = meeting_id
        self._grace = grace_seconds
        self._clock = clock
        self._open: dict[int, _Interval] = {}  # present now
        self._pending: dict[int, _Interval] = {}  # left, within the grace period
        self._lock = asyncio.Lock()
        self._closed = False

    @property
    def idle(self) -> bool:
        return not self._open and not self._pending

    async def sync(self, present_now: Callable[[], Mapping[int, str]]) -> None:
        """``present_now()``: member id → ``"online"``, for every counted member connected.
        It is read under the lock, so syncs queued behind a slow write apply the latest
        presence, never an older snapshot after a newer one."""
        async with self._lock:
            if self._closed:
                return
            present = present_now()
            now = self._clock()
            closing: list[tuple[int, dt.datetime]] = []
            opening: list[tuple[int, str]] = []
            for member_id, interval in list(self._open.items()):
                way = present.get(member_id)
                if way == interval.way:
                    continue
                del self._open[member_id]
                if way is not None:  # changed the way they attend: a new interval
                    closing.append((interval.interval_id, now))
                    continue
                interval.left_at = now
                interval.timer = asyncio.get_running_loop().create_task(self._expire(member_id))
                self._pending[member_id] = interval
            for member_id, way in present.items():
                if member_id in self._open:
                    continue
                pending = self._pending.pop(member_id, None)
                if pending is not None:
                    if pending.timer is not None:
                        pending.timer.cancel()
                    if pending.way == way:  # back within the grace period: same interval
                        pending.left_at, pending.timer, pending.due = None, None, False
                        self._open[member_id] = pending
                        continue
                    assert pending.left_at is not None
                    closing.append((pending.interval_id, pending.left_at))
                opening.append((member_id, way))
            if not closing and not opening:
                return
            if closing:
                await self._close_many(closing)
            if opening:
                await self._open_or_continue(opening, now)

    async def _open_or_continue(self, opening: Sequence[tuple[int, str]], now: dt.datetime) -> None:
        """Hold an interval for each of ``opening`` (in one transaction, however many join at
        once): the member's open one if its holder is alive or saw them within the grace (a
        reconnect to another process, or to this one started again), else a new one, after
        closing the stale one at its last-seen time. Nothing while the meeting is closed."""
        grace = dt.timedelta(seconds=self._grace)
        async with self._db.session() as session:
            meeting = await meeting_store.get(session, self._meeting_id)
            if meeting is None or meeting.status in (
                MeetingStatus.CLOSED,
                MeetingStatus.CANCELLED,
            ):
                return  # closed meanwhile (its intervals ended with it)
            rows = await store.open_online(session, self._meeting_id, [m for m, _ in opening])
            owners = {r.owner for r in rows if r.owner is not None}
            live = await self._leases.alive(owners) if owners else set()
            stale: list[AttendanceInterval] = []
            for member_id, way in opening:
                kept: AttendanceInterval | None = None
                for row in reversed([r for r in rows if r.member_id == member_id]):
                    end = hall.ended_at(row, live)
                    if kept is None and (end is None or end + grace >= now):
                        kept = row
                    else:
                        stale.append(row)
                if kept is not None:
                    await store.hold(session, [kept.id], self._owner, now)
                    self._open[member_id] = _Interval(kept.id, way)
                    continue
                interval_id = await store.open_interval(
                    session, self._meeting_id, member_id, way, now, owner=self._owner
                )
                self._open[member_id] = _Interval(interval_id, way)
            # never two open online intervals of a member: any other ends at its last-seen
            await _close_recovered(session, self._audit, stale, set(), "rejoin")

    async def heartbeat(self) -> None:
        """Record that the members connected here were seen now (and that this process holds
        their intervals). An interval closed meanwhile by another process (this one was too
        slow to renew its lease, and it was recovered) is replaced by a new one: the member is
        still here."""
        async with self._lock:
            if self._closed or not self._open:
                return
            now = self._clock()
            held = {i.interval_id: m for m, i in self._open.items()}
            async with self._db.session() as session:
                still = await store.hold(session, held, self._owner, now)
            lost = [(m, self._open.pop(m).way) for i, m in held.items() if i not in still]
            if lost:
                log.warning(
                    "meeting %s: %d interval(s) held here were closed elsewhere; opened again",
                    self._meeting_id,
                    len(lost),
                )
                await self._open_or_continue(lost, now)

    async def _expire(self, member_id: int) -> None:
        await asyncio.sleep(self._grace)
        interval = self._pending.get(member_id)
        if interval is None or interval.timer is not asyncio.current_task():
            return
        interval.due = True
        async with self._lock:
            # every interval whose grace ran out meanwhile (a crowd that left together) is
            # closed in the same transaction, each at the time its member left
            due = {m: i for m, i in self._pending.items() if i.due}
            if member_id not in due:
                return  # closed with others, or its member came back
            await self._close_many(
                [(i.interval_id, i.left_at) for i in due.values() if i.left_at is not None]
            )
            # only now: until the end is written the meeting is not idle (a release meanwhile
            # would hand the interval over open)
            for m in due:
                del self._pending[m]
        if self._on_settled is not None:
            self._on_settled()

    async def _close_many(self, ends: Sequence[tuple[int, dt.datetime]]) -> None:
        """Close intervals held here, in one transaction (those taken over are theirs now)."""
        try:
            async with self._db.session() as session:
                for interval_id, at in ends:
                    await store.close_held(session, interval_id, self._owner, at)
        except Exception:
            log.exception("could not close %d attendance interval(s)", len(ends))

    async def close(self) -> None:
        """Shutdown or release: hand every interval over, open ones seen now, pending ones when
        their member left. They stay open without an owner, so a member who reconnects within
        the grace (to another process, or to this one started again) continues theirs; for the
        others :func:`recover` writes that end once the grace has run out."""
        async with self._lock:
            self._closed = True
            now = self._clock()
            for interval in self._pending.values():
                if interval.timer is not None:
                    interval.timer.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await interval.timer
            handed = [(i.interval_id, i.left_at or now) for i in self._pending.values()]
            handed += [(i.interval_id, now) for i in self._open.values()]
            if handed:
                try:
                    async with self._db.session() as session:
                        for interval_id, seen in handed:
                            await store.hand_over(session, interval_id, self._owner, seen)
                except Exception:
                    log.exception("meeting %s: intervals not handed over", self._meeting_id)
            self._pending.clear()
            self._open.clear()
