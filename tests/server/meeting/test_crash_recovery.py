"""Issue 14: attendance, quorum and votes are exact after a real server process is killed (SIGKILL,
nothing of its shutdown runs) and started again, on SQLite (leases in the database) and on
PostgreSQL (leases in Redis when its URL is set).

The leases, last-seen times and the reconnect grace are shortened through the settings
(heartbeat 1 s, lease 3 s, grace 2 s), so that the whole story takes seconds. A rejoin within the
grace continuing the interval of a dead process is shown in ``test_attendance_leases.py`` and,
across two processes behind nginx, in ``tests/web_client/test_failover_browser.py``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from policy.i18n import tr
from server.audit import AuditLog
from server.conduct import roll_call
from server.conduct.common import load_scope
from server.config import DatabaseSettings, ServerSettings, Settings, load_settings
from server.records.settings import key_provider
from server.storage import attendance as attendance_store
from server.storage import conduct as conduct_store
from server.storage.db import Database
from server.storage.models import AttendanceInterval
from tests.backends import REDIS_ENV
from tests.conftest import free_port, unique_key_prefix
from tests.processes import Server
from tests.server.meeting.support import Cell, Peer, cell_in_database, sign_in

HEARTBEAT_S = 1
LEASE_S = 3

#: two server starts: seconds on an idle machine, minutes on a loaded one
pytestmark = pytest.mark.timeout(600)


@dataclass
class Crash:
    """A cell in a database of its own, a server process over it, and signed-in people."""

    settings: Settings
    server: Server
    cell: Cell
    peers: dict[str, Peer]
    csrf: dict[str, str]
    redis: bool

    @property
    def meeting(self) -> str:
        return f"/api/meetings/{self.cell.meeting_id}"

    async def call(self, who: str, method: str, path: str, **kw: Any) -> tuple[int, Any]:
        peer = self.peers[who]
        resp = await peer.http.request(
            method,
            f"{self.server.base}{path}",
            headers={"X-CSRF-Token": self.csrf[who]},
            **kw,
        )
        return resp.status, await resp.json()

    async def ok(self, who: str, method: str, path: str, **kw: Any) -> Any:
        status, body = await self.call(who, method, path, **kw)
        assert status in (200, 201), (status, body)
        return body

    async def rows(self) -> list[AttendanceInterval]:
        db = Database(self.settings.database_url)
        try:
            async with db.session() as s:
                return list(await attendance_store.of_meeting(s, self.cell.meeting_id))
        finally:
            await db.close()

    async def until(self, check: Any, within: float, what: str) -> list[AttendanceInterval]:
        deadline = asyncio.get_running_loop().time() + within
        while True:
            rows = await self.rows()
            if check(rows):
                return rows
            if asyncio.get_running_loop().time() > deadline:
                shown = [(r.id, r.member_id, r.way, r.left_at, r.owner) for r in rows]
                raise AssertionError(f"{what} not within {within} s: {shown}\n{self.server.tail()}")
            await asyncio.sleep(0.2)


def _env(settings: Settings, redis_url: str, grace: int = 2) -> dict[str, str]:
    return {
        "HOPCHIBO_SERVER_VAR_DIR": str(settings.server.var_dir),
        "HOPCHIBO_SERVER_INSECURE_COOKIES": "true",
        "HOPCHIBO_DATABASE_URL": settings.database_url,
        "HOPCHIBO_BUS_REDIS_URL": redis_url,
        "HOPCHIBO_BUS_KEY_PREFIX": unique_key_prefix(),
        "HOPCHIBO_MEDIA_RECONNECT_GRACE_SECONDS": str(grace),
        "HOPCHIBO_ATTENDANCE_HEARTBEAT_SECONDS": str(HEARTBEAT_S),
        "HOPCHIBO_ATTENDANCE_LEASE_SECONDS": str(LEASE_S),
    }


@pytest.fixture
async def crash(tmp_path: Path, db_url: str) -> AsyncIterator[Crash]:
    # PostgreSQL runs with Redis (leases as Redis keys), SQLite alone (leases in the database)
    redis_url = os.environ.get(REDIS_ENV, "") if db_url.startswith("postgresql") else ""
    settings = load_settings(
        {},
        server=ServerSettings(var_dir=tmp_path / "var"),
        database=DatabaseSettings(url=db_url),
    )
    settings.server.var_dir.mkdir(parents=True)
    cell = await cell_in_database(settings)
    server = Server(free_port(), _env(settings, redis_url), tmp_path / "server.log")
    await asyncio.to_thread(server.start)
    peers = {k: Peer(server.base, cell.people[k]) for k in ("chair", "member", "member2")}
    csrf = {}
    for key, peer in peers.items():
        csrf[key] = await sign_in(peer.http, server.base, peer.person)
        peer.signed_in = True
    try:
        yield Crash(settings, server, cell, peers, csrf, bool(redis_url))
    finally:
        for peer in peers.values():
            await peer.close()
        await asyncio.to_thread(server.stop)


async def _join(chair: Peer, member: Peer, meeting_id: int) -> str:
    """``member`` joins; the chair admits them from the lobby if the room keeps them there.
    Which it was: ``"lobby"`` or ``"admitted"``."""
    await member.join(meeting_id)
    while (msg := await member.recv())["type"] not in ("lobby", "admitted"):
        pass
    if msg["type"] == "admitted":
        return "admitted"
    await chair.expect(
        "waiting", where=lambda m: any(p["id"] == member.participant_id for p in m["participants"])
    )
    await chair.send({"type": "admit", "participant_id": member.participant_id})
    await member.expect("admitted")
    return "lobby"


def _online(rows: list[AttendanceInterval], member_id: int | None) -> list[AttendanceInterval]:
    return [r for r in rows if r.member_id == member_id and r.way == "online"]


async def test_a_killed_server_leaves_attendance_quorum_and_vote_exact(crash: Crash) -> None:
    cell, peers = crash.cell, crash.peers
    chair, member = peers["chair"], peers["member"]
    ids = {k: cell.people[k].member_id for k in ("chair", "member", "member2")}
    started = asyncio.get_running_loop().time()

    # a meeting in progress: two members online, one checked in at the hall, a vote running
    await chair.join(cell.meeting_id)
    assert await _join(chair, member, cell.meeting_id) == "lobby"
    await chair.send({"type": "check_in", "member_id": f"m{ids['member2']}"})
    vote = await crash.ok("chair", "POST", f"{crash.meeting}/votes", json={"subject": "Nghị quyết"})
    ballots = f"{crash.meeting}/votes/{vote['id']}/ballots"
    await crash.ok("member", "POST", ballots, json={"choice": "yes"})
    await crash.ok("chair", "POST", ballots, json={"choice": "yes"})
    before = await crash.ok("chair", "GET", f"{crash.meeting}/attendance")
    assert (before["present"], before["room"], before["online"]) == (3, 1, 2)
    assert before["quorum"]["outcome"] == "quorate"
    # the process records that it still sees its members (last-seen after the join)
    await crash.until(
        lambda rows: (
            all(
                r.last_seen is not None and r.last_seen > r.joined_at
                for r in rows
                if r.way == "online"
            )
            and len(rows) == 3
        ),
        20,
        "a last-seen heartbeat",
    )

    crashed_at = dt.datetime.now(dt.UTC)
    await asyncio.to_thread(crash.server.kill)
    at_crash = {r.id: r for r in await crash.rows()}
    online = [r for r in at_crash.values() if r.way == "online"]
    assert {r.member_id for r in online} == {ids["chair"], ids["member"]}
    assert all(r.left_at is None and r.owner and r.last_seen for r in online)
    owner = online[0].owner
    for r in online:  # seen within a heartbeat or so of the crash (generous: a loaded machine)
        assert r.last_seen is not None
        assert crashed_at - dt.timedelta(seconds=HEARTBEAT_S + 6) < r.last_seen <= crashed_at

    await asyncio.to_thread(crash.server.start)
    # start-up and periodic recovery: the dead process's intervals end at their last-seen time
    rows = await crash.until(
        lambda rows: all(r.left_at is not None for r in rows if r.way == "online"),
        LEASE_S + 2 + 30,
        "the recovery",
    )
    for r in rows:
        if r.way == "online":
            assert r.left_at == at_crash[r.id].last_seen
            assert r.owner == owner  # recovered, not taken over
        else:  # the hall check-in is not the process's: still in the hall
            assert (r.member_id, r.left_at) == (ids["member2"], None)
    settings = crash.settings
    db = Database(settings.database_url)
    try:
        audit = AuditLog(db, key_provider(settings))
        recovered = await audit.search(action="attendance.recovered")
        assert {i for rec in recovered for i in rec.details["intervals"]} == {r.id for r in online}
        assert {rec.actor for rec in recovered} == {"system:recovery"}
        assert all(rec.target == f"meeting:{cell.meeting_id}" for rec in recovered)
        # attendance and quorum when the process was last known alive: what the server said
        async with db.session() as s:
            scope = await load_scope(s, cell.meeting_id)
            known = min(r.left_at for r in rows if r.left_at is not None)
            then = await roll_call.summary(
                s, scope, known, dt.timedelta(seconds=2), lambda owners: _nobody()
            )
            kept = await conduct_store.ballots(s, vote["id"])
    finally:
        await db.close()
    for key in ("present", "room", "online", "counted_full_members", "by_category"):
        assert then[key] == before[key], key
    assert then["quorum"]["outcome"] == before["quorum"]["outcome"]
    assert sorted((b.member_id, b.choice) for b in kept) == [
        (ids["chair"], "yes"),
        (ids["member"], "yes"),
    ]
    (still,) = await crash.ok("chair", "GET", f"{crash.meeting}/votes")
    assert still["closed_at"] is None  # the vote runs on

    # now: nobody connected, only the hall; an absent member's ballot is refused, citing A1
    now = await crash.ok("chair", "GET", f"{crash.meeting}/attendance")
    assert (now["present"], now["room"], now["online"]) == (1, 1, 0)
    assert now["quorum"]["outcome"] == "not_quorate"
    status, refused = await crash.call("member", "POST", ballots, json={"choice": "no"})
    assert status == 409, refused
    assert refused["rules"] == ["A1", "A4"]
    assert refused["message"]["vi"] == tr("conduct.vote.not_present").vi

    # rejoining: let in again without the lobby (the room is rebuilt), one open interval each
    await chair.join(cell.meeting_id)
    assert await _join(chair, member, cell.meeting_id) == "admitted"
    rows = await crash.until(
        lambda rows: all(
            len([r for r in _online(rows, m) if r.left_at is None]) == 1
            for m in (ids["chair"], ids["member"])
        ),
        20,
        "one open interval each after the rejoin",
    )
    assert all(len(_online(rows, m)) == 2 for m in (ids["chair"], ids["member"]))
    assert (await crash.ok("member", "POST", ballots, json={"choice": "no"}))["changed"] is True
    closed = await crash.ok("chair", "POST", f"{crash.meeting}/votes/{vote['id']}/close")
    assert (closed["result"]["yes"], closed["result"]["no"]) == (1, 1)
    assert closed["result"]["ignored_ballots"] == 0
    print(f"crash story: {asyncio.get_running_loop().time() - started:.1f} s")


async def _nobody() -> set[str]:
    return set()
