"""The security officer's view of the audit log (R6, R7): the one search, the verification
status and signed extracts, and the officer's page.

Officers read decrypted audit records, the verification status and signed extracts, after a
fresh second-factor step-up; every view and export is itself audited. Nothing here gives an
officer meeting content or recordings: those routes require the chair's permission.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import pydantic
from aiohttp import web
from pydantic import Field, ValidationError

from policy.error_codes import ErrorCode
from policy.i18n import tr
from server import appkeys
from server.audit import AuditLog
from server.auth.authz import Permission, require
from server.auth.context import AccountContext
from server.auth.middleware import context_of, deny
from server.auth.signin import refusal
from server.crypto.checkpoints import Checkpoint
from server.crypto.errors import CryptoError
from server.errors import AppError
from server.http.body import Input, Output, json_response, parse_body, query_int, respond
from server.http.routes import Routes
from server.records import account_events, people

routes = Routes()
WEB_CLIENT = Path(__file__).resolve().parent.parent.parent / "web_client"


# -- schemas -----------------------------------------------------------------------------------


class AuditRecordOut(Output):
    seq: int
    ts: dt.datetime
    actor: str
    action: str
    target: str
    details: dict[str, object]


class AccountEventOut(Output):
    seq: int
    ts: dt.datetime
    event: str
    action: str
    actor: str
    actor_name: str | None
    target: str
    target_name: str | None
    details: dict[str, object]


class CheckpointOut(Output):
    log_id: str
    size: int
    root: str
    ts: dt.datetime
    signer: str


class StatusOut(Output):
    ok: bool
    rows_checked: int
    verified_size: int
    first_bad_seq: int | None
    kind: str | None
    message: str
    failure_count: int
    checked_at: dt.datetime
    checkpoint: CheckpointOut | None
    public_key: str


class ExtractIn(Input):
    seqs: Annotated[list[Annotated[int, Field(gt=0)]], Field(min_length=1, max_length=5000)]
    purpose: Annotated[str, Field(min_length=1, max_length=500)]


def _checkpoint(cp: Checkpoint | None) -> dict[str, object] | None:
    if cp is None:
        return None
    return {
        "log_id": cp.log_id,
        "size": cp.size,
        "root": cp.root.hex(),
        "ts": dt.datetime.fromtimestamp(cp.ts / 1_000_000, dt.UTC),
        "signer": cp.signer,
    }


# -- the security officer -------------------------------------------------------------------------


async def _officer(request: web.Request) -> AccountContext:
    """Audit readers only, and only within minutes of a second-factor step-up."""
    context = context_of(request)
    require(context, Permission.AUDIT_READ, None)
    if not request.app[appkeys.SESSIONS].fresh_step_up(context.step_up_at):
        raise await deny(request, refusal(ErrorCode.STEP_UP_REQUIRED), "step_up")
    return context


def _query_time(request: web.Request, name: str) -> dt.datetime | None:
    raw = request.query.get(name)
    if not raw:
        return None
    try:
        value = pydantic.TypeAdapter(pydantic.AwareDatetime).validate_python(raw)
    except ValidationError:
        raise AppError.of(
            ErrorCode.VALIDATION, detail=f"{name}: ISO 8601 with a time zone"
        ) from None
    return value.astimezone(dt.UTC)


def _filters(request: web.Request) -> dict[str, str | None]:
    out: dict[str, str | None] = {
        k: request.query.get(k) or None for k in ("actor", "action", "target", "member")
    }
    meeting = request.query.get("meeting")
    if meeting and not meeting.isdigit():
        raise AppError.of(ErrorCode.VALIDATION, detail="meeting: a meeting number")
    out["meeting"] = meeting or None
    return out


@routes.route(
    "GET",
    "/api/audit",
    summary="Search the decrypted audit log, newest first (security officers, after a fresh "
    "second-factor step-up; every search audited as audit.view). "
    "`meeting`: every record about the meeting (its items, votes, documents); `member`: an "
    "account number, a username or part of a name",
    tag="audit",
    response=list[AuditRecordOut],
    query=(
        ("actor", "string"),
        ("member", "string"),
        ("meeting", "integer"),
        ("action", "string"),
        ("target", "string"),
        ("since", "string"),
        ("until", "string"),
        ("before", "integer"),
        ("limit", "integer"),
    ),
)
async def audit_search(request: web.Request) -> web.Response:
    context = await _officer(request)
    audit: AuditLog = request.app[appkeys.AUDIT]
    filters = _filters(request)
    since, until = _query_time(request, "since"), _query_time(request, "until")
    limit = max(1, min(query_int(request, "limit") or 200, 1000))
    member = filters["member"]
    actors = await people.actors_for(request.app[appkeys.DB], member) if member else None
    found = await audit.search(
        actor=filters["actor"],
        action=filters["action"],
        target=filters["target"],
        since=since,
        until=until,
        before=query_int(request, "before"),
        limit=limit,
        actors=actors,
        meeting=int(filters["meeting"]) if filters["meeting"] else None,
    )
    data = [AuditRecordOut.model_validate(v).model_dump(mode="json") for v in found]
    await audit.record(
        context.actor,
        "audit.view",
        "audit_log",
        {"filters": {k: v for k, v in filters.items() if v}, "rows": len(data)},
    )
    return json_response(data)


@routes.route(
    "GET",
    "/api/records/audit",
    summary="Moved permanently to GET /api/audit, the one audit-log search (308, the query kept)",
    tag="records",
    status=308,
)
async def audit_search_moved(request: web.Request) -> web.Response:
    query = f"?{request.query_string}" if request.query_string else ""
    raise web.HTTPPermanentRedirect(f"/api/audit{query}")


@routes.route(
    "GET",
    "/api/audit/accounts",
    summary="Account events (security officers, after a fresh step-up; audited as audit.view): "
    "enrolment invitations, enrolments, second factors added/removed/reset and resets refused "
    "without the administrator's step-up, locks and unlocks, sign-out everywhere, roles granted "
    "— who did what to whom, newest first; never a secret (named detail fields only)",
    tag="audit",
    response=list[AccountEventOut],
    query=(("since", "string"), ("until", "string"), ("before", "integer"), ("limit", "integer")),
)
async def audit_account_events(request: web.Request) -> web.Response:
    context = await _officer(request)
    audit: AuditLog = request.app[appkeys.AUDIT]
    events = await account_events.account_events(
        request.app[appkeys.DB],
        audit,
        since=_query_time(request, "since"),
        until=_query_time(request, "until"),
        before=query_int(request, "before"),
        limit=max(1, min(query_int(request, "limit") or 200, 1000)),
    )
    await audit.record(
        context.actor, "audit.view", "audit_log", {"view": "accounts", "rows": len(events)}
    )
    return respond(AccountEventOut, events)


@routes.route(
    "GET",
    "/api/records/status",
    summary="Verify the whole audit log now; latest checkpoint and signing key (officers)",
    tag="records",
    response=StatusOut,
)
async def audit_status(request: web.Request) -> web.Response:
    context = await _officer(request)
    audit: AuditLog = request.app[appkeys.AUDIT]
    await audit.maybe_checkpoint()
    report = await audit.verify()
    public = await audit.public_key()
    cp = await audit.latest_checkpoint()
    await audit.record(
        context.actor,
        "audit.verify",
        "audit_log",
        {"ok": report.ok, "rows": report.rows_checked, "first_bad_seq": report.first_bad_seq},
    )
    out = {
        "ok": report.ok,
        "rows_checked": report.rows_checked,
        "verified_size": report.verified_size,
        "first_bad_seq": report.first_bad_seq,
        "kind": None if report.kind is None else report.kind.value,
        "message": report.message,
        "failure_count": report.failure_count,
        "checked_at": dt.datetime.now(dt.UTC),
        "checkpoint": _checkpoint(cp),
        "public_key": public.strip(),
    }
    return respond(StatusOut, out)


@routes.route(
    "POST",
    "/api/records/extract",
    summary="Signed extract of chosen audit records, for hand-over (officers; audited)",
    tag="records",
    body=ExtractIn,
    content="application/json",
)
async def audit_extract(request: web.Request) -> web.Response:
    context = await _officer(request)
    body = await parse_body(request, ExtractIn)
    audit: AuditLog = request.app[appkeys.AUDIT]
    try:
        text = await audit.extract(body.seqs, issued_by=context.actor, purpose=body.purpose)
    except CryptoError:
        raise AppError(409, ErrorCode.CONFLICT, tr("records.extract_failed")) from None
    await audit.record(
        context.actor,
        "audit.export",
        "audit_log",
        {"seqs": len(body.seqs), "first": min(body.seqs), "last": max(body.seqs)},
    )
    return web.Response(
        text=text,
        content_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="hopchibo-extract.json"'},
    )


@routes.route(
    "GET",
    "/officer",
    summary="Security officer console (page; its data comes from /api/audit and /api/records/*)",
    tag="pages",
    content="text/html",
    public=True,
)
async def officer_page(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(WEB_CLIENT / "officer.html", headers={"Cache-Control": "no-store"})
