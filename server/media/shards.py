"""One meeting's relay over several relay worker processes, as the server's process sees it.

:class:`WorkerPool` starts the worker processes (``worker.py``) on this machine and attaches
workers started on others (``--stay``, mutual TLS: ``tls.py``), keeps a control connection to
each and joins them with pipes (``pipe.py``); a worker on another machine whose connection drops
is attached again when it answers. :class:`ShardedRelay` stands where an in-process
:class:`~server.media.relay.MeetingRelay` stands (the same calls, the same events): it sends each
member's offer to the worker chosen for it (the one serving the fewest members, and the member's
own while that worker lives) and the room's decisions to the workers concerned. When a worker
dies, each of its members gets ``PeerStateChanged(failed)``; its next offer goes to a living
worker, and the others' pipes forget what it served. ``docs/media.md`` describes the design.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import os
import secrets
import ssl
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from server.media.offer import Kind
from server.media.pipe import Framed
from server.media.relay import (
    ActiveSpeakers,
    PeerStateChanged,
    RelayConfig,
    RelayEvent,
    SlotsChanged,
    UnknownParticipantError,
)
from server.media.tls import WorkerTls
from server.media.worker import TOKEN_ENV, config_to_json

logger = logging.getLogger(__name__)

#: seconds a worker may take to start and print its ports
START_TIMEOUT = 60.0
#: seconds to connect to a worker on another machine and hear its answers
ATTACH_TIMEOUT = 10.0
#: seconds between tries to attach a worker on another machine that is not there
RETRY_SECONDS = 3.0


class WorkerGoneError(ConnectionError):
    pass


class WorkerHandle(Framed):
    """The control connection to one worker process."""

    def __init__(self, pool: WorkerPool, name: str) -> None:
        super().__init__()
        self.pool = pool
        self.name = name
        self.host = "127.0.0.1"
        self.pipe_port = 0
        self.control_port = 0
        self.process: asyncio.subprocess.Process | None = None
        #: the control address dialled, for a worker on another machine (attached again if lost)
        self.address: tuple[str, int] | None = None
        self.alive = True
        #: authenticated and in the pool: only then does its loss concern the meetings
        self.ready = False
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[Any]] = {}

    def on_message(self, kind: bytes, body: bytes) -> None:
        message = json.loads(body)
        if "event" in message:
            self.pool.dispatch(self, message)
            return
        future = self._waiting.pop(message.get("id"), None)
        if future is None or future.done():
            return
        if message.get("ok"):
            future.set_result(message.get("result"))
        elif message.get("unknown"):
            future.set_exception(UnknownParticipantError(message.get("error")))
        else:
            future.set_exception(ValueError(message.get("error")))

    async def request(self, op: str, **args: Any) -> Any:
        if not self.alive:
            raise WorkerGoneError(self.name)
        rid = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting[rid] = future
        self.send_json({"id": rid, "op": op, **args})
        return await future

    def notify(self, op: str, **args: Any) -> None:
        """A request whose answer nobody waits for (errors are logged by the worker)."""
        if self.alive:
            self.send_json({"op": op, **args})

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        self.alive = False
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(WorkerGoneError(self.name))
        self._waiting.clear()
        if self.ready:
            self.pool.lost(self)


class WorkerPool:
    """The relay worker processes of this server process."""

    def __init__(self, token: str | None = None, tls: WorkerTls | None = None) -> None:
        """``token``: the secret shared with workers on other machines (``media.worker_token``);
        none, a random one for this pool's own workers. ``tls``: this machine's certificate for
        every control connection and pipe (required to attach workers on other machines)."""
        self.workers: list[WorkerHandle] = []
        self._relays: dict[str, ShardedRelay] = {}
        #: every worker of the pool and its pipes must present it (``worker.TOKEN_ENV``)
        self._token = token or secrets.token_urlsafe(32)
        self._tls = tls
        self._client_tls: ssl.SSLContext | None = tls.client_context() if tls else None
        #: the tasks attaching again the workers on other machines that are not there now
        self._retries: dict[tuple[str, int], asyncio.Task[None]] = {}
        self._closing = False

    async def start(self, count: int, *, host: str = "127.0.0.1", prefix: str = "w") -> None:
        """Start ``count`` workers on this machine, listening on ``host`` (an address the other
        machines' workers reach when there are any), and join them with pipes."""
        started = await asyncio.gather(*(self._spawn(f"{prefix}{i}", host) for i in range(count)))
        self.workers.extend(started)
        await self._introduce()

    async def attach(self, host: str, control_port: int) -> WorkerHandle:
        """Attach the worker listening at ``host:control_port`` (on another machine, started
        with ``--stay``): connect, prove the token, ask its name and pipe address, and join it
        to the others with pipes. Raises ``OSError``, ``TimeoutError``, ``WorkerGoneError`` or
        ``ValueError`` (a name the pool has already) if it cannot."""
        if self._client_tls is None:
            raise ValueError("workers on other machines need TLS (media.worker_tls_*)")
        loop = asyncio.get_running_loop()
        _, handle = await asyncio.wait_for(
            loop.create_connection(
                lambda: WorkerHandle(self, f"{host}:{control_port}"),
                host,
                control_port,
                ssl=self._client_tls,
            ),
            ATTACH_TIMEOUT,
        )
        try:
            await asyncio.wait_for(handle.request("auth", token=self._token), ATTACH_TIMEOUT)
            about = await asyncio.wait_for(handle.request("describe"), ATTACH_TIMEOUT)
            try:
                name, listen, pipe_port = str(about["name"]), str(about["host"]), int(about["pipe"])
            except (KeyError, TypeError, ValueError):
                raise ValueError(
                    f"relay worker at {host}:{control_port} described itself as {about!r}"
                ) from None
            if any(w.name == name and w.alive for w in self.workers):
                raise ValueError(f"a relay worker named {name} is in the pool already")
            if self._closing:  # a retry that outlived close() (wait_for may eat a cancel)
                raise WorkerGoneError(name)
        except BaseException:
            handle.close()
            raise
        handle.name = name
        # a worker listening on every address is reached where it was reached
        handle.host = host if listen in ("", "0.0.0.0", "::") else listen  # noqa: S104
        handle.pipe_port = pipe_port
        handle.control_port = control_port
        handle.address = (host, control_port)
        handle.ready = True
        # a dead handle of the same name makes way (its members have failed over already)
        self.workers = [w for w in self.workers if w.alive or w.name != name]
        self.workers.append(handle)
        await self._introduce()
        logger.info("relay worker %s at %s:%d attached", name, host, control_port)
        return handle

    async def attach_all(self, addresses: Iterable[tuple[str, int]]) -> None:
        """Attach each worker; one that is not there now is logged and tried again in the
        background (a relay machine that is down does not stop this process starting)."""

        async def one(host: str, port: int) -> None:
            try:
                await self.attach(host, port)
            except (OSError, TimeoutError, WorkerGoneError, ValueError) as exc:
                logger.warning("relay worker %s:%d not attached (%r): retrying", host, port, exc)
                self._retry((host, port))

        await asyncio.gather(*(one(host, port) for host, port in addresses))

    def _retry(self, address: tuple[str, int]) -> None:
        if self._closing or address in self._retries:
            return
        self._retries[address] = asyncio.get_running_loop().create_task(self._reattach(address))

    async def _reattach(self, address: tuple[str, int]) -> None:
        host, port = address
        try:
            while not self._closing:
                await asyncio.sleep(RETRY_SECONDS)
                try:
                    handle = await self.attach(host, port)
                except (OSError, TimeoutError, WorkerGoneError, ValueError) as exc:
                    logger.info("relay worker %s:%d still not attached: %r", host, port, exc)
                    continue
                if handle.alive:  # else it was lost while joining: its loss found us here
                    return
        finally:
            # at once, not in a done callback: a loss right after must start a new task
            self._retries.pop(address, None)

    async def _spawn(self, name: str, host: str) -> WorkerHandle:
        tls = self._tls.arguments() if self._tls is not None else []
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "server.media.worker",
            "--name",
            name,
            "--host",
            host,
            *tls,
            stdout=asyncio.subprocess.PIPE,
            env={**os.environ, TOKEN_ENV: self._token},
            # a session of its own, so a scheduler autogroup of its own, as a process on a host
            # of its own would have; it still ends with this process (its control connection
            # closes, or nobody connects within ``worker.LONELY_SECONDS``)
            start_new_session=True,
        )
        assert process.stdout is not None
        try:
            line = await asyncio.wait_for(process.stdout.readline(), START_TIMEOUT)
            ports = json.loads(line)
        except BaseException:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            raise
        loop = asyncio.get_running_loop()
        _, handle = await loop.create_connection(
            lambda: WorkerHandle(self, name), host, int(ports["control"]), ssl=self._client_tls
        )
        handle.host = host
        handle.pipe_port = int(ports["pipe"])
        handle.control_port = int(ports["control"])
        handle.process = process
        await handle.request("auth", token=self._token)
        handle.ready = True
        return handle

    async def _introduce(self) -> None:
        peers = [
            {"name": w.name, "host": w.host, "pipe": w.pipe_port} for w in self.workers if w.alive
        ]
        await asyncio.gather(
            *(w.request("peers", workers=peers) for w in self.workers if w.alive),
            return_exceptions=True,
        )

    @property
    def alive(self) -> list[WorkerHandle]:
        return [w for w in self.workers if w.alive]

    def relay(
        self,
        meeting: str,
        config: RelayConfig,
        on_event: Callable[[RelayEvent], None] | None = None,
    ) -> ShardedRelay:
        relay = ShardedRelay(self, meeting, config, on_event)
        self._relays[meeting] = relay
        return relay

    def load(self, worker: WorkerHandle) -> int:
        return sum(r.members_on(worker) for r in self._relays.values())

    def choose(self) -> WorkerHandle:
        alive = self.alive
        if not alive:
            raise WorkerGoneError("no relay worker is running")
        return min(alive, key=self.load)

    def dispatch(self, worker: WorkerHandle, message: dict[str, Any]) -> None:
        relay = self._relays.get(str(message.get("meeting")))
        if relay is not None:
            relay.worker_event(worker, str(message["event"]), message["data"])

    def lost(self, worker: WorkerHandle) -> None:
        if not self._closing:
            logger.warning("relay worker %s is gone; its members reconnect elsewhere", worker.name)
        for relay in list(self._relays.values()):
            relay.worker_lost(worker)
        if worker.address is not None:
            self._retry(worker.address)

    def forget(self, meeting: str) -> None:
        self._relays.pop(meeting, None)

    async def stats(self) -> list[dict[str, Any]]:
        results = await asyncio.gather(
            *(w.request("stats") for w in self.alive), return_exceptions=True
        )
        return [r for r in results if isinstance(r, dict)]

    async def close(self) -> None:
        self._closing = True
        retries = list(self._retries.values())
        for task in retries:
            task.cancel()
        await asyncio.gather(*retries, return_exceptions=True)
        for worker in self.workers:
            worker.close()
        for worker in self.workers:
            if worker.process is not None:
                try:
                    await asyncio.wait_for(worker.process.wait(), 10)
                except TimeoutError:
                    with contextlib.suppress(ProcessLookupError):
                        worker.process.kill()
                    await worker.process.wait()


class ShardedRelay:
    """A meeting's relay whose members are served by several workers; ``MeetingRelay``'s calls.

    ``on_event`` is called on the event loop with the events of the members' own workers;
    ``ActiveSpeakers`` comes from one worker (the first serving members), so it never flaps
    between two rankings.
    """

    def __init__(
        self,
        pool: WorkerPool,
        meeting: str,
        config: RelayConfig,
        on_event: Callable[[RelayEvent], None] | None,
    ) -> None:
        self._pool = pool
        self._meeting = meeting
        self._config = config
        self._on_event = on_event
        self._placed: dict[str, WorkerHandle] = {}
        self._opened: set[WorkerHandle] = set()
        self._muted: dict[str, set[Kind]] = {}
        self._pinned: tuple[str, ...] = ()
        self._presenter: str | None = None
        self._speakers: tuple[str, ...] = ()
        self._closed = False

    def members_on(self, worker: WorkerHandle) -> int:
        return sum(w is worker for w in self._placed.values())

    def worker_of(self, participant_id: str) -> WorkerHandle | None:
        return self._placed.get(participant_id)

    async def connect(
        self,
        participant_id: str,
        offer_sdp: str,
        *,
        audio_only: bool = False,
        screen_mid: str | None = None,
    ) -> str:
        if self._closed:
            raise RuntimeError("relay is closed")
        worker = self._placed.get(participant_id)
        placed = worker is None or not worker.alive
        if worker is None or not worker.alive:
            worker = self._pool.choose()
        self._placed[participant_id] = worker  # counted at once: concurrent joins spread
        self._open_on(worker)
        try:
            answer = await worker.request(
                "connect",
                meeting=self._meeting,
                participant=participant_id,
                offer=offer_sdp,
                audio_only=audio_only,
                screen_mid=screen_mid,
                muted=sorted(self._muted.get(participant_id, ())),
            )
        except BaseException:
            # a refused first offer leaves nothing there (a renegotiation keeps the old one)
            if placed and self._placed.get(participant_id) is worker:
                del self._placed[participant_id]
            raise
        return str(answer)

    def _open_on(self, worker: WorkerHandle) -> None:
        if worker not in self._opened:
            self._opened.add(worker)
            worker.notify(
                "open",
                meeting=self._meeting,
                config=config_to_json(self._config),
                pinned=list(self._pinned),
                presenter=self._presenter,
            )

    async def add_ice_candidate(
        self,
        participant_id: str,
        candidate: str,
        sdp_mid: str | None,
        sdp_mline_index: int | None,
    ) -> None:
        worker = self._placed.get(participant_id)
        if worker is None:
            raise UnknownParticipantError(participant_id)
        await worker.request(
            "ice",
            meeting=self._meeting,
            participant=participant_id,
            candidate=candidate,
            sdp_mid=sdp_mid,
            sdp_mline_index=sdp_mline_index,
        )

    def set_audio_only(self, participant_id: str, on: bool) -> None:
        worker = self._placed.get(participant_id)
        if worker is None:
            raise UnknownParticipantError(participant_id)
        worker.notify("audio_only", meeting=self._meeting, participant=participant_id, on=on)

    def set_publisher_muted(self, participant_id: str, kind: Kind, muted: bool) -> None:
        worker = self._placed.get(participant_id)
        if worker is None:
            raise UnknownParticipantError(participant_id)
        kinds = self._muted.setdefault(participant_id, set())
        if muted:
            kinds.add(kind)
        else:
            kinds.discard(kind)
        worker.notify(
            "mute", meeting=self._meeting, participant=participant_id, kind=kind, muted=muted
        )

    def set_screen_presenter(self, participant_id: str | None) -> None:
        if participant_id != self._presenter:
            self._presenter = participant_id
            self._broadcast("presenter", participant=participant_id)

    @property
    def screen_presenter(self) -> str | None:
        return self._presenter

    def set_pinned(self, participant_ids: Sequence[str]) -> None:
        pinned = tuple(dict.fromkeys(participant_ids))
        if pinned != self._pinned:
            self._pinned = pinned
            self._broadcast("pinned", participants=list(pinned))

    @property
    def pinned(self) -> tuple[str, ...]:
        return self._pinned

    @property
    def active_speakers(self) -> tuple[str, ...]:
        return self._speakers

    def _broadcast(self, op: str, **args: Any) -> None:
        for worker in self._opened:
            worker.notify(op, meeting=self._meeting, **args)

    async def disconnect(self, participant_id: str) -> None:
        worker = self._placed.pop(participant_id, None)
        self._muted.pop(participant_id, None)
        if worker is not None and worker.alive:
            with contextlib.suppress(WorkerGoneError, UnknownParticipantError):
                await worker.request(
                    "disconnect", meeting=self._meeting, participant=participant_id
                )

    async def close(self) -> None:
        self._closed = True
        self._broadcast("close")
        self._opened.clear()
        self._placed.clear()
        self._pool.forget(self._meeting)

    async def stats(self) -> dict[str, dict[str, Any]]:
        """Each worker's stats of this meeting and its pipes, by worker name."""
        out: dict[str, dict[str, Any]] = {}
        for raw in await self._pool.stats():
            out[str(raw["name"])] = {
                "relay": raw["meetings"].get(self._meeting),
                "pipes": raw["pipes"],
                "piped_keyframe_requests": raw["piped_keyframe_requests"],
            }
        return out

    # ------------------------------------------------------------------ from the workers

    def worker_event(self, worker: WorkerHandle, name: str, data: dict[str, Any]) -> None:
        event: RelayEvent
        if name == "speakers":
            if worker is not self._speaker_source():
                return
            event = ActiveSpeakers(tuple(data["participant_ids"]))
            self._speakers = event.participant_ids
        elif self._placed.get(str(data.get("participant_id"))) is not worker:
            return  # a member's old worker, still closing its connection
        elif name == "slots":
            event = SlotsChanged(
                participant_id=data["participant_id"],
                video=tuple(data["video"]),
                audio=tuple(data["audio"]),
                screen=tuple(data["screen"]),
                link=data["link"],
                audio_hold=tuple(data.get("audio_hold", ())),
            )
        elif name == "peer_state":
            event = PeerStateChanged(data["participant_id"], data["state"])
        else:
            return
        self._emit(event)

    def _speaker_source(self) -> WorkerHandle | None:
        serving = set(self._placed.values())
        return next((w for w in self._pool.workers if w.alive and w in serving), None)

    def worker_lost(self, worker: WorkerHandle) -> None:
        self._opened.discard(worker)
        for pid in [p for p, w in self._placed.items() if w is worker]:
            del self._placed[pid]
            self._emit(PeerStateChanged(pid, "failed"))

    def _emit(self, event: RelayEvent) -> None:
        if self._on_event is None:
            return
        try:
            self._on_event(event)
        except Exception:
            logger.exception("relay event handler failed on %r", event)
