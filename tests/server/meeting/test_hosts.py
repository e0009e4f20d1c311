"""Issue 14: one room per meeting across processes. A process asked for a meeting that another
live process hosts answers the upgrade with 404 (the proxy tries the next process); a claim of a
process that is gone (its lease ran out, or its Redis connection closed as a kill does) is taken
over at once. The same with nginx and a real kill: tests/web_client/test_failover_browser.py."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiohttp import WSServerHandshakeError
from redis.asyncio import Redis

from server import appkeys
from server.app import create_app
from server.leases import RedisLeases, new_owner_id
from server.meeting.hosts import RedisHosts, connection_name
from server.redis_pool import POOL_CONNECTIONS
from tests.backends import require_env
from tests.conftest import AiohttpClient, Client
from tests.server.meeting.conftest import live_settings
from tests.server.meeting.support import ORIGIN, Cell, Peer, make_cell
from tests.server.meeting.test_hall_presence import open_meeting

pytestmark = pytest.mark.redis


@pytest.fixture
async def pair(aiohttp_client: AiohttpClient, tmp_path: Path, db_url: str) -> tuple[Client, Client]:
    """Two server processes on one database and one Redis (one key prefix), claims on."""
    require_env("HOPCHIBO_TEST_REDIS_URL")
    settings = live_settings(tmp_path, db_url, reconnect_grace_seconds=1)
    one = await aiohttp_client(create_app(settings))
    two = await aiohttp_client(create_app(settings))
    return one, two


def _base(client: Client) -> str:
    return str(client.make_url("")).rstrip("/")


def _claim_key(client: Client, meeting_id: int) -> str:
    assert client.app is not None
    return f"{client.app[appkeys.SETTINGS].bus.key_prefix}:host:{meeting_id}"


async def _open_cell(client: Client) -> tuple[Cell, str, str]:
    """A cell with its meeting open, the Redis URL and the key prefix of ``client``."""
    assert client.app is not None
    cell = await make_cell(client.app)
    await open_meeting(client.app, cell.meeting_id)
    prefix = client.app[appkeys.SETTINGS].bus.key_prefix
    return cell, require_env("HOPCHIBO_TEST_REDIS_URL"), prefix


async def _released(client: Client, meeting_id: int) -> None:
    assert client.app is not None
    live = client.app[appkeys.LIVE]
    for _ in range(200):
        if meeting_id not in live.live_ids():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("still live")


async def test_a_join_to_another_process_is_sent_on_to_the_host(
    pair: tuple[Client, Client],
) -> None:
    one, two = pair
    assert one.app is not None and two.app is not None
    cell = await make_cell(one.app)
    await open_meeting(one.app, cell.meeting_id)
    chair = Peer(_base(two), cell.people["chair"])
    member = Peer(_base(one), cell.people["member"])
    try:
        await chair.join(cell.meeting_id)  # live in two, which claims it
        await member.sign_in()
        with pytest.raises(WSServerHandshakeError) as refused:
            await member.connect(cell.meeting_id)
        assert refused.value.status == 404
        resp = await member.http.get(
            f"{member.base_url}/ws/meetings/{cell.meeting_id}", headers={"Origin": ORIGIN}
        )
        body = await resp.json()
        assert resp.status == 404 and body["code"] == "unavailable", body
        assert body["message"]["vi"].startswith("Cuộc họp đang diễn ra trên một máy chủ khác")
        assert one.app[appkeys.LIVE].get(cell.meeting_id) is None  # never live twice

        # once the host lets it go, the next process asked hosts it
        await chair.send({"type": "leave"})
        await _released(two, cell.meeting_id)
        await member.join(cell.meeting_id)
        assert one.app[appkeys.LIVE].get(cell.meeting_id) is not None
        redis: Redis = Redis.from_url(require_env("HOPCHIBO_TEST_REDIS_URL"))
        try:
            held = await redis.get(_claim_key(one, cell.meeting_id))
        finally:
            await redis.aclose()
        assert held == one.app[appkeys.LIVE].leases.owner.encode()
    finally:
        for peer in (chair, member):
            await peer.close()


@pytest.mark.parametrize("lease_left", [False, True])
async def test_a_claim_of_a_process_that_is_gone_is_taken_over(
    pair: tuple[Client, Client], lease_left: bool
) -> None:
    """Gone: no lease (it ran out), or a lease still running but no Redis connection of its own
    (killed a moment ago: the kernel closed its sockets)."""
    one, _ = pair
    cell, url, prefix = await _open_cell(one)
    dead = new_owner_id()
    redis: Redis = Redis.from_url(url)
    member = Peer(_base(one), cell.people["member"])
    leases = RedisLeases(url, prefix, dead, 60)
    try:
        if lease_left:
            await leases.renew()
        await redis.set(_claim_key(one, cell.meeting_id), dead.encode(), px=60_000)
        names = [c.get("name") for c in await redis.client_list(_type="normal")]
        assert connection_name(dead) not in names
        await member.join(cell.meeting_id)
        assert one.app[appkeys.LIVE].get(cell.meeting_id) is not None
        held = await redis.get(_claim_key(one, cell.meeting_id))
        assert held == one.app[appkeys.LIVE].leases.owner.encode()
    finally:
        await member.close()
        await leases.close()
        await redis.aclose()


async def test_a_claim_of_a_live_process_holds(pair: tuple[Client, Client]) -> None:
    """Alive: its lease runs and its named connection is open. Nothing is taken from it."""
    one, _ = pair
    cell, url, prefix = await _open_cell(one)
    other = new_owner_id()
    leases = RedisLeases(url, prefix, other, 60)
    named: Redis = Redis.from_url(url, client_name=connection_name(other))
    member = Peer(_base(one), cell.people["member"])
    try:
        await leases.renew()
        await named.set(_claim_key(one, cell.meeting_id), other.encode(), px=60_000)
        with pytest.raises(WSServerHandshakeError):
            await member.connect(cell.meeting_id)
        assert one.app[appkeys.LIVE].get(cell.meeting_id) is None
        assert (await named.get(_claim_key(one, cell.meeting_id))) == other.encode()
    finally:
        await member.close()
        await leases.close()
        await named.aclose()


async def test_a_crowd_of_claims_holds_a_bounded_number_of_redis_connections() -> None:
    """Issue 15: a hundred meetings claimed at once (the 3rd of the month) open at most
    ``POOL_CONNECTIONS`` connections, kept named for the liveness check, closed on close."""
    url = require_env("HOPCHIBO_TEST_REDIS_URL")
    owner = new_owner_id()
    leases = RedisLeases(url, "hopchibo-test-pool", owner, 30)
    hosts = RedisHosts(url, "hopchibo-test-pool", leases, 30)
    watcher = Redis.from_url(url)
    try:
        await leases.renew()

        async def mine() -> int:
            clients = await watcher.client_list(_type="normal")
            return sum(1 for c in clients if c.get("name") == connection_name(owner))

        claimed = await asyncio.gather(*(hosts.claim(10_000 + i) for i in range(100)))
        assert all(claimed)
        assert 1 <= await mine() <= POOL_CONNECTIONS
        await hosts.close()
        assert await mine() == 0
    finally:
        await watcher.delete(*(f"hopchibo-test-pool:host:{10_000 + i}" for i in range(100)))
        await watcher.aclose()
        await leases.close()
