"""A1 across processes (issue 14): online intervals held under a process lease, their last-seen
times, the recovery of a dead process's intervals, a rejoin that continues or replaces one, and
the presence rule ballots and quorum read. The intervals a dead process left are written
straight into the database, as it left them; the process that survives is the real app."""

from __future__ import annotations

import datetime as dt

import pytest

from server import appkeys
from server.conduct import roll_call
from server.leases import make_leases
from server.meeting.live_attendance import recover
from server.storage import attendance as store
from server.storage.models import AttendanceInterval
from tests.conftest import Client
from tests.server.meeting.support import Cell, Peer
from tests.server.meeting.test_attendance import admit, intervals, of, until
from tests.server.meeting.test_hall_presence import Console, console  # noqa: F401 - fixture
from tests.server.meeting.test_meeting_close import close_meeting

DEAD = "dead-host:4242:0123456789ab"  # a process that holds no lease


async def left_behind(
    client: Client, cell: Cell, member_id: int | None, seen_ago: float, owner: str | None = DEAD
) -> AttendanceInterval:
    """An open online interval as a killed process leaves it: held by ``owner``, its member
    last seen ``seen_ago`` seconds ago."""
    assert client.app is not None and member_id is not None
    now = dt.datetime.now(dt.UTC)
    row = AttendanceInterval(
        meeting_id=cell.meeting_id,
        member_id=member_id,
        way="online",
        joined_at=now - dt.timedelta(minutes=10),
        owner=owner,
        last_seen=now - dt.timedelta(seconds=seen_ago) if owner is not None else None,
    )
    async with client.app[appkeys.DB].session() as s:
        await store.add_interval(s, row)
    return row


@pytest.mark.parametrize("grace_seconds", [60])
async def test_a_rejoin_within_the_grace_continues_a_dead_process_interval(
    live_client: Client, cell: Cell, peers: dict[str, Peer]
) -> None:
    assert live_client.app is not None
    member_id = cell.people["member"].member_id
    stale = await left_behind(live_client, cell, member_id, seen_ago=20)
    await peers["chair"].join(cell.meeting_id)
    await admit(peers["chair"], peers["member"], cell)
    rows = await until(
        live_client, cell, lambda rows: any(r.owner != DEAD for r in of(rows, member_id)), 5
    )
    (kept,) = of(rows, member_id)  # one interval: the same, taken over by this process
    assert (kept.id, kept.joined_at, kept.left_at) == (stale.id, stale.joined_at, None)
    assert kept.owner == live_client.app[appkeys.LIVE].leases.owner
    assert kept.last_seen is not None and kept.last_seen > (stale.last_seen or kept.joined_at)


@pytest.mark.parametrize("heartbeat_seconds", [600])  # no sweep meanwhile: the rejoin closes it
@pytest.mark.parametrize("grace_seconds", [5])
async def test_a_rejoin_after_the_grace_closes_the_stale_interval_and_opens_one(
    live_client: Client, cell: Cell, peers: dict[str, Peer]
) -> None:
    assert live_client.app is not None
    member_id = cell.people["member"].member_id
    stale = await left_behind(live_client, cell, member_id, seen_ago=30)
    await peers["chair"].join(cell.meeting_id)
    await admit(peers["chair"], peers["member"], cell)
    rows = await until(live_client, cell, lambda rows: len(of(rows, member_id)) == 2, 5)
    old, new = of(rows, member_id)
    assert old.id == stale.id and old.left_at == stale.last_seen  # ended when last seen
    assert old.left_at is not None and new.left_at is None  # never two open ones
    assert new.joined_at > old.left_at
    (record,) = await live_client.app[appkeys.AUDIT].search(action="attendance.recovered")
    assert record.actor == "system:recovery"
    assert record.details["by"] == "rejoin" and record.details["intervals"] == [stale.id]


@pytest.mark.parametrize("heartbeat_seconds", [600])  # the test runs the sweep itself
@pytest.mark.parametrize("grace_seconds", [5])
async def test_a_live_process_keeps_its_intervals_and_a_dead_one_is_recovered(
    live_client: Client, cell: Cell
) -> None:
    """The sweep every process runs: a dead holder's interval past the grace ends at its
    last-seen time (one written before owners existed, at its start); one within the grace, or
    held by a process whose lease runs, stays open."""
    app = live_client.app
    assert app is not None
    ids = [cell.people[k].member_id for k in ("chair", "member", "member2")]
    # another process, alive: its lease where the app keeps leases (Redis or the database)
    other = make_leases(app[appkeys.SETTINGS], app[appkeys.DB])
    await other.renew()
    dead = await left_behind(live_client, cell, ids[0], seen_ago=30)
    recent = await left_behind(live_client, cell, ids[1], seen_ago=1)
    alive = await left_behind(live_client, cell, ids[2], seen_ago=30, owner=other.owner)
    legacy = await left_behind(live_client, cell, ids[2], seen_ago=0, owner=None)
    grace = dt.timedelta(seconds=5)
    leases = app[appkeys.LIVE].leases
    assert await recover(app[appkeys.DB], app[appkeys.AUDIT], leases, grace) == 2
    rows = {r.id: r for r in await intervals(live_client, cell)}
    assert rows[dead.id].left_at == dead.last_seen
    assert rows[legacy.id].left_at == legacy.joined_at
    assert rows[recent.id].left_at is None and rows[alive.id].left_at is None
    # the presence rule ballots and quorum read: the recent one counts for its grace only
    async with app[appkeys.DB].session() as s:
        now = dt.datetime.now(dt.UTC)
        present, _room, _online = await roll_call.present_now(
            s, cell.meeting_id, now, grace, leases.alive
        )
        assert present == {str(ids[1]), str(ids[2])}
        later, _room, _online = await roll_call.present_now(
            s, cell.meeting_id, now + dt.timedelta(seconds=10), grace, leases.alive
        )
        assert later == {str(ids[2])}  # held by a live process: present however long
    await other.release()
    await other.close()
    assert await recover(app[appkeys.DB], app[appkeys.AUDIT], leases, grace) == 1
    assert {r.id: r for r in await intervals(live_client, cell)}[
        alive.id
    ].left_at == alive.last_seen


@pytest.mark.parametrize("grace_seconds", [60])
async def test_an_interval_recovered_while_its_process_stalled_is_opened_again(
    live_client: Client, cell: Cell, peers: dict[str, Peer]
) -> None:
    """A process too slow to renew its lease may find a member's interval closed by another's
    recovery: the member is still connected here, so the next heartbeat opens a new one."""
    app = live_client.app
    assert app is not None
    member_id = cell.people["member"].member_id
    await peers["chair"].join(cell.meeting_id)
    await admit(peers["chair"], peers["member"], cell)
    (first,) = of(
        await until(live_client, cell, lambda r: len(of(r, member_id)) == 1, 5), member_id
    )
    async with app[appkeys.DB].session() as s:
        assert await store.close_held(s, first.id, first.owner, dt.datetime.now(dt.UTC))
    live = app[appkeys.LIVE].get(cell.meeting_id)
    assert live is not None
    await live.attendance.heartbeat()
    rows = of(await intervals(live_client, cell), member_id)
    assert [r.left_at is None for r in rows] == [False, True]


@pytest.mark.parametrize("grace_seconds", [60])
async def test_closing_a_meeting_ends_a_dead_process_interval_at_its_last_seen_time(
    live_client: Client,
    cell: Cell,
    peers: dict[str, Peer],
    console: Console,  # noqa: F811
) -> None:
    app = live_client.app
    assert app is not None
    stale = await left_behind(live_client, cell, cell.people["member2"].member_id, seen_ago=20)
    await peers["chair"].join(cell.meeting_id)
    await until(live_client, cell, lambda rows: len(rows) == 2, 5)
    await close_meeting(console, cell.meeting_id)
    rows = {r.id: r for r in await intervals(live_client, cell)}
    assert rows[stale.id].left_at == stale.last_seen  # not the meeting's end
    (record,) = await app[appkeys.AUDIT].search(action="meeting.close")
    assert record.details["intervals_recovered"] == 1


async def test_an_end_read_off_a_clock_behind_the_start_is_written_as_the_start(
    live_client: Client, cell: Cell
) -> None:
    """A1: an interval never ends before it began, whatever clock the end was read off (a clock
    set back, two processes' clocks a little apart): the end is written as its start."""
    app = live_client.app
    assert app is not None
    held = await left_behind(live_client, cell, cell.people["member"].member_id, seen_ago=5)
    other = await left_behind(live_client, cell, cell.people["chair"].member_id, seen_ago=5)
    early = held.joined_at - dt.timedelta(hours=1)
    async with app[appkeys.DB].session() as s:
        assert await store.close_held(s, held.id, DEAD, early)
        await store.close_open(s, cell.meeting_id, early)
    rows = {r.id: r for r in await intervals(live_client, cell)}
    assert rows[held.id].left_at == held.joined_at
    assert rows[other.id].left_at == other.joined_at
