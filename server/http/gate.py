"""The agenda gate's public pre-check (G1/G2, T1–T15) for the agenda editor: nothing is stored.

``POST /api/gate/check`` takes what the editor has (title, description, attachment names,
declared category, meeting mode and date) and answers with the decision the gate would give and
its explanation: every topic found, the words behind each, what study framing cleared, the rule
ids. Sign-in is required as for every API route; the text is neither stored nor logged.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from aiohttp import web
from pydantic import BaseModel, Field

from policy.decision import Outcome
from policy.gate import AgendaItem, report_item
from policy.model import AgendaCategory, MeetingMode
from server.http.body import Input, json_response, parse_body
from server.http.routes import Routes

routes = Routes()


class GateCheckIn(Input):
    title: Annotated[str, Field(min_length=1, max_length=500)]
    description: Annotated[str, Field(max_length=10_000)] = ""
    attachment_names: Annotated[
        list[Annotated[str, Field(max_length=255)]], Field(max_length=50)
    ] = []
    category: AgendaCategory = AgendaCategory.ORDINARY
    mode: MeetingMode
    on: dt.date


class TopicName(BaseModel):
    vi: str
    en: str


class TopicOut(BaseModel):
    topic: str = Field(description="T1…T15")
    rule: str
    name: TopicName
    words: list[str] = Field(description="the folded words that triggered the topic")
    deciding: bool = Field(description="the text decides it (an action or a named person)")
    blocked_here: bool = Field(description="the topic may not be discussed in this meeting")


class GateCheckOut(BaseModel):
    outcome: Outcome
    rules: list[str]
    vi: str
    en: str
    topics: list[TopicOut] = Field(description="every topic found, T1…T15 order")
    studied: list[TopicOut] = Field(description="topics only studied (cleared by study framing)")


@routes.route(
    "POST",
    "/api/gate/check",
    summary="Pre-check an agenda item against the gate (G1/G2, T1–T15): decision and the topics,"
    " words and rule ids behind it; nothing is stored",
    tag="meetings",
    body=GateCheckIn,
    response=GateCheckOut,
)
async def gate_check(request: web.Request) -> web.Response:
    body = await parse_body(request, GateCheckIn)
    item = AgendaItem(
        title=body.title,
        category=body.category,
        description=body.description,
        attachment_names=tuple(body.attachment_names),
    )
    report = report_item(item, body.mode, body.on)
    return json_response(report.as_dict())
