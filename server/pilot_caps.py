"""How much of this year's pilot caps a cell has used on a date (P3 online, P5 by party groups),
for the planning page: each count a decision with its rule id, as the caps check words it."""

from __future__ import annotations

import datetime as dt

from policy.caps import check_group_cap, check_online_cap
from policy.decision import Decision
from policy.rulesets import find_ruleset
from server import rules
from server.auth.authz import Authorize, Permission
from server.organisations import org_or_404
from server.storage.db import Database


async def used(db: Database, org_id: int, on: dt.date, authorize: Authorize) -> list[Decision]:
    """P3 and P5 counted over the meetings held in ``on.year`` (none when no rule set is in force
    on ``on``: then only in-person meetings are possible, E4, and the eligibility says so)."""
    async with db.session() as session:
        org = await org_or_404(session, org_id)
        authorize(Permission.PILOT_READ, org_id)
        facts, _flawed = await rules.checked_org_facts(session, org)
        history = await rules.history(session, org_id)
    ruleset = find_ruleset(on)
    if ruleset is None:
        return []
    return [
        check_online_cap(facts, history, on, ruleset, under_circumstance=False),
        check_group_cap(history, on, ruleset),
    ]
