"""Dates that contradict each other are refused when written, citing their rule (E3, E1b), and
such dates stored before (by an older version, or by hand) give a cited refusal, never a 500,
and never lock the cell."""

from __future__ import annotations

import datetime as dt
from typing import Any

from policy.model import ApprovalScope, CircumstanceKind, IssuerKind
from server.demo import load_demo
from server.storage.db import Database
from server.storage.models import ApprovalDecision, Circumstance
from tests.conftest import Client


async def _cell(client: Client, db_url: str, code: str) -> dict[str, Any]:
    db = Database(db_url)
    try:
        await load_demo(db)
    finally:
        await db.close()
    orgs = {o["code"]: o for o in await (await client.get("/api/organisations")).json()}
    resp = await client.post(
        "/api/organisations",
        json={
            "parent_id": orgs["DEMO-DBCS"]["id"],
            "level": "cell",
            "name": f"Chi bộ {code}",
            "code": code,
            "it_ready": True,
        },
    )
    assert resp.status == 201, await resp.text()
    cell: dict[str, Any] = await resp.json()
    for i in range(6):  # 4 of 6 at sea: E1 holds
        resp = await client.post(
            f"/api/organisations/{cell['id']}/members",
            json={
                "full_name": f"Đảng viên {i}",
                "status": "full",
                "e1a_reasons": ["seafarer"] if i < 4 else [],
            },
        )
        assert resp.status == 201
    return cell


def _decision(**dates: str) -> dict[str, str]:
    return {
        "number": "7-QĐ/ĐU",
        "issuer": "Đảng ủy Khối",
        "issuer_kind": "superior_committee",
        "scope": "online",
        **dates,
    }


def _meeting(when: str, mode: str = "hybrid") -> dict[str, str]:
    return {
        "kind": "regular",
        "mode": mode,
        "title": "Sinh hoạt",
        "scheduled_start": f"{when}T08:00:00+07:00",
    }


async def test_decision_dates_that_contradict_are_refused_citing_e3(
    client: Client, db_url: str
) -> None:
    cell = await _cell(client, db_url, "CB-D1")
    url = f"/api/organisations/{cell['id']}/decisions"
    resp = await client.post(url, json=_decision(decided_on="2026-08-01", valid_from="2026-07-01"))
    assert resp.status == 422
    body = await resp.json()
    assert (body["code"], body["rules"]) == ("validation", ["E3"])
    assert "01/07/2026 trước ngày ký 01/08/2026" in body["message"]["vi"]
    assert "E3" in body["message"]["vi"] and "before it was signed" in body["message"]["en"]
    resp = await client.post(
        url,
        json=_decision(decided_on="2026-08-01", valid_from="2026-08-01", valid_to="2026-07-31"),
    )
    assert resp.status == 422
    body = await resp.json()
    assert body["rules"] == ["E3"] and "hết hiệu lực 31/07/2026" in body["message"]["vi"]
    assert await (await client.get(url)).json() == []  # nothing stored
    resp = await client.post(url, json=_decision(decided_on="2026-08-01", valid_from="2026-08-01"))
    assert resp.status == 201


async def test_circumstance_and_meeting_dates_refused_citing_e1b(
    client: Client, db_url: str
) -> None:
    cell = await _cell(client, db_url, "CB-D2")
    circ = await (
        await client.post(
            f"/api/organisations/{cell['id']}/circumstances",
            json={"kind": "natural_disaster", "description": "Bão", "started_on": "2026-10-10"},
        )
    ).json()
    resp = await client.post(
        f"/api/circumstances/{circ['id']}/end", json={"ended_on": "2026-10-09"}
    )
    assert resp.status == 422
    body = await resp.json()
    assert body["rules"] == ["E1b"]
    assert "kết thúc 09/10/2026 trước ngày bắt đầu 10/10/2026" in body["message"]["vi"]
    # a meeting "because of" the storm, held before the storm began
    resp = await client.post(
        f"/api/organisations/{cell['id']}/meetings",
        json={**_meeting("2026-10-05", "online"), "circumstance_id": circ["id"]},
    )
    assert resp.status == 422
    body = await resp.json()
    assert body["rules"] == ["E1b"]
    assert "05/10/2026 không nằm trong thời gian" in body["message"]["vi"]
    assert "(10/10/2026 – nay)" in body["message"]["vi"]
    assert "(10/10/2026 – now)" in body["message"]["en"]
    assert await (await client.get(f"/api/organisations/{cell['id']}/meetings")).json() == []


async def test_stored_contradicting_dates_give_a_cited_refusal_not_a_500(
    client: Client, db_url: str
) -> None:
    cell = await _cell(client, db_url, "CB-D3")
    db = Database(db_url)
    try:
        async with db.session() as s:  # as an older version stored them
            s.add(
                ApprovalDecision(
                    org_id=cell["id"],
                    number="5-QĐ/ĐU",
                    decided_on=dt.date(2026, 8, 1),
                    issuer="Đảng ủy Khối",
                    issuer_kind=IssuerKind.SUPERIOR_COMMITTEE,
                    scope=ApprovalScope.ONLINE,
                    valid_from=dt.date(2026, 7, 1),
                )
            )
            s.add(
                Circumstance(
                    org_id=cell["id"],
                    kind=CircumstanceKind.NATURAL_DISASTER,
                    started_on=dt.date(2026, 10, 10),
                    ended_on=dt.date(2026, 10, 1),
                )
            )
    finally:
        await db.close()
    resp = await client.get(
        f"/api/organisations/{cell['id']}/eligibility?mode=hybrid&date=2026-12-03"
    )
    assert resp.status == 200
    assert (await resp.json())["outcome"] == "not_eligible"
    resp = await client.post(
        f"/api/organisations/{cell['id']}/meetings", json=_meeting("2026-12-03")
    )
    assert resp.status == 409
    body = await resp.json()
    assert {"E3", "E1b"} <= set(body["rules"])
    assert "ngày mâu thuẫn" in body["message"]["vi"] and "5-QĐ/ĐU" in body["message"]["vi"]
    # the cell is not locked: in person goes ahead, and a correct decision makes it eligible
    resp = await client.post(
        f"/api/organisations/{cell['id']}/meetings", json=_meeting("2026-12-03", "in_person")
    )
    assert resp.status == 201
    resp = await client.post(
        f"/api/organisations/{cell['id']}/decisions",
        json=_decision(decided_on="2026-08-01", valid_from="2026-08-01"),
    )
    assert resp.status == 201
    resp = await client.post(
        f"/api/organisations/{cell['id']}/meetings", json=_meeting("2026-12-04")
    )
    assert resp.status == 201, await resp.text()
