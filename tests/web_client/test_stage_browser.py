"""The video stage in real Chromium, through the pages: the chair allows a member to share a
screen and another member decodes it; the speaker view follows who speaks; the chair console
shows the hall and the person speaking; the stage on a 390x844 phone.

Who speaks is set by each browser's fake microphone: a loud continuous tone (a WAV file) for the
member who presents and for the hall, silence for the others; the pages' own mute buttons turn
a speaker off and on.
"""

from __future__ import annotations

import asyncio
import math
import struct
import wave
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from playwright.async_api import Browser, Page, ViewportSize, async_playwright

from tests.server.meeting.support import Cell
from tests.web_client.test_accessibility_browser import (  # noqa: F401  (axe_source: a fixture)
    BLOCKING,
    _violations,
    axe_source,
)
from tests.web_client.test_conduct_browser import in_viewport_unscrolled
from tests.web_client.test_meeting_browser import (  # noqa: F401  (server is a fixture)
    ARGS,
    server,
    sign_in,
    slot_stats,
    state,
    until,
)

#: about 60 s alone on the 2-core machine; 230 s was measured with other suites loading it to 20+
pytestmark = [pytest.mark.browser, pytest.mark.timeout(420)]

#: generous: the machine runs several browser suites at once (load averages of 40 were seen)
WAIT_MS = 60_000
WITHIN = 60.0
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
RATE = 48_000


def write_wav(path: Path, amplitude: int, seconds: int = 4) -> Path:
    """A mono 16-bit WAV of a 440 Hz tone (``amplitude`` 0: silence); Chromium loops it."""
    samples = b"".join(
        struct.pack("<h", round(amplitude * math.sin(2 * math.pi * 440 * i / RATE)))
        for i in range(RATE * seconds)
    )
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(samples)
    return path


async def launch(pw: Any, chromium: str, audio: Path) -> Browser:
    browser: Browser = await pw.chromium.launch(
        executable_path=chromium, args=[*ARGS, f"--use-file-for-fake-audio-capture={audio}"]
    )
    return browser


async def screen_frames(page: Page, presenter: str) -> int:
    stats = await slot_stats(page)
    return sum(
        s["framesDecoded"] for s in stats if s["kind"] == "screen" and s["participant"] == presenter
    )


async def main_tile(page: Page) -> str | None:
    value = await page.evaluate(
        "() => { const t = document.querySelector('#videos .tile[data-slot][data-main=true]');"
        " return t ? t.dataset.participant : null; }"
    )
    return value if isinstance(value, str) else None


async def tile_widths(page: Page) -> dict[str, float]:
    """The width of every tile shown on the stage: the screen's, the self view's, each slot's."""
    boxes = await page.evaluate(
        "() => [...document.querySelectorAll('#videos .tile:not([hidden])')].map(t =>"
        " [t.id || (t.dataset.slot ? 'slot-' + t.dataset.slot : 'self'),"
        " t.dataset.main === 'true', t.getBoundingClientRect().width])"
    )
    return {("main:" if main else "") + name: width for name, main, width in boxes}


async def shot(page: Page, path: Path) -> None:
    await page.evaluate("() => window.scrollTo(0, 0)")
    await page.screenshot(path=str(path))


async def decodes(page: Page, selector: str) -> bool:
    """The <video> under ``selector`` shows decoded frames."""
    return bool(
        await page.evaluate(
            "s => { const v = document.querySelector(s); return Boolean(v && v.videoWidth > 0"
            " && v.srcObject && v.srcObject.getVideoTracks()[0].readyState === 'live'); }",
            selector,
        )
    )


async def test_screen_sharing_and_the_speaker_view(
    server: tuple[str, Cell, web.Application],  # noqa: F811
    tmp_path: Path,
    chromium_path: str,
    screenshot_dir: Path,
    axe_source: str,  # noqa: F811
) -> None:
    base, cell, _app = server
    url = f"{base}/meetings/{cell.meeting_id}"
    loud = write_wav(tmp_path / "loud.wav", 12_000)
    quiet = write_wav(tmp_path / "quiet.wav", 0)
    async with async_playwright() as pw:
        # the presenter and the hall speak; the chair and the viewer are silent
        loud_browser, quiet_browser = await asyncio.gather(
            launch(pw, chromium_path, loud), launch(pw, chromium_path, quiet)
        )
        try:
            pages: dict[str, Page] = {}
            for key, browser in (
                ("chair", quiet_browser),
                ("viewer", quiet_browser),
                ("presenter", loud_browser),
                ("room", loud_browser),
            ):
                context = await browser.new_context(base_url=base, viewport=DESKTOP)
                page = await context.new_page()
                page.set_default_timeout(WAIT_MS)
                person = {"presenter": "member", "viewer": "member2"}.get(key, key)
                await sign_in(page, base, cell.people[person])
                pages[key] = page
            chair, viewer, presenter, room = (
                pages[k] for k in ("chair", "viewer", "presenter", "room")
            )
            errors: list[str] = []
            for page in pages.values():
                page.on("pageerror", lambda exc: errors.append(str(exc)))

            # the chair console joins live; the hall's screen joins by itself and is muted at
            # first, so the presenter is the one voice
            await chair.goto(f"{url}/chair")
            await chair.wait_for_function("() => window.hopchibo && window.hopchibo.state.live")
            await room.goto(url + "?room=1")
            await room.wait_for_function("() => window.hopchibo && window.hopchibo.state.admitted")
            await room.click("#mic")
            for page in (presenter, viewer):
                await page.goto(url)
                await page.wait_for_function("() => window.hopchibo && window.hopchibo.ready")
                await page.click("#join")
            for left in (1, 0):
                await chair.click("#lobby button[data-action=admit] >> nth=0", timeout=WAIT_MS)
                await chair.wait_for_function(
                    "n => document.querySelectorAll('#lobby button[data-action=admit]').length"
                    " === n",
                    arg=left,
                    timeout=WAIT_MS,
                )
            for page in (presenter, viewer):
                await page.wait_for_function("() => window.hopchibo.state.admitted")
            ids = {k: (await state(p))["participantId"] for k, p in pages.items() if k != "chair"}

            # speaker view (the default): the presenter speaks, so the viewer sees them large
            assert await viewer.get_attribute("#videos", "data-layout") == "speaker"

            async def viewer_main_is(key: str) -> bool:
                return bool(await main_tile(viewer) == ids[key])

            await until(
                "the presenter large in speaker view", lambda: viewer_main_is("presenter"), WITHIN
            )
            # the chair console: the hall and the person speaking, both decoding
            await chair.wait_for_function(
                "id => document.querySelector('#chair-speaker').dataset.participant === id",
                arg=ids["presenter"],
                timeout=WAIT_MS,
            )
            await until(
                "the hall on the console", lambda: decodes(chair, "#chair-hall video"), WITHIN
            )
            await until(
                "the speaker on the console", lambda: decodes(chair, "#chair-speaker video"), WITHIN
            )
            assert await chair.get_attribute("#chair-hall", "data-participant") == ids["room"]

            # the presenter goes quiet and the hall speaks: the large tile follows
            await presenter.click("#mic")
            await room.click("#mic")
            await until("the hall large in speaker view", lambda: viewer_main_is("room"), WITHIN)
            await shot(viewer, screenshot_dir / "member-speaker-view.png")
            # on a phone: the speaker large, the others small
            await viewer.set_viewport_size(PHONE)
            widths = await tile_widths(viewer)
            large = [w for k, w in widths.items() if k.startswith("main:")]
            assert len(large) == 1 and large[0] > 300, widths
            assert all(w < 150 for k, w in widths.items() if not k.startswith("main:")), widths
            await shot(viewer, screenshot_dir / "member-phone-speaker.png")
            await viewer.set_viewport_size(DESKTOP)
            await viewer.click("#layout")  # grid: nobody large
            assert await viewer.get_attribute("#videos", "data-layout") == "grid"
            assert await viewer.text_content("#layout") == "Xem người nói"
            grid = (await tile_widths(viewer)).values()
            assert max(grid) < 1.2 * min(grid), grid  # every tile the same size
            await shot(viewer, screenshot_dir / "member-grid-view.png")
            await viewer.click("#layout")

            # nobody but the chair may share until the chair allows it
            assert await presenter.is_hidden("#screen")
            assert await viewer.is_hidden("#screen")
            allow = f"#online li[data-id='{ids['presenter']}'] button[data-action=allow-screen]"
            await chair.click(allow)
            await presenter.wait_for_selector("#screen:not([hidden])", timeout=WAIT_MS)
            assert await presenter.text_content("#screen") == "Chia sẻ màn hình"
            assert "cho phép bạn chia sẻ màn hình" in (
                await presenter.text_content("#status") or ""
            )
            assert await viewer.is_hidden("#screen")
            await presenter.click("#screen")  # the fake screen of --use-fake-ui-for-media-stream
            await presenter.wait_for_function(
                "() => document.querySelector('#screen').getAttribute('aria-pressed') === 'true'"
            )

            # the viewer decodes the presenter's screen on its screen slot, shown large
            async def screen_flowing() -> bool:
                return await screen_frames(viewer, ids["presenter"]) > 10

            await until("the screen decoded by the viewer", screen_flowing, WITHIN)
            first = await screen_frames(viewer, ids["presenter"])
            await asyncio.sleep(1.5)
            assert await screen_frames(viewer, ids["presenter"]) > first  # still growing
            assert await viewer.get_attribute("#videos", "data-main") == "screen"
            assert await viewer.is_visible("#screen-tile")
            assert "Màn hình của Trần Thị Biển" in (
                await viewer.text_content("#screen-tile .label") or ""
            )
            screen_size = await viewer.evaluate(
                "() => [document.querySelector('#screen-video').videoWidth,"
                " document.querySelector('#screen-tile').getBoundingClientRect().width]"
            )
            assert screen_size[0] >= 640, screen_size  # the fake screen, not a camera
            await until(
                "the screen on the console", lambda: decodes(chair, "#chair-screen video"), WITHIN
            )
            await chair.screenshot(path=str(screenshot_dir / "chair-video.png"), full_page=True)
            await shot(viewer, screenshot_dir / "member-screen-share.png")
            for page in (viewer, chair, presenter):  # the pages as changed: no serious violation
                found = [v for v in await _violations(page, axe_source) if v["impact"] in BLOCKING]
                assert found == [], found
            assert await presenter.is_hidden("#screen-tile")  # never one's own screen back

            # on a phone: the screen large, the others small, the controls on screen, no
            # horizontal scrolling
            await viewer.set_viewport_size(PHONE)
            await viewer.evaluate("() => window.scrollTo(0, 0)")
            await in_viewport_unscrolled(viewer, ("#mic", "#cam", "#hand", "#leave"))
            widths = await tile_widths(viewer)
            assert widths["screen-tile"] > 300, widths
            assert all(w < 150 for k, w in widths.items() if k != "screen-tile"), widths
            await shot(viewer, screenshot_dir / "member-phone-screen.png")

            # the chair withdraws the leave: the share stops everywhere
            withdraw = (
                f"#online li[data-id='{ids['presenter']}'] button[data-action=withdraw-screen]"
            )
            await chair.click(withdraw)
            await presenter.wait_for_selector("#screen", state="hidden", timeout=WAIT_MS)
            assert "thu hồi quyền chia sẻ" in (await presenter.text_content("#status") or "")
            await viewer.wait_for_selector("#screen-tile", state="hidden", timeout=WAIT_MS)
            await chair.wait_for_selector("#chair-screen", state="hidden", timeout=WAIT_MS)
            assert errors == []
        finally:
            for browser in (loud_browser, quiet_browser):
                await browser.close()
