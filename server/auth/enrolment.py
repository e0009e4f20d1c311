"""Enrolment by link: an administrator or the secretary invites a member to enrol with a
single-use, expiring link; the member sets a password on it and then a second factor (TOTP or a
passkey, :mod:`server.auth.service`), and sees the recovery codes once.

The link's token is shown once (in the link); only its SHA-256 is stored. Opening or using a
link that is unknown, used or expired is refused and audited (``enrolment.rejected``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from dataclasses import dataclass

from aiohttp import web

from policy.error_codes import ErrorCode
from policy.i18n import tr
from policy.model import Role
from server import appkeys
from server.audit import AuditLog
from server.auth import links, signin
from server.auth.authz import Permission, require
from server.auth.context import AccountContext
from server.auth.middleware import client_address
from server.auth.passwords import hash_password
from server.auth.sessions import Stage
from server.errors import AppError, not_found
from server.storage import accounts as account_store
from server.storage import identity as store
from server.storage import members as member_store
from server.storage.db import Database
from server.storage.models import Account
from server.storage.models_auth import EnrolmentLink

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
MIN_PASSWORD = 12


@dataclass(frozen=True, slots=True)
class Invited:
    token: str  # shown once, in the link
    account_id: int
    username: str
    expires_at: dt.datetime


async def invite(
    db: Database,
    audit: AuditLog,
    context: AccountContext,
    now: dt.datetime,
    member_id: int,
    username: str,
    hours: int,
) -> Invited:
    """A link for the member to enrol; the member's account is made (a member of the cell, no
    password, no factor) if it does not exist. An enrolled account is refused (409): its second
    factor is reset instead (:mod:`server.auth.accounts_admin`)."""
    async with db.session() as s:
        member = await member_store.get(s, member_id)
        if member is None:
            raise not_found("đảng viên / member")
        require(context, Permission.ACCOUNTS_INVITE, member.org_id)
        account = await account_store.by_member(s, member.id)
        if account is None:
            username = username.strip().lower()
            if not USERNAME.match(username):
                raise AppError.of(ErrorCode.VALIDATION, detail="username: a-z 0-9 . _ - (3-64)")
            if await account_store.by_username(s, username) is not None:
                raise AppError(
                    409, ErrorCode.CONFLICT, tr("roster.account.username_taken", username=username)
                )
            account = await account_store.add(
                s, Account(username=username, display_name=member.full_name, member_id=member.id)
            )
            await account_store.grant(s, account.id, member.org_id, Role.MEMBER)
            await audit.record(
                context.actor,
                "role.grant",
                f"account:{account.id}",
                {"org": member.org_id, "role": Role.MEMBER.value},
                session=s,
            )
        elif account.password_hash and await signin.has_factor(s, account.id):
            raise AppError(409, ErrorCode.CONFLICT, tr("roster.account.already_enrolled"))
        elif account.password_hash:
            # an account that was in use (its factor reset): a new password by link is the
            # administrator's to give, not the secretary's
            require(context, Permission.ACCOUNTS_MANAGE, member.org_id)
        await store.void_enrolment_links(s, account.id, now)
        new = links.fresh(now, hours)
        link = await store.add_enrolment_link(
            s, EnrolmentLink(account_id=account.id, **new.columns(context.account_id))
        )
        await audit.record(
            context.actor,
            "enrolment.invite",
            f"account:{account.id}",
            {"member": member.id, "link": link.id, "hours": hours},
            session=s,
        )
        return Invited(new.token, account.id, account.username, link.expires_at)


async def _usable(request: web.Request, token: str) -> tuple[EnrolmentLink, Account]:
    """The link and its account, or a refusal (audited)."""
    now = request.app[appkeys.CLOCK]()
    async with request.app[appkeys.DB].session() as s:
        link = await store.enrolment_link_by_hash(s, links.stored_hash(token))
        account = await account_store.get(s, link.account_id) if link is not None else None
        reason: str = links.unusable(link if account is not None else None, now)
        if not reason and account is not None and account.disabled:
            reason = "locked"
    if reason or link is None or account is None:
        await request.app[appkeys.AUDIT].record(
            "anonymous",
            "enrolment.rejected",
            f"enrolment:{link.id}" if link is not None else "enrolment:unknown",
            {"reason": reason, "address": client_address(request)},
        )
        raise AppError(410, ErrorCode.INVITATION_INVALID, tr("enrol.invalid"))
    return link, account


async def describe(request: web.Request, token: str) -> tuple[Account, dt.datetime]:
    """Whose link this is (name and username) and until when it works."""
    link, account = await _usable(request, token)
    return account, link.expires_at


async def set_password(request: web.Request, token: str, password: str) -> signin.Issued:
    """Use the link: set the password; a session at the enrolment stage follows (the second
    factor is enrolled next, then the recovery codes are shown once)."""
    if len(password) < MIN_PASSWORD:
        raise AppError(422, ErrorCode.VALIDATION, tr("auth.password_too_short"))
    link, account = await _usable(request, token)
    new_hash = await asyncio.to_thread(hash_password, password)
    now = request.app[appkeys.CLOCK]()
    async with request.app[appkeys.DB].session() as s:
        if not await store.use_enrolment_link(s, link.id, now):
            raise AppError(410, ErrorCode.INVITATION_INVALID, tr("enrol.invalid"))
        row = await account_store.get(s, account.id)
        assert row is not None
        row.password_hash = new_hash
        await request.app[appkeys.SESSIONS].end_all(s, account.id)
        stage: Stage = "mfa" if await signin.has_factor(s, account.id) else "enrol"
        issued = await signin.issue(request, s, account.id, stage)
        await request.app[appkeys.AUDIT].record(
            f"account:{account.id}",
            "enrolment.password_set",
            f"account:{account.id}",
            {"link": link.id, "next": stage, "address": client_address(request)},
            session=s,
        )
    return issued
