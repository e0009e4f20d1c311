"""The administrator's work on members' accounts: reset a second factor (with the
administrator's own fresh step-up), lock and unlock, sign out everywhere (a lost phone).

Each needs ACCOUNTS_MANAGE on the organisation of the account's member (or of every role the
account holds, for an account without a member record) and is audited; security officers read
these events (``account.*``) in their console. No secret is ever written to the log.
"""

from __future__ import annotations

from aiohttp import web

from policy.error_codes import ErrorCode
from server import appkeys
from server.auth.authz import Permission, require
from server.auth.context import AccountContext
from server.auth.middleware import context_of, deny
from server.auth.signin import refusal
from server.errors import not_found
from server.storage import accounts as account_store
from server.storage import identity as store
from server.storage import members as member_store
from server.storage.db import Session
from server.storage.models import Account


async def _managed(s: Session, context: AccountContext, account_id: int) -> Account:
    account = await account_store.get(s, account_id)
    if account is None:
        raise not_found("tài khoản / account")
    orgs: set[int] = set()
    if account.member_id is not None:
        member = await member_store.get(s, account.member_id)
        if member is not None:
            orgs.add(member.org_id)
    if not orgs:
        orgs = {r.org_id for r in await account_store.roles(s, account.id)}
    if not orgs:
        require(context, Permission.ACCOUNTS_MANAGE, None)
    for org_id in sorted(orgs):
        require(context, Permission.ACCOUNTS_MANAGE, org_id)
    return account


async def reset_factor(request: web.Request, account_id: int) -> int:
    """Remove every second factor of the account and end its sessions; at next sign-in the
    member is told and enrols a new factor. Needs the administrator's own fresh step-up: without
    it, 403 ``step_up_required`` (audited as ``access.denied``). Returns the factors removed."""
    context = context_of(request)
    db = request.app[appkeys.DB]
    async with db.session() as s:
        await _managed(s, context, account_id)
    if not request.app[appkeys.SESSIONS].fresh_step_up(context.step_up_at):
        raise await deny(request, refusal(ErrorCode.STEP_UP_REQUIRED), "step_up")
    now = request.app[appkeys.CLOCK]()
    async with db.session() as s:
        account = await _managed(s, context, account_id)
        removed = await store.remove_factors(s, account.id)
        ended = await request.app[appkeys.SESSIONS].end_all(s, account.id)
        account.factor_reset_at = now
        await request.app[appkeys.AUDIT].record(
            context.actor,
            "account.factor_reset",
            f"account:{account.id}",
            {"removed": removed, "sessions_ended": ended},
            session=s,
        )
    return removed


async def set_locked(request: web.Request, account_id: int, locked: bool) -> int:
    """Lock (no sign-in, every session ended) or unlock the account: sessions ended."""
    context = context_of(request)
    async with request.app[appkeys.DB].session() as s:
        account = await _managed(s, context, account_id)
        account.disabled = locked
        ended = await request.app[appkeys.SESSIONS].end_all(s, account.id) if locked else 0
        await request.app[appkeys.AUDIT].record(
            context.actor,
            "account.lock" if locked else "account.unlock",
            f"account:{account.id}",
            {"sessions_ended": ended},
            session=s,
        )
    return ended


async def sign_out_everywhere(request: web.Request, account_id: int) -> int:
    """End every session of the account (a member who lost a phone): how many."""
    context = context_of(request)
    async with request.app[appkeys.DB].session() as s:
        account = await _managed(s, context, account_id)
        ended = await request.app[appkeys.SESSIONS].end_all(s, account.id)
        await request.app[appkeys.AUDIT].record(
            context.actor,
            "account.signout_all",
            f"account:{account.id}",
            {"sessions_ended": ended},
            session=s,
        )
    return ended
