"""The registry: organisations and the members of cells (deny by default, R7).

Each flow opens its own transaction and checks the caller's permission where the original
handler did: after the organisation or member is found (404 first), before anything changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from policy.error_codes import ErrorCode
from policy.model import OrgLevel, Role
from server.audit import AuditLog
from server.auth.authz import Permission, allowed, require
from server.auth.context import AccountContext
from server.errors import AppError, not_found
from server.storage import accounts as account_store
from server.storage import members as member_store
from server.storage import organisations as org_store
from server.storage.db import Database, Session
from server.storage.models import Member, MemberChange, Organisation

#: the fields of a member record that the roster's history follows
TRACKED = (
    "full_name",
    "status",
    "exempted",
    "suspended",
    "temporarily_attached",
    "flag_periods",
    "e1a_reasons",
    "e1a_periods",
    "location",
    "group_id",
)


def _plain(value: Any) -> Any:
    return value.value if hasattr(value, "value") else value


def snapshot(member: Member) -> dict[str, Any]:
    """The tracked fields of a member row as JSON values."""
    return {name: _plain(getattr(member, name)) for name in TRACKED}


async def record_change(
    session: Session,
    context: AccountContext,
    member: Member,
    action: str,
    changes: Mapping[str, Any],
    now: dt.datetime,
) -> None:
    """Note who changed what in the roster's history (``changes``: {field: [old, new]})."""
    await member_store.add_change(
        session,
        MemberChange(
            member_id=member.id,
            org_id=member.org_id,
            action=action,
            changes=dict(changes),
            actor=context.actor,
            actor_name=context.display_name or context.username,
            changed_at=now,
        ),
    )


async def org_or_404(session: Session, org_id: int) -> Organisation:
    org = await org_store.get(session, org_id)
    if org is None:
        raise not_found("tổ chức / organisation")
    return org


async def get(
    db: Database, context: AccountContext, org_id: int, permission: Permission
) -> Organisation:
    """The organisation, if the caller holds ``permission`` on it (404, then 403)."""
    async with db.session() as session:
        org = await org_or_404(session, org_id)
        require(context, permission, org_id)
        return org


async def visible(
    db: Database, context: AccountContext, level: OrgLevel | None
) -> list[Organisation]:
    async with db.session() as session:
        orgs = await org_store.list_all(session, level)
    return [o for o in orgs if allowed(context, Permission.ORG_READ, o.id)]


async def create(
    db: Database, audit: AuditLog, context: AccountContext, fields: Mapping[str, Any]
) -> Organisation:
    """Needs ORG_MANAGE on the parent; a top-level organisation needs it installation-wide, and
    its creator becomes its administrator (audited as ``role.grant``)."""
    parent_id: int | None = fields.get("parent_id")
    level = OrgLevel(fields["level"])
    async with db.session() as session:
        if parent_id is not None:
            await org_or_404(session, parent_id)
        require(context, Permission.ORG_MANAGE, parent_id)
        if parent_id is not None:
            parent = await org_or_404(session, parent_id)
            expected = org_store.PARENT_LEVEL[level]
            if parent.level != expected:
                raise AppError.of(
                    ErrorCode.VALIDATION,
                    detail=f"parent of a {level.value} must be a {expected}",
                )
        elif level is OrgLevel.GROUP:
            raise AppError.of(ErrorCode.VALIDATION, detail="a party group needs its cell as parent")
        if await org_store.by_code(session, fields["code"]) is not None:
            raise AppError.of(ErrorCode.CONFLICT, detail=f"code {fields['code']!r} already used")
        org = await org_store.add(session, Organisation(**fields))
        await audit.record(
            context.actor,
            "organisation.create",
            f"org:{org.id}",
            {"level": org.level.value},
            session=session,
        )
        if org.parent_id is None:
            await account_store.grant(session, context.account_id, org.id, Role.ADMIN)
            await audit.record(
                context.actor,
                "role.grant",
                f"account:{context.account_id}",
                {"org": org.id, "role": Role.ADMIN.value},
                session=session,
            )
        return org


async def members(db: Database, context: AccountContext, org_id: int) -> Sequence[Member]:
    async with db.session() as session:
        await org_or_404(session, org_id)
        require(context, Permission.MEMBERS_READ, org_id)
        return await member_store.of_org(session, org_id)


async def _check_group(session: Session, cell_id: int, group_id: int | None) -> None:
    if group_id is None:
        return
    group = await org_store.get(session, group_id)
    if group is None or group.level is not OrgLevel.GROUP or group.parent_id != cell_id:
        raise AppError.of(ErrorCode.VALIDATION, detail="group_id: not a party group of this cell")


async def add_member(
    db: Database,
    audit: AuditLog,
    context: AccountContext,
    org_id: int,
    fields: Mapping[str, Any],
    now: dt.datetime,
) -> Member:
    async with db.session() as session:
        org = await org_or_404(session, org_id)
        require(context, Permission.MEMBERS_MANAGE, org_id)
        if org.level is not OrgLevel.CELL:
            raise AppError.of(ErrorCode.VALIDATION, detail="members belong to a cell")
        await _check_group(session, org_id, fields.get("group_id"))
        member = await member_store.add(session, Member(org_id=org_id, **fields))
        created = {k: [None, v] for k, v in snapshot(member).items()}
        await record_change(session, context, member, "create", created, now)
        await audit.record(
            context.actor,
            "member.create",
            f"member:{member.id}",
            {"org": org_id},
            session=session,
        )
        return member


async def _member_or_404(session: Session, member_id: int) -> Member:
    member = await member_store.get(session, member_id)
    if member is None:
        raise not_found("đảng viên / member")
    return member


async def member(db: Database, context: AccountContext, member_id: int) -> Member:
    async with db.session() as session:
        found = await _member_or_404(session, member_id)
        if context.member_id != found.id:  # one's own record is always readable
            require(context, Permission.MEMBERS_READ, found.org_id)
        return found


async def update_member(
    db: Database,
    audit: AuditLog,
    context: AccountContext,
    member_id: int,
    changes: Mapping[str, Any],
    now: dt.datetime,
) -> Member:
    """Set the fields named in ``changes``; only ``group_id`` may be set to null. What changed
    goes to the roster's history, old and new values side by side."""
    async with db.session() as session:
        found = await _member_or_404(session, member_id)
        require(context, Permission.MEMBERS_MANAGE, found.org_id)
        if "group_id" in changes:
            await _check_group(session, found.org_id, changes["group_id"])
        changes = dict(changes)
        new_reasons = changes.get("e1a_reasons")
        reasons = set(new_reasons if new_reasons is not None else found.e1a_reasons)
        if new_reasons is not None and "e1a_periods" not in changes:
            # E1a periods: a reason taken off the record takes its period with it
            kept = {k: v for k, v in (found.e1a_periods or {}).items() if k in reasons}
            changes["e1a_periods"] = kept
        if not set(changes.get("e1a_periods") or found.e1a_periods or {}) <= reasons:
            # E1a periods belong to reasons the member carries
            raise AppError.of(
                ErrorCode.VALIDATION, detail="e1a_periods: a period for a reason not carried"
            )
        before = snapshot(found)
        for key, value in changes.items():
            if value is None and key != "group_id":
                raise AppError.of(ErrorCode.VALIDATION, detail=f"{key}: may not be null")
            setattr(found, key, value)
        await session.flush()
        after = snapshot(found)
        diff = {k: [before[k], after[k]] for k in TRACKED if before[k] != after[k]}
        if diff:
            await record_change(session, context, found, "update", diff, now)
        await audit.record(
            context.actor,
            "member.update",
            f"member:{found.id}",
            {"fields": sorted(changes)},
            session=session,
        )
        return found
