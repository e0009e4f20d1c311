"""The security officer console in real Chromium: sign-in, second-factor step-up, integrity
status, a search by meeting, the English switch and a signed extract download (R7)."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from playwright.async_api import Page, async_playwright

from policy.model import OrgLevel, Role
from server import appkeys
from server.app import create_app
from server.auth import factors
from server.auth.provision import create_account
from server.config import DatabaseSettings, ServerSettings, load_settings
from server.crypto.checkpoints import TrustedSigners, parse_public_key_text
from server.crypto.extract import verify_extract
from server.storage.models import Organisation
from tests.backends import SqliteTemplate
from tests.conftest import free_port

pytestmark = pytest.mark.browser

ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "mật-khẩu-cán-bộ-an-ninh-2026"


@pytest.fixture
async def server(
    tmp_path: Path, sqlite_template: SqliteTemplate
) -> AsyncIterator[tuple[str, str, int, web.Application]]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = load_settings(
        {},
        server=ServerSettings(
            var_dir=tmp_path / "var", public_origin=base, insecure_cookies=True, port=port
        ),
        database=DatabaseSettings(url=await sqlite_template.fresh(tmp_path / "e2e.db")),
    )
    app = create_app(settings)
    runner = web.AppRunner(app, shutdown_timeout=5)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        async with app[appkeys.DB].session() as s:
            org = Organisation(level=OrgLevel.GRASSROOTS, name="Đảng bộ Cảng", code="DB-C")
            s.add(org)
            await s.flush()
            made = await create_account(
                s,
                app[appkeys.AUDIT],
                app[appkeys.KEK],
                username="canbo",
                display_name="Cán bộ an ninh",
                password=PASSWORD,
                member_id=None,
                role=Role.SECURITY_OFFICER,
                org_id=org.id,
            )
            member = await create_account(
                s,
                app[appkeys.AUDIT],
                app[appkeys.KEK],
                username="dangvien5",
                display_name="Nguyễn Thị Lan",
                password=PASSWORD,
                member_id=None,
                role=Role.MEMBER,
                org_id=org.id,
            )
        for i in range(6):
            await app[appkeys.AUDIT].record(
                f"account:{10 + i % 2}", "meeting.join", f"meeting:{7 + i % 2}", {"n": i}
            )
        # an agenda record of meeting 8: its target is the item, the meeting is in its details
        await app[appkeys.AUDIT].record(
            f"account:{member.account_id}", "agenda.open", "item:3", {"meeting": 8}
        )
        yield base, made.totp_secret, made.account_id, app
    finally:
        await runner.cleanup()


async def sign_in(page: Page, base: str, secret: str, at: dt.datetime) -> None:
    resp = await page.request.post(
        f"{base}/api/auth/login", data={"username": "canbo", "password": PASSWORD}
    )
    assert resp.ok, await resp.text()
    csrf = (await resp.json())["csrf"]
    resp = await page.request.post(
        f"{base}/api/auth/totp/verify",
        data={"code": factors.totp_now(secret, at)},
        headers={"X-CSRF-Token": csrf},
    )
    assert resp.ok, await resp.text()


async def test_officer_console(
    server: tuple[str, str, int, web.Application], tmp_path: Path, screenshot_dir: Path
) -> None:
    base, secret, account_id, app = server
    if shutil.which(CHROMIUM) is None:
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (Debian's chromium package)")
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            # the browser's own zone is UTC: the page still shows Vietnam time
            context = await browser.new_context(
                base_url=base, accept_downloads=True, timezone_id="UTC"
            )
            page = await context.new_page()
            # the codes are taken when used (a slow browser start must not age them out of
            # the window): the previous step to sign in, the current one for the step-up
            await sign_in(page, base, secret, dt.datetime.now(dt.UTC) - dt.timedelta(seconds=30))
            await page.goto(f"{base}/officer")
            await page.wait_for_selector("#step-up:not([hidden])")
            assert await page.locator("html").get_attribute("lang") == "vi"
            assert (await page.locator("#records").count()) == 1
            await page.fill("#step-up-code", factors.totp_now(secret, dt.datetime.now(dt.UTC)))
            await page.click("#step-up-form button[type=submit]")
            await page.wait_for_selector("#verify-result.ok")
            assert "toàn vẹn" in (await page.text_content("#verify-result") or "")
            await page.fill("#f-meeting", "8")
            await page.click("#search-form button[type=submit]")
            await page.wait_for_function(
                "() => document.querySelectorAll('#records tbody tr').length === 4"
            )
            targets = await page.locator("#records tbody td:nth-child(6)").all_text_contents()
            assert targets == ["item:3"] + ["meeting:8"] * 3
            # Vietnam time (UTC+7), as in the minutes
            shown = await page.locator("#records tbody td:nth-child(3)").all_text_contents()
            stored = await app[appkeys.AUDIT].search(action="agenda.open")
            vn = stored[0].ts.astimezone(dt.timezone(dt.timedelta(hours=7)))
            assert shown[0] == f"{vn:%Y-%m-%d %H:%M:%S}", (shown[0], stored[0].ts)
            assert "giờ Việt Nam" in (await page.text_content("#records thead") or "")
            # a member found by name, accents and case aside
            await page.fill("#f-meeting", "")
            await page.fill("#f-member", "nguyen thi lan")
            await page.click("#search-form button[type=submit]")
            await page.wait_for_function(
                "() => [...document.querySelectorAll('#records tbody td:nth-child(5)')]"
                ".map((td) => td.textContent).join() === 'agenda.open'"
            )
            await page.fill("#f-member", "")
            await page.fill("#f-meeting", "8")
            await page.click("#search-form button[type=submit]")
            await page.wait_for_function(
                "() => document.querySelectorAll('#records tbody tr').length === 4"
            )
            await page.click("#lang")
            assert await page.locator("html").get_attribute("lang") == "en"
            assert "Log intact" in (await page.text_content("#verify-result") or "")
            await page.check("#select-all")
            await page.fill("#purpose", "inspection 2026")
            async with page.expect_download() as waiting:
                await page.click("#export-form button[type=submit]")
            download = await waiting.value
            path = tmp_path / "extract.json"
            await download.save_as(path)
            await page.screenshot(path=str(screenshot_dir / "officer-console.png"), full_page=True)
            key = await page.text_content("#public-key")
        finally:
            await browser.close()
    assert key is not None
    extract = verify_extract(
        path.read_text(encoding="utf-8"), TrustedSigners.of([parse_public_key_text(key)])
    )
    assert sorted(r.target for r in extract.records) == ["item:3"] + ["meeting:8"] * 3
    assert extract.purpose == "inspection 2026"
    found = await app[appkeys.AUDIT].search(actor=f"account:{account_id}")
    actions = {v.action for v in found}
    assert {"audit.view", "audit.verify", "audit.export"} <= actions
