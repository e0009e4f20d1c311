"""Which process hosts a live meeting (issue 14: one room per meeting, also after a process that
died comes back).

Behind nginx (``deploy/nginx/hopchibo.conf``) a meeting is hashed to one process. When that
process dies its members move to another one; when it comes back, nginx sends new joins to it
again, and without more the meeting would be live twice, its members split between two rooms
that neither see nor hear each other. So each process claims, in Redis, the meetings live in it
(``<prefix>:host:<meeting id>`` holds its owner id, renewed with its lease), and a process asked
for a meeting whose claim names another live process answers the WebSocket upgrade with 404
``hosted_elsewhere``: nginx tries the next process (``proxy_next_upstream … http_404`` on
``/ws/``), the one hosting it. A claim of a dead process is taken over at once: a process is
dead when its lease ran out or when its own Redis connection (named after its owner id) is gone,
which the kernel closes the moment the process is killed, so the fail-over waits for nothing.

Without Redis there is one process, and every meeting is this process's own
(:class:`LocalHosts`); so it is too when ``bus.one_host_per_meeting`` is off (processes without
a proxy that retries, where a meeting live in two processes is followed over the bus).
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from typing import Final, Protocol

from redis.asyncio import Redis

from server.config import Settings
from server.leases import Leases
from server.redis_pool import bounded_redis

log = logging.getLogger(__name__)

#: ``KEYS[1]``: the claim; ``ARGV``: this owner, the claim's life (ms), the dead owner it may
#: replace (``""``: none). 1 when this owner holds it now, else the owner that does.
_CLAIM: Final = """
local held = redis.call('GET', KEYS[1])
if (not held) or held == ARGV[1] or (ARGV[3] ~= '' and held == ARGV[3]) then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return held
"""
_RELEASE: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def connection_name(owner: str) -> str:
    """The Redis client name of ``owner``'s connection (no spaces: owner ids have none)."""
    return f"hopchibo-host:{owner}"


class Hosts(Protocol):
    async def claim(self, meeting_id: int) -> bool:
        """Host ``meeting_id`` here; False if another live process hosts it."""

    async def elsewhere(self, meeting_id: int) -> bool:
        """Whether another live process hosts ``meeting_id`` (a join belongs there)."""

    async def renew(self, meeting_ids: Collection[int]) -> None:
        """Keep the claims of the meetings live here for another lease period."""

    async def release(self, meeting_id: int) -> None:
        """No longer live here: the next process asked may host it."""

    async def close(self) -> None: ...


class LocalHosts:
    """One process (or claims turned off): every meeting is this process's own."""

    async def claim(self, meeting_id: int) -> bool:
        return True

    async def elsewhere(self, meeting_id: int) -> bool:
        return False

    async def renew(self, meeting_ids: Collection[int]) -> None:
        return None

    async def release(self, meeting_id: int) -> None:
        return None

    async def close(self) -> None:
        return None


class RedisHosts:
    """Claims as Redis keys that expire with the lease period unless renewed."""

    def __init__(self, url: str, prefix: str, leases: Leases, lease_seconds: int) -> None:
        self._leases = leases
        self._owner = leases.owner
        self._redis: Redis = bounded_redis(url, connection_name(leases.owner))
        self._prefix = f"{prefix}:host:"
        self._life_ms = lease_seconds * 1000

    def _key(self, meeting_id: int) -> str:
        return f"{self._prefix}{meeting_id}"

    async def _try(self, meeting_id: int, replacing: str = "") -> str | None:
        """None when this process holds the claim now, else the owner that does."""
        held = await self._redis.eval(
            _CLAIM, 1, self._key(meeting_id), self._owner, str(self._life_ms), replacing
        )
        if held == 1:
            return None
        return held.decode() if isinstance(held, bytes) else str(held)

    async def _alive(self, owner: str) -> bool:
        """Its lease runs and its Redis connection is open (a killed process's is not)."""
        if owner not in await self._leases.alive([owner]):
            return False
        clients = await self._redis.client_list(_type="normal")
        return any(c.get("name") == connection_name(owner) for c in clients)

    async def claim(self, meeting_id: int) -> bool:
        held = await self._try(meeting_id)
        if held is None:
            return True
        if await self._alive(held):
            return False
        log.warning("meeting %s: taking over from %s, which is gone", meeting_id, held)
        return await self._try(meeting_id, replacing=held) is None

    async def elsewhere(self, meeting_id: int) -> bool:
        held = await self._redis.get(self._key(meeting_id))
        if held is None:
            return False
        owner = held.decode() if isinstance(held, bytes) else str(held)
        return owner != self._owner and await self._alive(owner)

    async def renew(self, meeting_ids: Collection[int]) -> None:
        for meeting_id in meeting_ids:
            held = await self._try(meeting_id)
            if held is not None:
                log.warning(
                    "meeting %s: also live in %s (claimed while ours ran out)", meeting_id, held
                )

    async def release(self, meeting_id: int) -> None:
        await self._redis.eval(_RELEASE, 1, self._key(meeting_id), self._owner)

    async def close(self) -> None:
        await self._redis.aclose()


def make_hosts(settings: Settings, leases: Leases) -> Hosts:
    """Redis claims when ``bus.redis_url`` is set and ``bus.one_host_per_meeting`` is on."""
    if settings.bus.redis_url and settings.bus.one_host_per_meeting:
        return RedisHosts(
            settings.bus.redis_url,
            settings.bus.key_prefix,
            leases,
            settings.attendance.lease_seconds,
        )
    return LocalHosts()
