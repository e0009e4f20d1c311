"""Invitations: one member (or one observer's account, R5), one meeting, a single-use expiring
link (R7).

An observer is invited by account: someone who is not a member of the cell (a superior
committee's member) but whom the superior committee assigned to attend it (R5, S1), so that the
account holds the observer role there. The invitation gives no right the account does not
already hold (deny by default): the secretary of a cell cannot open it to an outsider. In the
room an observer never votes and is counted in no quorum (``server.meeting.admission``).

The flows open their own transaction, check the permission on the meeting's organisation
(deny by default) and audit in the same transaction; a refused redemption is audited in a
transaction of its own, so that the refusal is kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from policy.error_codes import ErrorCode
from policy.i18n import tr
from policy.model import Role
from server.audit import AuditLog
from server.auth import links
from server.auth.authz import Permission, require, roles_at
from server.auth.context import AccountContext, RoleGrant
from server.auth.signin import refusal
from server.errors import AppError, not_found
from server.storage import accounts as account_store
from server.storage import identity as store
from server.storage import meetings as meeting_store
from server.storage import members as member_store
from server.storage.db import Database
from server.storage.models_auth import Invitation


@dataclass(frozen=True, slots=True)
class Invited:
    token: str  # shown once, in the link; only its digest is stored
    meeting_id: int
    member_id: int | None
    expires_at: dt.datetime
    #: the observer's display name when the invitation is an observer's (R5), else ``None``
    observer: str | None = None


async def invite(
    db: Database,
    audit: AuditLog,
    context: AccountContext,
    now: dt.datetime,
    meeting_id: int,
    request: Callable[[], Awaitable[tuple[int, int]]],
) -> Invited:
    """Invite a member of the meeting's organisation (or of its party group). ``request``
    gives (member, hours valid) and is read only after the caller may send invitations."""
    async with db.session() as s:
        meeting = await meeting_store.get(s, meeting_id)
        if meeting is None:
            raise not_found("cuộc họp / meeting")
        require(context, Permission.INVITE_SEND, meeting.org_id)
        member_id, hours = await request()
        member = await member_store.get(s, member_id)
        if member is None or meeting.org_id not in (member.org_id, member.group_id):
            raise AppError(422, ErrorCode.VALIDATION, tr("auth.member_not_in_meeting"))
        new = links.fresh(now, hours)
        row = await store.add_invitation(
            s,
            Invitation(
                member_id=member.id, meeting_id=meeting.id, **new.columns(context.account_id)
            ),
        )
        await audit.record(
            context.actor,
            "invitation.create",
            f"meeting:{meeting.id}",
            {"member": member.id, "invitation": row.id, "hours": hours},
            session=s,
        )
    return Invited(new.token, meeting.id, member.id, row.expires_at)


async def invite_observer(
    db: Database,
    audit: AuditLog,
    context: AccountContext,
    now: dt.datetime,
    meeting_id: int,
    request: Callable[[], Awaitable[tuple[str, int]]],
) -> Invited:
    """Invite an observer by account (R5): ``request`` gives (username, hours valid) and is read
    only after the caller may send invitations. Refused unless the account holds the observer
    role on the meeting's organisation, given by the superior committee (R5, S1)."""
    async with db.session() as s:
        meeting = await meeting_store.get(s, meeting_id)
        if meeting is None:
            raise not_found("cuộc họp / meeting")
        require(context, Permission.INVITE_SEND, meeting.org_id)
        username, hours = await request()
        account = await account_store.by_username(s, username.strip())
        observer = False
        if account is not None and not account.disabled:
            grants = tuple(
                RoleGrant(r.org_id, r.role) for r in await account_store.roles(s, account.id)
            )
            them = AccountContext(
                account_id=account.id,
                username=account.username,
                display_name=account.display_name,
                member_id=account.member_id,
                grants=grants,
                parents=await store.org_parents(s),
            )
            observer = Role.OBSERVER in roles_at(them, meeting.org_id)
        if account is None or not observer:
            # one answer for an unknown account and one without the role: no account probing
            raise AppError(422, ErrorCode.VALIDATION, tr("auth.not_an_observer"), rules=("R5",))
        new = links.fresh(now, hours)
        row = await store.add_invitation(
            s,
            Invitation(
                member_id=None,
                observer_account_id=account.id,
                meeting_id=meeting.id,
                **new.columns(context.account_id),
            ),
        )
        await audit.record(
            context.actor,
            "invitation.create",
            f"meeting:{meeting.id}",
            {"observer_account": account.id, "invitation": row.id, "hours": hours},
            session=s,
        )
        name = account.display_name or account.username
    return Invited(new.token, meeting.id, None, row.expires_at, observer=name)


async def redeem(
    db: Database, audit: AuditLog, context: AccountContext, now: dt.datetime, token: str
) -> int:
    """Use an invitation after signing in: the meeting it opens. Unknown, used, expired or
    another member's: refused and audited (``invitation.rejected``)."""
    async with db.session() as s:
        row = await store.invitation_by_hash(s, links.stored_hash(token))
        reason: str = links.unusable(row, now)
        if row is not None and not reason and not _invitee(row, context):
            reason = "other_member"
        if row is not None and not reason:
            meeting = await meeting_store.get(s, row.meeting_id)
            assert meeting is not None
            require(context, Permission.MEETING_ATTEND, meeting.org_id)
            if not await store.use_invitation(s, row.id, now):
                reason = "used"
            else:
                await audit.record(
                    context.actor,
                    "invitation.redeem",
                    f"meeting:{row.meeting_id}",
                    {"invitation": row.id},
                    session=s,
                )
        invitation_id = row.id if row is not None else None
        meeting_id = row.meeting_id if row is not None else 0
    if reason:
        err = (
            AppError(403, ErrorCode.FORBIDDEN, tr("auth.invitation_other_member"))
            if reason == "other_member"
            else refusal(ErrorCode.INVITATION_INVALID)
        )
        await audit.record(
            context.actor,
            "invitation.rejected",
            f"invitation:{invitation_id}" if invitation_id else "invitation:unknown",
            {"reason": reason, "error_code": err.code.value},
        )
        raise err
    return meeting_id


def _invitee(row: Invitation, context: AccountContext) -> bool:
    """Whether the signed-in account is the one the invitation names (member or observer)."""
    if row.observer_account_id is not None:
        return row.observer_account_id == context.account_id
    return row.member_id == context.member_id
