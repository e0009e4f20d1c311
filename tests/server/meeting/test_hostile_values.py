"""Values an older version (or someone with database access) stored with control characters
leave the meeting joinable and the minutes exportable, and write no raw escape into the log:
they are made harmless on the way out (server/plaintext.py). Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import logging

import docx
import pypdf
import pytest
from sqlalchemy import update

from policy.model import AgendaCategory
from server import appkeys
from server.storage.models import Account, AgendaItem, Member
from tests.conftest import Client
from tests.server.meeting.support import ORIGIN, Cell, Peer

HOSTILE_NAME = "Lê Văn\x1b[2J\nTàu\x07"
HOSTILE_TITLE = "Kiểm điểm\n\x1b[31mcông tác quý IV\x7f"  # PostgreSQL text holds no NUL


async def test_stored_control_characters_do_not_break_joins_or_minutes(
    live_client: Client, cell: Cell, peers: dict[str, Peer], caplog: pytest.LogCaptureFixture
) -> None:
    assert live_client.app is not None
    db = live_client.app[appkeys.DB]
    member2 = cell.people["member2"]
    async with db.session() as s:  # straight into the database, past the edge
        await s.execute(
            update(Member).where(Member.id == member2.member_id).values(full_name=HOSTILE_NAME)
        )
        await s.execute(
            update(Account)
            .where(Account.id == cell.people["member"].account_id)
            .values(display_name="Trần\u202eThị\x1bBiển")
        )
        s.add(
            AgendaItem(
                meeting_id=cell.meeting_id,
                position=1,
                title=HOSTILE_TITLE,
                description="Mô tả\x1b[0m\ncó dòng mới",
                category=AgendaCategory.ORDINARY,
            )
        )
    caplog.set_level(logging.DEBUG)
    chair, member = peers["chair"], peers["member"]
    # the chair joins although a member of the cell has a control character in the name
    welcome = await chair.join(cell.meeting_id)
    assert welcome["participant_id"]
    await chair.expect("admitted")
    await member.join(cell.meeting_id)  # whose own stored display name is hostile
    await member.expect("lobby")
    waiting = await chair.expect("waiting", where=lambda m: bool(m["participants"]))
    assert waiting["participants"][0]["display_name"] == "Trần Thị Biển"
    await chair.send({"type": "admit", "participant_id": member.participant_id})
    await member.expect("admitted")
    people = await chair.expect("participants", where=lambda m: len(m["participants"]) == 2)
    assert {p["display_name"] for p in people["participants"]} == {
        "Nguyễn Văn Chủ",
        "Trần Thị Biển",
    }
    # the minutes of a meeting with that agenda title: generated and exported, 200 both
    csrf = await _csrf(chair)
    base = f"{chair.base_url}/api/meetings/{cell.meeting_id}"
    resp = await chair.http.post(
        f"{base}/minutes",
        json={"chair_member_id": cell.people["chair"].member_id, "secretary": "Thư ký"},
        headers={"X-CSRF-Token": csrf, "Origin": ORIGIN},
    )
    assert resp.status == 201, await resp.text()
    resp = await chair.http.get(f"{base}/minutes.docx")
    assert resp.status == 200, await resp.text()
    document = docx.Document(io.BytesIO(await resp.read()))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "1. Kiểm điểm [31mcông tác quý IV" in text
    assert "\x1b" not in text and "\x7f" not in text
    resp = await chair.http.get(f"{base}/minutes.pdf")
    assert resp.status == 200, await resp.text()
    pdf = pypdf.PdfReader(io.BytesIO(await resp.read()))
    flat = " ".join(" ".join((page.extract_text() or "") for page in pdf.pages).split())
    assert "Kiểm điểm [31mcông tác quý IV" in flat
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "\x1b" not in logged and "\x07" not in logged and "\x00" not in logged
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def _csrf(peer: Peer) -> str:
    resp = await peer.http.get(f"{peer.base_url}/api/auth/session")
    body = await resp.json()
    return str(body["csrf"])
