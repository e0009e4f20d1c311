"""Authorization: one role → permission table and one check, deny by default (R7).

``require(context, permission, org_id)`` is the only place that decides. A role held on an
organisation covers that organisation; some roles also cover the organisations below it:

* observer, security officer, administrator on a grassroots committee cover its cells and groups
  (they watch, audit or administer the whole committee);
* a cell's secretary, deputy, committee member or member is a *member* of the cell's party groups
  (reads their meetings and may attend, but chairs only with a group-leader role on the group).

``org_id=None`` asks for the permission installation-wide: held on a top-level organisation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum

from policy.error_codes import ErrorCode
from policy.model import Role
from server.auth.context import AccountContext
from server.errors import AppError


class Permission(str, Enum):
    ORG_READ = "org.read"
    ORG_MANAGE = "org.manage"
    MEMBERS_READ = "members.read"
    MEMBERS_MANAGE = "members.manage"
    MEETING_READ = "meeting.read"  # meetings, agenda: meeting content
    MEETING_SCHEDULE = "meeting.schedule"  # create meetings, edit the agenda
    MEETING_CHAIR = "meeting.chair"
    MEETING_ATTEND = "meeting.attend"
    MEETING_VOTE = "meeting.vote"
    INVITE_SEND = "invite.send"
    PILOT_READ = "pilot.read"
    PILOT_MANAGE = "pilot.manage"
    AUDIT_READ = "audit.read"
    ACCOUNTS_MANAGE = "accounts.manage"
    #: invite a member to enrol (an account with a single-use link): secretary, administrator
    ACCOUNTS_INVITE = "accounts.invite"
    #: on a superior committee: its cells' quality results, assignments, reports (Q1–Q3, S1, S3)
    OVERSIGHT_READ = "oversight.read"
    #: on a superior committee: criteria, evaluation and publication, assignments (Q1, Q2, S1)
    OVERSIGHT_MANAGE = "oversight.manage"
    #: on a superior committee: open an inspection of a cell's records (S2)
    INSPECT = "inspect"
    #: on the superior committee: vet registrations (V2, the organisation board)
    PILOT_VET = "pilot.vet"
    #: on the superior committee: decide registrations (V2, E3, the standing committee)
    PILOT_DECIDE = "pilot.decide"
    #: R6/R7: list and play back a meeting's recordings — separate from chairing (a deputy or
    #: a group leader chairs without it); the cell's secretary, who keeps the meeting records
    RECORDING_PLAY = "recording.play"


P = Permission
_CHAIR = {P.MEETING_READ, P.MEETING_SCHEDULE, P.MEETING_CHAIR, P.MEETING_ATTEND, P.MEETING_VOTE}
#: a committee's leaders over its cells (held on the committee, checked on it: S1–S3, Q1–Q3)
_LEAD = {P.OVERSIGHT_READ, P.OVERSIGHT_MANAGE, P.INSPECT}

ROLE_PERMISSIONS: Mapping[Role, frozenset[Permission]] = {
    Role.SECRETARY: frozenset(
        _CHAIR
        | {P.ORG_READ, P.MEMBERS_READ, P.MEMBERS_MANAGE, P.INVITE_SEND, P.PILOT_READ}
        | {P.PILOT_MANAGE, P.ACCOUNTS_INVITE, P.RECORDING_PLAY}
        | _LEAD
    ),
    Role.DEPUTY: frozenset(
        _CHAIR | {P.ORG_READ, P.MEMBERS_READ, P.INVITE_SEND, P.PILOT_READ} | _LEAD
    ),
    Role.COMMITTEE: frozenset(
        {P.ORG_READ, P.MEMBERS_READ, P.MEETING_READ, P.MEETING_ATTEND, P.MEETING_VOTE, P.PILOT_READ}
        | {P.OVERSIGHT_READ, P.INSPECT}
    ),
    Role.GROUP_LEADER: frozenset(_CHAIR | {P.ORG_READ, P.MEMBERS_READ}),
    Role.MEMBER: frozenset({P.ORG_READ, P.MEETING_READ, P.MEETING_ATTEND, P.MEETING_VOTE}),
    # R5: the superior committee's observer attends and may read, never votes
    Role.OBSERVER: frozenset(
        {P.ORG_READ, P.MEETING_READ, P.MEETING_ATTEND, P.PILOT_READ, P.OVERSIGHT_READ}
    ),
    # R7: reads the access logs, never meeting content
    Role.SECURITY_OFFICER: frozenset({P.ORG_READ, P.AUDIT_READ}),
    # manages accounts and the registry, not meetings
    Role.ADMIN: frozenset(
        {P.ORG_READ, P.ORG_MANAGE, P.MEMBERS_READ, P.MEMBERS_MANAGE, P.ACCOUNTS_MANAGE}
        | {P.ACCOUNTS_INVITE}
        | {P.PILOT_READ, P.PILOT_MANAGE}
    ),
    Role.ROOM_DEVICE: frozenset({P.MEETING_ATTEND}),
    # V2: the superior committee's organisation board vets, its standing committee decides
    Role.ORG_BOARD: frozenset({P.ORG_READ, P.PILOT_READ, P.PILOT_VET, P.OVERSIGHT_READ}),
    Role.STANDING_COMMITTEE: frozenset(
        {P.ORG_READ, P.PILOT_READ, P.PILOT_DECIDE, P.OVERSIGHT_READ}
    ),
}

#: roles that carry down the tree unchanged
_COVERS_BELOW = frozenset(
    {Role.OBSERVER, Role.SECURITY_OFFICER, Role.ADMIN, Role.ORG_BOARD, Role.STANDING_COMMITTEE}
)
#: roles of a cell that make one a member of its party groups
_MEMBER_BELOW = frozenset({Role.SECRETARY, Role.DEPUTY, Role.COMMITTEE, Role.MEMBER})


def roles_at(context: AccountContext, org_id: int) -> frozenset[Role]:
    """The roles that apply on ``org_id``: held there, or carried down from an ancestor."""
    held = {g.org_id: set[Role]() for g in context.grants}
    for g in context.grants:
        held[g.org_id].add(g.role)
    out: set[Role] = set(held.get(org_id, ()))
    parent = context.parents.get(org_id)
    # a cell's roles make one a member of its party groups: the direct parent, below the top
    below_top = parent is not None and context.parents.get(parent) is not None
    if below_top and held.get(parent or 0, set()) & _MEMBER_BELOW:
        out.add(Role.MEMBER)
    seen = {org_id}
    while parent is not None and parent not in seen:
        seen.add(parent)
        out.update(held.get(parent, set()) & _COVERS_BELOW)
        parent = context.parents.get(parent)
    return frozenset(out)


def allowed(context: AccountContext, permission: Permission, org_id: int | None) -> bool:
    if org_id is None:
        tops = {g.org_id for g in context.grants if context.parents.get(g.org_id) is None}
        return any(allowed(context, permission, top) for top in tops)
    return any(permission in ROLE_PERMISSIONS[r] for r in roles_at(context, org_id))


class Denied(AppError):
    """403 from :func:`require`; the auth middleware writes it to the audit log."""

    def __init__(self, permission: Permission, org_id: int | None) -> None:
        base = AppError.of(ErrorCode.FORBIDDEN)
        super().__init__(base.status, base.code, base.message)
        self.permission = permission
        self.org_id = org_id


def require(context: AccountContext | None, permission: Permission, org_id: int | None) -> None:
    """Raise 401 without a context and 403 (:class:`Denied`) unless a role grants it."""
    if context is None:
        raise AppError.of(ErrorCode.UNAUTHENTICATED)
    if not allowed(context, permission, org_id):
        raise Denied(permission, org_id)


#: a caller's permission check for a service: raises unless the permission is held on the org
Authorize = Callable[[Permission, int], None]


def authorizer(context: AccountContext) -> Authorize:
    """The signed-in account's permissions, as an :data:`Authorize` (:func:`require`)."""

    def authorize(permission: Permission, org_id: int) -> None:
        require(context, permission, org_id)

    return authorize


def operator(_permission: Permission, _org_id: int) -> None:
    """The operator at the machine's command line, who holds the database and the KEK anyway."""
