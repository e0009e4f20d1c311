"""The roster and enrolment in real Chromium, through the pages only (results are read back from
the API, never made through it), on the demo that ``make run`` loads:

* the administrator invites three members of the 60-member cell from the roster page; each
  enrols on a 390×844 phone from the link: one with a passkey (Chromium's virtual authenticator
  through the DevTools WebAuthn domain), two with TOTP from the QR code's secret; each sees the
  recovery codes once and lands home;
* the secretary imports the cell's 60-member roster from an XLSX file with two bad rows: the
  preview reports them row by row in Vietnamese and nothing is written; the fixed file is
  previewed and confirmed; the secretary marks one member exempted and gives one a seasonal E1a
  reason with its period, and the home page's E1 figure follows each step;
* axe-core finds no serious or critical issue on the roster and enrolment pages; screenshots on
  a phone and a desktop.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pyotp
import pytest
from openpyxl import Workbook
from playwright.async_api import Browser, FilePayload, Page, async_playwright, expect

from server.config import (
    DatabaseSettings,
    SecuritySettings,
    ServerSettings,
    Settings,
    load_settings,
)
from server.demo_today import TodayMeetings
from server.rules import VN_TZ
from tests.server.auth.test_browser import ARGS, CHROMIUM
from tests.web_client.test_accessibility_browser import BLOCKING, _violations, axe_source  # noqa: F401
from tests.web_client.test_front_door_browser import (  # noqa: F401 (fixtures)
    PHONE,
    _sign_in_from_front_door,
    demo,
    port,
)

pytestmark = pytest.mark.browser
WAIT_MS = 30_000
LARGE = "Chi bộ Khối văn phòng (demo)"
PASSWORD = "mật-khẩu-đăng-ký-2026"


@pytest.fixture
def settings(tmp_path: Path, db_url: str, port: int) -> Settings:  # noqa: F811
    """Served on http://localhost with RP id "localhost" (passkeys), the development cookie."""
    return load_settings(
        {},
        server=ServerSettings(
            var_dir=tmp_path / "var",
            public_origin=f"http://localhost:{port}",
            insecure_cookies=True,
        ),
        database=DatabaseSettings(url=db_url),
        security=SecuritySettings(rp_id="localhost"),
    )


async def _get(page: Page, path: str) -> Any:
    """Read a result from the API with the page's session (nothing is done through it)."""
    origin = "/".join(page.url.split("/", 3)[:3])
    resp = await page.request.get(origin + path)
    assert resp.ok, (path, resp.status)
    return await resp.json()


async def _axe(page: Page, axe: str, where: str) -> None:
    found = [v for v in await _violations(page, axe) if v["impact"] in BLOCKING]
    assert not found, (where, found)


async def _ready(page: Page) -> None:
    await page.wait_for_function("() => document.body.dataset.ready === 'true'")


async def _large_cell(page: Page) -> int:
    cells = await _get(page, "/api/organisations?level=cell")
    return int(next(c["id"] for c in cells if c["name"] == LARGE))


async def _home_figure(page: Page, server: str, cell: int) -> tuple[int, int]:
    await page.goto(f"{server}/home")
    await _ready(page)
    item = page.locator(f"#scopes li[data-org='{cell}']")
    await expect(item).to_be_visible()
    unable = int(await item.get_attribute("data-unable") or -1)
    counted = int(await item.get_attribute("data-counted") or -1)
    return unable, counted


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


async def _enrol(
    browser: Browser, link: str, axe: str, shots: Path, *, passkey: bool, name: str, shoot: bool
) -> tuple[Page, str]:
    """A member on a phone follows the link: password, then the second factor; the recovery
    codes once; home. Returns the page and the TOTP secret ('' for a passkey)."""
    context = await browser.new_context(locale="vi-VN", viewport=PHONE)
    page = await context.new_page()
    page.set_default_timeout(WAIT_MS)
    if passkey:
        cdp = await context.new_cdp_session(page)
        await cdp.send("WebAuthn.enable")
        await cdp.send(
            "WebAuthn.addVirtualAuthenticator",
            {
                "options": {
                    "protocol": "ctap2",
                    "transport": "internal",
                    "hasResidentKey": True,
                    "hasUserVerification": True,
                    "isUserVerified": True,
                }
            },
        )
    await page.goto(link)
    await _ready(page)
    await expect(page.locator("h1")).to_have_text("Đăng ký tài khoản")
    await expect(page.locator("#welcome")).to_contain_text(name)
    if not passkey:
        await _axe(page, axe, "enrol")
    await page.fill("#password", PASSWORD)
    await page.fill("#password-again", PASSWORD + "x")
    await page.click("#password-submit")
    await expect(page.locator("#error")).to_have_text("Hai mật khẩu không khớp.")
    await page.fill("#password-again", PASSWORD)
    await page.click("#password-submit")
    await expect(page.locator("#step-factor")).to_be_visible()
    assert "#" not in page.url  # the spent link leaves the address bar
    secret = ""
    if passkey:
        await page.click("#enrol-passkey")
    else:
        await page.click("#enrol-totp")
        await expect(page.locator("#enrol-qr")).to_have_attribute(
            "src", re.compile(r"^data:image/svg\+xml;base64,")
        )
        secret = (await page.locator("#enrol-secret").text_content() or "").strip()
        if shoot:
            await page.screenshot(path=str(shots / "enrol-totp-phone.png"), full_page=True)
            await _axe(page, axe, "enrol-totp")
        await page.fill("#enrol-code", pyotp.TOTP(secret).now())
        await page.click("#totp-submit")
    await expect(page.locator("#step-done")).to_be_visible()
    await expect(page.locator("#recovery-list li")).to_have_count(10)
    if passkey:
        await page.screenshot(path=str(shots / "enrol-recovery-phone.png"), full_page=True)
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width  # nothing wider than the phone
    await page.click("#done")
    await page.wait_for_url(re.compile(r".*/home$"))
    await _ready(page)
    return page, secret


@pytest.mark.browser
async def test_invite_enrol_import_and_the_e1_figure(
    demo: tuple[str, TodayMeetings, str],  # noqa: F811
    settings: Settings,
    screenshot_dir: Path,
    axe_source: str,  # noqa: F811
) -> None:
    server, _today, _printed = demo
    today = dt.datetime.now(VN_TZ).date()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            # 1. the administrator invites three members of the large cell from the roster
            context = await browser.new_context(
                locale="vi-VN", viewport={"width": 1280, "height": 900}
            )
            admin = await context.new_page()
            admin.set_default_timeout(WAIT_MS)
            await _sign_in_from_front_door(admin, server, settings, "quantri")
            await admin.wait_for_url(f"{server}/home")
            await _ready(admin)
            await admin.get_by_role("link", name="Danh sách đảng viên và tài khoản").click()
            await admin.wait_for_url(f"{server}/roster")
            await _ready(admin)
            cell = await _large_cell(admin)
            await admin.select_option("#org", str(cell))
            rows = admin.locator("#members tbody tr")
            await expect(rows).to_have_count(60)
            members = await _get(admin, f"/api/organisations/{cell}/members")
            invited = members[20:23]
            links = []
            for n, member in enumerate(invited, start=1):
                row = admin.locator(f"#members tr[data-member='{member['id']}']")
                await expect(row.locator("[data-state]")).to_have_count(0)  # no account yet
                await row.locator("button[data-action=invite]").click()
                await expect(admin.locator("#invite")).to_be_visible()
                await admin.fill("#invite-username", f"moi{n}")
                await admin.click("#invite-send")
                shown = admin.locator("#invite-link")
                await expect(shown).to_contain_text(f"{server}/enrol#")
                if n == 1:
                    await admin.screenshot(path=str(screenshot_dir / "roster-invite.png"))
                links.append((await shown.text_content() or "").strip())
                await admin.click("#invite-close")
                await expect(row.locator("[data-state=invited]")).to_be_visible()
            await _axe(admin, axe_source, "roster-admin")

            # 2. each enrols on a phone: a passkey for the first, TOTP for the others
            for n, (member, link) in enumerate(zip(invited, links, strict=True), start=1):
                page, secret = await _enrol(
                    browser,
                    link,
                    axe_source,
                    screenshot_dir,
                    passkey=n == 1,
                    name=member["full_name"],
                    shoot=n == 2,
                )
                assert bool(secret) == (n != 1)  # a TOTP secret for the two TOTP members
                session = await _get(page, "/api/auth/session")
                assert session["authenticated"] and session["account"]["username"] == f"moi{n}"
                assert session["account"]["member_id"] == member["id"]
                await page.context.close()
            await admin.reload()
            await _ready(admin)
            await admin.select_option("#org", str(cell))
            for member in invited:
                row = admin.locator(f"#members tr[data-member='{member['id']}']")
                await expect(row.locator("[data-state=active]")).to_be_visible()
            roster = await _get(admin, f"/api/organisations/{cell}/roster")
            enrolled = [e for e in roster["entries"] if e["account"] and e["account"]["enrolled"]]
            assert {e["account"]["username"] for e in enrolled} >= {"moi1", "moi2", "moi3"}
            await context.close()

            # 3. the secretary: the E1 figure on the home page before anything changes
            context = await browser.new_context(
                locale="vi-VN", viewport={"width": 1280, "height": 900}
            )
            secretary = await context.new_page()
            secretary.set_default_timeout(WAIT_MS)
            await _sign_in_from_front_door(secretary, server, settings, "bithulon")
            await secretary.wait_for_url(f"{server}/home")
            await _ready(secretary)
            assert await _home_figure(secretary, server, cell) == (0, 60)

            # a 60-member roster with 30 members working far from home this month
            groups = {g["id"]: g["name"] for g in roster["groups"]}
            start, end = today - dt.timedelta(days=10), today + dt.timedelta(days=20)
            header: list[object] = [
                "Họ và tên",
                "Loại đảng viên",
                "Tổ đảng",
                "Nơi ở, nơi công tác",
                "Lý do E1a",
                "E1a từ ngày",
                "E1a đến ngày",
            ]
            good: list[list[object]] = [header]
            for i, m in enumerate(members):
                away = i % 2 == 0
                good.append(
                    [
                        m["full_name"],
                        "Dự bị" if m["status"] == "probationary" else "Chính thức",
                        groups[m["group_id"]],
                        "Công trường Quảng Trị" if away else "Hà Nội",
                        "Làm việc xa nhà" if away else "",
                        start.strftime("%d/%m/%Y") if away else "",
                        end.strftime("%d/%m/%Y") if away else "",
                    ]
                )
            bad = [list(r) for r in good]
            bad[5][1] = "đảng viên"  # not a status
            bad[9][2] = "Tổ 9"  # not a group of the cell
            await secretary.goto(f"{server}/roster?org={cell}")
            await _ready(secretary)
            payload: FilePayload = {
                "name": "danh-sach.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": _xlsx(bad),
            }
            await secretary.set_input_files("#import-file", payload)
            await secretary.click("#import-preview")
            result = secretary.locator("#import-result")
            await expect(result).to_contain_text("Tệp có 2 dòng lỗi; không có gì được ghi")
            bad_rows = secretary.locator("#preview tr.bad")
            await expect(bad_rows).to_have_count(2)
            await expect(secretary.locator("#preview tr[data-line='6']")).to_contain_text(
                "loại đảng viên «đảng viên» không hợp lệ"
            )
            await expect(secretary.locator("#preview tr[data-line='10']")).to_contain_text(
                "tổ đảng «Tổ 9» không có trong chi bộ"
            )
            await expect(secretary.locator("#import-confirm")).to_be_hidden()
            assert await secretary.locator("#map-full_name").input_value() == "0"
            await secretary.locator("#import-section").screenshot(
                path=str(screenshot_dir / "roster-import-errors.png")
            )
            await _axe(secretary, axe_source, "roster-import")
            after = await _get(secretary, f"/api/organisations/{cell}/members")
            assert after == members  # nothing written
            # the fixed file: previewed, then confirmed
            payload["buffer"] = _xlsx(good)
            await secretary.set_input_files("#import-file", payload)
            await secretary.click("#import-preview")
            await expect(result).to_contain_text("Tệp hợp lệ: 0 đảng viên mới, 30 cập nhật")
            await expect(secretary.locator("#preview tr.bad")).to_have_count(0)
            await expect(secretary.locator("#import-confirm")).to_have_text("Xác nhận nhập 60 dòng")
            assert (await _get(secretary, f"/api/organisations/{cell}/members")) == members
            await secretary.click("#import-confirm")
            await expect(secretary.locator("#status")).to_have_text(
                "Đã nhập: 0 đảng viên mới, 30 cập nhật."
            )
            scope = secretary.locator("#scope")
            await expect(scope).to_have_attribute("data-unable", "30")
            await expect(scope).to_have_attribute("data-counted", "60")
            history = secretary.locator("#history li[data-action=import]")
            await expect(history).to_have_count(30)
            assert await _home_figure(secretary, server, cell) == (30, 60)

            # one member exempted (no E1a reason): 30 of 59, more than half
            await secretary.goto(f"{server}/roster?org={cell}")
            await _ready(secretary)
            exempt, seasonal = members[1], members[3]
            row = secretary.locator(f"#members tr[data-member='{exempt['id']}']")
            await row.locator("button[data-action=edit]").click()
            await expect(secretary.locator("#edit")).to_be_visible()
            await secretary.check("#edit-flag-exempted")
            await secretary.fill("#edit-flag-exempted-from", today.isoformat())
            await secretary.click("#edit-save")
            await expect(secretary.locator("#edit")).to_be_hidden()
            await expect(row.locator("li[data-flag=exempted]")).to_contain_text("Miễn sinh hoạt")
            await expect(scope).to_have_attribute("data-counted", "59")
            # one member with a seasonal reason: a student's break, with its period
            row = secretary.locator(f"#members tr[data-member='{seasonal['id']}']")
            await row.locator("button[data-action=edit]").click()
            await secretary.check("#edit-reason-student_break")
            await secretary.fill("#edit-reason-student_break-from", start.isoformat())
            await secretary.fill("#edit-reason-student_break-to", end.isoformat())
            await secretary.screenshot(path=str(screenshot_dir / "roster-edit.png"))
            await _axe(secretary, axe_source, "roster-edit")
            await secretary.click("#edit-save")
            await expect(secretary.locator("#edit")).to_be_hidden()
            reason = row.locator("li[data-reason=student_break]")
            await expect(reason).to_contain_text("Sinh viên nghỉ hè")
            await expect(reason).to_contain_text(f"từ {start.strftime('%d/%m/%Y')}")
            await expect(reason).to_contain_text("đang tính hôm nay")
            await expect(scope).to_have_attribute("data-unable", "31")
            await expect(scope).to_contain_text("Hơn một nửa: đủ điều kiện E1.")
            # the history says who changed what
            latest = secretary.locator("#history li").first
            await expect(latest).to_contain_text(f"sửa {seasonal['full_name']}: lý do E1a")
            await secretary.screenshot(path=str(screenshot_dir / "roster-desktop.png"))
            changes = await _get(secretary, f"/api/organisations/{cell}/roster/history")
            assert changes[0]["actor_name"].startswith("Bí thư chi bộ")
            assert changes[1]["changes"]["exempted"] == [False, True]
            # the home page's figure follows: 31 of 59
            assert await _home_figure(secretary, server, cell) == (31, 59)
            await expect(secretary.locator(f"#scopes li[data-org='{cell}']")).to_contain_text(
                "31/59"
            )
            await secretary.screenshot(path=str(screenshot_dir / "home-e1-figure.png"))

            # the roster on a phone: one card per member, nothing wider than the screen
            await secretary.set_viewport_size(PHONE)
            await secretary.goto(f"{server}/roster?org={cell}")
            await _ready(secretary)
            await expect(secretary.locator("#members tbody tr")).to_have_count(60)
            width = await secretary.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], width
            await secretary.screenshot(path=str(screenshot_dir / "roster-phone.png"))
            await _axe(secretary, axe_source, "roster-phone")
            await context.close()
        finally:
            await browser.close()
