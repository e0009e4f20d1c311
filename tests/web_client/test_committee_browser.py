"""The superior committee's month in real Chromium, through the pages only (results are read
back from the API, never made through it), on the demo that ``make run`` serves:

* its secretary assigns a committee member to the seafarers' cell on ``/committee`` (S1); the
  cell's chair opens today's meeting and the member joins it from their home page as observer
  (R5), recorded as a visit (S1); the secretary evaluates the month, reads the evidence per
  criterion for the cell alone and publishes it (Q1, Q2); it saves a new version of its
  criteria, a bad one refused in Vietnamese (Q1); it opens an inspection of the cell's records
  for the month, a member of the cell hands in their notes on the meeting from the meeting page,
  and the committee reads the records with those notes and closes it (S2); the cell's secretary
  reads the result on ``/home``; the secretary records an incident of the pilot for the cell
  on ``/committee`` (V3);
* the organisation board opens a call for registrations with its deadline on ``/board``; the
  cell answers the open call (and is not offered one whose deadline passed) and sends a pilot
  registration on ``/pilot``, its card naming the call and its deadline; the board closes
  another call early and the cell's registration to it is refused citing V1 (V1); the
  organisation board vets the one sent and returns it with a reason on ``/board``; the cell
  corrects it; the board vets it again and puts it to the standing
  committee, which approves it with its decision (V2, E3); the board records an incident for
  the review, counted in its monitoring table (V3).

The pages are checked on a 390×844 phone (nothing wider than the screen) and by axe-core (no
serious or critical violation); screenshots go where ``make screenshots`` asks."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from server.config import Settings
from server.demo_today import TodayMeetings
from server.rules import VN_TZ
from tests.web_client.test_accessibility_browser import (  # noqa: F401 (fixture)
    BLOCKING,
    _violations,
    axe_source,
)
from tests.web_client.test_front_door_browser import (  # noqa: F401 (fixtures)
    PHONE,
    _sign_in_from_front_door,
    demo,
    port,
    settings,
)
from tests.web_client.test_meeting_browser import ARGS
from tests.web_client.test_planning_browser import _get

#: the first test took 70 s at load 24 and 204 s at load 42 (2 cores, five engineers' tests)
pytestmark = [pytest.mark.browser, pytest.mark.timeout(420)]
CHROMIUM = "/usr/bin/chromium"
WAIT_MS = 30_000
SEAFARERS = "Chi bộ Thuyền viên (demo)"
LOBBY = "n => document.querySelectorAll('#lobby button[data-action=admit]').length === n"
RETURN_REASON = "Bổ sung phương án bảo mật đường truyền vệ tinh trên tàu"
CALL = "912-CV/ĐU"
INSPECTION = "Kiểm tra việc ghi biên bản và ban hành nghị quyết"
INCIDENT = "Mất kết nối vệ tinh 20 phút trong cuộc họp"
NOTE = "Ghi chép: chi bộ cần bổ sung phân công theo dõi thuyền viên tuyến Nhật Bản"
OLD_CALL = "845-CV/ĐU"
CLOSING_CALL = "930-CV/ĐU"
COMMITTEE = "Đảng bộ Công ty Vận tải biển (demo)"
COMMITTEE_INCIDENT = "Đảng viên trên tàu phản ánh tiếng bị trễ khi phát biểu"


@pytest.fixture(autouse=True)
def _patient_expect() -> Iterator[None]:
    """Each step's answer may take several seconds on the loaded machine (load 58 seen)."""
    expect.set_options(timeout=WAIT_MS)
    yield
    expect.set_options(timeout=5_000)  # Playwright's default, for the other modules


async def _signed_in(browser: Browser, server: str, config: Settings, who: str) -> Page:
    context = await browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(WAIT_MS)
    await _sign_in_from_front_door(page, server, config, who)
    await page.wait_for_url(f"{server}/home")
    await page.wait_for_selector("body[data-ready]")
    await expect(page.locator("#error")).to_be_hidden()  # every role's home page loads
    return page


async def _open(page: Page, server: str, path: str) -> None:
    await page.goto(f"{server}{path}")
    await page.wait_for_selector("body[data-ready]")


async def _until(page: Page, path: str, check: Any, what: str) -> Any:
    """Poll the API (read only) until ``check(answer)`` holds."""
    for _ in range(100):
        answer = await _get(page, path)
        if check(answer):
            return answer
        await asyncio.sleep(0.2)
    raise AssertionError(f"{what}: {answer!r}")


async def _phone_and_axe(
    browser: Browser, page: Page, server: str, path: str, shot: Path, axe: str
) -> list[dict[str, Any]]:
    """The page on a 390×844 phone with the same session: nothing wider than the screen, a
    screenshot, and axe-core's serious or critical violations."""
    phone = await browser.new_context(
        locale="vi-VN", viewport=PHONE, storage_state=await page.context.storage_state()
    )
    small = await phone.new_page()
    small.set_default_timeout(WAIT_MS)
    await _open(small, server, path)
    width = await small.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (path, width)
    await small.screenshot(path=str(shot), full_page=True)
    found = [v for v in await _violations(small, axe) if v["impact"] in BLOCKING]
    await phone.close()
    return found


@pytest.mark.browser
async def test_committee_assigns_evaluates_and_the_cell_sees_its_result(
    demo: tuple[str, TodayMeetings, str],  # noqa: F811 (the front door's fixtures)
    settings: Settings,  # noqa: F811
    axe_source: str,  # noqa: F811
    screenshot_dir: Path,
) -> None:
    server, today, _printed = demo
    meeting = today.hybrid_id
    assert meeting is not None
    month = dt.datetime.now(VN_TZ).strftime("%Y-%m")
    blocking: dict[str, list[dict[str, Any]]] = {}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            # S1: the committee's secretary assigns a committee member to the seafarers' cell
            lead = await _signed_in(browser, server, settings, "bithudanguy")
            await lead.get_by_role("link", name="Các chi bộ trực thuộc").click()
            await lead.wait_for_url(f"{server}/committee")
            await lead.wait_for_selector("body[data-ready]")
            await expect(lead.locator("h1")).to_have_text("Cấp ủy cấp trên — các chi bộ trực thuộc")
            cells = lead.locator("#cells > li[data-cell]")
            await expect(cells).to_have_count(2)
            sea = int(
                await lead.locator("#cells > li", has_text=SEAFARERS).get_attribute("data-cell")
                or 0
            )
            root = (await _get(lead, "/api/auth/session"))["roles"][0]["org_id"]
            await lead.select_option("#assign-cell", label=SEAFARERS)
            await lead.select_option("#assign-member", label="Đảng ủy viên")
            await lead.click("#assign-submit")
            await expect(lead.locator("#notice")).to_contain_text("Đã phân công")
            await expect(lead.locator(f"#assignments li[data-cell='{sea}']")).to_contain_text(
                "Đảng ủy viên"
            )
            assigned = await _get(lead, f"/api/organisations/{root}/supervision/assignments")
            assert [(a["cell_id"], a["member"]) for a in assigned] == [(sea, "Đảng ủy viên")]

            # S2: the committee opens an inspection of the cell's records for the month
            await lead.select_option("#inspect-cell", label=SEAFARERS)
            await lead.fill("#inspect-subject", INSPECTION)
            await lead.click("#inspect-submit")
            await expect(lead.locator("#notice")).to_contain_text("Đã mở cuộc kiểm tra")
            opened = await _get(lead, f"/api/organisations/{root}/inspections")
            [inspection] = [i for i in opened if i["subject"] == INSPECTION]
            assert (inspection["cell_id"], inspection["closed_at"]) == (sea, None)
            assert inspection["period_from"] == f"{month}-01"

            # the cell's chair opens today's meeting on the console
            chair = await _signed_in(browser, server, settings, "bithu")
            await _open(chair, server, f"/meetings/{meeting}/chair")
            await chair.click("#start")
            await chair.wait_for_selector("#meeting-status[data-status=open]")
            await chair.wait_for_function("() => window.hopchibo.state.live", timeout=WAIT_MS)

            # the committee member finds it on their home page and joins as observer (R5)
            member = await _signed_in(browser, server, settings, "capuyvien")
            join = member.locator(f"#today li[data-meeting='{meeting}'] a", has_text="Vào họp")
            await expect(join).to_be_visible()
            await join.click()
            await member.wait_for_url(f"{server}/meetings/{meeting}")
            await member.wait_for_function("() => window.hopchibo && window.hopchibo.ready")
            await member.click("#join")
            await chair.wait_for_function(LOBBY, arg=1, timeout=WAIT_MS)
            await chair.click("#lobby button[data-action=admit] >> nth=0")
            await member.wait_for_function("() => window.hopchibo.state.admitted", timeout=WAIT_MS)
            assert await member.evaluate("() => window.hopchibo.state.role") == "observer"
            await member.screenshot(path=str(screenshot_dir / "committee-observer.png"))
            day = dt.datetime.now(VN_TZ).date().isoformat()
            visits = await _until(
                lead,
                f"/api/organisations/{root}/supervision/visits?from={day}&to={day}",
                lambda v: any(x["meeting_id"] == meeting for x in v),
                "the observer's visit (S1)",
            )
            assert [(v["member"], v["way"]) for v in visits] == [("Đảng ủy viên", "online")]

            # S2: a member of the cell keeps notes on the meeting and hands them in to the
            # inspection from the meeting page
            writer = await _signed_in(browser, server, settings, "dangvien")
            await writer.goto(f"{server}/meetings/{meeting}")  # the live page (no data-ready)
            await writer.wait_for_function("() => window.hopchibo && window.hopchibo.ready")
            await writer.click("#join")
            await chair.wait_for_function(LOBBY, arg=1, timeout=WAIT_MS)
            await chair.click("#lobby button[data-action=admit] >> nth=0")
            await writer.wait_for_function("() => window.hopchibo.state.admitted", timeout=WAIT_MS)
            await writer.wait_for_selector("#notebook-box:not([hidden])")
            await expect(writer.locator("#notebook-handin")).to_be_hidden()  # nothing saved yet
            await writer.fill("#notebook-text", NOTE)
            await writer.click("#notebook-save")
            await writer.wait_for_selector("#notebook-state[data-state=saved]")
            await expect(writer.locator("#notebook-inspection")).to_contain_text(
                f"Kiểm tra từ 01/{month[5:]}/{month[:4]}"
            )
            await writer.click("#notebook-handin-submit")
            await expect(writer.locator("#notebook-handed")).to_contain_text("Đã nộp")
            await writer.locator("#notebook-box").screenshot(
                path=str(screenshot_dir / "member-notebook-handed.png")
            )
            await _open(writer, server, "/home")
            # both leave the live page (the meeting stays open, held: Q1 evaluates it)
            await _open(member, server, "/home")
            await _open(chair, server, "/home")

            # Q1, Q2: the committee evaluates the month, reads the evidence, publishes it
            await lead.reload()
            await lead.wait_for_selector("body[data-ready]")
            await lead.select_option("#evaluate-cell", label=SEAFARERS)  # this cell alone
            await lead.click("#evaluate")
            result = lead.locator(f"#results div[data-cell='{sea}']")
            await expect(result).to_have_attribute("data-published", "false")
            await expect(lead.locator("#results > div[data-cell]")).to_have_count(1)
            evidence = result.locator(f"details.evidence[data-meeting='{meeting}']")
            await evidence.locator("summary").click()
            await expect(evidence.locator("li[data-criterion=attendance]")).to_be_visible()
            await expect(evidence.locator("li[data-criterion=on_day] strong")).to_have_text(
                "Sinh hoạt đúng ngày (R1): "
            )
            await lead.screenshot(
                path=str(screenshot_dir / "committee-evaluate.png"), full_page=True
            )
            await lead.click("#publish")
            await expect(result).to_have_attribute("data-published", "true")
            await expect(lead.locator("#notice")).to_contain_text(
                f"Đã công bố kết quả tháng {month[5:]}/{month[:4]} cho {SEAFARERS}"
            )
            published = await _get(lead, f"/api/organisations/{root}/quality?period={month}")
            mine = next(c for c in published if c["cell_id"] == sea)
            assert mine["published"] and mine["stored"]
            grade = mine["grade"]
            await lead.screenshot(path=str(screenshot_dir / "committee-cells.png"), full_page=True)

            # Q1: the committee edits its criteria; a set that cannot stand is refused in
            # Vietnamese and nothing is saved; a good one becomes the new version in force
            versions = f"/api/organisations/{root}/quality/criteria/versions"
            before = len(await _get(lead, versions))
            history = lead.locator("#criteria-history")
            await expect(history.locator("li[data-version='1']")).to_contain_text(
                "mặc định theo quy định"
            )
            await lead.fill("#crit-points-attendance", "150")
            await lead.click("#criteria-save")
            await expect(lead.locator("#notice")).to_contain_text(
                "Tỷ lệ dự họp (A2): điểm phải là số nguyên từ 0 đến 100"
            )
            await lead.fill("#crit-points-attendance", "20")
            await lead.fill("#crit-good", "60")  # below "fair" (70)
            await lead.click("#criteria-save")
            await expect(lead.locator("#notice")).to_contain_text("Ngưỡng xếp loại phải tăng dần")
            assert "Q1" in (await lead.locator("#notice").get_attribute("data-rules") or "")
            assert len(await _get(lead, versions)) == before  # nothing saved
            await lead.fill("#crit-good", "90")
            await lead.uncheck("#crit-on-group_reports")
            await lead.click("#criteria-save")
            await expect(lead.locator("#notice")).to_contain_text(f"Đã lưu phiên bản {before + 1}")
            await expect(history.locator(f"li[data-version='{before + 1}']")).to_contain_text(
                "(đang áp dụng)"
            )
            saved = (await _get(lead, versions))[-1]
            points = {c["criterion"]: c["points"] for c in saved["criteria"]}
            assert (saved["version"], saved["good"], points["attendance"]) == (before + 1, 90, 20)
            assert "group_reports" not in points
            await lead.locator("#criteria-title").scroll_into_view_if_needed()
            await lead.screenshot(path=str(screenshot_dir / "committee-criteria.png"))

            # S2: the committee reads the cell's records for the month and the notes the member
            # handed in (only those), then closes the inspection
            row = lead.locator(f"#inspections li[data-inspection='{inspection['id']}']")
            await row.locator("button[data-action=read]").click()
            records = lead.locator("#inspection-records")
            inspected = records.locator(f"article[data-meeting='{meeting}']")
            await expect(inspected).to_be_visible()
            await expect(inspected.locator("[data-part=minutes]")).to_contain_text("Biên bản")
            await expect(records.locator("#inspection-notebooks li")).to_have_count(1)
            await expect(records.locator("#inspection-notebooks")).to_contain_text(NOTE)
            await records.scroll_into_view_if_needed()
            await lead.screenshot(path=str(screenshot_dir / "committee-inspection.png"))
            await row.locator("button[data-action=close]").click()
            await expect(row).to_have_attribute("data-open", "false")
            await expect(records).to_be_hidden()
            closed = await _get(lead, f"/api/organisations/{root}/inspections")
            assert next(i for i in closed if i["id"] == inspection["id"])["closed_at"]

            # V3: the committee's secretary records an incident of the pilot for the cell on
            # /committee (no description: refused, nothing recorded); a committee member reads it
            # there but has no form
            await lead.select_option("#incident-unit", label=SEAFARERS)
            await lead.select_option("#incident-kind", "feedback")
            await lead.click("#incident-submit")
            await expect(lead.locator("#notice")).to_contain_text("Cần ghi nội dung")
            await lead.fill("#incident-description", COMMITTEE_INCIDENT)
            await lead.click("#incident-submit")
            await expect(lead.locator("#notice")).to_contain_text(f"Đã ghi nhận cho {SEAFARERS}")
            await expect(lead.locator("#incidents")).to_contain_text(COMMITTEE_INCIDENT)
            await lead.locator("#incidents-title").scroll_into_view_if_needed()
            await lead.screenshot(path=str(screenshot_dir / "committee-incident.png"))
            day = dt.datetime.now(VN_TZ).date().isoformat()
            recorded = await _get(
                lead, f"/api/organisations/{root}/pilot-incidents?from={day}&to={day}"
            )
            assert [
                (i["org_id"], i["kind"]) for i in recorded if i["description"] == COMMITTEE_INCIDENT
            ] == [(sea, "feedback")]
            await _open(member, server, "/committee")
            await expect(member.locator("#incidents")).to_contain_text(COMMITTEE_INCIDENT)
            await expect(member.locator("#incident-form")).to_be_hidden()
            blocking["/committee"] = await _phone_and_axe(
                browser,
                lead,
                server,
                "/committee",
                screenshot_dir / "committee-phone.png",
                axe_source,
            )

            # the cell's secretary reads the published result and its evidence on the home page
            await _open(chair, server, "/home")
            section = chair.locator("#quality-section")
            await expect(section).to_be_visible()
            shown = section.locator("article[data-result]")
            await expect(shown).to_have_attribute("data-grade", grade)
            await expect(shown).to_contain_text(f"kỳ {month[5:]}/{month[:4]}")
            await shown.locator("details.evidence summary").first.click()
            await expect(shown.locator("li.met, li.unmet").first).to_be_visible()
            results = await _get(chair, f"/api/organisations/{sea}/quality/results")
            assert [r["period"] for r in results] == [month] and results[0]["published_at"]
            await expect(chair.locator("#today")).to_contain_text("Sinh hoạt chi bộ thường kỳ")
            blocking["/home"] = await _phone_and_axe(
                browser,
                chair,
                server,
                "/home",
                screenshot_dir / "home-quality-phone.png",
                axe_source,
            )
            # every demo role still gets its home page with its meetings (no load failure)
            for page in (lead, member, chair, writer):
                await _open(page, server, "/home")
                await expect(page.locator("#error")).to_be_hidden()
        finally:
            await browser.close()
    blocking = {path: found for path, found in blocking.items() if found}
    if blocking:
        pytest.fail("axe-core, serious or critical:\n" + json.dumps(blocking, indent=1))


@pytest.mark.browser
async def test_board_vets_returns_and_the_standing_committee_approves_the_correction(
    demo: tuple[str, TodayMeetings, str],  # noqa: F811 (the front door's fixtures)
    settings: Settings,  # noqa: F811
    axe_source: str,  # noqa: F811
    screenshot_dir: Path,
) -> None:
    server, _today, _printed = demo
    blocking: dict[str, list[dict[str, Any]]] = {}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            # V1: the organisation board opens a call with its deadline on its page, beside one
            # whose deadline passed yesterday (Vietnam time)
            board = await _signed_in(browser, server, settings, "bantochuc")
            await board.get_by_role("link", name="Thí điểm: hồ sơ đăng ký").click()
            await board.wait_for_url(f"{server}/board")
            await board.wait_for_selector("body[data-ready]")
            vn_today = dt.datetime.now(VN_TZ).date()
            board_org = next(
                r["org_id"]
                for r in (await _get(board, "/api/auth/session"))["roles"]
                if r["role"] == "org_board"
            )
            deadline = vn_today + dt.timedelta(days=10)
            for number, issued, until in (
                (OLD_CALL, vn_today - dt.timedelta(days=30), vn_today - dt.timedelta(days=1)),
                (CALL, vn_today, deadline),
                (CLOSING_CALL, vn_today, vn_today + dt.timedelta(days=20)),
            ):
                await board.fill("#call-number", number)
                await board.fill("#call-issued", issued.isoformat())
                await board.fill("#call-deadline", until.isoformat())
                await board.click("#call-submit")
                await expect(board.locator("#calls")).to_contain_text(number)

            # the seafarers' cell answers the open call through its page
            cell = await _signed_in(browser, server, settings, "bithu")
            await cell.get_by_role("link", name="Đăng ký thí điểm của chi bộ").click()
            await cell.wait_for_url(f"{server}/pilot")
            await cell.wait_for_selector("body[data-ready]")
            before = cell.locator("#registrations article[data-registration]")
            await expect(before).to_have_count(1)  # the demo's approved one
            offered = cell.locator("#call option")
            await expect(offered).to_have_count(3)  # the open calls and "not answering a call"
            await expect(offered.first).to_contain_text(CALL)
            await expect(cell.locator("#call")).not_to_contain_text(OLD_CALL)
            # V1: the board closes the later call early on its page while the cell's page still
            # offers it; sent to it, the registration is refused citing V1 and nothing is lost
            closing = board.locator("#calls li", has_text=CLOSING_CALL)
            await expect(closing).to_have_attribute("data-open", "true")
            await closing.locator("button[data-action=close]").click()
            await expect(board.locator("#notice")).to_contain_text(
                f"Đã đóng đợt đăng ký {CLOSING_CALL}"
            )
            await expect(closing).to_have_attribute("data-open", "false")
            await expect(closing).to_contain_text(f"đã đóng ngày {vn_today.strftime('%d/%m/%Y')}")
            await expect(closing.locator("button[data-action=close]")).to_have_count(0)
            await board.locator("#calls-section").screenshot(
                path=str(screenshot_dir / "board-calls.png")
            )
            calls = await _get(board, f"/api/organisations/{board_org}/pilot-calls")
            assert [c["number"] for c in calls if c["closed_at"]] == [CLOSING_CALL]
            await expect(cell.locator("#call-hint")).to_contain_text(
                f"Hạn đăng ký {deadline.strftime('%d/%m/%Y')} (giờ Việt Nam), còn 10 ngày"
            )
            call_id = int(await cell.locator("#call").input_value())
            await cell.click("#register-submit")  # nothing filled: refused, nothing sent
            await expect(cell.locator("#notice")).to_contain_text("số nguyên")
            await cell.select_option("#scope", "online")
            await cell.fill("#member_count", "14")
            await cell.fill("#locations", "Hải Phòng; tàu tuyến quốc tế")
            await cell.fill("#it_readiness", "Kết nối vệ tinh trên tàu")
            await cell.fill("#reason", "Thuyền viên tuyến quốc tế, năm 2027 (E1a)")
            await cell.fill("#contact", "Bí thư chi bộ")
            closed_id = await offered.nth(1).get_attribute("value") or ""
            await cell.select_option("#call", closed_id)
            await cell.click("#register-submit")
            await expect(cell.locator("#notice")).to_contain_text(
                f"Đợt đăng ký đã được cấp ủy cấp trên đóng ngày {vn_today.strftime('%d/%m/%Y')}"
            )
            assert "V1" in (await cell.locator("#notice").get_attribute("data-rules") or "")
            await expect(before).to_have_count(1)  # nothing sent
            await expect(offered).to_have_count(2)  # no longer offered
            await expect(cell.locator("#call")).not_to_contain_text(CLOSING_CALL)
            await expect(cell.locator("#member_count")).to_have_value("14")  # nothing lost
            await cell.select_option("#call", str(call_id))
            await cell.click("#register-submit")
            await expect(cell.locator("#notice")).to_contain_text("Đã gửi")
            sent = cell.locator("#registrations article[data-state=submitted]")
            await expect(sent).to_have_count(1)
            reg = int(await sent.get_attribute("data-registration") or 0)
            # V1: the card tells which call it answered, with the deadline in Vietnam time
            await expect(sent.locator("p.call")).to_have_text(
                f"Theo đợt đăng ký: văn bản {CALL} của {COMMITTEE}, "
                f"hạn {deadline.strftime('%d/%m/%Y')} (giờ Việt Nam)"
            )
            await cell.screenshot(path=str(screenshot_dir / "pilot-call.png"), full_page=True)

            # V2: the organisation board vets it and returns it with a reason
            await _open(board, server, "/board")
            card = board.locator(f"article[data-registration='{reg}']")
            await expect(card).to_have_attribute("data-state", "submitted")
            await card.locator("button[data-action=vet]").click()
            await expect(card).to_have_attribute("data-state", "vetting")
            await card.locator("form[data-form=return] button").click()  # no reason: refused
            await expect(board.locator("#notice")).to_contain_text("lý do")
            await card.locator("form[data-form=return] textarea").fill(RETURN_REASON)
            await card.locator("form[data-form=return] button").click()
            await expect(card).to_have_attribute("data-state", "returned")
            await expect(card.locator("ol.events")).to_contain_text(RETURN_REASON)
            await board.screenshot(path=str(screenshot_dir / "board-returned.png"), full_page=True)

            # the cell reads the reason and corrects it through its page
            await _open(cell, server, "/pilot")
            mine = cell.locator(f"article[data-registration='{reg}']")
            await expect(mine).to_have_attribute("data-state", "returned")
            await expect(mine.locator("p.reason")).to_contain_text(RETURN_REASON)
            await cell.screenshot(path=str(screenshot_dir / "pilot-returned.png"), full_page=True)
            await mine.locator(f"#fix-it_readiness-{reg}").fill(
                "Kết nối vệ tinh mã hóa đầu cuối; phương án dự phòng khi mất kết nối"
            )
            await mine.locator("button[data-action=correct]").click()
            await expect(mine).to_have_attribute("data-state", "submitted")
            blocking["/pilot"] = await _phone_and_axe(
                browser, cell, server, "/pilot", screenshot_dir / "pilot-phone.png", axe_source
            )

            # the board vets the corrected one and puts it to the standing committee (E1, P1)
            await _open(board, server, "/board")
            await card.locator("button[data-action=vet]").click()
            await expect(card).to_have_attribute("data-state", "vetting")
            await card.locator("button[data-action=endorse]").click()
            await expect(card).to_have_attribute("data-state", "vetted")
            # the large cell's registration from the demo fails E1: refused with its rules
            other = board.locator("article[data-state=submitted]").first
            await other.locator("button[data-action=endorse]").click()
            await expect(board.locator("#notice")).to_contain_text("Không thực hiện được")
            assert "V2" in (await board.locator("#notice").get_attribute("data-rules") or "")
            await expect(other).to_have_attribute("data-state", "submitted")

            # the standing committee approves it, recording its decision (E3)
            standing = await _signed_in(browser, server, settings, "banthuongvu")
            await _open(standing, server, "/board")
            approve = standing.locator(
                f"article[data-registration='{reg}'] form[data-form=approve]"
            )
            await approve.locator("button").click()  # no number: refused citing E3
            await expect(standing.locator("#notice")).to_contain_text("E3")
            await approve.locator(f"#decision-number-{reg}").fill("131-QĐ/ĐU")
            await approve.locator("button").click()
            decided = standing.locator(f"article[data-registration='{reg}']")
            await expect(decided).to_have_attribute("data-state", "approved")
            await standing.screenshot(
                path=str(screenshot_dir / "board-approved.png"), full_page=True
            )
            blocking["/board"] = await _phone_and_axe(
                browser, standing, server, "/board", screenshot_dir / "board-phone.png", axe_source
            )

            # read back: the steps with who and why, and the E3 decision
            steps = await _get(cell, f"/api/registrations/{reg}/events")
            assert [e["action"] for e in steps] == [
                "submit",
                "vet",
                "return",
                "correct",
                "vet",
                "endorse",
                "approve",
            ]
            assert steps[2]["reason"] == RETURN_REASON and steps[2]["by"] != steps[3]["by"]
            roles = (await _get(cell, "/api/auth/session"))["roles"]
            cell_id = next(r["org_id"] for r in roles if r["role"] == "secretary")
            answered = await _get(cell, f"/api/organisations/{cell_id}/registrations")
            assert next(r for r in answered if r["id"] == reg)["call_id"] == call_id
            decisions = await _get(cell, f"/api/organisations/{cell_id}/decisions")
            assert any(d["number"] == "131-QĐ/ĐU" for d in decisions)
            # V3: the organisation board records an incident for the pilot review on its page;
            # the monitoring table counts it
            await _open(board, server, "/board")
            sea_row = board.locator("#monitoring tbody tr", has_text=SEAFARERS)
            counted = int(await sea_row.locator("td").nth(5).inner_text())
            await board.select_option("#incident-unit", label=SEAFARERS)
            await board.select_option("#incident-kind", "technical")
            await board.click("#incident-submit")  # no description: refused, nothing recorded
            await expect(board.locator("#notice")).to_contain_text("Cần ghi nội dung")
            await board.fill("#incident-description", INCIDENT)
            await board.click("#incident-submit")
            await expect(board.locator("#notice")).to_contain_text("Đã ghi nhận")
            await expect(board.locator("#incidents")).to_contain_text(INCIDENT)
            await expect(sea_row.locator("td").nth(5)).to_have_text(str(counted + 1))
            await board.locator("#incidents-title").scroll_into_view_if_needed()
            await board.screenshot(path=str(screenshot_dir / "board-incident.png"))
            committee_id = next(
                r["org_id"]
                for r in (await _get(board, "/api/auth/session"))["roles"]
                if r["role"] == "org_board"
            )
            day = dt.datetime.now(VN_TZ).date().isoformat()
            incidents = await _get(
                board, f"/api/organisations/{committee_id}/pilot-incidents?from={day}&to={day}"
            )
            assert [(i["unit"], i["kind"]) for i in incidents if i["description"] == INCIDENT] == [
                (SEAFARERS, "technical")
            ]

            # the review's figures and exports on the board's page
            await expect(standing.locator("#monitoring tbody tr")).not_to_have_count(0)
            href = await standing.locator("#exports a[data-format=xlsx]").get_attribute("href")
            assert href is not None
            resp = await standing.request.get(f"{server}{href}")
            assert resp.ok and resp.headers["content-type"].startswith(
                "application/vnd.openxmlformats"
            )
        finally:
            await browser.close()
    blocking = {path: found for path, found in blocking.items() if found}
    if blocking:
        pytest.fail("axe-core, serious or critical:\n" + json.dumps(blocking, indent=1))
