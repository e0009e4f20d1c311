"""A chair, a member and the hall's room device meet in three real Chromium processes.

Each browser has its own fake camera (a y4m file of one flat colour), signs in for real
(password + TOTP through the identity endpoints), and the test proves from the decoded media
which participant each video shows, that audio flows, that muting stops it and that leaving
removes the member from the others' lists.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from playwright.async_api import Browser, Page, async_playwright

from server import appkeys
from server.app import create_app
from server.auth import factors
from server.config import DatabaseSettings, MediaSettings, ServerSettings, load_settings
from tests.backends import SqliteTemplate
from tests.conftest import free_port
from tests.server.meeting.support import Cell, Person, make_cell

pytestmark = pytest.mark.browser

WIDTH, HEIGHT, FPS, SECONDS = 320, 240, 15, 2
#: YUV of flat red, green and blue, and the RGB channel that dominates after decoding
COLOURS = {"chair": ((82, 90, 240), 0), "member": ((145, 54, 34), 1), "room": ((41, 240, 110), 2)}
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--allow-loopback-in-peer-connection",
    "--autoplay-policy=no-user-gesture-required",
]
MEDIA_TIMEOUT = 20.0


def write_y4m(path: Path, yuv: tuple[int, int, int]) -> None:
    y, u, v = yuv
    frame = (
        b"FRAME\n"
        + bytes([y]) * (WIDTH * HEIGHT)
        + bytes([u]) * (WIDTH * HEIGHT // 4)
        + bytes([v]) * (WIDTH * HEIGHT // 4)
    )
    header = f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F{FPS}:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + frame * (FPS * SECONDS))


async def until(
    what: str,
    check: Callable[[], Awaitable[bool]],
    within: float = MEDIA_TIMEOUT,
    explain: Callable[[], Awaitable[object]] | None = None,
) -> None:
    """Poll ``check`` until it holds; on a timeout the error carries what ``explain`` gathers."""
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            seen = f": {await explain()}" if explain is not None else ""
            raise AssertionError(f"timed out waiting for {what}{seen}")
        await asyncio.sleep(0.25)


#: a page's video receive and send figures and what its <video> elements show, for a failure
#: message (each page exposes ``window.hopchibo.peerStats``)
VIDEO_STATE_JS = """async () => {
  const report = await window.hopchibo.peerStats();
  const rtp = [...report.values()].filter((s) => s.kind === 'video'
    && (s.type === 'inbound-rtp' || s.type === 'outbound-rtp')).map((s) => ({
    type: s.type, mid: s.mid, packets: s.packetsReceived ?? s.packetsSent,
    frames: s.framesDecoded ?? s.framesEncoded, keyframes: s.keyFramesDecoded ?? s.keyFramesEncoded,
    pli: s.pliCount, width: s.frameWidth }));
  const videos = [...document.querySelectorAll('video')].map((v) => ({
    id: v.closest('[id]')?.id, width: v.videoWidth, ready: v.readyState, paused: v.paused,
    track: v.srcObject && v.srcObject.getVideoTracks().map((t) => [t.readyState, t.muted]) }));
  return { rtp, videos };
}"""


@pytest.fixture
async def server(
    tmp_path: Path, sqlite_template: SqliteTemplate
) -> AsyncIterator[tuple[str, Cell, web.Application]]:
    async with serving(tmp_path, sqlite_template) as served:
        yield served


@contextlib.asynccontextmanager
async def serving(
    tmp_path: Path, sqlite_template: SqliteTemplate, **media: Any
) -> AsyncIterator[tuple[str, Cell, web.Application]]:
    """The server on a free port with a cell and its meeting; ``media`` overrides the media
    settings of the browser tests (loopback candidates, a 2 s reconnect grace)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = load_settings(
        {},
        server=ServerSettings(
            var_dir=tmp_path / "var", public_origin=base, insecure_cookies=True, port=port
        ),
        database=DatabaseSettings(url=await sqlite_template.fresh(tmp_path / "e2e.db")),
        media=MediaSettings(**{"loopback_candidate": True, "reconnect_grace_seconds": 2, **media}),
    )
    app = create_app(settings)
    runner = web.AppRunner(app, shutdown_timeout=5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    cell = await make_cell(app)
    try:
        yield base, cell, app
    finally:
        await runner.cleanup()


async def sign_in(page: Page, base: str, person: Person) -> None:
    """Password then TOTP through the real endpoints; the cookie lands in the browser context."""
    resp = await page.request.post(
        f"{base}/api/auth/login", data={"username": person.username, "password": person.password}
    )
    assert resp.ok, await resp.text()
    body = await resp.json()
    code = factors.totp_now(person.totp_secret, dt.datetime.now(dt.UTC))
    resp = await page.request.post(
        f"{base}/api/auth/totp/verify", data={"code": code}, headers={"X-CSRF-Token": body["csrf"]}
    )
    assert resp.ok, await resp.text()
    assert (await resp.json())["stage"] == "full"


async def state(page: Page) -> dict[str, Any]:
    value = await page.evaluate("() => window.hopchibo && window.hopchibo.state")
    assert isinstance(value, dict)
    return value


async def slot_stats(page: Page) -> list[dict[str, Any]]:
    value = await page.evaluate("() => window.hopchibo.stats()")
    assert isinstance(value, list)
    return value


def stat_of(stats: list[dict[str, Any]], kind: str, pid: str) -> dict[str, Any] | None:
    return next((s for s in stats if s["kind"] == kind and s["participant"] == pid), None)


async def launch(pw: Any, chromium: str, y4m: Path, wav: Path | None = None) -> Browser:
    """Debian's Chromium with fake devices: the camera plays ``y4m``; the microphone beeps, or
    plays ``wav`` (``tests/web_client/speech.py``) in a loop."""
    audio = [f"--use-file-for-fake-audio-capture={wav}"] if wav is not None else []
    browser: Browser = await pw.chromium.launch(
        executable_path=chromium,
        args=[*ARGS, f"--use-file-for-fake-video-capture={y4m}", *audio],
    )
    return browser


async def test_three_browsers_meet(
    server: tuple[str, Cell, web.Application],
    tmp_path: Path,
    chromium_path: str,
    screenshot_dir: Path,
) -> None:
    base, cell, app = server
    url = f"{base}/meetings/{cell.meeting_id}"
    keys = ("chair", "member", "room")
    for key in keys:
        write_y4m(tmp_path / f"{key}.y4m", COLOURS[key][0])
    async with async_playwright() as pw:
        browsers = await asyncio.gather(
            *(launch(pw, chromium_path, tmp_path / f"{k}.y4m") for k in keys)
        )
        try:
            pages: dict[str, Page] = {}
            for key, browser in zip(keys, browsers, strict=True):
                page = await (await browser.new_context(base_url=base)).new_page()
                await sign_in(page, base, cell.people[key])
                pages[key] = page
            chair, member, room = pages["chair"], pages["member"], pages["room"]

            # the chair and the hall enter directly; the member waits in the lobby
            await chair.goto(url)
            await chair.wait_for_function("() => window.hopchibo && window.hopchibo.ready")
            await chair.click("#join")
            await room.goto(url + "?room=1")  # the hall's screen joins by itself
            await member.goto(url)
            await member.wait_for_function("() => window.hopchibo && window.hopchibo.ready")
            assert await member.locator("html").get_attribute("lang") == "vi"
            await member.click("#join")
            await member.wait_for_function(
                "() => window.hopchibo.state.status && "
                "window.hopchibo.state.status.key === 'ui.status.lobby'"
            )
            assert "phòng chờ" in (await member.text_content("#status") or "")
            assert (await state(member))["participants"] == []
            await chair.wait_for_selector("#waiting button[data-action=admit]")
            await chair.screenshot(path=str(screenshot_dir / "chair-lobby.png"))
            await member.screenshot(path=str(screenshot_dir / "member-lobby.png"))
            await chair.click("#waiting button[data-action=admit]")
            await member.wait_for_function("() => window.hopchibo.state.admitted")

            ids = {k: (await state(p))["participantId"] for k, p in pages.items()}
            assert (await state(room))["role"] == "room_device"
            assert (await state(chair))["role"] == "chair"

            # every participant decodes the others' video and receives their audio
            for key, page in pages.items():
                others = [ids[k] for k in keys if k != key]

                async def flowing(page: Page = page, others: list[str] = others) -> bool:
                    stats = await slot_stats(page)
                    for pid in others:
                        video, audio = stat_of(stats, "video", pid), stat_of(stats, "audio", pid)
                        if video is None or video["framesDecoded"] == 0:
                            return False
                        if audio is None or audio["bytesReceived"] == 0:
                            return False
                    return True

                await until(f"media at {key}", flowing)

            # which video: the decoded colour of each tile is the sender's fake camera
            for key, page in pages.items():
                for other in keys:
                    if other == key:
                        continue
                    channel = COLOURS[other][1]

                    async def right_colour(
                        page: Page = page, pid: str = ids[other], channel: int = channel
                    ) -> bool:
                        rgb = await page.evaluate("id => window.hopchibo.colourOf(id)", pid)
                        return rgb is not None and max(range(3), key=lambda c: rgb[c]) == channel

                    await until(f"{other}'s colour at {key}", right_colour, 10)

            async def audio_of(page: Page, key: str) -> int:
                s = stat_of(await slot_stats(page), "audio", ids[key])
                assert s is not None, (key, await state(page))
                return int(s["bytesReceived"])

            async def member_audio(page: Page) -> int:
                return await audio_of(page, "member")

            # the link drops: the page says so, rejoins by itself and gets its media back
            live = app[appkeys.LIVE].get(cell.meeting_id)
            assert live is not None
            socket_ = live.connection_of(ids["member"])
            assert socket_ is not None
            await socket_.ws.close()
            await member.wait_for_function(
                "() => window.hopchibo.state.log.includes('ui.status.rejoining')"
            )
            await member.wait_for_function(
                "() => window.hopchibo.state.status.key === 'ui.status.connected'", timeout=20_000
            )
            assert (await state(member))["participantId"] == ids["member"]  # same participant
            decoded = {
                s["participant"]: s["framesDecoded"]
                for s in await slot_stats(member)
                if s["kind"] == "video"
            }

            async def fresh_video() -> bool:
                stats = await slot_stats(member)
                return all(
                    (s := stat_of(stats, "video", ids[k])) is not None and s["framesDecoded"] > 0
                    for k in ("chair", "room")
                )

            await until("video after the rejoin", fresh_video)
            assert decoded  # the new peer connection decodes afresh

            # audio keeps growing, then stops once the member mutes
            before = {k: await member_audio(pages[k]) for k in ("chair", "room")}
            await asyncio.sleep(1.0)
            for k in ("chair", "room"):
                assert await member_audio(pages[k]) > before[k], f"member's audio at {k}"

            await member.screenshot(path=str(screenshot_dir / "member-page.png"))

            await member.click("#mic")
            await chair.wait_for_function(
                "id => window.hopchibo.state.participants.some(p => p.id === id && p.audio_muted)",
                arg=ids["member"],
            )
            await asyncio.sleep(1.0)  # packets in flight
            muted = {k: await member_audio(pages[k]) for k in ("chair", "room")}
            await asyncio.sleep(2.0)
            for k in ("chair", "room"):
                assert await member_audio(pages[k]) == muted[k], f"member still heard at {k}"
            chair_audio = stat_of(await slot_stats(room), "audio", ids["chair"])
            assert chair_audio is not None and chair_audio["bytesReceived"] > 0

            # the chair mutes the hall: the room device's page stops sending its microphone
            await chair.click(f"#participants li[data-id={ids['room']}] button.small:not(.danger)")
            await room.wait_for_function("() => window.hopchibo.state.muted.audio")
            assert "Chủ trì đã tắt micro" in (await room.text_content("#status") or "")

            # ... and the relay enforces it: the hall's audio leaves the member's receive slots
            async def hall_unslotted() -> bool:
                return stat_of(await slot_stats(member), "audio", ids["room"]) is None

            await until("the hall's audio off the member's slots", hall_unslotted, 10)

            # English on request, Vietnamese again after
            await member.click("#lang")
            assert await member.text_content("#leave") == "Leave"
            assert await member.text_content("#mic") == "Unmute"
            await member.click("#lang")
            assert await member.text_content("#leave") == "Rời cuộc họp"

            # leaving: the member disappears from the others' participant lists
            await member.click("#leave")
            for k in ("chair", "room"):
                await pages[k].wait_for_selector(
                    f"#participants li[data-id={ids['member']}]", state="detached"
                )
                names = [p["display_name"] for p in (await state(pages[k]))["participants"]]
                assert cell.people["member"].display_name not in names
                assert cell.people["chair"].display_name in names
        finally:
            for browser in browsers:
                await browser.close()
