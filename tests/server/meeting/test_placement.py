"""Issue 15: meetings placed across nodes. Three real ``hopchibo serve`` processes share
PostgreSQL and Redis behind Debian's nginx with the deploy configuration; each node takes at most
two meetings. Chairs open six meetings through nginx: they spread two per node, whatever the
hash says (a node with more meetings than the least loaded answers 404 before the upgrade and
nginx tries the next). The seventh is refused with the Vietnamese message, and once a meeting
ends a place is free again."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import urllib.request
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import ClientSession, CookieJar, TCPConnector
from redis.asyncio import Redis

from server.config import DatabaseSettings, ServerSettings, load_settings
from tests.backends import POSTGRES_ENV, PostgresDatabase, require_env
from tests.conftest import free_port, unique_key_prefix
from tests.nginx import nginx_config, start_nginx
from tests.processes import Server
from tests.server.meeting.support import ORIGIN, Cell, Peer, cell_in_database

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(600)]

NODES, PER_NODE = 3, 2


@dataclass
class Nodes:
    base: str  # through nginx
    servers: list[Server]
    cells: list[Cell]
    redis_url: str
    prefix: str

    def live(self) -> list[int]:
        """Meetings live in each node (its ``hopchibo_live_meetings`` gauge)."""
        counts = []
        for server in self.servers:
            with urllib.request.urlopen(f"{server.base}/metrics", timeout=5) as resp:  # noqa: S310
                text = resp.read().decode()
            match = re.search(r"^hopchibo_live_meetings (\S+)$", text, re.M)
            assert match is not None
            counts.append(int(float(match.group(1))))
        return counts


@pytest.fixture
async def nodes(tmp_path: Path, postgres: PostgresDatabase | None) -> AsyncIterator[Nodes]:
    require_env(POSTGRES_ENV)
    redis_url = require_env("HOPCHIBO_TEST_REDIS_URL")
    assert postgres is not None
    port, ports = free_port(), tuple(free_port() for _ in range(NODES))
    settings = load_settings(
        {},
        server=ServerSettings(var_dir=tmp_path / "var"),
        database=DatabaseSettings(url=await postgres.fresh()),
    )
    settings.server.var_dir.mkdir(parents=True)
    cells = [await cell_in_database(settings, f"c{i}") for i in range(NODES * PER_NODE + 1)]
    prefix = unique_key_prefix()
    env = {
        "HOPCHIBO_SERVER_VAR_DIR": str(settings.server.var_dir),
        "HOPCHIBO_SERVER_PUBLIC_ORIGIN": ORIGIN,
        "HOPCHIBO_SERVER_TRUSTED_PROXIES": "127.0.0.1/32",
        "HOPCHIBO_DATABASE_URL": settings.database_url,
        "HOPCHIBO_BUS_REDIS_URL": redis_url,
        "HOPCHIBO_BUS_KEY_PREFIX": prefix,
        "HOPCHIBO_MEDIA_RECONNECT_GRACE_SECONDS": "1",
        "HOPCHIBO_NODE_MAX_MEETINGS": str(PER_NODE),
        "HOPCHIBO_NODE_BALANCE_MARGIN": "0",
    }
    servers = [Server(p, env, tmp_path / f"node{i}.log") for i, p in enumerate(ports)]
    conf_dir = tmp_path / "nginx"
    conf_dir.mkdir()
    nginx: subprocess.Popen[bytes] | None = None
    try:
        await asyncio.gather(*(asyncio.to_thread(s.start) for s in servers))
        nginx = await asyncio.to_thread(start_nginx, nginx_config(conf_dir, port, ports))
        yield Nodes(f"https://127.0.0.1:{port}", servers, cells, redis_url, prefix)
    finally:
        if nginx is not None:
            nginx.terminate()
            nginx.wait(timeout=30)
        for server in servers:
            await asyncio.to_thread(server.stop)


def _chair(nodes: Nodes, cell: Cell) -> Peer:
    """The cell's chair through nginx (its certificate is the test's own)."""
    peer = Peer(nodes.base, cell.people["chair"])
    peer.http = ClientSession(cookie_jar=CookieJar(unsafe=True), connector=TCPConnector(ssl=False))
    return peer


async def _registry(nodes: Nodes) -> dict[str, dict[str, object]]:
    redis: Redis = Redis.from_url(nodes.redis_url)
    try:
        raw = await redis.hgetall(f"{nodes.prefix}:nodes")
    finally:
        await redis.aclose()
    return {(k.decode() if isinstance(k, bytes) else k): json.loads(v) for k, v in raw.items()}


async def test_meetings_spread_by_load_and_a_full_system_refuses(nodes: Nodes) -> None:
    chairs = [_chair(nodes, cell) for cell in nodes.cells]
    try:
        for i, (chair, cell) in enumerate(zip(chairs[:-1], nodes.cells, strict=False)):
            await chair.join(cell.meeting_id)
            await chair.expect("admitted")
            counts = nodes.live()
            assert sum(counts) == i + 1 and max(counts) - min(counts) <= 1, counts
        assert nodes.live() == [PER_NODE] * NODES
        registry = await _registry(nodes)
        print("node registry:", registry)
        assert sorted(int(e["meetings"]) for e in registry.values()) == [PER_NODE] * NODES  # type: ignore[call-overload]

        # every node is full: the seventh meeting is refused, in Vietnamese, and may retry later
        last, late = chairs[-1], nodes.cells[-1]
        await last.connect(late.meeting_id)
        await last.send({"type": "join", "meeting_id": str(late.meeting_id)})
        error = await last.expect("error")
        assert error["code"] == "unavailable", error
        assert error["message"]["vi"].startswith("Các máy chủ của hệ thống đã đủ số cuộc họp")
        assert last.ws is not None
        await last.ws.receive()
        assert last.ws.close_code == 1013  # try again later: the page reconnects by itself
        assert nodes.live() == [PER_NODE] * NODES

        # a meeting ends its day: its place is free again, and the seventh gets in
        await chairs[0].send({"type": "leave"})
        for _ in range(100):
            if sum(nodes.live()) == NODES * PER_NODE - 1:
                break
            await asyncio.sleep(0.1)
        await last.join(late.meeting_id)
        await last.expect("admitted")
        assert nodes.live() == [PER_NODE] * NODES
    finally:
        for chair in chairs:
            await chair.close()
