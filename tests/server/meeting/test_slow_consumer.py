"""Issue #15: a connection's outbox is bounded in bytes; presence is coalesced for a client
that falls behind, the chair's actions never are, and one that stays behind is disconnected."""

from __future__ import annotations

import asyncio
import json

from aiohttp import WSCloseCode, WSMsgType, web

from policy.i18n import Text
from policy.model import Role
from server.meeting import live
from server.meeting.admission import Attendee
from server.meeting.live import Connection
from signaling.protocol import (
    Hands,
    MeetingState,
    ParticipantInfo,
    Participants,
    Presence,
    PresenceKind,
    Quality,
    Removed,
    RoomRole,
    ServerMessage,
    dump_message,
)
from signaling.room import Identity
from tests.conftest import AiohttpClient

ATTENDEE = Attendee(Identity("m1", "Trần Thị Biển", Role.MEMBER, cell_member=True), 1, 1)


def _person(i: int) -> ParticipantInfo:
    return ParticipantInfo(
        id=f"p{i}",
        display_name=f"Đảng viên số {i}",
        role=RoomRole.MEMBER,
        kind=PresenceKind.ONLINE,
        audio_muted=True,
        video_muted=True,
        hand_raised=False,
        speaking=False,
        quality=Quality.GOOD,
    )


def _fill(conn: Connection, n: int) -> list[ServerMessage]:
    """``n`` presence deltas with a chair's action every tenth: the actions, in order."""
    actions: list[ServerMessage] = []
    for i in range(n):
        conn.send(Presence(version=i + 1, joined=(_person(i),)))
        if i % 10 == 0:
            action = MeetingState(locked=i % 20 == 0, current_item=f"Mục {i}")
            conn.send(action)
            actions.append(action)
    return actions


def _queued(conn: Connection) -> list[str]:
    return [text for text, _, _ in conn.outbox if text is not None]


def test_presence_is_coalesced_and_the_chairs_actions_kept() -> None:
    conn = Connection(web.WebSocketResponse(), ATTENDEE)  # its writer does not run: behind
    actions = _fill(conn, 10_000)  # about 3 MB of presence
    queued = _queued(conn)
    assert conn.stale and not conn.closing
    # every action is queued, in order; presence only until the soft limit
    assert [json.loads(t) for t in queued if '"meeting_state"' in t] == [
        json.loads(dump_message(a)) for a in actions
    ]
    presence_bytes = sum(len(t.encode()) for t in queued if '"presence"' in t)
    assert presence_bytes <= live.OUTBOX_SOFT_BYTES + 1024
    assert conn.queued_bytes == sum(len(t.encode()) for t in queued)
    assert conn.queued_bytes < live.OUTBOX_HARD_BYTES


def test_a_client_that_stays_behind_is_disconnected_to_resync() -> None:
    conn = Connection(web.WebSocketResponse(), ATTENDEE)
    reason = Text(vi="x" * 2000, en="x")
    while not conn.closing:  # actions alone exceed the hard limit
        conn.send(Removed(reason=reason))
    assert list(conn.outbox) == [(None, 0, WSCloseCode.TRY_AGAIN_LATER)]
    assert conn.queued_bytes == 0  # the memory is given back at once
    conn.send(Hands(queue=("p1",)))
    assert len(conn.outbox) == 1  # nothing after the close


async def test_resync_after_draining_on_a_real_socket(aiohttp_client: AiohttpClient) -> None:
    snapshot = Participants(participants=(_person(1), _person(2)), version=10_000)
    done = asyncio.Event()

    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        conn = Connection(ws, ATTENDEE, resync=lambda _: (snapshot, Hands(queue=("p2",))))
        _fill(conn, 5_000)  # fell behind before its writer ran
        pump = asyncio.get_running_loop().create_task(conn.pump())
        await done.wait()
        conn.close(WSCloseCode.OK)
        await pump
        return ws

    app = web.Application()
    app.router.add_get("/ws", handler)
    client = await aiohttp_client(app)
    ws = await client.ws_connect("/ws")
    received: list[dict[str, object]] = []
    while not received or received[-1]["type"] != "hands":
        msg = await ws.receive(timeout=10)
        assert msg.type is WSMsgType.TEXT
        received.append(json.loads(msg.data))
    done.set()
    assert (await ws.receive(timeout=10)).type is WSMsgType.CLOSE
    kinds = [m["type"] for m in received]
    # the deltas queued before it fell behind, every action, then one resynchronisation
    first_action = kinds.index("meeting_state")
    assert kinds[-2:] == ["participants", "hands"]
    assert received[-2] == json.loads(dump_message(snapshot))
    assert kinds.count("meeting_state") == 500
    assert "presence" not in kinds[kinds.index("participants") :]
    assert kinds[first_action - 1] == "presence"


async def test_frames_written_straight_while_the_socket_keeps_up(
    aiohttp_client: AiohttpClient,
) -> None:
    """A socket that keeps up gets each frame written to its transport at once (no queue, no
    writer task); once the transport holds :data:`live.DIRECT_WRITE_BYTES` the rest waits in
    the outbox, and the client reads every action once, in order."""
    direct: list[int] = []
    sent: list[int] = []
    done = asyncio.Event()

    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        conn = Connection(ws, ATTENDEE, transport=request.transport)
        i = 0
        # the client does not read yet: the kernel's buffers, then the transport's fill up
        while not conn.outbox or len(conn.outbox) < 500:
            conn.send(Removed(reason=Text(vi=f"{i} " + "x" * 900, en="x")))
            if not conn.outbox:
                direct.append(i)
            i += 1
            assert i < 200_000, "the transport never filled up"
        sent.append(i)
        assert 0 < conn.queued_bytes < live.OUTBOX_HARD_BYTES and not conn.closing
        pump = asyncio.get_running_loop().create_task(conn.pump())
        await done.wait()
        conn.close(WSCloseCode.OK)
        await pump
        return ws

    app = web.Application()
    app.router.add_get("/ws", handler)
    client = await aiohttp_client(app)
    ws = await client.ws_connect("/ws")
    items: list[str] = []
    while not sent or len(items) < sent[0]:
        msg = await ws.receive(timeout=10)
        assert msg.type is WSMsgType.TEXT
        items.append(json.loads(msg.data)["reason"]["vi"].split()[0])
    done.set()
    assert (await ws.receive(timeout=10)).type is WSMsgType.CLOSE
    assert items == [str(i) for i in range(sent[0])]
    assert direct == list(range(len(direct))) and len(direct) >= 100  # the first ones straight


def test_text_frame_matches_rfc_6455() -> None:
    assert live.text_frame(b"hi") == b"\x81\x02hi"
    assert live.text_frame(b"a" * 200)[:4] == b"\x81\x7e\x00\xc8"
    assert live.text_frame(b"a" * 70_000)[:10] == b"\x81\x7f" + (70_000).to_bytes(8, "big")
