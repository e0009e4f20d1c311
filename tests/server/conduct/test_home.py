"""The home API (``GET /api/home``): the committee member assigned to attend a party group's
meeting finds it there (§II.4.2), and the page's "today" is the server's, in Vietnam time on the
app clock, never the device's."""

from __future__ import annotations

import datetime as dt

from policy.model import Role
from server.config import Settings
from server.demo import LARGE_CODE
from server.storage.db import Database
from tests.conftest import Client
from tests.server.auth.support import FakeClock
from tests.server.conduct.support import People, members_of, org_id


async def test_home_lists_the_group_meetings_a_committee_member_attends(
    client: Client, db: Database, settings: Settings, clock: FakeClock
) -> None:
    p = People(client, db, settings, clock)
    cell = await org_id(db, LARGE_CODE)
    groups = [await org_id(db, f"{LARGE_CODE}-TO{g}") for g in (1, 2, 3)]
    members = await members_of(db, cell)
    m = [x.id for x in members]
    in_group = [[x.id for x in members if x.group_id == g and x.id not in m[:6]] for g in groups]
    secretary = await p.add("bithu-home", Role.SECRETARY, cell, m[0])
    committee_member = await p.add("chiuy-home", Role.COMMITTEE, cell, m[5])
    leaders = [
        await p.add(f"totruong-home{i + 1}", Role.GROUP_LEADER, g, in_group[i][0])
        for i, g in enumerate(groups)
    ]
    home = await p.ok(committee_member, "GET", "/api/home")
    assert home["attending"] == []
    vn_morning = dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC)  # 09:00 Vietnam, 24/11
    committee = await p.ok(
        secretary,
        "POST",
        f"/api/organisations/{cell}/meetings",
        201,
        json={
            "kind": "committee",
            "mode": "in_person",
            "title": "Họp chi ủy chuẩn bị",
            "scheduled_start": (vn_morning - dt.timedelta(days=3)).isoformat(),
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
            "title": "Sinh hoạt chi bộ theo tổ",
            "scheduled_start": (vn_morning + dt.timedelta(days=2)).isoformat(),
        },
    )
    plans = [
        {
            "group_id": g,
            "leader_member_id": leaders[i].member_id,
            "committee_member_id": m[5] if i else m[0],
            "scheduled_start": (vn_morning + dt.timedelta(days=max(i - 1, 0))).isoformat(),
            "location": f"Phòng họp tổ {i + 1}",
        }
        for i, g in enumerate(groups)
    ]
    assigned = await p.ok(
        secretary,
        "POST",
        f"/api/meetings/{cell_meeting['id']}/groups",
        201,
        json={"committee_meeting_id": committee["id"], "groups": plans},
    )
    group_meetings = [a["group_meeting_id"] for a in assigned]

    # the committee member attends groups 2 and 3, earliest first, with what the page shows
    home = await p.ok(committee_member, "GET", "/api/home")
    assert [a["meeting"]["id"] for a in home["attending"]] == group_meetings[1:]
    first = home["attending"][0]
    assert (first["group_id"], first["cell_meeting_id"]) == (groups[1], cell_meeting["id"])
    assert first["group"].startswith("Tổ đảng số 2")
    assert (first["meeting"]["kind"], first["meeting"]["status"]) == ("group", "scheduled")
    # group 2 meets on 24/11 (Vietnam), group 3 the day after
    days = [a["meeting"]["scheduled_start"][:10] for a in home["attending"]]
    assert days == ["2026-11-24", "2026-11-25"]
    # and may join it (R7): the member page of that group's meeting opens
    resp = await p.call(committee_member, "GET", f"/meetings/{group_meetings[1]}")
    assert resp.status == 200
    # the secretary attends group 1; a leader outside the committee attends none
    home = await p.ok(secretary, "GET", "/api/home")
    assert [a["meeting"]["id"] for a in home["attending"]] == group_meetings[:1]
    home = await p.ok(leaders[1], "GET", "/api/home")
    assert home["attending"] == []
    # GM3: each leader's group meeting is listed while its report is owed; nobody else's
    assert [m["id"] for m in home["reports_owed"]] == group_meetings[1:2]
    home = await p.ok(committee_member, "GET", "/api/home")
    assert home["reports_owed"] == []


async def test_home_today_is_the_servers_day_in_vietnam(
    client: Client, db: Database, settings: Settings, clock: FakeClock
) -> None:
    """The page lists as "today" what falls on the server's Vietnam date (the app clock): at
    23:30 on 23/11 in Vietnam it is already 24/11 there and still 23/11 in UTC (the date a
    device set to UTC would take)."""
    p = People(client, db, settings, clock)
    cell = await org_id(db, LARGE_CODE)
    m = [x.id for x in await members_of(db, cell)]
    clock.now = dt.datetime(2026, 11, 23, 17, 30, tzinfo=dt.UTC)
    member = await p.add("dangvien-home", Role.MEMBER, cell, m[3])
    home = await p.ok(member, "GET", "/api/home")
    assert home["today"] == "2026-11-24"
    assert dt.datetime.fromisoformat(home["now"]) == clock.now
    # the server's clock moves on a day: so does the page's today
    clock.now += dt.timedelta(days=1)
    member = await p.add("dangvien-home2", Role.MEMBER, cell, m[6])
    home = await p.ok(member, "GET", "/api/home")
    assert home["today"] == "2026-11-25"


async def test_home_needs_a_session(client: Client) -> None:
    resp = await client.get("/api/home")
    assert resp.status == 401
