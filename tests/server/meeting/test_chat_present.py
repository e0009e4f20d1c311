"""Chat, presenting a document and the lost state in a live meeting (issue 13), through the real
app and real sockets: a chat message reaches everyone admitted, is stored sealed under the
meeting's chat key (R7), audited without its text, refused in Vietnamese when it holds control
characters or is too long, and counted (never quoted) by the minutes (M1); the chair presents
page 2 of a published PDF and everyone, a late joiner too, gets it, and the page renders; a
member whose socket drops is shown lost with the time until they return."""

from __future__ import annotations

import datetime as dt
import struct
from typing import Any

import pytest
from fpdf import FPDF
from sqlalchemy import select

from policy.i18n import tr
from server import appkeys
from server.crypto.keys import KeyPurpose
from server.reports.minutes import blocks
from server.storage import audit as key_store
from server.storage.models_conduct import ChatRow
from signaling.protocol import MAX_CHAT_CHARS
from tests.conftest import Client
from tests.server.meeting.support import Cell, Peer
from tests.server.meeting.test_attendance import admit, drop
from tests.server.meeting.test_hall_presence import Console, console  # noqa: F401 - fixture

TEXT = "Đề nghị bổ sung số liệu quý III vào dự thảo nghị quyết."
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def pdf_of(pages: int) -> bytes:
    doc = FPDF()
    for n in range(1, pages + 1):
        doc.add_page()
        doc.set_font("helvetica", size=48)
        doc.cell(text=f"Trang {n}" if n else "")
    return bytes(doc.output())


async def api(peer: Peer, console_: Console, method: str, path: str, **kw: Any) -> tuple[int, Any]:
    headers = {"X-CSRF-Token": console_.csrf} if method != "GET" else {}
    headers.update(kw.pop("headers", {}))
    resp = await peer.http.request(method, f"{peer.base_url}{path}", headers=headers, **kw)
    body = await resp.json() if resp.content_type == "application/json" else await resp.read()
    return resp.status, body


async def chat_rows(client: Client, meeting_id: int) -> list[ChatRow]:
    assert client.app is not None
    async with client.app[appkeys.DB].session() as s:
        rows = await s.execute(select(ChatRow).where(ChatRow.meeting_id == meeting_id))
        return list(rows.scalars().all())


async def actions(client: Client, action: str) -> list[dict[str, Any]]:
    assert client.app is not None
    return [v.details for v in await client.app[appkeys.AUDIT].search(action=action)]


def refused(msg: dict[str, Any], key: str, **params: object) -> bool:
    text = tr(key, **params)
    return bool(msg["code"] == "validation" and msg["message"] == {"vi": text.vi, "en": text.en})


async def test_chat_is_shown_to_everyone_stored_sealed_audited_and_counted(
    live_client: Client,
    cell: Cell,
    peers: dict[str, Peer],
    console: Console,  # noqa: F811
) -> None:
    chair, member, room = peers["chair"], peers["member"], peers["room"]
    await chair.join(cell.meeting_id)
    await room.join(cell.meeting_id)
    await admit(chair, member, cell)

    await member.send({"type": "chat", "text": f"  {TEXT} "})
    seen = await chair.expect("chat_message")
    mine = await member.expect("chat_message")
    assert seen == mine
    assert seen["text"] == TEXT  # trimmed
    assert seen["participant_id"] == member.participant_id
    assert seen["display_name"] == cell.people["member"].display_name
    sent_at = dt.datetime.fromisoformat(seen["sent_at"])
    assert abs(sent_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)

    # R7: at rest the text is AES-GCM under the meeting's chat key, not in clear
    (row,) = await chat_rows(live_client, cell.meeting_id)
    assert TEXT.encode() not in bytes(row.data) and len(row.nonce) == 12
    assert row.sender == cell.people["member"].display_name
    assert live_client.app is not None
    async with live_client.app[appkeys.DB].session() as s:
        wrapped = await key_store.get_key(s, row.key_id)
    assert wrapped is not None and wrapped.purpose is KeyPurpose.CHAT
    (posted,) = await actions(live_client, "chat.post")
    assert posted == {"meeting": cell.meeting_id, "chars": len(TEXT)}  # never the text

    # refused in Vietnamese first, nothing stored, the refusal audited; the socket stays up
    for text, key, params in [
        ("dòng một\ndòng hai", "conduct.chat.control", {}),
        ("chữ \u202eđảo ngược", "conduct.chat.control", {}),
        ("x" * (MAX_CHAT_CHARS + 1), "conduct.chat.too_long", {"limit": MAX_CHAT_CHARS}),
        ("   ", "conduct.chat.empty", {}),
    ]:
        await member.send({"type": "chat", "text": text})
        error = await member.expect("error")
        assert refused(error, key, **params), error
    assert len(await chat_rows(live_client, cell.meeting_id)) == 1
    assert len(await actions(live_client, "chat.refused")) == 4
    await room.send({"type": "chat", "text": "thiết bị hội trường"})
    assert (await room.expect("error"))["code"] == "forbidden"
    await member.ping()

    # the history for a page that joins later: those who may read the meeting, audited
    status, history = await api(member, console, "GET", f"/api/meetings/{cell.meeting_id}/chat")
    await member.sign_in()
    assert status == 200, history
    assert [(m["sender"], m["text"]) for m in history] == [
        (cell.people["member"].display_name, TEXT)
    ]
    assert (await actions(live_client, "chat.read"))[0]["count"] == 1

    # M1: the minutes say a chat took place and how many messages, never what they said
    status, minutes = await api(
        chair,
        console,
        "POST",
        f"/api/meetings/{cell.meeting_id}/minutes",
        json={"chair": "Nguyễn Văn Chủ", "secretary": "Trần Thị Biển"},
    )
    assert status == 201, minutes
    assert minutes["content"]["chat"] == {"messages": 1}
    printed = "\n".join(b.text for b in blocks(minutes["content"]))
    assert "1 tin nhắn" in printed and TEXT not in printed


async def test_chat_history_is_refused_to_those_outside_the_meeting(
    live_client: Client, cell: Cell, peers: dict[str, Peer]
) -> None:
    outsider = peers["outsider"]
    await outsider.sign_in()
    resp = await outsider.http.get(f"{outsider.base_url}/api/meetings/{cell.meeting_id}/chat")
    assert resp.status == 403


def png_width(png: bytes) -> int:
    assert png[:8] == PNG_MAGIC
    (width,) = struct.unpack(">I", png[16:20])  # IHDR
    return int(width)


async def upload(
    chair: Peer,
    console_: Console,
    meeting_id: int,
    name: str,
    data: bytes,
    media_type: str,
    *,
    publish: bool = True,
) -> int:
    status, doc = await api(
        chair,
        console_,
        "POST",
        f"/api/meetings/{meeting_id}/documents?filename={name}",
        data=data,
        headers={"Content-Type": media_type, "X-CSRF-Token": console_.csrf},
    )
    assert status == 201, doc
    if publish:
        path = f"/api/meetings/{meeting_id}/documents/{doc['id']}/publish"
        status, body = await api(chair, console_, "POST", path)
        assert status == 200, body
    return int(doc["id"])


async def test_the_chair_presents_a_page_everyone_sees_it_late_joiners_too(
    live_client: Client,
    cell: Cell,
    peers: dict[str, Peer],
    console: Console,  # noqa: F811
) -> None:
    chair, member, member2 = peers["chair"], peers["member"], peers["member2"]
    meeting = cell.meeting_id
    pdf = await upload(
        chair, console, meeting, "Du-thao-nghi-quyet.pdf", pdf_of(3), "application/pdf"
    )
    text = await upload(chair, console, meeting, "ghi-chu.txt", b"ghi chu", "text/plain")
    draft = await upload(
        chair, console, meeting, "Ban-nhap.pdf", pdf_of(2), "application/pdf", publish=False
    )
    await chair.join(meeting)
    await admit(chair, member, cell)

    await chair.send({"type": "present", "document_id": pdf, "page": 2})
    want = {"document_id": pdf, "filename": "Du-thao-nghi-quyet.pdf", "page": 2, "pages": 3}
    for peer in (chair, member):
        shown = await peer.expect("presenting")
        assert {k: shown[k] for k in want} == want
    (audited,) = await actions(live_client, "document.present")
    assert audited == {"meeting": meeting, "page": 2, "pages": 3}

    # a late joiner gets the page everyone sees on admission
    await admit(chair, member2, cell)
    late = await member2.expect("presenting")
    assert (late["document_id"], late["page"]) == (pdf, 2)

    # refusals: not a chair, no such page, not a PDF, not published
    await member.send({"type": "present", "document_id": pdf, "page": 1})
    assert (await member.expect("error"))["code"] == "forbidden"
    await chair.send({"type": "present", "document_id": pdf, "page": 9})
    assert refused(await chair.expect("error"), "conduct.present.no_page", page=9, pages=3)
    await chair.send({"type": "present", "document_id": text, "page": 1})
    assert refused(await chair.expect("error"), "conduct.present.not_pdf")
    await chair.send({"type": "present", "document_id": draft, "page": 1})
    assert (await chair.expect("error"))["code"] == "not_found"

    # the page itself, as the member's page loads it: a PNG 1280 px wide, audited
    path = f"/api/meetings/{meeting}/documents/{pdf}/pages"
    status, png = await api(member, console, "GET", f"{path}/2")
    assert status == 200 and png_width(png) == 1280
    status, body = await api(member, console, "GET", f"{path}/4")
    assert status == 422, body
    assert body["message"]["vi"] == tr("conduct.present.no_page", page=4, pages=3).vi
    status, body = await api(
        member, console, "GET", f"/api/meetings/{meeting}/documents/{draft}/pages/1"
    )
    assert status == 404, body
    # everyone loads the page just shown: rendered once, each request still checked and audited
    status, again = await api(chair, console, "GET", f"{path}/2")
    assert status == 200 and again == png
    pages = await actions(live_client, "document.page")
    assert pages.count({"meeting": meeting, "page": 2}) == 2

    await chair.send({"type": "stop_presenting"})
    stopped = await member.expect("presenting")
    assert stopped["document_id"] is None


@pytest.mark.parametrize("grace_seconds", [30])
async def test_a_dropped_member_shows_as_lost_with_the_time_until_they_return(
    live_client: Client, cell: Cell, peers: dict[str, Peer]
) -> None:
    chair, member = peers["chair"], peers["member"]
    await chair.join(cell.meeting_id)
    await admit(chair, member, cell)
    pid = member.participant_id
    await chair.latest("participants", lambda m: any(p["id"] == pid for p in m["participants"]))
    assert chair.people[pid]["lost_at"] is None

    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    await drop(member)
    lost = await chair.expect(
        "participants", where=lambda m: any(p["lost_at"] for p in m["participants"])
    )
    (entry,) = [p for p in lost["participants"] if p["id"] == pid]
    at = dt.datetime.fromisoformat(entry["lost_at"])
    assert before <= at <= dt.datetime.now(dt.UTC) and entry["quality"] == "poor"
    assert entry["kind"] == "online"  # still in the meeting for the grace (A1)

    await member.join(cell.meeting_id)  # back within the grace: the same participant
    assert member.participant_id == pid
    back = await chair.expect(
        "participants",
        where=lambda m: any(p["id"] == pid and p["lost_at"] is None for p in m["participants"]),
    )
    assert any(p["id"] == pid for p in back["participants"])


async def test_a_clean_leave_is_not_lost(
    live_client: Client, cell: Cell, peers: dict[str, Peer]
) -> None:
    chair, member = peers["chair"], peers["member"]
    await chair.join(cell.meeting_id)
    await admit(chair, member, cell)
    pid = member.participant_id
    await member.send({"type": "leave"})
    gone = await chair.expect(
        "participants", where=lambda m: all(p["id"] != pid for p in m["participants"])
    )
    assert all(p["lost_at"] is None for p in gone["participants"])
