"""S2 in the member's page: a member keeps private notes on the meeting while in it, saves them
(encrypted at rest), finds them again after reloading the page; nobody else reads them."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp import web
from playwright.async_api import ViewportSize, async_playwright
from sqlalchemy import select

from server import appkeys
from server.storage.models_oversight import NotebookEntry
from tests.server.meeting.support import Cell
from tests.web_client.test_meeting_browser import (  # noqa: F401 - the fixture
    COLOURS,
    launch,
    server,
    sign_in,
    write_y4m,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

NOTE = "Ý kiến cần nêu: bổ sung chỉ tiêu an toàn hàng hải quý I — tàu Hải Phòng 05."


async def test_member_keeps_private_notes_in_the_meeting_page(
    server: tuple[str, Cell, web.Application],  # noqa: F811
    tmp_path: Path,
    chromium_path: str,
    screenshot_dir: Path,
) -> None:
    base, cell, app = server
    url = f"{base}/meetings/{cell.meeting_id}"
    write_y4m(tmp_path / "cam.y4m", COLOURS["member"][0])
    async with async_playwright() as pw:
        browser = await launch(pw, chromium_path, tmp_path / "cam.y4m")
        try:
            chair = await (await browser.new_context(base_url=base)).new_page()
            phone = ViewportSize(width=390, height=844)
            member = await (await browser.new_context(base_url=base, viewport=phone)).new_page()
            await sign_in(chair, base, cell.people["chair"])
            await sign_in(member, base, cell.people["member"])
            for page in (chair, member):
                await page.goto(url)
                await page.wait_for_function("() => window.hopchibo && window.hopchibo.ready")
                await page.click("#join")
            await chair.wait_for_selector("#waiting button[data-action=admit]")
            await chair.click("#waiting button[data-action=admit]")
            await member.wait_for_function("() => window.hopchibo.state.admitted")

            await member.wait_for_selector("#notebook-box:not([hidden])")
            assert "Sổ tay ghi chép" in (await member.text_content("#notebook-box") or "")
            await member.fill("#notebook-text", NOTE)
            await member.click("#notebook-save")
            await member.wait_for_selector("#notebook-state[data-state=saved]")
            assert "Đã lưu lúc" in (await member.text_content("#notebook-state") or "")
            await member.locator("#notebook-box").screenshot(
                path=str(screenshot_dir / "member-notebook-390.png")
            )

            # after a reload the notes are back, read from the server
            await member.reload()
            await member.wait_for_function("() => window.hopchibo && window.hopchibo.ready")
            await member.click("#join")  # let in again by the chair's earlier decision
            await member.wait_for_function("() => window.hopchibo.state.admitted")
            await member.wait_for_selector("#notebook-box:not([hidden])")
            assert await member.input_value("#notebook-text") == NOTE

            # the chair keeps a notebook of their own: the member's notes are not in it
            await chair.wait_for_selector("#notebook-box:not([hidden])")
            assert await chair.input_value("#notebook-text") == ""
        finally:
            await browser.close()

    # encrypted at rest: the stored row does not hold the text
    async with app[appkeys.DB].session() as s:
        rows = (await s.execute(select(NotebookEntry))).scalars().all()
    assert len(rows) == 1 and rows[0].member_id == cell.people["member"].member_id
    assert NOTE.encode() not in rows[0].ciphertext and len(rows[0].nonce) >= 12
