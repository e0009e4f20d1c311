"""The WebSocket handshake: an allowed Origin and a full session, checked before the upgrade."""

from __future__ import annotations

import aiohttp
import pytest
from aiohttp import web

from policy.model import Role
from server.app import create_app
from server.auth.middleware import authenticate_websocket
from server.config import Settings
from server.storage.db import Database
from tests.conftest import AiohttpClient, Client
from tests.server.auth.conftest import ORIGIN, World
from tests.server.auth.support import FakeClock, last_audit, make_account, sign_in


async def _echo_auth(request: web.Request) -> web.StreamResponse:
    context = await authenticate_websocket(request)
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    await ws.send_json({"account": context.account_id, "member": context.member_id})
    await ws.close()
    return ws


@pytest.fixture
async def ws_client(aiohttp_client: AiohttpClient, settings: Settings, clock: FakeClock) -> Client:
    app = create_app(settings, clock=clock)
    app.router.add_get("/ws/echo-auth", _echo_auth)
    return await aiohttp_client(app)


async def test_websocket_origin_and_session(
    ws_client: Client, db: Database, settings: Settings, world: World, clock: FakeClock
) -> None:
    client = ws_client
    user = await make_account(
        db, settings, "anh", Role.MEMBER, world.cell, member_id=world.members[1]
    )
    # no session
    with pytest.raises(aiohttp.WSServerHandshakeError) as info:
        await client.ws_connect("/ws/echo-auth", origin=ORIGIN)
    assert info.value.status == 401
    assert (await last_audit(db, "access.denied")).details["reason"] == "ws_session"
    await sign_in(client, user, clock())
    # a foreign Origin, even with a session
    for origin in ("https://evil.example", None):
        with pytest.raises(aiohttp.WSServerHandshakeError) as info:
            await client.ws_connect("/ws/echo-auth", origin=origin)
        assert info.value.status == 403
        record = await last_audit(db, "access.denied")
        assert (record.details["reason"], record.details["error_code"]) == ("ws_origin", "origin")
    # the real meeting endpoint refuses the same way
    with pytest.raises(aiohttp.WSServerHandshakeError) as info:
        await client.ws_connect(f"/ws/meetings/{world.meeting}", origin="https://evil.example")
    assert info.value.status == 403
    ws = await client.ws_connect("/ws/echo-auth", origin=ORIGIN)
    assert await ws.receive_json() == {"account": user.id, "member": world.members[1]}
    await ws.close()
