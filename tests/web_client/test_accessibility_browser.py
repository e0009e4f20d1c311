"""axe-core (from npm, ``make node``) in real Chromium on the pages people use: the home page,
the meeting page, the chair console, the officer console and the planning pages. No serious or
critical violation is allowed; the report names each rule, its impact and the elements."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, async_playwright

from server.config import Settings
from server.demo_today import TodayMeetings
from tests.server.auth.test_browser import CHROMIUM
from tests.web_client.test_front_door_browser import (  # noqa: F401 (fixtures)
    PHONE,
    _sign_in_from_front_door,
    demo,
    port,
    settings,
)
from tests.web_client.test_meeting_browser import ARGS

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
READY = "() => document.body.dataset.ready === 'true'"


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `make node` (npm ci from package-lock.json)")
    return AXE.read_text(encoding="utf-8")


async def _violations(page: Page, axe: str) -> list[dict[str, Any]]:
    # evaluated through the DevTools protocol: the page's Content-Security-Policy stays on
    await page.evaluate(axe + "\n;void 0")
    found: list[dict[str, Any]] = await page.evaluate(
        """async () => {
          const out = await axe.run(document, { resultTypes: ['violations'] });
          return out.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map((n) => n.target.join(' ')) }));
        }"""
    )
    return found


async def _signed_in(browser: Browser, server: str, config: Settings, who: str) -> Page:
    context = await browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await _sign_in_from_front_door(page, server, config, who)
    await page.wait_for_url(re.compile(rf"{re.escape(server)}/(home|officer)"))
    return page


@pytest.mark.browser
async def test_axe_finds_no_serious_violation_on_the_pages(
    demo: tuple[str, TodayMeetings, str],  # noqa: F811 (the front door's fixtures)
    settings: Settings,  # noqa: F811
    axe_source: str,
    screenshot_dir: Path,
) -> None:
    server, today, _printed = demo
    assert today.hybrid_id is not None
    meeting = today.hybrid_id
    report: dict[str, list[dict[str, Any]]] = {}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            secretary = await _signed_in(browser, server, settings, "bithu")
            member = await _signed_in(browser, server, settings, "dangvien")
            officer = await _signed_in(browser, server, settings, "baomat")
            visits = (
                (secretary, "/home", READY),
                (secretary, "/plan", READY),
                (secretary, f"/meetings/{meeting}/plan", READY),
                (secretary, f"/meetings/{meeting}/chair", READY),
                (member, f"/meetings/{meeting}", "() => window.hopchibo && window.hopchibo.ready"),
                (officer, "/officer", "() => !!document.querySelector('#step-up:not([hidden])')"),
            )
            for page, path, ready in visits:
                await page.goto(f"{server}{path}")
                await page.wait_for_function(ready, timeout=20_000)
                found = await _violations(page, axe_source)
                report[path] = [v for v in found if v["impact"] in BLOCKING]
                if path.endswith("/chair"):  # the console with its rules behind "Căn cứ"
                    await page.screenshot(path=str(screenshot_dir / "chair-console-basis.png"))
        finally:
            await browser.close()
    assert len(report) == 6
    blocking = {path: found for path, found in report.items() if found}
    if blocking:
        pytest.fail("axe-core, serious or critical:\n" + json.dumps(blocking, indent=1))
