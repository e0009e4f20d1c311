"""Fixtures for identity and access: an app on an injected clock and a small organisation."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from policy.model import MeetingKind, MeetingMode, MemberStatus, OrgLevel
from server.app import create_app
from server.config import (
    BusSettings,
    DatabaseSettings,
    SecuritySettings,
    ServerSettings,
    Settings,
    load_settings,
)
from server.storage.db import Database
from server.storage.models import Meeting, Member, Organisation
from tests.conftest import AiohttpClient, Client, unique_key_prefix
from tests.server.auth.support import FakeClock

ORIGIN = "https://hopchibo.example"
RP_ID = "hopchibo.example"


@dataclass(frozen=True)
class World:
    grassroots: int
    cell: int
    group: int
    other_cell: int
    members: tuple[int, ...]  # of the cell; members[0] is in the group
    other_member: int  # of the other cell
    meeting: int  # of the cell
    group_meeting: int
    other_meeting: int  # of the other cell


def make_settings(
    tmp_path: Path, db_url: str, *, insecure: bool = True, redis_url: str = ""
) -> Settings:
    return load_settings(
        {},
        server=ServerSettings(
            var_dir=tmp_path / "var",
            max_body_bytes=64 * 1024,
            public_origin=ORIGIN,
            insecure_cookies=insecure,
        ),
        database=DatabaseSettings(url=db_url),
        bus=BusSettings(redis_url=redis_url, key_prefix=unique_key_prefix()),
        security=SecuritySettings(rp_id=RP_ID, rp_name="hopchibo test"),
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(dt.datetime.now(dt.UTC).replace(microsecond=0))


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    """In-process throttling here; the Redis throttle has its own tests."""
    return make_settings(tmp_path, db_url)


@pytest.fixture
async def client(aiohttp_client: AiohttpClient, settings: Settings, clock: FakeClock) -> Client:
    return await aiohttp_client(create_app(settings, clock=clock))


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database(db_url)
    yield database
    await database.close()


@pytest.fixture
async def world(db: Database) -> World:
    async with db.session() as s:
        g = Organisation(level=OrgLevel.GRASSROOTS, name="Đảng bộ A", code="DB-A")
        s.add(g)
        await s.flush()
        c = Organisation(parent_id=g.id, level=OrgLevel.CELL, name="Chi bộ 1", code="CB-1")
        c2 = Organisation(parent_id=g.id, level=OrgLevel.CELL, name="Chi bộ 2", code="CB-2")
        s.add_all([c, c2])
        await s.flush()
        t = Organisation(parent_id=c.id, level=OrgLevel.GROUP, name="Tổ 1", code="CB-1-T1")
        s.add(t)
        await s.flush()
        members = [
            Member(
                org_id=c.id,
                group_id=t.id if i == 0 else None,
                full_name=f"Đảng viên {i}",
                status=MemberStatus.FULL,
            )
            for i in range(4)
        ]
        other = Member(org_id=c2.id, full_name="Đảng viên khác", status=MemberStatus.FULL)
        s.add_all([*members, other])
        start = dt.datetime(2026, 12, 3, 1, 0, tzinfo=dt.UTC)
        meetings = [
            Meeting(
                org_id=org, kind=kind, mode=MeetingMode.HYBRID, title=title, scheduled_start=start
            )
            for org, kind, title in (
                (c.id, MeetingKind.REGULAR, "Sinh hoạt chi bộ tháng 12"),
                (t.id, MeetingKind.GROUP, "Sinh hoạt tổ đảng tháng 12"),
                (c2.id, MeetingKind.REGULAR, "Sinh hoạt chi bộ 2 tháng 12"),
            )
        ]
        s.add_all(meetings)
        await s.flush()
        return World(
            g.id,
            c.id,
            t.id,
            c2.id,
            tuple(m.id for m in members),
            other.id,
            meetings[0].id,
            meetings[1].id,
            meetings[2].id,
        )
