"""The superior committee's quality criteria (Q1): the set in force, a new version, and the
history of versions.

50-CT/TW §5: "Xây dựng tiêu chí đánh giá, xếp loại chất lượng sinh hoạt chi bộ khoa học, chặt
chẽ, định lượng, cụ thể". The national framework is not in the seeds, so each committee keeps a
versioned set; version 1 is :data:`policy.criteria.DEFAULT_CRITERIA`, drawn from the rules, and is
never stored. A new version never changes the results already computed: each names the version
it was computed with.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policy.criteria import DEFAULT_CRITERIA, criteria_from, criteria_problem
from policy.error_codes import ErrorCode
from policy.i18n import tr
from server.audit import AuditLog
from server.auth.authz import Authorize, Permission
from server.errors import AppError
from server.organisations import org_or_404
from server.oversight.quality import criteria_of
from server.storage import oversight as store
from server.storage.db import Database
from server.storage.models_oversight import CriteriaSetRow

P = Permission


async def criteria(db: Database, committee_id: int, authorize: Authorize) -> dict[str, Any]:
    """Q1: the set in force (the newest version), or the defaults from the rules."""
    async with db.session() as session:
        await org_or_404(session, committee_id)
        authorize(P.OVERSIGHT_READ, committee_id)
        return (await criteria_of(session, committee_id)).as_dict()


async def history(db: Database, committee_id: int, authorize: Authorize) -> list[dict[str, Any]]:
    """Q1: every version, oldest first — the defaults from the rules (version 1), then each set
    the committee saved, with who saved it and when."""
    async with db.session() as session:
        await org_or_404(session, committee_id)
        authorize(P.OVERSIGHT_READ, committee_id)
        rows = await store.criteria_versions(session, committee_id)
        ids = [
            int(r.created_by.split(":", 1)[1]) for r in rows if r.created_by.startswith("account:")
        ]
        names = await store.account_names(session, ids)

        def who(actor: str) -> str:
            kind, _, number = actor.partition(":")
            return (
                names.get(int(number), actor) if kind == "account" and number.isdigit() else actor
            )

        out: list[dict[str, Any]] = [
            {**DEFAULT_CRITERIA.as_dict(), "default": True, "created_by": None, "created_at": None}
        ]
        for r in rows:
            stored = criteria_from(r.criteria, r.version)
            out.append(
                {
                    **stored.as_dict(),
                    "default": False,
                    "created_by": who(r.created_by),
                    "created_at": r.created_at.isoformat(),
                }
            )
        return out


async def set_criteria(
    db: Database,
    audit: AuditLog,
    actor: str,
    committee_id: int,
    data: Mapping[str, Any],
    authorize: Authorize,
) -> dict[str, Any]:
    """Q1: a new version of the committee's criteria (earlier versions are kept: results name
    the version they were computed with). A set that cannot stand is refused with the reason in
    Vietnamese (422 citing Q1) and nothing is stored. Audited ``quality.criteria``."""
    async with db.session() as session:
        await org_or_404(session, committee_id)
        authorize(P.OVERSIGHT_MANAGE, committee_id)
        problem = criteria_problem(data)
        if problem is not None:
            raise AppError(422, ErrorCode.VALIDATION, problem, rules=("Q1",))
        latest = await store.latest_criteria(session, committee_id)
        version = (DEFAULT_CRITERIA.version if latest is None else latest.version) + 1
        try:
            parsed = criteria_from(data, version)
        except (TypeError, ValueError) as exc:
            text = tr("oversight.q1.invalid.other", detail=str(exc))
            raise AppError(422, ErrorCode.VALIDATION, text, rules=("Q1",)) from None
        await store.add(
            session,
            CriteriaSetRow(
                org_id=committee_id, version=version, criteria=parsed.as_dict(), created_by=actor
            ),
        )
        await audit.record(
            actor,
            "quality.criteria",
            f"org:{committee_id}",
            {"version": version, "criteria": len(parsed.specs)},
            session=session,
        )
        return parsed.as_dict()
