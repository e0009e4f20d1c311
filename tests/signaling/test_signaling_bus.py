"""The bus: the same contract for the in-process and the Redis implementation."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis_asyncio
from redis.exceptions import ConnectionError as RedisConnectionError

from policy.error_codes import ErrorCode, ProtocolError
from policy.model import Role
from server.meeting.redis_bus import RedisBus
from signaling.bus import Bus, BusClosed, BusOverflow, InProcessBus, Subscription
from signaling.protocol import ClientInfo, Hands, Join, message_dict, parse_server_message
from signaling.room import (
    Identity,
    Room,
    RoomSettings,
    outgoing_from_bytes,
    outgoing_to_dict,
)
from tests.backends import REDIS_ENV, require_env


def _redis_url() -> str:
    return require_env(REDIS_ENV)  # skipped outside CI when unset, a failure in CI


@pytest.fixture(params=["in_process", pytest.param("redis", marks=pytest.mark.redis)])
async def bus(request: pytest.FixtureRequest) -> AsyncIterator[Bus]:
    b: Bus = (
        InProcessBus(queue_size=16) if request.param == "in_process" else RedisBus(_redis_url())
    )
    yield b
    await b.close()


@pytest.fixture
def channel() -> str:
    return f"test:meeting:{uuid.uuid4().hex}"  # Redis may be shared with other runs


async def _next(sub: Subscription) -> bytes:
    return await asyncio.wait_for(anext(aiter(sub)), timeout=5)


async def test_publish_reaches_every_subscriber_in_order(bus: Bus, channel: str) -> None:
    a = await bus.subscribe(channel)
    b = await bus.subscribe(channel)
    other = await bus.subscribe(channel + ":other")
    hands = message_dict(Hands(queue=("p2", "p1")))
    await bus.publish(channel, hands)
    await bus.publish(channel, b"\x00raw bytes")
    for sub in (a, b):
        assert parse_server_message(await _next(sub)) == Hands(queue=("p2", "p1"))
        assert await _next(sub) == b"\x00raw bytes"
    await bus.publish(channel + ":other", {"x": "Việt"})
    assert json.loads(await _next(other)) == {"x": "Việt"}
    for sub in (a, b, other):
        await sub.aclose()


async def test_closed_subscription_ends_its_iterator(bus: Bus, channel: str) -> None:
    sub = await bus.subscribe(channel)
    received: list[bytes] = []

    async def read() -> None:
        async for payload in sub:
            received.append(payload)

    reader = asyncio.create_task(read())
    await bus.publish(channel, b"one")
    for _ in range(100):
        if received:
            break
        await asyncio.sleep(0.01)
    await sub.aclose()
    await asyncio.wait_for(reader, timeout=5)
    assert received == [b"one"]
    await bus.publish(channel, b"after")  # nobody listens: not an error


async def test_subscription_as_context_manager(bus: Bus, channel: str) -> None:
    async with await bus.subscribe(channel) as sub:
        await bus.publish(channel, b"x")
        assert await _next(sub) == b"x"
    with pytest.raises(StopAsyncIteration):
        await _next(sub)


async def test_close_ends_subscriptions_and_refuses_use(bus: Bus, channel: str) -> None:
    sub = await bus.subscribe(channel)
    await bus.close()
    with pytest.raises(StopAsyncIteration):
        await _next(sub)
    with pytest.raises(BusClosed):
        await bus.publish(channel, b"x")
    with pytest.raises(BusClosed):
        await bus.subscribe(channel)


@pytest.mark.parametrize("name", ["", "has space", "x" * 201, "ünïcode"])
async def test_bad_channel_names_are_refused(bus: Bus, name: str) -> None:
    with pytest.raises(ValueError, match="bad channel name"):
        await bus.publish(name, b"x")
    with pytest.raises(ValueError, match="bad channel name"):
        await bus.subscribe(name)


async def test_in_process_slow_subscriber_is_cut_off_not_the_publisher(channel: str) -> None:
    bus = InProcessBus(queue_size=3)
    slow = await bus.subscribe(channel)
    fast = await bus.subscribe(channel)
    for i in range(3):
        await bus.publish(channel, b"%d" % i)
        assert await _next(fast) == b"%d" % i
    await bus.publish(channel, b"3")  # slow has 3 waiting: it overflows, fast still gets it
    assert await _next(fast) == b"3"
    assert [await _next(slow) for _ in range(3)] == [b"0", b"1", b"2"]
    with pytest.raises(BusOverflow):
        await _next(slow)
    with pytest.raises(BusOverflow):
        await _next(slow)
    await bus.close()


def test_in_process_queue_must_be_bounded() -> None:
    with pytest.raises(ValueError, match="positive"):
        InProcessBus(queue_size=0)


@pytest.mark.redis
async def test_redis_bus_shares_events_between_two_processes(channel: str) -> None:
    url = _redis_url()
    first, second = RedisBus(url), RedisBus(url)  # two server processes, one Redis
    try:
        sub = await second.subscribe(channel)
        await first.publish(channel, {"type": "hands", "queue": ["p1"]})
        assert json.loads(await _next(sub)) == {"type": "hands", "queue": ["p1"]}
    finally:
        await first.close()
        await second.close()


async def test_room_output_crosses_the_bus_unchanged(bus: Bus, channel: str) -> None:
    room = Room(RoomSettings(meeting_id="m1"))
    chair = Identity("u-chair", "Bí thư", Role.SECRETARY, cell_member=True)
    member = Identity("u-anh", "Nguyễn Văn Anh", Role.MEMBER, cell_member=True)
    join = Join(meeting_id="m1", client=ClientInfo(name="t", version="1"))
    out = room.join("proc1:c1", chair, join) + room.join("proc2:c7", member, join)
    async with await bus.subscribe(channel) as sub:
        for o in out:
            await bus.publish(channel, outgoing_to_dict(o))
        received = [outgoing_from_bytes(await _next(sub)) for _ in out]
    assert received == list(out)


@pytest.mark.parametrize(
    "payload",
    [
        b"{}",
        b'{"audience":"everyone","conn_ids":[],"close":false,"message":{}}',
        b'{"audience":"chairs","conn_ids":[1],"close":false,"message":{}}',
        b'{"audience":"chairs","conn_ids":[],"close":false,"message":{"v":1,"type":"join"}}',
    ],
)
def test_bad_outgoing_payload_is_a_protocol_error(payload: bytes) -> None:
    with pytest.raises(ProtocolError) as info:
        outgoing_from_bytes(payload)
    assert info.value.code is ErrorCode.BAD_MESSAGE


async def test_subscribed_channels_follow_the_subscriptions(bus: Bus, channel: str) -> None:
    a = await bus.subscribe(channel)
    b = await bus.subscribe(channel)
    assert bus.subscribed_channels() == {channel}
    await a.aclose()
    assert bus.subscribed_channels() == {channel}  # b still holds it
    await b.aclose()
    assert bus.subscribed_channels() == frozenset()


async def _bus_connections(url: str, name: str) -> int:
    admin = redis_asyncio.Redis.from_url(url)
    try:
        clients = await admin.client_list()
    finally:
        await admin.aclose()
    return sum(1 for c in clients if c.get("name") == name)


@pytest.mark.redis
async def test_redis_bus_holds_150_meetings_on_two_connections() -> None:
    """Issue #15: one subscription connection and one publishing connection per process,
    however many channels; concurrent publishes never run out of connections."""
    url = _redis_url()
    name = f"test-bus-{uuid.uuid4().hex[:12]}"
    bus = RedisBus(url, prefix=f"test-{uuid.uuid4().hex[:8]}:", client_name=name)
    channels = [f"meeting:{i}:hall" for i in range(150)]
    try:
        subs = [await bus.subscribe(c) for c in channels]
        assert bus.subscribed_channels() == set(channels)
        per_channel = 8
        await asyncio.gather(
            *(bus.publish(c, b"%d" % n) for n in range(per_channel) for c in channels)
        )
        for sub in subs:
            assert [await _next(sub) for _ in range(per_channel)] == [
                b"%d" % n for n in range(per_channel)
            ]
        assert await _bus_connections(url, name) <= 2
        for sub in subs:
            await sub.aclose()
        for _ in range(100):  # the UNSUBSCRIBEs are sent in the background
            if not bus.subscribed_channels():
                break
            await asyncio.sleep(0.01)
        assert bus.subscribed_channels() == frozenset()
    finally:
        await bus.close()
    assert await _bus_connections(url, name) == 0


@pytest.mark.redis
async def test_redis_bus_subscription_is_told_when_redis_cuts_it_off(channel: str) -> None:
    url = _redis_url()
    name = f"test-bus-{uuid.uuid4().hex[:12]}"
    bus = RedisBus(url, client_name=name)
    admin = redis_asyncio.Redis.from_url(url)
    try:
        sub = await bus.subscribe(channel)
        ours = [c["id"] for c in await admin.client_list() if c.get("name") == name]
        assert len(ours) == 1  # the subscription connection (nothing published yet)
        await admin.client_kill_filter(_id=ours[0])  # only ours: Redis is shared
        with pytest.raises(RedisConnectionError):
            await _next(sub)
        again = await bus.subscribe(channel)  # a new subscription connection
        await bus.publish(channel, b"back")
        assert await _next(again) == b"back"
    finally:
        await admin.aclose()
        await bus.close()
