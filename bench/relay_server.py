"""Relay process of the benchmark: aiortc's stock MediaRelay, the project's MeetingRelay, or the
project's relay over worker processes (``sharded``: server.media.shards, ``--workers N``) behind a
minimal signalling endpoint on 127.0.0.1 (`POST /offer` {participant, sdp, audio_only, publish}
→ {sdp}; `POST /pin` {ids}; `GET /stats`).

Run by bench/relay.py as `python -m bench.relay_server --mode stock|passthrough|sharded`; prints
`{"type": "listening", "port": N, "worker_pids": [...]}` once it accepts offers, and exits when
stdin closes or after `--max-lifetime` seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import inspect
import sys
import time
from collections.abc import Sequence
from typing import Any, Protocol

from aiohttp import web

from bench.relay_common import LOOPBACK, emit, force_loopback, loopback_sdp


class Relay(Protocol):
    async def connect(self, pid: str, offer_sdp: str, audio_only: bool, publish: bool) -> str: ...
    def set_pinned(self, ids: list[str]) -> None: ...
    def stats(self) -> Any: ...
    async def close(self) -> None: ...


class StockRelay:
    """aiortc's contrib MediaRelay: the publisher's tracks are decoded once and every subscriber's
    sender re-encodes them (one VP8 and one Opus encoder per subscriber)."""

    def __init__(self) -> None:
        from aiortc.contrib.media import MediaRelay

        self._relay = MediaRelay()
        self._pcs: dict[str, Any] = {}
        self._tracks: dict[str, Any] = {}
        self._published = asyncio.Event()

    async def connect(self, pid: str, offer_sdp: str, audio_only: bool, publish: bool) -> str:
        from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self._pcs[pid] = pc
        if publish:

            @pc.on("track")
            def on_track(track: Any) -> None:
                self._tracks[track.kind] = track
                if len(self._tracks) == 2:
                    self._published.set()

        await pc.setRemoteDescription(RTCSessionDescription(loopback_sdp(offer_sdp), "offer"))
        if not publish:
            await asyncio.wait_for(self._published.wait(), 20)
            for kind in ("audio",) if audio_only else ("audio", "video"):
                pc.addTrack(self._relay.subscribe(self._tracks[kind]))
        await pc.setLocalDescription(await pc.createAnswer())
        sdp: str = pc.localDescription.sdp
        return sdp

    def set_pinned(self, ids: list[str]) -> None:
        del ids

    def stats(self) -> dict[str, Any]:
        return {"peer_connections": len(self._pcs)}

    async def close(self) -> None:
        await asyncio.gather(*(pc.close() for pc in self._pcs.values()), return_exceptions=True)


class PassthroughRelay:
    """The project's forwarding relay, server.media.relay.MeetingRelay."""

    def __init__(self, video_slots: int, audio_slots: int) -> None:
        from server.media.relay import MeetingRelay, RelayConfig

        self._relay = MeetingRelay(
            RelayConfig(
                video_slots=video_slots, audio_slots=audio_slots, add_loopback_candidate=True
            ),
            on_event=None,
        )

    async def connect(self, pid: str, offer_sdp: str, audio_only: bool, publish: bool) -> str:
        del publish
        answer: str = await self._relay.connect(pid, offer_sdp, audio_only=audio_only)
        return answer

    def set_pinned(self, ids: list[str]) -> None:
        self._relay.set_pinned(ids)

    def stats(self) -> dict[str, Any]:
        raw = self._relay.stats()
        if dataclasses.is_dataclass(raw) and not isinstance(raw, type):
            return dataclasses.asdict(raw)
        return raw if isinstance(raw, dict) else {"stats": repr(raw)}

    async def close(self) -> None:
        await self._relay.close()


class ShardedBenchRelay:
    """The project's relay over ``workers`` relay worker processes (server.media.shards)."""

    def __init__(self, video_slots: int, audio_slots: int, workers: int) -> None:
        from server.media.relay import RelayConfig
        from server.media.shards import WorkerPool

        self._count = workers
        self._pool = WorkerPool()
        self._config = RelayConfig(
            video_slots=video_slots, audio_slots=audio_slots, add_loopback_candidate=True
        )
        self._relay: Any = None

    async def start(self) -> list[int]:
        await self._pool.start(self._count, prefix="bench-w")
        self._relay = self._pool.relay("bench", self._config)
        return [w.process.pid for w in self._pool.workers if w.process is not None]

    async def connect(self, pid: str, offer_sdp: str, audio_only: bool, publish: bool) -> str:
        del publish
        answer: str = await self._relay.connect(pid, offer_sdp, audio_only=audio_only)
        return answer

    def set_pinned(self, ids: list[str]) -> None:
        self._relay.set_pinned(ids)

    async def stats(self) -> dict[str, Any]:
        out: dict[str, Any] = await self._relay.stats()
        return out

    async def close(self) -> None:
        await self._relay.close()
        await self._pool.close()


RELAY_KEY = web.AppKey("relay", Relay)


async def offer(request: web.Request) -> web.Response:
    body = await request.json()
    answer = await request.app[RELAY_KEY].connect(
        str(body["participant"]),
        str(body["sdp"]),
        audio_only=bool(body.get("audio_only", False)),
        publish=bool(body.get("publish", False)),
    )
    return web.json_response({"sdp": answer})


async def pin(request: web.Request) -> web.Response:
    body = await request.json()
    request.app[RELAY_KEY].set_pinned([str(i) for i in body["ids"]])
    return web.json_response({"ok": True})


async def stats(request: web.Request) -> web.Response:
    value = request.app[RELAY_KEY].stats()
    if inspect.isawaitable(value):
        value = await value
    return web.json_response(value, dumps=_dumps)


def _dumps(value: Any) -> str:
    import json

    return json.dumps(value, default=repr)


async def _stdin_closed() -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while await reader.readline():
        pass


async def run(
    mode: str, video_slots: int, audio_slots: int, max_lifetime_s: float, workers: int = 0
) -> None:
    force_loopback()
    worker_pids: list[int] = []
    relay: Relay
    if mode == "stock":
        relay = StockRelay()
    elif mode == "sharded":
        sharded = ShardedBenchRelay(video_slots, audio_slots, workers)
        worker_pids = await sharded.start()
        relay = sharded
    else:
        relay = PassthroughRelay(video_slots, audio_slots)
    app = web.Application()
    app[RELAY_KEY] = relay
    app.router.add_post("/offer", offer)
    app.router.add_post("/pin", pin)
    app.router.add_get("/stats", stats)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, LOOPBACK, 0)
    await site.start()
    port = int(runner.addresses[0][1])
    emit(
        {
            "type": "listening",
            "port": port,
            "pid_started": time.monotonic(),
            "worker_pids": worker_pids,
        }
    )
    try:
        await asyncio.wait_for(_stdin_closed(), max_lifetime_s)
    except TimeoutError:
        pass
    finally:
        await asyncio.wait_for(relay.close(), 10)
        await runner.cleanup()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mode", choices=("stock", "passthrough", "sharded"), required=True)
    parser.add_argument("--workers", type=int, default=1, help="relay workers (sharded)")
    parser.add_argument("--video-slots", type=int, default=1)
    parser.add_argument("--audio-slots", type=int, default=1)
    parser.add_argument("--max-lifetime", type=float, default=600.0, help="seconds")
    args = parser.parse_args(argv)
    asyncio.run(run(args.mode, args.video_slots, args.audio_slots, args.max_lifetime, args.workers))


if __name__ == "__main__":
    main()
