"""A crowd at the door (issue #15): a burst of joins on SQLite and PostgreSQL is admitted in
order without an error, and the chair lets the whole lobby in with one ``admit_all``."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import ClientSession, ClientWebSocketResponse, WSMsgType

from policy.model import MemberStatus, Role
from server import appkeys
from server.auth.sessions import cookie_name
from server.storage import accounts as account_store
from server.storage import admissions as admission_store
from server.storage import attendance as attendance_store
from server.storage.models import Account, Member
from tests.conftest import Client
from tests.server.meeting.support import ORIGIN, Cell, Peer

#: members joining at the same moment (a lobby of this many, admitted with one message)
CROWD = 40


async def crowd_tokens(client: Client, cell: Cell, n: int) -> list[tuple[int, str]]:
    """``n`` more members of the cell, each with a session at the ``full`` stage (signing each
    in through password and TOTP is not what these tests are about): (member id, token)."""
    assert client.app is not None
    db, sessions = client.app[appkeys.DB], client.app[appkeys.SESSIONS]
    out: list[tuple[int, str]] = []
    async with db.session() as s:
        for i in range(n):
            member = Member(
                org_id=cell.org_id, full_name=f"Đảng viên {i + 1}", status=MemberStatus.FULL
            )
            s.add(member)
            await s.flush()
            account = await account_store.add(
                s,
                Account(
                    username=f"crowd{i + 1}",
                    display_name=f"Đảng viên {i + 1}",
                    member_id=member.id,
                    password_hash="!crowd",  # no password: never matches
                ),
            )
            await account_store.grant(s, account.id, cell.org_id, Role.MEMBER)
            state = await sessions.start(s, account.id, "full", "127.0.0.1")
            out.append((member.id, state.token))
    return out


async def frames(ws: ClientWebSocketResponse, until: str, within: float = 30.0) -> list[Any]:
    """Messages read until one of type ``until`` (included)."""
    got: list[Any] = []
    async with asyncio.timeout(within):
        while True:
            msg = await ws.receive()
            assert msg.type is WSMsgType.TEXT, (msg.type, msg.data)
            got.append(json.loads(msg.data))
            if got[-1]["type"] == until:
                return got


async def join_all(
    base: str, meeting_id: int, https: list[ClientSession]
) -> list[tuple[ClientWebSocketResponse, list[Any]]]:
    """Each of ``https`` joins the meeting at the same moment (audio only): its socket and the
    frames it read up to ``lobby``."""

    async def join(http: ClientSession) -> tuple[ClientWebSocketResponse, list[Any]]:
        ws = await http.ws_connect(f"{base}/ws/meetings/{meeting_id}", headers={"Origin": ORIGIN})
        join = {"v": 1, "type": "join", "meeting_id": str(meeting_id)}
        join |= {"audio_only": True, "client": {"name": "tests", "version": "1"}}
        await ws.send_str(json.dumps(join))
        return ws, await frames(ws, "lobby")

    return await asyncio.gather(*(join(h) for h in https))


@contextlib.asynccontextmanager
async def at_the_door(
    client: Client, cell: Cell, chair: Peer
) -> AsyncIterator[tuple[list[tuple[int, str]], list[tuple[ClientWebSocketResponse, list[Any]]]]]:
    """The chair in the meeting, then CROWD members joining at the same moment: their
    (member id, token) and their sockets with what each read up to ``lobby``."""
    assert client.app is not None
    await chair.join(cell.meeting_id)
    await chair.expect("admitted")
    crowd = await crowd_tokens(client, cell, CROWD)
    base = str(client.make_url("")).rstrip("/")
    name = cookie_name(client.app[appkeys.SETTINGS].server)
    https = [ClientSession(cookies={name: token}) for _, token in crowd]
    try:
        yield crowd, await join_all(base, cell.meeting_id, https)
    finally:
        for http in https:
            await http.close()


async def test_a_burst_of_joins_then_admit_all(
    live_client: Client,
    cell: Cell,
    peers: dict[str, Peer],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Everyone joins at once: each gets ``welcome`` then ``lobby`` and nothing fails; one
    ``admit_all`` admits them all (one audit record, their decisions kept), each gets the
    snapshot of everyone, and each holds exactly one open online interval (A1)."""
    assert live_client.app is not None
    app = live_client.app
    caplog.set_level(logging.WARNING)
    chair = peers["chair"]
    async with at_the_door(live_client, cell, chair) as (crowd, joined):
        for _, got in joined:
            assert [m["type"] for m in got] == ["welcome", "lobby"]
        ids = [got[0]["participant_id"] for _, got in joined]
        assert len(set(ids)) == CROWD
        await chair.expect("waiting", where=lambda m: len(m["participants"]) == CROWD)

        await chair.send({"type": "admit_all"})
        lobby = await chair.expect("waiting", where=lambda m: not m["participants"])
        assert lobby["participants"] == []
        everyone = await chair.latest("participants", lambda m: len(m["participants"]) == CROWD + 1)
        assert set(ids) <= {p["id"] for p in everyone["participants"]}
        for ws, _ in joined:
            got = await frames(ws, "participants")
            assert got[0]["type"] == "admitted"
            assert len(got[-1]["participants"]) == CROWD + 1
        # nobody left to admit: refused with the rule's text, the socket stays up
        await chair.send({"type": "admit_all"})
        refusal = await chair.expect("error")
        assert refusal["code"] == "out_of_turn"
        assert "không có ai đang chờ" in refusal["message"]["vi"]
        await chair.ping()

        records = await app[appkeys.AUDIT].search(action="meeting.admit_all")
        assert len(records) == 1
        # in order of arrival: the room numbers participants as they come
        assert records[0].details["participants"] == sorted(ids, key=lambda p: int(p[1:]))
        joins = await app[appkeys.AUDIT].search(action="meeting.join", limit=500)
        assert len(joins) == CROWD + 1
        async with app[appkeys.DB].session() as s:
            decisions = await admission_store.of_meeting(s, cell.meeting_id)
            online = await attendance_store.open_online(s, cell.meeting_id)
        assert sum(decisions.values()) == CROWD
        chair_member = cell.people["chair"].member_id
        assert chair_member is not None
        held = sorted(r.member_id for r in online)
        assert held == sorted([chair_member, *(m for m, _ in crowd)])
        for ws, _ in joined:
            await ws.close()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


@pytest.mark.parametrize("grace_seconds", [2])
async def test_links_falling_together_are_told_in_a_few_deltas_not_one_each(
    live_client: Client,
    cell: Cell,
    peers: dict[str, Peer],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A ship's link falls and its crew's sockets drop together: everyone left is told of the
    drops, then of the grace ends, in a few presence deltas, not one per member (which is
    O(n²) frames for a crowd); each is still shown lost, then gone, and each leave is audited."""
    assert live_client.app is not None
    app = live_client.app
    caplog.set_level(logging.WARNING)
    chair = peers["chair"]
    async with at_the_door(live_client, cell, chair) as (_, joined):
        ids = {got[0]["participant_id"] for _, got in joined}
        await chair.expect("waiting", where=lambda m: len(m["participants"]) == CROWD)
        await chair.send({"type": "admit_all"})
        await chair.latest("participants", lambda m: ids <= {p["id"] for p in m["participants"]})

        async def deltas_until(done: Callable[[dict[str, Any]], bool]) -> int:
            told = 0
            while not done(chair.people):
                msg = await chair.recv(within=15)
                told += msg["type"] == "participants" and "delta" in msg
            return told

        await asyncio.gather(*(ws.close() for ws, _ in joined))  # no leave: links lost
        lost = await deltas_until(lambda people: all(people[p]["lost_at"] for p in ids))
        gone = await deltas_until(lambda people: not ids & set(people))
        # one each would be CROWD and CROWD
        assert 1 <= lost <= CROWD // 8 and 1 <= gone <= CROWD // 8, (lost, gone)
        async with asyncio.timeout(10):  # written after the delta went out
            while True:
                leaves = await app[appkeys.AUDIT].search(action="meeting.leave", limit=500)
                if sum(r.details.get("reason") == "connection_lost" for r in leaves) == CROWD:
                    break
                await asyncio.sleep(0.1)
        await chair.ping()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
