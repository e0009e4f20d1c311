"""The live-meeting WebSocket: ``GET /ws/meetings/{meeting_id}`` (protocol v1, docs/protocol.md).

The handshake is checked before the upgrade (session and Origin: 401/403 as JSON). The meeting,
the caller's role in its cell and the meeting's state are checked after it, so the page can show
the refusal: an ``error`` message, then close 1008. Every bad frame gets an ``error`` with its
code and the socket stays up; a frame over :data:`HARD_FRAME_BYTES` closes it (1009), a server
fault closes it with 1011, a ``leave`` or the meeting's end (``meeting_ended``) with 1000.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiohttp import WSCloseCode, WSMsgType, web

from policy.error_codes import ErrorCode, ProtocolError
from policy.i18n import tr
from server import appkeys
from server.auth.middleware import authenticate_websocket
from server.errors import AppError
from server.http.body import path_int
from server.http.routes import Routes
from server.meeting.admission import admit_account
from server.meeting.live import Connection
from signaling.protocol import (
    MAX_FRAME_BYTES,
    ErrorMessage,
    Join,
    Ping,
    Pong,
    dump_message,
    parse_message,
)

log = logging.getLogger(__name__)

#: aiohttp's own ping/pong (seconds); the protocol's ``ping`` is for the page's own clock
HEARTBEAT_SECONDS = 20.0
#: frames above the protocol limit (64 KiB) and up to this get ``message_too_large`` and the
#: socket stays up; larger ones are cut off by aiohttp (close 1009) before they are buffered
HARD_FRAME_BYTES = 4 * MAX_FRAME_BYTES
#: a socket that has not sent ``join`` by then is closed (1008)
JOIN_TIMEOUT_SECONDS = 30.0

routes = Routes()


def _error(code: ErrorCode, text_key: str | None = None, **params: object) -> ErrorMessage:
    text = tr(text_key, **params) if text_key else code.text(**params)
    return ErrorMessage(code=code, message=text)


@routes.route(
    "GET",
    r"/ws/meetings/{meeting_id:\d+}",
    summary="WebSocket of a live meeting (protocol v1; see docs/protocol.md)",
    tag="live",
    status=101,
    content="application/json",
)
async def meeting_socket(request: web.Request) -> web.StreamResponse:
    context = await authenticate_websocket(request)
    meeting_id = path_int(request, "meeting_id")
    ws = web.WebSocketResponse(
        heartbeat=HEARTBEAT_SECONDS, max_msg_size=HARD_FRAME_BYTES, compress=False
    )
    if await request.app[appkeys.LIVE].belongs_elsewhere(meeting_id):
        # before the upgrade, so the proxy may try the next process (server/meeting/hosts.py,
        # nodes.py)
        raise AppError(404, ErrorCode.UNAVAILABLE, tr("ui.live.hosted_elsewhere"))
    if not ws.can_prepare(request).ok:
        raise AppError.of(ErrorCode.VALIDATION, detail="WebSocket upgrade required")
    await ws.prepare(request)
    app = request.app
    live_meetings = app[appkeys.LIVE]
    try:
        info, attendee = await admit_account(app[appkeys.DB], context, meeting_id)
        live = await live_meetings.open(info)  # refused too if the meeting was closed meanwhile
    except ProtocolError as exc:
        app[appkeys.METRICS].joins.labels("refused").inc()
        await app[appkeys.AUDIT].record(
            context.actor,
            "access.denied",
            request.path,
            {"reason": "ws_meeting", "error_code": exc.code.value},
        )
        await ws.send_str(dump_message(ErrorMessage.of(exc)))
        # unavailable (a full system, or hosted elsewhere meanwhile): the page tries again later
        retry = exc.code is ErrorCode.UNAVAILABLE
        await ws.close(code=WSCloseCode.TRY_AGAIN_LATER if retry else WSCloseCode.POLICY_VIOLATION)
        return ws
    except RuntimeError:  # shutting down
        await ws.send_str(dump_message(_error(ErrorCode.UNAVAILABLE)))
        await ws.close(code=WSCloseCode.TRY_AGAIN_LATER)
        return ws
    conn = Connection(ws, attendee, transport=request.transport)
    writer = asyncio.get_running_loop().create_task(conn.pump())
    joined = False
    try:
        while not ws.closed and not conn.closing:
            try:
                frame = await ws.receive(timeout=None if joined else JOIN_TIMEOUT_SECONDS)
            except TimeoutError:
                conn.send(_error(ErrorCode.OUT_OF_TURN, "ui.live.join_timeout"))
                conn.close()
                break
            if frame.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED):
                break
            if frame.type is WSMsgType.ERROR:
                break
            if frame.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                continue
            try:
                msg = parse_message(frame.data)
                if joined:
                    await live.handle(conn, msg)
                elif isinstance(msg, Join):
                    with app[appkeys.METRICS].join_seconds.time():
                        await live.join(conn, msg)
                    app[appkeys.METRICS].joins.labels("joined").inc()
                    joined = True
                elif isinstance(msg, Ping):
                    conn.send(Pong(nonce=msg.nonce))
                else:
                    live.room.handle(conn.conn_id, msg)  # raises: not joined yet
            except ProtocolError as exc:
                conn.send(ErrorMessage.of(exc))
    except Exception:
        log.exception("live meeting %s: connection %s failed", info.id, conn.conn_id)
        conn.send(_error(ErrorCode.INTERNAL))
        conn.close(WSCloseCode.INTERNAL_ERROR)
    finally:
        try:
            await live.disconnect(conn)
        except Exception:
            log.exception("live meeting %s: disconnect failed", info.id)
        conn.close(WSCloseCode.OK)
        with contextlib.suppress(TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(writer, 5.0)
        if not ws.closed:
            await ws.close(code=WSCloseCode.OK)
        await live_meetings.release(info.id)
    return ws


async def close_sockets(app: web.Application) -> None:
    """``on_shutdown``: close every live meeting (sockets 1001, peer connections, attendance)."""
    await app[appkeys.LIVE].close()
