"""Choosing the microphone and camera on the meeting page, with the browsers' fake devices:
the lists, the level meter moving with the fake microphone, the choice used on join and changed
in the meeting without a new connection. Chromium through Playwright, Firefox ESR over
Marionette (the lists and the meter)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from playwright.async_api import Page, ViewportSize, async_playwright

from tests.server.meeting.support import Cell
from tests.web_client.test_accessibility_browser import (  # noqa: F401  (axe_source: a fixture)
    BLOCKING,
    _violations,
    axe_source,
)
from tests.web_client.test_firefox_browser import (  # noqa: F401  (firefox: a fixture)
    Firefox,
    firefox,
    firefox_sign_in,
)
from tests.web_client.test_meeting_browser import (  # noqa: F401  (server: a fixture)
    ARGS,
    server,
    sign_in,
    state,
    until,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

WAIT_MS = 60_000
PHONE: ViewportSize = {"width": 390, "height": 844}
READY = "() => window.hopchibo && window.hopchibo.ready"
#: Chromium's --use-fake-device-for-media-stream microphones (a beep each second)
SECOND_MIC = "Fake Audio Input 2"
FIRST_MIC = "Fake Audio Input 1"


async def meter_samples(page: Page, seconds: float = 2.5) -> list[float]:
    """The level meter's value every 100 ms (what the page shows, 0…1)."""
    values: list[float] = []
    for _ in range(int(seconds * 10)):
        values.append(
            float(await page.evaluate("() => document.querySelector('#mic-level').value"))
        )
        await asyncio.sleep(0.1)
    return values


def moves(values: list[float]) -> bool:
    """The bar goes up with the sound and down between the beeps."""
    return max(values) > 0.05 and max(values) - min(values) > 0.03


async def options(page: Page, select: str) -> list[str]:
    found = await page.evaluate(
        "s => [...document.querySelectorAll(s + ' option')].map(o => o.textContent)", select
    )
    assert isinstance(found, list)
    return [str(x) for x in found]


async def blocking_violations(page: Page, axe: str) -> list[dict[str, Any]]:
    return [v for v in await _violations(page, axe) if v["impact"] in BLOCKING]


async def test_choosing_the_microphone_and_camera_in_chromium(
    server: tuple[str, Cell, web.Application],  # noqa: F811
    chromium_path: str,
    screenshot_dir: Path,
    axe_source: str,  # noqa: F811
) -> None:
    base, cell, _app = server
    url = f"{base}/meetings/{cell.meeting_id}"
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path, args=ARGS)
        try:
            context = await browser.new_context(
                base_url=base, viewport={"width": 1280, "height": 800}
            )
            page = await context.new_page()
            page.set_default_timeout(WAIT_MS)
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            await sign_in(page, base, cell.people["chair"])  # a chair enters without the lobby
            await page.goto(url)
            await page.wait_for_function(READY)

            # before joining: every fake device listed, the preview and the meter moving
            mics = await options(page, "#mic-select")
            assert len(mics) == 3 and FIRST_MIC in mics and SECOND_MIC in mics, mics
            assert await options(page, "#cam-select") == ["fake_device_0"]
            assert await page.text_content("label[for=mic-level]") == "Mức âm thanh của micro"
            samples = await meter_samples(page)
            assert moves(samples), samples
            assert await page.evaluate("() => document.querySelector('#preview').videoWidth") > 0
            assert await blocking_violations(page, axe_source) == []
            await page.screenshot(path=str(screenshot_dir / "member-devices.png"))

            # another microphone: previewed and metered at once, and remembered
            await page.select_option("#mic-select", label=SECOND_MIC)
            await page.wait_for_function(
                "name => document.querySelector('#status').textContent.includes(name)",
                arg=SECOND_MIC,
            )
            assert "Đã chuyển sang" in (await page.text_content("#status") or "")
            samples = await meter_samples(page)
            assert moves(samples), samples
            await page.reload()
            await page.wait_for_function(READY)
            selected = await page.evaluate(
                "() => document.querySelector('#mic-select').selectedOptions[0].textContent"
            )
            assert selected == SECOND_MIC

            # the phone: the lists fit, nothing scrolls sideways
            await page.set_viewport_size(PHONE)
            width = await page.evaluate("() => document.documentElement.scrollWidth")
            assert width <= PHONE["width"], width
            await page.screenshot(path=str(screenshot_dir / "member-devices-phone.png"))
            await page.set_viewport_size({"width": 1280, "height": 800})

            # the choice is what the meeting gets
            await page.click("#join")
            await page.wait_for_function(
                "() => { const s = window.hopchibo.sending(); return s && s.audio; }"
            )
            sending = await page.evaluate("() => window.hopchibo.sending()")
            assert sending == {"audio": SECOND_MIC, "video": "fake_device_0"}, sending

            # changed in the meeting: the same connection sends the other microphone
            await page.wait_for_function(
                "() => window.hopchibo.state.status.key === 'ui.status.connected'"
            )
            await page.click("#devices-toggle")
            assert await page.get_attribute("#devices-toggle", "aria-expanded") == "true"
            assert await page.is_visible("#devices-panel #mic-select")
            await page.select_option("#mic-select", label=FIRST_MIC)
            await page.wait_for_function(
                "name => window.hopchibo.sending().audio === name", arg=FIRST_MIC
            )
            assert (await state(page))["mediaRestarts"] == 0  # replaced, not renegotiated
            samples = await meter_samples(page)
            assert moves(samples), samples
            assert await blocking_violations(page, axe_source) == []
            await page.evaluate("() => window.scrollTo(0, 0)")
            await page.screenshot(path=str(screenshot_dir / "member-devices-meeting.png"))
            assert errors == []
        finally:
            await browser.close()


async def test_choosing_the_microphone_in_firefox(
    server: tuple[str, Cell, web.Application],  # noqa: F811
    firefox: Firefox,  # noqa: F811
) -> None:
    base, cell, _app = server
    await firefox.start()
    await firefox_sign_in(firefox, base, cell.people["member"])
    await firefox.navigate(f"{base}/meetings/{cell.meeting_id}")

    async def ready() -> bool:
        return bool(
            await firefox.run("resolve(Boolean(window.hopchibo && window.hopchibo.ready));")
        )

    await until("the meeting page in Firefox", ready, 60)
    lists = await firefox.run(
        "resolve(['#mic-select', '#cam-select'].map(s =>"
        " [...document.querySelectorAll(s + ' option')].map(o => o.textContent)));"
    )
    mics, cameras = lists
    assert len(mics) >= 1 and len(cameras) >= 1, lists
    assert all(name for name in mics + cameras), lists  # labels, once the devices are open
    # Firefox starts a page's audio context suspended until a gesture: the member's first
    # click (here on the "audio only" box, a real click through Marionette) wakes the meter
    await asyncio.to_thread(
        lambda: firefox.client.find_element("css selector", "#audio-only-join").click()
    )
    samples = await firefox.run(
        """
        const out = [];
        for (let i = 0; i < 25; i++) {
          out.push(document.querySelector('#mic-level').value);
          await new Promise((r) => setTimeout(r, 100));
        }
        resolve(out);
        """
    )
    assert max(samples) > 0.05, json.dumps(samples)  # Firefox's fake microphone: a tone
