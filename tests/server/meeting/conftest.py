"""Fixtures of the live-meeting tests: the real app with plain-HTTP cookies and a cell."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from server.app import create_app
from server.config import (
    AttendanceSettings,
    BusSettings,
    DatabaseSettings,
    MediaSettings,
    ServerSettings,
    Settings,
    load_settings,
)
from tests.backends import REDIS_ENV
from tests.conftest import AiohttpClient, Client, unique_key_prefix
from tests.server.meeting.support import Cell, Peer, make_cell


def live_settings(
    tmp_path: Path,
    db_url: str,
    attendance: AttendanceSettings | None = None,
    *,
    one_host: bool = True,
    **media: object,
) -> Settings:
    return load_settings(
        {},
        server=ServerSettings(var_dir=tmp_path / "var", insecure_cookies=True),
        database=DatabaseSettings(url=db_url),
        bus=BusSettings(
            redis_url=os.environ.get(REDIS_ENV, ""),
            key_prefix=unique_key_prefix(),
            one_host_per_meeting=one_host,
        ),
        media=MediaSettings(loopback_candidate=True, **media),  # type: ignore[arg-type]
        attendance=attendance or AttendanceSettings(),
    )


@pytest.fixture
def grace_seconds() -> int:
    return 120


@pytest.fixture
def heartbeat_seconds() -> int:
    """How often the app renews its lease and sweeps for dead processes' intervals."""
    return AttendanceSettings().heartbeat_seconds


@pytest.fixture
def relay_workers() -> int:
    """``media.workers``: 0, the relay in the server's process (parametrize to change)."""
    return 0


@pytest.fixture
async def live_client(
    aiohttp_client: AiohttpClient,
    tmp_path: Path,
    db_url: str,
    grace_seconds: int,
    heartbeat_seconds: int,
    relay_workers: int,
) -> Client:
    attendance = AttendanceSettings(
        heartbeat_seconds=heartbeat_seconds, lease_seconds=3 * heartbeat_seconds
    )
    return await aiohttp_client(
        create_app(
            live_settings(
                tmp_path,
                db_url,
                attendance,
                reconnect_grace_seconds=grace_seconds,
                workers=relay_workers,
            )
        )
    )


@pytest.fixture
async def cell(live_client: Client) -> Cell:
    assert live_client.app is not None
    return await make_cell(live_client.app)


@pytest.fixture
async def peers(live_client: Client, cell: Cell) -> AsyncIterator[dict[str, Peer]]:
    """A :class:`Peer` for every person of the cell (signed in for real on first use)."""
    base = str(live_client.make_url("")).rstrip("/")
    made = {key: Peer(base, person) for key, person in cell.people.items()}
    try:
        yield made
    finally:
        for peer in made.values():
            await peer.close()
