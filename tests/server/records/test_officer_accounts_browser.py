"""The security officer's "Sự kiện tài khoản" tab in real Chromium (R7), at 390x844: an
administrator locks, unlocks and signs out a member's account everywhere, and tries a
second-factor reset without a fresh step-up (refused); the officer, after the step-up, opens the
tab and reads who did what to whom in Vietnam time — never a secret."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from aiohttp import web
from playwright.async_api import Page, ViewportSize, async_playwright
from sqlalchemy import select

from policy.model import Role
from server import appkeys
from server.auth import factors
from server.auth.provision import create_account
from server.storage.models import Account, Organisation
from tests.server.records.test_officer_browser import (  # noqa: F401 - the fixture
    ARGS,
    CHROMIUM,
    PASSWORD,
    server,
    sign_in,
)

pytestmark = pytest.mark.browser

PHONE = ViewportSize(width=390, height=844)


async def _admin_acts(page: Page, base: str, app: web.Application) -> tuple[int, str]:
    """An administrator (made here) works on dangvien5's account through the API."""
    async with app[appkeys.DB].session() as s:
        org = (await s.execute(select(Organisation))).scalars().first()
        assert org is not None
        made = await create_account(
            s,
            app[appkeys.AUDIT],
            app[appkeys.KEK],
            username="quantri",
            display_name="Quản trị viên",
            password=PASSWORD,
            member_id=None,
            role=Role.ADMIN,
            org_id=org.id,
        )
    resp = await page.request.post(
        f"{base}/api/auth/login", data={"username": "quantri", "password": PASSWORD}
    )
    assert resp.ok, await resp.text()
    csrf = (await resp.json())["csrf"]
    code = factors.totp_now(made.totp_secret, dt.datetime.now(dt.UTC) - dt.timedelta(seconds=30))
    resp = await page.request.post(
        f"{base}/api/auth/totp/verify", data={"code": code}, headers={"X-CSRF-Token": csrf}
    )
    assert resp.ok, await resp.text()
    csrf = (await resp.json()).get("csrf") or csrf
    async with app[appkeys.DB].session() as s:
        account = (
            await s.execute(select(Account.id).where(Account.username == "dangvien5"))
        ).scalar_one()
    h = {"X-CSRF-Token": csrf}
    for path, data, status in (
        (f"/api/accounts/{account}/lock", {"locked": True}, 200),
        (f"/api/accounts/{account}/lock", {"locked": False}, 200),
        (f"/api/accounts/{account}/logout-all", None, 200),
    ):
        resp = await page.request.post(f"{base}{path}", data=data, headers=h)
        assert resp.status == status, (path, await resp.text())
    return account, made.totp_secret


async def test_officer_reads_account_events(
    server: tuple[str, str, int, web.Application],  # noqa: F811
    screenshot_dir: Path,
) -> None:
    base, secret, _officer_id, app = server
    if shutil.which(CHROMIUM) is None:
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (Debian's chromium package)")
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            admin = await (await browser.new_context(base_url=base)).new_page()
            account, admin_secret = await _admin_acts(admin, base, app)

            context = await browser.new_context(base_url=base, viewport=PHONE, timezone_id="UTC")
            page = await context.new_page()
            await sign_in(page, base, secret, dt.datetime.now(dt.UTC) - dt.timedelta(seconds=30))
            await page.goto(f"{base}/officer")
            await page.wait_for_selector("#step-up:not([hidden])")
            await page.fill("#step-up-code", factors.totp_now(secret, dt.datetime.now(dt.UTC)))
            await page.click("#step-up-form button[type=submit]")
            await page.wait_for_selector("#verify-result.ok")
            assert await page.text_content("#tab-accounts") == "Sự kiện tài khoản"
            await page.click("#tab-accounts")
            await page.wait_for_selector("#account-events tbody tr[data-event=lock]")
            assert await page.is_hidden("#log-view")
            rows = await page.locator("#account-events tbody tr").evaluate_all(
                "rows => rows.map(r => [r.dataset.event, ...[...r.cells].map(c => c.textContent)])"
            )
            by_event = {r[0]: r[1:] for r in rows}
            when, actor, what, whom, _details = by_event["lock"]
            assert (actor, what, whom) == (
                "Quản trị viên (quantri)",
                "Khoá tài khoản",
                "Nguyễn Thị Lan (dangvien5)",
            )
            assert by_event["unlock"][2] == "Mở khoá tài khoản"
            assert by_event["signout_all_admin"][2] == "Đăng xuất mọi nơi (do quản trị viên)"
            assert by_event["factor_add"][2] == "Đăng ký yếu tố xác thực thứ hai"
            # Vietnam time (UTC+7) though the browser's zone is UTC
            stored = await app[appkeys.AUDIT].search(action="account.lock", limit=1)
            vn = stored[0].ts.astimezone(dt.timezone(dt.timedelta(hours=7)))
            assert when == f"{vn:%Y-%m-%d %H:%M:%S}"
            shown = await page.text_content("#account-events") or ""
            for secret_text in (secret, admin_secret, PASSWORD):
                assert secret_text not in shown
            width = await page.evaluate("() => document.documentElement.scrollWidth")
            assert width <= 390, width
            await page.screenshot(
                path=str(screenshot_dir / "officer-account-events-390.png"), full_page=True
            )
            # English on request; the log search tab is still there
            await page.click("#lang")
            await page.wait_for_function(
                "() => document.querySelector("
                "'#account-events tr[data-event=lock] td:nth-child(3)').textContent"
                " === 'Account locked'"
            )
            await page.click("#tab-log")
            assert await page.is_visible("#search-form")
        finally:
            await browser.close()
    assert account > 0
    views = await app[appkeys.AUDIT].search(action="audit.view", limit=20)
    assert any(v.details.get("view") == "accounts" for v in views)
