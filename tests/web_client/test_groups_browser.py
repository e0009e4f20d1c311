"""The party-group cycle of the 60-member demo cell with 4 groups, through the pages only, in real
Chromium (E2, P5, GM3, A3, 03-HD/TW §II.4.2).

The demo as ``make run`` loads it (PostgreSQL), served on an app clock the test can move on. The
cell's secretary schedules the committee's preparatory meeting and the cell meeting by groups on
``/plan``, then, on the committee's page (``/meetings/{id}/groups``), is told in Vietnamese what
is missing, sets the content and the draft resolution, and assigns each group its leader and the
committee member attending. Each group leader finds the group meeting on the home page and chairs
it from the leader's console (``/meetings/{id}/group``): two leaders at the same time (one on a
390x844 phone), then the other two. The leaders check members in, record an absence with its
reason, open the content, record differing and reserved opinions, count the group's vote on the
draft, close the meeting, make and adopt the group's minutes; three send their report on the day.
Two days later on the app clock the fourth leader's report is overdue; the committee is refused
the consolidation (GM3); the leader sends it, shown late on the console and on the committee's
page, where the four reports stand side by side. The committee consolidates (56 present, 49 in
favour of 57 counted full members: passed, A3) and adopts the cell's resolution into the minutes,
which the test reads back (the API only reads results).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import re
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import docx
import pyotp
import pytest
from aiohttp import web
from playwright.async_api import Browser, Page, ViewportSize, async_playwright, expect

from server import cli_demo
from server.app import create_app
from server.config import Settings
from server.rules import VN_TZ
from tests.backends import POSTGRES_ENV, PostgresDatabase, require_env
from tests.web_client.test_accessibility_browser import (  # noqa: F401 (axe_source: a fixture)
    BLOCKING,
    _violations,
    axe_source,
)
from tests.web_client.test_conduct_browser import PHONE, in_viewport_unscrolled
from tests.web_client.test_front_door_browser import (  # noqa: F401 (fixtures)
    _password,
    port,
    settings,
)
from tests.web_client.test_meeting_browser import ARGS
from tests.web_client.test_planning_browser import _schedule

pytestmark = [pytest.mark.browser, pytest.mark.timeout(420)]

CHROMIUM = "/usr/bin/chromium"
WAIT_MS = 60_000
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
CONTENT = "Quán triệt nhiệm vụ trọng tâm quý I năm sau"
DRAFT = "Dự thảo nghị quyết chi bộ về nhiệm vụ quý I"
RESOLUTION = "Chi bộ thống nhất thông qua nghị quyết về nhiệm vụ quý I."
DIFFERING = "Đề nghị lùi thời hạn sơ kết sang tháng 2."
RESERVED = "Tôi bảo lưu ý kiến về chỉ tiêu kết nạp đảng viên mới."
ABSENCE = "Đi công tác"
#: each group's count of hands on the draft (yes, no, abstain); 14 of 15 attend in every group
HANDS = ((12, 1, 1), (13, 1, 0), (14, 0, 0), (10, 1, 0))


class ShiftClock:
    """The app clock: the system clock moved on by ``offset`` (two days for the late report)."""

    def __init__(self) -> None:
        self.offset = dt.timedelta(0)

    def __call__(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset


@pytest.fixture(autouse=True)
def _patient_expect() -> Iterator[None]:
    """Each step's answer may take several seconds on the loaded machine."""
    expect.set_options(timeout=WAIT_MS)
    yield
    expect.set_options(timeout=5_000)  # Playwright's default, for the other modules


@pytest.fixture
async def db_url(postgres: PostgresDatabase | None) -> str:
    """PostgreSQL only, as deployed."""
    require_env(POSTGRES_ENV)
    assert postgres is not None
    return await postgres.fresh()


@pytest.fixture
async def served(
    settings: Settings,  # noqa: F811
    port: int,  # noqa: F811
) -> AsyncIterator[tuple[str, ShiftClock]]:
    clock = ShiftClock()
    await cli_demo.load(settings, clock())
    runner = web.AppRunner(create_app(settings, clock=clock), shutdown_timeout=5)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://localhost:{port}", clock
    finally:
        await runner.cleanup()


async def sign_in(
    page: Page,
    server: str,
    settings: Settings,  # noqa: F811
    user: str,
    clock: ShiftClock,
) -> None:
    """On the login page, with a code of the app clock's time step."""
    await page.goto(f"{server}/")
    await page.wait_for_url(re.compile(rf"^{re.escape(server)}/login"))
    await page.wait_for_selector("body[data-ready]")
    password, secret = _password(settings, user)
    await page.fill("#username", user)
    await page.fill("#password", password)
    await page.click("#password-submit")
    await expect(page.locator("#step-factor")).to_be_visible()
    await page.fill("#totp-code", pyotp.TOTP(secret).at(clock()))
    await page.click("#totp-submit")
    await page.wait_for_url(f"{server}/home")
    await page.wait_for_selector("body[data-ready]")


async def read(page: Page, path: str) -> Any:
    resp = await page.request.get(path)
    assert resp.ok, (path, resp.status, await resp.text())
    return (
        await resp.json() if "json" in resp.headers.get("content-type", "") else await resp.body()
    )


async def new_page(browser: Browser, phone: bool = False) -> Page:
    context = await browser.new_context(locale="vi-VN", viewport=PHONE if phone else DESKTOP)
    page = await context.new_page()
    page.set_default_timeout(WAIT_MS)
    return page


async def lead_group(
    page: Page,
    server: str,
    title: str,
    index: int,
    shots: Path,
    *,
    report: bool,
    opinion: tuple[str, str] | None,
) -> None:
    """A leader chairs the group's meeting from the console reached from the home page."""
    row = page.locator("#today li", has_text=f"{title} — Tổ đảng số {index + 1} (demo)")
    await row.get_by_role("link", name="Điều hành sinh hoạt tổ").click()
    await page.wait_for_url(re.compile(r".*/meetings/\d+/group$"))
    await page.wait_for_selector("body[data-ready]")
    await expect(page.locator("#meeting-status")).to_have_text("Chưa bắt đầu")
    await expect(page.locator("#report-state")).to_contain_text("Chưa gửi; hạn chậm nhất ngày")
    await page.click("#start")
    await expect(page.locator("#meeting-status")).to_have_text("Đang họp")
    boxes = page.locator("#roster input[type=checkbox]")
    await expect(boxes).to_have_count(15)
    # nothing picked: a clear refusal, nothing sent
    await page.click("#check-in")
    await expect(page.locator("#notice")).to_contain_text("Hãy chọn ít nhất một đảng viên")
    for i in range(14):
        await boxes.nth(i).check()
    await page.click("#check-in")
    await expect(page.locator("#roster li[data-present=true]")).to_have_count(14)
    await boxes.nth(14).check()
    await page.click("#absent-with")
    await expect(page.locator("#notice")).to_contain_text("Hãy ghi lý do vắng")
    await page.fill("#absence-reason", ABSENCE)
    await page.click("#absent-with")
    await expect(page.locator("#roster li").nth(14)).to_contain_text("vắng có lý do")
    await expect(page.locator("#attendance")).to_contain_text("Có mặt 14/15")
    if page.viewport_size == PHONE:  # the leader's console at 390x844: nothing wider
        await page.locator("#roster-title").scroll_into_view_if_needed()
        await in_viewport_unscrolled(page, ("#roster-title", "#attendance"), scrolled=True)
        await page.screenshot(path=str(shots / "group-console-phone.png"))
    # the content the committee set: discuss it, record the opinions
    item = page.locator("#items li", has_text=CONTENT)
    await item.locator("button[data-action=open]").click()
    await expect(page.locator("#note-form")).to_be_visible()
    await page.select_option("#note-speaker", index=2)
    await page.fill("#note-text", "Nhất trí với nội dung quán triệt.")
    await page.click("#note-add")
    await expect(page.locator("#notes li")).to_have_count(1)
    if opinion:
        kind, text = opinion
        await page.select_option("#note-kind", kind)
        await page.select_option("#note-speaker", index=5)
        await page.fill("#note-text", text)
        await page.click("#note-add")
        await expect(page.locator(f"#notes li[data-kind={kind}]")).to_contain_text(text)
    await page.locator("#items li", has_text=CONTENT).locator("button[data-action=close]").click()
    await expect(page.locator("#items li", has_text=CONTENT)).to_have_attribute(
        "data-status", "done"
    )
    # the group's vote on the draft: the console proposes the draft
    await expect(page.locator("#vote-subject")).to_have_value(DRAFT)
    await page.click("#vote-open")
    await expect(page.locator("#vote-current")).to_be_visible()
    yes, no, abstain = HANDS[index]
    await page.fill("#vote-yes", "-1")
    await page.click("#vote-close")
    await expect(page.locator("#notice")).to_contain_text("số nguyên không âm")
    await page.fill("#vote-yes", str(yes))
    await page.fill("#vote-no", str(no))
    await page.fill("#vote-abstain", str(abstain))
    await page.click("#vote-close")
    await expect(page.locator("#votes li")).to_contain_text(f"tán thành {yes}")
    await page.click("#close")
    await expect(page.locator("#meeting-status")).to_have_text("Đã kết thúc")
    await page.click("#minutes-generate")
    await expect(page.locator("#minutes-state")).to_have_attribute("data-state", "draft")
    await page.click("#minutes-adopt")
    await expect(page.locator("#minutes-state")).to_have_attribute("data-state", "adopted")
    await expect(page.locator("#report-send")).to_be_visible()
    if report:
        await page.click("#report-send")
        await expect(page.locator("#report-state")).to_have_attribute("data-status", "reported")
        await expect(page.locator("#report-state")).to_contain_text("đúng hạn")
    await page.screenshot(path=str(shots / f"group-{index + 1}.png"), full_page=True)


async def test_party_group_cycle_in_the_browser(
    served: tuple[str, ShiftClock],
    settings: Settings,  # noqa: F811
    screenshot_dir: Path,
    axe_source: str,  # noqa: F811
) -> None:
    server, clock = served
    started = time.monotonic()
    today = clock().astimezone(VN_TZ)
    day = today.date().isoformat()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            sec = await new_page(browser)
            await sign_in(sec, server, settings, "bithulon", clock)
            committee = await _schedule(
                sec, server, "committee", "in_person", "Chi ủy họp chuẩn bị sinh hoạt theo tổ", day
            )
            cell_day = (today + dt.timedelta(days=3)).date().isoformat()
            title = "Sinh hoạt chi bộ theo tổ đảng (kiểm thử)"
            cell = await _schedule(sec, server, "regular", "group", title, cell_day)
            # the committee's page, from the home page
            await sec.goto(f"{server}/home")
            await sec.wait_for_selector("body[data-ready]")
            row = sec.locator("#upcoming li", has_text=title)
            await row.get_by_role("link", name="Phân công, báo cáo các tổ").click()
            await sec.wait_for_url(f"{server}/meetings/{cell}/groups")
            await sec.wait_for_selector("body[data-ready]")
            plans = sec.locator("#plans fieldset.plan")
            await expect(plans).to_have_count(4)
            await sec.select_option("#committee-meeting", str(committee))
            # what is missing is said in Vietnamese, and nothing is sent
            await sec.click("#assign-save")
            await expect(sec.locator("#notice")).to_contain_text("Hãy ghi dự thảo nghị quyết")
            await sec.fill("#content-items", CONTENT)
            await sec.fill("#content-draft", DRAFT)
            await sec.click("#assign-save")
            await expect(sec.locator("#notice")).to_contain_text(
                "Tổ đảng số 1 (demo): hãy chọn chi ủy viên dự sinh hoạt với tổ."
            )
            when = f"{day}T{today:%H}:00"
            for g in range(4):
                plan = plans.nth(g)
                # the group's leader on the roster is proposed
                await expect(plan.locator("[data-field=leader]")).to_have_value(
                    re.compile(r"^\d+$")
                )
                await plan.locator("[data-field=member]").select_option(index=1 if g < 2 else 2)
                await plan.locator("[data-field=when]").fill(when)
                await plan.locator("[data-field=place]").fill(f"Phòng họp tổ {g + 1}")
            await sec.click("#assign-save")
            await expect(sec.locator("#notice")).to_contain_text("Đã phân công 4 tổ")
            await expect(sec.locator("#assigned-list li")).to_have_count(4)
            await expect(sec.locator("#content li")).to_have_text([CONTENT, DRAFT])
            await sec.screenshot(path=str(screenshot_dir / "groups-assigned.png"), full_page=True)
            reports = await read(sec, f"{server}/api/meetings/{cell}/groups/reports")
            assert [r["status"] for r in reports] == ["due"] * 4
            assert all(r["leader_invited"] for r in reports)
            meetings = [r["group_meeting_id"] for r in reports]
            # the groups the secretary attends for the committee are on the home page, to join
            own = (await read(sec, f"{server}/api/auth/session"))["account"]["member_id"]
            attends = [r["group_meeting_id"] for r in reports if r["committee_member_id"] == own]
            assert attends
            await sec.goto(f"{server}/home")
            await sec.wait_for_selector("body[data-ready]")
            # (the demo's own group meetings of today may be listed there too)
            for meeting_id in attends:
                row = sec.locator(f"#today li[data-attending][data-meeting='{meeting_id}']")
                await expect(row).to_have_count(1)
            attending = sec.locator(f"#today li[data-attending][data-meeting='{attends[0]}']")
            await expect(attending.first).to_contain_text("Đồng chí được chi ủy phân công dự")
            await expect(attending.first.get_by_role("link", name="Vào họp")).to_have_count(1)
            await expect(
                attending.first.get_by_role("link", name="Điều hành sinh hoạt tổ")
            ).to_have_count(0)
            await sec.screenshot(path=str(screenshot_dir / "home-attending.png"), full_page=True)

            # four leaders chair their groups: two at the same time, one of them on a phone
            leaders = [await new_page(browser, phone=(g == 0)) for g in range(4)]
            await asyncio.gather(
                *(
                    sign_in(leaders[g], server, settings, f"totruong{g + 1}", clock)
                    for g in range(4)
                )
            )
            # a leader chairs only the own group's meeting: another group's console is refused
            resp = await leaders[1].goto(f"{server}/meetings/{meetings[0]}/group")
            assert resp is not None and resp.status == 403
            await leaders[1].goto(f"{server}/home")
            await leaders[1].wait_for_selector("body[data-ready]")
            opinions = [None, ("differing", DIFFERING), ("reserved", RESERVED), None]
            for pair in ((0, 1), (2, 3)):
                await asyncio.gather(
                    *(
                        lead_group(
                            leaders[g],
                            server,
                            title,
                            g,
                            screenshot_dir,
                            report=g != 3,
                            opinion=opinions[g],
                        )
                        for g in pair
                    )
                )
                if pair == (0, 1):
                    both = [await read(sec, f"{server}/api/meetings/{meetings[g]}") for g in pair]
                    held = [
                        (
                            dt.datetime.fromisoformat(m["started_at"]),
                            dt.datetime.fromisoformat(m["ended_at"]),
                        )
                        for m in both
                    ]
                    # they met at the same time: each opened before the other closed
                    assert held[0][0] < held[1][1] and held[1][0] < held[0][1]
            phone = leaders[0]
            await phone.evaluate("window.scrollTo(0, 0)")
            await in_viewport_unscrolled(phone, ("#meeting-status",))
            await phone.screenshot(path=str(screenshot_dir / "group-phone-top.png"))

            # two days later on the app clock: group 4 has not reported (GM3)
            clock.offset = dt.timedelta(days=2)
            await sec.close()
            sec = await new_page(browser)
            await sign_in(sec, server, settings, "bithulon", clock)
            await sec.goto(f"{server}/meetings/{cell}/groups")
            await sec.wait_for_selector("body[data-ready]")
            late_card = sec.locator(".report[data-group]").nth(3)
            await expect(late_card).to_have_attribute("data-status", "overdue")
            await expect(late_card).to_contain_text("Quá hạn")
            await sec.click("#consolidate")
            await expect(sec.locator("#notice")).to_have_attribute("data-rules", "GM3")
            await expect(sec.locator("#notice")).to_contain_text("Tổ đảng số 4 (demo)")

            late = await new_page(browser, phone=True)
            await sign_in(late, server, settings, "totruong4", clock)
            # two days on, by the server's day (not the device's) the group meeting is past, but
            # its report is owed (GM3): it stays on the leader's home page, marked, with the console
            row = late.locator(f"#today li[data-meeting='{meetings[3]}']")
            await expect(row).to_have_attribute("data-report-owed", "true")
            await expect(row).to_contain_text("Báo cáo của tổ chưa gửi chi ủy (GM3)")
            await row.get_by_role("link", name="Điều hành sinh hoạt tổ").click()
            await late.wait_for_selector("body[data-ready]")
            await expect(late.locator("#report-state")).to_have_attribute("data-status", "overdue")
            await late.click("#report-send")
            state = late.locator("#report-state")
            await expect(state).to_have_attribute("data-status", "reported_late")
            await expect(state).to_contain_text("MUỘN")
            await late.locator("#report-panel").scroll_into_view_if_needed()
            await late.screenshot(path=str(screenshot_dir / "group-late-phone.png"))
            # English on request, the same standing
            await late.click("#lang")
            await expect(late.locator("h1")).to_have_text("Party group meeting")
            await expect(state).to_contain_text("LATE")
            await late.click("#lang")
            await expect(state).to_contain_text("MUỘN")

            # the committee: four reports side by side, then consolidation and the resolution
            await sec.click("#reports-refresh")
            cards = sec.locator("#reports .report")
            await expect(cards).to_have_count(4)
            await expect(cards.nth(3)).to_have_attribute("data-status", "reported_late")
            await expect(cards.nth(3).locator(".badge.late")).to_have_text("Gửi muộn")
            await expect(cards.nth(1)).to_contain_text(DIFFERING)
            await expect(cards.nth(2)).to_contain_text(RESERVED)
            await expect(cards.nth(0)).to_contain_text("tán thành 12")
            await sec.click("#consolidate")
            await expect(sec.locator("#totals")).to_contain_text(
                "Tổng số có mặt ở các tổ: 56/60 đảng viên."
            )
            outcome = sec.locator("#totals tr[data-subject]")
            await expect(outcome).to_have_attribute("data-outcome", "passed")
            await expect(outcome).to_contain_text("tán thành 49, không tán thành 3")
            await sec.fill("#resolution-text", RESOLUTION)
            await sec.click("#resolution-adopt")
            await expect(sec.locator("#adopted")).to_be_visible()
            await sec.screenshot(
                path=str(screenshot_dir / "groups-consolidated.png"), full_page=True
            )

            # the committee's page on a phone: the groups one under another, nothing wider
            await sec.set_viewport_size(PHONE)
            await sec.evaluate("window.scrollTo(0, 0)")
            await in_viewport_unscrolled(sec, ("#lang",))
            await sec.screenshot(path=str(screenshot_dir / "groups-phone.png"), full_page=True)
            await sec.set_viewport_size(DESKTOP)

            # axe-core: nothing serious or critical on either page
            for where in (sec, late):
                found = [
                    v["id"] for v in await _violations(where, axe_source) if v["impact"] in BLOCKING
                ]
                assert not found, (where.url, found)

            # the results, read back: GM3 flags, the consolidation, the minutes
            reports = await read(sec, f"{server}/api/meetings/{cell}/groups/reports")
            assert [r["status"] for r in reports] == ["reported"] * 3 + ["reported_late"]
            minutes = await read(sec, f"{server}/api/meetings/{cell}/minutes")
            assert minutes["adopted"]
            cons = minutes["content"]["consolidation"]
            assert cons["attendance"]["present"] == 56
            (vote,) = cons["votes"]
            assert (vote["subject"], vote["yes"], vote["no"], vote["abstain"]) == (DRAFT, 49, 3, 1)
            assert vote["outcome"] == "passed" and vote["rules"] == ["A2", "A3", "A4"]
            assert [g["late"] for g in cons["groups"]] == [False, False, False, True]
            raw = await read(sec, f"{server}/api/meetings/{cell}/minutes.docx")
            text = "\n".join(p.text for p in docx.Document(io.BytesIO(raw)).paragraphs)
            for expected in (
                "TỔNG HỢP KẾT QUẢ SINH HOẠT CÁC TỔ ĐẢNG",
                "tán thành 49",
                "Sinh hoạt theo tổ đảng: có mặt ở các tổ 56 đồng chí",
                "có mặt 14; báo cáo gửi chi ủy muộn (GM3).",
                DIFFERING,
                RESERVED,
                RESOLUTION,
            ):
                assert expected in text, expected
            group_minutes = await read(sec, f"{server}/api/meetings/{meetings[1]}/minutes")
            assert group_minutes["adopted"]
            assert group_minutes["content"]["title"] == "BIÊN BẢN SINH HOẠT TỔ ĐẢNG"
        finally:
            await browser.close()
    print(f"party-group cycle in the browser: {time.monotonic() - started:.1f} s")
