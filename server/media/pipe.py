"""The pipe between relay workers, and the framing their control channel shares.

One TCP connection joins each pair of relay worker processes (``worker.py``) that serve members of
the same meeting, in the spirit of mediasoup's pipe transports and Jitsi's Octo: a publisher's
encoded frames are received once, by the worker serving it, and sent once over each pipe to every
other worker that serves members of its meeting; keyframe requests travel back. Nothing on a pipe
is decoded or re-packetised. Between workers on one host a pipe is plain TCP on loopback; between
machines it is mutual TLS (``tls.py``): its frames are the meeting's media (``docs/media.md``).

Every message is ``u32 length | u8 type | body``:

- ``J`` a JSON object: ``hello`` (the sender's worker name and the pool's token: nothing else is
  read from a pipe before a hello with the right token), ``announce`` (a participant the sender
  serves: its meeting, id, the stream id of each source it publishes, and its mutes) and ``gone``;
- ``F`` one encoded frame: ``u32 stream | u8 flags | u8 temporal layer | u8 audio level |
  i64 pts | data`` (flags: keyframe, has a layer, has a level); a stream id names one source of
  one publisher, as the sender announced it;
- ``K`` a keyframe request for a stream the receiver of this message announced: ``u32 stream``.

Audio levels (RFC 6464, read from each publisher's packets) ride on its audio frames, so every
worker ranks the speakers from the same levels.
"""

from __future__ import annotations

import abc
import asyncio
import json
import logging
import socket
import struct
from collections.abc import Callable
from typing import Any, Literal, Protocol

from server.media.passthrough import EncodedFrame

logger = logging.getLogger(__name__)

#: what one source of a publisher is on a pipe
StreamKind = Literal["audio", "video", "screen"]
#: clock rates of the forwarded codecs (Opus, VP8)
CLOCK_RATES: dict[StreamKind, int] = {"audio": 48_000, "video": 90_000, "screen": 90_000}
#: a message longer than this ends the connection (a corrupt or hostile peer)
MAX_MESSAGE = 4 * 1024 * 1024
#: TCP keepalive of pipes and control connections (idle seconds, probe interval, probes): a
#: worker's machine that vanishes without closing its connections is known gone in about 11 s,
#: and its members fail over, instead of after the kernel's two hours
KEEPALIVE = (5, 2, 3)
#: a pipe with more than this many bytes waiting drops video (then waits for a keyframe) and
#: never audio: a slow worker must not grow its peers' memory without bound
HIGH_WATER = 2 * 1024 * 1024

JSON = b"J"
FRAME = b"F"
KEYFRAME = b"K"
_LENGTH = struct.Struct("!I")
_FRAME = struct.Struct("!IBBBq")
_STREAM = struct.Struct("!I")
_KEY, _LAYER, _LEVEL = 1, 2, 4


def encode(kind: bytes, body: bytes) -> bytes:
    return _LENGTH.pack(len(body) + 1) + kind + body


def encode_json(message: dict[str, Any]) -> bytes:
    return encode(JSON, json.dumps(message, separators=(",", ":")).encode())


def encode_frame(stream: int, frame: EncodedFrame, level: int | None) -> bytes:
    flags = (
        (_KEY if frame.keyframe else 0)
        | (_LAYER if frame.temporal_layer is not None else 0)
        | (_LEVEL if level is not None else 0)
    )
    head = _FRAME.pack(stream, flags, frame.temporal_layer or 0, level or 0, frame.pts)
    return _LENGTH.pack(len(head) + len(frame.data) + 1) + FRAME + head + frame.data


def decode_frame(body: bytes, clock_rate: int) -> tuple[int, EncodedFrame, int | None]:
    stream, flags, layer, level, pts = _FRAME.unpack_from(body)
    frame = EncodedFrame(
        data=body[_FRAME.size :],
        pts=pts,
        clock_rate=clock_rate,
        keyframe=bool(flags & _KEY),
        temporal_layer=layer if flags & _LAYER else None,
    )
    return stream, frame, level if flags & _LEVEL else None


class Framed(asyncio.Protocol, abc.ABC):
    """A stream of length-prefixed messages; ``on_message(type, body)`` for each one (each kind
    of link defines it)."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.closed = asyncio.Event()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
            if hasattr(socket, "TCP_KEEPIDLE"):  # Linux
                idle, interval, count = KEEPALIVE
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, idle)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, interval)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, count)

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        pos = 0
        end = len(buffer)
        try:
            while end - pos >= 4:
                (length,) = _LENGTH.unpack_from(buffer, pos)
                if length == 0 or length > MAX_MESSAGE:
                    raise ValueError(f"bad message length {length}")
                if end - pos - 4 < length:
                    break
                start = pos + 4
                self.on_message(
                    bytes(buffer[start : start + 1]), bytes(buffer[start + 1 : start + length])
                )
                pos = start + length
        except (ValueError, KeyError, TypeError) as exc:  # a stranger, a corrupt or old peer
            logger.warning("closing a pipe or control connection: %s", exc)
            self._abort()
            return
        except Exception:
            logger.exception("closing a pipe or control connection after a bad message")
            self._abort()
            return
        del buffer[:pos]

    def _abort(self) -> None:
        self._buffer.clear()
        if self.transport is not None:
            self.transport.close()

    @abc.abstractmethod
    def on_message(self, kind: bytes, body: bytes) -> None:
        """One whole message of ``kind``."""

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self.closed.set()

    def send(self, data: bytes) -> bool:
        if self.transport is None or self.transport.is_closing():
            return False
        self.transport.write(data)
        return True

    def send_json(self, message: dict[str, Any]) -> bool:
        return self.send(encode_json(message))

    @property
    def backlog(self) -> int:
        return 0 if self.transport is None else self.transport.get_write_buffer_size()

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


class PipeHandler(Protocol):
    """The worker's side of its pipes."""

    def pipe_json(self, link: PipeLink, message: dict[str, Any]) -> None: ...

    def pipe_frame(self, link: PipeLink, stream: int, body: bytes) -> None: ...

    def pipe_keyframe(self, link: PipeLink, stream: int) -> None: ...

    def pipe_lost(self, link: PipeLink) -> None: ...


class PipeLink(Framed):
    """One pipe: to one other worker, both ways."""

    def __init__(self, handler: PipeHandler) -> None:
        super().__init__()
        self._handler = handler
        self.peer_name: str | None = None
        self.authenticated = False
        """A hello with the pool's token came (``PipeHandler.pipe_json`` checks it)."""
        #: streams whose video was dropped for backlog: nothing more until their next keyframe
        self._broken: set[int] = set()
        self.frames_sent = 0
        self.frames_received = 0
        self.frames_dropped = 0
        self.keyframes_asked = 0
        """Keyframe requests this worker received on this pipe (for its publishers)."""

    def on_message(self, kind: bytes, body: bytes) -> None:
        if not self.authenticated and kind != JSON:
            raise ValueError("a pipe must say hello first")
        if kind == FRAME:
            self.frames_received += 1
            (stream,) = _STREAM.unpack_from(body)
            self._handler.pipe_frame(self, stream, body)
        elif kind == KEYFRAME:
            self.keyframes_asked += 1
            (stream,) = _STREAM.unpack_from(body)
            self._handler.pipe_keyframe(self, stream)
        elif kind == JSON:
            message = json.loads(body)
            if not isinstance(message, dict):
                raise ValueError("a pipe's JSON message must be an object")
            if not self.authenticated and message.get("type") != "hello":
                raise ValueError("a pipe must say hello first")
            self._handler.pipe_json(self, message)
        else:
            raise ValueError(f"unknown pipe message {kind!r}")

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        self._handler.pipe_lost(self)

    def send_frame(
        self,
        stream: int,
        frame: EncodedFrame,
        level: int | None,
        ask_keyframe: Callable[[], None],
    ) -> None:
        """Send a frame; over the high-water mark video waits for its next keyframe (asked of
        the publisher with ``ask_keyframe``) so the other side never gets a broken picture."""
        video = frame.clock_rate != CLOCK_RATES["audio"]
        if video:
            if stream in self._broken:
                if not frame.keyframe:
                    self.frames_dropped += 1
                    return
                self._broken.discard(stream)
            if self.backlog > HIGH_WATER:
                self.frames_dropped += 1
                self._broken.add(stream)
                ask_keyframe()
                return
        if self.send(encode_frame(stream, frame, level)):
            self.frames_sent += 1

    def send_keyframe_request(self, stream: int) -> None:
        self.send(encode(KEYFRAME, _STREAM.pack(stream)))
