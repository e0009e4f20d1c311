"""Chat, a presented document and a dropped member, through the pages in real Chromium.

The secretary runs the chair console; a member is on a 390x844 phone. The member opens the chat
from the control bar and writes; the chair reads it on the console, and a text with a hidden
text-reversing character is refused under the form in Vietnamese. The chair presents page 2 of a
published PDF and the member's page shows page 2 (the image the server rendered), then page 3.
Then the member's tab is closed abruptly: the console marks them "Mất kết nối lúc HH:MM", in
Vietnam time, while the grace runs. Two Chromium processes only (the machine is shared). The
meeting and the document are prepared through the API (not what this test is about); everything
the people do is done in their pages.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from aiohttp import web
from fpdf import FPDF
from playwright.async_api import Browser, Page, async_playwright

from server.rules import VN_TZ
from tests.web_client.test_conduct_browser import (  # noqa: F401 - the fixture
    BAR,
    PHONE,
    WAIT_MS,
    Seafarers,
    call,
    in_viewport_unscrolled,
    seafarers,
    shows,
    sign_in,
    small_camera,
)
from tests.web_client.test_meeting_browser import ARGS

pytestmark = pytest.mark.browser

CHAT = "Đề nghị chi ủy gửi lại số liệu quý III trước ngày 10."
LOBBY = "n => document.querySelectorAll('#lobby button[data-action=admit]').length === n"


@pytest.fixture
def reconnect_grace() -> int:
    """Long enough for the console to be seen marking the dropped member lost."""
    return 60


def three_page_pdf() -> bytes:
    doc = FPDF()
    for n in (1, 2, 3):
        doc.add_page()
        doc.set_font("helvetica", size=64)
        doc.cell(text=f"Trang {n}")
    return bytes(doc.output())


async def publish_pdf(page: Page, csrf: str, base: str, meeting_id: int) -> int:
    resp = await page.request.post(
        f"{base}/api/meetings/{meeting_id}/documents?filename=Du-thao-nghi-quyet.pdf",
        data=three_page_pdf(),
        headers={"X-CSRF-Token": csrf, "Content-Type": "application/pdf"},
    )
    assert resp.ok, await resp.text()
    doc = await resp.json()
    await call(
        page, csrf, "POST", f"{base}/api/meetings/{meeting_id}/documents/{doc['id']}/publish"
    )
    return int(doc["id"])


async def shown_page(page: Page, document_id: int, number: int) -> None:
    """The member's page shows page ``number`` of the document, the image loaded."""
    await page.wait_for_selector(
        f"#present-box[data-document='{document_id}'][data-page='{number}']:not([hidden])",
        timeout=WAIT_MS,
    )
    await page.wait_for_function(
        "() => { const i = document.getElementById('present-page');"
        " return i.complete && i.naturalWidth === 1280; }",
        timeout=WAIT_MS,
    )


async def test_chat_presenting_and_a_dropped_member_through_the_pages(
    seafarers: tuple[Seafarers, web.Application],  # noqa: F811
    chromium_path: str,
    tmp_path: Path,
    screenshot_dir: Path,
) -> None:
    sea, _app = seafarers
    base = sea.base
    camera = small_camera(tmp_path / "camera.y4m")
    async with async_playwright() as pw:
        browsers: list[Browser] = list(
            await asyncio.gather(
                *(
                    pw.chromium.launch(
                        executable_path=chromium_path,
                        args=[*ARGS, f"--use-file-for-fake-video-capture={camera}"],
                    )
                    for _ in range(2)
                )
            )
        )
        try:
            pages: dict[str, Page] = {}
            csrf: dict[str, str] = {}
            for key, browser in zip(("chair", "m4"), browsers, strict=True):
                viewport = PHONE if key == "m4" else None
                context = await browser.new_context(base_url=base, viewport=viewport)
                page = await context.new_page()
                csrf[key] = await sign_in(page, base, sea.accounts[key])
                pages[key] = page
            chair, phone = pages["chair"], pages["m4"]
            errors: list[str] = []
            for page in pages.values():
                page.on("pageerror", lambda exc: errors.append(str(exc)))

            start = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)).astimezone(VN_TZ)
            meeting = await call(
                chair,
                csrf["chair"],
                "POST",
                f"{base}/api/organisations/{sea.cell}/meetings",
                {
                    "kind": "regular",
                    "mode": "hybrid",
                    "title": "Sinh hoạt chi bộ tháng 12",
                    "scheduled_start": start.isoformat(),
                },
            )
            mid = meeting["id"]
            pdf = await publish_pdf(chair, csrf["chair"], base, mid)

            # the chair opens the console and starts; the member joins and is admitted
            await chair.goto(f"/meetings/{mid}/chair")
            await shows(chair, "body[data-ready=true]")
            await chair.click("#start")
            await chair.wait_for_function("() => window.hopchibo.state.live", timeout=WAIT_MS)
            await phone.goto(f"/meetings/{mid}")
            await phone.wait_for_function("() => window.hopchibo && window.hopchibo.ready")
            await phone.click("#join")
            await chair.wait_for_function(LOBBY, arg=1, timeout=WAIT_MS)
            await chair.click("#lobby button[data-action=admit]")
            await phone.wait_for_function("() => window.hopchibo.state.admitted", timeout=WAIT_MS)

            # the phone: the chat button sits in the control bar, on screen without scrolling
            await in_viewport_unscrolled(phone, (*BAR, "#chat-jump"))
            await phone.click("#chat-jump")
            await phone.fill("#chat-text", CHAT)
            await phone.click("#chat-send")
            await chair.wait_for_function(
                "t => [...document.querySelectorAll('#chat-box .chat-text')]"
                ".some((p) => p.textContent === t)",
                arg=CHAT,
                timeout=WAIT_MS,
            )
            who = await chair.text_content("#chat-box .chat-item .chat-who")
            assert who == await phone.evaluate(
                "() => { const s = window.hopchibo.state;"
                " return s.participants.find((p) => p.id === s.participantId).display_name; }"
            )
            await phone.wait_for_function(
                "() => document.getElementById('chat-text').value === ''", timeout=WAIT_MS
            )
            # a hidden text-reversing character is refused in Vietnamese, under the form
            await phone.fill("#chat-text", "Số liệu \u202eđảo ngược")
            await phone.click("#chat-send")
            await phone.wait_for_selector("#chat-box .chat-note:not([hidden])", timeout=WAIT_MS)
            note = await phone.text_content("#chat-box .chat-note") or ""
            assert "ký tự điều khiển" in note, note
            await in_viewport_unscrolled(phone, (*BAR, "#chat-jump"), scrolled=True)
            await phone.screenshot(path=str(screenshot_dir / "meeting-chat-phone.png"))

            # the chair presents page 2 of the published PDF; the member's page shows it
            await chair.focus("#present-doc")
            await chair.wait_for_selector(f"#present-doc option[value='{pdf}']", state="attached")
            await chair.select_option("#present-doc", str(pdf))
            await chair.fill("#present-number", "2")
            await chair.click("#present-start")
            await shown_page(phone, pdf, 2)
            caption = await phone.text_content("#present-box .present-title") or ""
            assert "trang 2/3" in caption and "Du-thao-nghi-quyet.pdf" in caption
            await chair.click("#present-next")
            await shown_page(phone, pdf, 3)
            await shown_page(chair, pdf, 3)
            assert await chair.input_value("#present-number") == "3"
            await phone.evaluate("() => window.scrollTo(0, 0)")
            await in_viewport_unscrolled(phone, BAR)
            await phone.screenshot(path=str(screenshot_dir / "meeting-presenting-phone.png"))

            # the member's tab closes abruptly: the console marks them lost, with when
            pid = await phone.evaluate("() => window.hopchibo.state.participantId")
            await phone.context.close()
            lost = f"#online li[data-id='{pid}'][data-lost=true] .tag.lost"
            await chair.wait_for_selector(lost, timeout=WAIT_MS)
            at = await chair.get_attribute(lost, "data-lost-at")
            assert at is not None
            local = dt.datetime.fromisoformat(at).astimezone(VN_TZ)
            assert await chair.text_content(lost) == f"Mất kết nối lúc {local:%H:%M}"
            assert abs(dt.datetime.now(dt.UTC) - local) < dt.timedelta(minutes=2)
            await chair.screenshot(path=str(screenshot_dir / "chair-chat-lost.png"), full_page=True)
            assert errors == []
        finally:
            await asyncio.gather(*(b.close() for b in browsers))
