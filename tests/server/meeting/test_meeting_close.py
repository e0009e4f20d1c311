"""Closing a meeting ends it (A1, M2): the attendance intervals end with it, a recording is
completed, everyone connected is told and disconnected normally (the page does not reconnect), in
this process and in another one over the bus, and nobody joins it afterwards."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import logging

import av
import pytest
from aiohttp import WSCloseCode, WSMsgType, web

from policy.error_codes import ErrorCode, ProtocolError
from policy.i18n import tr
from policy.model import MeetingStatus
from server import appkeys
from server.meeting.admission import MeetingInfo
from server.meeting.live_attendance import closed_notice, hall_channel
from server.storage import meetings as meeting_store
from server.storage.models import AttendanceInterval
from tests.conftest import Client
from tests.server.media.peers import GREEN, RED
from tests.server.media.peers import Client as MediaClient
from tests.server.meeting.support import Cell, Peer, make_cell
from tests.server.meeting.test_attendance import admit, intervals, until
from tests.server.meeting.test_hall_presence import (  # noqa: F401 - fixtures
    Console,
    console,
    in_hall,
    open_meeting,
    two_apps,
)
from tests.server.meeting.test_ws_media import media_join, wait_for

MATROSKA_MAGIC = b"\x1a\x45\xdf\xa3"
ENDED = tr("ui.live.meeting_ended")


async def close_meeting(by: Console, meeting_id: int) -> dict[str, object]:
    """The chair closes the meeting through the REST API (on the console's server)."""
    resp = await by.chair.http.post(
        f"{by.base_url}/api/meetings/{meeting_id}/close",
        headers={"X-CSRF-Token": by.csrf},
    )
    body = await resp.json()
    assert resp.status == 200, body
    assert body["status"] == "closed", body
    assert isinstance(body, dict)
    return body


async def told_it_ended(peer: Peer) -> None:
    """``meeting_ended`` (Vietnamese first), then the socket closes normally (1000)."""
    ended = await peer.expect("meeting_ended")
    assert ended["reason"] == {"vi": ENDED.vi, "en": ENDED.en}
    assert peer.ws is not None
    msg = await peer.ws.receive(timeout=10)
    assert (msg.type, msg.data) == (WSMsgType.CLOSE, WSCloseCode.OK)  # the code the server sent


async def ended_at(app: web.Application, meeting_id: int) -> dt.datetime:
    async with app[appkeys.DB].session() as s:
        meeting = await meeting_store.get(s, meeting_id)
        assert meeting is not None and meeting.status is MeetingStatus.CLOSED
        assert meeting.ended_at is not None
        return meeting.ended_at


def ends(rows: list[AttendanceInterval]) -> list[tuple[int, str, dt.datetime | None]]:
    return sorted((r.member_id, r.way, r.left_at) for r in rows)


async def test_closing_ends_the_live_meeting_and_its_attendance(
    live_client: Client,
    cell: Cell,
    peers: dict[str, Peer],
    console: Console,  # noqa: F811
) -> None:
    assert live_client.app is not None
    app = live_client.app
    chair, member = peers["chair"], peers["member"]
    other = cell.people["member2"]
    await chair.join(cell.meeting_id)
    await admit(chair, member, cell)
    await console.hall(cell.meeting_id, "check-in", [other.member_id])
    await member.expect("participants", where=in_hall(other.display_name))
    # the chair and the member online, the other member in the hall: three open intervals
    await until(
        live_client, cell, lambda rows: len([r for r in rows if r.left_at is None]) == 3, 10
    )

    body = await close_meeting(console, cell.meeting_id)
    for peer in (chair, member):
        await told_it_ended(peer)
    assert app[appkeys.LIVE].get(cell.meeting_id) is None

    end = await ended_at(app, cell.meeting_id)
    assert dt.datetime.fromisoformat(str(body["ended_at"])) == end
    rows = await intervals(live_client, cell)
    assert ends(rows) == sorted(
        [
            (cell.people["chair"].member_id or 0, "online", end),
            (cell.people["member"].member_id or 0, "online", end),
            (other.member_id or 0, "room", end),
        ]
    )
    (record,) = await app[appkeys.AUDIT].search(action="meeting.close")
    assert record.actor == f"account:{cell.people['chair'].account_id}"
    assert record.details == {
        "intervals_closed": {"room": 1, "online": 2},
        "intervals_recovered": 0,
    }
    # the sockets closing later (and the online attendance ending) changed no interval
    await asyncio.sleep(0.2)
    assert ends(await intervals(live_client, cell)) == ends(rows)


async def test_closed_meeting_refuses_joins(
    live_client: Client,
    cell: Cell,
    peers: dict[str, Peer],
    console: Console,  # noqa: F811
) -> None:
    assert live_client.app is not None
    chair, member, late = peers["chair"], peers["member"], peers["member2"]
    await chair.join(cell.meeting_id)
    await late.connect(cell.meeting_id)  # opened before the close, joins after it
    await close_meeting(console, cell.meeting_id)
    await told_it_ended(chair)
    await late.send(
        {
            "type": "join",
            "meeting_id": str(cell.meeting_id),
            "client": {"name": "t", "version": "1"},
        }
    )
    await told_it_ended(late)

    for peer in (member, chair):
        ws = await peer.connect(cell.meeting_id)
        error = await peer.expect("error")
        assert error["code"] == ErrorCode.CONFLICT.value
        assert error["message"]["vi"] == tr("ui.live.meeting_closed").vi
        assert error["message"]["vi"].startswith("Cuộc họp đã kết thúc")
        msg = await ws.receive(timeout=10)
        assert (msg.type, msg.data) == (WSMsgType.CLOSE, WSCloseCode.POLICY_VIOLATION)
    assert live_client.app[appkeys.LIVE].get(cell.meeting_id) is None
    # a join that passed the status check just before the close is refused by the registry
    info = MeetingInfo(id=cell.meeting_id, org_id=cell.org_id, group_meeting=False, locked=False)
    with pytest.raises(ProtocolError) as refused:
        await live_client.app[appkeys.LIVE].open(info)
    assert refused.value.code is ErrorCode.CONFLICT
    # closing twice is a conflict, and changes nothing
    resp = await chair.http.post(
        f"{chair.base_url}/api/meetings/{cell.meeting_id}/close",
        headers={"X-CSRF-Token": console.csrf},
    )
    assert resp.status == 409


def decoded_frames(data: bytes) -> int:
    with av.open(io.BytesIO(data), mode="r") as container:
        return sum(1 for _ in container.decode(video=0))


@pytest.mark.media
async def test_recording_running_at_close_is_completed(
    live_client: Client,
    cell: Cell,
    peers: dict[str, Peer],
    console: Console,  # noqa: F811
) -> None:
    assert live_client.app is not None
    chair, member = peers["chair"], peers["member"]
    await chair.join(cell.meeting_id)
    await admit(chair, member, cell)
    red = MediaClient("chair", RED, 16_000)
    green = MediaClient("member", GREEN, 12_000)
    try:
        await media_join(chair, red)
        await media_join(member, green)
        await wait_for(
            "media flowing both ways",
            lambda: any(v.frames > 3 for v in red.video) and any(v.frames > 3 for v in green.video),
        )
        headers = {"X-CSRF-Token": console.csrf}
        base = f"{chair.base_url}/api/meetings/{cell.meeting_id}"
        resp = await chair.http.post(f"{base}/recording/start", headers=headers)
        assert resp.status == 201, await resp.text()
        await member.expect("meeting_state", where=lambda m: m["recording"] is True)
        await asyncio.sleep(2.0)

        await close_meeting(console, cell.meeting_id)
        for peer in (chair, member):
            await peer.expect("meeting_state", where=lambda m: m["recording"] is False)
            await told_it_ended(peer)
    finally:
        await red.close()
        await green.close()

    resp = await chair.http.get(f"{base}/recordings")
    assert resp.status == 200
    (row,) = await resp.json()
    assert row["state"] == "complete" and row["size"] > 10_000, row
    (stopped,) = await live_client.app[appkeys.AUDIT].search(action="recording.stop")
    assert stopped.actor == f"account:{cell.people['chair'].account_id}"
    assert stopped.details["recording"] == row["id"]
    resp = await chair.http.get(f"{chair.base_url}/api/recordings/{row['id']}/content")
    assert resp.status == 200
    plain = await resp.read()
    assert plain.startswith(MATROSKA_MAGIC)
    assert await asyncio.to_thread(decoded_frames, plain) > 10


async def test_closing_in_one_process_ends_the_meeting_live_in_another(
    two_apps: tuple[Client, Client],  # noqa: F811
) -> None:
    one, two = two_apps
    assert one.app is not None and two.app is not None
    cell = await make_open_cell(one.app)
    base_one, base_two = (str(c.make_url("")).rstrip("/") for c in (one, two))
    chair, member = Peer(base_two, cell.people["chair"]), Peer(base_two, cell.people["member"])
    remote = Console(chair, base_one)  # the chair's session, on the first process
    try:
        await remote.sign_in()
        await chair.join(cell.meeting_id)
        await admit(chair, member, cell)
        assert one.app[appkeys.LIVE].get(cell.meeting_id) is None  # live in the other only
        await until(two, cell, lambda rows: len(rows) == 2, 10)

        await close_meeting(remote, cell.meeting_id)
        for peer in (chair, member):
            await told_it_ended(peer)
        assert two.app[appkeys.LIVE].get(cell.meeting_id) is None
        end = await ended_at(one.app, cell.meeting_id)
        assert [r.left_at for r in await intervals(one, cell)] == [end, end]
        ws = await member.connect(cell.meeting_id)  # on the other process too
        assert (await member.expect("error"))["code"] == ErrorCode.CONFLICT.value
        await ws.close()
    finally:
        for closing in (chair, member):
            await closing.close()


async def make_open_cell(app: web.Application) -> Cell:
    cell = await make_cell(app)
    await open_meeting(app, cell.meeting_id)
    return cell


async def test_malformed_closed_notices_are_ignored(
    live_client: Client,
    cell: Cell,
    peers: dict[str, Peer],
    console: Console,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert live_client.app is not None
    chair = peers["chair"]
    await chair.join(cell.meeting_id)
    bus = live_client.app[appkeys.LIVE].bus
    channel = hall_channel(cell.meeting_id)
    good = closed_notice(cell.meeting_id)
    bad: list[bytes | dict[str, object]] = [
        {**good, "meeting_id": str(cell.meeting_id)},
        {**good, "meeting_id": cell.meeting_id + 1},
        {**good, "v": 2},
        {**good, "type": "meeting_closed "},
        {**good, "reason": "x"},
        b'{"v": 1, "type": "meeting_closed", "meeting_id": 1, "type": "hall_changed"}',
    ]
    with caplog.at_level(logging.WARNING, logger="server.meeting.live"):
        for message in bad:
            await bus.publish(channel, message)
        await chair.send({"type": "raise_hand"})  # the meeting goes on
        await chair.expect("hands", where=lambda m: m["queue"] == [chair.participant_id])
        assert live_client.app[appkeys.LIVE].get(cell.meeting_id) is not None
        # then a good notice (as from another process) ends it here; notices are read in
        # order, so every malformed one before it was read, logged and skipped
        await bus.publish(channel, good)
        await told_it_ended(chair)
    ignored = [r for r in caplog.records if "malformed" in r.getMessage()]
    assert len(ignored) == len(bad)
    assert live_client.app[appkeys.LIVE].get(cell.meeting_id) is None


async def test_a_meeting_closed_before_it_goes_live_here_is_not_started(
    live_client: Client, cell: Cell
) -> None:
    """A join that passed the status check just before another process committed the close
    must not start a live meeting for it: the status is read again once subscribed."""
    assert live_client.app is not None
    app = live_client.app
    async with app[appkeys.DB].session() as s:
        meeting = await meeting_store.get(s, cell.meeting_id)
        assert meeting is not None
        meeting.status = MeetingStatus.CLOSED  # committed by "another process"
    info = MeetingInfo(id=cell.meeting_id, org_id=cell.org_id, group_meeting=False, locked=False)
    with pytest.raises(ProtocolError) as refused:
        await app[appkeys.LIVE].open(info)
    assert refused.value.code is ErrorCode.CONFLICT
    assert refused.value.text.vi == tr("ui.live.meeting_closed").vi
    assert app[appkeys.LIVE].get(cell.meeting_id) is None
