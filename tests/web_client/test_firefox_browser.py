"""A member on Debian's Firefox ESR meets a chair and the hall on Chromium.

Firefox is driven headless over Marionette (``marionette_driver``; no geckodriver, no downloaded
browser) with its fake media devices. It offers every m-line after the first with port 0 and
``a=bundle-only``; the relay must take those as receive slots. The test proves that the Firefox
member decodes the two Chromium participants' video and audio (counters growing in getStats) and
that the chair's Chromium decodes the Firefox member's video and audio.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import shutil
import subprocess
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from playwright.async_api import async_playwright

from server.auth import factors
from tests.conftest import free_port
from tests.server.meeting.support import Cell, Person
from tests.web_client.test_meeting_browser import (  # noqa: F401  (server is a fixture)
    COLOURS,
    launch,
    server,
    sign_in,
    slot_stats,
    stat_of,
    state,
    until,
    write_y4m,
)

# marionette-driver's mozbase dependencies warn on import (old regexes, a deprecated distro call)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from marionette_driver.marionette import Marionette  # type: ignore[import-untyped]

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

FIREFOX = "/usr/bin/firefox-esr"
PREFS = {
    "media.navigator.streams.fake": True,
    "media.navigator.permission.disabled": True,
    "media.autoplay.default": 0,
    # no sound card here: a mock audio device, so that an AudioContext runs (the level meter)
    "media.cubeb.force_mock_context": True,
    "media.peerconnection.ice.obfuscate_host_addresses": False,
    "browser.shell.checkDefaultBrowser": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.reportingpolicy.firstRun": False,
    "app.update.disabledForTesting": True,
    "browser.aboutwelcome.enabled": False,
}


class Firefox:
    """One headless Firefox ESR with its own profile, and a Marionette session to it.

    ``marionette_driver`` is synchronous: every call goes through ``run`` in a thread."""

    def __init__(self, profile: Path) -> None:
        if shutil.which(FIREFOX) is None:
            pytest.fail(f"{FIREFOX} is missing (Debian's firefox-esr package)")
        port = free_port()
        profile.mkdir()
        prefs = {**PREFS, "marionette.port": port}
        (profile / "user.js").write_text(
            "".join(f"user_pref({_js(k)}, {_js(v)});\n" for k, v in prefs.items())
        )
        self.process = subprocess.Popen(  # noqa: S603 - a fixed path and our own arguments
            [FIREFOX, "--headless", "--marionette", "--no-remote", "--profile", str(profile)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.client = Marionette(host="127.0.0.1", port=port)

    async def start(self) -> None:
        await asyncio.to_thread(self.client.start_session)

    async def run(self, script: str, *args: Any) -> Any:
        """Run ``script`` in the page; it gets ``args`` and ends by calling ``resolve(value)``."""
        wrapped = (
            "const resolve = arguments[arguments.length - 1];"
            "const args = Array.from(arguments).slice(0, -1);"
            f"Promise.resolve().then(async () => {{ {script} }})"
            ".catch((e) => resolve({error: String(e)}));"
        )
        return await asyncio.to_thread(
            self.client.execute_async_script,
            wrapped,
            script_args=list(args),
            sandbox=None,  # the page's own global, where window.hopchibo lives (no Xray)
            script_timeout=20_000,
        )

    async def navigate(self, url: str) -> None:
        await asyncio.to_thread(self.client.navigate, url)

    def close(self) -> None:
        with contextlib.suppress(Exception):  # the browser may already be gone
            self.client.delete_session()
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _js(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return f'"{value}"'


@pytest.fixture
def firefox(tmp_path: Path) -> Iterator[Firefox]:
    browser = Firefox(tmp_path / "firefox-profile")
    try:
        yield browser
    finally:
        browser.close()


async def firefox_sign_in(
    ff: Firefox, base: str, person: Person, *, next_code: bool = False
) -> None:
    """Password then TOTP through the real endpoints, from the page: the cookie lands in Firefox.
    ``next_code``: the code of the next time step (the person signed in elsewhere within this
    one, and a code is good once)."""
    await ff.navigate(f"{base}/login")
    at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30 if next_code else 0)
    code = factors.totp_now(person.totp_secret, at)
    result = await ff.run(
        """
        const [base, username, password, code] = args;
        const post = (path, body, headers) => fetch(base + path, {
          method: 'POST', credentials: 'same-origin',
          headers: {'Content-Type': 'application/json', ...headers}, body: JSON.stringify(body),
        });
        let r = await post('/api/auth/login', {username, password}, {});
        if (!r.ok) return resolve({error: 'login ' + r.status});
        const {csrf} = await r.json();
        r = await post('/api/auth/totp/verify', {code}, {'X-CSRF-Token': csrf});
        if (!r.ok) return resolve({error: 'totp ' + r.status});
        resolve(await r.json());
        """,
        base,
        person.username,
        person.password,
        code,
    )
    assert result.get("stage") == "full", result


async def ff_state(ff: Firefox) -> dict[str, Any]:
    value = await ff.run("resolve(window.hopchibo ? window.hopchibo.state : null);")
    return value if isinstance(value, dict) else {}


async def ff_stats(ff: Firefox) -> list[dict[str, Any]]:
    value = await ff.run("resolve(await window.hopchibo.stats());")
    assert isinstance(value, list), value
    return value


async def test_firefox_member_meets_chromium(
    server: tuple[str, Cell, web.Application],  # noqa: F811
    tmp_path: Path,
    chromium_path: str,
    firefox: Firefox,
) -> None:
    base, cell, _app = server
    url = f"{base}/meetings/{cell.meeting_id}"
    for key in ("chair", "room"):
        write_y4m(tmp_path / f"{key}.y4m", COLOURS[key][0])
    await firefox.start()
    async with async_playwright() as pw:
        chair_browser = await launch(pw, chromium_path, tmp_path / "chair.y4m")
        room_browser = await launch(pw, chromium_path, tmp_path / "room.y4m")
        try:
            chair = await (await chair_browser.new_context(base_url=base)).new_page()
            room = await (await room_browser.new_context(base_url=base)).new_page()
            await sign_in(chair, base, cell.people["chair"])
            await sign_in(room, base, cell.people["room"])
            await firefox_sign_in(firefox, base, cell.people["member"])

            await chair.goto(url)
            await chair.wait_for_function("() => window.hopchibo && window.hopchibo.ready")
            await chair.click("#join")
            await room.goto(url + "?room=1")

            await firefox.navigate(url)

            async def ready() -> bool:
                return bool(
                    await firefox.run("resolve(Boolean(window.hopchibo && window.hopchibo.ready));")
                )

            await until("the meeting page in Firefox", ready)
            await firefox.run("document.querySelector('#join').click(); resolve(true);")
            await chair.wait_for_selector("#waiting button[data-action=admit]", timeout=20_000)
            await chair.click("#waiting button[data-action=admit]")

            async def admitted() -> bool:
                return bool((await ff_state(firefox)).get("admitted"))

            await until("the Firefox member admitted", admitted)
            member_id = (await ff_state(firefox))["participantId"]
            for page in (chair, room):
                await page.wait_for_function(
                    "() => window.hopchibo && window.hopchibo.state.participantId"
                )
            ids = {
                "chair": (await state(chair))["participantId"],
                "room": (await state(room))["participantId"],
            }

            # Firefox decodes both Chromium participants' video and audio ...
            async def firefox_decodes() -> bool:
                stats = await ff_stats(firefox)
                for pid in ids.values():
                    video, audio = stat_of(stats, "video", pid), stat_of(stats, "audio", pid)
                    if video is None or video["framesDecoded"] == 0:
                        return False
                    if audio is None or audio["totalSamplesReceived"] == 0:
                        return False
                return True

            try:
                await until("media in Firefox", firefox_decodes, 60)
            except AssertionError:  # say what Firefox had, for the next reader of the log
                print("Firefox stats:", await ff_stats(firefox), "ids:", ids)
                raise
            first = await ff_stats(firefox)
            await asyncio.sleep(2.0)
            later = await ff_stats(firefox)
            for pid in ids.values():
                for kind, counter in (
                    ("video", "framesDecoded"),
                    ("audio", "totalSamplesReceived"),
                ):
                    before, after = stat_of(first, kind, pid), stat_of(later, kind, pid)
                    assert before is not None and after is not None
                    assert after[counter] > before[counter], (kind, counter, before, after)

            # ... and the chair's Chromium decodes the Firefox member's video and audio
            async def chair_decodes_firefox() -> bool:
                stats = await slot_stats(chair)
                video, audio = (
                    stat_of(stats, "video", member_id),
                    stat_of(stats, "audio", member_id),
                )
                return (
                    video is not None
                    and video["framesDecoded"] > 0
                    and audio is not None
                    and audio["totalSamplesReceived"] > 0
                )

            await until("the Firefox member's media at the chair", chair_decodes_firefox, 30)
            before = stat_of(await slot_stats(chair), "video", member_id)
            await asyncio.sleep(2.0)
            after = stat_of(await slot_stats(chair), "video", member_id)
            assert before is not None and after is not None
            assert after["framesDecoded"] > before["framesDecoded"]

            # the shared live client in Firefox: the member chats in its page, the chair reads it
            said = "Đồng chí chủ trì nghe rõ, hình rõ."
            sent = await firefox.run(
                """
                document.getElementById('chat-jump').click();
                document.getElementById('chat-text').value = args[0];
                document.getElementById('chat-send').click();
                resolve(true);
                """,
                said,
            )
            assert sent is True, sent
            await chair.wait_for_function(
                "t => [...document.querySelectorAll('#chat-box .chat-text')]"
                ".some((p) => p.textContent === t)",
                arg=said,
                timeout=20_000,
            )
        finally:
            await chair_browser.close()
            await room_browser.close()
