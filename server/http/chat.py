"""Meeting chat over HTTP: the history a page loads when it joins (messages themselves are sent
on the live socket, ``chat``; docs/protocol.md)."""

from __future__ import annotations

from aiohttp import web

from server.conduct import service
from server.http.body import json_response, path_int
from server.http.conduct_base import call
from server.http.conduct_schemas import ChatMessageOut
from server.http.routes import Routes

routes = Routes()


@routes.route(
    "GET",
    r"/api/meetings/{meeting_id:\d+}/chat",
    summary="The meeting's chat, oldest first (the last 500 messages), decrypted for those who "
    "may read the meeting; audited chat.read. Messages are sent on the meeting's WebSocket.",
    tag="conduct",
    response=list[ChatMessageOut],
)
async def chat_history(request: web.Request) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    return json_response(await service.chat_history(call(request), meeting_id))
