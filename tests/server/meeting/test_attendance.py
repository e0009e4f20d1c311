"""A1 attendance through the real WebSocket: intervals, the reconnect grace, who is counted."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable

import pytest
from aiohttp import WSMsgType

from policy.model import MeetingStatus
from server import appkeys
from server.storage import attendance as store
from server.storage import meetings as meeting_store
from server.storage.models import AttendanceInterval
from tests.conftest import Client
from tests.server.meeting.support import Cell, Peer


async def intervals(client: Client, cell: Cell) -> list[AttendanceInterval]:
    assert client.app is not None
    async with client.app[appkeys.DB].session() as s:
        return list(await store.of_meeting(s, cell.meeting_id))


async def until(
    client: Client, cell: Cell, check: Callable[[list[AttendanceInterval]], bool], within: float
) -> list[AttendanceInterval]:
    deadline = asyncio.get_running_loop().time() + within
    while True:
        rows = await intervals(client, cell)
        if check(rows):
            return rows
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(
                f"attendance never matched: {[(r.member_id, r.left_at) for r in rows]}"
            )
        await asyncio.sleep(0.1)


def of(rows: list[AttendanceInterval], member_id: int | None) -> list[AttendanceInterval]:
    return [r for r in rows if r.member_id == member_id]


async def admit(chair: Peer, member: Peer, cell: Cell) -> None:
    """Join; if the room keeps the member in the lobby, the chair admits them."""
    await member.join(cell.meeting_id)
    while (msg := await member.recv())["type"] not in ("lobby", "admitted"):
        pass
    if msg["type"] == "admitted":
        return
    await chair.expect(
        "waiting", where=lambda m: any(p["id"] == member.participant_id for p in m["participants"])
    )
    await chair.send({"type": "admit", "participant_id": member.participant_id})
    await member.expect("admitted")


async def drop(peer: Peer) -> None:
    """The link falls: the socket closes without ``leave``."""
    assert peer.ws is not None
    await peer.ws.close()


@pytest.mark.parametrize("grace_seconds", [30])
async def test_reconnect_within_grace_keeps_one_interval(
    live_client: Client, cell: Cell, peers: dict[str, Peer]
) -> None:
    chair, member, room = peers["chair"], peers["member"], peers["room"]
    member_id = cell.people["member"].member_id
    await chair.join(cell.meeting_id)
    await room.join(cell.meeting_id)
    await admit(chair, member, cell)
    await until(live_client, cell, lambda rows: len(of(rows, member_id)) == 1, 5)

    first_pid = member.participant_id
    await drop(member)
    lost = await chair.expect(
        "participants",
        where=lambda m: any(
            p["id"] == first_pid and p["quality"] == "poor" for p in m["participants"]
        ),
    )
    assert len(lost["participants"]) == 3  # kept, shown as a lost link, during the grace
    await member.join(cell.meeting_id)  # back, admitted again at once
    await member.expect("admitted")
    assert member.participant_id == first_pid

    await member.send({"type": "leave"})  # an explicit leave, then back within the grace
    await chair.expect("participants", where=lambda m: len(m["participants"]) == 2)
    await asyncio.sleep(0.3)
    await admit(chair, member, cell)
    await asyncio.sleep(0.3)
    rows = await intervals(live_client, cell)
    mine = of(rows, member_id)
    assert len(mine) == 1 and mine[0].left_at is None and mine[0].way == "online"
    # the chair is a member of the cell and counted; the room device never is
    assert {r.member_id for r in rows} == {member_id, cell.people["chair"].member_id}


@pytest.mark.parametrize("grace_seconds", [1])
async def test_return_after_grace_opens_a_second_interval(
    live_client: Client, cell: Cell, peers: dict[str, Peer]
) -> None:
    chair, member = peers["chair"], peers["member"]
    member_id = cell.people["member"].member_id
    await chair.join(cell.meeting_id)
    await admit(chair, member, cell)
    await until(live_client, cell, lambda rows: len(of(rows, member_id)) == 1, 5)
    dropped_at = dt.datetime.now(dt.UTC)
    await drop(member)
    await chair.expect("participants", where=lambda m: len(m["participants"]) == 1, within=5)
    rows = await until(
        live_client, cell, lambda rows: of(rows, member_id)[0].left_at is not None, 5
    )
    left_at = of(rows, member_id)[0].left_at
    assert left_at is not None
    # closed at the moment the link fell, not when the grace ran out
    assert abs((left_at - dropped_at).total_seconds()) < 0.8
    await admit(chair, member, cell)  # a new participant (admitted again by the room's rule)
    rows = await until(live_client, cell, lambda rows: len(of(rows, member_id)) == 2, 5)
    second = of(rows, member_id)[1]
    assert second.left_at is None and second.joined_at > left_at


async def test_hall_check_in_counts_once_and_shutdown_hands_online_intervals_over(
    live_client: Client, cell: Cell, peers: dict[str, Peer]
) -> None:
    assert live_client.app is not None
    async with live_client.app[appkeys.DB].session() as s:  # hall check-ins need it open
        meeting = await meeting_store.get(s, cell.meeting_id)
        assert meeting is not None
        meeting.status = MeetingStatus.OPEN
    chair, member = peers["chair"], peers["member"]
    chair_id = cell.people["chair"].member_id
    member_id, other_id = cell.people["member"].member_id, cell.people["member2"].member_id
    await chair.join(cell.meeting_id)
    await chair.send({"type": "check_in", "member_id": f"m{other_id}"})  # present in the hall
    people = await chair.expect("participants", where=lambda m: len(m["participants"]) == 2)
    assert [p["kind"] for p in people["participants"]] == ["online", "room"]
    await admit(chair, member, cell)
    await chair.send({"type": "check_in", "member_id": f"m{member_id}"})  # online and in the hall
    rows = await until(live_client, cell, lambda rows: len(rows) == 4, 5)
    assert {(r.member_id, r.way) for r in rows} == {
        (chair_id, "online"),
        (member_id, "online"),
        (member_id, "room"),  # one participant, counted once (A1); the hall votes by hands
        (other_id, "room"),
    }
    await chair.send({"type": "check_in", "member_id": "m99999"})
    error = await chair.expect("error")
    assert error["code"] == "not_found"

    await live_client.app[appkeys.LIVE].close()  # what the app's shutdown does
    msg = await member.expect("error")
    assert msg["code"] == "unavailable"
    assert member.ws is not None
    while (frame := await member.ws.receive(timeout=5)).type is WSMsgType.TEXT:
        pass
    assert frame.type is WSMsgType.CLOSE and frame.data == 1001  # going away
    rows = await intervals(live_client, cell)
    # online intervals are handed over: held by nobody, seen at the shutdown, still open so
    # that a reconnect within the grace (to another process) continues them; the hall records
    # stay (still in the hall, and loaded again when the meeting goes live anew)
    assert {(r.member_id, r.way, r.left_at is None, r.owner) for r in rows} == {
        (chair_id, "online", True, None),
        (member_id, "online", True, None),
        (member_id, "room", True, None),
        (other_id, "room", True, None),
    }
    assert all(r.last_seen is not None for r in rows if r.way == "online")
