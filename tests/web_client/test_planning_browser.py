"""The secretary prepares a meeting in real Chromium, through the pages only (results are read
back from the API, never made through it): signs in from ``/``, goes from the home page to
"Lên lịch cuộc họp", sees the online, hybrid and party-group conditions on the chosen date with
their rules and the caps used this year (P3, P5), is refused a meeting by party groups with the
rule cited (E2), schedules a hybrid meeting, builds its agenda and sees a personnel item flagged
while typing (G2, T7) before it is saved, uploads and publishes a document with the M3 deadline
shown (and the M3 duty ends), and creates a single-use invitation link. Screenshots on a 390×844
phone and a desktop."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import FilePayload, Page, async_playwright, expect

from server.config import Settings
from server.demo_today import TodayMeetings
from server.rules import VN_TZ
from tests.server.auth.test_browser import ARGS, CHROMIUM
from tests.web_client.test_front_door_browser import (  # noqa: F401 (fixtures)
    PHONE,
    _sign_in_from_front_door,
    demo,
    port,
    settings,
)

pytestmark = pytest.mark.browser
TITLE = "Sinh hoạt chi bộ tháng tới (kiểm thử)"
PERSONNEL = "Kỷ luật đồng chí Lê Văn Ba"
WAIT_MS = 20_000


async def _get(page: Page, path: str) -> Any:
    """Read a result from the API with the page's session (nothing is done through it)."""
    origin = "/".join(page.url.split("/", 3)[:3])
    resp = await page.request.get(origin + path)
    assert resp.ok, (path, resp.status)
    return await resp.json()


@pytest.mark.browser
async def test_secretary_schedules_and_prepares_a_hybrid_meeting(
    demo: tuple[str, TodayMeetings, str],  # noqa: F811 (the front door's fixtures)
    settings: Settings,  # noqa: F811
    screenshot_dir: Path,
) -> None:
    server, _today, _printed = demo
    # a date ten days ahead on the server's clock, in Vietnam time (the form's time zone)
    day = (dt.datetime.now(VN_TZ) + dt.timedelta(days=10)).date().isoformat()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = await browser.new_context(
                locale="vi-VN", viewport={"width": 1280, "height": 900}
            )
            page = await context.new_page()
            page.set_default_timeout(WAIT_MS)
            await _sign_in_from_front_door(page, server, settings, "bithu")
            await page.wait_for_url(f"{server}/home")
            await page.wait_for_selector("body[data-ready]")
            await page.get_by_role("link", name="Lên lịch cuộc họp").click()
            await page.wait_for_url(f"{server}/plan")
            await page.wait_for_selector("body[data-ready]")

            # the conditions on the chosen date, each with its rules behind "Căn cứ"
            await page.fill("#title", TITLE)
            await page.select_option("#mode", "group")
            await page.fill("#date", day)
            await page.fill("#time", "19:30")
            await page.wait_for_selector(f"body[data-checked='group:{day}']")
            group = page.locator("#eligibility-list li[data-mode=group]")
            assert await group.get_attribute("data-outcome") == "not_eligible"
            assert "E2" in (await group.locator("details.basis").get_attribute("data-rules") or "")
            hybrid = page.locator("#eligibility-list li[data-mode=hybrid]")
            assert await hybrid.get_attribute("data-outcome") in ("eligible", "allowed")
            await expect(page.locator("#chosen-warning")).to_be_visible()
            # the caps used this year, each with its rule (P3 online, P5 by party groups)
            caps = page.locator("#caps-list li")
            assert await caps.evaluate_all("ls => ls.map(l => l.dataset.cap)") == ["P3", "P5"]
            await expect(caps.first).to_contain_text(f"Năm {day[:4]} đã sinh hoạt trực tuyến")
            await expect(page.locator("#eligibility-list summary").first).to_have_text("Căn cứ")

            # the rules refuse a meeting by party groups: the refusal is shown with its rules
            await page.click("#submit")
            result = page.locator("#result")
            await expect(result).to_contain_text("Không thực hiện được")
            assert "E2" in (await result.get_attribute("data-rules") or "")
            await page.screenshot(path=str(screenshot_dir / "plan-refused.png"), full_page=True)

            # a hybrid meeting is scheduled: on to its preparation page
            await page.select_option("#mode", "hybrid")
            await page.wait_for_selector(f"body[data-checked='hybrid:{day}']")
            await expect(page.locator("#chosen-warning")).to_be_hidden()
            await page.screenshot(path=str(screenshot_dir / "plan-schedule.png"), full_page=True)
            await page.click("#submit")
            await page.wait_for_url(f"{server}/meetings/*/plan")
            await page.wait_for_selector("body[data-ready]")
            meeting_id = int(page.url.rstrip("/").split("/")[-2])
            meeting = await _get(page, f"/api/meetings/{meeting_id}")
            assert (meeting["mode"], meeting["kind"], meeting["title"]) == (
                "hybrid",
                "regular",
                TITLE,
            )
            start = dt.datetime.fromisoformat(meeting["scheduled_start"]).astimezone(VN_TZ)
            assert (start.date().isoformat(), start.strftime("%H:%M")) == (day, "19:30")

            # the agenda: an ordinary item, then a personnel item flagged while it is typed
            gate = page.locator("#item-gate")
            await page.locator("#item-title").press_sequentially(
                "Thông tin thời sự tháng", delay=20
            )
            await expect(gate).to_have_attribute("data-outcome", "allowed")
            await page.click("#item-add")
            await expect(page.locator("#agenda li[data-item]")).to_have_count(1)
            await page.locator("#item-title").press_sequentially(PERSONNEL, delay=30)
            await expect(gate).to_have_attribute("data-outcome", "suspected")
            assert "T7" in (await gate.get_attribute("data-rules") or "").split(",")
            await expect(gate).to_contain_text("Nghi vấn")
            await page.screenshot(
                path=str(screenshot_dir / "plan-agenda-flagged.png"), full_page=True
            )
            assert len(await _get(page, f"/api/meetings/{meeting_id}/agenda")) == 1  # not saved yet
            await page.click("#item-add")
            await expect(page.locator("#agenda li[data-item]")).to_have_count(2)
            agenda = await _get(page, f"/api/meetings/{meeting_id}/agenda")
            assert [i["title"] for i in agenda] == ["Thông tin thời sự tháng", PERSONNEL]
            assert (
                agenda[1]["gate"]["outcome"] == "suspected" and "T7" in agenda[1]["gate"]["rules"]
            )

            # a document: the M3 deadline is shown, then it is uploaded and published
            m3 = page.locator("#m3 p")
            await expect(m3).to_contain_text("M3")
            draft: FilePayload = {
                "name": "du-thao-nghi-quyet.txt",
                "mimeType": "text/plain",
                "buffer": "Dự thảo nghị quyết tháng".encode(),
            }
            await page.set_input_files("#doc-file", files=[draft])
            await page.click("#doc-upload")
            doc = page.locator("#documents li[data-document]")
            await expect(doc).to_have_attribute("data-published", "false")
            await doc.locator("button[data-action=publish]").click()
            await expect(doc).to_have_attribute("data-published", "true")
            docs = await _get(page, f"/api/meetings/{meeting_id}/documents")
            assert [d["filename"] for d in docs] == ["du-thao-nghi-quyet.txt"]
            assert docs[0]["published_at"] and docs[0]["m3"]["rules"] == ["M3"]
            assert docs[0]["m3"]["late"] is False
            duties = await _get(page, f"/api/organisations/{meeting['org_id']}/duties")
            assert not [d for d in duties if d["meeting_id"] == str(meeting_id)]  # M3 done
            await expect(page.locator("#m3 p")).to_have_count(0)

            # a single-use invitation link for a member
            options = await page.locator("#invite-member option").all_text_contents()
            assert len(options) > 3
            await page.select_option("#invite-member", index=3)
            await page.click("#invite-send")
            link = page.locator("#invitations li input.link-out")
            await expect(link).to_have_value(
                re.compile(rf"^{re.escape(server)}/login\?invite=\S{{16,}}$")
            )
            await page.screenshot(path=str(screenshot_dir / "plan-prepare.png"), full_page=True)

            # the same pages on a phone: nothing wider than the screen
            phone = await browser.new_context(
                locale="vi-VN", viewport=PHONE, storage_state=await context.storage_state()
            )
            small = await phone.new_page()
            for path, name in (
                ("/plan", "plan-phone.png"),
                (f"/meetings/{meeting_id}/plan", "plan-prepare-phone.png"),
            ):
                await small.goto(f"{server}{path}")
                await small.wait_for_selector("body[data-ready]")
                width = await small.evaluate("document.documentElement.scrollWidth")
                assert width <= PHONE["width"], (path, width)
                await small.screenshot(path=str(screenshot_dir / name), full_page=True)
            # English on request, from the same translation table; the verdicts follow
            await small.click("#lang")
            await expect(small.locator("h1")).to_have_text("Prepare the meeting")
            await expect(small.locator("#agenda li[data-outcome=suspected] .gate")).to_contain_text(
                "Suspected"
            )
            await expect(small.locator("#agenda summary").first).to_have_text("Basis")
        finally:
            await browser.close()


async def _schedule(page: Page, server: str, kind: str, mode: str, title: str, day: str) -> int:
    """Schedule on /plan as a secretary would; the meeting's id from the page it leads to."""
    await page.goto(f"{server}/plan")
    await page.wait_for_selector("body[data-ready]")
    await page.select_option("#kind", kind)
    await page.select_option("#mode", mode)
    await page.fill("#title", title)
    await page.fill("#date", day)
    await page.fill("#time", "08:00")
    await page.wait_for_selector(f"body[data-checked='{mode}:{day}']")
    await page.click("#submit")
    await page.wait_for_url(f"{server}/meetings/*/plan")
    await page.wait_for_selector("body[data-ready]")
    return int(page.url.rstrip("/").split("/")[-2])


@pytest.mark.browser
async def test_large_cell_secretary_assigns_party_groups(
    demo: tuple[str, TodayMeetings, str],  # noqa: F811 (the front door's fixtures)
    settings: Settings,  # noqa: F811
    screenshot_dir: Path,
) -> None:
    """The large cell's secretary schedules the deciding committee meeting and a cell meeting by
    party groups, then assigns each group its leader and the committee member attending (E2,
    P5, GM3) on the preparation page; the group meetings exist afterwards (read from the API)."""
    server, _today, _printed = demo
    now = dt.datetime.now(VN_TZ)
    committee_day = (now + dt.timedelta(days=8)).date().isoformat()
    cell_day = (now + dt.timedelta(days=12)).date().isoformat()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = await browser.new_context(
                locale="vi-VN", viewport={"width": 1280, "height": 900}
            )
            page = await context.new_page()
            page.set_default_timeout(WAIT_MS)
            await _sign_in_from_front_door(page, server, settings, "bithulon")
            await page.wait_for_url(f"{server}/home")
            committee = await _schedule(
                page, server, "committee", "in_person", "Chi ủy họp phân công tổ", committee_day
            )
            await expect(page.locator("#groups-section")).to_be_hidden()
            cell = await _schedule(
                page, server, "regular", "group", "Sinh hoạt theo tổ đảng (kiểm thử)", cell_day
            )
            section = page.locator("#groups-section")
            await expect(section).to_be_visible()
            rows = section.locator("fieldset.group-row")
            await expect(rows).to_have_count(4)
            await page.select_option("#committee-meeting", str(committee))
            await page.click("#groups-save")
            await expect(page.locator("#assignments li[data-count='4']")).to_be_visible()
            await page.screenshot(path=str(screenshot_dir / "plan-groups.png"), full_page=True)
            reports = await _get(page, f"/api/meetings/{cell}/groups/reports")
            assert len(reports) == 4
            # saving twice is refused with its reason, nothing is lost
            await page.click("#groups-save")
            await expect(page.locator("#notice")).to_contain_text("Không thực hiện được")
            assert len(await _get(page, f"/api/meetings/{cell}/groups/reports")) == 4
        finally:
            await browser.close()
