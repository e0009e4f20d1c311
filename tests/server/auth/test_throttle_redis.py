"""The Redis throttle against a real Redis: counts shared by every process, growing delays,
the lock with its remaining time, and the app's 429 with Retry-After when Redis is configured."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from policy.model import Role
from server.app import create_app
from server.auth.throttle import RedisThrottle
from server.config import SecuritySettings
from server.storage.db import Database
from tests.conftest import AiohttpClient
from tests.server.auth.conftest import World, make_settings
from tests.server.auth.support import PASSWORD, last_audit, make_account

pytestmark = pytest.mark.redis


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


async def test_two_processes_share_the_count(redis: Redis) -> None:
    security = SecuritySettings(login_max_failures=5, login_lock_minutes=15)
    prefix = f"test-{uuid.uuid4().hex}"
    one, two = RedisThrottle(redis, security, prefix), RedisThrottle(redis, security, prefix)
    key = "acct:anh"
    verdicts = [await (one if i % 2 else two).failure(key, 2, 5) for i in range(5)]
    assert [v.failures for v in verdicts] == [1, 2, 3, 4, 5]
    assert [v.retry_after for v in verdicts[:4]] == [0, 0, 2, 4]
    assert verdicts[4].locked and verdicts[4].retry_after == 15 * 60
    assert 15 * 60 - 2 <= await two.blocked_for(key) <= 15 * 60
    await one.clear(key)
    assert await two.blocked_for(key) == 0
    assert await redis.keys(f"{prefix}:*") == []


async def test_app_locks_through_redis(
    aiohttp_client: AiohttpClient,
    tmp_path: Path,
    db_url: str,
    db: Database,
    world: World,
    redis_url: str,
    redis: Redis,
) -> None:
    settings = make_settings(tmp_path, db_url, redis_url=redis_url)
    client = await aiohttp_client(create_app(settings))
    username = f"redis-{uuid.uuid4().hex[:8]}"
    await make_account(db, settings, username, Role.MEMBER, world.cell)
    prefix = settings.bus.key_prefix  # unique to this test: no other test shares its counts
    codes = []
    for _ in range(3):
        resp = await client.post(
            "/api/auth/login", json={"username": username, "password": "sai-mật-khẩu-9999"}
        )
        codes.append((resp.status, (await resp.json())["code"]))
    assert codes == [(401, "bad_credentials")] * 3
    resp = await client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert resp.status == 429
    assert 1 <= int(resp.headers["Retry-After"]) <= 2
    assert "giây" in (await resp.json())["message"]["vi"]
    assert await redis.exists(f"{prefix}:thr:until:pair:{username}@127.0.0.1") == 1
    record = await last_audit(db, "auth.throttled")
    assert record.target == f"username:{username}"
    await redis.delete(*await redis.keys(f"{prefix}:thr:*"))


async def test_spread_counts_distinct_accounts_and_forgives(redis: Redis) -> None:
    security = SecuritySettings(login_max_failures=5, login_lock_minutes=15)
    prefix = f"test-{uuid.uuid4().hex}"
    one, two = RedisThrottle(redis, security, prefix), RedisThrottle(redis, security, prefix)
    key = "addr:10.0.0.1"
    assert [(await one.spread(key, "acct:a", 3)).failures for _ in range(4)] == [1, 1, 1, 1]
    assert (await two.spread(key, "acct:b", 3)).failures == 2
    await one.forgive(key, "acct:b")  # b signed in
    assert (await two.spread(key, "acct:c", 3)).failures == 2
    verdict = await one.spread(key, "acct:d", 3)
    assert verdict.locked and verdict.retry_after == 15 * 60
    assert 15 * 60 - 2 <= await two.blocked_for(key) <= 15 * 60
    await one.clear(key)
    assert await redis.keys(f"{prefix}:*") == []


async def test_crewmate_signs_in_while_one_member_is_locked_through_redis(
    aiohttp_client: AiohttpClient,
    tmp_path: Path,
    db_url: str,
    db: Database,
    world: World,
    redis_url: str,
    redis: Redis,
) -> None:
    """Two processes sharing Redis, one address: one member locked, the crewmate signs in."""
    settings = make_settings(tmp_path, db_url, redis_url=redis_url)
    first = await aiohttp_client(create_app(settings))
    second = await aiohttp_client(create_app(settings))
    locked, mate = f"lk-{uuid.uuid4().hex[:8]}", f"mt-{uuid.uuid4().hex[:8]}"
    await make_account(db, settings, locked, Role.MEMBER, world.cell)
    await make_account(db, settings, mate, Role.MEMBER, world.cell)
    await redis.set(f"{settings.bus.key_prefix}:thr:n:pair:{locked}@127.0.0.1", 4)
    resp = await first.post("/api/auth/login", json={"username": locked, "password": "sai-1234"})
    assert resp.status == 429
    assert int(resp.headers["Retry-After"]) == 15 * 60
    resp = await second.post("/api/auth/login", json={"username": locked, "password": PASSWORD})
    assert resp.status == 429
    resp = await second.post("/api/auth/login", json={"username": mate, "password": PASSWORD})
    assert resp.status == 200
    assert (await resp.json())["stage"] == "mfa"
    await redis.delete(*await redis.keys(f"{settings.bus.key_prefix}:thr:*"))
