"""POST /api/gate/check as the agenda editor uses it (G1/G2, T1–T15): the decision, its cited
explanation and the topics behind it, for the fields every version of the endpoint answers."""

from __future__ import annotations

from typing import Any

from server.app import create_app
from server.config import Settings
from tests.conftest import Client
from tests.server.app.conftest import ClientFactory


async def _check(client: Client, **body: Any) -> tuple[int, dict[str, Any]]:
    resp = await client.post("/api/gate/check", json=body)
    return resp.status, await resp.json()


async def test_g2_precheck_flags_a_personnel_title_under_an_ordinary_category(
    client: Client,
) -> None:
    status, data = await _check(
        client, title="Kỷ luật đồng chí Lê Văn Ba", mode="hybrid", on="2026-01-03"
    )
    assert status == 200
    assert data["outcome"] == "suspected" and data["rules"][0] == "G2" and "T7" in data["rules"]
    assert "T7" in [t["topic"] for t in data["topics"]]
    assert "G2" in data["vi"] and data["en"]
    status, data = await _check(
        client, title="Thông tin thời sự tháng", mode="hybrid", on="2026-01-03"
    )
    assert status == 200 and data["outcome"] == "allowed" and data["topics"] == []


async def test_g1_precheck_refuses_a_declared_blocked_category_and_bad_input(
    client: Client,
) -> None:
    status, data = await _check(
        client, title="Xét kết nạp quần chúng Hoa", category="T2", mode="online", on="2026-01-03"
    )
    assert status == 200 and data["outcome"] == "blocked" and data["rules"] == ["G1", "T2"]
    status, data = await _check(client, title="", mode="online", on="2026-01-03")
    assert status == 422 and data["message"]["vi"]


async def test_precheck_needs_a_session(aiohttp_client: ClientFactory, settings: Settings) -> None:
    anonymous = await aiohttp_client(create_app(settings))
    resp = await anonymous.post(
        "/api/gate/check", json={"title": "x", "mode": "online", "on": "2026-01-03"}
    )
    assert resp.status in (401, 403)
