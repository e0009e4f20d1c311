"""A1: one record of who is in the hall. Check-ins from the chair console (REST) and from the live
meeting (WebSocket) write the same room intervals, and every live room follows them: in this
process, in another one over the bus, and when the meeting starts."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from policy.model import MeetingStatus
from server import appkeys
from server.app import create_app
from server.meeting.live_attendance import hall_channel, hall_notice
from server.storage import attendance as store
from server.storage import meetings as meeting_store
from server.storage.models import AttendanceInterval
from tests.conftest import AiohttpClient, Client
from tests.server.meeting.conftest import live_settings
from tests.server.meeting.support import Cell, Peer, Person, make_cell, sign_in
from tests.server.meeting.test_attendance import admit


class Console:
    """The chair console: the chair's own session (a TOTP code signs in once), calling the
    attendance API of ``base_url`` (the chair's server unless another is named)."""

    def __init__(self, chair: Peer, base_url: str = "") -> None:
        self.chair = chair
        self.base_url = base_url or chair.base_url
        self.csrf = ""

    async def sign_in(self) -> None:
        self.csrf = await sign_in(self.chair.http, self.chair.base_url, self.chair.person)
        self.chair.signed_in = True

    async def hall(self, meeting_id: int, action: str, member_ids: list[int | None]) -> list[int]:
        """``check-in`` or ``check-out``; the member ids the server changed."""
        resp = await self.chair.http.post(
            f"{self.base_url}/api/meetings/{meeting_id}/attendance/{action}",
            json={"member_ids": member_ids},
            headers={"X-CSRF-Token": self.csrf},
        )
        body = await resp.json()
        assert resp.status == 200, body
        return [int(m) for m in body["member_ids"]]


async def open_meeting(app: web.Application, meeting_id: int) -> None:
    """The meeting is open, as after ``/start`` (which also checks the cell's mode eligibility,
    not what these tests are about). Hall check-ins are for open meetings only."""
    async with app[appkeys.DB].session() as s:
        meeting = await meeting_store.get(s, meeting_id)
        assert meeting is not None
        meeting.status = MeetingStatus.OPEN


@pytest.fixture
async def console(live_client: Client, cell: Cell, peers: dict[str, Peer]) -> Console:
    """The chair signed in (also for the WebSocket), the meeting open."""
    assert live_client.app is not None
    await open_meeting(live_client.app, cell.meeting_id)
    made = Console(peers["chair"])
    await made.sign_in()
    return made


async def room_rows(app: web.Application, meeting_id: int) -> list[AttendanceInterval]:
    async with app[appkeys.DB].session() as s:
        return [r for r in await store.of_meeting(s, meeting_id) if r.way == "room"]


def in_hall(*names: str) -> Callable[[dict[str, Any]], bool]:
    """A ``participants`` message listing exactly ``names`` as in the hall."""

    def check(msg: dict[str, Any]) -> bool:
        hall = {p["display_name"] for p in msg["participants"] if p["kind"] == "room"}
        return hall == set(names)

    return check


def kinds(msg: dict[str, Any]) -> dict[str, str]:
    return {p["display_name"]: p["kind"] for p in msg["participants"]}


def kind_of(msg: dict[str, Any], person: Person) -> str | None:
    return kinds(msg).get(person.display_name)


async def test_console_check_in_and_out_reach_the_live_meeting(
    live_client: Client, cell: Cell, peers: dict[str, Peer], console: Console
) -> None:
    assert live_client.app is not None
    chair, member, room = peers["chair"], peers["member"], peers["room"]
    other = cell.people["member2"]
    await chair.join(cell.meeting_id)
    await room.join(cell.meeting_id)
    await admit(chair, member, cell)

    assert await console.hall(cell.meeting_id, "check-in", [other.member_id]) == [other.member_id]
    seen = await member.expect("participants", where=in_hall(other.display_name))
    assert kinds(seen) == {
        cell.people["chair"].display_name: "online",
        cell.people["room"].display_name: "room_device",
        cell.people["member"].display_name: "online",
        other.display_name: "room",
    }
    await chair.expect("participants", where=in_hall(other.display_name))
    rows = await room_rows(live_client.app, cell.meeting_id)
    assert [(r.member_id, r.left_at) for r in rows] == [(other.member_id, None)]

    assert await console.hall(cell.meeting_id, "check-out", [other.member_id]) == [other.member_id]
    gone = await member.expect("participants", where=in_hall())
    assert other.display_name not in kinds(gone)
    rows = await room_rows(live_client.app, cell.meeting_id)
    assert len(rows) == 1 and rows[0].left_at is not None  # closed once, by the check-out
    # the room device is never counted (A1): only the chair and the member are online
    async with live_client.app[appkeys.DB].session() as s:
        online = {r.member_id for r in await store.of_meeting(s, cell.meeting_id)} - {
            other.member_id
        }
    assert online == {cell.people["chair"].member_id, cell.people["member"].member_id}


@pytest.mark.parametrize("first", ["console", "live"])
async def test_console_and_live_check_ins_write_one_interval(
    live_client: Client, cell: Cell, peers: dict[str, Peer], console: Console, first: str
) -> None:
    assert live_client.app is not None
    chair, member = peers["chair"], peers["member"]
    other = cell.people["member2"]
    await chair.join(cell.meeting_id)
    await admit(chair, member, cell)

    async def by_console() -> None:
        await console.hall(cell.meeting_id, "check-in", [other.member_id])

    async def by_live() -> None:
        await chair.send({"type": "check_in", "member_id": f"m{other.member_id}"})
        await chair.ping()  # handled in order: the check-in is done when the pong comes

    for way in (by_console, by_live) if first == "console" else (by_live, by_console):
        await way()
        await member.latest("participants", where=in_hall(other.display_name))
    # a member online and in the hall too: one room interval each, from either way
    await chair.send({"type": "check_in", "member_id": f"m{member.person.member_id}"})
    await chair.ping()
    await console.hall(cell.meeting_id, "check-in", [member.person.member_id])
    rows = await room_rows(live_client.app, cell.meeting_id)
    assert sorted((r.member_id, r.left_at) for r in rows) == sorted(
        [(other.member_id, None), (member.person.member_id, None)]
    )
    # both ways audit alike: the chair, the meeting, the members checked in now
    records = await live_client.app[appkeys.AUDIT].search(action="attendance.check_in")
    assert {(r.actor, r.target) for r in records} == {
        (f"account:{cell.people['chair'].account_id}", f"meeting:{cell.meeting_id}")
    }
    assert sorted(tuple(r.details["members"]) for r in records) == [
        (),
        (),
        (member.person.member_id,),
        (other.member_id,),
    ]
    assert {(r.details["way"], r.details["by"]) for r in records} == {("room", "secretary")}

    # checking out from the live meeting closes the one interval; the console sees it closed
    await chair.send({"type": "check_out", "member_id": f"m{other.member_id}"})
    await member.expect("participants", where=in_hall())
    assert await console.hall(cell.meeting_id, "check-out", [other.member_id]) == []
    await chair.send({"type": "check_out", "member_id": f"m{other.member_id}"})
    error = await chair.expect("error")
    assert error["code"] == "out_of_turn"
    rows = await room_rows(live_client.app, cell.meeting_id)
    assert [r.left_at is None for r in rows if r.member_id == other.member_id] == [False]
    assert [r.left_at for r in rows if r.member_id == member.person.member_id] == [None]
    checked_out = await live_client.app[appkeys.AUDIT].search(action="attendance.check_out")
    assert sorted(tuple(r.details["members"]) for r in checked_out) == [(), (), (other.member_id,)]


async def test_live_check_in_follows_the_console_rules(
    live_client: Client, cell: Cell, peers: dict[str, Peer]
) -> None:
    """Before the meeting is opened the console refuses a check-in, and so does the live
    meeting; a member removed by the chair is checked out of the hall as well."""
    assert live_client.app is not None
    chair, member = peers["chair"], peers["member"]
    other = cell.people["member2"]
    await chair.join(cell.meeting_id)
    await chair.send({"type": "check_in", "member_id": f"m{other.member_id}"})
    error = await chair.expect("error")
    assert error["code"] == "conflict" and error["message"]["vi"], error
    assert await room_rows(live_client.app, cell.meeting_id) == []

    await open_meeting(live_client.app, cell.meeting_id)
    await admit(chair, member, cell)
    await member.send({"type": "check_in", "member_id": f"m{other.member_id}"})
    assert (await member.expect("error"))["code"] == "forbidden"  # chairs only
    await chair.send({"type": "check_in", "member_id": f"m{other.member_id}"})
    seen = await chair.expect("participants", where=in_hall(other.display_name))
    pid = next(p["id"] for p in seen["participants"] if p["display_name"] == other.display_name)
    await chair.send({"type": "remove_participant", "participant_id": pid})
    await member.expect("participants", where=lambda m: other.display_name not in kinds(m))
    await chair.ping()
    rows = await room_rows(live_client.app, cell.meeting_id)
    assert len(rows) == 1 and rows[0].left_at is not None


async def test_members_checked_in_before_the_meeting_goes_live_are_in_the_room(
    live_client: Client, cell: Cell, peers: dict[str, Peer], console: Console
) -> None:
    assert live_client.app is not None
    member, other = cell.people["member"], cell.people["member2"]
    await console.hall(cell.meeting_id, "check-in", [member.member_id, other.member_id])
    assert live_client.app[appkeys.LIVE].get(cell.meeting_id) is None  # nobody connected yet

    chair = peers["chair"]
    await chair.join(cell.meeting_id)
    seen = await chair.expect("participants")
    assert kinds(seen) == {
        cell.people["chair"].display_name: "online",
        member.display_name: "room",
        other.display_name: "room",
    }
    # a member checked in who joins online is admitted at once, still one participant
    await peers["member"].join(cell.meeting_id)
    await peers["member"].expect("admitted")
    seen = await chair.expect("participants", where=lambda m: kind_of(m, member) == "online")
    assert len(seen["participants"]) == 3
    await peers["member"].send({"type": "leave"})
    await chair.expect("participants", where=lambda m: kind_of(m, member) == "room")
    # loading the room opened or closed no room interval
    rows = await room_rows(live_client.app, cell.meeting_id)
    assert sorted((r.member_id, r.left_at) for r in rows) == sorted(
        [(member.member_id, None), (other.member_id, None)]
    )


# --- two processes --------------------------------------------------------------------------


@pytest.fixture
async def two_apps(
    aiohttp_client: AiohttpClient, tmp_path: Path, db_url: str
) -> tuple[Client, Client]:
    """Two server processes on one database and one bus: Redis when HOPCHIBO_TEST_REDIS_URL is
    set (one key prefix for both), else one in-process bus shared by both registries. A
    meeting may be live in both (no proxy to send its joins to one host: test_hosts.py)."""
    settings = live_settings(tmp_path, db_url, one_host=False, reconnect_grace_seconds=120)
    one = await aiohttp_client(create_app(settings))
    two = await aiohttp_client(create_app(settings))
    assert one.app is not None and two.app is not None
    if not settings.bus.redis_url:
        two.app[appkeys.LIVE].bus = one.app[appkeys.LIVE].bus
    return one, two


async def test_console_check_in_in_one_process_reaches_the_room_in_another(
    two_apps: tuple[Client, Client],
) -> None:
    one, two = two_apps
    assert one.app is not None and two.app is not None
    cell = await make_cell(one.app)
    await open_meeting(one.app, cell.meeting_id)
    base_one, base_two = (str(c.make_url("")).rstrip("/") for c in (one, two))
    chair, member = Peer(base_two, cell.people["chair"]), Peer(base_two, cell.people["member"])
    console = Console(chair, base_one)  # the chair's session, on the first process
    other = cell.people["member2"]
    try:
        await console.sign_in()
        await chair.join(cell.meeting_id)
        await admit(chair, member, cell)
        assert one.app[appkeys.LIVE].get(cell.meeting_id) is None  # live in the other only

        await console.hall(cell.meeting_id, "check-in", [other.member_id])
        await member.expect("participants", where=in_hall(other.display_name))
        await console.hall(cell.meeting_id, "check-out", [other.member_id])
        await member.expect("participants", where=in_hall())

        # live in both processes: each room follows every change, whichever process made it
        watcher = Peer(base_one, cell.people["room"])
        try:
            await watcher.join(cell.meeting_id)
            await watcher.expect("admitted")
            await chair.send({"type": "check_in", "member_id": f"m{other.member_id}"})  # in two
            await watcher.expect("participants", where=in_hall(other.display_name))
            await member.expect("participants", where=in_hall(other.display_name))
            await console.hall(cell.meeting_id, "check-out", [other.member_id])  # in one
            await watcher.expect("participants", where=in_hall())
            await member.expect("participants", where=in_hall())
        finally:
            await watcher.close()
        rows = await room_rows(one.app, cell.meeting_id)
        assert [(r.member_id, r.left_at is None) for r in rows] == [(other.member_id, False)] * 2
    finally:
        for closing in (chair, member):
            await closing.close()


async def test_malformed_bus_messages_are_ignored(
    live_client: Client,
    cell: Cell,
    peers: dict[str, Peer],
    console: Console,
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert live_client.app is not None
    chair, member = peers["chair"], peers["member"]
    other = cell.people["member2"]
    await chair.join(cell.meeting_id)
    await admit(chair, member, cell)
    bus = live_client.app[appkeys.LIVE].bus
    channel = hall_channel(cell.meeting_id)
    good = hall_notice(cell.meeting_id)
    bad: list[bytes | dict[str, object]] = [
        b"\xff\xfe",
        b"not json",
        b"[]",
        b'{"v": 1, "type": "hall_changed", "meeting_id": 1, "meeting_id": 2}',
        {**good, "meeting_id": str(cell.meeting_id)},
        {**good, "meeting_id": cell.meeting_id + 1},
        {**good, "v": True},
        {**good, "type": "participants"},
        {**good, "member_ids": [other.member_id]},
        {**good, "pad": "x" * 300},
    ]
    with caplog.at_level(logging.WARNING, logger="server.meeting.live"):
        for message in bad:
            await bus.publish(channel, message)
        # a member checked in behind the room's back, then a good notice: the room follows
        async with live_client.app[appkeys.DB].session() as s:
            await store.open_interval(
                s, cell.meeting_id, other.member_id or 0, "room", dt.datetime.now(dt.UTC)
            )
        await bus.publish(channel, good)
        await member.expect("participants", where=in_hall(other.display_name))
    ignored = [r for r in caplog.records if "malformed" in r.getMessage()]
    assert len(ignored) == len(bad)
    # and the meeting goes on: the console, the chair's actions, the member's hand
    await console.hall(cell.meeting_id, "check-out", [other.member_id])
    await member.expect("participants", where=in_hall())
    await member.send({"type": "raise_hand"})
    await chair.expect("hands", where=lambda m: m["queue"] == [member.participant_id])
