"""Redis clients with a bounded pool. redis-py's default pool opens a connection for every
command running at the same moment and keeps them all: on the 3rd of the month (100 meetings
joining at once) a process held 36 connections to Redis after everyone had left, 31 more than
before, and nothing bounds it in a bigger crowd. Here at most ``POOL_CONNECTIONS`` are opened;
a command beyond them waits up to ``POOL_WAIT`` seconds for one to be free."""

from __future__ import annotations

from typing import Final

from redis.asyncio import BlockingConnectionPool, Redis

POOL_CONNECTIONS: Final = 4
POOL_WAIT: Final = 10.0


def bounded_redis(url: str, client_name: str | None = None) -> Redis:
    """A client whose ``aclose()`` also closes its pool's connections."""
    pool = BlockingConnectionPool.from_url(
        url, max_connections=POOL_CONNECTIONS, timeout=POOL_WAIT, client_name=client_name
    )
    return Redis.from_pool(pool)
