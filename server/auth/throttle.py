"""Sign-in throttling per account and per address: growing delays, then a temporary lock.

After the ``n``-th failure within the window: no delay for the first two, then 2, 4, 8 … seconds
(at most 60); at ``login_max_failures`` the key is locked for ``login_lock_minutes``. An address
gets four times the account's allowance (several members may share a ship's uplink).
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

ADDRESS_FACTOR = 4
MAX_DELAY_SECONDS = 60


@dataclass(frozen=True, slots=True)
class Verdict:
    failures: int
    retry_after: int  # seconds; 0 = may try again now
    locked: bool


def delay_after(failures: int, limit: int, lock_seconds: int) -> tuple[int, bool]:
    if failures >= limit:
        return lock_seconds, True
    if failures < 3:
        return 0, False
    return min(2 ** (failures - 2), MAX_DELAY_SECONDS), False


class Throttle(Protocol):
    async def blocked_for(self, key: str) -> int: ...

    async def failure(self, key: str, limit: int) -> Verdict: ...

    async def clear(self, key: str) -> None: ...


class MemoryThrottle:
    def __init__(self, security: SecuritySettings, clock: Clock) -> None:
        self._window = security.login_lock_minutes * 60
        self._clock = clock
        self._counts: dict[str, tuple[int, dt.datetime]] = {}
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

    async def failure(self, key: str, limit: int) -> Verdict:
        now = self._clock()
        count, first = self._counts.get(key, (0, now))
        if (now - first).total_seconds() >= self._window:
            count, first = 0, now
        count += 1
        self._counts[key] = (count, first)
        delay, locked = delay_after(count, limit, self._window)
        if delay:
            self._until[key] = now + dt.timedelta(seconds=delay)
        if locked:
            del self._counts[key]
        return Verdict(count, delay, locked)

    async def clear(self, key: str) -> None:
        self._counts.pop(key, None)
        self._until.pop(key, None)


class RedisThrottle:
    def __init__(self, redis: Redis, security: SecuritySettings, prefix: str = "hopchibo") -> None:
        self._redis = redis
        self._window = security.login_lock_minutes * 60
        self._prefix = prefix

    def _keys(self, key: str) -> tuple[str, str]:
        return f"{self._prefix}:thr:n:{key}", f"{self._prefix}:thr:until:{key}"

    async def blocked_for(self, key: str) -> int:
        _, until = self._keys(key)
        ttl = int(await self._redis.pttl(until))
        return math.ceil(ttl / 1000) if ttl > 0 else 0

    async def failure(self, key: str, limit: int) -> Verdict:
        count_key, until = self._keys(key)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(count_key)
            pipe.expire(count_key, self._window, nx=True)
            count = int((await pipe.execute())[0])
        delay, locked = delay_after(count, limit, self._window)
        if delay:
            await self._redis.set(until, b"1", ex=delay)
        if locked:
            await self._redis.delete(count_key)
        return Verdict(count, delay, locked)

    async def clear(self, key: str) -> None:
        await self._redis.delete(*self._keys(key))
