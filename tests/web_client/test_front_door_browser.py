"""Real Chromium at the front door of the demo that ``make run`` serves: each demo role signs in
from ``/`` and lands where the README says; the member URL the demo prints leads into today's
meeting; pages that do not exist or are not the person's answer readable Vietnamese pages."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pyotp
import pytest
from aiohttp import web
from playwright.async_api import Browser, Page, ViewportSize, async_playwright, expect

from server import cli_demo
from server.config import DatabaseSettings, ServerSettings, Settings, load_settings
from server.demo_today import TodayMeetings
from tests.conftest import free_port
from tests.server.auth.test_browser import ARGS, CHROMIUM

PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def settings(tmp_path: Path, db_url: str, port: int) -> Settings:
    return load_settings(
        {},
        server=ServerSettings(
            var_dir=tmp_path / "var",
            public_origin=f"http://localhost:{port}",
            insecure_cookies=True,
        ),
        database=DatabaseSettings(url=db_url),
    )


@pytest.fixture
async def demo(
    settings: Settings, port: int, demo_app: web.Application
) -> AsyncIterator[tuple[str, TodayMeetings, str]]:
    """The demo as ``make run`` loads it (on the server's clock: now), the server, and what
    the demo command printed."""
    import contextlib
    import io

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        today = await cli_demo.load(settings, dt.datetime.now(dt.UTC))
    runner = web.AppRunner(demo_app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://localhost:{port}", today, printed.getvalue()
    await runner.cleanup()


def _password(settings: Settings, username: str) -> tuple[str, str]:
    path = cli_demo.credentials_path(settings)
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(f"{username}\t"):
            password = line.split("password=", 1)[1]
            secret = cli_demo.read_secret(path, username)
            assert secret is not None
            return password, secret
    raise AssertionError(f"{username} is not in the credentials file")


async def _sign_in_from_front_door(
    page: Page, server: str, settings: Settings, username: str, door: str = "/"
) -> None:
    """Sign in on the login page reached from ``door`` (``/``, or an invitation's link)."""
    await page.goto(door if door.startswith("http") else f"{server}{door}")
    await page.wait_for_url(re.compile(rf"^{re.escape(server)}/login"))
    await page.wait_for_selector("body[data-ready]")
    password, secret = _password(settings, username)
    await page.fill("#username", username)
    await page.fill("#password", password)
    await page.click("#password-submit")
    await expect(page.locator("#step-factor")).to_be_visible()
    await page.fill("#totp-code", pyotp.TOTP(secret).now())
    await page.click("#totp-submit")


async def _fresh(browser: Browser, phone: bool = False) -> Page:
    context = await browser.new_context(locale="vi-VN", viewport=PHONE if phone else None)
    return await context.new_page()


@pytest.mark.browser
async def test_demo_roles_land_where_the_readme_says(
    demo: tuple[str, TodayMeetings, str], settings: Settings, screenshot_dir: Path
) -> None:
    server, today, printed = demo
    member_url = re.search(r"member\s+(\S+)\s+as dangvien", printed)
    assert member_url is not None and today.hybrid_id is not None
    assert member_url.group(1) == f"{server}/meetings/{today.hybrid_id}"
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            # signed out, the front door is the sign-in page
            page = await _fresh(browser)
            await page.goto(f"{server}/")
            await page.wait_for_url(f"{server}/login")
            await expect(page.locator("h1").first).to_have_text("Đăng nhập")
            assert await page.evaluate("fetch('/favicon.ico').then(r => r.status)") == 200

            # the member: home with today's meeting, then the printed URL into the meeting
            page = await _fresh(browser, phone=True)
            await _sign_in_from_front_door(page, server, settings, "dangvien")
            await page.wait_for_url(f"{server}/home")
            await page.wait_for_selector("body[data-ready]")
            today_list = page.locator("#today")
            await expect(today_list).to_contain_text("Sinh hoạt chi bộ thường kỳ (demo)")
            join = today_list.locator(f"li[data-meeting='{today.hybrid_id}'] a", has_text="Vào họp")
            await expect(join).to_be_visible()
            assert await today_list.locator("a", has_text="Điều hành").count() == 0
            await page.screenshot(path=str(screenshot_dir / "home-member-phone.png"))
            await page.goto(member_url.group(1))
            await page.wait_for_url(member_url.group(1))
            await expect(
                page.get_by_text("Sinh hoạt chi bộ thường kỳ (demo)").first
            ).to_be_visible()
            # a meeting that does not exist: a readable page, not an empty shell
            resp = await page.goto(f"{server}/meetings/987654")
            assert resp is not None and resp.status == 404
            await expect(page.locator("h1")).to_have_text("Không tìm thấy cuộc họp")

            # the secretary: home, with the chair console of today's meeting
            page = await _fresh(browser)
            await _sign_in_from_front_door(page, server, settings, "bithu")
            await page.wait_for_url(f"{server}/home")
            await page.wait_for_selector("body[data-ready]")
            chair = page.locator(
                f"#today li[data-meeting='{today.hybrid_id}'] a", has_text="Điều hành"
            )
            await expect(chair).to_be_visible()
            await page.screenshot(path=str(screenshot_dir / "home-secretary.png"))
            await chair.click()
            await page.wait_for_url(f"{server}/meetings/{today.hybrid_id}/chair")
            await page.wait_for_selector("body[data-ready]")

            # a group leader of the large cell sees the group meeting assigned to the group
            page = await _fresh(browser)
            await _sign_in_from_front_door(page, server, settings, "totruong1")
            await page.wait_for_url(f"{server}/home")
            await page.wait_for_selector("body[data-ready]")
            await expect(page.locator("#today")).to_contain_text("Tổ đảng số 1 (demo)")

            # the security officer lands at the officer console and may not open the meeting
            page = await _fresh(browser)
            await _sign_in_from_front_door(page, server, settings, "baomat")
            await page.wait_for_url(f"{server}/officer")
            resp = await page.goto(member_url.group(1))
            assert resp is not None and resp.status == 403
            await expect(page.locator("h1")).to_have_text("Không có quyền xem")
            await page.screenshot(path=str(screenshot_dir / "page-forbidden.png"))

            # the administrator: home, told it attends no cell meetings
            page = await _fresh(browser)
            await _sign_in_from_front_door(page, server, settings, "quantri")
            await page.wait_for_url(f"{server}/home")
            await page.wait_for_selector("body[data-ready]")
            await expect(page.locator("#today")).to_contain_text("không tham dự cuộc họp chi bộ")
        finally:
            await browser.close()
