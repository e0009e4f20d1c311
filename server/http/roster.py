"""The roster of a cell: members with flags and dates, E1a reasons with their periods, party
groups, accounts and roles, the E1 figure, the history of changes; import (preview, then
confirm) and export of the member list. Parse, call :mod:`server.roster` or
:mod:`server.roster_file`, serialise."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from typing import Annotated, Any, Literal

from aiohttp import web
from pydantic import Field

from policy.error_codes import ErrorCode
from policy.i18n import tr
from server import appkeys, roster, roster_file, rules
from server.auth.middleware import context_of
from server.errors import AppError
from server.http.body import Input, Output, json_response, parse_body, path_int
from server.http.routes import Routes
from server.http.schemas import MemberOut

routes = Routes()


class AccountStateOut(Output):
    id: int
    username: str
    locked: bool
    enrolled: bool
    factor_reset: bool
    roles: list[tuple[int, str]]


class RosterEntryOut(Output):
    member: MemberOut
    account: AccountStateOut | None
    reasons_now: list[str]
    flags_now: list[str]


class GroupOut(Output):
    id: int
    name: str
    code: str


class ScopeOut(Output):
    date: dt.date
    counted: int
    unable: int
    by_characteristic: int
    by_circumstance: int
    more_than_half: bool
    text: dict[str, str]


class RosterOut(Output):
    org_id: int
    name: str
    groups: list[GroupOut]
    entries: list[RosterEntryOut]
    scope: ScopeOut
    may_manage: bool
    may_manage_accounts: bool


class ChangeOut(Output):
    id: int
    member_id: int
    member_name: str
    action: str
    changes: dict[str, Any]
    actor: str
    actor_name: str
    changed_at: dt.datetime


class ImportIn(Input):
    kind: Literal["csv", "xlsx"]
    #: the file, base64 (standard alphabet)
    content: Annotated[str, Field(min_length=4, max_length=2_000_000)]
    #: field → column index in the file; omitted: guessed from the headers
    mapping: dict[str, int | None] | None = None


class ImportRowOut(Output):
    line: int
    name: str
    action: str
    errors: list[dict[str, str]]
    fields: dict[str, Any]


class ImportOut(Output):
    headers: list[str]
    mapping: dict[str, int | None]
    fields: list[str]
    rows: list[ImportRowOut]
    errors: int
    new: int
    updated: int
    message: dict[str, str]


def _today(request: web.Request) -> dt.date:
    raw = request.query.get("date")
    if raw is None:
        return rules.local_date(request.app[appkeys.CLOCK]())
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise AppError.of(ErrorCode.VALIDATION, detail="date: YYYY-MM-DD") from None


def _scope(scope: Any, on: dt.date) -> dict[str, Any]:
    text = tr(
        "roster.scope",
        date=on.strftime("%d/%m/%Y"),
        unable=scope.unable,
        counted=scope.counted,
    )
    return {
        "date": on.isoformat(),
        "counted": scope.counted,
        "unable": scope.unable,
        "by_characteristic": scope.by_characteristic,
        "by_circumstance": scope.by_circumstance,
        "more_than_half": scope.more_than_half,
        "text": text.as_dict(),
    }


@routes.route(
    "GET",
    r"/api/organisations/{org_id:\d+}/roster",
    summary="The cell's roster on a date (Vietnam; today by default): members, flags with "
    "dates, E1a reasons with periods, groups, accounts and roles, and the E1 figure",
    tag="registry",
    response=RosterOut,
    query=(("date", "string"),),
)
async def get_roster(request: web.Request) -> web.Response:
    on = _today(request)
    view = await roster.roster(
        request.app[appkeys.DB], context_of(request), path_int(request, "org_id"), on
    )
    out = {
        "org_id": view.org.id,
        "name": view.org.name,
        "groups": [GroupOut.model_validate(g).model_dump() for g in view.groups],
        "entries": [
            {
                "member": MemberOut.model_validate(e.member).model_dump(mode="json"),
                "account": (
                    AccountStateOut.model_validate(e.account).model_dump() if e.account else None
                ),
                "reasons_now": list(e.reasons_now),
                "flags_now": list(e.flags_now),
            }
            for e in view.entries
        ],
        "scope": _scope(view.scope, on),
        "may_manage": view.may_manage,
        "may_manage_accounts": view.may_manage_accounts,
    }
    return json_response(out)


@routes.route(
    "GET",
    r"/api/organisations/{org_id:\d+}/online-scope",
    summary="E1's figure for a cell on a date: counted members and those who cannot meet in "
    "person (E1a reasons within their periods, E1b circumstances)",
    tag="registry",
    response=ScopeOut,
    query=(("date", "string"),),
)
async def get_scope(request: web.Request) -> web.Response:
    on = _today(request)
    found = await roster.scope(
        request.app[appkeys.DB], context_of(request), path_int(request, "org_id"), on
    )
    return json_response(_scope(found, on))


@routes.route(
    "GET",
    r"/api/organisations/{org_id:\d+}/roster/history",
    summary="The roster's history: who changed which fields of which member, old and new",
    tag="registry",
    response=list[ChangeOut],
)
async def get_history(request: web.Request) -> web.Response:
    changes, names = await roster.history(
        request.app[appkeys.DB], context_of(request), path_int(request, "org_id")
    )
    out = [
        ChangeOut.model_validate(
            {
                "id": c.id,
                "member_id": c.member_id,
                "member_name": names.get(c.member_id, ""),
                "action": c.action,
                "changes": c.changes,
                "actor": c.actor,
                "actor_name": c.actor_name,
                "changed_at": c.changed_at,
            }
        ).model_dump(mode="json")
        for c in changes
    ]
    return json_response(out)


def _decode(body: ImportIn) -> bytes:
    try:
        return base64.b64decode(body.content, validate=True)
    except (binascii.Error, ValueError):
        raise AppError.of(ErrorCode.VALIDATION, detail="content: base64") from None


def _import_out(result: roster_file.Preview, message: dict[str, str]) -> dict[str, Any]:
    return {
        "headers": list(result.headers),
        "mapping": result.mapping,
        "fields": list(roster_file.FIELDS),
        "rows": [
            {
                "line": r.line,
                "name": r.name,
                "action": r.action,
                "errors": [e.as_dict() for e in r.errors],
                "fields": {k: (v.value if hasattr(v, "value") else v) for k, v in r.fields.items()},
            }
            for r in result.rows
        ],
        "errors": result.errors,
        "new": result.count("new"),
        "updated": result.count("update"),
        "message": message,
    }


@routes.route(
    "POST",
    r"/api/organisations/{org_id:\d+}/roster/import/preview",
    summary="Read a member list (CSV or XLSX, base64) and check every row: the column mapping, "
    "what each row would do and its errors in Vietnamese; nothing is written",
    tag="registry",
    body=ImportIn,
    response=ImportOut,
)
async def import_preview(request: web.Request) -> web.Response:
    context = context_of(request)
    body = await parse_body(request, ImportIn)
    result = await roster_file.preview(
        request.app[appkeys.DB],
        context,
        path_int(request, "org_id"),
        _decode(body),
        body.kind,
        body.mapping,
    )
    if result.errors:
        message = tr("roster.import_bad", count=result.errors)
    else:
        message = tr("roster.import_ok", new=result.count("new"), updated=result.count("update"))
    return json_response(_import_out(result, message.as_dict()))


@routes.route(
    "POST",
    r"/api/organisations/{org_id:\d+}/roster/import",
    summary="Confirm an import: every row checked again and written in one transaction; a row "
    "in error refuses the whole file (422 with the rows) and nothing is written",
    tag="registry",
    body=ImportIn,
    response=ImportOut,
)
async def import_commit(request: web.Request) -> web.Response:
    context = context_of(request)
    body = await parse_body(request, ImportIn)
    app = request.app
    try:
        result = await roster_file.commit(
            app[appkeys.DB],
            app[appkeys.AUDIT],
            context,
            path_int(request, "org_id"),
            _decode(body),
            body.kind,
            body.mapping,
            app[appkeys.CLOCK](),
        )
    except roster_file.RowsRefused as refused:
        out = _import_out(refused.result, refused.message.as_dict())
        return json_response({"code": refused.code.value, **out}, 422)
    done = tr("roster.import_done", new=result.count("new"), updated=result.count("update"))
    return json_response(_import_out(result, done.as_dict()))


MEDIA_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _export_route(kind: str) -> None:
    async def handler(request: web.Request) -> web.Response:
        app = request.app
        org, data = await roster_file.export(
            app[appkeys.DB],
            app[appkeys.AUDIT],
            context_of(request),
            path_int(request, "org_id"),
            kind,
        )
        code = re.sub(r"[^A-Za-z0-9_-]", "", org.code) or str(org.id)
        return web.Response(
            body=data,
            content_type=MEDIA_TYPES[kind],
            charset="utf-8" if kind == "csv" else None,
            headers={
                "Content-Disposition": f'attachment; filename="danh-sach-dang-vien-{code}.{kind}"',
                "Cache-Control": "no-store",
            },
        )

    handler.__name__ = f"export_roster_{kind}"  # operationId
    routes.route(
        "GET",
        rf"/api/organisations/{{org_id:\d+}}/roster/export.{kind}",
        summary=f"The roster as a member list in the import's columns ({kind.upper()}; audited)",
        tag="registry",
        content=MEDIA_TYPES[kind],
    )(handler)


for _kind in MEDIA_TYPES:
    _export_route(_kind)
