"""The party-group cycle of the 60-member demo cell with 4 groups (E2, P5, §II.4.2, GM3): the
committee assigns the groups, each leader chairs their group's meeting and reports, one report
comes late and is flagged, and consolidation waits until every group has reported."""

from __future__ import annotations

import datetime as dt
import io

import docx

from policy.model import Role
from server.config import Settings
from server.demo import LARGE_CODE
from server.rules import VN_TZ
from server.storage import attendance as attendance_store
from server.storage import meetings as meeting_store
from server.storage.db import Database
from tests.conftest import Client
from tests.server.auth.support import FakeClock, audit_records
from tests.server.conduct.support import People, Person, members_of, org_id

DRAFT = "Dự thảo nghị quyết chi bộ tháng 12"


async def _group_meeting(
    p: People,
    leader: Person,
    meeting_id: int,
    member_ids: list[int],
    hall: tuple[int, int, int],
    excused: tuple[int, str] | None = None,
) -> None:
    base = f"/api/meetings/{meeting_id}"
    await p.ok(leader, "POST", f"{base}/group/start")
    await p.ok(leader, "POST", f"{base}/attendance/check-in", json={"member_ids": member_ids})
    if excused is not None:  # M1: an absence with its reason, named in the cell's minutes
        member_id, reason = excused
        absence = {"member_id": member_id, "with_reason": True, "reason": reason}
        await p.ok(leader, "PUT", f"{base}/attendance/absences", json={"absences": [absence]})
    vote = await p.ok(leader, "POST", f"{base}/votes", 201, json={"subject": DRAFT})
    yes, no, abstain = hall
    await p.ok(
        leader,
        "PUT",
        f"{base}/votes/{vote['id']}/hall",
        json={"yes": yes, "no": no, "abstain": abstain},
    )
    closed = await p.ok(leader, "POST", f"{base}/votes/{vote['id']}/close")
    assert closed["result"]["rules"] == ["A2", "A3", "A4"]
    await p.ok(leader, "POST", f"{base}/group/close")
    # attendance ends with the group's meeting (A1), counted in the audit record
    async with p.db.session() as s:
        rows = await attendance_store.of_meeting(s, meeting_id)
        meeting = await meeting_store.get(s, meeting_id)
    assert meeting is not None and meeting.ended_at is not None
    assert len(rows) == len(member_ids)
    assert all(r.left_at == meeting.ended_at for r in rows)
    record = (await audit_records(p.db, "group.close"))[0]
    assert record.details["intervals_closed"] == {"room": len(member_ids), "online": 0}


async def test_party_group_cycle_with_a_late_report(
    client: Client, db: Database, settings: Settings, clock: FakeClock
) -> None:
    p = People(client, db, settings, clock)
    cell = await org_id(db, LARGE_CODE)
    groups = [await org_id(db, f"{LARGE_CODE}-TO{g}") for g in (1, 2, 3, 4)]
    members = await members_of(db, cell)
    m = [x.id for x in members]
    by_group = {g: [x.id for x in members if x.group_id == g] for g in groups}
    assert [len(v) for v in by_group.values()] == [15, 15, 15, 15]
    secretary = await p.add("bithu-lon", Role.SECRETARY, cell, m[0])
    deputy = await p.add("phobithu-lon", Role.DEPUTY, cell, m[4])  # also leads group 1
    await p.add("chiuy-lon", Role.COMMITTEE, cell, m[5])
    await p.grant(deputy, Role.GROUP_LEADER, groups[0])
    leaders = [
        deputy,
        await p.add("totruong2", Role.GROUP_LEADER, groups[1], m[9]),
        await p.add("totruong3", Role.GROUP_LEADER, groups[2], m[10]),
        await p.add("totruong4", Role.GROUP_LEADER, groups[3], m[11]),
    ]
    today = clock.now.astimezone(VN_TZ)
    committee = await p.ok(
        secretary,
        "POST",
        f"/api/organisations/{cell}/meetings",
        201,
        json={
            "kind": "committee",
            "mode": "in_person",
            "title": "Họp chi ủy chuẩn bị sinh hoạt theo tổ",
            "scheduled_start": (today - dt.timedelta(days=5)).isoformat(),
        },
    )
    cell_meeting = await p.ok(
        secretary,
        "POST",
        f"/api/organisations/{cell}/meetings",
        201,
        json={
            "kind": "regular",
            "mode": "group",
            "title": "Sinh hoạt chi bộ tháng 12 theo tổ đảng",
            "scheduled_start": (today + dt.timedelta(days=2)).isoformat(),
        },
    )
    base_id = cell_meeting["id"]
    base = f"/api/meetings/{base_id}"
    # the content the committee sets on the cell meeting is what every group meeting discusses
    content = "Quán triệt nhiệm vụ quý I và góp ý dự thảo"
    await p.ok(
        secretary, "POST", f"{base}/agenda", 201, json={"title": content, "category": "ordinary"}
    )
    step = await p.ok(secretary, "GET", f"{base}/groups")
    assert [len(g["members"]) for g in step["groups"]] == [15, 15, 15, 15]
    leader_ids = [leader.member_id for leader in leaders]
    assert [g["leader_member_ids"] for g in step["groups"]] == [[i] for i in leader_ids]
    assert {c["id"] for c in step["committee"]} == {m[0], m[4], m[5]}
    assert [c["id"] for c in step["committee_meetings"]] == [committee["id"]]
    assert [c["title"] for c in step["content"]] == [content]
    await p.refused(leaders[1], "GET", f"{base}/groups", 403)
    # group 4 met three days ago; groups 1–3 meet today
    held = [today, today, today, today - dt.timedelta(days=3)]
    plans = [
        {
            "group_id": groups[i],
            "leader_member_id": leader.member_id,
            "committee_member_id": m[0] if i < 2 else m[5],
            "scheduled_start": held[i].isoformat(),
            "location": f"Phòng họp tổ {i + 1}",
        }
        for i, leader in enumerate(leaders)
    ]
    # the leader must belong to the group, the assignee must sit on the committee
    wrong = [{**plans[0], "leader_member_id": m[1]}]
    await p.refused(
        secretary,
        "POST",
        f"{base}/groups",
        422,
        json={"committee_meeting_id": committee["id"], "groups": wrong},
    )
    wrong = [{**plans[0], "committee_member_id": m[8]}]
    await p.refused(
        secretary,
        "POST",
        f"{base}/groups",
        422,
        json={"committee_meeting_id": committee["id"], "groups": wrong},
    )
    # a group leader does not assign groups
    await p.refused(
        leaders[1],
        "POST",
        f"{base}/groups",
        403,
        json={"committee_meeting_id": committee["id"], "groups": plans},
    )
    assigned = await p.ok(
        secretary,
        "POST",
        f"{base}/groups",
        201,
        json={"committee_meeting_id": committee["id"], "groups": plans},
    )
    assert [a["leader_invited"] for a in assigned] == [False, True, True, True]
    meetings = [a["group_meeting_id"] for a in assigned]
    own = await p.ok(leaders[1], "GET", f"/api/meetings/{meetings[1]}/group")
    assert (own["status"], own["cell_meeting_id"], own["report"]) == ("due", base_id, None)
    assert own["due_on"] == (today + dt.timedelta(days=1)).date().isoformat()
    await p.refused(leaders[1], "GET", f"/api/meetings/{meetings[0]}/group", 403)
    copied = await p.ok(leaders[1], "GET", f"/api/meetings/{meetings[1]}/agenda")
    assert [i["title"] for i in copied] == [content]
    group_meeting = await p.ok(secretary, "GET", f"/api/meetings/{meetings[1]}")
    assert (group_meeting["kind"], group_meeting["mode"]) == ("group", "group")
    assert group_meeting["parent_meeting_id"] == cell_meeting["id"]
    # a leader chairs only their own group's meeting
    await p.refused(leaders[1], "POST", f"/api/meetings/{meetings[0]}/group/start", 403)

    # group 2 discusses the draft and records a differing opinion
    g2 = f"/api/meetings/{meetings[1]}"
    item = await p.ok(
        leaders[1], "POST", f"{g2}/agenda", 201, json={"title": DRAFT, "category": "ordinary"}
    )
    discipline = await p.ok(
        leaders[1],
        "POST",
        f"{g2}/agenda",
        201,
        json={"title": "Xem xét thi hành kỷ luật đảng viên", "category": "T7"},
    )
    assert discipline["status"] == "deferred"  # G1: never in a group meeting
    deferred = await p.ok(secretary, "GET", f"/api/organisations/{cell}/deferred")
    assert [(d["item_id"], d["rules"]) for d in deferred] == [(discipline["id"], ["G1", "T7"])]
    await p.ok(leaders[1], "POST", f"{g2}/group/start")
    await p.ok(leaders[1], "POST", f"{g2}/agenda/{item['id']}/open")
    await p.ok(
        leaders[1],
        "POST",
        f"{g2}/agenda/{item['id']}/notes",
        201,
        json={
            "kind": "differing",
            "member_id": by_group[groups[1]][2],
            "text": "Đề nghị lùi thời hạn sơ kết sang tháng 2.",
        },
    )
    # a secret ballot is refused in a group meeting too (G3, T12)
    body = await p.refused(
        leaders[1], "POST", f"{g2}/votes", 409, json={"subject": DRAFT, "kind": "secret"}
    )
    assert body["rules"] == ["G3", "T12"]
    await p.ok(leaders[1], "POST", f"{g2}/agenda/{item['id']}/close")
    await p.ok(
        leaders[1], "POST", f"{g2}/attendance/check-in", json={"member_ids": by_group[groups[1]]}
    )
    vote = await p.ok(leaders[1], "POST", f"{g2}/votes", 201, json={"subject": DRAFT})
    await p.ok(
        leaders[1], "PUT", f"{g2}/votes/{vote['id']}/hall", json={"yes": 13, "no": 1, "abstain": 1}
    )
    await p.ok(leaders[1], "POST", f"{g2}/votes/{vote['id']}/close")
    await p.ok(leaders[1], "POST", f"{g2}/group/close")

    # groups 1, 3, 4: 14 of 15 attend; group 4 has 3 probationary members (12 full)
    excused = (by_group[groups[0]][14], "Đi công tác biển")
    await _group_meeting(p, leaders[0], meetings[0], by_group[groups[0]][:14], (12, 1, 1), excused)
    await _group_meeting(p, leaders[2], meetings[2], by_group[groups[2]][:14], (14, 0, 0))
    await _group_meeting(p, leaders[3], meetings[3], by_group[groups[3]][:14], (10, 1, 0))

    for i in (0, 1, 2):
        report = await p.ok(leaders[i], "POST", f"/api/meetings/{meetings[i]}/group/report")
        assert report["gm3"]["outcome"] == "allowed" and report["gm3"]["late"] is False
    # group 4 has not reported: overdue today, still due on the day after its meeting
    reports = await p.ok(secretary, "GET", f"{base}/groups/reports")
    assert [r["status"] for r in reports] == ["reported", "reported", "reported", "overdue"]
    assert reports[3]["rules"] == ["GM3"]
    day_after = (held[3] + dt.timedelta(days=1)).date().isoformat()
    reports = await p.ok(secretary, "GET", f"{base}/groups/reports?date={day_after}")
    assert reports[3]["status"] == "due"
    body = await p.refused(secretary, "POST", f"{base}/groups/consolidate", 409)
    assert body["rules"] == ["GM3"] and "Tổ đảng số 4" in body["message"]["vi"]

    late = await p.ok(leaders[3], "POST", f"/api/meetings/{meetings[3]}/group/report")
    assert late["gm3"]["outcome"] == "blocked" and late["gm3"]["late"] is True
    await p.refused(leaders[3], "POST", f"/api/meetings/{meetings[3]}/group/report", 409)
    reports = await p.ok(secretary, "GET", f"{base}/groups/reports")
    assert [r["status"] for r in reports][3] == "reported_late"
    assert (
        reports[1]["report"]["differing"][0]["text"] == "Đề nghị lùi thời hạn sơ kết sang tháng 2."
    )
    assert reports[3]["report"]["votes"][0]["yes"] == 10
    own = await p.ok(leaders[3], "GET", f"/api/meetings/{meetings[3]}/group")
    assert own["status"] == "reported_late" and own["rules"] == ["GM3"]

    result = await p.ok(deputy, "POST", f"{base}/groups/consolidate")
    assert result["attendance"]["present"] == 14 + 15 + 14 + 14
    assert result["attendance"]["members"] == 60
    (draft,) = result["votes"]
    assert (draft["yes"], draft["no"], draft["abstain"]) == (12 + 13 + 14 + 10, 3, 2)
    # 49 approvals of 57 counted full members (3 probationary): more than half (A3)
    assert draft["outcome"] == "passed" and draft["rules"] == ["A2", "A3", "A4"]
    assert [g["late"] for g in result["groups"]] == [False, False, False, True]
    differing = result["groups"][1]["differing"]
    assert differing[0]["text"] == "Đề nghị lùi thời hạn sơ kết sang tháng 2."
    assert len(await audit_records(db, "group.report")) == 4

    # the consolidation lands in the cell's minutes
    await p.ok(secretary, "POST", f"{base}/minutes", 201, json={"chair_member_id": m[0]})
    raw = await p.ok(secretary, "GET", f"{base}/minutes.docx")
    text = "\n".join(par.text for par in docx.Document(io.BytesIO(raw)).paragraphs)
    assert "TỔNG HỢP KẾT QUẢ SINH HOẠT CÁC TỔ ĐẢNG" in text
    assert "tán thành 49" in text
    # E2: the cell met in its groups; each group's attendance and late report are recorded
    assert "Sinh hoạt theo tổ đảng: có mặt ở các tổ 57 đồng chí" in text
    assert "Tổ đảng số 4 (demo): họp ngày" in text
    assert "có mặt 14; báo cáo gửi chi ủy muộn (GM3)." in text
    assert "Đề nghị lùi thời hạn sơ kết sang tháng 2." in text
    # M1: each group's absent members by name, with or without a reason
    name = {x.id: x.full_name for x in members}
    assert (
        f"Tổ đảng số 1 (demo): vắng có lý do 1 đồng chí: {name[excused[0]]} (Đi công tác biển); "
        "vắng không có lý do 0 đồng chí." in text
    )
    assert "Tổ đảng số 2 (demo): vắng có lý do 0 đồng chí; vắng không có lý do 0 đồng chí." in text
    absent = name[by_group[groups[2]][14]]
    assert (
        f"Tổ đảng số 3 (demo): vắng có lý do 0 đồng chí; vắng không có lý do 1 đồng chí: {absent}."
        in text
    )
    raw = await p.ok(secretary, "GET", f"{base}/minutes.pdf")
    assert raw.startswith(b"%PDF")
