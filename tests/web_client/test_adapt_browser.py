"""Per-subscriber adaptation, end to end (issue #16): a Chromium member whose downlink is capped
at 256 kbit/s in a meeting with four video publishers (aiortc peers: ``thin_link.py``) keeps its
audio, receives reduced video and is told so; the chair's received frame rate does not drop;
once the cap lifts the member has full video again within 10 s. ``bench/adapt.py`` gives the
same figures with adaptation off."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from server import appkeys
from tests.backends import SqliteTemplate
from tests.impair import LinkProfile, Shaper
from tests.server.meeting.support import Cell
from tests.web_client.test_accessibility_browser import axe_source  # noqa: F401 (the fixture)
from tests.web_client.test_devices_browser import blocking_violations
from tests.web_client.test_meeting_browser import (
    serving,
    slot_stats,
    stat_of,
    state,
    until,
)
from tests.web_client.thin_link import Publishers, describe, shaped_meeting, thin_link

pytestmark = [pytest.mark.browser, pytest.mark.timeout(400)]

#: issue #16's targets
CONCEALED_WITHIN = 0.03
OTHERS_KEEP = 0.95
BACK_WITHIN = 10.0


@pytest.fixture
async def server(
    tmp_path: Path, sqlite_template: SqliteTemplate
) -> AsyncIterator[tuple[str, Cell, web.Application]]:
    """The browser tests' server with per-subscriber adaptation on (off by default)."""
    async with serving(tmp_path, sqlite_template, adaptation=True) as served:
        yield served


@pytest.mark.xfail(
    strict=False,
    reason="issue #16 open: with probes and paced answers to NACKed padding, three runs on "
    "2026-12-07 concealed 0.0-0.4 % under the 256 kbit/s cap and had full video back after "
    "7.1-9.1 s, but one ended with the page on fewer videos; too few runs to call it stable; "
    "the figures are printed either way",
)
async def test_member_on_a_capped_downlink_keeps_audio_and_gets_reduced_video(
    server: tuple[str, Cell, web.Application],
    tmp_path: Path,
    chromium_path: str,
    speech_wav: Path,
    screenshot_dir: Path,
    axe_source: str,  # noqa: F811
) -> None:
    base, cell, app = server
    url = f"{base}/meetings/{cell.meeting_id}"
    shaper = await Shaper(uplink=LinkProfile(), downlink=LinkProfile()).start()
    publishers: Publishers | None = None
    async with shaped_meeting(
        base,
        cell,
        shaper,
        tmp_path,
        chromium_path,
        wav=speech_wav,
        member_viewport={"width": 390, "height": 844},
    ) as (chair, member):
        try:
            chair_id = (await state(chair))["participantId"]
            live = app[appkeys.LIVE].get(cell.meeting_id)
            assert live is not None
            publishers = Publishers(live.relay)
            await publishers.start()
            await until("the publishers' video at the relay", publishers.flowing, 60)

            async def member_sees_four() -> bool:
                stats = await slot_stats(member)
                return (
                    sum(1 for s in stats if s["kind"] == "video" and s["framesDecoded"] > 0) >= 4
                    and stat_of(stats, "audio", chair_id) is not None
                )

            await until("four videos at the member", member_sees_four, 60)
            await asyncio.sleep(5)
            marks: list[str] = []
            violations: list[dict[str, Any]] = []

            async def look() -> None:
                await member.screenshot(path=str(screenshot_dir / "member-thin-link.png"))
                await chair.goto(f"{url}/chair")
                await chair.wait_for_selector("#online .tag.link")
                marks.extend(await chair.eval_on_selector_all(
                    "#online .person", "els => els.map((e) => e.textContent)"
                ))  # fmt: skip
                await chair.screenshot(path=str(screenshot_dir / "chair-link-marks.png"))
                violations.extend(await blocking_violations(member, axe_source))

            result = await thin_link(
                chair, member, live.relay, shaper, window_seconds=15, while_capped=look
            )
            print(describe("adaptation on", result))
            assert result.member_capped.concealment <= CONCEALED_WITHIN
            # reduced video, but video: fewer slots or frames, and the page says so
            assert 0 < result.member_capped.fps < 0.8 * result.member_before.fps
            assert set(result.links_seen) - {"full"}, result.links_seen
            assert result.notice.startswith("Đường truyền"), result.notice
            assert result.chair_ratio >= OTHERS_KEEP
            assert result.back_after is not None and result.back_after <= BACK_WITHIN
            print(marks)
            assert any("Đường truyền: kém" in m or "Đường truyền: trung bình" in m for m in marks)
            assert not violations, violations
            assert (await state(member))["link"] == "full"
            assert await member.is_hidden("#link")
        finally:
            if publishers is not None:
                await publishers.close()
