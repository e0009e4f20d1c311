"""Issue #15: a live meeting is released here when its last member's grace ends."""

from __future__ import annotations

import asyncio

import pytest

from server import appkeys
from server.memory import HeapTrimmer
from tests.conftest import Client
from tests.server.meeting.support import Cell, Peer
from tests.server.meeting.test_attendance import admit, drop, intervals, of


async def _released(client: Client, meeting_id: int, within: float) -> None:
    assert client.app is not None
    live = client.app[appkeys.LIVE]
    deadline = asyncio.get_running_loop().time() + within
    while meeting_id in live.live_ids() or live.bus.subscribed_channels():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(
                f"still live: {sorted(live.live_ids())}, "
                f"subscribed: {sorted(live.bus.subscribed_channels())}"
            )
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("grace_seconds", [1])
async def test_meeting_released_after_everyone_dropped_and_the_grace_ended(
    live_client: Client, cell: Cell, peers: dict[str, Peer]
) -> None:
    assert live_client.app is not None
    live = live_client.app[appkeys.LIVE]
    chair, member = peers["chair"], peers["member"]
    await chair.join(cell.meeting_id)
    await admit(chair, member, cell)
    assert live.live_ids() == {cell.meeting_id}
    assert live.bus.subscribed_channels() == {f"meeting:{cell.meeting_id}:hall"}
    # the real glibc trim, sooner than in service
    live.trimmer = HeapTrimmer(delay=0.5, idle=lambda: not live.live_ids())
    await drop(member)
    await drop(chair)
    await asyncio.sleep(0.3)
    # within the grace both are kept: the meeting is still live here
    assert live.live_ids() == {cell.meeting_id}
    await _released(live_client, cell.meeting_id, within=5)
    # what the meeting held is given back to the system once the process is quiet
    assert live.trimmer.available
    await asyncio.sleep(1.0)
    assert live.trimmer.trims == 1
    rows = await intervals(live_client, cell)
    assert rows and all(r.left_at is not None for r in rows)  # closed when the links fell

    # it starts again on the next join, and is released again after a leave and the grace
    await chair.join(cell.meeting_id)
    assert live.live_ids() == {cell.meeting_id}
    await chair.send({"type": "leave"})
    await _released(live_client, cell.meeting_id, within=5)
    rows = await intervals(live_client, cell)
    assert len(of(rows, cell.people["chair"].member_id)) == 2


@pytest.mark.parametrize("grace_seconds", [1])
async def test_a_member_back_within_the_grace_keeps_the_meeting(
    live_client: Client, cell: Cell, peers: dict[str, Peer]
) -> None:
    assert live_client.app is not None
    live = live_client.app[appkeys.LIVE]
    chair = peers["chair"]
    await chair.join(cell.meeting_id)
    await drop(chair)
    await asyncio.sleep(0.3)
    await chair.join(cell.meeting_id)  # back within the grace
    await asyncio.sleep(1.5)  # the first grace would have ended by now
    assert live.live_ids() == {cell.meeting_id}
    await chair.ping()  # the socket is still served
