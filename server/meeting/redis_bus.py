"""The :class:`~signaling.bus.Bus` over Redis pub/sub, so several server processes share a
meeting. Same contract as :class:`~signaling.bus.InProcessBus` (at most once, in publish order;
a subscriber that falls behind is cut off with :class:`~signaling.bus.BusOverflow`).

Two Redis connections per process, however many meetings are live (issue #15):

- **one subscription connection**: every channel a local subscriber wants is subscribed on the
  same connection (reference-counted: ``SUBSCRIBE`` for the first local subscriber of a channel,
  ``UNSUBSCRIBE`` after the last one), and one reader task hands each message to the bounded
  queues of that channel's subscribers. If the connection is lost, every subscription ends with
  the error (its owner subscribes again and reloads what it follows) and the next subscribe
  opens a new connection.
- **one publishing connection**: publishes are queued, and one writer task sends whatever is
  waiting as one pipeline, so a burst of publishes costs one round trip, not a pooled
  connection each. :meth:`RedisBus.publish` returns once Redis has taken the message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from typing import Final

import redis.asyncio as redis_asyncio

from signaling.bus import (
    DEFAULT_QUEUE_SIZE,
    BusClosed,
    BusOverflow,
    QueueSubscription,
    check_channel,
    encode_payload,
)

log = logging.getLogger(__name__)

#: the subscription connection and the publishing one, plus one spare for a reconnect
MAX_CONNECTIONS: Final = 3
#: publishes sent in one pipeline at most
PUBLISH_BATCH: Final = 512
#: publishes waiting for the writer at most; beyond, a publish fails at once (Redis is gone or
#: far behind, and the callers must not hold the process's memory)
PUBLISH_BACKLOG: Final = 20_000
#: how long Redis may take to confirm a subscription (seconds)
SUBSCRIBE_TIMEOUT: Final = 5.0

_Pending = tuple[str, bytes, asyncio.Future[None]]


class RedisBus:
    """Redis pub/sub (``redis.asyncio``); channels are prefixed so deployments can share Redis."""

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "hopchibo:",
        queue_size: int = DEFAULT_QUEUE_SIZE,
        client_name: str = "hopchibo-bus",
    ) -> None:
        """``client_name``: how this process's connections appear in ``CLIENT LIST``."""
        pool = redis_asyncio.BlockingConnectionPool.from_url(
            url,
            max_connections=MAX_CONNECTIONS,
            timeout=SUBSCRIBE_TIMEOUT,
            client_name=client_name,
        )
        self._redis = redis_asyncio.Redis(connection_pool=pool)
        self._prefix = prefix
        self._queue_size = queue_size
        self._closed = False
        # subscribing side
        self._subs: dict[str, list[QueueSubscription]] = {}  # channel (unprefixed) → local subs
        self._pubsub: redis_asyncio.client.PubSub | None = None
        self._reader: asyncio.Task[None] | None = None
        self._confirm: dict[str, asyncio.Future[None]] = {}  # prefixed channel → ack awaited
        self._sub_lock = asyncio.Lock()  # one (UN)SUBSCRIBE at a time, and in order
        self._unsubscribing: set[asyncio.Task[None]] = set()
        # publishing side
        self._outbox: asyncio.Queue[_Pending] = asyncio.Queue()
        self._writer: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ publishing

    async def publish(self, channel: str, message: bytes | Mapping[str, object]) -> None:
        check_channel(channel)
        if self._closed:
            raise BusClosed
        if self._outbox.qsize() >= PUBLISH_BACKLOG:
            raise BusOverflow(f"publish backlog full ({PUBLISH_BACKLOG})")
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._outbox.put_nowait((self._prefix + channel, encode_payload(message), done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.get_running_loop().create_task(self._write())
        await done

    async def _write(self) -> None:
        """Send what waits, one pipeline per batch, until closed."""
        while True:
            batch = [await self._outbox.get()]
            while len(batch) < PUBLISH_BATCH and not self._outbox.empty():
                batch.append(self._outbox.get_nowait())
            try:
                async with self._redis.pipeline(transaction=False) as pipe:
                    for channel, payload, _ in batch:
                        pipe.publish(channel, payload)
                    await pipe.execute()
            except asyncio.CancelledError:
                for *_, done in batch:
                    if not done.done():
                        done.set_exception(BusClosed())
                raise
            except Exception as exc:
                for *_, done in batch:
                    if not done.done():
                        done.set_exception(exc)
            else:
                for *_, done in batch:
                    if not done.done():
                        done.set_result(None)

    # ------------------------------------------------------------------ subscribing

    async def subscribe(self, channel: str) -> QueueSubscription:
        check_channel(channel)
        if self._closed:
            raise BusClosed
        async with self._sub_lock:
            if self._closed:
                raise BusClosed
            sub = QueueSubscription(self._forget, channel, self._queue_size)
            held = self._subs.get(channel)
            if held:  # this process holds the channel already
                held.append(sub)
                return sub
            await self._redis_subscribe(self._prefix + channel)
            self._subs.setdefault(channel, []).append(sub)
            return sub

    async def _redis_subscribe(self, prefixed: str) -> None:
        """``SUBSCRIBE`` on the one connection and wait for Redis to confirm it: after that,
        every later publish reaches this process."""
        if self._pubsub is None:
            self._pubsub = self._redis.pubsub()
        pubsub = self._pubsub
        confirmed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._confirm[prefixed] = confirmed
        try:
            await pubsub.subscribe(prefixed)
            if self._reader is None or self._reader.done():
                self._reader = asyncio.get_running_loop().create_task(self._read(pubsub))
            await asyncio.wait_for(confirmed, SUBSCRIBE_TIMEOUT)
        except BaseException:
            self._confirm.pop(prefixed, None)
            raise

    async def _read(self, pubsub: redis_asyncio.client.PubSub) -> None:
        """The process's one reader: messages to the queues of their channel's subscribers."""
        prefix_len = len(self._prefix)
        try:
            while True:
                msg = await pubsub.get_message(timeout=1.0)
                if msg is None:
                    continue
                kind = msg.get("type")
                raw = msg.get("channel")
                prefixed = raw.decode() if isinstance(raw, bytes) else str(raw)
                if kind == "message":
                    data = msg["data"]
                    assert isinstance(data, bytes)
                    for sub in tuple(self._subs.get(prefixed[prefix_len:], ())):
                        sub.offer(data)
                elif kind == "subscribe":
                    confirmed = self._confirm.pop(prefixed, None)
                    if confirmed is not None and not confirmed.done():
                        confirmed.set_result(None)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if not self._closed:
                log.warning("Redis bus: subscription connection lost: %r", exc)
            self._lost(pubsub, exc)

    def _lost(self, pubsub: redis_asyncio.client.PubSub, exc: Exception) -> None:
        """The subscription connection failed: every subscription ends with the error."""
        if self._pubsub is pubsub:
            self._pubsub = None
        for confirmed in self._confirm.values():
            if not confirmed.done():
                confirmed.set_exception(exc)
        self._confirm.clear()
        subs = [s for held in self._subs.values() for s in held]
        self._subs.clear()
        for sub in subs:
            sub.fail(exc)
        asyncio.get_running_loop().create_task(self._discard(pubsub))

    @staticmethod
    async def _discard(pubsub: redis_asyncio.client.PubSub) -> None:
        with contextlib.suppress(Exception):
            await pubsub.aclose()

    def _forget(self, sub: QueueSubscription) -> None:
        held = self._subs.get(sub.channel)
        if held is None or sub not in held:
            return
        held.remove(sub)
        if not held and not self._closed:
            task = asyncio.get_running_loop().create_task(self._unsubscribe(sub.channel))
            self._unsubscribing.add(task)
            task.add_done_callback(self._unsubscribing.discard)

    async def _unsubscribe(self, channel: str) -> None:
        async with self._sub_lock:
            if self._subs.get(channel):  # subscribed again meanwhile
                return
            self._subs.pop(channel, None)
            pubsub = self._pubsub
            if pubsub is None or self._closed:
                return
            try:
                await pubsub.unsubscribe(self._prefix + channel)
            except Exception as exc:
                log.warning("Redis bus: unsubscribe from %s failed: %r", channel, exc)

    def subscribed_channels(self) -> frozenset[str]:
        return frozenset(c for c, held in self._subs.items() if held)

    # ------------------------------------------------------------------ shutdown

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for held in tuple(self._subs.values()):
            for sub in tuple(held):
                await sub.aclose()
        self._subs.clear()
        for task in (self._reader, self._writer, *self._unsubscribing):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        while not self._outbox.empty():
            *_, done = self._outbox.get_nowait()
            if not done.done():
                done.set_exception(BusClosed())
        if self._pubsub is not None:
            await self._discard(self._pubsub)
            self._pubsub = None
        await self._redis.aclose()
        await self._redis.connection_pool.disconnect()
