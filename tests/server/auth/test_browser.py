"""Real Chromium: a member signs in with password and TOTP, registers a passkey with Chromium's
virtual authenticator (DevTools WebAuthn domain), signs out, follows an invitation link, signs
in with the passkey alone, and reaches the meeting page."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from playwright.async_api import async_playwright, expect

from policy.model import Role
from server.app import create_app
from server.auth import factors
from server.auth.tokens import digest, new_token
from server.config import (
    DatabaseSettings,
    SecuritySettings,
    ServerSettings,
    Settings,
    load_settings,
)
from server.storage import identity as store
from server.storage.db import Database
from server.storage.models_auth import Invitation
from tests.conftest import free_port
from tests.server.auth.conftest import World
from tests.server.auth.support import PASSWORD, audit_records, make_account

CHROMIUM = "/usr/bin/chromium"
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


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def settings(tmp_path: Path, db_url: str, port: int) -> Settings:
    """Served on http://localhost (a secure context) with RP id "localhost"; plain HTTP, so
    the development cookie (no Secure, no __Host- prefix) — explicitly configured."""
    return load_settings(
        {},
        server=ServerSettings(
            var_dir=tmp_path / "var",
            public_origin=f"http://localhost:{port}",
            insecure_cookies=True,
        ),
        database=DatabaseSettings(url=db_url),
        security=SecuritySettings(rp_id="localhost"),
    )


@pytest.fixture
async def server(settings: Settings, port: int) -> AsyncIterator[str]:
    runner = web.AppRunner(create_app(settings))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://localhost:{port}"
    await runner.cleanup()


@pytest.mark.browser
async def test_password_totp_passkey_invitation_meeting(
    server: str, db: Database, settings: Settings, world: World
) -> None:
    member = await make_account(
        db, settings, "thuyenvien", Role.MEMBER, world.cell, member_id=world.members[1]
    )
    token = new_token()
    now = dt.datetime.now(dt.UTC)
    async with db.session() as s:
        await store.add_invitation(
            s,
            Invitation(
                token_hash=digest(token),
                member_id=world.members[1],
                meeting_id=world.meeting,
                created_by=member.id,
                created_at=now,
                expires_at=now + dt.timedelta(hours=1),
            ),
        )
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = await browser.new_context(locale="vi-VN")
            page = await context.new_page()
            cdp = await context.new_cdp_session(page)
            await cdp.send("WebAuthn.enable")
            added = await cdp.send(
                "WebAuthn.addVirtualAuthenticator",
                {
                    "options": {
                        "protocol": "ctap2",
                        "transport": "internal",
                        "hasResidentKey": True,
                        "hasUserVerification": True,
                        "isUserVerified": True,
                    }
                },
            )
            # 1. password, then TOTP
            await page.goto(f"{server}/login")
            await page.wait_for_selector("body[data-ready]")
            await expect(page.locator("h1").first).to_have_text("Đăng nhập")
            await page.click("#lang")  # English on request, Vietnamese first
            await expect(page.locator("h1").first).to_have_text("Sign in")
            await page.click("#lang")
            await expect(page.locator("#password-submit")).to_have_text("Đăng nhập")
            await page.fill("#username", member.username)
            await page.fill("#password", PASSWORD)
            await page.click("#password-submit")
            await expect(page.locator("#step-factor")).to_be_visible()
            await page.fill(
                "#totp-code", factors.totp_now(member.totp_secret, dt.datetime.now(dt.UTC))
            )
            await page.click("#totp-submit")
            await page.wait_for_url(f"{server}/home")  # the front door sends a member home
            await page.goto(f"{server}/account")
            await page.wait_for_selector("body[data-ready]")
            # 2. register a passkey (user verification by the virtual authenticator)
            await page.fill("#passkey-name", "Máy tính trên tàu")
            await page.click("#add-passkey")
            await expect(page.locator("#passkeys")).to_contain_text("Máy tính trên tàu")
            credentials = await cdp.send(
                "WebAuthn.getCredentials", {"authenticatorId": added["authenticatorId"]}
            )
            assert len(credentials["credentials"]) == 1
            assert credentials["credentials"][0]["isResidentCredential"] is True
            # 3. sign out; the invitation link leads to sign-in, the passkey alone suffices
            await page.click("#signout")
            await page.wait_for_url(f"{server}/login")
            await page.goto(f"{server}/login?invite={token}")
            await page.wait_for_selector("body[data-ready]")
            await expect(page.locator("#invite-notice")).to_be_visible()
            await page.click("#passkey-signin")
            await page.wait_for_url(f"{server}/meetings/{world.meeting}")
            await expect(page.get_by_text("Sinh hoạt chi bộ tháng 12").first).to_be_visible()
        finally:
            await browser.close()
    methods = [r.details["method"] for r in await audit_records(db, "auth.signin.success")]
    assert methods == ["passkey", "password+totp"]
    assert next(r.details["kind"] for r in await audit_records(db, "auth.factor.add")) == "passkey"
    assert (await audit_records(db, "invitation.redeem"))[0].actor == f"account:{member.id}"
