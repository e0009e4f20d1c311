"""``/metrics`` serves the operator's series from the real app (a meeting joined over real
WebSockets, a failed sign-in, a real 5xx), only to the operator's network; the access log is
JSON with a request id and holds no query string or secret."""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from server import appkeys
from server.app import create_app
from server.config import OpsSettings
from server.logs import JsonFormatter, _RequestId
from tests.conftest import AiohttpClient, Client
from tests.server.meeting.conftest import live_settings
from tests.server.meeting.support import Cell, Peer


def _series(raw: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(raw):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


async def _scrape(client: Client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    resp = await client.get("/metrics")
    assert resp.status == 200, await resp.text()
    assert resp.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return _series(await resp.text())


async def test_metrics_series(
    live_client: Client, cell: Cell, peers: dict[str, Peer], caplog: pytest.LogCaptureFixture
) -> None:
    assert live_client.app is not None
    caplog.set_level(logging.INFO, logger="hopchibo.access")
    before = await _scrape(live_client)
    assert before[("hopchibo_live_meetings", ())] == 0
    assert before[("hopchibo_ws_connections", ())] == 0
    chair, member = peers["chair"], peers["member"]
    await chair.join(cell.meeting_id)
    await chair.expect("admitted")
    await member.join(cell.meeting_id)
    await member.expect("lobby")
    resp = await live_client.post(
        "/api/auth/login?next=%2Fsecret",
        json={"username": "khong-co", "password": "Sai-mat-khau-1"},
    )
    assert resp.status == 401
    # a real server fault: the table the agenda lives in is gone (put back afterwards)
    db = live_client.app[appkeys.DB]
    async with db.session() as s:
        await s.execute(text("ALTER TABLE agenda_items RENAME TO agenda_items_away"))
    try:
        resp = await chair.http.get(f"{chair.base_url}/api/meetings/{cell.meeting_id}/agenda")
        assert resp.status == 500
    finally:
        async with db.session() as s:
            await s.execute(text("ALTER TABLE agenda_items_away RENAME TO agenda_items"))
    after = await _scrape(live_client)
    meeting = str(cell.meeting_id)
    assert after[("hopchibo_live_meetings", ())] == 1
    assert after[("hopchibo_ws_connections", ())] == 2
    assert after[("hopchibo_meeting_joins_total", (("outcome", "joined"),))] == 2
    assert after[("hopchibo_meeting_join_seconds_count", ())] == 2
    assert after[("hopchibo_meeting_join_seconds_sum", ())] > 0
    for kind in ("audio", "video"):
        key = ("hopchibo_relay_packets_forwarded_total", (("kind", kind), ("meeting", meeting)))
        assert after[key] == 0  # nobody publishes media in this test: the series is there, zero
    assert after[("hopchibo_relay_packets_dropped_total", (("meeting", meeting),))] == 0
    # aiortc peers send no RED: nothing to rebuild, but the meeting is counted
    assert after[("hopchibo_relay_audio_frames_rebuilt_total", (("meeting", meeting),))] == 0
    assert (
        after[("hopchibo_audit_appends_total", ())] > before[("hopchibo_audit_appends_total", ())]
    )
    assert after[("hopchibo_signin_failures_total", (("reason", "password"),))] == 1
    assert after[("hopchibo_http_responses_total", (("method", "GET"), ("status", "5xx")))] == 1
    assert after[("hopchibo_http_responses_total", (("method", "POST"), ("status", "4xx")))] >= 1
    assert after[("hopchibo_http_request_seconds_count", ())] >= 3
    # one access line per request, with a request id; never the query string or the password
    lines = [r for r in caplog.records if r.name == "hopchibo.access"]
    login = [
        r
        for r in lines
        if getattr(r, "path", "") == "/api/auth/login" and getattr(r, "status", 0) == 401
    ]
    assert len(login) == 1
    formatter = JsonFormatter()
    _RequestId().filter(login[0])
    line = json.loads(formatter.format(login[0]))
    assert (
        line["status"] == 401 and line["method"] == "POST" and line["logger"] == "hopchibo.access"
    )
    raw = formatter.format(login[0])
    assert "secret" not in raw and "Sai-mat-khau" not in raw and "khong-co" not in raw
    failed = [r for r in lines if getattr(r, "status", 0) == 500]
    assert len(failed) == 1


async def test_request_id_in_answer_and_log(
    live_client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="hopchibo.access")
    resp = await live_client.get("/api/health", headers={"X-Request-Id": "probe-1234-abcd"})
    assert resp.headers["X-Request-Id"] == "probe-1234-abcd"
    resp = await live_client.get("/api/health", headers={"X-Request-Id": "bad id; drop"})
    given = resp.headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", given)
    ids = [r.request_id for r in caplog.records if hasattr(r, "request_id")]
    assert "probe-1234-abcd" in ids and given in ids


async def test_metrics_only_for_the_operator_network(
    aiohttp_client: AiohttpClient, tmp_path: Path, db_url: str
) -> None:
    settings = live_settings(tmp_path, db_url)
    client = await aiohttp_client(create_app(settings))
    resp = await client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert resp.status == 404  # through the proxy: never, though the proxy itself is loopback
    elsewhere = dataclasses.replace(settings, ops=OpsSettings(metrics_allow=("10.0.0.0/8",)))
    other = await aiohttp_client(create_app(elsewhere))
    resp = await other.get("/metrics")
    assert resp.status == 404
    assert (await resp.json())["code"] == "route_not_found"


def test_log_retention_never_below_three_months() -> None:
    from server.config import ConfigError, load_settings

    assert load_settings({}).ops.log_retention_months == 12
    with pytest.raises(ConfigError, match="HOPCHIBO_OPS_LOG_RETENTION_MONTHS"):
        load_settings({"HOPCHIBO_OPS_LOG_RETENTION_MONTHS": "2"})
