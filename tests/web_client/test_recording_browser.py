"""Recording in the browser (R6, R7): the chair starts recording from the console, the member's
page (a 390x844 phone) shows the red badge live, the chair stops and plays the recording back in
the console (the media element really plays and seeks, in Chromium and then in Firefox), and a
deputy — who chairs but lacks the separate ``recording.play`` permission — is refused in
Vietnamese citing R7, the refusal audited."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiohttp import web
from playwright.async_api import Page, ViewportSize, async_playwright
from playwright.async_api import TimeoutError as PlaywrightTimeout

from policy.model import Role
from server import appkeys
from tests.server.auth.support import make_account
from tests.server.meeting.support import Cell, Person
from tests.web_client.test_firefox_browser import (  # noqa: F401 - the fixture
    Firefox,
    firefox,
    firefox_sign_in,
)
from tests.web_client.test_meeting_browser import (  # noqa: F401 - the fixture
    COLOURS,
    launch,
    server,
    sign_in,
    until,
    write_y4m,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

PHONE = ViewportSize(width=390, height=844)
WAIT_MS = 30_000
RECORD_SECONDS = 6  # past the recorder's first VP8 keyframe, with audio
#: pauses the console's player, seeks to the given second and says where it landed
SEEK_JS = """async (to) => {
  const v = document.getElementById('recording-player');
  v.pause();
  const result = await new Promise((done) => {
    const timer = setTimeout(() => done('timeout'), 10000);
    v.addEventListener('seeked', () => { clearTimeout(timer); done('seeked'); }, { once: true });
    v.addEventListener('error', () => { clearTimeout(timer); done('error'); }, { once: true });
    v.currentTime = to;
  });
  return { result, at: v.currentTime, error: v.error && v.error.message, width: v.videoWidth,
           seekable: v.seekable.length ? [v.seekable.start(0), v.seekable.end(0)] : null };
}"""


async def ready_console(page: Page, meeting_id: int) -> None:
    await page.goto(f"/meetings/{meeting_id}/chair")
    await page.wait_for_selector("body[data-ready=true]", timeout=WAIT_MS)


async def test_chair_records_member_sees_it_chair_plays_back_deputy_refused(
    server: tuple[str, Cell, web.Application],  # noqa: F811
    tmp_path: Path,
    chromium_path: str,
    screenshot_dir: Path,
    firefox: Firefox,  # noqa: F811
) -> None:
    base, cell, app = server
    mid = cell.meeting_id
    made = await make_account(
        app[appkeys.DB], app[appkeys.SETTINGS], "phobithu", Role.DEPUTY, cell.org_id
    )
    deputy = Person("phobithu", "phobithu", made.password, made.totp_secret, made.id, None)
    write_y4m(tmp_path / "cam.y4m", COLOURS["chair"][0])
    async with async_playwright() as pw:
        browser = await launch(pw, chromium_path, tmp_path / "cam.y4m")
        try:
            chair = await (await browser.new_context(base_url=base)).new_page()
            member = await (await browser.new_context(base_url=base, viewport=PHONE)).new_page()
            errors: list[str] = []
            chair.on("pageerror", lambda exc: errors.append(str(exc)))
            await sign_in(chair, base, cell.people["chair"])
            await sign_in(member, base, cell.people["member"])

            await ready_console(chair, mid)
            assert await chair.text_content("#recording-state") == "Không ghi hình."
            await chair.wait_for_function("() => window.hopchibo.state.live", timeout=WAIT_MS)
            await member.goto(f"/meetings/{mid}")
            await member.wait_for_function("() => window.hopchibo && window.hopchibo.ready")
            await member.click("#join")
            await chair.wait_for_selector("#lobby button[data-action=admit]", timeout=WAIT_MS)
            await chair.click("#lobby button[data-action=admit]")
            await member.wait_for_function("() => window.hopchibo.state.admitted")
            assert await member.is_hidden("#recording")

            # the chair starts recording: the console and the member's page say so, live
            await chair.click("#recording-start")
            await chair.wait_for_selector("#recording-on:not([hidden])", timeout=WAIT_MS)
            state = await chair.text_content("#recording-state") or ""
            assert state.startswith("Đang ghi hình từ ") and "mọi người dự họp đều thấy" in state
            await member.wait_for_selector("#recording:not([hidden])", timeout=WAIT_MS)
            assert (await member.text_content("#recording") or "").strip() == "● Đang ghi hình"
            badge = await member.locator("#recording").bounding_box()
            assert badge is not None and badge["x"] >= 0 and badge["x"] + badge["width"] <= 390
            await member.screenshot(path=str(screenshot_dir / "member-recording-390.png"))
            await asyncio.sleep(RECORD_SECONDS)

            # the chair stops: the badge goes on both pages
            await chair.click("#recording-stop")
            await chair.wait_for_selector("#recording-on[hidden]", state="attached")
            await member.wait_for_selector("#recording[hidden]", state="attached", timeout=WAIT_MS)
            assert await chair.text_content("#recording-state") == "Không ghi hình."

            # the secretary (chair with recording.play) lists and plays it back in the page
            await chair.click("#recording-list")
            play = "#recordings li[data-state=complete] button[data-action=play]"
            await chair.wait_for_selector(play, timeout=WAIT_MS)
            assert "Ghi từ" in (await chair.text_content("#recordings li") or "")
            await chair.click(play)
            try:
                await chair.wait_for_function(
                    "() => { const v = document.getElementById('recording-player');"
                    " return !v.hidden && v.readyState >= 2 && v.currentTime > 1"
                    " && v.duration > 0 && !v.paused; }",
                    timeout=WAIT_MS,
                )
            except PlaywrightTimeout:
                held = await chair.evaluate(
                    "() => { const v = document.getElementById('recording-player');"
                    " return {hidden: v.hidden, ready: v.readyState, at: v.currentTime,"
                    " duration: String(v.duration), paused: v.paused, ended: v.ended,"
                    " error: v.error && v.error.message}; }"
                )
                raise AssertionError(f"the recording does not play: {held}") from None
            video = await chair.evaluate(
                "() => { const v = document.getElementById('recording-player');"
                " return [v.videoWidth, v.videoHeight, v.currentTime, String(v.duration),"
                " v.error]; }"
            )
            assert video[0] > 0 and video[1] > 0 and video[4] is None, video
            print(f"playback: {video[0]}x{video[1]}, at {video[2]:.2f} s, duration {video[3]}")
            # remuxed with its index by the server: a duration about the time recorded (a
            # streamed file says Infinity), and the seek bar works: back to 1.5 s, where the
            # player lands, still showing the picture (the player's own control sets currentTime)
            assert RECORD_SECONDS - 2 <= float(video[3]) <= RECORD_SECONDS + 15, video
            seek = await chair.evaluate(SEEK_JS, 1.5)
            assert seek["result"] == "seeked" and abs(seek["at"] - 1.5) < 0.5, seek
            assert seek["seekable"][0] == 0 and seek["seekable"][1] > RECORD_SECONDS - 2, seek
            assert seek["width"] > 0 and seek["error"] is None, seek
            await chair.locator("#recording-panel").screenshot(
                path=str(screenshot_dir / "chair-recording-playback.png")
            )

            # the deputy chairs this cell too, but may not play recordings back (R7)
            phone = await (await browser.new_context(base_url=base, viewport=PHONE)).new_page()
            await sign_in(phone, base, deputy)
            await ready_console(phone, mid)
            assert await phone.is_hidden("#recording-on")  # stopped
            await phone.click("#recording-list")
            await phone.wait_for_selector(
                "#recording-refused:not([hidden])[data-rules=R7]", timeout=WAIT_MS
            )
            refusal = await phone.text_content("#recording-refused") or ""
            assert "không có quyền xem lại bản ghi" in refusal and "R7" in refusal
            assert await phone.locator("#recordings li").count() == 0
            width = await phone.evaluate("() => document.documentElement.scrollWidth")
            assert width <= 390
            await phone.locator("#recording-panel").scroll_into_view_if_needed()
            await phone.screenshot(path=str(screenshot_dir / "deputy-recording-refused-390.png"))
            assert not errors, errors
        finally:
            await browser.close()

    # the secretary plays it back again in Firefox (members' and chairs' other browser): it
    # plays, with its duration, and the seek bar takes the player back
    await firefox.start()
    await firefox_sign_in(firefox, base, cell.people["chair"], next_code=True)
    await firefox.navigate(f"{base}/meetings/{mid}/chair")

    async def console_ready() -> bool:
        return bool(await firefox.run("resolve(document.body.dataset.ready === 'true');"))

    await until("the console in Firefox", console_ready)
    await firefox.run("document.getElementById('recording-list').click(); resolve(true);")

    async def listed() -> bool:
        return bool(await firefox.run("resolve(Boolean(document.querySelector(args[0])));", play))

    await until("the recording listed in Firefox", listed)
    await firefox.run("document.querySelector(args[0]).click(); resolve(true);", play)

    async def playing() -> bool:
        return bool(
            await firefox.run(
                "const v = document.getElementById('recording-player');"
                " resolve(!v.hidden && v.readyState >= 2 && v.currentTime > 1"
                " && Number.isFinite(v.duration) && v.videoWidth > 0);"
            )
        )

    await until("the recording playing in Firefox", playing)
    seek = await firefox.run(f"resolve(await ({SEEK_JS})(1.5));")
    assert seek["result"] == "seeked" and abs(seek["at"] - 1.5) < 0.5, seek
    assert seek["seekable"][1] > RECORD_SECONDS - 2 and seek["error"] is None, seek

    # the refusal and the playbacks are in the access log
    audit = app[appkeys.AUDIT]
    denied = [
        r
        for r in await audit.search(action="access.denied", limit=100)
        if r.details.get("permission") == "recording.play"
    ]
    assert [r.target for r in denied] == [f"/api/meetings/{mid}/recordings"]
    assert denied[0].actor == f"account:{made.id}"
    played = await audit.search(action="recording.play", limit=10)
    assert len(played) == 2 and {r.target for r in played} == {f"meeting:{mid}"}
