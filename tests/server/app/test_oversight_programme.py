"""The pilot as a programme (V1, V2, V3) through the API, each step by the role that takes it.

828-CV/ĐUK §1: "báo cáo Ban Thường vụ Đảng uỷ Khối trước 10/4/2023 để xem xét, quyết định trước
khi thực hiện"; §3: "Ban Tổ chức Đảng uỷ Khối … tổng hợp, thẩm định các tổ chức đảng có đủ điều
kiện sinh hoạt trực tuyến …, trình Ban Thường vụ Đảng uỷ Khối xem xét, quyết định."
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from policy.model import MemberStatus, OrgLevel, Role
from server.app import create_app
from server.storage.db import Database
from server.storage.models import Member, Organisation
from tests.conftest import AiohttpClient, Client
from tests.server.auth.conftest import make_settings
from tests.server.auth.support import (
    FakeClock,
    SignInAccount,
    audit_records,
    make_account,
    sign_in,
)


async def _cell(db: Database, bloc: int, code: str, seafarers: int) -> int:
    async with db.session() as s:
        cell = Organisation(
            level=OrgLevel.CELL,
            parent_id=bloc,
            name=f"Chi bộ {code}",
            code=code,
            location="Hải Phòng",
            it_ready=True,
        )
        s.add(cell)
        await s.flush()
        for n in range(6):
            s.add(
                Member(
                    org_id=cell.id,
                    full_name=f"Thuyền viên {n}",
                    status=MemberStatus.FULL,
                    e1a_reasons=["seafarer"] if n < seafarers else [],
                )
            )
        return cell.id


def _form(submitted_on: str, call: int) -> dict[str, Any]:
    return {
        "scope": "online",
        "submitted_on": submitted_on,
        "member_count": 6,
        "locations": "Tuyến quốc tế",
        "cells_count": 1,
        "it_readiness": "",
        "call_id": call,
    }


async def test_v1_v2_registration_vetted_returned_corrected_approved(
    aiohttp_client: AiohttpClient, tmp_path: Path, db_url: str
) -> None:
    settings = make_settings(tmp_path, db_url)
    db = Database(db_url)
    async with db.session() as s:
        bloc = Organisation(level=OrgLevel.GRASSROOTS, name="Đảng ủy Khối Doanh nghiệp", code="DUK")
        s.add(bloc)
        await s.flush()
        bloc_id = bloc.id
    ship = await _cell(db, bloc_id, "TAU-1", seafarers=4)
    office = await _cell(db, bloc_id, "VP-1", seafarers=1)
    clock = FakeClock(dt.datetime(2026, 4, 5, 1, 0, tzinfo=dt.UTC))  # 08:00 on 5/4 in Vietnam
    client: Client = await aiohttp_client(create_app(settings, clock=clock))
    board = await make_account(db, settings, "bantochuc", Role.ORG_BOARD, bloc_id)
    standing = await make_account(db, settings, "thuongvu", Role.STANDING_COMMITTEE, bloc_id)
    unit = await make_account(db, settings, "bithutau", Role.SECRETARY, ship)
    other = await make_account(db, settings, "bithuvp", Role.SECRETARY, office)

    async def as_(account: SignInAccount) -> dict[str, str]:
        clock.advance(seconds=31)
        return {"X-CSRF-Token": await sign_in(client, account, clock.now)}

    # V1: the call and its deadline
    h = await as_(board)
    resp = await client.post(
        f"/api/organisations/{bloc_id}/pilot-calls",
        json={"number": "828-CV/ĐUK", "issued_on": "2026-03-23", "deadline": "2026-04-10"},
        headers=h,
    )
    assert resp.status == 201, await resp.text()
    call = (await resp.json())["id"]
    h = await as_(unit)
    late = await client.post(
        f"/api/organisations/{ship}/pilot-registrations",
        json=_form("2026-04-12", call),
        headers=h,
    )
    assert late.status == 409
    refusal = await late.json()
    assert refusal["rules"] == ["V1"] and "10/04/2026" in refusal["message"]["vi"]
    resp = await client.post(
        f"/api/organisations/{ship}/pilot-registrations",
        json=_form("2026-04-05", call),
        headers=h,
    )
    assert resp.status == 201, await resp.text()
    reg = await resp.json()
    assert reg["state"] == "submitted"
    steps = f"/api/registrations/{reg['id']}/steps"
    # the unit cannot vet its own registration
    assert (await client.post(steps, json={"action": "endorse"}, headers=h)).status == 403

    # V2: vetting, returned with a reason
    h = await as_(board)
    resp = await client.post(steps, json={"action": "vet"}, headers=h)
    assert (await resp.json())["state"] == "vetting"
    resp = await client.post(steps, json={"action": "return"}, headers=h)
    assert resp.status == 409 and (await resp.json())["rules"] == ["V2"]
    reason = "Chưa kê khai hạ tầng công nghệ thông tin trên tàu"
    resp = await client.post(steps, json={"action": "return", "reason": reason}, headers=h)
    assert (await resp.json())["state"] == "returned"
    resp = await client.post(steps, json={"action": "endorse"}, headers=h)
    assert resp.status == 409 and "Trả lại" in (await resp.json())["message"]["vi"]

    # corrected by the unit, then endorsed and approved
    h = await as_(unit)
    resp = await client.post(
        steps,
        json={"action": "correct", "correction": {"it_readiness": "VSAT, mã hóa đầu cuối"}},
        headers=h,
    )
    corrected = await resp.json()
    assert (
        corrected["state"] == "submitted" and corrected["it_readiness"] == "VSAT, mã hóa đầu cuối"
    )
    h = await as_(board)
    resp = await client.post(steps, json={"action": "endorse"}, headers=h)
    assert (await resp.json())["state"] == "vetted", await resp.text()
    # only the standing committee decides
    assert (await client.post(steps, json={"action": "approve"}, headers=h)).status == 403
    h = await as_(standing)
    resp = await client.post(
        steps,
        json={"action": "approve", "number": "15-QĐ/ĐUK", "decided_on": "2026-04-20"},
        headers=h,
    )
    assert resp.status == 200, await resp.text()
    assert (await resp.json())["state"] == "approved"
    decisions = await (await client.get(f"/api/organisations/{ship}/decisions")).json()
    assert [(d["number"], d["registration_id"]) for d in decisions] == [("15-QĐ/ĐUK", reg["id"])]
    events = await (await client.get(f"/api/registrations/{reg['id']}/events")).json()
    assert [e["action"] for e in events] == [
        "submit",
        "vet",
        "return",
        "correct",
        "endorse",
        "approve",
    ]
    assert events[2]["reason"] == reason and events[2]["state_to"] == "returned"
    assert "E1" in events[4]["check"]["rules"] and events[4]["check"]["outcome"] == "allowed"

    # V2: vetting refuses a unit where E1 does not hold
    h = await as_(other)
    resp = await client.post(
        f"/api/organisations/{office}/pilot-registrations",
        json=_form("2026-04-01", call),
        headers=h,
    )
    office_reg = (await resp.json())["id"]
    h = await as_(board)
    resp = await client.post(
        f"/api/registrations/{office_reg}/steps", json={"action": "endorse"}, headers=h
    )
    assert resp.status == 409
    assert {"V2", "E1"} <= set((await resp.json())["rules"])

    # V3: the board follows where each unit stands
    rows = await (
        await client.get(
            f"/api/organisations/{bloc_id}/pilot-monitoring?from=2026-01-01&to=2026-06-30"
        )
    ).json()
    assert {r["unit"]: r["registration"] for r in rows} == {
        "Chi bộ TAU-1": "approved",
        "Chi bộ VP-1": "submitted",
    }
    # V3: the board records an incident on the ship's cell; the unit's own secretary elsewhere
    # may not record one for another cell
    h = await as_(board)
    resp = await client.post(
        f"/api/organisations/{ship}/pilot-incidents",
        json={"occurred_on": "2026-04-05", "kind": "technical", "description": "Mất tín hiệu"},
        headers=h,
    )
    assert resp.status == 201, await resp.text()
    listed = await (
        await client.get(
            f"/api/organisations/{bloc_id}/pilot-incidents?from=2026-04-01&to=2026-04-30"
        )
    ).json()
    assert [(i["unit"], i["kind"], i["description"]) for i in listed] == [
        ("Chi bộ TAU-1", "technical", "Mất tín hiệu")
    ]
    resp = await client.post(  # tomorrow in Vietnam: refused citing V3
        f"/api/organisations/{ship}/pilot-incidents",
        json={"occurred_on": "2026-04-06", "kind": "technical", "description": "Chưa xảy ra"},
        headers=h,
    )
    assert resp.status == 422 and (await resp.json())["rules"] == ["V3"]
    h = await as_(other)
    resp = await client.post(
        f"/api/organisations/{ship}/pilot-incidents",
        json={"occurred_on": "2026-04-05", "kind": "feedback", "description": "Ý kiến"},
        headers=h,
    )
    assert resp.status == 403
    await db.close()


async def test_v1_open_calls_listed_in_vietnam_time_and_a_backdated_form_refused(
    aiohttp_client: AiohttpClient, tmp_path: Path, db_url: str
) -> None:
    """V1 (828-CV/ĐUK §1: "báo cáo Ban Thường vụ Đảng uỷ Khối trước 10/4/2023"): a cell is
    offered the calls of the organisations above it whose deadline has not passed in Vietnam
    time; after the deadline the call is no longer offered, and a form dated before it is
    refused citing V1 (the app clock's date counts, not the date the form gives)."""
    settings = make_settings(tmp_path, db_url)
    db = Database(db_url)
    async with db.session() as s:
        bloc = Organisation(level=OrgLevel.GRASSROOTS, name="Đảng ủy Khối V1", code="DUK-V1")
        other_bloc = Organisation(level=OrgLevel.GRASSROOTS, name="Đảng ủy khác", code="DUK-X")
        s.add_all([bloc, other_bloc])
        await s.flush()
        bloc_id, other_id = bloc.id, other_bloc.id
    ship = await _cell(db, bloc_id, "TAU-V1", seafarers=4)
    # 23:30 on 10/4 in Vietnam (16:30 UTC): the deadline's last half hour
    clock = FakeClock(dt.datetime(2026, 4, 10, 16, 30, tzinfo=dt.UTC))
    client: Client = await aiohttp_client(create_app(settings, clock=clock))
    board = await make_account(db, settings, "bantochucv1", Role.ORG_BOARD, bloc_id)
    elsewhere = await make_account(db, settings, "bantochucx", Role.ORG_BOARD, other_id)
    unit = await make_account(db, settings, "bithutauv1", Role.SECRETARY, ship)

    async def as_(account: SignInAccount) -> dict[str, str]:
        clock.advance(seconds=31)
        return {"X-CSRF-Token": await sign_in(client, account, clock.now)}

    async def call(headers: dict[str, str], org: int, number: str, deadline: str) -> int:
        resp = await client.post(
            f"/api/organisations/{org}/pilot-calls",
            json={"number": number, "issued_on": "2026-03-23", "deadline": deadline},
            headers=headers,
        )
        assert resp.status == 201, await resp.text()
        return int((await resp.json())["id"])

    h = await as_(board)
    open_one = await call(h, bloc_id, "828-CV/ĐUK", "2026-04-10")
    await call(h, bloc_id, "801-CV/ĐUK", "2026-04-09")  # passed yesterday
    await call(await as_(elsewhere), other_id, "900-CV/ĐU", "2026-05-01")  # not above the cell

    h = await as_(unit)
    offered = await (await client.get(f"/api/organisations/{ship}/pilot-calls/open")).json()
    assert [(c["id"], c["org"], c["deadline"], c["days_left"]) for c in offered] == [
        (open_one, "Đảng ủy Khối V1", "2026-04-10", 0)
    ]
    # the board's page is not the cell's: the listing is the unit's (PILOT_MANAGE)
    h_board = await as_(board)
    denied = await client.get(f"/api/organisations/{ship}/pilot-calls/open", headers=h_board)
    assert denied.status == 403

    clock.advance(minutes=31)  # 00:01 on 11/4 in Vietnam
    h = await as_(unit)
    assert await (await client.get(f"/api/organisations/{ship}/pilot-calls/open")).json() == []
    late = await client.post(
        f"/api/organisations/{ship}/pilot-registrations",
        json=_form("2026-04-10", open_one),  # dated on the deadline, sent after it
        headers=h,
    )
    assert late.status == 409, await late.text()
    refusal = await late.json()
    assert refusal["rules"] == ["V1"]
    assert "quá thời hạn đăng ký 10/04/2026" in refusal["message"]["vi"]
    assert "11/04/2026" in refusal["message"]["vi"]
    await db.close()


async def test_v1_a_call_closed_early_by_the_board_is_not_offered_and_refuses_registrations(
    aiohttp_client: AiohttpClient, tmp_path: Path, db_url: str
) -> None:
    """V1 ("Cells register with the form of 828-CV by a deadline set by the superior
    committee"): the organisation board may close its call before the deadline; the call is no
    longer offered to the cell, a registration sent to it (or a draft sent later) is refused
    citing V1 with the day it closed (Vietnam time); only the board closes it, once, audited."""
    settings = make_settings(tmp_path, db_url)
    db = Database(db_url)
    async with db.session() as s:
        bloc = Organisation(level=OrgLevel.GRASSROOTS, name="Đảng ủy Khối đóng", code="DUK-CL")
        s.add(bloc)
        await s.flush()
        bloc_id = bloc.id
    ship = await _cell(db, bloc_id, "TAU-CL", seafarers=4)
    # 23:30 on 5/4 in Vietnam (16:30 UTC): the Vietnam date is not the UTC one
    clock = FakeClock(dt.datetime(2026, 4, 5, 16, 30, tzinfo=dt.UTC))
    client: Client = await aiohttp_client(create_app(settings, clock=clock))
    board = await make_account(db, settings, "bantochuccl", Role.ORG_BOARD, bloc_id)
    unit = await make_account(db, settings, "bithutaucl", Role.SECRETARY, ship)

    async def as_(account: SignInAccount) -> dict[str, str]:
        clock.advance(seconds=31)
        return {"X-CSRF-Token": await sign_in(client, account, clock.now)}

    h = await as_(board)
    resp = await client.post(
        f"/api/organisations/{bloc_id}/pilot-calls",
        json={"number": "828-CV/ĐUK", "issued_on": "2026-03-23", "deadline": "2026-04-10"},
        headers=h,
    )
    call = (await resp.json())["id"]
    h = await as_(unit)
    draft = await client.post(
        f"/api/organisations/{ship}/pilot-registrations",
        json={**_form("2026-04-05", call), "draft": True},
        headers=h,
    )
    assert draft.status == 201, await draft.text()
    # the cell cannot close the committee's call
    assert (await client.post(f"/api/pilot-calls/{call}/close", headers=h)).status == 403

    h = await as_(board)
    resp = await client.post(f"/api/pilot-calls/{call}/close", headers=h)
    assert resp.status == 200, await resp.text()
    assert (await resp.json())["closed_at"] is not None
    listed = await (await client.get(f"/api/organisations/{bloc_id}/pilot-calls")).json()
    assert [c["closed_at"] is not None for c in listed] == [True]
    again = await client.post(f"/api/pilot-calls/{call}/close", headers=h)
    assert again.status == 409 and (await again.json())["rules"] == ["V1"]
    closes = [
        r for r in await audit_records(db, "pilot.call.close") if r.actor == f"account:{board.id}"
    ]
    assert len(closes) == 1 and closes[0].target == f"org:{bloc_id}"

    h = await as_(unit)
    assert await (await client.get(f"/api/organisations/{ship}/pilot-calls/open")).json() == []
    refused = await client.post(
        f"/api/organisations/{ship}/pilot-registrations",
        json=_form("2026-04-05", call),
        headers=h,
    )
    assert refused.status == 409, await refused.text()
    refusal = await refused.json()
    assert refusal["rules"] == ["V1"]
    assert "đã được cấp ủy cấp trên đóng ngày 05/04/2026" in refusal["message"]["vi"]
    resp = await client.post(
        f"/api/registrations/{(await draft.json())['id']}/steps",
        json={"action": "submit"},
        headers=h,
    )
    assert resp.status == 409 and (await resp.json())["rules"] == ["V1"]
    # the cell's page reads which call each of its registrations answered, closed or not
    answered = await (await client.get(f"/api/organisations/{ship}/pilot-calls/answered")).json()
    assert [
        (c["id"], c["number"], c["org"], c["deadline"], c["closed_at"] is not None)
        for c in answered
    ] == [(call, "828-CV/ĐUK", "Đảng ủy Khối đóng", "2026-04-10", True)]
    await db.close()


async def test_v3_the_committees_leaders_record_incidents_of_their_cells(
    aiohttp_client: AiohttpClient, tmp_path: Path, db_url: str
) -> None:
    """V3 ("The organisation board monitors the pilot and prepares interim and final reviews
    …: incidents, members' feedback"): besides the board, the leaders of the committee above a
    cell (its secretary and deputies, OVERSIGHT_MANAGE held on the committee) record an incident
    for one of its cells, audited; a committee member without it, or a leader of another
    committee, is refused (403, audited)."""
    settings = make_settings(tmp_path, db_url)
    db = Database(db_url)
    async with db.session() as s:
        bloc = Organisation(level=OrgLevel.GRASSROOTS, name="Đảng ủy V3", code="DUK-V3")
        other_bloc = Organisation(level=OrgLevel.GRASSROOTS, name="Đảng ủy khác V3", code="X-V3")
        s.add_all([bloc, other_bloc])
        await s.flush()
        bloc_id, other_id = bloc.id, other_bloc.id
    ship = await _cell(db, bloc_id, "TAU-V3", seafarers=4)
    clock = FakeClock(dt.datetime(2026, 4, 5, 1, 0, tzinfo=dt.UTC))
    client: Client = await aiohttp_client(create_app(settings, clock=clock))
    lead = await make_account(db, settings, "bithuv3", Role.SECRETARY, bloc_id)
    deputy = await make_account(db, settings, "phobithuv3", Role.DEPUTY, bloc_id)
    member = await make_account(db, settings, "capuyvienv3", Role.COMMITTEE, bloc_id)
    stranger = await make_account(db, settings, "bithukhacv3", Role.SECRETARY, other_id)

    async def record(account: SignInAccount, text: str) -> int:
        clock.advance(seconds=31)
        h = {"X-CSRF-Token": await sign_in(client, account, clock.now)}
        resp = await client.post(
            f"/api/organisations/{ship}/pilot-incidents",
            json={"occurred_on": "2026-04-05", "kind": "feedback", "description": text},
            headers=h,
        )
        return resp.status

    assert await record(lead, "Đảng viên phản ánh tiếng vọng") == 201
    assert await record(deputy, "Mất điện tại điểm cầu") == 201
    assert await record(member, "Không được ghi") == 403
    assert await record(stranger, "Không được ghi") == 403
    clock.advance(seconds=31)
    await sign_in(client, lead, clock.now)
    listed = await (
        await client.get(
            f"/api/organisations/{bloc_id}/pilot-incidents?from=2026-04-01&to=2026-04-30"
        )
    ).json()
    assert sorted(i["description"] for i in listed) == [
        "Mất điện tại điểm cầu",
        "Đảng viên phản ánh tiếng vọng",
    ]
    recorded = {r.actor for r in await audit_records(db, "pilot.incident")}
    assert {f"account:{lead.id}", f"account:{deputy.id}"} <= recorded
    denied = {
        r.actor
        for r in await audit_records(db, "access.denied")
        if r.target.endswith(f"/api/organisations/{ship}/pilot-incidents")
    }
    assert {f"account:{member.id}", f"account:{stranger.id}"} <= denied
    await db.close()
