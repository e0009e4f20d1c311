"""POST /api/gate/check: the agenda editor's pre-check (G1/G2, T1–T15); nothing is stored."""

from __future__ import annotations

from typing import Any

from server.app import create_app
from server.config import Settings
from tests.conftest import Client
from tests.server.app.conftest import ClientFactory


async def _check(client: Client, **body: Any) -> tuple[int, dict[str, Any]]:
    resp = await client.post("/api/gate/check", json=body)
    return resp.status, await resp.json()


async def test_g2_gate_check_explains_every_topic(client: Client) -> None:
    status, data = await _check(
        client,
        title="Kỷ luật và miễn nhiệm đồng chí Lê Văn Ba; học tập quy định về kết nạp",
        mode="hybrid",
        on="2026-01-03",
    )
    assert status == 200
    assert data["outcome"] == "suspected"
    assert data["rules"] == ["G2", "T1", "T7"]
    assert [(t["topic"], t["words"]) for t in data["topics"]] == [
        ("T1", ["mien nhiem"]),
        ("T7", ["ky luat"]),
    ]
    assert all(t["blocked_here"] for t in data["topics"])
    assert [t["topic"] for t in data["studied"]] == ["T2"]
    assert data["vi"].startswith("Nghi là") and "G2, T1, T7" in data["vi"]


async def test_t11_gate_check_secret_marker_in_a_study_item(client: Client) -> None:
    status, data = await _check(
        client,
        title="Học tập nghị quyết 12",
        description="Tài liệu mật, không sao chụp",
        category="study",
        mode="online",
        on="2026-01-03",
    )
    assert status == 200 and data["outcome"] == "suspected" and "T11" in data["rules"]


async def test_g1_gate_check_declared_category_blocked_and_in_person_allowed(
    client: Client,
) -> None:
    status, data = await _check(
        client, title="Xét kết nạp quần chúng Hoa", category="T2", mode="group", on="2026-01-03"
    )
    assert status == 200 and data["outcome"] == "blocked" and data["rules"] == ["G1", "T2"]
    status, data = await _check(
        client, title="Xét kết nạp quần chúng Hoa", mode="in_person", on="2026-01-03"
    )
    assert status == 200 and data["outcome"] == "allowed"
    assert [t["topic"] for t in data["topics"]] == ["T2"]
    assert not data["topics"][0]["blocked_here"]


async def test_g2_gate_check_bad_input_is_refused_in_vietnamese(client: Client) -> None:
    status, data = await _check(client, title="Sinh hoạt tháng 1", mode="hybrid")
    assert status == 422 and data["code"] == "validation"
    assert data["message"]["vi"] and data["message"]["en"]
    status, data = await _check(client, title="", mode="hybrid", on="2026-01-03")
    assert status == 422


async def test_g2_gate_check_requires_sign_in(
    aiohttp_client: ClientFactory, settings: Settings
) -> None:
    anonymous: Client = await aiohttp_client(create_app(settings))
    resp = await anonymous.post(
        "/api/gate/check", json={"title": "x", "mode": "hybrid", "on": "2026-01-03"}
    )
    assert resp.status in (401, 403)
