"""The whole month of a cell, through the pages only, in real Chromium and Firefox ESR.

The demo as ``make run`` loads it (PostgreSQL). The secretary signs in from ``/``, schedules a
hybrid meeting for the next day on ``/plan``, builds its agenda on the preparation page and sees
a personnel item flagged while typing (G2, T7), uploads and publishes a three-page PDF (M3), is
refused an observer who holds no observer role (R5) and invites the superior committee's observer
by account. On the day the chair starts the meeting on the console; the hall's screen, a member
in **Firefox ESR** (Marionette), a member on a 390×844 phone and the observer (through the
invitation's link) join; the chair admits them from the lobby and checks members in to the hall
until the quorum is valid (A2, A3). An item opens and the members' pages show it; the members
vote in their pages (the observer has no vote); the phone member chats; the chair presents page 2
of the document; the phone member shares a screen when the chair allows it; the observer's
browser drops and the console marks it "Mất kết nối". The chair closes the meeting, then
generates, adopts and downloads the minutes. The security officer finds the meeting's events by
meeting and by a member's name.

Media is proven from decoded counters: the Firefox member decodes two videos and two audios
(counters still growing), and a Chromium member decodes the Firefox member's video. axe-core
runs on the home, planning, preparation, meeting, chair and officer pages. Everything people do
is done in their pages; the API is only read, to check the results. Dates come from the app's
clock (the demo server runs on the system clock: ``server.auth.context.system_clock``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import pyotp
import pypdf
import pytest
from aiohttp import web
from playwright.async_api import Browser, FilePayload, Page, async_playwright, expect

from server import appkeys
from server.auth.context import system_clock
from server.config import Settings
from server.demo_today import TodayMeetings
from server.rules import VN_TZ
from tests.backends import POSTGRES_ENV, PostgresDatabase, require_env
from tests.server.meeting.support import Person
from tests.web_client.test_accessibility_browser import (  # noqa: F401 (axe_source: a fixture)
    BLOCKING,
    _violations,
    axe_source,
)
from tests.web_client.test_conduct_browser import (
    BAR,
    PHONE,
    download,
    in_viewport_unscrolled,
    shows,
    small_camera,
)
from tests.web_client.test_firefox_browser import (  # noqa: F401 (firefox: a fixture)
    Firefox,
    ff_state,
    ff_stats,
    firefox,
)
from tests.web_client.test_front_door_browser import (  # noqa: F401 (fixtures)
    _password,
    _sign_in_from_front_door,
    demo,
    port,
    settings,
)
from tests.web_client.test_live_share_browser import shown_page, three_page_pdf
from tests.web_client.test_meeting_browser import (
    ARGS,
    VIDEO_STATE_JS,
    slot_stats,
    stat_of,
    until,
)
from tests.web_client.test_planning_browser import PERSONNEL, _get
from tests.web_client.test_stage_browser import decodes, screen_frames

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

TITLE = "Sinh hoạt chi bộ thường kỳ tháng (cả tháng, kiểm thử)"
NEWS = "Thông tin thời sự và nhiệm vụ trong tháng"
RESOLUTION = "Nghị quyết chi bộ tháng"
CHAT = "Đề nghị chi ủy gửi lại số liệu quý trước ngày 10."
DOCUMENT = "du-thao-nghi-quyet-thang.pdf"
#: generous: the machine is shared by several engineers' browser suites
WAIT_MS = 60_000
WITHIN = 90.0
DESKTOP = {"width": 1280, "height": 900}
LOBBY = "n => document.querySelectorAll('#lobby button[data-action=admit]').length >= n"


@pytest.fixture
async def db_url(postgres: PostgresDatabase | None) -> str:
    """PostgreSQL only, as deployed: the month is long, and the suites run both backends."""
    require_env(POSTGRES_ENV)
    assert postgres is not None
    return await postgres.fresh()


async def ready_page(page: Page) -> None:
    await page.wait_for_selector("body[data-ready]", timeout=WAIT_MS)


async def axe_clean(page: Page, axe: str, where: str, report: dict[str, Any]) -> None:
    """axe-core on the page as it is now; serious and critical findings are kept by name."""
    report[where] = [v for v in await _violations(page, axe) if v["impact"] in BLOCKING]


async def next_totp(secret: str, used_by: float) -> str:
    """A code of a step after the one in use at ``used_by`` (a code is taken once per step):
    waits for the step to turn only when it has not yet."""
    totp = pyotp.TOTP(secret)

    async def fresh() -> bool:
        return totp.timecode(system_clock()) > totp.timecode(
            dt.datetime.fromtimestamp(used_by, dt.UTC)
        )

    await until("the next TOTP step", fresh, 40)
    return totp.now()


async def ff_until(ff: Firefox, what: str, script: str, within: float = WITHIN) -> None:
    """Wait until ``script`` (an expression, in the Firefox page) is true."""

    async def check() -> bool:
        return bool(await ff.run(f"resolve(Boolean({script}));"))

    await until(what, check, within)


async def ff_click(ff: Firefox, selector: str) -> None:
    done = await ff.run(
        "const b = document.querySelector(args[0]); if (!b) return resolve(false);"
        " b.click(); resolve(true);",
        selector,
    )
    assert done is True, selector


async def firefox_sign_in_page(ff: Firefox, server: str, person: Person) -> None:
    """Firefox signs in on the login page itself: the fields are filled and the buttons pressed."""
    await ff.navigate(f"{server}/")
    await ff_until(ff, "the login page", "document.body.dataset.ready !== undefined")
    assert await ff.run(
        "document.getElementById('username').value = args[0];"
        "document.getElementById('password').value = args[1];"
        "document.getElementById('password-submit').click(); resolve(true);",
        person.username,
        person.password,
    )
    await ff_until(ff, "the second factor step", "!document.getElementById('step-factor').hidden")
    assert await ff.run(
        "document.getElementById('totp-code').value = args[0];"
        "document.getElementById('totp-submit').click(); resolve(true);",
        pyotp.TOTP(person.totp_secret).now(),
    )
    await ff_until(ff, "home after sign-in", "location.pathname === '/home'")


def demo_person(config: Settings, username: str) -> Person:
    password, secret = _password(config, username)
    return Person(username, username, password, secret, 0, None)


def relay_screens(app: web.Application, meeting_id: int) -> object:
    """The relay's view of every screen slot of the meeting (for a failure's message)."""
    live = app[appkeys.LIVE].get(meeting_id)
    if live is None or live.relay is None:
        return None
    relay = live.relay
    out = []
    for stats in relay.stats().participants:
        slots = relay._participants[stats.participant_id].peer.screen_slots
        out.append(
            {
                "stats": dataclasses.asdict(stats),
                "screen": [
                    {
                        "attached": s.attached,
                        "forwarded": s.forwarded,
                        "dropped": s.dropped,
                        "keyframe_retries": s.keyframe_retries,
                        "failed": s.failed,
                        "awaiting": s.awaiting_keyframe,
                    }
                    for s in slots
                ],
            }
        )
    return out


async def join_member_page(page: Page, url: str) -> None:
    await page.goto(url)
    await page.wait_for_function("() => window.hopchibo && window.hopchibo.ready", timeout=WAIT_MS)
    await page.click("#join")


@pytest.mark.browser
async def test_the_whole_month_through_the_pages(
    demo: tuple[str, TodayMeetings, str],  # noqa: F811 (the front door's fixtures)
    demo_app: web.Application,
    settings: Settings,  # noqa: F811
    firefox: Firefox,  # noqa: F811
    axe_source: str,  # noqa: F811
    chromium_path: str,
    tmp_path: Path,
    screenshot_dir: Path,
) -> None:
    server, today, _printed = demo
    axe: dict[str, Any] = {}
    # the next day on the app's clock, in Vietnam time (the form's time zone)
    day = (system_clock().astimezone(VN_TZ) + dt.timedelta(days=1)).date().isoformat()
    camera = small_camera(tmp_path / "camera.y4m")
    firefox_started = asyncio.create_task(firefox.start())
    async with async_playwright() as pw:
        browsers: list[Browser] = list(
            await asyncio.gather(
                *(
                    pw.chromium.launch(
                        executable_path=chromium_path,
                        args=[*ARGS, f"--use-file-for-fake-video-capture={camera}"],
                    )
                    for _ in range(3)
                )
            )
        )
        chair_browser, room_browser, people_browser = browsers
        try:
            errors: list[str] = []
            logs: list[str] = []  # the pages' warnings, printed when the test fails

            async def new_page(browser: Browser, viewport: Any = DESKTOP) -> Page:
                context = await browser.new_context(locale="vi-VN", viewport=viewport)
                page = await context.new_page()
                page.set_default_timeout(WAIT_MS)
                page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
                page.on(
                    "console",
                    lambda m: (
                        logs.append(f"{page.url} {m.type}: {m.text}")
                        if m.type in ("warning", "error")
                        else None
                    ),
                )
                return page

            # -- the secretary prepares the meeting --------------------------------------
            chair = await new_page(chair_browser)
            await _sign_in_from_front_door(chair, server, settings, "bithu")
            await chair.wait_for_url(f"{server}/home")
            await ready_page(chair)
            await axe_clean(chair, axe_source, "/home", axe)
            await chair.get_by_role("link", name="Lên lịch cuộc họp").click()
            await chair.wait_for_url(f"{server}/plan")
            await ready_page(chair)
            await chair.fill("#title", TITLE)
            await chair.select_option("#mode", "hybrid")
            await chair.fill("#date", day)
            await chair.fill("#time", "19:30")
            await chair.wait_for_selector(f"body[data-checked='hybrid:{day}']")
            await axe_clean(chair, axe_source, "/plan", axe)
            await chair.click("#submit")
            await chair.wait_for_url(f"{server}/meetings/*/plan")
            await ready_page(chair)
            mid = int(chair.url.rstrip("/").split("/")[-2])
            meeting = await _get(chair, f"/api/meetings/{mid}")
            assert (meeting["mode"], meeting["title"]) == ("hybrid", TITLE)
            url = f"{server}/meetings/{mid}"

            # the agenda: an ordinary item, then a personnel item flagged while typed (G2, T7)
            gate = chair.locator("#item-gate")
            await chair.locator("#item-title").press_sequentially(NEWS, delay=10)
            await expect(gate).to_have_attribute("data-outcome", "allowed")
            await chair.click("#item-add")
            await expect(chair.locator("#agenda li[data-item]")).to_have_count(1)
            await chair.locator("#item-title").press_sequentially(PERSONNEL, delay=20)
            await expect(gate).to_have_attribute("data-outcome", "suspected")
            assert "T7" in (await gate.get_attribute("data-rules") or "").split(",")
            await chair.click("#item-add")
            await expect(chair.locator("#agenda li[data-item]")).to_have_count(2)
            agenda = await _get(chair, f"/api/meetings/{mid}/agenda")
            assert [i["title"] for i in agenda] == [NEWS, PERSONNEL]
            news_id = agenda[0]["id"]

            # a three-page PDF, uploaded and published (M3)
            pdf: FilePayload = {
                "name": DOCUMENT,
                "mimeType": "application/pdf",
                "buffer": three_page_pdf(),
            }
            await chair.set_input_files("#doc-file", files=[pdf])
            await chair.click("#doc-upload")
            doc = chair.locator("#documents li[data-document]")
            await expect(doc).to_have_attribute("data-published", "false")
            await doc.locator("button[data-action=publish]").click()
            await expect(doc).to_have_attribute("data-published", "true")
            docs = await _get(chair, f"/api/meetings/{mid}/documents")
            assert [d["filename"] for d in docs] == [DOCUMENT] and docs[0]["published_at"]
            doc_id = int(docs[0]["id"])

            # an observer by account: a member of the cell is no observer (R5), then the
            # superior committee's observer gets a single-use link
            await chair.fill("#invite-observer", "dangvien")
            await chair.click("#invite-observer-send")
            await expect(chair.locator("#notice")).to_contain_text("cấp ủy cấp trên phân công")
            assert await chair.get_attribute("#notice", "data-rules") == "R5"
            assert await chair.input_value("#invite-observer") == "dangvien"  # nothing lost
            await chair.fill("#invite-observer", "giamsat")
            await chair.click("#invite-observer-send")
            await expect(chair.locator("#notice")).to_be_hidden()
            link = chair.locator("#invitations li[data-observer=giamsat] input.link-out")
            await expect(link).to_have_value(
                re.compile(rf"^{re.escape(server)}/login\?invite=\S{{16,}}$")
            )
            invitation = await link.input_value()
            await expect(chair.locator("#invitations li[data-observer=giamsat]")).to_contain_text(
                "đại biểu giám sát"
            )
            await axe_clean(chair, axe_source, "/meetings/{id}/plan", axe)
            await chair.screenshot(
                path=str(screenshot_dir / "month-prepare-observer.png"), full_page=True
            )

            # -- on the day: the chair starts, the hall and the members join -------------
            await chair.click("#chair-link")
            await chair.wait_for_url(f"{url}/chair")
            await shows(chair, "body[data-ready=true]")
            await chair.click("#start")
            await shows(chair, "#meeting-status[data-status=open]")
            await chair.wait_for_function("() => window.hopchibo.state.live", timeout=WAIT_MS)

            room = await new_page(room_browser)
            await _sign_in_from_front_door(room, server, settings, "hoitruong")
            await room.wait_for_url(re.compile(rf"{re.escape(server)}/(home|meetings)"))
            await room.goto(f"{url}?room=1")

            await firefox_started
            await firefox_sign_in_page(firefox, server, demo_person(settings, "dangvien"))
            await firefox.navigate(url)
            await ff_until(
                firefox, "the meeting page in Firefox", "window.hopchibo && window.hopchibo.ready"
            )
            await ff_click(firefox, "#join")

            phone = await new_page(people_browser, PHONE)
            await _sign_in_from_front_door(phone, server, settings, "dangvien2")
            await phone.wait_for_url(f"{server}/home")
            await join_member_page(phone, url)

            # the observer signs in on the invitation's link and lands in the meeting
            observer = await new_page(people_browser)
            await _sign_in_from_front_door(observer, server, settings, "giamsat", invitation)
            await observer.wait_for_url(url)
            await observer.wait_for_function(
                "() => window.hopchibo && window.hopchibo.ready", timeout=WAIT_MS
            )
            await observer.click("#join")

            # the chair admits the three from the lobby, one at a time
            await chair.wait_for_function(LOBBY, arg=3, timeout=WAIT_MS)
            for left in (2, 1, 0):
                await chair.click("#lobby button[data-action=admit] >> nth=0")
                await chair.wait_for_function(
                    "n => document.querySelectorAll('#lobby button[data-action=admit]').length"
                    " === n",
                    arg=left,
                    timeout=WAIT_MS,
                )
            for page in (phone, observer):
                await page.wait_for_function("() => window.hopchibo.state.admitted")
            await ff_until(firefox, "the Firefox member admitted", "window.hopchibo.state.admitted")
            ids = {
                "phone": await phone.evaluate("() => window.hopchibo.state.participantId"),
                "observer": await observer.evaluate("() => window.hopchibo.state.participantId"),
                "firefox": (await ff_state(firefox))["participantId"],
                "chair": await chair.evaluate("() => window.hopchibo.state.participantId || null"),
            }
            await shows(chair, f"#online li[data-id='{ids['observer']}']")
            await shows(chair, "#online li[data-kind=room_device]")
            # the online count holds the chair and the two members, never the observer (R5)
            await chair.wait_for_function(
                "() => window.hopchibo.state.console.attendance.online === 3", timeout=WAIT_MS
            )
            assert await chair.get_attribute("#quorum-state", "data-outcome") == "not_quorate"

            # the secretary checks members in to the hall until the quorum is valid (A2, A3)
            hall: list[int] = await chair.evaluate(
                "() => window.hopchibo.state.console.attendance.people"
                ".filter((p) => p.counted && p.ways.length === 0).map((p) => p.member_id)"
            )
            hall = hall[:6]
            for member_id in hall:
                await chair.check(f"#roll li[data-member='{member_id}'] input[type=checkbox]")
            await chair.click("#check-in")
            await shows(chair, "#quorum-state[data-outcome=quorate]")
            assert "Đủ số lượng" in (await chair.text_content("#quorum-state") or "")

            # -- media: Firefox decodes two videos and two audios; Chromium decodes Firefox
            async def firefox_counters() -> dict[tuple[str, str], int]:
                """Each stream's counter in Firefox: video frames decoded, audio samples."""
                counter = {"video": "framesDecoded", "audio": "totalSamplesReceived"}
                return {
                    (s["kind"], s["participant"]): int(s[counter[s["kind"]]])
                    for s in await ff_stats(firefox)
                    if s["kind"] in counter and s["participant"] and s[counter[s["kind"]]] > 0
                }

            def two_of_each(streams: set[tuple[str, str]]) -> bool:
                kinds = [kind for kind, _pid in streams]
                return kinds.count("video") >= 2 and kinds.count("audio") >= 2

            async def firefox_decodes() -> bool:
                return two_of_each(set(await firefox_counters()))

            try:
                await until("two videos and two audios decoded in Firefox", firefox_decodes, WITHIN)
            except AssertionError:
                print("Firefox stats:", await ff_stats(firefox), "ids:", ids)
                raise
            first = await firefox_counters()

            async def firefox_growing() -> bool:
                now = await firefox_counters()
                return two_of_each({k for k, v in now.items() if k in first and v > first[k]})

            await until("Firefox's counters growing", firefox_growing, WITHIN)

            async def phone_frames_of_firefox() -> int:
                video = stat_of(await slot_stats(phone), "video", ids["firefox"])
                return int(video["framesDecoded"]) if video else 0

            async def phone_decodes_firefox() -> bool:
                return await phone_frames_of_firefox() > 0

            await until("the Firefox member's video on the phone", phone_decodes_firefox, WITHIN)
            seen = await phone_frames_of_firefox()

            async def phone_still_decoding() -> bool:
                return await phone_frames_of_firefox() > seen

            await until("the Firefox video still decoded", phone_still_decoding, WITHIN)

            # -- an item opens; the members' pages show it ------------------------------
            await chair.click(f"#agenda li[data-item='{news_id}'] button[data-action=open]")
            await shows(chair, f"#agenda li[data-item='{news_id}'][data-status=open]")
            await phone.wait_for_selector(f"#item-box[data-item='{news_id}']")
            await ff_until(
                firefox,
                "the item in Firefox",
                f"document.querySelector(\"#item-box[data-item='{news_id}']\")",
            )

            # -- a vote: the members vote in their pages, the observer has no vote --------
            await chair.fill("#vote-subject", RESOLUTION)
            await chair.select_option("#vote-kind", "open")
            await chair.click("#vote-open")
            await shows(chair, "#vote-current:not([hidden])")
            vote_id = await chair.evaluate("() => window.hopchibo.state.console.open_vote_id")
            await phone.wait_for_selector(f"#vote-box[data-vote='{vote_id}'][data-state=open]")
            # the phone at 390x844: microphone, camera, hand, vote and leave on screen, unscrolled
            await in_viewport_unscrolled(phone, BAR)
            await phone.screenshot(path=str(screenshot_dir / "month-phone-vote-open.png"))
            await phone.click("#vote-jump")
            await phone.click("#vote-yes")
            await phone.wait_for_selector("#vote-box[data-state=cast][data-mine=yes]")
            await ff_until(
                firefox,
                "the vote in Firefox",
                f"document.querySelector(\"#vote-box[data-vote='{vote_id}'][data-state=open]\")",
            )
            await ff_click(firefox, "#vote-yes")
            await ff_until(
                firefox, "the Firefox ballot", "document.querySelector('#vote-box[data-mine=yes]')"
            )
            assert await observer.is_hidden("#vote-yes")
            await shows(chair, "#vote-running[data-ballots='2'][data-yes='2']")
            await chair.fill("#hall-yes", str(len(hall)))
            await chair.click("#vote-hall")
            await shows(chair, f"#vote-running[data-hall='{len(hall)},0,0']")
            await chair.click("#vote-close")
            await shows(chair, f"#votes li[data-vote='{vote_id}'][data-outcome=passed]")
            await phone.wait_for_selector(
                "#vote-box[data-state=closed] #vote-result[data-outcome=passed][data-valid=true]"
            )
            votes = await _get(phone, f"/api/meetings/{mid}/votes")
            assert next(v for v in votes if v["id"] == vote_id)["result"]["online"] == {
                "yes": 2,
                "no": 0,
                "abstain": 0,
            }

            # -- chat: the phone member writes, the chair reads ------------------------
            await phone.click("#chat-jump")
            await phone.fill("#chat-text", CHAT)
            await phone.click("#chat-send")
            await chair.wait_for_function(
                "t => [...document.querySelectorAll('#chat-box .chat-text')]"
                ".some((p) => p.textContent === t)",
                arg=CHAT,
                timeout=WAIT_MS,
            )

            # -- the chair presents page 2 of the document; the pages show it ----------
            await chair.focus("#present-doc")
            await chair.wait_for_selector(
                f"#present-doc option[value='{doc_id}']", state="attached"
            )
            await chair.select_option("#present-doc", str(doc_id))
            await chair.fill("#present-number", "2")
            await chair.click("#present-start")
            await shown_page(phone, doc_id, 2)
            await ff_until(
                firefox,
                "page 2 in Firefox",
                f"document.querySelector(\"#present-box[data-document='{doc_id}']"
                f"[data-page='2']:not([hidden])\")",
            )
            await phone.evaluate("() => window.scrollTo(0, 0)")
            await in_viewport_unscrolled(phone, BAR)
            await phone.screenshot(path=str(screenshot_dir / "month-phone-presenting.png"))
            await chair.click("#present-stop")

            # -- the phone member shares a screen once the chair allows it -------------
            allow = f"#online li[data-id='{ids['phone']}'] button[data-action=allow-screen]"
            await chair.click(allow)
            await phone.wait_for_selector("#screen:not([hidden])")
            await phone.click("#screen")

            async def observer_sees_screen() -> bool:
                return await screen_frames(observer, ids["phone"]) > 0

            await until("the shared screen at the observer", observer_sees_screen, WITHIN)

            async def video_state() -> object:
                return {
                    "console": await chair.evaluate(VIDEO_STATE_JS),
                    "presenter": await phone.evaluate(VIDEO_STATE_JS),
                    "relay": relay_screens(demo_app, mid),
                }

            await until(
                "the shared screen on the console",
                lambda: decodes(chair, "#chair-screen video"),
                WITHIN,
                video_state,
            )
            await chair.evaluate("() => window.scrollTo(0, 0)")
            await chair.screenshot(path=str(screenshot_dir / "month-chair-live.png"))
            await axe_clean(chair, axe_source, "/meetings/{id}/chair", axe)
            await axe_clean(phone, axe_source, "/meetings/{id}", axe)

            # -- the observer's browser drops: the console marks it lost ---------------
            await observer.context.close()
            lost = f"#online li[data-id='{ids['observer']}'][data-lost=true] .tag.lost"
            await chair.wait_for_selector(lost)
            assert (await chair.text_content(lost) or "").startswith("Mất kết nối lúc ")
            await chair.screenshot(
                path=str(screenshot_dir / "month-chair-lost.png"), full_page=True
            )

            # -- the chair closes the item and the meeting; the minutes follow ----------
            await chair.click(f"#agenda li[data-item='{news_id}'] button[data-action=close]")
            await shows(chair, f"#agenda li[data-item='{news_id}'][data-status=done]")
            await chair.click("#close-meeting")
            await shows(chair, "#meeting-status[data-status=closed]")
            # closed: the records stay, the live controls go (no quorum meter, no vote to open)
            for live_only in ("#quorum-panel", "#vote-open", "#present-panel", "#check-in"):
                assert await chair.is_hidden(live_only), live_only
            assert await chair.is_visible("#votes") and await chair.is_visible("#minutes-panel")
            me = (await _get(chair, "/api/auth/session"))["account"]["member_id"]
            phone_account = (await _get(phone, "/api/auth/session"))["account"]
            phone_member = phone_account["member_id"]
            members = await _get(chair, f"/api/organisations/{meeting['org_id']}/members")
            await chair.select_option("#minutes-chair", str(me))
            await chair.select_option("#minutes-secretary", str(hall[0]))
            await chair.click("#minutes-generate")
            await shows(chair, "#minutes-state[data-state=draft]")
            await chair.click("#minutes-adopt")
            await shows(chair, "#minutes-state[data-state=adopted]")
            raw_pdf = await download(chair, "#minutes-pdf")
            await chair.screenshot(
                path=str(screenshot_dir / "month-chair-minutes.png"), full_page=True
            )
            # the member's link now says the meeting has ended and offers the minutes
            await phone.goto(url)
            await phone.wait_for_selector("#ended-box[data-minutes=adopted]:not([hidden])")
            assert await phone.is_hidden("#join")

            # -- the security officer finds the meeting's events ------------------------
            officer = await new_page(chair_browser)
            await _sign_in_from_front_door(officer, server, settings, "baomat")
            signed_in_by = system_clock().timestamp()
            await officer.wait_for_url(f"{server}/officer")
            await officer.wait_for_selector("#step-up:not([hidden])")
            secret = _password(settings, "baomat")[1]
            await officer.fill("#step-up-code", await next_totp(secret, signed_in_by))
            await officer.click("#step-up-form button[type=submit]")
            await officer.wait_for_selector("#console:not([hidden])")
            await officer.fill("#f-meeting", str(mid))
            await officer.click("#search-form button[type=submit]")
            # the meeting's own rows only (the demo's meeting of today is another one)
            await officer.wait_for_function(
                "([mine, other]) => { const t = [...document.querySelectorAll("
                "'#records tbody tr td:nth-child(6)')].map((td) => td.textContent);"
                " return t.includes(mine) && !t.includes(other); }",
                arg=[f"meeting:{mid}", f"meeting:{today.hybrid_id}"],
            )
            actions = set(
                await officer.locator("#records tbody tr td:nth-child(5)").all_text_contents()
            )
            for wanted in (
                "meeting.create",
                "agenda.add",
                "document.publish",
                "invitation.create",
                "agenda.open",
                "vote.open",
                "vote.ballot",
                "vote.hall",
                "vote.close",
                "agenda.close",
                "chat.post",
                "meeting.close",
            ):
                assert wanted in actions, (wanted, actions)
            await axe_clean(officer, axe_source, "/officer", axe)
            await officer.screenshot(path=str(screenshot_dir / "month-officer.png"), full_page=True)
            # dangvien2, who voted and chatted, by the member's full name
            name = next(m["full_name"] for m in members if m["id"] == phone_member)
            await officer.fill("#f-meeting", "")
            await officer.fill("#f-member", name)
            await officer.click("#search-form button[type=submit]")
            # every row is the member's own doing, and the meeting's are among them
            await officer.wait_for_function(
                "([actor, target]) => { const rows = [...document.querySelectorAll("
                "'#records tbody tr')].map((tr) => [tr.children[3].textContent,"
                " tr.children[5].textContent]);"
                " return rows.length > 0 && rows.every(([a]) => a === actor)"
                " && rows.some(([, t]) => t === target); }",
                arg=[f"account:{phone_account['id']}", f"meeting:{mid}"],
            )
            mine = set(
                await officer.locator("#records tbody tr td:nth-child(5)").all_text_contents()
            )
            assert {"meeting.join", "vote.ballot", "chat.post"} <= mine, mine
            assert errors == [], errors
            # the hall's device reads no content, and asks for none (no refusals logged)
            assert not [line for line in logs if "?room=1" in line], logs
        except BaseException:
            print("\n".join(logs[-60:]))
            raise
        finally:
            await asyncio.gather(*(b.close() for b in browsers))

    minutes = " ".join(
        " ".join((p.extract_text() or "").split())
        for p in pypdf.PdfReader(io.BytesIO(raw_pdf)).pages
    )
    # M1: the vote, that a chat took place (never what it said), the members present by name
    for fact in (
        f"Biểu quyết “{RESOLUTION}”",
        "Trong cuộc họp có trao đổi bằng tin nhắn văn bản (1 tin nhắn",
        f"{name} (trực tuyến)",
        re.compile(r"Cuộc họp kết thúc lúc \d\d giờ \d\d"),
    ):
        assert fact.search(minutes) if isinstance(fact, re.Pattern) else fact in minutes, (
            fact,
            minutes,
        )
    assert CHAT not in minutes
    blocking = {where: found for where, found in axe.items() if found}
    assert len(axe) == 6, axe.keys()
    if blocking:
        pytest.fail("axe-core, serious or critical:\n" + json.dumps(blocking, indent=1))
