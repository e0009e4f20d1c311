"""A hybrid meeting of the seafarers' demo cell run through the API, from check-in to adopted
minutes read back from DOCX and PDF (A1–A4, G1–G3, M1, M3, R8)."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from typing import Any

import docx
import pypdf
import pytest
from sqlalchemy import select

from policy.model import AgendaCategory, ItemStatus, Role
from server.config import Settings
from server.demo import GRASSROOTS_CODE, SEAFARERS_CODE
from server.rules import VN_TZ
from server.storage import conduct as conduct_store
from server.storage.db import Database
from server.storage.models import AgendaItem, AttendanceInterval
from tests.conftest import Client
from tests.server.auth.support import FakeClock, audit_records
from tests.server.conduct.support import People, Person, join_online, members_of, org_id

ADMISSION = "Xét kết nạp quần chúng Nguyễn Văn An vào Đảng"
REWARDS = "Triển khai kế hoạch khen thưởng cuối năm của Đảng ủy"


class Hybrid:
    """The seafarers' cell (14 members: 0–12 full, 12 exempted, 13 probationary) in a hybrid
    meeting today. Members 0–2 are in the hall, 3–7 join online."""

    def __init__(self, people: People, cell: int, members: list[int], meeting: int) -> None:
        self.people = people
        self.cell = cell
        self.m = members
        self.meeting = meeting
        self.base = f"/api/meetings/{meeting}"


async def _setup(
    client: Client, db: Database, settings: Settings, clock: FakeClock
) -> tuple[Hybrid, dict[str, Person]]:
    people = People(client, db, settings, clock)
    cell = await org_id(db, SEAFARERS_CODE)
    members = [m.id for m in await members_of(db, cell)]
    who = {
        "secretary": await people.add("bithu", Role.SECRETARY, cell, members[0]),
        "m3": await people.add("dv3", Role.MEMBER, cell, members[3]),
        "m4": await people.add("dv4", Role.MEMBER, cell, members[4]),
        "m5": await people.add("dv5", Role.MEMBER, cell, members[5]),
        "m6": await people.add("dv6", Role.MEMBER, cell, members[6]),
        "m7": await people.add("dv7", Role.MEMBER, cell, members[7]),
        "probationary": await people.add("duben", Role.MEMBER, cell, members[13]),
        "observer": await people.add("giamsat", Role.OBSERVER, cell),
    }
    start = (clock.now + dt.timedelta(hours=1)).astimezone(VN_TZ)
    meeting = await people.ok(
        who["secretary"],
        "POST",
        f"/api/organisations/{cell}/meetings",
        201,
        json={
            "kind": "regular",
            "mode": "hybrid",
            "title": "Sinh hoạt chi bộ thường kỳ",
            "location": "Phòng họp trụ sở, Hải Phòng",
            "scheduled_start": start.isoformat(),
        },
    )
    return Hybrid(people, cell, members, meeting["id"]), who


async def _add_item(h: Hybrid, who: Person, title: str, category: str) -> dict[str, Any]:
    item = await h.people.ok(
        who, "POST", f"{h.base}/agenda", 201, json={"title": title, "category": category}
    )
    assert isinstance(item, dict)
    return item


async def test_hybrid_meeting_from_check_in_to_minutes(
    client: Client, db: Database, settings: Settings, clock: FakeClock
) -> None:
    h, who = await _setup(client, db, settings, clock)
    sec, p = who["secretary"], h.people
    news = await _add_item(h, sec, "Thông tin thời sự tháng 11", "ordinary")
    rewards = await _add_item(h, sec, REWARDS, "ordinary")
    assert rewards["gate"]["outcome"] == "suspected"
    suspect = await _add_item(h, sec, ADMISSION, "ordinary")
    report = await p.ok(sec, "POST", f"{h.base}/agenda/task-report", 201)
    assert report["category"] == "task_report" and report["gate"]["outcome"] == "allowed"
    # an admission case planned while it looked allowed (e.g. before the mode changed): G3
    async with db.session() as s:
        planned = AgendaItem(
            meeting_id=h.meeting,
            position=99,
            title=ADMISSION + " (hồ sơ thứ hai)",
            category=AgendaCategory.T2,
            status=ItemStatus.PLANNED,
        )
        s.add(planned)
        await s.flush()
        planned_id = planned.id

    await p.ok(sec, "POST", f"{h.base}/start")
    await join_online(client, db, h.meeting, h.m[3:8], clock.now)
    summary = await p.ok(sec, "GET", f"{h.base}/attendance")
    assert summary["counted_full_members"] == 12  # 13 full, the exempted one absent (A2)
    assert summary["present"] == 5 and summary["quorum"]["outcome"] == "not_quorate"

    clock.advance(minutes=1)
    done = await p.ok(sec, "POST", f"{h.base}/attendance/check-in", json={"member_ids": h.m[0:3]})
    assert done["member_ids"] == h.m[0:3]
    summary = await p.ok(sec, "GET", f"{h.base}/attendance")
    assert summary["quorum"]["outcome"] == "quorate"
    assert summary["quorum"]["rules"] == ["A2", "A3"]
    assert (summary["present"], summary["room"], summary["online"]) == (8, 3, 5)
    assert summary["by_category"]["full"] == 8

    # the planned admission case is blocked at opening and deferred, with its citation
    body = await p.refused(sec, "POST", f"{h.base}/agenda/{planned_id}/open", 409)
    assert body["code"] == "policy_denied" and body["rules"] == ["G3", "G1", "T2"]
    assert "kết nạp" in body["message"]["vi"]
    # the one declared ordinary is suspected: the chair reclassifies it and it is deferred too
    body = await p.refused(sec, "POST", f"{h.base}/agenda/{suspect['id']}/open", 409)
    assert body["rules"] == ["G2", "T2"]
    moved = await p.ok(
        sec, "POST", f"{h.base}/agenda/{suspect['id']}/reclassify", json={"category": "T2"}
    )
    assert moved["status"] == "deferred" and moved["gate"]["rules"] == ["G1", "T2"]
    deferred = await p.ok(sec, "GET", f"/api/organisations/{h.cell}/deferred")
    assert {d["item_id"] for d in deferred} == {planned_id, suspect["id"]}
    assert all(d["rules"][:1] == ["G1"] and "T2" in d["rules"] for d in deferred)
    # an ordinary item opens
    opened = await p.ok(sec, "POST", f"{h.base}/agenda/{news['id']}/open")
    assert opened["status"] == "open"
    # a secret ballot is refused whatever the client sends (G3, T12)
    body = await p.refused(
        sec, "POST", f"{h.base}/votes", 409, json={"subject": "Bầu cử", "kind": "secret"}
    )
    assert body["code"] == "policy_denied" and body["rules"] == ["G3", "T12"]

    # speakers and opinions on the open item, then its vote
    m = h.m
    for kind, member, text in (
        ("speech", m[3], "Đề nghị bổ sung tình hình an toàn hàng hải."),
        ("differing", m[4], "Chưa nhất trí thời hạn hoàn thành quý I."),
        ("reserved", m[5], "Bảo lưu ý kiến về kinh phí học tập."),
        ("conclusion", None, "Chi bộ thống nhất triển khai kế hoạch tháng 12."),
    ):
        await p.ok(
            sec,
            "POST",
            f"{h.base}/agenda/{news['id']}/notes",
            201,
            json={"kind": kind, "member_id": member, "text": text}
            if member
            else {"kind": kind, "speaker": "Chủ trì", "text": text},
        )
    vote = await p.ok(
        sec,
        "POST",
        f"{h.base}/votes",
        201,
        json={"subject": "Nghị quyết chi bộ tháng 12", "item_id": news["id"]},
    )
    ballots = f"{h.base}/votes/{vote['id']}/ballots"
    for key, choice in (
        ("m3", "no"),
        ("m4", "yes"),
        ("m5", "yes"),
        ("m6", "yes"),
        ("m7", "abstain"),
    ):
        await p.ok(who[key], "POST", ballots, json={"choice": choice})
    changed = await p.ok(who["m3"], "POST", ballots, json={"choice": "yes"})
    assert changed["changed"] is True  # choices may change until the vote closes
    console = await p.ok(sec, "GET", f"{h.base}/console")
    assert console["open_item_id"] == news["id"] and console["open_vote_id"] == vote["id"]
    assert console["running"] == {"yes": 4, "no": 0, "abstain": 1, "ballots": 5}
    assert console["attendance"]["quorum"]["outcome"] == "quorate"
    await p.refused(who["m3"], "GET", f"{h.base}/console", 403)
    # A4: probationary members and observers do not vote; A1: the hall votes by hands
    for key in ("probationary", "observer"):
        body = await p.refused(who[key], "POST", ballots, 409, json={"choice": "yes"})
        assert body["code"] == "policy_denied" and "A4" in body["rules"]
    body = await p.refused(sec, "POST", ballots, 409, json={"choice": "yes"})
    assert body["rules"] == ["A1", "A4"]
    # double counting: the hall has 3 full members checked in and none voted online
    hall = f"{h.base}/votes/{vote['id']}/hall"
    body = await p.refused(sec, "PUT", hall, 409, json={"yes": 3, "no": 1, "abstain": 0})
    assert body["rules"] == ["A1", "A4"]
    await p.ok(sec, "PUT", hall, json={"yes": 3, "no": 0, "abstain": 0})
    closed = await p.ok(sec, "POST", f"{h.base}/votes/{vote['id']}/close")
    result = closed["result"]
    assert (result["yes"], result["no"], result["abstain"]) == (7, 0, 1)
    assert result["outcome"] == "passed" and result["valid"] is True
    assert result["counted"] == 12 and result["rules"] == ["A2", "A3", "A4"]
    await p.ok(sec, "POST", f"{h.base}/agenda/{news['id']}/close")

    # the suspected rewards item: confirmed in writing, then it opens
    body = await p.refused(sec, "POST", f"{h.base}/agenda/{rewards['id']}/open", 409)
    assert body["rules"] == ["G2", "T8"]
    confirmed = await p.ok(
        sec,
        "POST",
        f"{h.base}/agenda/{rewards['id']}/confirm",
        json={"reason": "Chỉ phổ biến kế hoạch của Đảng ủy, chi bộ không xét khen thưởng."},
    )
    assert confirmed["gate"]["outcome"] == "allowed"
    assert confirmed["confirmed_reason"].startswith("Chỉ phổ biến")
    await p.ok(sec, "POST", f"{h.base}/agenda/{rewards['id']}/open")
    await p.ok(sec, "POST", f"{h.base}/agenda/{rewards['id']}/close")

    await p.ok(
        sec,
        "PUT",
        f"{h.base}/attendance/absences",
        json={
            "absences": [
                {"member_id": m[10], "with_reason": True, "reason": "Tàu đang hành trình"},
                {"member_id": m[11], "with_reason": False},
            ]
        },
    )
    closed_meeting = await p.ok(sec, "POST", f"{h.base}/close")
    # A1: the meeting and its attendance end on the app's clock, the one the hall check-ins are
    # written by: whatever the machine's date, no interval ends before it began
    assert dt.datetime.fromisoformat(closed_meeting["ended_at"]) == clock.now
    async with db.session() as s:
        rows = (
            await s.scalars(
                select(AttendanceInterval).where(AttendanceInterval.meeting_id == h.meeting)
            )
        ).all()
    assert rows and all(r.left_at is not None and r.left_at >= r.joined_at for r in rows)
    # after the close, who attended is still known (the minutes' chair and secretary are
    # chosen among them, M1), whoever is present now
    after = {x["member_id"]: x for x in (await p.ok(sec, "GET", f"{h.base}/attendance"))["people"]}
    assert after[m[0]]["attended"] and after[m[1]]["attended"]
    assert not after[m[10]]["attended"]
    minutes = await p.ok(
        sec,
        "POST",
        f"{h.base}/minutes",
        201,
        json={"chair_member_id": m[0], "secretary_member_id": m[1]},
    )
    content = minutes["content"]
    names = {mm.id: mm.full_name for mm in await members_of(db, h.cell)}
    assert content["title"] == "BIÊN BẢN SINH HOẠT CHI BỘ"
    assert content["attendance"]["present"] == 8
    assert len(content["attendance"]["names"]) == 8  # M1: the members present, named
    assert content["meeting"]["ended"]  # generated after the close: the end time is known
    assert content["absences"]["with_reason"] == [
        {"name": names[m[10]], "reason": "Tàu đang hành trình"}
    ]
    assert {"name": names[m[11]]} in content["absences"]["without_reason"]
    assert content["membership"] == {
        "total": 14,
        "full": 13,
        "probationary": 1,
        "temporarily_attached": 0,
        "exempted": 1,
        "suspended": 0,
    }
    patched = await p.ok(
        sec,
        "PATCH",
        f"{h.base}/minutes",
        json={"notes": "Đồng chí đại diện Đảng ủy dự và phát biểu chỉ đạo.", "transferred_out": 1},
    )
    assert patched["content"]["transferred_out"] == 1
    adopted = await p.ok(sec, "POST", f"{h.base}/minutes/adopt")
    assert adopted["adopted"] is True
    await p.refused(sec, "PATCH", f"{h.base}/minutes", 409, json={"notes": "sửa sau"})
    await p.refused(sec, "POST", f"{h.base}/minutes", 409, json={})

    expected = [
        "BIÊN BẢN SINH HOẠT CHI BỘ",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "CHI BỘ THUYỀN VIÊN (DEMO)",
        "ĐẢNG BỘ CÔNG TY VẬN TẢI BIỂN (DEMO)",
        names[m[0]],
        names[m[1]],
        names[m[10]],
        names[m[11]],
        "Chưa nhất trí thời hạn hoàn thành quý I.",
        "Bảo lưu ý kiến về kinh phí học tập.",
        "tán thành 7",
        ADMISSION,
        "Báo cáo kết quả thực hiện nhiệm vụ được giao",
        "Đồng chí đại diện Đảng ủy dự",
    ]
    raw = await p.ok(who["m4"], "GET", f"{h.base}/minutes.docx")
    document = docx.Document(io.BytesIO(raw))
    text = "\n".join(par.text for par in document.paragraphs)
    text += "\n" + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    for fact in expected:
        assert fact in text, fact
    raw = await p.ok(who["m4"], "GET", f"{h.base}/minutes.pdf")
    pdf = pypdf.PdfReader(io.BytesIO(raw))
    pdf_text = " ".join((page.extract_text() or "") for page in pdf.pages)
    flat = " ".join(pdf_text.split())
    for fact in expected:
        assert " ".join(fact.split()) in flat, fact
    assert len(await audit_records(db, "minutes.export")) == 2
    assert len(await audit_records(db, "agenda.open")) == 5  # allowed, blocked, suspected ×2, open
    assert len(await audit_records(db, "vote.ballot_refused")) == 3
    assert len(await audit_records(db, "vote.refused")) == 1


async def test_documents_published_late_are_flagged_and_downloads_audited(
    client: Client, db: Database, settings: Settings, clock: FakeClock
) -> None:
    h, who = await _setup(client, db, settings, clock)
    sec, p = who["secretary"], h.people
    pdf_bytes = b"%PDF-1.4\n% du thao nghi quyet\n"
    doc = await p.ok(
        sec,
        "POST",
        f"{h.base}/documents?filename=Dự thảo nghị quyết.pdf",
        201,
        data=pdf_bytes,
        headers={"Content-Type": "application/pdf"},
    )
    assert doc["published_at"] is None
    # not published: members neither see nor download it
    assert await p.ok(who["m3"], "GET", f"{h.base}/documents") == []
    await p.refused(who["m3"], "GET", f"{h.base}/documents/{doc['id']}", 404)
    published = await p.ok(sec, "POST", f"{h.base}/documents/{doc['id']}/publish")
    assert published["m3"]["rules"] == ["M3"] and published["m3"]["late"] is True
    listed = await p.ok(who["m3"], "GET", f"{h.base}/documents")
    assert [d["filename"] for d in listed] == ["Dự thảo nghị quyết.pdf"]
    for person in (who["m3"], who["observer"]):
        assert await p.ok(person, "GET", f"{h.base}/documents/{doc['id']}") == pdf_bytes
    assert len(await audit_records(db, "document.download")) == 2
    # too large: refused with 413 and nothing stored
    big = b"x" * (settings.server.max_body_bytes + 1)
    body = await p.refused(
        sec,
        "POST",
        f"{h.base}/documents?filename=lon.pdf",
        413,
        data=big,
        headers={"Content-Type": "application/pdf"},
    )
    assert body["code"] == "payload_too_large"
    await p.refused(
        sec,
        "POST",
        f"{h.base}/documents?filename=../../etc/passwd",
        422,
        data=pdf_bytes,
        headers={"Content-Type": "application/pdf"},
    )
    assert len(await p.ok(sec, "GET", f"{h.base}/documents")) == 1
    # a document published a day ahead meets M3
    later = await p.ok(
        sec,
        "POST",
        f"/api/organisations/{h.cell}/meetings",
        201,
        json={
            "kind": "thematic",
            "mode": "hybrid",
            "title": "Sinh hoạt chuyên đề",
            "scheduled_start": (clock.now + dt.timedelta(days=3)).isoformat(),
        },
    )
    doc2 = await p.ok(
        sec,
        "POST",
        f"/api/meetings/{later['id']}/documents?filename=chuyen-de.docx",
        201,
        data=b"PK\x03\x04 chuyen de",
        headers={"Content-Type": "text/plain"},
    )
    on_time = await p.ok(sec, "POST", f"/api/meetings/{later['id']}/documents/{doc2['id']}/publish")
    assert on_time["m3"]["outcome"] == "allowed" and on_time["m3"]["late"] is False


@pytest.mark.parametrize(
    ("method", "suffix", "payload", "status", "code"),
    [
        ("POST", "/attendance/check-in", "{not json", 400, "bad_json"),
        ("POST", "/attendance/check-in", {"member_ids": []}, 422, "validation"),
        ("POST", "/attendance/check-in", {"member_ids": [1], "way": "online"}, 422, "validation"),
        ("POST", "/agenda/999999/open", None, 404, "not_found"),
        ("POST", "/votes/999999/close", None, 404, "not_found"),
        (
            "PUT",
            "/attendance/absences",
            {"absences": [{"member_id": 1, "with_reason": True}]},
            422,
            "validation",
        ),
        ("POST", "/votes", {"subject": "x", "extra": 1}, 422, "validation"),
        ("POST", "/minutes", {"chair_member_id": 0}, 422, "validation"),
        ("GET", "/minutes", None, 404, "not_found"),
    ],
)
async def test_bad_input_is_refused_in_vietnamese(
    client: Client,
    db: Database,
    settings: Settings,
    clock: FakeClock,
    method: str,
    suffix: str,
    payload: Any,
    status: int,
    code: str,
) -> None:
    h, who = await _setup(client, db, settings, clock)
    sec, p = who["secretary"], h.people
    await p.ok(sec, "POST", f"{h.base}/start")
    kwargs: dict[str, Any] = {}
    if isinstance(payload, str):
        kwargs = {"data": payload, "headers": {"Content-Type": "application/json"}}
    elif payload is not None:
        kwargs = {"json": payload}
    body = await p.refused(sec, method, f"{h.base}{suffix}", status, **kwargs)
    assert body["code"] == code
    summary = await p.ok(sec, "GET", f"{h.base}/attendance")
    assert summary["present"] == 0 and all(x["absence"] is None for x in summary["people"])


async def test_wrong_state_unknown_ids_and_roles_change_nothing(
    client: Client, db: Database, settings: Settings, clock: FakeClock
) -> None:
    h, who = await _setup(client, db, settings, clock)
    sec, p = who["secretary"], h.people
    item = await _add_item(h, sec, "Thông tin thời sự", "ordinary")
    # not started yet: nothing opens, nobody checks in
    body = await p.refused(sec, "POST", f"{h.base}/agenda/{item['id']}/open", 409)
    assert body["code"] == "conflict" and "chưa bắt đầu" in body["message"]["vi"]
    await p.ok(sec, "POST", f"{h.base}/start")
    # one unknown member among known ones: refused as a whole
    body = await p.refused(
        sec, "POST", f"{h.base}/attendance/check-in", 422, json={"member_ids": [h.m[0], 999999]}
    )
    assert "999999" in body["message"]["vi"]
    # closing an item that is not open; a member acting as chair; an officer-free read
    await p.refused(sec, "POST", f"{h.base}/agenda/{item['id']}/close", 409)
    body = await p.refused(
        who["m3"], "POST", f"{h.base}/attendance/check-in", 403, json={"member_ids": [h.m[3]]}
    )
    assert body["code"] == "forbidden"
    summary = await p.ok(who["observer"], "GET", f"{h.base}/attendance")
    assert summary["present"] == 0
    # the security officer reads access logs, never meeting content (R7)
    officer = await p.add("baomat", Role.SECURITY_OFFICER, await org_id(db, GRASSROOTS_CODE))
    for path in ("/attendance", "/votes", "/documents"):
        await p.refused(officer, "GET", f"{h.base}{path}", 403)
    # hall code: the member checks in with it once; an expired code is refused. Already
    # online, they still count once (A1)
    await join_online(client, db, h.meeting, [h.m[3]], clock.now)
    code = await p.ok(sec, "POST", f"{h.base}/attendance/hall-code")
    assert len(code["code"]) == 8 and code["seconds"] == 60
    done = await p.ok(
        who["m3"], "POST", f"{h.base}/attendance/hall-code/check-in", json={"code": code["code"]}
    )
    assert done["member_ids"] == [h.m[3]]
    again = await p.ok(
        who["m3"], "POST", f"{h.base}/attendance/hall-code/check-in", json={"code": code["code"]}
    )
    assert again["member_ids"] == []
    summary = await p.ok(sec, "GET", f"{h.base}/attendance")
    assert (summary["present"], summary["room"], summary["online"]) == (1, 1, 0)
    clock.advance(seconds=61)
    await p.refused(
        who["m4"],
        "POST",
        f"{h.base}/attendance/hall-code/check-in",
        422,
        json={"code": code["code"]},
    )
    # the observer is no member of the cell: no hall check-in for them
    fresh = await p.ok(sec, "POST", f"{h.base}/attendance/hall-code")
    await p.refused(
        who["observer"],
        "POST",
        f"{h.base}/attendance/hall-code/check-in",
        409,
        json={"code": fresh["code"]},
    )
    # a member checked in cannot be marked absent; check-out then works
    body = await p.refused(
        sec,
        "PUT",
        f"{h.base}/attendance/absences",
        409,
        json={"absences": [{"member_id": h.m[3], "with_reason": False}]},
    )
    out = await p.ok(sec, "POST", f"{h.base}/attendance/check-out", json={"member_ids": [h.m[3]]})
    assert out["member_ids"] == [h.m[3]]
    clock.advance(seconds=1)
    summary = await p.ok(sec, "GET", f"{h.base}/attendance")
    assert (summary["present"], summary["room"], summary["online"]) == (1, 0, 1)  # still online


async def test_online_drop_within_the_grace_period_still_counts(
    client: Client, db: Database, settings: Settings, clock: FakeClock
) -> None:
    h, who = await _setup(client, db, settings, clock)
    sec, p = who["secretary"], h.people
    await p.ok(sec, "POST", f"{h.base}/start")
    grace = settings.media.reconnect_grace_seconds
    async with db.session() as s:
        s.add(
            AttendanceInterval(
                meeting_id=h.meeting,
                member_id=h.m[5],
                way="online",
                joined_at=clock.now - dt.timedelta(minutes=10),
                left_at=clock.now - dt.timedelta(seconds=30),
            )
        )
    summary = await p.ok(sec, "GET", f"{h.base}/attendance")
    assert (summary["present"], summary["online"]) == (1, 1)  # may still reconnect (A1)
    clock.advance(seconds=grace)
    summary = await p.ok(sec, "GET", f"{h.base}/attendance")
    assert summary["present"] == 0


async def test_a_count_or_ballot_racing_the_close_is_counted_or_refused(
    client: Client, db: Database, settings: Settings, clock: FakeClock
) -> None:
    """A3: the hall's count and a ballot sent at the very moment the chair closes the vote are
    either in the result or refused as too late (409), never stored beside a result that left
    them out."""
    h, who = await _setup(client, db, settings, clock)
    sec, p = who["secretary"], h.people
    await p.ok(sec, "POST", f"{h.base}/start")
    await join_online(client, db, h.meeting, h.m[3:8], clock.now)
    await p.ok(sec, "POST", f"{h.base}/attendance/check-in", json={"member_ids": h.m[0:3]})
    outcomes: set[tuple[int, int]] = set()
    for round_ in range(10):
        vote = await p.ok(sec, "POST", f"{h.base}/votes", 201, json={"subject": f"Lần {round_}"})
        base = f"{h.base}/votes/{vote['id']}"
        hall, ballot, close = await asyncio.gather(
            p.call(sec, "PUT", f"{base}/hall", json={"yes": 3, "no": 0, "abstain": 0}),
            p.call(who["m4"], "POST", f"{base}/ballots", json={"choice": "yes"}),
            p.call(sec, "POST", f"{base}/close"),
        )
        assert close.status == 200, await close.text()
        assert hall.status in (200, 409) and ballot.status in (200, 409)
        for late in (r for r in (hall, ballot) if r.status == 409):
            assert (await late.json())["message"]["vi"]
        result = (await close.json())["result"]
        async with db.session() as s:
            stored = await conduct_store.vote(s, vote["id"])
            ballots = await conduct_store.ballots(s, vote["id"])
            assert stored is not None
            stored_hall = (stored.hall_yes, stored.hall_no, stored.hall_abstain)
        assert stored_hall == tuple(result["hall"][k] for k in ("yes", "no", "abstain"))
        assert len(ballots) == sum(result["online"].values()) + result["ignored_ballots"]
        outcomes.add((hall.status, ballot.status))
    print("hall, ballot statuses seen:", sorted(outcomes))
