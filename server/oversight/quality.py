"""Meeting quality (Q1–Q3): each meeting evaluated from its records, the superior committee's
classification per period (stored, then published to the cell), and cells weak over several
periods flagged with the committee member who follows them (S1).

The committee of a cell is its parent organisation. The committee's permissions are checked on
the committee (``OVERSIGHT_READ``, ``OVERSIGHT_MANAGE``); a cell reads its own published results
with ``MEETING_READ`` on the cell.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from policy.calendar import month_regime
from policy.caps import ONLINE_MODES, count_group, count_online, online_cap
from policy.criteria import DEFAULT_CRITERIA, CriteriaSet, Grade, criteria_from
from policy.error_codes import ErrorCode
from policy.i18n import tr
from policy.model import MeetingKind, OrgLevel
from policy.quality import (
    MeetingEvaluation,
    Period,
    PeriodResult,
    WeakFlag,
    check_weak,
    classify_month,
    classify_quarter,
    evaluate_meeting,
    parse_period,
)
from policy.rulesets import regime_for
from server import rules
from server.audit import AuditLog
from server.auth.authz import Authorize, Denied, Permission
from server.errors import AppError, not_found
from server.organisations import org_or_404
from server.oversight.evidence import HELD, CellRecords, load_cell, meeting_facts
from server.storage import meetings as meeting_store
from server.storage import organisations as org_store
from server.storage import oversight as store
from server.storage.db import Database, Session
from server.storage.models import Meeting, Organisation
from server.storage.models_oversight import QualityResult

P = Permission


def period_or_422(label: str) -> Period:
    try:
        return parse_period(label)
    except ValueError:
        raise AppError.of(ErrorCode.VALIDATION, detail=f"period: {label}") from None


def either(
    authorize: Authorize, first: tuple[Permission, int], second: tuple[Permission, int]
) -> None:
    """Allowed by ``first`` or else by ``second`` (the refusal, audited, names the second)."""
    try:
        authorize(*first)
    except Denied:
        authorize(*second)


async def cells_of(session: Session, committee_id: int) -> list[Organisation]:
    return [c for c in await org_store.children(session, committee_id) if c.level is OrgLevel.CELL]


async def committee_of(session: Session, cell: Organisation) -> Organisation:
    if cell.parent_id is None:
        raise not_found("cấp ủy cấp trên / superior committee")
    return await org_or_404(session, cell.parent_id)


async def criteria_of(session: Session, committee_id: int) -> CriteriaSet:
    """Q1: the committee's newest criteria set, or the defaults drawn from the rules."""
    row = await store.latest_criteria(session, committee_id)
    return DEFAULT_CRITERIA if row is None else criteria_from(row.criteria, row.version)


# -- a cell's period (Q2) -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MonthView:
    """One cell's month as the committee and the reports see it."""

    period: Period
    regime: str  # on_time | late | missing (R1)
    held_on: dt.date | None
    evaluations: tuple[MeetingEvaluation, ...]
    result: PeriodResult
    meetings: tuple[Meeting, ...]
    online_used: int
    group_used: int
    online_cap: int
    group_cap: int
    group_reports_late: int
    counted: int
    present: int


async def month_view(
    session: Session, cell: CellRecords, period: Period, criteria: CriteriaSet
) -> MonthView:
    y, m = period.start.year, period.start.month
    ruleset = regime_for(period.start)
    regime = month_regime(
        y, m, cell.history, ruleset, days_off=cell.days_off, day=cell.org.meeting_day
    )
    held = cell.held(period.start, period.end)
    evaluations, counted, present, late = [], 0, 0, 0
    for meeting in held:
        facts = await meeting_facts(session, cell, meeting, period.end)
        evaluations.append(evaluate_meeting(facts, criteria))
        counted += facts.counted
        present += facts.present
        late += sum(
            1
            for r in facts.group_reports
            if r.reported_on is None
            or r.reported_on > r.held_on + dt.timedelta(days=facts.group_report_days)
        )
    upto = [r for r in cell.history if r.on <= period.end and r.on.year == y]
    return MonthView(
        period=period,
        regime=regime.state,
        held_on=regime.held_on,
        evaluations=tuple(evaluations),
        result=classify_month(period.label, regime.state, evaluations, criteria),
        meetings=tuple(held),
        online_used=count_online(upto, y),
        group_used=count_group(upto, y),
        online_cap=online_cap(cell.org.level, ruleset),
        group_cap=ruleset.group_meeting_cap,
        group_reports_late=late,
        counted=counted,
        present=present,
    )


async def period_result(
    session: Session, cell: CellRecords, period: Period, criteria: CriteriaSet
) -> tuple[PeriodResult, list[MonthView]]:
    """Q2: the month's classification, or the quarter's from its months and R3."""
    months = [await month_view(session, cell, p, criteria) for p in period.months()]
    if not period.quarter:
        return months[0].result, months
    thematic = any(
        r.held and r.kind is MeetingKind.THEMATIC and period.start <= r.on <= period.end
        for r in cell.history
    )
    return classify_quarter(period.label, [m.result for m in months], thematic, criteria), months


def _snapshot(result: PeriodResult, months: Sequence[MonthView]) -> dict[str, Any]:
    return {
        **result.as_dict(),
        "months": [
            {
                "period": m.period.label,
                "regime": m.regime,
                "held_on": m.held_on.isoformat() if m.held_on else None,
                "result": m.result.as_dict(),
                "meetings": [e.as_dict() for e in m.evaluations],
                "online_used": m.online_used,
                "online_cap": m.online_cap,
                "group_used": m.group_used,
                "group_cap": m.group_cap,
                "group_reports_late": m.group_reports_late,
                "counted": m.counted,
                "present": m.present,
            }
            for m in months
        ],
    }


def result_out(row: QualityResult, cell_name: str = "") -> dict[str, Any]:
    return {
        "id": row.id,
        "cell_id": row.cell_org_id,
        "cell": cell_name,
        "committee_id": row.committee_org_id,
        "period": row.period,
        "grade": row.grade,
        "grade_text": Grade(row.grade).text.as_dict(),
        "percent": row.percent,
        "criteria_version": row.criteria_version,
        "evaluated_at": row.evaluated_at.isoformat(),
        "published_at": row.published_at.isoformat() if row.published_at else None,
        "result": row.result,
    }


# -- flows --------------------------------------------------------------------------------------


async def meeting_quality(db: Database, meeting_id: int, authorize: Authorize) -> dict[str, Any]:
    """Q1 for one held meeting, with the evidence per criterion: the cell reads it, and so does
    its superior committee."""
    async with db.session() as session:
        meeting = await meeting_store.get(session, meeting_id)
        if meeting is None:
            raise not_found("cuộc họp / meeting")
        cell = await org_or_404(session, meeting.org_id)
        committee = cell.parent_id or cell.id
        either(authorize, (P.MEETING_READ, cell.id), (P.OVERSIGHT_READ, committee))
        if meeting.status not in HELD:
            raise AppError.of(ErrorCode.CONFLICT, detail="not held")
        on = rules.local_date(meeting.scheduled_start)
        records = await load_cell(session, cell, on)
        facts = await meeting_facts(session, records, meeting, on)
        return evaluate_meeting(facts, await criteria_of(session, committee)).as_dict()


async def _chosen(session: Session, committee_id: int, cell_id: int | None) -> list[Organisation]:
    """The committee's cells, or only ``cell_id`` (422 citing Q2 when it is not one of them)."""
    cells = await cells_of(session, committee_id)
    if cell_id is None:
        return cells
    chosen = [c for c in cells if c.id == cell_id]
    if not chosen:
        raise AppError(422, ErrorCode.VALIDATION, tr("oversight.q2.not_below"), rules=("Q2",))
    return chosen


async def evaluate(
    db: Database,
    audit: AuditLog,
    actor: str,
    committee_id: int,
    label: str,
    publish: bool,
    now: dt.datetime,
    authorize: Authorize,
    *,
    cell_id: int | None = None,
) -> list[dict[str, Any]]:
    """Q2: classify every cell of the committee for the period — or only ``cell_id``, one of
    its cells — store the results (a new evaluation replaces an unpublished or published one and
    must be published again) and, with ``publish``, send them to the cells."""
    period = period_or_422(label)
    async with db.session() as session:
        await org_or_404(session, committee_id)
        authorize(P.OVERSIGHT_MANAGE, committee_id)
        crit = await criteria_of(session, committee_id)
        out = []
        for cell in await _chosen(session, committee_id, cell_id):
            records = await load_cell(session, cell, period.end)
            result, months = await period_result(session, records, period, crit)
            row = await store.result(session, cell.id, period.label)
            if row is None:
                row = QualityResult(
                    committee_org_id=committee_id, cell_org_id=cell.id, period=period.label
                )
                session.add(row)
            row.criteria_version = crit.version
            row.grade = result.grade.value
            row.percent = result.percent
            row.result = _snapshot(result, months)
            row.evaluated_by = actor
            row.evaluated_at = now
            row.published_at = now if publish else None
            await session.flush()
            out.append(result_out(row, cell.name))
        await audit.record(
            actor,
            "quality.evaluate",
            f"org:{committee_id}",
            {"period": period.label, "cells": len(out), "cell": cell_id, "published": publish},
            session=session,
        )
        return out


async def publish(
    db: Database,
    audit: AuditLog,
    actor: str,
    committee_id: int,
    label: str,
    now: dt.datetime,
    authorize: Authorize,
    *,
    cell_id: int | None = None,
) -> list[dict[str, Any]]:
    """Q2: send the period's results back to the cells (or only to ``cell_id``), openly."""
    period = period_or_422(label)
    async with db.session() as session:
        await org_or_404(session, committee_id)
        authorize(P.OVERSIGHT_MANAGE, committee_id)
        chosen = {c.id for c in await _chosen(session, committee_id, cell_id)}
        rows = [
            r
            for r in await store.results_of_committee(session, committee_id, [period.label])
            if r.cell_org_id in chosen
        ]
        if not rows:
            raise not_found("kết quả đánh giá / evaluation")
        for row in rows:
            row.published_at = now
        await session.flush()
        await audit.record(
            actor,
            "quality.publish",
            f"org:{committee_id}",
            {"period": period.label, "cells": len(rows), "cell": cell_id},
            session=session,
        )
        names = {c.id: c.name for c in await cells_of(session, committee_id)}
        return [result_out(r, names.get(r.cell_org_id, "")) for r in rows]


async def cell_results(db: Database, cell_id: int, authorize: Authorize) -> list[dict[str, Any]]:
    """Q2: the cell's published results, for its home page."""
    async with db.session() as session:
        cell = await org_or_404(session, cell_id)
        authorize(P.MEETING_READ, cell_id)
        rows = await store.results_of_cell(session, cell_id, published_only=True)
        return [result_out(r, cell.name) for r in rows]


@dataclass(frozen=True, slots=True)
class WeakCell:
    cell: Organisation
    flag: WeakFlag
    responsible: tuple[str, ...]


async def weak_cells(
    session: Session, committee_id: int, crit: CriteriaSet, on: dt.date | None = None
) -> list[WeakCell]:
    """Q3: cells whose stored classifications are weak in ``crit.weak_periods`` consecutive
    periods (months and quarters apart), with the members assigned to follow them (S1)."""
    rows = await store.results_of_committee(session, committee_id)
    out = []
    for cell in await cells_of(session, committee_id):
        mine = [r for r in rows if r.cell_org_id == cell.id]
        flags = [
            check_weak(
                [(r.period, Grade(r.grade)) for r in mine if ("Q" in r.period) is quarterly],
                crit,
            )
            for quarterly in (False, True)
        ]
        found = [f for f in flags if f is not None]
        if not found:
            continue
        active = [
            a
            for a in await store.assignments(session, committee_id, cell.id)
            if a.ended_on is None or (on is not None and a.ended_on >= on)
        ]
        names = await store.account_names(session, [a.account_id for a in active])
        out.append(WeakCell(cell, found[0], tuple(names[a.account_id] for a in active)))
    return out


async def weak(db: Database, committee_id: int, authorize: Authorize) -> list[dict[str, Any]]:
    async with db.session() as session:
        await org_or_404(session, committee_id)
        authorize(P.OVERSIGHT_READ, committee_id)
        crit = await criteria_of(session, committee_id)
        return [
            {
                "cell_id": w.cell.id,
                "cell": w.cell.name,
                "periods": list(w.flag.periods),
                "rules": [r.value for r in w.flag.rules],
                **w.flag.text.as_dict(),
                "responsible": list(w.responsible),
            }
            for w in await weak_cells(session, committee_id, crit)
        ]


async def overview(
    db: Database, committee_id: int, label: str, authorize: Authorize
) -> list[dict[str, Any]]:
    """The committee's cells for one period: the stored classification where the committee
    evaluated, else a draft computed now, with the month's R1 state, caps used and late group
    reports."""
    period = period_or_422(label)
    async with db.session() as session:
        await org_or_404(session, committee_id)
        authorize(P.OVERSIGHT_READ, committee_id)
        crit = await criteria_of(session, committee_id)
        out = []
        for cell in await cells_of(session, committee_id):
            records = await load_cell(session, cell, period.end)
            result, months = await period_result(session, records, period, crit)
            row = await store.result(session, cell.id, period.label)
            last = months[-1]
            out.append(
                {
                    "cell_id": cell.id,
                    "cell": cell.name,
                    "period": period.label,
                    "stored": row is not None,
                    "published": row is not None and row.published_at is not None,
                    "grade": row.grade if row is not None else result.grade.value,
                    "percent": row.percent if row is not None else result.percent,
                    "months": [
                        {
                            "period": m.period.label,
                            "regime": m.regime,
                            "held_on": m.held_on.isoformat() if m.held_on else None,
                            "grade": m.result.grade.value,
                            "percent": m.result.percent,
                        }
                        for m in months
                    ],
                    "online_used": last.online_used,
                    "online_cap": last.online_cap,
                    "group_used": last.group_used,
                    "group_cap": last.group_cap,
                    "group_reports_late": sum(m.group_reports_late for m in months),
                    "online_held": sum(
                        1 for m in months for x in m.meetings if x.mode in ONLINE_MODES
                    ),
                }
            )
        return out
