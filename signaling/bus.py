"""Publish/subscribe of meeting events between server processes.

:class:`InProcessBus` is the embedded default; the server's ``RedisBus`` (Redis pub/sub, in
:mod:`server.meeting.redis_bus`, beside the server's other I/O) lets several processes share a
meeting. Both carry bytes: a published ``dict`` is sent as compact UTF-8 JSON,
and subscribers always receive ``bytes``.

Delivery is at most once and in publish order per publisher. A subscriber that falls behind is
not allowed to stall the publisher: when its bounded queue is full it is cut off and its
iterator raises :class:`BusOverflow`, and the owner resynchronises (the WebSocket layer sends the
full state again). Redis does the same to slow pub/sub clients (``client-output-buffer-limit``).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Final, Protocol, Self

DEFAULT_QUEUE_SIZE: Final = 1024
_CHANNEL_RE: Final = re.compile(r"[A-Za-z0-9_.:-]{1,200}", re.ASCII)


class BusClosed(Exception):
    """The bus was closed: publishing and subscribing are refused."""


class BusOverflow(Exception):
    """This subscriber fell behind and was cut off; what it missed is lost."""


def encode_payload(message: bytes | Mapping[str, object]) -> bytes:
    if isinstance(message, bytes):
        return message
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def check_channel(channel: str) -> None:
    if not _CHANNEL_RE.fullmatch(channel):
        raise ValueError(f"bad channel name {channel!r}")


class Subscription(Protocol):
    """An async iterator of payloads that ends when closed (by itself or by the bus)."""

    def __aiter__(self) -> AsyncIterator[bytes]: ...

    async def __anext__(self) -> bytes: ...

    async def aclose(self) -> None: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *exc: object) -> None: ...


class Bus(Protocol):
    async def publish(self, channel: str, message: bytes | Mapping[str, object]) -> None: ...

    async def subscribe(self, channel: str) -> Subscription:
        """Subscribe; messages published after this returns are delivered."""
        ...

    def subscribed_channels(self) -> frozenset[str]:
        """The channels this process holds a subscription to now (operators' tools, tests)."""
        ...

    async def close(self) -> None: ...


# --- in process ---------------------------------------------------------------------------------

_END: Final = object()


class QueueSubscription:
    """A bounded queue of payloads for one subscriber; ``forget`` is called once when it ends
    (closed, cut off or failed). Shared by the in-process bus and the server's Redis bus, whose
    one reader task hands it what arrives on the process's one subscription (:meth:`offer`)."""

    def __init__(
        self, forget: Callable[[QueueSubscription], None], channel: str, size: int
    ) -> None:
        self._forget = forget
        self.channel = channel
        self._queue: asyncio.Queue[bytes | object] = asyncio.Queue(maxsize=size + 1)
        self._size = size
        self._closed = False
        self._error: BaseException | None = None

    @property
    def closed(self) -> bool:
        return self._closed

    def offer(self, payload: bytes) -> None:
        if self._closed:
            return
        if self._queue.qsize() >= self._size:
            self.fail(BusOverflow(self.channel))
            return
        self._queue.put_nowait(payload)

    def fail(self, error: BaseException) -> None:
        """End the iterator with ``error`` once what was queued before is read."""
        if not self._closed:
            self._error = error
            self._finish()

    def _finish(self) -> None:
        if not self._closed:
            self._closed = True
            self._forget(self)
            self._queue.put_nowait(_END)  # the one spare place

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> bytes:
        item = await self._queue.get()
        if item is _END:
            self._queue.put_nowait(_END)  # later calls end too
            if self._error is not None:
                raise self._error
            raise StopAsyncIteration
        assert isinstance(item, bytes)
        return item

    async def aclose(self) -> None:
        self._finish()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


class InProcessBus:
    """Bounded asyncio queues, one per subscriber; the default when no Redis is configured."""

    def __init__(self, queue_size: int = DEFAULT_QUEUE_SIZE) -> None:
        if queue_size < 1:
            raise ValueError("queue_size must be positive")
        self._queue_size = queue_size
        self._channels: dict[str, list[QueueSubscription]] = {}
        self._closed = False

    async def publish(self, channel: str, message: bytes | Mapping[str, object]) -> None:
        check_channel(channel)
        if self._closed:
            raise BusClosed
        payload = encode_payload(message)
        for sub in tuple(self._channels.get(channel, ())):
            sub.offer(payload)

    async def subscribe(self, channel: str) -> QueueSubscription:
        check_channel(channel)
        if self._closed:
            raise BusClosed
        sub = QueueSubscription(self._forget, channel, self._queue_size)
        self._channels.setdefault(channel, []).append(sub)
        return sub

    def subscribed_channels(self) -> frozenset[str]:
        return frozenset(self._channels)

    def _forget(self, sub: QueueSubscription) -> None:
        subs = self._channels.get(sub.channel, [])
        if sub in subs:
            subs.remove(sub)
        if not subs:
            self._channels.pop(sub.channel, None)

    async def close(self) -> None:
        self._closed = True
        for subs in tuple(self._channels.values()):
            for sub in tuple(subs):
                await sub.aclose()
