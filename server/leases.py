"""The lease of a server process: how the others tell that it is alive (issue 14, A1).

Each process has an owner id and renews its lease every ``attendance.heartbeat_seconds``; the
lease runs ``attendance.lease_seconds`` past each renewal. An online attendance interval names
the process holding its connection; while that process's lease runs, the interval is open, and
once it has run out the interval ended when the process last saw the member
(:mod:`server.meeting.live_attendance`). The lease lives in Redis when ``bus.redis_url`` is set
(a key that expires by itself), in the database otherwise (``process_leases``; the processes'
clocks must agree, as they must for TOTP anyway).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Collection
from typing import Protocol

from redis.asyncio import Redis

from server.config import Settings
from server.redis_pool import bounded_redis
from server.storage import leases as store
from server.storage.db import Database

#: which owners, of those asked, hold a lease now
Liveness = Callable[[Collection[str]], Awaitable[set[str]]]

#: a lease that ran out this long ago is dropped from the database (its intervals are recovered)
FORGET_AFTER = dt.timedelta(days=1)


def new_owner_id() -> str:
    """Unique to this process run: the host and pid (for operators) and a random part (a pid is
    reused, a host renamed); at most 64 characters."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


class Leases(Protocol):
    owner: str

    async def renew(self) -> None:
        """Hold this process's lease for another lease period."""

    async def alive(self, owners: Collection[str]) -> set[str]:
        """Those of ``owners`` whose lease runs now (this process's own included once renewed)."""

    async def release(self) -> None:
        """Give the lease up at once (clean shutdown): the others may take over now."""

    async def close(self) -> None: ...


class DatabaseLeases:
    """Leases in the ``process_leases`` table, judged by the wall clock of the process asking."""

    def __init__(self, db: Database, owner: str, lease_seconds: int) -> None:
        self.owner = owner
        self._db = db
        self._lease = dt.timedelta(seconds=lease_seconds)

    async def renew(self) -> None:
        now = dt.datetime.now(dt.UTC)
        async with self._db.session() as session:
            await store.renew(session, self.owner, now + self._lease)
            await store.forget_expired(session, now - FORGET_AFTER)

    async def alive(self, owners: Collection[str]) -> set[str]:
        if not owners:
            return set()
        async with self._db.session() as session:
            return await store.alive(session, owners, dt.datetime.now(dt.UTC))

    async def release(self) -> None:
        async with self._db.session() as session:
            await store.release(session, self.owner)

    async def close(self) -> None:
        return None


class RedisLeases:
    """Leases as Redis keys that expire by themselves (``<prefix>:lease:<owner>``): Redis's clock
    alone decides, whatever the processes' clocks say."""

    def __init__(self, url: str, prefix: str, owner: str, lease_seconds: int) -> None:
        self.owner = owner
        self._redis: Redis = bounded_redis(url)
        self._prefix = f"{prefix}:lease:"
        self._lease_ms = lease_seconds * 1000

    async def renew(self) -> None:
        await self._redis.set(self._prefix + self.owner, b"1", px=self._lease_ms)

    async def alive(self, owners: Collection[str]) -> set[str]:
        names = list(owners)
        if not names:
            return set()
        values = await self._redis.mget([self._prefix + o for o in names])
        return {o for o, v in zip(names, values, strict=True) if v is not None}

    async def release(self) -> None:
        await self._redis.delete(self._prefix + self.owner)

    async def close(self) -> None:
        await self._redis.aclose()


def make_leases(settings: Settings, db: Database, owner: str | None = None) -> Leases:
    """Redis leases when ``bus.redis_url`` is set, else the database's."""
    owner = owner or new_owner_id()
    lease = settings.attendance.lease_seconds
    if settings.bus.redis_url:
        return RedisLeases(settings.bus.redis_url, settings.bus.key_prefix, owner, lease)
    return DatabaseLeases(db, owner, lease)
