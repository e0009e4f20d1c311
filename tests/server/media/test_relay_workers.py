"""One meeting over two relay worker processes joined by a pipe, with real aiortc peers.

The workers are real processes (``python -m server.media.worker``) started by the pool; the
members are real aiortc peers on loopback that decode what they receive (issue 15).
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from server.media.passthrough import on_keyframe_request
from server.media.pipe import KEYFRAME, encode, encode_json
from server.media.relay import PeerStateChanged, RelayConfig
from server.media.shards import ShardedRelay, WorkerPool
from tests.server.media.peers import BLUE, GREEN, GREY, RED, Client, Colour, EventLog, wait_for

pytestmark = [pytest.mark.media, pytest.mark.timeout(120)]

LOUD = 16_000
COLOURS: dict[str, Colour] = {"a1": RED, "b1": GREEN, "a2": BLUE, "b2": GREY}


class Meeting:
    def __init__(self, relay: ShardedRelay, log: EventLog) -> None:
        self.relay = relay
        self.log = log
        self.clients: dict[str, Client] = {}

    async def join(self, name: str) -> Client:
        client = Client(name, COLOURS[name], LOUD)
        self.clients[name] = client
        await client.join(self.relay)
        return client

    def worker(self, name: str) -> str:
        worker = self.relay.worker_of(name)
        assert worker is not None
        return worker.name

    def frames(self, viewer: str, publisher: str, kind: str = "video") -> int:
        """Frames the viewer decoded on the slot the relay says the publisher feeds (-1: none)."""
        slots = self.log.slots(viewer)
        if slots is None:
            return -1
        sources = slots.video if kind == "video" else slots.audio
        if publisher not in sources:
            return -1
        client = self.clients[viewer]
        views = client.video if kind == "video" else client.audio
        view = views[sources.index(publisher)]
        if kind == "video" and (view.last_uv is None or not COLOURS[publisher].near(*view.last_uv)):
            return -1
        return view.frames

    def decodes_all(self, since: dict[tuple[str, str, str], int] | None = None) -> bool:
        for viewer in self.clients:
            for publisher in self.clients:
                if publisher == viewer:
                    continue
                for kind in ("video", "audio"):
                    base = (since or {}).get((viewer, publisher, kind), 0)
                    if self.frames(viewer, publisher, kind) <= base + 3:
                        return False
        return True

    async def keyframe_request_crosses(
        self, publisher: str, publisher_worker: str, subscriber: str, subscriber_worker: str
    ) -> None:
        """A PLI of ``subscriber`` for ``publisher``'s camera, each on its worker, reaches the
        publisher, counted where it was received and where it crossed the pipe."""
        plis: list[float] = []
        on_keyframe_request(
            self.clients[publisher].video_transceivers()[0].sender,
            lambda: plis.append(time.monotonic()),
        )
        await wait_for(
            lambda: not plis or time.monotonic() - plis[-1] > 1.0,
            10,
            "no keyframe requests for 1 s",
        )
        before = await self.relay.stats()
        slots = self.log.slots(subscriber)
        assert slots is not None
        transceivers = self.clients[subscriber].video_transceivers()
        receiver = transceivers[slots.video.index(publisher)].receiver
        ssrc = receiver.getSynchronizationSources()[0].source
        asked_at = time.monotonic()
        await receiver._send_rtcp_pli(ssrc)
        await wait_for(lambda: any(t > asked_at for t in plis), 5, f"{publisher} to get a PLI")

        async def crossed() -> bool:
            after = await self.relay.stats()
            piped = after[publisher_worker]["piped_keyframe_requests"].get(publisher, 0)
            piped_before = before[publisher_worker]["piped_keyframe_requests"].get(publisher, 0)
            now = _participant(after[subscriber_worker], subscriber)
            then = _participant(before[subscriber_worker], subscriber)
            received = now["keyframe_requests_received"] > then["keyframe_requests_received"]
            return bool(piped > piped_before and received)

        assert await _eventually(crossed, 5), (
            f"the PLI did not cross from {subscriber_worker} to {publisher_worker}"
        )

    async def fail_over(self, members: tuple[str, ...], survivor: str, within: float) -> float:
        """``members``' worker died: they are told their relay failed, offer again, land on
        ``survivor`` with everyone, and everyone decodes everyone again; how long that took."""
        await wait_for(
            lambda: (
                {
                    e.participant_id
                    for e in self.log.events
                    if isinstance(e, PeerStateChanged) and e.state == "failed"
                }
                >= set(members)
            ),
            within,
            f"{', '.join(members)} to be told their relay failed",
        )
        for name in members:
            await self.clients.pop(name).close()
            await self.join(name)
        assert {self.worker(n) for n in COLOURS} == {survivor}
        since = self.counts()
        return await wait_for(
            lambda: self.decodes_all(since), 30, f"every member decoding again on {survivor}"
        )

    def counts(self) -> dict[tuple[str, str, str], int]:
        return {
            (v, p, k): self.frames(v, p, k)
            for v in self.clients
            for p in self.clients
            for k in ("video", "audio")
            if v != p
        }


@pytest.fixture
async def pool() -> AsyncIterator[WorkerPool]:
    pool = WorkerPool()
    await pool.start(2, prefix="pipe-test-w")
    try:
        yield pool
    finally:
        await pool.close()


async def _stats(meeting: Meeting) -> dict[str, dict[str, Any]]:
    return await meeting.relay.stats()


async def test_meeting_over_two_workers(pool: WorkerPool) -> None:
    started = time.monotonic()
    log = EventLog()
    meeting = Meeting(pool.relay("pipe-test", RelayConfig(add_loopback_candidate=True), log), log)
    for name in COLOURS:
        await meeting.join(name)
    w0, w1 = (w.name for w in pool.workers)
    # placed on the least loaded worker, in turn
    assert [meeting.worker(n) for n in COLOURS] == [w0, w1, w0, w1]

    # every member decodes every other, those on the other worker included (video and audio)
    took = await wait_for(meeting.decodes_all, 30, "every member decoding every other")
    stats = await _stats(meeting)
    assert stats[w0]["pipes"][w1]["frames_sent"] > 0
    assert stats[w1]["pipes"][w0]["frames_sent"] > 0

    # a keyframe request of b1 (on w1) for a1's camera (on w0) crosses the pipe to a1
    await meeting.keyframe_request_crosses("a1", w0, "b1", w1)

    # w1 dies: its members are told, offer again, land on w0 and everyone decodes again
    handle = pool.workers[1]
    assert handle.process is not None
    os.kill(handle.process.pid, signal.SIGKILL)
    moved = await meeting.fail_over(("b1", "b2"), w0, 10)
    await meeting.relay.close()
    await asyncio.gather(*(c.close() for c in meeting.clients.values()))
    print(
        f"decoding across workers after {took:.1f} s; again after the kill in {moved:.1f} s;"
        f" whole test {time.monotonic() - started:.1f} s"
    )


async def test_workers_refuse_strangers(pool: WorkerPool) -> None:
    """Deny by default: a control connection or a pipe without the pool's token is closed
    before anything it sends is read."""
    worker = pool.workers[0]
    for port, first in (
        (worker.control_port, encode_json({"id": 1, "op": "stats"})),
        (worker.control_port, encode_json({"id": 1, "op": "auth", "token": "guess"})),
        (worker.pipe_port, encode_json({"type": "hello", "name": "zz", "token": "guess"})),
        (worker.pipe_port, encode(KEYFRAME, b"\x00\x00\x00\x01")),
    ):
        reader, writer = await asyncio.open_connection(worker.host, port)
        writer.write(first)
        await writer.drain()
        assert await asyncio.wait_for(reader.read(), 10) == b""  # closed, nothing answered
        writer.close()
    assert (await pool.stats())[0]["name"] == worker.name  # the pool's own connection holds
    # a refused offer places nobody
    relay = pool.relay("pipe-test-bad", RelayConfig())
    with pytest.raises(ValueError):
        await relay.connect("x", "v=0\r\nnot an offer\r\n")
    assert relay.worker_of("x") is None and pool.load(worker) == 0
    await relay.close()


def _participant(worker_stats: dict[str, Any], pid: str) -> dict[str, Any]:
    for p in worker_stats["relay"]["participants"]:
        if p["participant_id"] == pid:
            return dict(p)
    raise KeyError(pid)


async def _eventually(check: Any, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await check():
            return True
        await asyncio.sleep(0.1)
    return False
