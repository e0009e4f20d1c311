"""A hybrid meeting of the demo seafarers' cell chaired from the chair console in real Chromium.

The secretary (chair console), two members online (meeting page) and the hall's room device run
in four Chromium processes, each signed in for real (password + TOTP). On the console the
secretary admits the members from the lobby (both at once: "admit everyone invited"), checks
three members in to the hall (the quorum meter turns valid, A2/A3), records an absence, shows
the rotating hall code, sees a raised hand, opens an ordinary item, has the admission case refused
and deferred with its citation (G2 → G1, T2), is refused a secret ballot (G3, T12), runs an open
vote that passes on the two online ballots plus the hall's count of hands (A1–A4), then generates,
edits and adopts the minutes and downloads them as DOCX and PDF, which the test reads back.

The database is SQLite (a fresh copy of the migrated template); the conduct and live suites run
the same server code on PostgreSQL. Three seafarers of the demo cell are recorded as temporarily
attached to another organisation (A2) so that the scenario's numbers work: the demo cell counts
12 full members, and 3 online + 3 in the hall could neither reach quorum nor pass a vote there.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
import pypdf
import pytest
from aiohttp import web
from playwright.async_api import Browser, Page, ViewportSize, async_playwright
from playwright.async_api import TimeoutError as PlaywrightTimeout
from sqlalchemy import select, update

from policy.model import Role
from server import appkeys
from server.app import create_app
from server.auth import factors
from server.config import DatabaseSettings, MediaSettings, ServerSettings, Settings, load_settings
from server.demo import SEAFARERS_CODE, load_demo
from server.rules import VN_TZ
from server.storage.models import Member, Organisation
from tests.backends import SqliteTemplate
from tests.conftest import free_port
from tests.server.auth.support import SignInAccount, make_account
from tests.web_client.test_meeting_browser import ARGS

pytestmark = pytest.mark.browser

ADMISSION = "Xét kết nạp quần chúng Nguyễn Văn B vào Đảng"
NEWS = "Thông tin thời sự và nhiệm vụ tháng 11"
RESOLUTION = "Nghị quyết chi bộ tháng 11"
WAIT_MS = 30_000
LOBBY = "n => document.querySelectorAll('#lobby button[data-action=admit]').length === n"
PHONE: ViewportSize = {"width": 390, "height": 844}
TABLET: ViewportSize = {"width": 768, "height": 1024}
BAR = ("#mic", "#cam", "#hand", "#vote-jump", "#leave")


@dataclass(frozen=True, slots=True)
class Seafarers:
    base: str
    cell: int
    members: list[int]  # member ids in the demo's order
    names: dict[int, str]
    accounts: dict[str, SignInAccount]


@pytest.fixture
def reconnect_grace() -> int:
    """The reconnect grace of the seafarers' server, seconds (a test module may override it)."""
    return 2


@pytest.fixture
async def seafarers(
    tmp_path: Path, sqlite_template: SqliteTemplate, reconnect_grace: int
) -> AsyncIterator[tuple[Seafarers, web.Application]]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings: Settings = load_settings(
        {},
        server=ServerSettings(
            var_dir=tmp_path / "var", public_origin=base, insecure_cookies=True, port=port
        ),
        database=DatabaseSettings(url=await sqlite_template.fresh(tmp_path / "e2e.db")),
        media=MediaSettings(loopback_candidate=True, reconnect_grace_seconds=reconnect_grace),
    )
    app = create_app(settings)
    runner = web.AppRunner(app, shutdown_timeout=5)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        db = app[appkeys.DB]
        assert await load_demo(db)
        async with db.session() as s:
            cell = (
                await s.execute(select(Organisation.id).where(Organisation.code == SEAFARERS_CODE))
            ).scalar_one()
            rows = (
                await s.execute(select(Member).where(Member.org_id == cell).order_by(Member.id))
            ).scalars()
            found = [(m.id, m.full_name) for m in rows]
            members = [i for i, _ in found]
            # A2: three seafarers on long contracts are attached to another organisation
            await s.execute(
                update(Member).where(Member.id.in_(members[9:12])).values(temporarily_attached=True)
            )
        accounts = {
            "chair": await make_account(
                db, settings, "bithu", Role.SECRETARY, cell, member_id=members[0]
            ),
            "m3": await make_account(
                db, settings, "dangvien3", Role.MEMBER, cell, member_id=members[3]
            ),
            "m4": await make_account(
                db, settings, "dangvien4", Role.MEMBER, cell, member_id=members[4]
            ),
            "room": await make_account(db, settings, "hoitruong", Role.ROOM_DEVICE, cell),
        }
        yield Seafarers(base, cell, members, dict(found), accounts), app
    finally:
        await runner.cleanup()


async def member_id_of(page: Page) -> str:
    pid = await page.evaluate("() => window.hopchibo.state.participantId")
    assert isinstance(pid, str) and pid
    return pid


def small_camera(path: Path) -> Path:
    """A tiny grey fake camera (160x120, 5 fps): the console test is about conduct, not media,
    and four Chromium processes share the machine."""
    width, height, fps = 160, 120, 5
    frame = b"FRAME\n" + bytes([128]) * (width * height * 3 // 2)
    header = f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + frame * fps)
    return path


async def sign_in(page: Page, base: str, account: SignInAccount) -> str:
    """Password then TOTP (pyotp-compatible code); returns the full session's CSRF token."""
    resp = await page.request.post(
        f"{base}/api/auth/login", data={"username": account.username, "password": account.password}
    )
    assert resp.ok, await resp.text()
    first = await resp.json()
    code = factors.totp_now(account.totp_secret, dt.datetime.now(dt.UTC))
    resp = await page.request.post(
        f"{base}/api/auth/totp/verify", data={"code": code}, headers={"X-CSRF-Token": first["csrf"]}
    )
    assert resp.ok, await resp.text()
    body = await resp.json()
    assert body["stage"] == "full"
    csrf = (
        body.get("csrf")
        or (await (await page.request.get(f"{base}/api/auth/session")).json())["csrf"]
    )
    assert isinstance(csrf, str) and csrf
    return csrf


async def call(page: Page, csrf: str, method: str, url: str, body: Any = None) -> Any:
    resp = await page.request.fetch(url, method=method, data=body, headers={"X-CSRF-Token": csrf})
    assert resp.ok, (method, url, resp.status, await resp.text())
    return await resp.json()


async def notice_rules(page: Page, rules: str) -> str:
    """Wait for the refusal citing exactly ``rules``; returns the text the chair reads."""
    await page.wait_for_selector(f"#notice[data-kind=error][data-rules='{rules}']", timeout=WAIT_MS)
    return await page.text_content("#notice") or ""


async def shows(page: Page, selector: str) -> None:
    """Wait for ``selector``; on a timeout, fail with what the console says and holds."""
    try:
        await page.wait_for_selector(selector, timeout=WAIT_MS)
    except PlaywrightTimeout:
        notice = await page.text_content("#notice")
        held = await page.evaluate("() => window.hopchibo && window.hopchibo.state.console")
        raise AssertionError(f"{selector} not shown; notice: {notice!r}; console: {held}") from None


async def in_viewport_unscrolled(
    page: Page, selectors: tuple[str, ...], *, scrolled: bool = False
) -> None:
    """Every control is visible inside the viewport, the page is not scrolled (unless
    ``scrolled``: the fixed bar stays on screen however far the member scrolled), and nothing
    overflows sideways (no horizontal scrolling)."""
    size = page.viewport_size
    assert size is not None
    assert await page.evaluate("() => window.scrollX === 0")
    assert scrolled or await page.evaluate("() => window.scrollY === 0")
    width = await page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= size["width"], (width, size)
    for selector in selectors:
        assert await page.is_visible(selector), selector
        box = await page.locator(selector).bounding_box()
        assert box is not None, selector
        assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"], (selector, box)
        assert box["y"] >= 0 and box["y"] + box["height"] <= size["height"], (selector, box)


async def download(page: Page, selector: str) -> bytes:
    async with page.expect_download() as info:
        await page.click(selector)
    path = await (await info.value).path()
    return await asyncio.to_thread(Path(path).read_bytes)


async def test_chair_console_runs_a_hybrid_meeting(
    seafarers: tuple[Seafarers, web.Application],
    chromium_path: str,
    tmp_path: Path,
    screenshot_dir: Path,
) -> None:
    sea, _app = seafarers
    base, m = sea.base, sea.members
    camera = small_camera(tmp_path / "camera.y4m")
    async with async_playwright() as pw:
        browsers: list[Browser] = list(
            await asyncio.gather(
                *(
                    pw.chromium.launch(
                        executable_path=chromium_path,
                        args=[*ARGS, f"--use-file-for-fake-video-capture={camera}"],
                    )
                    for _ in range(4)
                )
            )
        )
        try:
            pages: dict[str, Page] = {}
            csrf: dict[str, str] = {}
            # m4 is on a 390x844 phone, m3 on a 768x1024 tablet
            viewports = {"m3": TABLET, "m4": PHONE}
            for key, browser in zip(("chair", "m3", "m4", "room"), browsers, strict=True):
                context = await browser.new_context(base_url=base, viewport=viewports.get(key))
                page = await context.new_page()
                csrf[key] = await sign_in(page, base, sea.accounts[key])
                pages[key] = page
            chair = pages["chair"]
            errors: list[str] = []
            chair.on("pageerror", lambda exc: errors.append(str(exc)))

            # planned before the meeting: an ordinary item and an admission case declared ordinary
            start = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)).astimezone(VN_TZ)
            meeting = await call(
                chair,
                csrf["chair"],
                "POST",
                f"{base}/api/organisations/{sea.cell}/meetings",
                {
                    "kind": "regular",
                    "mode": "hybrid",
                    "title": "Sinh hoạt chi bộ tháng 11",
                    "location": "Phòng họp trụ sở, Hải Phòng",
                    "scheduled_start": start.isoformat(),
                },
            )
            mid = meeting["id"]
            agenda = f"{base}/api/meetings/{mid}/agenda"
            news = await call(
                chair, csrf["chair"], "POST", agenda, {"title": NEWS, "category": "ordinary"}
            )
            admission = await call(
                chair, csrf["chair"], "POST", agenda, {"title": ADMISSION, "category": "ordinary"}
            )
            assert admission["gate"]["outcome"] == "suspected"

            # the console, in Vietnamese; the chair starts the meeting
            await chair.goto(f"/meetings/{mid}/chair")
            await shows(chair, "body[data-ready=true]")
            assert await chair.locator("html").get_attribute("lang") == "vi"
            assert await chair.text_content("h1") == "Bàn điều hành cuộc họp"
            await chair.click("#start")
            await shows(chair, "#meeting-status[data-status=open]")
            await chair.wait_for_function("() => window.hopchibo.state.live", timeout=WAIT_MS)
            assert "tối thiểu 90 phút" in (await chair.text_content("#clock") or "")

            # the hall's screen and the two members join; the members wait in the lobby
            await pages["room"].goto(f"/meetings/{mid}?room=1")
            for key in ("m3", "m4"):
                await pages[key].goto(f"/meetings/{mid}")
                await pages[key].wait_for_function("() => window.hopchibo && window.hopchibo.ready")
                await pages[key].click("#join")
            await chair.wait_for_function(LOBBY, arg=2, timeout=WAIT_MS)
            # "admit everyone invited": one button, one message, the lobby empties at once
            admit_all = chair.locator("#admit-all")
            assert "(2 đang chờ)" in (await admit_all.text_content() or "")
            await admit_all.click()
            await chair.wait_for_function(LOBBY, arg=0, timeout=WAIT_MS)
            await chair.wait_for_function(
                "() => document.getElementById('admit-all').hidden", timeout=WAIT_MS
            )
            for key in ("m3", "m4"):
                await pages[key].wait_for_function(
                    "() => window.hopchibo.state.admitted", timeout=WAIT_MS
                )

            # three online (the chair and two members) of 9 counted full members: no quorum yet
            await chair.wait_for_function(
                "() => { const a = window.hopchibo.state.console.attendance;"
                " return a.online === 3 && a.counted_full_members === 9; }",
                timeout=WAIT_MS,
            )
            assert await chair.get_attribute("#quorum-state", "data-outcome") == "not_quorate"
            assert "Chưa đủ số lượng" in (await chair.text_content("#quorum-state") or "")
            await shows(chair, "#online li[data-kind=room_device]")
            # the chair mutes a member; the member's page stops sending its microphone
            await chair.click(
                f"#online li[data-id='{await member_id_of(pages['m4'])}'] button[data-action=mute]"
            )
            await pages["m4"].wait_for_function(
                "() => window.hopchibo.state.muted.audio", timeout=WAIT_MS
            )
            # the lock: newcomers would wait in the lobby; unlocked again
            await chair.click("#lock")
            await shows(chair, "#locked:not([hidden])")
            await chair.click("#lock")
            await chair.wait_for_selector("#locked[hidden]", state="attached", timeout=WAIT_MS)

            # the secretary checks three members in to the hall on the console: quorum (A2, A3)
            hall = [m[1], m[2], m[5]]
            for member_id in hall:
                await chair.check(f"#roll li[data-member='{member_id}'] input[type=checkbox]")
            await chair.click("#check-in")
            await shows(chair, "#quorum-state[data-outcome=quorate]")
            assert "Đủ số lượng" in (await chair.text_content("#quorum-state") or "")
            # the rule ids are behind a "Căn cứ" detail, not printed on the verdict
            basis = "#quorum-state details.basis"
            assert await chair.get_attribute(basis, "data-rules") == "A2,A3"
            assert await chair.text_content(f"{basis} summary") == "Căn cứ"
            assert "6/9" in (await chair.text_content("#quorum-count") or "")
            for member_id in hall:
                where = await chair.get_attribute(
                    f"#roll li[data-member='{member_id}']", "data-where"
                )
                assert where == "room"
            # an absence with its reason (M1)
            await chair.check(f"#roll li[data-member='{m[6]}'] input[type=checkbox]")
            await chair.fill("#absence-reason", "Tàu đang hành trình")
            await chair.click("#absent-with")
            await shows(chair, f"#roll li[data-member='{m[6]}'][data-where=absent]")
            # the rotating hall code
            await chair.click("#hall-code-toggle")
            await chair.wait_for_function(
                "() => document.getElementById('hall-code').textContent.length === 8"
            )
            await chair.click("#hall-code-toggle")
            # a raised hand reaches the console in order, and the members' list of speakers
            await pages["m3"].click("#hand")
            await shows(chair, "#hands li button[data-action=lower]")
            m3_id = await member_id_of(pages["m3"])
            await pages["m4"].wait_for_selector(f"#speakers li[data-id='{m3_id}']", timeout=WAIT_MS)
            # the phone: one-line header, the control bar on screen, no sideways scrolling
            phone = pages["m4"]
            await in_viewport_unscrolled(phone, BAR)
            header = await phone.locator("header.bar").bounding_box()
            assert header is not None and header["height"] < 56, header
            await phone.screenshot(path=str(screenshot_dir / "meeting-phone.png"))
            await in_viewport_unscrolled(pages["m3"], BAR)
            await pages["m3"].screenshot(path=str(screenshot_dir / "meeting-tablet.png"))

            # the admission case: suspected at opening (G2), reclassified T2, deferred (G1)
            item = f"#agenda li[data-item='{admission['id']}']"
            await chair.click(f"{item} button[data-action=open]")
            text = await notice_rules(chair, "G2,T2")
            assert "Không thực hiện được" in text and "Căn cứ" in text  # ids behind the detail
            await chair.select_option(f"{item} select.category", "T2")
            await chair.click(f"{item} button[data-action=reclassify]")
            await shows(chair, f"{item}[data-status=deferred]")
            assert "Bị chặn" in (await chair.text_content(f"{item} .gate") or "")
            assert await chair.get_attribute(f"{item} .gate details.basis", "data-rules") == "G1,T2"
            deferred = f"#deferred li[data-item='{admission['id']}']"
            await shows(chair, deferred)
            assert await chair.get_attribute(deferred, "data-rules") == "G1,T2"
            assert ADMISSION in (await chair.text_content(deferred) or "")

            # the ordinary item opens
            await chair.click(f"#agenda li[data-item='{news['id']}'] button[data-action=open]")
            await shows(chair, f"#agenda li[data-item='{news['id']}'][data-status=open]")
            # the members' pages show the item under discussion
            for key in ("m3", "m4"):
                await pages[key].wait_for_selector(
                    f"#item-box[data-item='{news['id']}']", timeout=WAIT_MS
                )
                assert NEWS in (await pages[key].text_content("#item-title") or "")

            # a secret ballot cannot be started in a hybrid meeting (G3, T12)
            await chair.fill("#vote-subject", "Bầu bổ sung chi ủy")
            await chair.select_option("#vote-kind", "secret")
            await chair.click("#vote-open")
            text = await notice_rules(chair, "G3,T12")
            assert "Căn cứ" in text and "G3, T12" in text

            # an open vote: two online ballots, the hall's hands entered on the console
            await chair.fill("#vote-subject", RESOLUTION)
            await chair.select_option("#vote-kind", "open")
            await chair.click("#vote-open")
            await shows(chair, "#vote-current:not([hidden])")
            vote_id = await chair.evaluate("() => window.hopchibo.state.console.open_vote_id")
            # the members vote in their pages; m4 first says no, then changes to yes
            for key, choices in (("m3", ("yes",)), ("m4", ("no", "yes"))):
                page = pages[key]
                await page.wait_for_selector(
                    f"#vote-box[data-vote='{vote_id}'][data-state=open]", timeout=WAIT_MS
                )
                assert await page.get_attribute("#vote-jump", "data-open") == "true"
                await page.click("#vote-jump")  # the control bar brings the vote into view
                assert RESOLUTION in (await page.text_content("#vote-subject") or "")
                for choice in choices:
                    await page.click(f"#vote-{choice}")
                    await page.wait_for_selector(
                        f"#vote-box[data-state=cast][data-mine={choice}]", timeout=WAIT_MS
                    )
                said = await page.text_content("#vote-mine") or ""
                assert said == "Phiếu của đồng chí đã được ghi nhận: Tán thành.", said
            await phone.screenshot(path=str(screenshot_dir / "meeting-phone-vote.png"))
            await in_viewport_unscrolled(phone, BAR, scrolled=True)
            await shows(chair, "#vote-running[data-ballots='2'][data-yes='2']")
            await chair.fill("#hall-yes", "3")
            await chair.click("#vote-hall")
            await shows(chair, "#vote-running[data-hall='3,0,0']")
            await chair.click("#vote-close")
            result = f"#votes li[data-vote='{vote_id}']"
            await shows(chair, f"{result}[data-outcome=passed]")
            shown = await chair.text_content(result) or ""
            assert "Hợp lệ · Thông qua" in shown
            assert await chair.get_attribute(f"{result} .verdict details.basis", "data-rules") == (
                "A2,A3,A4"
            )
            assert "Tán thành 5, không tán thành 0, không biểu quyết 0" in shown
            # the members see the result and that it is valid
            for key in ("m3", "m4"):
                page = pages[key]
                await page.wait_for_selector(
                    "#vote-box[data-state=closed]"
                    " #vote-result[data-outcome=passed][data-valid=true]",
                    timeout=WAIT_MS,
                )
                verdict = await page.text_content("#vote-verdict") or ""
                assert "Hợp lệ · Thông qua [A2, A3, A4]" in verdict, verdict
                tally = await page.text_content("#vote-tally") or ""
                assert "Tán thành 5, không tán thành 0, không biểu quyết 0" in tally, tally
            await pages["m3"].screenshot(path=str(screenshot_dir / "meeting-vote-result.png"))
            # the API holds the two online ballots the pages cast
            votes_now = await call(
                pages["m3"], csrf["m3"], "GET", f"{base}/api/meetings/{mid}/votes"
            )
            closed_vote = next(v for v in votes_now if v["id"] == vote_id)
            assert closed_vote["result"]["online"] == {"yes": 2, "no": 0, "abstain": 0}
            await chair.click(f"#agenda li[data-item='{news['id']}'] button[data-action=close]")
            await shows(chair, f"#agenda li[data-item='{news['id']}'][data-status=done]")
            await chair.screenshot(path=str(screenshot_dir / "chair-console.png"), full_page=True)

            # English on request, Vietnamese again after
            await chair.click("#lang")
            assert await chair.text_content("#check-in") == "Check in to the hall"
            await chair.click("#lang")
            assert await chair.text_content("#check-in") == "Điểm danh tại hội trường"

            # minutes: generate, edit, adopt, download both formats
            await chair.select_option("#minutes-chair", str(m[0]))
            await chair.select_option("#minutes-secretary", str(m[1]))
            await chair.click("#minutes-generate")
            await shows(chair, "#minutes-state[data-state=draft]")
            await shows(chair, "#minutes-edit:not([hidden])")
            await chair.fill("#minutes-notes", "Đồng chí đại diện Đảng ủy dự và phát biểu chỉ đạo.")
            await chair.click("#minutes-save")
            await shows(chair, "#notice[data-kind=ok]")
            # the confirmation goes away by itself
            await chair.wait_for_selector("#notice", state="hidden", timeout=WAIT_MS)
            await chair.click("#minutes-adopt")
            await shows(chair, "#minutes-state[data-state=adopted]")
            raw_docx = await download(chair, "#minutes-docx")
            raw_pdf = await download(chair, "#minutes-pdf")
            await chair.click("#close-meeting")
            await shows(chair, "#meeting-status[data-status=closed]")
            # the member page was told; the meeting's link now says it has ended, no Join button,
            # and offers the adopted minutes
            await pages["m4"].wait_for_function(
                "() => window.hopchibo.state.ended", timeout=WAIT_MS
            )
            await pages["m4"].goto(f"/meetings/{mid}")
            await pages["m4"].wait_for_selector(
                "#ended-box[data-minutes=adopted]:not([hidden])", timeout=WAIT_MS
            )
            assert await pages["m4"].is_hidden("#join")
            ended_text = await pages["m4"].text_content("#ended-box") or ""
            assert "Cuộc họp đã kết thúc" in ended_text and "Tải biên bản (PDF)" in ended_text
            href = await pages["m4"].get_attribute("#minutes-pdf", "href")
            assert href == f"/api/meetings/{mid}/minutes.pdf"
            await pages["m4"].screenshot(path=str(screenshot_dir / "meeting-ended-phone.png"))
            assert errors == [], errors
            # the console is the chair's: a member gets a readable refusal page, not the console
            refused = await pages["m3"].goto(f"/meetings/{mid}/chair")
            assert refused is not None and refused.status == 403
            assert await pages["m3"].text_content("h1") == "Không có quyền xem"
            assert await pages["m3"].locator("#console").count() == 0
        finally:
            for browser in browsers:
                await browser.close()

    document = docx.Document(io.BytesIO(raw_docx))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n" + "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    pdf = " ".join(
        " ".join((page.extract_text() or "").split())
        for page in pypdf.PdfReader(io.BytesIO(raw_pdf)).pages
    )
    expected = [
        "Có mặt: 6 đồng chí (tại hội trường 3, trực tuyến 3)",  # the three checked in
        f"Chủ trì: {sea.names[m[0]]}. Thư ký: {sea.names[m[1]]}.",
        f"{sea.names[m[6]]} (Tàu đang hành trình)",
        "NỘI DUNG CHUYỂN SANG SINH HOẠT TRỰC TIẾP TOÀN CHI BỘ",
        f"{ADMISSION} [G1, T2]",
        f"Biểu quyết “{RESOLUTION}”: tán thành 5, không tán thành 0, không biểu quyết 0.",
        "[A2, A3, A4]",
        "Đồng chí đại diện Đảng ủy dự",
        "Biên bản đã được đọc lại và thông qua",
        # sections numbered in order (no vote outside an item: the deferred items are IV)
        "III. NỘI DUNG SINH HOẠT",
        "IV. NỘI DUNG CHUYỂN SANG SINH HOẠT TRỰC TIẾP TOÀN CHI BỘ",
        # the members present are named (M1)
        f"{sea.names[m[1]]} (tại hội trường)",
        f"{sea.names[m[5]]} (tại hội trường)",
        f"{sea.names[m[3]]} (trực tuyến)",
    ]
    for fact in expected:
        assert fact in text, (fact, text)
        assert " ".join(fact.split()) in pdf, (fact, pdf)
    # adopted before the close: the end time was written in at the reading back
    assert re.search(r"Cuộc họp kết thúc lúc \d\d giờ \d\d, ngày", text), text
    assert "…" not in text
    vote_line = next(line for line in text.splitlines() if RESOLUTION in line)
    assert vote_line.count("A3") == 1 and vote_line.count("A4") == 1, vote_line
