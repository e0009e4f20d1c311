"""The request gate: who is calling (session cookie or read-only bearer token), CSRF and Origin
checks on state-changing requests, deny-by-default for every non-public ``/api`` route, and the
audit record of every refusal. Also :func:`authenticate_websocket` for the WebSocket handshake.
"""

from __future__ import annotations

import datetime as dt
import ipaddress

from aiohttp import web

from policy.error_codes import ErrorCode
from server import appkeys
from server.auth.authz import Denied
from server.auth.context import AccountContext, RoleGrant
from server.auth.sessions import SessionState, cookie_name
from server.auth.tokens import digest, same
from server.config import Settings
from server.errors import AppError
from server.storage import accounts as account_store
from server.storage import identity as store

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_HEADER = "X-CSRF-Token"
REQUEST_CONTEXT: web.RequestKey[AccountContext | None] = web.RequestKey("auth_context")
REQUEST_SESSION: web.RequestKey[SessionState | None] = web.RequestKey("auth_session")


def origins(settings: Settings) -> frozenset[str]:
    """The origins allowed to send state-changing requests and open WebSockets."""
    return frozenset(
        o.rstrip("/") for o in (settings.server.public_origin, *settings.server.allowed_origins)
    )


def _trusted(address: str, networks: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(n, strict=False) for n in networks)


def client_address(request: web.Request) -> str:
    """The client's address: the peer's, or behind a trusted proxy the nearest address in
    ``X-Forwarded-For`` that is not itself a trusted proxy (a client cannot spoof it: entries
    it wrote itself sit to the left of what the proxy appended)."""
    peer = request.remote or ""
    proxies = request.app[appkeys.SETTINGS].server.trusted_proxies
    if not proxies or not _trusted(peer, proxies):
        return peer
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a malformed header names nobody: count the proxy
    return peer


def context_of(request: web.Request) -> AccountContext:
    """The caller of a non-public handler (the middleware guarantees one)."""
    context: AccountContext | None = request.get(REQUEST_CONTEXT)
    if context is None:
        raise AppError.of(ErrorCode.UNAUTHENTICATED)
    return context


def actor_of(request: web.Request) -> str:
    """Who is acting, for the audit log."""
    context: AccountContext | None = request.get(REQUEST_CONTEXT)
    return context.actor if context is not None else "anonymous"


def session_of(request: web.Request) -> SessionState | None:
    session: SessionState | None = request.get(REQUEST_SESSION)
    return session


async def load_context(
    request: web.Request,
    account_id: int,
    *,
    via: str,
    session: SessionState | None,
) -> AccountContext | None:
    async with request.app[appkeys.DB].session() as s:
        account = await account_store.get(s, account_id)
        if account is None or account.disabled:
            return None
        grants = tuple(
            RoleGrant(r.org_id, r.role) for r in await account_store.roles(s, account_id)
        )
        parents = await store.org_parents(s)
    return AccountContext(
        account_id=account.id,
        username=account.username,
        display_name=account.display_name,
        member_id=account.member_id,
        grants=grants,
        parents=parents,
        via="token" if via == "token" else "session",
        session_id=session.id if session else None,
        step_up_at=session.step_up_at if session else None,
    )


async def _bearer(request: web.Request, token: str) -> AccountContext | None:
    now = request.app[appkeys.CLOCK]()
    async with request.app[appkeys.DB].session() as s:
        row = await store.api_token_by_hash(s, digest(token))
        if row is None or row.expires_at <= now:
            return None
        account_id = row.account_id
    return await load_context(request, account_id, via="token", session=None)


async def deny(
    request: web.Request, err: AppError, reason: str, actor: str | None = None
) -> AppError:
    """Write the refusal to the audit log and return it for raising."""
    context = request.get(REQUEST_CONTEXT)
    if actor is None:
        actor = context.actor if context is not None else "anonymous"
    details: dict[str, object] = {
        "reason": reason,
        "method": request.method,
        "path": request.path,
        "error_code": err.code.value,
        "address": client_address(request),
    }
    if isinstance(err, Denied):
        details["permission"] = err.permission.value
        details["org"] = err.org_id
    await request.app[appkeys.AUDIT].record(actor, "access.denied", request.path, details)
    return err


def _check_origin(request: web.Request) -> None:
    origin = request.headers.get("Origin")
    if origin is not None and origin.rstrip("/") not in origins(request.app[appkeys.SETTINGS]):
        raise AppError.of(ErrorCode.ORIGIN)


@web.middleware
async def auth_middleware(request: web.Request, handler: appkeys.Handler) -> web.StreamResponse:
    request[REQUEST_CONTEXT] = None
    request[REQUEST_SESSION] = None
    if not request.path.startswith("/api/"):
        return await handler(request)
    app = request.app
    settings = app[appkeys.SETTINGS]
    token = request.cookies.get(cookie_name(settings.server), "")
    session = await app[appkeys.SESSIONS].resolve(token) if token else None
    authz = request.headers.get("Authorization", "")
    context: AccountContext | None = None
    if session is not None:
        request[REQUEST_SESSION] = session
        if session.stage == "full":
            context = await load_context(
                request, session.account_id, via="session", session=session
            )
    elif authz.startswith("Bearer "):
        context = await _bearer(request, authz.removeprefix("Bearer ").strip())
        if context is None:
            raise await deny(request, AppError.of(ErrorCode.UNAUTHENTICATED), "bad_token")
        request[REQUEST_CONTEXT] = context
        if request.method not in ("GET", "HEAD"):
            raise await deny(request, AppError.of(ErrorCode.FORBIDDEN), "token_read_only")
    request[REQUEST_CONTEXT] = context
    route_handler = request.match_info.handler
    public = route_handler in app[appkeys.PUBLIC]
    if request.method in UNSAFE:
        try:
            _check_origin(request)
        except AppError as err:
            raise await deny(request, err, "origin") from None
        exempt = route_handler in app[appkeys.CSRF_EXEMPT]
        if (
            session is not None
            and not exempt
            and not same(request.headers.get(CSRF_HEADER, ""), session.csrf)
        ):
            raise await deny(request, AppError.of(ErrorCode.CSRF), "csrf")
    if not public and context is None:
        missing = AppError.of(ErrorCode.UNAUTHENTICATED)
        if token:  # a cookie that no longer opens a session: expired, revoked or partial
            raise await deny(request, missing, "no_session")
        raise missing
    try:
        return await handler(request)
    except Denied as err:
        raise await deny(request, err, "permission") from None


async def authenticate_websocket(request: web.Request) -> AccountContext:
    """Check a WebSocket handshake before ``prepare``: an allowed Origin (403 otherwise, also
    when absent: browsers always send it) and a full session (401). Refusals are audited.
    """
    request[REQUEST_CONTEXT] = None
    origin = request.headers.get("Origin")
    if origin is None or origin.rstrip("/") not in origins(request.app[appkeys.SETTINGS]):
        raise await deny(request, AppError.of(ErrorCode.ORIGIN), "ws_origin")
    context = await cookie_context(request)
    if context is None:
        raise await deny(request, AppError.of(ErrorCode.UNAUTHENTICATED), "ws_session")
    request[REQUEST_CONTEXT] = context
    return context


async def cookie_context(request: web.Request) -> AccountContext | None:
    """The caller of a page or WebSocket by the session cookie: ``None`` unless the session is
    fully signed in (both factors) and the account is enabled."""
    settings = request.app[appkeys.SETTINGS]
    token = request.cookies.get(cookie_name(settings.server), "")
    session = await request.app[appkeys.SESSIONS].resolve(token) if token else None
    if session is None or session.stage != "full":
        return None
    return await load_context(request, session.account_id, via="session", session=session)


def utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat()
