"""The roster of a cell as its secretary, deputy and administrator read it: the members with
their flags (and the flags' dates), E1a reasons with their E1a periods, party groups, accounts
and roles, the E1 figure those decide, and the history of changes (who changed what).

Reading needs MEMBERS_READ on the cell; the accounts column is filled for every reader who may
read the roster (usernames and whether an account is locked or enrolled; never a secret).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from policy.eligibility import OnlineScope, online_scope
from policy.error_codes import ErrorCode
from policy.model import MemberFlag, OrgLevel
from server import rules
from server.auth.authz import Permission, allowed, require
from server.auth.context import AccountContext
from server.errors import AppError
from server.organisations import org_or_404
from server.storage import accounts as account_store
from server.storage import identity as identity_store
from server.storage import members as member_store
from server.storage import organisations as org_store
from server.storage.db import Database, Session
from server.storage.models import Account, Member, MemberChange, Organisation


@dataclass(frozen=True, slots=True)
class AccountState:
    id: int
    username: str
    locked: bool
    enrolled: bool  # a password and a second factor
    factor_reset: bool  # reset by the administrator, a new factor is due
    roles: tuple[tuple[int, str], ...]  # (org id, role)


@dataclass(frozen=True, slots=True)
class RosterEntry:
    member: Member
    account: AccountState | None
    #: E1a reasons that count on the roster's date (within their E1a period or season)
    reasons_now: tuple[str, ...]
    #: flags that hold on the roster's date (within their dates)
    flags_now: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Roster:
    org: Organisation
    on: dt.date
    groups: tuple[Organisation, ...]
    entries: tuple[RosterEntry, ...]
    scope: OnlineScope
    may_manage: bool
    may_manage_accounts: bool


async def cell_of(session: Session, context: AccountContext, org_id: int) -> Organisation:
    org = await org_or_404(session, org_id)
    require(context, Permission.MEMBERS_READ, org_id)
    if org.level is not OrgLevel.CELL:
        raise AppError.of(ErrorCode.VALIDATION, detail="the roster is a cell's")
    return org


async def groups_of(session: Session, cell_id: int) -> tuple[Organisation, ...]:
    children = await org_store.children(session, cell_id)
    return tuple(c for c in children if c.level is OrgLevel.GROUP)


def _account_state(account: Account, with_factor: set[int]) -> AccountState:
    return AccountState(
        id=account.id,
        username=account.username,
        locked=account.disabled,
        enrolled=bool(account.password_hash) and account.id in with_factor,
        factor_reset=account.factor_reset_at is not None,
        roles=tuple(sorted((r.org_id, r.role.value) for r in account.roles)),
    )


async def roster(db: Database, context: AccountContext, org_id: int, on: dt.date) -> Roster:
    """The cell's members on ``on`` (Vietnam date) with the E1 figure of that day."""
    async with db.session() as session:
        org = await cell_of(session, context, org_id)
        groups = await groups_of(session, org_id)
        members = await member_store.of_org(session, org_id)
        accounts = await account_store.of_members(session, [m.id for m in members])
        factors = await identity_store.with_factor(session, [a.id for a in accounts])
        facts = await rules.org_facts(session, org)
    by_member = {a.member_id: _account_state(a, factors) for a in accounts}
    facts_of = {f.member_id: f for f in facts.members}
    entries = []
    for m in members:
        f = facts_of[str(m.id)]
        flags = tuple(flag.value for flag in MemberFlag if f.flag_on(flag, on))
        reasons = tuple(sorted(r.value for r in f.reasons_on(on)))
        entries.append(RosterEntry(m, by_member.get(m.id), reasons, flags))
    return Roster(
        org=org,
        on=on,
        groups=groups,
        entries=tuple(entries),
        scope=online_scope(facts, on),
        may_manage=allowed(context, Permission.MEMBERS_MANAGE, org_id),
        may_manage_accounts=allowed(context, Permission.ACCOUNTS_MANAGE, org_id),
    )


async def scope(db: Database, context: AccountContext, org_id: int, on: dt.date) -> OnlineScope:
    """E1's figure for the cell on ``on`` (the home page shows it to the secretary)."""
    async with db.session() as session:
        org = await cell_of(session, context, org_id)
        facts = await rules.org_facts(session, org)
    return online_scope(facts, on)


async def history(
    db: Database, context: AccountContext, org_id: int
) -> tuple[Sequence[MemberChange], dict[int, str]]:
    """The roster's changes, newest first, with the members' names."""
    async with db.session() as session:
        await cell_of(session, context, org_id)
        changes = await member_store.changes_of_org(session, org_id)
        names = {m.id: m.full_name for m in await member_store.of_org(session, org_id)}
    return changes, names
