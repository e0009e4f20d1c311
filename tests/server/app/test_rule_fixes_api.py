"""The server applies the rule fixes: duties answer on any date and pass over stored holidays
(R1, E4), combined meetings are refused when scheduled (R2), a decision's issuer is checked (E3),
and E1a reasons count only within their period. Dates are fixed; the organisation's creation date
is set in the database so that nothing depends on today's date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from server.storage import holidays as holiday_store
from server.storage.db import Database
from server.storage.models import Organisation, PublicHoliday
from tests.conftest import Client

CREATED = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


async def _cell(
    client: Client, db_url: str, code: str, *, reasons: list[str], abroad: bool = False
) -> dict[str, Any]:
    root = await (
        await client.post(
            "/api/organisations",
            json={"level": "grassroots", "name": f"Đảng bộ {code}", "code": f"DB-{code}"},
        )
    ).json()
    resp = await client.post(
        "/api/organisations",
        json={
            "parent_id": root["id"],
            "level": "cell",
            "name": f"Chi bộ {code}",
            "code": code,
            "it_ready": True,
            "abroad": abroad,
        },
    )
    assert resp.status == 201, await resp.text()
    cell: dict[str, Any] = await resp.json()
    for i, reason in enumerate(reasons):
        resp = await client.post(
            f"/api/organisations/{cell['id']}/members",
            json={
                "full_name": f"Đảng viên {i}",
                "status": "full",
                "e1a_reasons": [reason] if reason else [],
            },
        )
        assert resp.status == 201, await resp.text()
    db = Database(db_url)
    try:
        async with db.session() as s:
            row = await s.get(Organisation, cell["id"])
            assert row is not None
            row.created_at = CREATED
    finally:
        await db.close()
    return cell


def _decision(issuer_kind: str) -> dict[str, str]:
    return {
        "number": "9-QĐ/ĐU",
        "decided_on": "2025-08-01",
        "issuer": "Nơi ban hành",
        "issuer_kind": issuer_kind,
        "scope": "online",
        "valid_from": "2025-08-01",
    }


async def test_e4_duties_on_a_date_no_rule_set_covers_are_answered(
    client: Client, db_url: str
) -> None:
    """E4: 03-HD/TW "có hiệu lực ... đến hết ngày 30/6/2025"; 50-CT/TW from 23/7/2025."""
    cell = await _cell(client, db_url, "CB-E4", reasons=[""] * 3)
    for on in ("2025-07-01", "2025-07-10", "2025-07-22"):
        resp = await client.get(f"/api/organisations/{cell['id']}/duties?date={on}")
        assert resp.status == 200, await resp.text()
        duties = await resp.json()
        regular = [d for d in duties if d["kind"] == "regular_meeting"]
        assert regular and all(d["rules"] == ["M4"] for d in regular)
        assert all(d["vi"] and d["en"] for d in duties)


async def test_r1_duties_pass_over_stored_holidays(client: Client, db_url: str) -> None:
    """R1: "ngày 03 hàng tháng (nếu vào ngày nghỉ ... sinh hoạt trong tuần đầu tiên của tháng)"."""
    cell = await _cell(client, db_url, "CB-R1", reasons=[""] * 3)
    url = f"/api/organisations/{cell['id']}/duties?date=2026-11-02"
    before = await (await client.get(url)).json()
    assert [
        d["due_on"] for d in before if d["status"] == "due" and d["kind"] == "regular_meeting"
    ] == ["2026-11-03"]
    db = Database(db_url)
    try:
        async with db.session() as s:
            await holiday_store.add_missing(
                s,
                [
                    PublicHoliday(
                        day=dt.date(2026, 11, 3), name_vi="Nghỉ", name_en="Off", kind="set"
                    )
                ],
            )
    finally:
        await db.close()
    after = await (await client.get(url)).json()
    due = [
        (d["due_on"], d["rules"])
        for d in after
        if d["status"] == "due" and d["kind"] == "regular_meeting"
    ]
    assert due == [("2026-11-04", ["R1", "M4"])]


async def test_r2_combined_meeting_refused_when_scheduled(client: Client, db_url: str) -> None:
    """R2: 50-CT/TW "tuyệt đối không được họp chi bộ kết hợp các cuộc họp khác"."""
    cell = await _cell(client, db_url, "CB-R2", reasons=[""] * 3)
    url = f"/api/organisations/{cell['id']}/meetings"
    base = {"kind": "regular", "mode": "in_person", "scheduled_start": "2026-11-03T08:00:00+07:00"}
    resp = await client.post(
        url, json={**base, "title": "Sinh hoạt tháng 11", "combined_with": "Họp công đoàn"}
    )
    assert resp.status == 409
    body = await resp.json()
    assert body["code"] == "policy_denied" and body["rules"] == ["R2"]
    assert "kết hợp" in body["message"]["vi"] and "combined" in body["message"]["en"]
    joint = {**base, "title": "Họp liên tịch chi bộ và công đoàn"}
    resp = await client.post(url, json=joint)
    assert resp.status == 409 and (await resp.json())["rules"] == ["R2"]
    assert await (await client.get(url)).json() == []
    resp = await client.post(url, json={**joint, "not_combined_confirmed": True})
    assert resp.status == 201, await resp.text()
    resp = await client.post(url, json={**base, "title": "Sinh hoạt chi bộ tháng 12"})
    assert resp.status == 201


async def test_e3_issuer_checked_when_a_decision_is_recorded(client: Client, db_url: str) -> None:
    """E3: 03-HD/TW §III.1 "... quyết định việc lựa chọn thí điểm đối với các đảng bộ cơ sở, chi bộ
    ở trong nước; Đảng uỷ Bộ Ngoại giao quyết định ... ở ngoài nước"."""
    home = await _cell(client, db_url, "CB-E3", reasons=[""] * 3)
    resp = await client.post(f"/api/organisations/{home['id']}/decisions", json=_decision("other"))
    assert resp.status == 409
    body = await resp.json()
    assert body["rules"] == ["E3"] and "Nơi ban hành" in body["message"]["vi"]
    ok = await client.post(
        f"/api/organisations/{home['id']}/decisions", json=_decision("superior_committee")
    )
    assert ok.status == 201 and (await ok.json())["issuer_kind"] == "superior_committee"
    abroad = await _cell(client, db_url, "CB-E3-NN", reasons=[""] * 3, abroad=True)
    url = f"/api/organisations/{abroad['id']}/decisions"
    resp = await client.post(url, json=_decision("superior_committee"))
    assert resp.status == 409 and "Bộ Ngoại giao" in (await resp.json())["message"]["vi"]
    assert (await client.post(url, json=_decision("mfa_committee"))).status == 201


async def test_e1a_reasons_count_only_in_their_period(client: Client, db_url: str) -> None:
    """E1a: 03-HD/TW §II.1.1.a "học sinh, sinh viên trong thời gian nghỉ hè"."""
    cell = await _cell(client, db_url, "CB-E1A", reasons=["student_break"] * 4 + ["", ""])
    resp = await client.post(
        f"/api/organisations/{cell['id']}/decisions", json=_decision("superior_committee")
    )
    assert resp.status == 201
    url = f"/api/organisations/{cell['id']}/eligibility?mode=hybrid"
    summer = await (await client.get(f"{url}&date=2026-07-03")).json()
    assert summer["outcome"] == "eligible", summer
    term = await (await client.get(f"{url}&date=2026-10-05")).json()
    assert term["outcome"] == "not_eligible" and "E1" in term["rules"]
    # a member's own break dates replace the season
    members = await (await client.get(f"/api/organisations/{cell['id']}/members")).json()
    for m in members[:4]:
        resp = await client.patch(
            f"/api/members/{m['id']}",
            json={"e1a_periods": {"student_break": {"start": "2026-09-20", "end": "2026-10-10"}}},
        )
        assert resp.status == 200, await resp.text()
        # stored as the rules read it (migration 0011): from/to
        assert (await resp.json())["e1a_periods"]["student_break"]["to"] == "2026-10-10"
    term = await (await client.get(f"{url}&date=2026-10-05")).json()
    assert term["outcome"] == "eligible", term
    # and only within it: the period's end is kept (it was once read as open, counting always)
    after = await (await client.get(f"{url}&date=2026-11-02")).json()
    assert after["outcome"] == "not_eligible" and "E1" in after["rules"], after
    # a period for a reason the member does not carry is refused, nothing changes
    resp = await client.patch(
        f"/api/members/{members[5]['id']}",
        json={"e1a_periods": {"seafarer": {"start": "2026-01-01"}}},
    )
    assert resp.status == 422
