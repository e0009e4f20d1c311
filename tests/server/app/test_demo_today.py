"""``hopchibo demo`` makes a meeting you can walk into today, through the rules the API applies:
a hybrid meeting of the seafarers' cell with an agenda the gate sorts three ways (G1, G2), a
published document (M3), and the large cell's party-group cycle (E2, §II.4.2). Running it again
the same day keeps those meetings; the next day it makes that day's."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from policy.model import ItemStatus, MeetingKind, MeetingMode, MeetingStatus
from server import cli_demo
from server.cli import build_parser
from server.config import DatabaseSettings, ServerSettings, Settings, load_settings
from server.demo import LARGE_CODE, SEAFARERS_CODE
from server.demo_today import start_today
from server.rules import VN_TZ, local_date
from server.storage import conduct as conduct_store
from server.storage import meetings as meeting_store
from server.storage import organisations as org_store
from server.storage.db import Database

#: 22:50 in Vietnam: today's meeting must still fall today, at 23:00
LATE_EVENING = dt.datetime(2026, 3, 9, 15, 50, tzinfo=dt.UTC)


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return load_settings(
        {},
        server=ServerSettings(var_dir=tmp_path / "var", public_origin="http://localhost:8080"),
        database=DatabaseSettings(url=db_url),
    )


def test_start_today_stays_on_the_vietnam_date() -> None:
    for hour, minute in ((0, 0), (8, 10), (16, 29), (16, 31)):
        now = dt.datetime(2026, 3, 9, hour, minute, tzinfo=dt.UTC)
        start = start_today(now)
        assert local_date(start) == local_date(now)
        assert start >= now or start.astimezone(VN_TZ).strftime("%H:%M") == "23:30"
    assert start_today(LATE_EVENING).astimezone(VN_TZ).strftime("%H:%M") == "23:00"


async def test_demo_schedules_today_and_keeps_it(
    settings: Settings, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    first = await cli_demo.load(settings, LATE_EVENING)
    out = capsys.readouterr().out
    assert first.created and first.refused == ()
    assert first.hybrid_id is not None and first.group_cycle_id is not None
    base = "http://localhost:8080"
    assert f"{base}/meetings/{first.hybrid_id}  as dangvien" in out
    assert f"{base}/meetings/{first.hybrid_id}/chair  as bithu" in out
    assert f"{base}/officer  as baomat" in out
    creds = (settings.server.var_dir / "demo-credentials.txt").read_text()
    for username in ("bithu", "dangvien", "baomat", "totruong1", "bithulon"):
        assert cli_demo.read_secret(settings.server.var_dir / "demo-credentials.txt", username)
        assert f"{username}\t" in creds
    db = Database(db_url)
    try:
        async with db.session() as s:
            hybrid = await meeting_store.get(s, first.hybrid_id)
            assert hybrid is not None
            assert hybrid.mode is MeetingMode.HYBRID and hybrid.status is MeetingStatus.SCHEDULED
            assert local_date(hybrid.scheduled_start) == local_date(LATE_EVENING)
            items = await meeting_store.agenda(s, hybrid.id)
            outcomes = [(i.gate or {}).get("outcome") for i in items]
            assert outcomes == ["allowed", "blocked", "suspected"]
            assert items[1].status is ItemStatus.DEFERRED  # G1: to the next in-person meeting
            docs = await conduct_store.documents(s, hybrid.id)
            assert [d.filename for d in docs] == ["Dự thảo nghị quyết tháng.pdf"]
            assert docs[0].published_at is not None and docs[0].data != b""
            assignments = await conduct_store.assignments(s, first.group_cycle_id)
            assert len(assignments) == 4
            large = await org_store.by_code(s, LARGE_CODE)
            assert large is not None
            kinds = {m.kind for m in await meeting_store.of_org(s, large.id)}
            assert kinds == {MeetingKind.COMMITTEE, MeetingKind.REGULAR}
    finally:
        await db.close()

    again = await cli_demo.load(settings, LATE_EVENING + dt.timedelta(minutes=5))
    assert not again.created
    assert (again.hybrid_id, again.group_cycle_id) == (first.hybrid_id, first.group_cycle_id)
    assert creds == (settings.server.var_dir / "demo-credentials.txt").read_text()

    tomorrow = await cli_demo.load(settings, LATE_EVENING + dt.timedelta(days=1))
    assert tomorrow.created and tomorrow.hybrid_id not in (None, first.hybrid_id)
    db = Database(db_url)
    try:
        async with db.session() as s:
            sea = await org_store.by_code(s, SEAFARERS_CODE)
            assert sea is not None
            hybrids = [
                m for m in await meeting_store.of_org(s, sea.id) if m.mode is MeetingMode.HYBRID
            ]
            assert len(hybrids) == 2
    finally:
        await db.close()


async def test_demo_code_prints_the_current_totp(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    await cli_demo.load(settings, LATE_EVENING)
    capsys.readouterr()
    parser = build_parser()
    assert await cli_demo.run(settings, parser.parse_args(["demo", "--code", "bithu"])) == 0
    code = capsys.readouterr().out.strip()
    assert len(code) == 6 and code.isdigit()
    assert await cli_demo.run(settings, parser.parse_args(["demo", "--code", "nobody"])) == 1
