"""A1 attendance: intervals of presence, continued across a reconnect within the grace period.

Presence is reported as a whole (:meth:`Attendance.sync` with ``{member_id: way}``). A member who
stops being present keeps an open interval for ``grace`` seconds; coming back within it (by the
same way) continues the interval, otherwise the interval is closed at the moment they left.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from server.storage import attendance as store
from server.storage.db import Database

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(slots=True)
class _Interval:
    interval_id: int
    way: str
    left_at: dt.datetime | None = None
    timer: asyncio.Task[None] | None = None


class Attendance:
    """The attendance intervals of one meeting, written as presence changes."""

    def __init__(
        self, db: Database, meeting_id: int, grace_seconds: float, clock: Clock = utc_now
    ) -> None:
        self._db = db
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

    async def sync(self, present: Mapping[int, str]) -> None:
        """``present``: member id → ``"online"`` or ``"room"``, for every counted member."""
        async with self._lock:
            if self._closed:
                return
            now = self._clock()
            for member_id, interval in list(self._open.items()):
                way = present.get(member_id)
                if way == interval.way:
                    continue
                del self._open[member_id]
                if way is not None:  # changed the way they attend: a new interval
                    await self._close(interval.interval_id, now)
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
                        pending.left_at, pending.timer = None, None
                        self._open[member_id] = pending
                        continue
                    assert pending.left_at is not None
                    await self._close(pending.interval_id, pending.left_at)
                async with self._db.session() as session:
                    interval_id = await store.open_interval(
                        session, self._meeting_id, member_id, way, now
                    )
                self._open[member_id] = _Interval(interval_id, way)

    async def _expire(self, member_id: int) -> None:
        await asyncio.sleep(self._grace)
        async with self._lock:
            interval = self._pending.get(member_id)
            if interval is None or interval.timer is not asyncio.current_task():
                return
            del self._pending[member_id]
            assert interval.left_at is not None
            await self._close(interval.interval_id, interval.left_at)

    async def _close(self, interval_id: int, at: dt.datetime) -> None:
        try:
            async with self._db.session() as session:
                await store.close_interval(session, interval_id, at)
        except Exception:
            log.exception("could not close attendance interval %s", interval_id)

    async def close(self) -> None:
        """Shutdown: close every interval, pending ones at the moment their member left."""
        async with self._lock:
            self._closed = True
            now = self._clock()
            for interval in self._pending.values():
                if interval.timer is not None:
                    interval.timer.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await interval.timer
                await self._close(interval.interval_id, interval.left_at or now)
            for interval in self._open.values():
                await self._close(interval.interval_id, now)
            self._pending.clear()
            self._open.clear()
