"""Real aiortc peers (no browser) through the real WebSocket endpoint and the relay."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiortc import RTCSessionDescription

from server import appkeys
from tests.conftest import Client as HttpClient
from tests.server.media.peers import GREEN, RED, Client, SlotView, _consume
from tests.server.meeting.support import Cell, Peer

pytestmark = pytest.mark.media


async def media_join(peer: Peer, client: Client, within: float = 15) -> None:
    """Offer in the slot layout over the WebSocket; consume every receive slot."""
    await peer.send({"type": "offer", "sdp": await client.offer()})
    answer = await peer.expect("answer", within=within)
    await client.pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type="answer"))
    for kind, views in (("audio", client.audio), ("video", client.video)):
        for transceiver in client.transceivers:
            if transceiver.kind == kind and transceiver.receiver.track is not None:
                view = SlotView()
                views.append(view)
                client._tasks.append(
                    asyncio.create_task(_consume(transceiver.receiver.track, view))
                )


async def wait_for(what: str, check: object, within: float = 15.0) -> None:
    assert callable(check)
    deadline = asyncio.get_running_loop().time() + within
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out: {what}")
        await asyncio.sleep(0.1)


async def test_two_aiortc_peers_see_each_other(cell: Cell, peers: dict[str, Peer]) -> None:
    chair, member = peers["chair"], peers["member"]
    await chair.join(cell.meeting_id)
    await chair.expect("admitted")
    await member.join(cell.meeting_id)
    await chair.expect("waiting", where=lambda m: bool(m["participants"]))
    await chair.send({"type": "admit", "participant_id": member.participant_id})
    await member.expect("admitted")
    red = Client("chair", RED, 16_000)
    green = Client("member", GREEN, 16_000)
    try:
        await media_join(chair, red)
        await media_join(member, green)
        for peer, client, other, colour in (
            (chair, red, member, GREEN),
            (member, green, chair, RED),
        ):

            def feeds(m: dict[str, Any], pid: str = other.participant_id) -> bool:
                return pid in m["video"] and pid in m["audio"]

            slots = await peer.latest("slots", feeds)
            video = client.video[slots["video"].index(other.participant_id)]
            audio = client.audio[slots["audio"].index(other.participant_id)]

            def decoded(v: SlotView = video, a: SlotView = audio, c: object = colour) -> bool:
                return (
                    v.frames > 3
                    and v.last_uv is not None
                    and c.near(*v.last_uv)  # type: ignore[attr-defined]
                    and a.frames > 3
                )

            await wait_for(f"{other.person.username}'s media at {peer.person.username}", decoded)

        # a garbled trickled candidate is refused; the call goes on
        await member.send({"type": "ice_candidate", "candidate": "candidate:x", "sdpMid": "0"})
        error = await member.expect("error")
        assert error["code"] == "bad_message"
        await member.send({"type": "ice_candidate", "candidate": None})  # end of candidates
        await member.ping()
    finally:
        await red.close()
        await green.close()


@pytest.mark.parametrize("relay_workers", [2])
async def test_media_over_two_relay_workers(
    live_client: HttpClient, cell: Cell, peers: dict[str, Peer]
) -> None:
    """``media.workers = 2``: the server sends each member's offer to a worker of its own and
    the pipe carries each one's media to the other (issue 15)."""
    chair, member = peers["chair"], peers["member"]
    await chair.join(cell.meeting_id)
    await chair.expect("admitted")
    await member.join(cell.meeting_id)
    await chair.expect("waiting", where=lambda m: bool(m["participants"]))
    await chair.send({"type": "admit", "participant_id": member.participant_id})
    await member.expect("admitted")
    red = Client("chair", RED, 16_000)
    green = Client("member", GREEN, 16_000)
    try:
        await media_join(chair, red, within=60)
        await media_join(member, green, within=60)
        assert live_client.app is not None
        live = live_client.app[appkeys.LIVE].get(cell.meeting_id)
        assert live is not None and live.sharded_relay is not None
        workers = {live.sharded_relay.worker_of(p.participant_id) for p in (chair, member)}
        assert len(workers) == 2 and None not in workers
        for peer, client, other, colour in (
            (chair, red, member, GREEN),
            (member, green, chair, RED),
        ):

            def feeds(m: dict[str, Any], pid: str = other.participant_id) -> bool:
                return pid in m["video"] and pid in m["audio"]

            slots = await peer.latest("slots", feeds)
            video = client.video[slots["video"].index(other.participant_id)]
            audio = client.audio[slots["audio"].index(other.participant_id)]

            def decoded(v: SlotView = video, a: SlotView = audio, c: object = colour) -> bool:
                return (
                    v.frames > 3
                    and v.last_uv is not None
                    and c.near(*v.last_uv)  # type: ignore[attr-defined]
                    and a.frames > 3
                )

            await wait_for(f"{other.person.username}'s media at {peer.person.username}", decoded)
    finally:
        await red.close()
        await green.close()
