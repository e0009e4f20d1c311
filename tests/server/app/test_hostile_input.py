"""Names, titles, reasons and notes with control characters, or too long, are refused at the
edge with a Vietnamese message, and nothing is stored (the stored case: tests/server/meeting/
test_hostile_values.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Client

ESCAPES = ["Lê\x1b[2JVăn", "Lê\nVăn", "Lê\tVăn", "Lê\x00Văn", "Lê\u202eVăn", "Lê\x85Văn"]


async def _cell_with_member(client: Client) -> tuple[dict[str, Any], dict[str, Any]]:
    root = await (
        await client.post(
            "/api/organisations", json={"level": "grassroots", "name": "Đảng bộ", "code": "DB-H"}
        )
    ).json()
    cell = await (
        await client.post(
            "/api/organisations",
            json={"parent_id": root["id"], "level": "cell", "name": "Chi bộ", "code": "CB-H"},
        )
    ).json()
    resp = await client.post(
        f"/api/organisations/{cell['id']}/members",
        json={"full_name": "Lê Văn Tàu", "status": "full"},
    )
    assert resp.status == 201
    return cell, await resp.json()


def _refused(body: dict[str, Any]) -> None:
    assert body["code"] == "validation"
    assert "ký tự điều khiển" in body["message"]["vi"], body
    assert "control characters" in body["message"]["en"]


@pytest.mark.parametrize("name", ESCAPES)
async def test_member_name_with_control_character_refused(client: Client, name: str) -> None:
    _cell, member = await _cell_with_member(client)
    resp = await client.patch(f"/api/members/{member['id']}", json={"full_name": name})
    assert resp.status == 422
    _refused(await resp.json())
    got = await (await client.get(f"/api/members/{member['id']}")).json()
    assert got["full_name"] == "Lê Văn Tàu"


async def test_overlong_name_refused(client: Client) -> None:
    _cell, member = await _cell_with_member(client)
    resp = await client.patch(f"/api/members/{member['id']}", json={"full_name": "A" * 201})
    assert resp.status == 422
    body = await resp.json()
    assert "full_name: quá dài" in body["message"]["vi"]


async def test_agenda_title_and_description(client: Client) -> None:
    cell, _member = await _cell_with_member(client)
    resp = await client.post(
        f"/api/organisations/{cell['id']}/meetings",
        json={
            "kind": "regular",
            "mode": "in_person",
            "title": "Sinh hoạt",
            "scheduled_start": "2026-12-03T08:00:00+07:00",
        },
    )
    assert resp.status == 201, await resp.text()
    meeting = await resp.json()
    url = f"/api/meetings/{meeting['id']}/agenda"
    item = {"title": "Kiểm điểm", "category": "ordinary"}
    resp = await client.post(url, json={**item, "title": "Kiểm điểm\n\x1b[31mquý IV"})
    assert resp.status == 422
    _refused(await resp.json())
    resp = await client.post(url, json={**item, "title": "K" * 501})
    assert resp.status == 422
    resp = await client.post(url, json={**item, "description": "Dòng 1\nDòng 2\x1b[0m"})
    assert resp.status == 422
    _refused(await resp.json())
    resp = await client.post(url, json={**item, "attachment_names": ["bao-cao\r\n.docx"]})
    assert resp.status == 422
    # lines and tabs are what a description is made of
    resp = await client.post(url, json={**item, "description": "Dòng 1\r\nDòng 2\tcột"})
    assert resp.status == 201, await resp.text()
    resp = await client.post(
        f"/api/organisations/{cell['id']}/meetings",
        json={
            "kind": "regular",
            "mode": "in_person",
            "title": "Sinh hoạt\x1b",
            "scheduled_start": "2026-12-04T08:00:00+07:00",
        },
    )
    assert resp.status == 422
    _refused(await resp.json())
