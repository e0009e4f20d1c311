"""The :class:`~signaling.bus.Bus` over Redis pub/sub, so several server processes share a
meeting. Same contract as :class:`~signaling.bus.InProcessBus` (at most once, in publish order;
Redis cuts off a slow subscriber by ``client-output-buffer-limit``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Self

import redis.asyncio as redis_asyncio
from redis.exceptions import ConnectionError as RedisConnectionError

from signaling.bus import BusClosed, check_channel, encode_payload


class _RedisSubscription:
    def __init__(self, bus: RedisBus, channel: str, pubsub: redis_asyncio.client.PubSub) -> None:
        self._bus = bus
        self.channel = channel
        self._pubsub = pubsub
        self._closed = False

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> bytes:
        while not self._closed:
            try:
                msg = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            except (RedisConnectionError, RuntimeError, AttributeError):
                # AttributeError/RuntimeError: the connection was released by aclose() meanwhile
                if self._closed:
                    break
                raise
            if msg is not None and msg.get("type") == "message":
                data = msg["data"]
                assert isinstance(data, bytes)
                return data
        raise StopAsyncIteration

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._bus._forget(self)
        await self._pubsub.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


class RedisBus:
    """Redis pub/sub (``redis.asyncio``); channels are prefixed so deployments can share Redis."""

    def __init__(self, url: str, *, prefix: str = "hopchibo:") -> None:
        self._redis = redis_asyncio.Redis.from_url(url)
        self._prefix = prefix
        self._subs: list[_RedisSubscription] = []
        self._closed = False

    async def publish(self, channel: str, message: bytes | Mapping[str, object]) -> None:
        check_channel(channel)
        if self._closed:
            raise BusClosed
        await self._redis.publish(self._prefix + channel, encode_payload(message))

    async def subscribe(self, channel: str) -> _RedisSubscription:
        check_channel(channel)
        if self._closed:
            raise BusClosed
        pubsub = self._redis.pubsub()
        await pubsub.subscribe(self._prefix + channel)
        # Wait for the confirmation: after it, every later publish reaches this subscriber.
        while True:
            msg = await pubsub.get_message(timeout=5.0)
            if msg is None:
                await pubsub.aclose()
                raise TimeoutError(f"Redis did not confirm the subscription to {channel}")
            if msg.get("type") == "subscribe":
                break
        sub = _RedisSubscription(self, channel, pubsub)
        self._subs.append(sub)
        return sub

    def _forget(self, sub: _RedisSubscription) -> None:
        if sub in self._subs:
            self._subs.remove(sub)

    async def close(self) -> None:
        self._closed = True
        for sub in tuple(self._subs):
            await sub.aclose()
        await self._redis.aclose()
