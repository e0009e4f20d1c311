"""Bad input gets a 4xx with a code and a Vietnamese message, and changes nothing."""

from __future__ import annotations

import json

import pytest

from server import appkeys
from tests.conftest import Client

CELL = {"level": "grassroots", "name": "Đảng bộ thử", "code": "DB-1"}


async def _count_orgs(client: Client) -> int:
    resp = await client.get("/api/organisations")
    assert resp.status == 200
    return len(await resp.json())


async def _post_raw(
    client: Client, path: str, body: bytes, ctype: str = "application/json"
) -> tuple[int, dict[str, object]]:
    resp = await client.post(path, data=body, headers={"Content-Type": ctype})
    return resp.status, await resp.json()


def _assert_error(payload: dict[str, object], code: str) -> None:
    assert payload["code"] == code
    message = payload["message"]
    assert isinstance(message, dict)
    assert message["vi"] and message["en"] and message["vi"] != message["en"]


@pytest.mark.parametrize(
    ("body", "ctype", "status", "code"),
    [
        (b"{not json", "application/json", 400, "bad_json"),
        (b"\xff\xfe", "application/json", 400, "bad_json"),
        (
            b'{"level": "grassroots", "name": "A", "name": "B", "code": "X"}',
            "application/json",
            400,
            "duplicate_key",
        ),
        (b'{"level": "grassroots", "name": 5, "code": "X"}', "application/json", 422, "validation"),
        (b'{"level": "planet", "name": "A", "code": "X"}', "application/json", 422, "validation"),
        (
            b'{"level": "grassroots", "name": "A", "code": "X", "extra": 1}',
            "application/json",
            422,
            "validation",
        ),
        (
            b'{"level": "grassroots", "name": "A", "code": "X", "it_ready": "yes"}',
            "application/json",
            422,
            "validation",
        ),
        (
            b'{"level": "grassroots", "name": "A", "code": "has space"}',
            "application/json",
            422,
            "validation",
        ),
        (b"[]", "application/json", 422, "validation"),
        (b"level=grassroots", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    ],
    ids=[
        "malformed",
        "not-utf8",
        "duplicate-key",
        "wrong-type",
        "unknown-enum",
        "extra-field",
        "bool-as-string",
        "bad-pattern",
        "array",
        "form",
    ],
)
async def test_bad_bodies_refused_and_nothing_changes(
    client: Client, body: bytes, ctype: str, status: int, code: str
) -> None:
    before = await _count_orgs(client)
    got_status, payload = await _post_raw(client, "/api/organisations", body, ctype)
    assert got_status == status
    _assert_error(payload, code)
    assert await _count_orgs(client) == before


async def test_oversized_body_is_413(client: Client) -> None:
    before = await _count_orgs(client)
    big = json.dumps({**CELL, "it_notes": "x" * 70_000}).encode()
    status, payload = await _post_raw(client, "/api/organisations", big)
    assert status == 413
    _assert_error(payload, "payload_too_large")
    assert "65536" in str(payload["message"])
    assert await _count_orgs(client) == before


@pytest.mark.parametrize(
    "path",
    [
        "/api/organisations/999",
        "/api/organisations/999/members",
        "/api/members/999",
        "/api/meetings/999",
        "/api/meetings/999/agenda",
        "/api/organisations/999/decisions",
    ],
)
async def test_unknown_ids_are_404(client: Client, path: str) -> None:
    resp = await client.get(path)
    assert resp.status == 404
    _assert_error(await resp.json(), "not_found")


async def test_unknown_route_and_method(client: Client) -> None:
    resp = await client.get("/api/nothing-here")
    assert resp.status == 404
    _assert_error(await resp.json(), "route_not_found")
    resp = await client.delete("/api/organisations")
    assert resp.status == 405
    _assert_error(await resp.json(), "method_not_allowed")
    assert {m.strip() for m in resp.headers["Allow"].split(",")} == {"GET", "POST"}
    resp = await client.put("/api/meetings/1/minutes")
    assert resp.status == 405
    assert {m.strip() for m in resp.headers["Allow"].split(",")} >= {"GET", "POST", "PATCH"}


async def test_create_and_list_with_audit(client: Client, db_url: str) -> None:
    resp = await client.post("/api/organisations", json=CELL)
    assert resp.status == 201
    org = await resp.json()
    resp = await client.post(
        "/api/organisations",
        json={"parent_id": org["id"], "level": "cell", "name": "Chi bộ 1", "code": "CB-1"},
    )
    assert resp.status == 201
    cell = await resp.json()
    resp = await client.post(
        f"/api/organisations/{cell['id']}/members",
        json={"full_name": "Nguyễn Văn A", "status": "full", "e1a_reasons": ["seafarer"]},
    )
    assert resp.status == 201
    member = await resp.json()
    assert member["e1a_reasons"] == ["seafarer"]
    resp = await client.patch(f"/api/members/{member['id']}", json={"exempted": True})
    assert resp.status == 200
    assert (await resp.json())["exempted"] is True
    app = client.app
    assert app is not None
    actions = [r.action for r in await app[appkeys.AUDIT].search()]
    # the creator of a top-level organisation becomes its administrator (role.grant)
    assert actions == [
        "member.update",
        "member.create",
        "organisation.create",
        "role.grant",
        "organisation.create",
    ]


async def test_duplicate_code_conflicts_and_changes_nothing(client: Client) -> None:
    before = await _count_orgs(client)
    assert (await client.post("/api/organisations", json=CELL)).status == 201
    resp = await client.post("/api/organisations", json=CELL)
    assert resp.status == 409
    _assert_error(await resp.json(), "conflict")
    assert await _count_orgs(client) == before + 1


async def test_structure_rules(client: Client) -> None:
    before = await _count_orgs(client)
    org = await (await client.post("/api/organisations", json=CELL)).json()
    # a member cannot be added to a grassroots committee, only to a cell
    resp = await client.post(
        f"/api/organisations/{org['id']}/members", json={"full_name": "A", "status": "full"}
    )
    assert resp.status == 422
    # a party group's parent must be a cell
    resp = await client.post(
        "/api/organisations",
        json={"parent_id": org["id"], "level": "group", "name": "Tổ 1", "code": "T-1"},
    )
    assert resp.status == 422
    resp = await client.post(
        "/api/organisations", json={"level": "group", "name": "Tổ 1", "code": "T-1"}
    )
    assert resp.status == 422
    assert await _count_orgs(client) == before + 1


async def test_naive_datetime_refused(client: Client) -> None:
    org = await (await client.post("/api/organisations", json=CELL)).json()
    resp = await client.post(
        f"/api/organisations/{org['id']}/meetings",
        json={
            "kind": "regular",
            "mode": "in_person",
            "title": "Sinh hoạt tháng 12",
            "scheduled_start": "2026-12-03T08:00:00",
        },
    )
    assert resp.status == 422
    payload = await resp.json()
    assert "múi giờ" in payload["message"]["vi"]


async def test_health_and_ready(client: Client) -> None:
    assert (await (await client.get("/api/health")).json()) == {"status": "ok"}
    assert (await (await client.get("/api/ready")).json())["database"] is True
    resp = await client.get("/api/health")
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Cache-Control"] == "no-store"
