"""A member whose only way out is TCP to the TURN server gets media, through Debian's coturn.

The test starts ``/usr/bin/turnserver`` with the REST-API shared secret (``use-auth-secret``) the
server signs its time-limited credentials with (``server/media/ice.py``), TCP listeners only
(``--no-udp``): the member's page receives ``turn:…?transport=tcp`` with the credentials from the
server's ``welcome`` and is restricted to relayed candidates (``iceTransportPolicy: 'relay'``,
set by an init script: nothing in the product changes), so every packet of its media goes
through a TCP connection to coturn. coturn listens on a free high port standing in for 443
(binding 443 would clash with other services on a shared machine; the port is a setting).
"""

from __future__ import annotations

import asyncio
import secrets
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from playwright.async_api import Page, async_playwright

from server.app import create_app
from server.config import DatabaseSettings, MediaSettings, ServerSettings, load_settings
from tests.backends import SqliteTemplate
from tests.conftest import free_port
from tests.server.meeting.support import Cell, make_cell
from tests.web_client.test_meeting_browser import (
    COLOURS,
    launch,
    sign_in,
    slot_stats,
    stat_of,
    state,
    until,
    write_y4m,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

TURNSERVER = "/usr/bin/turnserver"

#: the member may only use relayed candidates (a network that lets nothing but TCP 443 out)
RELAY_ONLY = """
(() => {
  const Original = window.RTCPeerConnection;
  window.RTCPeerConnection = function (config = {}) {
    const pc = new Original({ ...config, iceTransportPolicy: 'relay' });
    (window.__pcs = window.__pcs || []).push(pc); // for the test's getStats
    return pc;
  };
  window.RTCPeerConnection.prototype = Original.prototype;
})();
"""


async def wait_listening(port: int, within: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            await writer.wait_closed()
            return
        except OSError:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.1)


@pytest.fixture
async def coturn(tmp_path: Path) -> AsyncIterator[tuple[int, str, Path]]:
    if shutil.which(TURNSERVER) is None:
        pytest.fail(f"{TURNSERVER} is missing (Debian's coturn package)")
    port, secret = free_port(), secrets.token_urlsafe(24)
    log = tmp_path / "turnserver.log"
    relay_min = 40000 + (port % 20000)
    process = await asyncio.create_subprocess_exec(
        TURNSERVER,
        "-n",  # no configuration file
        "--listening-ip=127.0.0.1",
        "--relay-ip=127.0.0.1",
        f"--listening-port={port}",
        "--no-udp",  # TCP listeners only
        "--no-tls",
        "--no-dtls",
        "--no-cli",
        "--use-auth-secret",
        f"--static-auth-secret={secret}",
        "--realm=hopchibo.test",
        "--allow-loopback-peers",  # the relay listens on 127.0.0.1 here
        f"--min-port={relay_min}",
        f"--max-port={relay_min + 200}",
        "--fingerprint",
        "--simple-log",
        f"--log-file={log}",
        "--verbose",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        await wait_listening(port)
        yield port, secret, log
    finally:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:
            process.kill()
            await process.wait()


@pytest.fixture
async def turn_server_app(
    tmp_path: Path, sqlite_template: SqliteTemplate, coturn: tuple[int, str, Path]
) -> AsyncIterator[tuple[str, Cell, web.Application]]:
    turn_port, secret, _log = coturn
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = load_settings(
        {},
        server=ServerSettings(
            var_dir=tmp_path / "var", public_origin=base, insecure_cookies=True, port=port
        ),
        database=DatabaseSettings(url=await sqlite_template.fresh(tmp_path / "e2e.db")),
        media=MediaSettings(
            loopback_candidate=True,
            turn_urls=(f"turn:127.0.0.1:{turn_port}?transport=tcp",),
            turn_secret=secret,
            turn_ttl_minutes=10,
        ),
    )
    app = create_app(settings)
    runner = web.AppRunner(app, shutdown_timeout=5)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    cell = await make_cell(app)
    try:
        yield base, cell, app
    finally:
        await runner.cleanup()


async def selected_pair(page: Page) -> dict[str, Any]:
    """The member's selected candidate pair: its local candidate's type and relay protocol."""
    value = await page.evaluate(
        """async () => {
          const pc = window.__pcs.find((p) => p.connectionState === 'connected');
          if (!pc) return {};
          const report = await pc.getStats();
          let out = {};
          let media = 0;
          report.forEach((s) => {
            if (s.type === 'inbound-rtp') media += s.bytesReceived || 0;
            if (s.type === 'transport' && s.selectedCandidatePairId) {
              const pair = report.get(s.selectedCandidatePairId);
              const local = report.get(pair.localCandidateId);
              out = { type: local.candidateType, relayProtocol: local.relayProtocol,
                      bytesSent: pair.bytesSent, bytesReceived: pair.bytesReceived };
            }
          });
          return { ...out, mediaBytesReceived: media };
        }"""
    )
    assert isinstance(value, dict)
    return value


async def test_member_behind_tcp_only_turn_gets_media(
    turn_server_app: tuple[str, Cell, web.Application],
    coturn: tuple[int, str, Path],
    tmp_path: Path,
    chromium_path: str,
) -> None:
    base, cell, _app = turn_server_app
    _port, _secret, turn_log = coturn
    url = f"{base}/meetings/{cell.meeting_id}"
    for key in ("chair", "member"):
        write_y4m(tmp_path / f"{key}.y4m", COLOURS[key][0])
    async with async_playwright() as pw:
        chair_browser = await launch(pw, chromium_path, tmp_path / "chair.y4m")
        member_browser = await launch(pw, chromium_path, tmp_path / "member.y4m")
        try:
            chair = await (await chair_browser.new_context(base_url=base)).new_page()
            member_context = await member_browser.new_context(base_url=base)
            await member_context.add_init_script(RELAY_ONLY)
            member = await member_context.new_page()
            await sign_in(chair, base, cell.people["chair"])
            await sign_in(member, base, cell.people["member"])
            await chair.goto(url)
            await chair.wait_for_function("() => window.hopchibo && window.hopchibo.ready")
            await chair.click("#join")
            await member.goto(url)
            await member.wait_for_function("() => window.hopchibo && window.hopchibo.ready")
            await member.click("#join")
            await chair.wait_for_selector("#waiting button[data-action=admit]")
            await chair.click("#waiting button[data-action=admit]")
            await member.wait_for_function("() => window.hopchibo.state.admitted")
            chair_id = (await state(chair))["participantId"]
            member_id = (await state(member))["participantId"]

            async def both_ways() -> bool:
                at_member, at_chair = await slot_stats(member), await slot_stats(chair)
                for stats, pid in ((at_member, chair_id), (at_chair, member_id)):
                    video, audio = stat_of(stats, "video", pid), stat_of(stats, "audio", pid)
                    if video is None or video["framesDecoded"] == 0:
                        return False
                    if audio is None or audio["totalSamplesReceived"] == 0:
                        return False
                return True

            await until("media both ways through TURN over TCP", both_ways, 40)
            first = stat_of(await slot_stats(member), "video", chair_id)
            await asyncio.sleep(2.0)
            later = stat_of(await slot_stats(member), "video", chair_id)
            assert first is not None and later is not None
            assert later["framesDecoded"] > first["framesDecoded"]

            # the member's media crosses coturn over TCP: a relayed local candidate, TCP to TURN,
            # carrying more than a few packets (on a busy machine the first seconds are thin)
            async def through_turn() -> bool:
                pair = await selected_pair(member)
                return pair.get("relayProtocol") == "tcp" and pair["mediaBytesReceived"] > 5_000

            await until("media bytes through the TCP relay", through_turn, 30)
            pair = await selected_pair(member)
            print(f"member's selected pair: {pair}")
            assert pair.get("type") == "relay" and pair.get("relayProtocol") == "tcp", pair
            # every media byte the member received came in through that pair
            assert pair["mediaBytesReceived"] > 5_000
            assert pair["bytesReceived"] >= pair["mediaBytesReceived"], pair
            log = turn_log.read_text(errors="replace")
            assert "TCP" in log and "session" in log.lower(), log[-2000:]
        finally:
            await chair_browser.close()
            await member_browser.close()
