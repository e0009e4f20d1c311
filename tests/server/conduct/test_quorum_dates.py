"""A2 through the API: the live attendance reads the exempted member's flag on the meeting's date,
so an exemption whose period is over no longer takes the member out of the counted full members.

Seed clause (DOMAIN.md A2): "The denominator ('counted full members') is the full members of the
cell, less those temporarily attached to another organisation, suspended members, and exempted
members who are absent"; the roster keeps each flag with its period (migration 0011)."""

from __future__ import annotations

import datetime as dt

import pytest

from server.config import Settings
from server.rules import local_date
from server.storage.db import Database
from server.storage.models import Member
from tests.conftest import Client
from tests.server.auth.support import FakeClock
from tests.server.conduct.test_hybrid_meeting import _setup


async def _exemption(db: Database, member_id: int, start: dt.date, end: dt.date) -> None:
    async with db.session() as s:
        member = await s.get(Member, member_id)
        assert member is not None and member.exempted
        member.flag_periods = {"exempted": {"from": start.isoformat(), "to": end.isoformat()}}


@pytest.mark.parametrize(
    ("days_to_end", "counted", "exempted_listed"),
    [
        pytest.param(-1, 13, "full", id="A2-exemption-over-the-day-before-counts"),
        pytest.param(0, 12, "exempted", id="A2-exemption-ending-on-the-day-holds"),
    ],
)
async def test_a2_attendance_reads_the_exemption_period(
    client: Client,
    db: Database,
    settings: Settings,
    clock: FakeClock,
    days_to_end: int,
    counted: int,
    exempted_listed: str,
) -> None:
    h, who = await _setup(client, db, settings, clock)
    day = local_date(clock.now + dt.timedelta(hours=1))  # the meeting's Vietnam date
    await _exemption(db, h.m[12], day - dt.timedelta(days=90), day + dt.timedelta(days_to_end))
    sec = who["secretary"]
    await h.people.ok(sec, "POST", f"{h.base}/start")
    summary = await h.people.ok(sec, "GET", f"{h.base}/attendance")
    assert summary["counted_full_members"] == counted
    assert summary["quorum"]["rules"] == ["A2", "A3"]
    assert f"0/{counted}" in summary["quorum"]["vi"]
    row = next(p for p in summary["people"] if p["member_id"] == h.m[12])
    assert row["category"] == exempted_listed and row["counted"] is (counted == 13)
