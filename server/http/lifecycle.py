"""Pilot checks: eligibility on a date, duties, the 828-CV registration list."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from aiohttp import web
from pydantic import BaseModel

from policy.error_codes import ErrorCode
from policy.model import MeetingMode
from server import appkeys, pilots, rules
from server.auth.authz import authorizer
from server.auth.middleware import context_of
from server.errors import AppError
from server.http.body import json_response, path_int
from server.http.conduct_schemas import RuleDecisionOut
from server.http.organisations import actor_of
from server.http.routes import Routes
from server.reports.registrations import RegistrationRow, to_csv, to_docx

if TYPE_CHECKING:
    from server.storage.models import Organisation

routes = Routes()


class DutyOut(BaseModel):
    kind: str
    status: str
    due_on: dt.date
    rules: list[str]
    vi: str
    en: str
    meeting_id: str | None


def _query_date(request: web.Request, name: str = "date") -> dt.date:
    raw = request.query.get(name)
    if raw is None:
        return dt.datetime.now(rules.VN_TZ).date()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise AppError.of(ErrorCode.VALIDATION, detail=f"{name}: YYYY-MM-DD") from None


@routes.route(
    "GET",
    r"/api/organisations/{org_id:\d+}/eligibility",
    summary="May this organisation hold a meeting in this mode on this date? (E1–E4, P1–P5)",
    tag="pilot",
    response=RuleDecisionOut,
    query=(("mode", "string"), ("date", "string")),
)
async def eligibility(request: web.Request) -> web.Response:
    org_id = path_int(request, "org_id")
    try:
        mode = MeetingMode(request.query.get("mode", "online"))
    except ValueError:
        raise AppError.of(
            ErrorCode.VALIDATION, detail="mode: in_person|hybrid|online|group"
        ) from None
    on = _query_date(request)
    decision = await pilots.eligibility(
        request.app[appkeys.DB], org_id, mode, on, authorizer(context_of(request))
    )
    return json_response(decision.as_dict())


@routes.route(
    "GET",
    r"/api/organisations/{org_id:\d+}/duties",
    summary="What is due or overdue for a cell (R1, R3, M3, group reports)",
    tag="pilot",
    response=list[DutyOut],
    query=(("date", "string"),),
)
async def duties(request: web.Request) -> web.Response:
    org_id = path_int(request, "org_id")
    on = _query_date(request)
    found = await pilots.duties(
        request.app[appkeys.DB], org_id, on, authorizer(context_of(request))
    )
    return json_response(
        [
            {
                "kind": d.kind.value,
                "status": d.status.value,
                "due_on": d.due_on.isoformat(),
                "rules": [r.value for r in d.rules],
                **d.text.as_dict(),
                "meeting_id": d.meeting_id,
            }
            for d in found
        ]
    )


async def _export(request: web.Request, fmt: str) -> tuple[Organisation, list[RegistrationRow]]:
    app = request.app
    return await pilots.export(
        app[appkeys.DB],
        app[appkeys.AUDIT],
        actor_of(request),
        path_int(request, "org_id"),
        fmt,
        authorizer(context_of(request)),
    )


@routes.route(
    "GET",
    r"/api/organisations/{org_id:\d+}/registrations/export.csv",
    summary="Registration list of this organisation and those under it (CSV)",
    tag="pilot",
    content="text/csv",
)
async def export_registrations_csv(request: web.Request) -> web.Response:
    _org, rows = await _export(request, "csv")
    return web.Response(
        text=to_csv(rows),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="dang-ky-03.csv"'},
    )


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@routes.route(
    "GET",
    r"/api/organisations/{org_id:\d+}/registrations/export.docx",
    summary="Registration list in the 828-CV/ĐUK layout (DOCX)",
    tag="pilot",
    content=DOCX,
)
async def export_registrations_docx(request: web.Request) -> web.Response:
    org, rows = await _export(request, "docx")
    body = to_docx(rows, org.name, org.location or "Hà Nội", dt.datetime.now(rules.VN_TZ).date())
    return web.Response(
        body=body,
        content_type=DOCX,
        headers={"Content-Disposition": 'attachment; filename="dang-ky-03.docx"'},
    )
