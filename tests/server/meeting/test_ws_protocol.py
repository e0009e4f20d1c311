"""The live-meeting WebSocket through the real app: handshake, roles, turns, bad frames."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp import WSMsgType, WSServerHandshakeError

from server import appkeys
from server.storage.audit import AuditView
from tests.conftest import Client
from tests.server.meeting.support import ORIGIN, Cell, Peer


async def admitted_pair(cell: Cell, peers: dict[str, Peer]) -> tuple[Peer, Peer]:
    chair, member = peers["chair"], peers["member"]
    await chair.join(cell.meeting_id)
    await chair.expect("admitted")
    await member.join(cell.meeting_id)
    await member.expect("lobby")
    await chair.expect("waiting", where=lambda m: bool(m["participants"]))
    await chair.send({"type": "admit", "participant_id": member.participant_id})
    await member.expect("admitted")
    return chair, member


async def expect_error(peer: Peer, code: str) -> dict[str, object]:
    msg = await peer.expect("error")
    assert msg["code"] == code, msg
    message = msg["message"]
    assert isinstance(message, dict) and message["vi"] and message["en"]
    return msg


async def test_session_required(live_client: Client, cell: Cell) -> None:
    with pytest.raises(WSServerHandshakeError) as info:
        await live_client.ws_connect(f"/ws/meetings/{cell.meeting_id}", headers={"Origin": ORIGIN})
    assert info.value.status == 401


@pytest.mark.parametrize("origin", ["https://evil.example", None])
async def test_foreign_or_missing_origin_refused(
    cell: Cell, peers: dict[str, Peer], origin: str | None
) -> None:
    member = peers["member"]
    await member.sign_in()
    headers = {"Origin": origin} if origin else {}
    with pytest.raises(WSServerHandshakeError) as info:
        await member.http.ws_connect(
            f"{member.base_url}/ws/meetings/{cell.meeting_id}", headers=headers
        )
    assert info.value.status == 403


async def test_plain_get_is_not_an_upgrade(cell: Cell, peers: dict[str, Peer]) -> None:
    member = peers["member"]
    await member.sign_in()
    resp = await member.http.get(
        f"{member.base_url}/ws/meetings/{cell.meeting_id}", headers={"Origin": ORIGIN}
    )
    assert resp.status == 422
    assert (await resp.json())["code"] == "validation"


@pytest.mark.parametrize(
    ("who", "meeting", "code"),
    [
        ("outsider", "open", "forbidden"),
        ("member", "closed", "conflict"),
        ("member", "missing", "not_found"),
    ],
)
async def test_refused_after_upgrade_with_reason(
    cell: Cell, peers: dict[str, Peer], who: str, meeting: str, code: str
) -> None:
    meeting_id = {"open": cell.meeting_id, "closed": cell.closed_meeting_id, "missing": 999}[
        meeting
    ]
    peer = peers[who]
    ws = await peer.connect(meeting_id)
    msg = await expect_error(peer, code)
    if meeting == "closed":
        assert "đã kết thúc" in str(msg["message"])
    closing = await ws.receive(timeout=5)
    assert closing.type is WSMsgType.CLOSE
    assert ws.close_code == 1008


async def test_chair_admits_member_and_presence(
    live_client: Client, cell: Cell, peers: dict[str, Peer]
) -> None:
    assert live_client.app is not None
    live = live_client.app[appkeys.LIVE]
    sub = await live.bus.subscribe(f"meeting:{cell.meeting_id}")
    chair, member = await admitted_pair(cell, peers)
    people = await chair.expect("participants", where=lambda m: len(m["participants"]) == 2)
    assert {p["display_name"] for p in people["participants"]} == {
        "Nguyễn Văn Chủ",
        "Trần Thị Biển",
    }
    await member.ping()
    # the lobby to the chair, then the admission: the lobby again and the presence delta
    published = [json.loads(await sub.__anext__()) for _ in range(3)]
    assert any(p["message"]["type"] == "presence" for p in published)
    await sub.aclose()
    actions = {r.action for r in await live_client.app[appkeys.AUDIT].search()}
    assert {"meeting.join", "meeting.admit"} <= actions


async def test_offer_before_admission_and_before_join(cell: Cell, peers: dict[str, Peer]) -> None:
    chair, member = peers["chair"], peers["member"]
    await member.connect(cell.meeting_id)
    await member.send({"type": "offer", "sdp": "v=0"})
    await expect_error(member, "out_of_turn")
    await member.ping()
    await chair.join(cell.meeting_id)
    await member.send(
        {
            "type": "join",
            "meeting_id": str(cell.meeting_id),
            "client": {"name": "tests", "version": "1"},
        }
    )
    await member.expect("lobby")
    await member.send({"type": "offer", "sdp": "v=0\r\n"})
    await expect_error(member, "out_of_turn")
    await member.send({"type": "raise_hand"})
    await expect_error(member, "out_of_turn")
    await member.ping()


async def test_wrong_roles_refused(cell: Cell, peers: dict[str, Peer]) -> None:
    chair, member = await admitted_pair(cell, peers)
    room, observer = peers["room"], peers["observer"]
    welcome = await room.join(cell.meeting_id)
    assert welcome["role"] == "room_device"
    await room.expect("admitted")  # the hall's device enters directly
    await observer.join(cell.meeting_id)
    await observer.expect("lobby")  # the superior committee's observer waits
    for peer in (member, room):
        await peer.send({"type": "admit", "participant_id": observer.participant_id})
        await expect_error(peer, "forbidden")
        await peer.send({"type": "lock_meeting"})
        await expect_error(peer, "forbidden")
        await peer.send({"type": "remove_participant", "participant_id": chair.participant_id})
        await expect_error(peer, "forbidden")
        await peer.ping()
    await chair.send({"type": "admit", "participant_id": observer.participant_id})
    await observer.expect("admitted")
    await observer.send({"type": "mute_participant", "participant_id": "p1", "kind": "audio"})
    await expect_error(observer, "forbidden")
    await chair.send({"type": "admit", "participant_id": "nobody"})
    await expect_error(chair, "not_found")
    await chair.ping()


async def test_deny_and_remove_close_with_1008(
    live_client: Client, cell: Cell, peers: dict[str, Peer]
) -> None:
    chair, member = await admitted_pair(cell, peers)
    other = peers["member2"]
    await other.join(cell.meeting_id)
    await other.expect("lobby")
    await chair.send({"type": "deny", "participant_id": other.participant_id, "reason": "thử"})
    denied = await other.expect("denied")
    assert "thử" in denied["reason"]["vi"]
    assert other.ws is not None
    assert (await other.ws.receive(timeout=5)).type is WSMsgType.CLOSE
    assert other.ws.close_code == 1008
    await chair.send({"type": "remove_participant", "participant_id": member.participant_id})
    await member.expect("removed")
    assert member.ws is not None
    assert (await member.ws.receive(timeout=5)).type is WSMsgType.CLOSE
    assert member.ws.close_code == 1008
    await chair.expect("participants", where=lambda m: len(m["participants"]) == 1)
    assert live_client.app is not None
    actions = {r.action for r in await live_client.app[appkeys.AUDIT].search()}
    assert {"meeting.deny", "meeting.remove"} <= actions


async def test_leave_closes_normally(cell: Cell, peers: dict[str, Peer]) -> None:
    chair, member = await admitted_pair(cell, peers)
    await member.send({"type": "leave"})
    assert member.ws is not None
    while (msg := await member.ws.receive(timeout=5)).type is WSMsgType.TEXT:
        pass
    assert msg.type is WSMsgType.CLOSE
    assert member.ws.close_code == 1000
    await chair.expect("participants", where=lambda m: len(m["participants"]) == 1)


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("not json", "bad_message"),
        ("[1, 2]", "bad_message"),
        ('{"v": 1, "type": "warp"}', "bad_message"),
        ('{"v": 2, "type": "ping"}', "unsupported_version"),
        ('{"v": 1, "type": "ping", "nonce": 1, "extra": true}', "bad_message"),
        ('{"v": 1, "type": "raise_hand", "type": "raise_hand"}', "bad_message"),
        (b"\xff\xfe\x00binary", "bad_message"),
        ('{"v": 1, "type": "mute", "kind": "smell"}', "bad_message"),
        ('{"v": 1, "type": "ping", "padding": "' + "x" * 100_000 + '"}', "message_too_large"),
    ],
)
async def test_bad_frames_get_codes_and_socket_stays(
    cell: Cell, peers: dict[str, Peer], frame: str | bytes, code: str
) -> None:
    _, member = await admitted_pair(cell, peers)
    assert member.ws is not None
    if isinstance(frame, bytes):
        await member.ws.send_bytes(frame)
    else:
        await member.ws.send_str(frame)
    await expect_error(member, code)
    await member.ping()
    await member.send({"type": "raise_hand"})
    hands = await member.expect("hands")
    assert hands["queue"] == [member.participant_id]


async def test_huge_frame_closes_1009(cell: Cell, peers: dict[str, Peer]) -> None:
    member = peers["member"]
    ws = await member.connect(cell.meeting_id)
    await ws.send_str("x" * (2 * 1024 * 1024))
    msg = await ws.receive(timeout=5)
    assert msg.type is WSMsgType.CLOSE
    assert ws.close_code == 1009
    # the server is fine: a new connection works
    other = peers["member2"]
    await other.connect(cell.meeting_id)
    await other.ping()


@pytest.mark.parametrize(
    "sdp",
    [
        "v=0\r\n",
        "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n",
        "garbage",
    ],
)
async def test_unusable_offer_is_refused_and_socket_stays(
    cell: Cell, peers: dict[str, Peer], sdp: str
) -> None:
    _, member = await admitted_pair(cell, peers)
    await member.send({"type": "offer", "sdp": sdp})
    await expect_error(member, "bad_message")
    await member.send(
        {"type": "ice_candidate", "candidate": "candidate:1 1 udp 1 10.0.0.1 9 typ host"}
    )
    await expect_error(member, "out_of_turn")  # no peer connection yet
    await member.ping()


async def test_thin_link_mode_and_hands(cell: Cell, peers: dict[str, Peer]) -> None:
    chair, member = await admitted_pair(cell, peers)
    await member.send({"type": "audio_only", "on": True})
    people = await chair.expect(
        "participants",
        where=lambda m: any(
            p["id"] == member.participant_id and p["video_muted"] for p in m["participants"]
        ),
    )
    assert len(people["participants"]) == 2
    await member.send({"type": "raise_hand"})
    hands = await chair.expect("hands", where=lambda m: bool(m["queue"]))
    assert hands["queue"] == [member.participant_id]
    await chair.send({"type": "lower_hand_of", "participant_id": member.participant_id})
    await member.expect("hands", where=lambda m: m["queue"] == [])
    await chair.send({"type": "lock_meeting"})
    state = await member.expect("meeting_state")
    assert state["locked"] is True


async def test_screen_sharing_needs_the_chairs_leave_and_is_audited(
    live_client: Client, cell: Cell, peers: dict[str, Peer]
) -> None:
    assert live_client.app is not None
    chair, member = await admitted_pair(cell, peers)
    assert member.seen["welcome"]["slots"]["screen"] == 1  # the client may offer a screen line
    await member.send({"type": "share_screen", "on": True})
    refused = await expect_error(member, "forbidden")
    assert "chưa cho phép" in str(refused["message"])
    await chair.send({"type": "allow_screen", "participant_id": member.participant_id, "on": True})

    def entry(m: dict[str, Any], key: str) -> bool:
        return any(p["id"] == member.participant_id and p[key] for p in m["participants"])

    await member.expect("participants", where=lambda m: entry(m, "screen_allowed"))
    await member.send({"type": "share_screen", "on": True})
    await chair.expect("participants", where=lambda m: entry(m, "sharing_screen"))
    await chair.send({"type": "share_screen", "on": True})  # one at a time, chairs included
    busy = await expect_error(chair, "conflict")
    assert "Trần Thị Biển" in str(busy["message"])
    # withdrawing the leave ends the share
    await chair.send({"type": "allow_screen", "participant_id": member.participant_id, "on": False})
    await member.expect(
        "participants",
        where=lambda m: not entry(m, "sharing_screen") and not entry(m, "screen_allowed"),
    )
    audit = live_client.app[appkeys.AUDIT]

    async def screen_records() -> list[tuple[str, bool]]:
        found = sorted((r for r in await audit.search() if "screen" in r.action), key=seq)
        return [(r.action, r.details["on"]) for r in found]

    await chair.ping()  # the socket's frames are handled in turn: its records are committed
    assert await screen_records() == [
        ("meeting.allow_screen", True),
        ("meeting.share_screen", True),
        ("meeting.allow_screen", False),
    ]


def seq(record: AuditView) -> int:
    return record.seq
