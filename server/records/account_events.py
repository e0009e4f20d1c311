"""Account events for the security officer (R7): invitations to enrol, enrolments, second
factors added, removed and reset (and resets refused for want of the administrator's step-up),
locks and unlocks, sign-out everywhere, roles granted — who did what to whom, never a secret.

The events are read from the audit log (decrypted, newest first) and reduced to what an officer
needs: an event kind, the actor and the account concerned with their names, and only the detail
fields named in :data:`SAFE_DETAILS` (counts, kinds, reasons, the address). No token, link
secret, TOTP seed, recovery code or password hash is ever written to the log; this view would
drop such a field anyway, because it keeps named fields only.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Final

from server.audit import AuditLog
from server.storage import accounts as account_store
from server.storage.audit import AuditView
from server.storage.db import Database

#: audit action → the event kind the officer's page names (``records.officer.event.<kind>``)
ACTIONS: Final[dict[str, str]] = {
    "enrolment.invite": "invite",
    "enrolment.password_set": "enrol_password",
    "enrolment.rejected": "enrol_rejected",
    "auth.factor.add": "factor_add",
    "auth.factor.remove": "factor_remove",
    "auth.factor.recovery_used": "recovery_used",
    "account.factor_reset": "factor_reset",
    "account.lock": "lock",
    "account.unlock": "unlock",
    "auth.lock": "throttle_lock",
    "account.signout_all": "signout_all_admin",
    "auth.signout_all": "signout_all_self",
    "auth.password.change": "password_change",
    "role.grant": "role_grant",
}

#: refusals on the administrator's account routes are account events too
_ACCOUNT_PATH = re.compile(r"^/api/(accounts/(?P<id>\d+)/(?P<what>[a-z-]+)|enrolments)$")

#: detail fields an officer sees; anything else in a record is left out of this view
SAFE_DETAILS: Final[frozenset[str]] = frozenset(
    {
        "kind",
        "removed",
        "sessions_ended",
        "sessions",
        "hours",
        "reason",
        "next",
        "role",
        "org",
        "member",
        "scope",
        "minutes",
        "left",
        "permission",
        "address",
    }
)


@dataclass(frozen=True, slots=True)
class AccountEvent:
    seq: int
    ts: dt.datetime
    event: str  # a key of records.officer.event.*
    action: str  # the audit action, as the log search names it
    actor: str
    actor_name: str | None
    target: str
    target_name: str | None
    details: dict[str, object]


def is_account_event(v: AuditView) -> bool:
    if v.action in ACTIONS:
        return True
    return v.action == "access.denied" and bool(_ACCOUNT_PATH.match(str(v.details.get("path"))))


def _kind(v: AuditView) -> tuple[str, str]:
    """The event kind and the account concerned (for a refusal: the account of its path)."""
    if v.action != "access.denied":
        return ACTIONS[v.action], v.target
    found = _ACCOUNT_PATH.match(str(v.details.get("path")))
    assert found is not None
    if found["id"] is None:
        return "invite_refused", v.target
    target = f"account:{found['id']}"
    if found["what"] == "factor-reset":
        step_up = v.details.get("reason") == "step_up"
        return ("factor_reset_no_step_up" if step_up else "factor_reset_refused"), target
    return "account_refused", target


def _safe(details: dict[str, object]) -> dict[str, object]:
    return {
        k: v
        for k, v in details.items()
        if k in SAFE_DETAILS and (v is None or isinstance(v, str | int | float | bool))
    }


async def _names(db: Database) -> dict[str, str]:
    async with db.session() as session:
        rows = await account_store.names(session)
    return {
        f"account:{account_id}": f"{full_name or display} ({username})"
        for account_id, username, display, full_name in rows
    }


async def account_events(
    db: Database,
    audit: AuditLog,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    before: int | None = None,
    limit: int = 200,
) -> list[AccountEvent]:
    """The account events in the period, newest first (the caller audits the view)."""
    found = await audit.search(
        since=since, until=until, before=before, limit=limit, where=is_account_event
    )
    names = await _names(db)
    out = []
    for v in found:
        event, target = _kind(v)
        out.append(
            AccountEvent(
                seq=v.seq,
                ts=v.ts,
                event=event,
                action=v.action,
                actor=v.actor,
                actor_name=names.get(v.actor),
                target=target,
                target_name=names.get(target),
                details=_safe(v.details),
            )
        )
    return out
