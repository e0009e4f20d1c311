"""Sign-in throttling that fits a ship: per account, per (account, address), and per address
only against guessing across many accounts.

Three counters, each within the window of ``login_lock_minutes``:

- ``pair:<username>@<address>`` — one member's tries from one place. No delay for the first two
  failures, then 2, 4, 8 … seconds (at most 60); at ``login_max_failures`` the pair is locked for
  ``login_lock_minutes``. This is the lock a member who forgot the password meets; the rest of
  the crew on the same uplink is not touched by it.
- ``acct:<username>`` — the same account tried from anywhere. Delays start only after
  ``login_max_failures`` failures and the lock comes at ``ACCOUNT_FACTOR`` times that, so a
  guesser who spreads over many addresses is stopped, while one stranger cannot lock a member
  out as quickly as the member could.
- ``addr:<address>`` — how many *different* accounts failed from this address. Only when
  ``login_address_accounts`` distinct accounts failed within the window (password spraying) is
  the address locked; a member's own failures count once however many they are, and not at
  all once that member signs in.

Redis (``BusSettings.redis_url``) shares the counts between processes; otherwise in-process.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis

from server.auth.context import Clock
from server.config import SecuritySettings

ACCOUNT_FACTOR = 4
PAIR_FREE = 2
MAX_DELAY_SECONDS = 60


@dataclass(frozen=True, slots=True)
class Verdict:
    failures: int
    retry_after: int  # seconds; 0 = may try again now
    locked: bool


def delay_after(failures: int, free: int, limit: int, lock_seconds: int) -> tuple[int, bool]:
    """The wait after the ``failures``-th failure: none up to ``free``, then doubling from 2 s,
    and the lock at ``limit``."""
    if failures >= limit:
        return lock_seconds, True
    if failures <= free:
        return 0, False
    return min(2 ** (failures - free), MAX_DELAY_SECONDS), False


class Throttle(Protocol):
    async def blocked_for(self, key: str) -> int: ...

    async def failure(self, key: str, free: int, limit: int) -> Verdict: ...

    async def spread(self, key: str, member: str, limit: int) -> Verdict:
        """Count ``member`` once among the distinct failures under ``key``; lock at ``limit``."""
        ...

    async def forgive(self, key: str, member: str) -> None:
        """``member`` signed in: it no longer counts among the distinct failures under ``key``."""
        ...

    async def clear(self, key: str) -> None: ...


class MemoryThrottle:
    def __init__(self, security: SecuritySettings, clock: Clock) -> None:
        self._window = security.login_lock_minutes * 60
        self._clock = clock
        self._counts: dict[str, tuple[int, dt.datetime]] = {}
        self._sets: dict[str, tuple[set[str], dt.datetime]] = {}
        self._until: dict[str, dt.datetime] = {}

    async def blocked_for(self, key: str) -> int:
        until = self._until.get(key)
        if until is None:
            return 0
        left = (until - self._clock()).total_seconds()
        if left <= 0:
            del self._until[key]
            return 0
        return math.ceil(left)

    def _block(self, key: str, seconds: int) -> None:
        if seconds:
            self._until[key] = self._clock() + dt.timedelta(seconds=seconds)

    async def failure(self, key: str, free: int, limit: int) -> Verdict:
        now = self._clock()
        count, first = self._counts.get(key, (0, now))
        if (now - first).total_seconds() >= self._window:
            count, first = 0, now
        count += 1
        self._counts[key] = (count, first)
        delay, locked = delay_after(count, free, limit, self._window)
        self._block(key, delay)
        if locked:
            del self._counts[key]
        return Verdict(count, delay, locked)

    async def spread(self, key: str, member: str, limit: int) -> Verdict:
        now = self._clock()
        members, first = self._sets.get(key, (set(), now))
        if (now - first).total_seconds() >= self._window:
            members, first = set(), now
        members.add(member)
        self._sets[key] = (members, first)
        count = len(members)
        locked = count >= limit
        if locked:
            self._block(key, self._window)
            del self._sets[key]
        return Verdict(count, self._window if locked else 0, locked)

    async def forgive(self, key: str, member: str) -> None:
        entry = self._sets.get(key)
        if entry is not None:
            entry[0].discard(member)

    async def clear(self, key: str) -> None:
        self._counts.pop(key, None)
        self._sets.pop(key, None)
        self._until.pop(key, None)


class RedisThrottle:
    def __init__(self, redis: Redis, security: SecuritySettings, prefix: str = "hopchibo") -> None:
        self._redis = redis
        self._window = security.login_lock_minutes * 60
        self._prefix = prefix

    def _keys(self, key: str) -> tuple[str, str, str]:
        p = self._prefix
        return f"{p}:thr:n:{key}", f"{p}:thr:until:{key}", f"{p}:thr:set:{key}"

    async def blocked_for(self, key: str) -> int:
        _, until, _ = self._keys(key)
        ttl = int(await self._redis.pttl(until))
        return math.ceil(ttl / 1000) if ttl > 0 else 0

    async def failure(self, key: str, free: int, limit: int) -> Verdict:
        count_key, until, _ = self._keys(key)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(count_key)
            pipe.expire(count_key, self._window, nx=True)
            count = int((await pipe.execute())[0])
        delay, locked = delay_after(count, free, limit, self._window)
        if delay:
            await self._redis.set(until, b"1", ex=delay)
        if locked:
            await self._redis.delete(count_key)
        return Verdict(count, delay, locked)

    async def spread(self, key: str, member: str, limit: int) -> Verdict:
        _, until, set_key = self._keys(key)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.sadd(set_key, member)
            pipe.expire(set_key, self._window, nx=True)
            pipe.scard(set_key)
            count = int((await pipe.execute())[2])
        locked = count >= limit
        if locked:
            await self._redis.set(until, b"1", ex=self._window)
            await self._redis.delete(set_key)
        return Verdict(count, self._window if locked else 0, locked)

    async def forgive(self, key: str, member: str) -> None:
        await self._redis.srem(self._keys(key)[2], member)

    async def clear(self, key: str) -> None:
        await self._redis.delete(*self._keys(key))
