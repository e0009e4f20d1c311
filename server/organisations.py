"""The registry: organisations and the members of cells (deny by default, R7).

Each flow opens its own transaction and checks the caller's permission where the original
handler did: after the organisation or member is found (404 first), before anything changes.
"""

from __future__ import annotations

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
from server.storage.models import Member, Organisation


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
) -> Member:
    async with db.session() as session:
        org = await org_or_404(session, org_id)
        require(context, Permission.MEMBERS_MANAGE, org_id)
        if org.level is not OrgLevel.CELL:
            raise AppError.of(ErrorCode.VALIDATION, detail="members belong to a cell")
        await _check_group(session, org_id, fields.get("group_id"))
        member = await member_store.add(session, Member(org_id=org_id, **fields))
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
) -> Member:
    """Set the fields named in ``changes``; only ``group_id`` may be set to null."""
    async with db.session() as session:
        found = await _member_or_404(session, member_id)
        require(context, Permission.MEMBERS_MANAGE, found.org_id)
        if "group_id" in changes:
            await _check_group(session, found.org_id, changes["group_id"])
        reasons = set(changes.get("e1a_reasons") or found.e1a_reasons)
        if not set(changes.get("e1a_periods") or found.e1a_periods or {}) <= reasons:
            # E1a periods belong to reasons the member carries
            raise AppError.of(
                ErrorCode.VALIDATION, detail="e1a_periods: a period for a reason not carried"
            )
        for key, value in changes.items():
            if value is None and key != "group_id":
                raise AppError.of(ErrorCode.VALIDATION, detail=f"{key}: may not be null")
            setattr(found, key, value)
        await session.flush()
        await audit.record(
            context.actor,
            "member.update",
            f"member:{found.id}",
            {"fields": sorted(changes)},
            session=session,
        )
        return found
