"""Where a new meeting goes (issue 15): a registry of the nodes (server processes) and their
load, so that meetings spread by load and a full node refuses instead of degrading everyone.

Each process writes its load to the Redis hash ``<prefix>:nodes`` (its owner id → meetings,
members, CPU share, limits, time) at every heartbeat and whenever a meeting starts or ends here;
the other processes read it. A meeting already live somewhere stays there
(:mod:`server.meeting.hosts`); for a meeting live nowhere, a process answers:

- **here** when it has room and hosts at most ``node.balance_margin`` meetings more than the least
  loaded live node with room (so the least loaded never sends a meeting on, and one always takes
  it);
- **elsewhere** when another live node has room and this one is full or more loaded than that:
  the WebSocket request gets 404 before the upgrade and nginx tries the next process
  (``proxy_next_upstream … http_404``), as for a meeting hosted elsewhere;
- **full** when no live node has room: the page is told so in Vietnamese (``node_full``).

Without Redis (one process) only this process's limits count. A node is live while its lease
runs (:mod:`server.leases`); the entries of others are dropped from the hash.
"""

from __future__ import annotations

import enum
import json
import logging
import time
from dataclasses import asdict, dataclass
from typing import Final, Protocol

from redis.asyncio import Redis

from server.config import NodeSettings, Settings
from server.leases import Leases
from server.redis_pool import bounded_redis

log = logging.getLogger(__name__)

#: an entry older than this many heartbeats is not trusted to describe its node
STALE_BEATS: Final = 3


class Placement(enum.Enum):
    HERE = "here"
    ELSEWHERE = "elsewhere"
    FULL = "full"


@dataclass(frozen=True, slots=True)
class Load:
    meetings: int
    members: int
    #: share of one core this process used since its last report (0..n cores)
    cpu: float = 0.0
    max_meetings: int = 0
    max_members: int = 0

    def has_room(self) -> bool:
        """Room for one more meeting (0: no limit)."""
        meetings_ok = not self.max_meetings or self.meetings < self.max_meetings
        members_ok = not self.max_members or self.members < self.max_members
        return meetings_ok and members_ok


def place(here: Load, others: list[Load], margin: int) -> Placement:
    """Where a meeting live nowhere goes, seen from ``here`` (``others``: the live nodes)."""
    roomy = [o for o in others if o.has_room()]
    if not here.has_room():
        return Placement.ELSEWHERE if roomy else Placement.FULL
    if roomy and here.meetings > min(o.meetings for o in roomy) + margin:
        return Placement.ELSEWHERE
    return Placement.HERE


class CpuMeter:
    """The share of a core this process used between two readings."""

    def __init__(self) -> None:
        self._wall, self._cpu = time.monotonic(), time.process_time()

    def read(self) -> float:
        wall, cpu = time.monotonic(), time.process_time()
        used = (cpu - self._cpu) / max(wall - self._wall, 1e-3)
        self._wall, self._cpu = wall, cpu
        return round(used, 3)


class Nodes(Protocol):
    async def report(self, meetings: int, members: int) -> None:
        """This node's load now."""

    async def placement(self, meetings: int, members: int) -> Placement:
        """Where a meeting live nowhere goes, this node hosting ``meetings`` with ``members``."""

    async def loads(self) -> dict[str, Load]:
        """The live nodes' last reports, by owner id (operators' tools and tests)."""

    async def close(self) -> None: ...


class LocalNodes:
    """One process: its own limits only."""

    def __init__(self, node: NodeSettings) -> None:
        self._node = node

    def _load(self, meetings: int, members: int) -> Load:
        return Load(meetings, members, 0.0, self._node.max_meetings, self._node.max_members)

    async def report(self, meetings: int, members: int) -> None:
        return None

    async def placement(self, meetings: int, members: int) -> Placement:
        return place(self._load(meetings, members), [], self._node.balance_margin)

    async def loads(self) -> dict[str, Load]:
        return {}

    async def close(self) -> None:
        return None


class RedisNodes(LocalNodes):
    """The registry in the Redis hash ``<prefix>:nodes``."""

    def __init__(
        self, url: str, prefix: str, leases: Leases, node: NodeSettings, stale_seconds: float
    ) -> None:
        super().__init__(node)
        self._leases = leases
        self._redis: Redis = bounded_redis(url)
        self._key = f"{prefix}:nodes"
        self._stale = stale_seconds
        self._cpu = CpuMeter()
        self._last_cpu = 0.0

    async def report(self, meetings: int, members: int) -> None:
        load = self._load(meetings, members)
        self._last_cpu = self._cpu.read()
        entry = {**asdict(load), "cpu": self._last_cpu, "at": time.time()}
        await self._redis.hset(self._key, self._leases.owner, json.dumps(entry))

    async def loads(self) -> dict[str, Load]:
        raw = await self._redis.hgetall(self._key)
        entries: dict[str, dict[str, object]] = {}
        for field, value in raw.items():
            try:
                data = json.loads(value)
                if isinstance(data, dict):
                    name = field.decode() if isinstance(field, bytes) else str(field)
                    entries[name] = data
            except (ValueError, UnicodeDecodeError):
                log.warning("node registry: an unreadable entry was skipped")
        alive = await self._leases.alive(list(entries))
        gone = [o for o in entries if o not in alive]
        if gone:
            await self._redis.hdel(self._key, *gone)
        now = time.time()
        out: dict[str, Load] = {}
        for owner in alive:
            data = entries[owner]
            at = data.pop("at", 0)
            if not isinstance(at, int | float) or now - at > self._stale:
                continue
            try:
                out[owner] = Load(**data)  # type: ignore[arg-type]
            except TypeError:
                log.warning("node registry: an entry of another shape was skipped")
        return out

    async def placement(self, meetings: int, members: int) -> Placement:
        others = [
            load for owner, load in (await self.loads()).items() if owner != self._leases.owner
        ]
        here = self._load(meetings, members)
        return place(here, others, self._node.balance_margin)

    async def close(self) -> None:
        try:
            await self._redis.hdel(self._key, self._leases.owner)
        finally:
            await self._redis.aclose()


def make_nodes(settings: Settings, leases: Leases) -> Nodes:
    """The Redis registry when ``bus.redis_url`` is set, else this process alone."""
    if settings.bus.redis_url:
        stale = STALE_BEATS * settings.attendance.heartbeat_seconds
        return RedisNodes(
            settings.bus.redis_url, settings.bus.key_prefix, leases, settings.node, stale
        )
    return LocalNodes(settings.node)
