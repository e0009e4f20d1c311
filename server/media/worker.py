"""A relay worker process: the peer connections of a shard of a meeting's members.

Started by :class:`~server.media.shards.WorkerPool` (or ``hopchibo relay-worker``), a worker
listens on two TCP ports and prints them as one JSON line on stdout: its *control* port, where the
server's process asks it to answer offers and tells it the room's decisions (JSON on the framing of
``pipe.py``), and its *pipe* port, where the other workers connect. It runs one
:class:`~server.media.relay.MeetingRelay` per meeting it serves members of; in it, the members
served by other workers are *remote publishers* whose frames come through the pipes. Each frame of
a member served here goes once over each pipe whose worker serves members of the same meeting;
keyframe requests for it come back over the pipe. The worker exits when its control connection
closes, unless it was started with ``--stay`` (a worker on another machine, attached by the pool
with ``WorkerPool.attach``): then it closes its meetings and pipes and waits for the next server
connection. With ``--tls-cert/--tls-key/--tls-ca`` its ports and the pipes it dials speak mutual
TLS (``tls.py``); a worker listening on anything but loopback must. ``docs/media.md`` describes
the design.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import hmac
import json
import logging
import os
import ssl
import sys
from collections import Counter
from pathlib import Path
from typing import Any, cast

from server.config import is_loopback
from server.media.ice import IceServer
from server.media.pipe import CLOCK_RATES, Framed, PipeLink, StreamKind, decode_frame
from server.media.relay import (
    ActiveSpeakers,
    MeetingRelay,
    PeerStateChanged,
    RelayConfig,
    RelayEvent,
    SlotsChanged,
    UnknownParticipantError,
)
from server.media.tls import WorkerTls

logger = logging.getLogger(__name__)

#: the environment variable holding the pool's secret: the control connection and every pipe
#: must present it first (never on the command line, which every local user can read)
TOKEN_ENV = "HOPCHIBO_RELAY_TOKEN"  # noqa: S105 (a variable's name, not a secret)

#: a worker that no server process has connected to within this many seconds exits
LONELY_SECONDS = 60.0
#: seconds a worker waits for another's pipe port to answer (a machine that is down)
DIAL_SECONDS = 10.0

EVENT_NAMES: dict[type[Any], str] = {
    SlotsChanged: "slots",
    ActiveSpeakers: "speakers",
    PeerStateChanged: "peer_state",
}


def config_to_json(config: RelayConfig) -> dict[str, Any]:
    return dataclasses.asdict(config)


def config_from_json(data: dict[str, Any]) -> RelayConfig:
    servers = tuple(
        IceServer(tuple(s["urls"]), s.get("username"), s.get("credential"))
        for s in data.get("ice_servers", ())
    )
    return RelayConfig(**{**data, "ice_servers": servers})


@dataclasses.dataclass(slots=True)
class _Remote:
    """A participant another worker announced over one pipe."""

    link: PipeLink
    meeting: str
    streams: dict[int, StreamKind]


class RelayWorker:
    """The meetings, pipes and control connection of one worker process."""

    def __init__(
        self,
        name: str,
        token: str,
        host: str = "127.0.0.1",
        *,
        tls: WorkerTls | None = None,
        stay: bool = False,
    ) -> None:
        if not token:
            raise ValueError(f"a relay worker needs its pool's token in {TOKEN_ENV}")
        if tls is None and not is_loopback(host):
            # frames on its pipes are the meeting's media, decrypted: never in clear on a network
            raise ValueError(f"a relay worker listening on {host} needs --tls-cert/key/ca")
        self.name = name
        self.host = host
        self.token = token
        #: keep listening when the server's connection closes (a worker on another machine)
        self.stay = stay
        self._server_tls = tls.server_context() if tls is not None else None
        self._client_tls = tls.client_context() if tls is not None else None
        self.pipe_port = 0
        self._relays: dict[str, MeetingRelay] = {}
        self._links: dict[str, PipeLink] = {}
        self._control: _Control | None = None
        # streams of the publishers served here, by (meeting, participant, kind), and back
        self._streams: dict[tuple[str, str, StreamKind], int] = {}
        self._owners: dict[int, tuple[str, str, StreamKind]] = {}
        self._next_stream = 1
        # what the other workers announced: by (meeting, participant); by pipe, stream
        self._remote: dict[tuple[str, str], _Remote] = {}
        self._remote_streams: dict[PipeLink, dict[int, tuple[str, str, StreamKind]]] = {}
        #: how many members each pipe's worker serves, per meeting (frames go where > 0)
        self._members: dict[PipeLink, Counter[str]] = {}
        #: keyframe requests for each publisher served here that came through a pipe
        self.piped_keyframe_requests: Counter[str] = Counter()
        self.done = asyncio.Event()

    # ------------------------------------------------------------------ serving

    async def serve(self, control_port: int = 0, pipe_port: int = 0) -> tuple[int, int]:
        loop = asyncio.get_running_loop()
        tls = self._server_tls
        control = await loop.create_server(lambda: _Control(self), self.host, control_port, ssl=tls)
        pipes = await loop.create_server(lambda: PipeLink(self), self.host, pipe_port, ssl=tls)
        self.pipe_port = pipes.sockets[0].getsockname()[1]
        return control.sockets[0].getsockname()[1], self.pipe_port

    async def link_to(self, name: str, host: str, port: int) -> None:
        """Open the pipe to another worker (the one of each pair with the greater name does)."""
        if name in self._links or name >= self.name:
            return
        loop = asyncio.get_running_loop()
        _, link = await asyncio.wait_for(
            loop.create_connection(lambda: PipeLink(self), host, port, ssl=self._client_tls),
            DIAL_SECONDS,
        )
        link.send_json({"type": "hello", "name": self.name, "token": self.token})
        link.authenticated = True  # we dialled the address the pool gave us
        self._linked(name, link)

    def _linked(self, name: str, link: PipeLink) -> None:
        link.peer_name = name
        self._links[name] = link
        self._remote_streams.setdefault(link, {})
        self._members.setdefault(link, Counter())
        for meeting, relay in self._relays.items():
            for pid in relay.served_here():
                link.send_json(self._announcement(meeting, pid))

    async def reset(self) -> None:
        """Close every meeting and pipe: the server that asked for them is gone. What is
        forgotten is forgotten at once, so a server connecting meanwhile starts clean."""
        relays = list(self._relays.items())
        self._relays.clear()
        for meeting, relay in relays:
            for pid in relay.served_here():
                self._gone(meeting, pid)
        links = list(self._links.values())
        self._links.clear()
        for link in links:
            link.close()
        for _, relay in relays:
            await relay.close()

    async def close(self) -> None:
        await self.reset()
        self.done.set()

    def control_lost(self) -> None:
        """The server's control connection closed: exit, or with ``stay`` wait for the next."""
        if self.stay:
            logger.warning("the server's control connection closed: waiting for the next one")
            asyncio.get_running_loop().create_task(self.reset())
        else:
            asyncio.get_running_loop().create_task(self.close())

    # ------------------------------------------------------------------ control

    async def handle(self, op: str, args: dict[str, Any]) -> Any:
        meeting = str(args.get("meeting", ""))
        if op == "open":
            self._open(meeting, config_from_json(args["config"]))
            opened = self._relays[meeting]
            opened.set_pinned(args.get("pinned", ()))
            opened.set_screen_presenter(args.get("presenter"))
            return None
        if op == "peers":
            for peer in args["workers"]:
                with contextlib.suppress(OSError, TimeoutError):  # ssl.SSLError is an OSError
                    await self.link_to(peer["name"], peer["host"], int(peer["pipe"]))
            return None
        if op == "describe":
            # what a pool attaching this worker needs to introduce it to the others
            return {"name": self.name, "host": self.host, "pipe": self.pipe_port}
        if op == "stats":
            return self.stats()
        relay = self._relays.get(meeting)
        if relay is None:
            raise UnknownParticipantError(meeting)
        pid = str(args.get("participant", ""))
        match op:
            case "connect":
                answer = await relay.connect(
                    pid,
                    args["offer"],
                    audio_only=bool(args.get("audio_only")),
                    screen_mid=args.get("screen_mid"),
                )
                for kind in args.get("muted", ()):
                    relay.set_publisher_muted(pid, kind, True)
                self._announce(meeting, pid)
                return answer
            case "ice":
                await relay.add_ice_candidate(
                    pid, args["candidate"], args.get("sdp_mid"), args.get("sdp_mline_index")
                )
            case "audio_only":
                relay.set_audio_only(pid, bool(args["on"]))
            case "mute":
                relay.set_publisher_muted(pid, args["kind"], bool(args["muted"]))
                self._announce(meeting, pid)
            case "pinned":
                relay.set_pinned(args["participants"])
            case "presenter":
                relay.set_screen_presenter(args.get("participant"))
            case "disconnect":
                if not relay.is_remote(pid):
                    await relay.disconnect(pid)
                    self._gone(meeting, pid)
            case "close":
                self._relays.pop(meeting, None)
                for served in relay.served_here():
                    self._gone(meeting, served)
                await relay.close()
            case _:
                raise ValueError(f"unknown operation {op!r}")
        return None

    def _open(self, meeting: str, config: RelayConfig) -> None:
        if meeting in self._relays:
            return
        relay = MeetingRelay(config, lambda event: self._event(meeting, event))
        relay.set_pipe_listener(
            lambda pid, kind, frame, level: self._pipe_out(meeting, pid, kind, frame, level)
        )
        self._relays[meeting] = relay
        # what the other workers announced before this meeting was opened here
        for (m, pid), remote in list(self._remote.items()):
            if m == meeting:
                self._add_remote(relay, pid, remote, None)

    def _event(self, meeting: str, event: RelayEvent) -> None:
        if self._control is not None:
            data = dataclasses.asdict(event)
            self._control.send_json(
                {"event": EVENT_NAMES[type(event)], "meeting": meeting, "data": data}
            )

    def stats(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "meetings": {m: dataclasses.asdict(r.stats()) for m, r in self._relays.items()},
            "pipes": {
                name: {
                    "frames_sent": link.frames_sent,
                    "frames_received": link.frames_received,
                    "frames_dropped": link.frames_dropped,
                    "keyframes_asked": link.keyframes_asked,
                }
                for name, link in self._links.items()
            },
            "piped_keyframe_requests": dict(self.piped_keyframe_requests),
        }

    # ------------------------------------------------------------------ the pipes, out

    def _announcement(self, meeting: str, pid: str) -> dict[str, Any]:
        kinds, muted = self._relays[meeting].published(pid)
        streams: dict[str, int] = {}
        for kind in kinds:
            key = (meeting, pid, kind)
            if key not in self._streams:
                self._streams[key] = self._next_stream
                self._owners[self._next_stream] = key
                self._next_stream += 1
            streams[kind] = self._streams[key]
        return {
            "type": "announce",
            "meeting": meeting,
            "participant": pid,
            "streams": streams,
            "muted": list(muted),
        }

    def _announce(self, meeting: str, pid: str) -> None:
        message = self._announcement(meeting, pid)
        for link in self._links.values():
            link.send_json(message)

    def _gone(self, meeting: str, pid: str) -> None:
        for kind in ("audio", "video", "screen"):
            stream = self._streams.pop((meeting, pid, kind), None)
            if stream is not None:
                self._owners.pop(stream, None)
        for link in self._links.values():
            link.send_json({"type": "gone", "meeting": meeting, "participant": pid})

    def _pipe_out(
        self, meeting: str, pid: str, kind: StreamKind, frame: Any, level: int | None
    ) -> None:
        stream = self._streams.get((meeting, pid, kind))
        if stream is None:
            return
        relay = self._relays[meeting]
        ask = relay.request_screen_keyframe if kind == "screen" else relay.request_keyframe
        for link in self._links.values():
            if self._members[link][meeting] > 0:
                link.send_frame(stream, frame, level if kind == "audio" else None, lambda: ask(pid))

    # ------------------------------------------------------------------ the pipes, in

    def pipe_json(self, link: PipeLink, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "hello":
            if not self.valid(message.get("token")):
                logger.warning("closing a pipe that did not present the pool's token")
                link.close()
                return
            if link.authenticated:
                return  # the answer to the hello of the side that dialled: both proved it
            link.authenticated = True
            link.send_json({"type": "hello", "name": self.name, "token": self.token})
            self._linked(str(message["name"]), link)
            return
        meeting, pid = str(message["meeting"]), str(message["participant"])
        key = (meeting, pid)
        old = self._remote.get(key)
        if old is not None:
            if kind == "gone" and old.link is not link:
                return  # a late notice from the worker it left
            self._forget_remote(key, old, keep_publisher=kind == "announce")
        if kind == "announce":
            streams = {int(s): cast(StreamKind, k) for k, s in message["streams"].items()}
            remote = _Remote(link, meeting, streams)
            self._remote[key] = remote
            self._members[link][meeting] += 1
            for stream, k in streams.items():
                self._remote_streams[link][stream] = (meeting, pid, k)
            relay = self._relays.get(meeting)
            if relay is not None:
                self._add_remote(relay, pid, remote, message.get("muted", ()))

    def _add_remote(
        self, relay: MeetingRelay, pid: str, remote: _Remote, muted: Any | None
    ) -> None:
        by_kind = {kind: stream for stream, kind in remote.streams.items()}
        link = remote.link

        def ask(_pid: str, kind: StreamKind) -> None:
            stream = by_kind.get(kind)
            if stream is not None:
                link.send_keyframe_request(stream)

        relay.add_remote_publisher(pid, list(by_kind), list(muted or ()), ask)

    def _forget_remote(self, key: tuple[str, str], remote: _Remote, keep_publisher: bool) -> None:
        del self._remote[key]
        self._members[remote.link][remote.meeting] -= 1
        streams = self._remote_streams.get(remote.link, {})
        for stream in remote.streams:
            streams.pop(stream, None)
        relay = self._relays.get(remote.meeting)
        if relay is not None and not keep_publisher:
            relay.remove_remote_publisher(key[1])

    def valid(self, token: object) -> bool:
        return isinstance(token, str) and hmac.compare_digest(token, self.token)

    def pipe_frame(self, link: PipeLink, stream: int, body: bytes) -> None:
        source = self._remote_streams.get(link, {}).get(stream)
        if source is None:
            return
        meeting, pid, kind = source
        relay = self._relays.get(meeting)
        if relay is not None:
            _, frame, level = decode_frame(body, CLOCK_RATES[kind])
            relay.push_remote_frame(pid, kind, frame, level)

    def pipe_keyframe(self, link: PipeLink, stream: int) -> None:
        owner = self._owners.get(stream)
        if owner is None:
            return
        meeting, pid, kind = owner
        relay = self._relays.get(meeting)
        if relay is None:
            return
        self.piped_keyframe_requests[pid] += 1
        if kind == "screen":
            relay.request_screen_keyframe(pid)
        else:
            relay.request_keyframe(pid)

    def pipe_lost(self, link: PipeLink) -> None:
        if link.peer_name is not None and self._links.get(link.peer_name) is link:
            del self._links[link.peer_name]
        for key, remote in list(self._remote.items()):
            if remote.link is link:
                self._forget_remote(key, remote, keep_publisher=False)
        self._remote_streams.pop(link, None)
        self._members.pop(link, None)


class _Control(Framed):
    """The server process's connection: requests ``{id, op, ...}``, answers ``{id, ok, ...}``,
    and the relays' events. Requests run in arrival order as far as they do not wait."""

    def __init__(self, worker: RelayWorker) -> None:
        super().__init__()
        self._worker = worker
        self._tasks: set[asyncio.Task[None]] = set()
        self._authenticated = False

    def on_message(self, kind: bytes, body: bytes) -> None:
        request = json.loads(body)
        if not self._authenticated:
            # the first message proves the pool's token; one server process per worker
            worker = self._worker
            if (
                request.get("op") != "auth"
                or not worker.valid(request.get("token"))
                or worker._control is not None
            ):
                logger.warning("closing a control connection without the pool's token")
                self.close()
                return
            self._authenticated = True
            worker._control = self
            self.send_json({"id": request.get("id"), "ok": True, "result": None})
            return
        task = asyncio.get_running_loop().create_task(self._run(request))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, request: dict[str, Any]) -> None:
        rid = request.get("id")
        try:
            result = await self._worker.handle(str(request.get("op")), request)
        except UnknownParticipantError as exc:
            reply = {"id": rid, "ok": False, "unknown": True, "error": repr(exc)}
        except Exception as exc:
            if rid is None:
                logger.exception("control request %s failed", request.get("op"))
            reply = {"id": rid, "ok": False, "error": repr(exc)}
        else:
            reply = {"id": rid, "ok": True, "result": result}
        if rid is not None:
            self.send_json(reply)

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        if self._worker._control is self:
            self._worker._control = None
            self._worker.control_lost()


def read_token() -> str:
    """The pool's token, from ``TOKEN_ENV`` or the file named by ``TOKEN_ENV_FILE``."""
    if token := os.environ.get(TOKEN_ENV, ""):
        return token
    if path := os.environ.get(f"{TOKEN_ENV}_FILE", ""):
        return Path(path).read_text().strip()
    return ""


async def run(
    name: str,
    host: str,
    control_port: int,
    pipe_port: int,
    *,
    stay: bool = False,
    tls: WorkerTls | None = None,
) -> None:
    worker = RelayWorker(name, read_token(), host, tls=tls, stay=stay)
    control, pipe = await worker.serve(control_port, pipe_port)
    sys.stdout.write(json.dumps({"name": name, "control": control, "pipe": pipe}) + "\n")
    sys.stdout.flush()
    if not stay:
        # done early when the server connects and leaves within the minute (the pool's close
        # then waits for nothing)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(worker.done.wait(), LONELY_SECONDS)
        if not worker.done.is_set() and worker._control is None:
            logger.warning("no server process connected in %.0f s: exiting", LONELY_SECONDS)
            await worker.close()
    await worker.done.wait()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The worker's options (``python -m server.media.worker`` and ``hopchibo relay-worker``)."""
    parser.add_argument("--name", required=True, help="this worker's name, unique in the pool")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--control-port", type=int, default=0)
    parser.add_argument("--pipe-port", type=int, default=0)
    parser.add_argument(
        "--stay",
        action="store_true",
        help="a worker on another machine: outlive the server's connection, wait for the next",
    )
    parser.add_argument("--tls-cert", help="this machine's certificate (PEM): mutual TLS")
    parser.add_argument("--tls-key", help="its private key (PEM)")
    parser.add_argument("--tls-ca", help="the CA that signs every worker's and server's (PEM)")


def tls_from(args: argparse.Namespace) -> WorkerTls | None:
    """The TLS files given, or ``None``; all three or none."""
    files = (args.tls_cert, args.tls_key, args.tls_ca)
    if not any(files):
        return None
    if not all(files):
        raise SystemExit("--tls-cert, --tls-key and --tls-ca go together")
    return WorkerTls(args.tls_cert, args.tls_key, args.tls_ca)


def run_from(args: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    try:
        tls = tls_from(args)
        asyncio.run(
            run(args.name, args.host, args.control_port, args.pipe_port, stay=args.stay, tls=tls)
        )
    except (ValueError, OSError, ssl.SSLError) as exc:  # a bad option, file or address
        raise SystemExit(f"relay worker {args.name}: {exc}") from None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    add_arguments(parser)
    run_from(parser.parse_args(argv))


if __name__ == "__main__":
    main()
