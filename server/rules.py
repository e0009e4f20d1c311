"""The rules service: feeds :mod:`policy` from storage and returns its cited decisions.

Dates: a meeting is judged on its local date in Vietnam (UTC+7, no daylight saving), by the
rule set in force on that date (E4).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from policy.calendar import Duty, check_duties, check_not_combined
from policy.dates import check_approval_dates, check_circumstance_dates
from policy.decision import Decision, cite, require
from policy.facts import (
    Approval,
    Circumstance,
    FlagPeriod,
    MeetingRecord,
    MemberFacts,
    OrgFacts,
    ReasonPeriod,
)
from policy.gate import AgendaItem as GateItem
from policy.gate import Confirmation, check_item
from policy.i18n import Text, tr
from policy.mode import check_mode
from policy.model import AgendaCategory, E1aReason, MeetingMode, MemberFlag, OrgLevel
from policy.rulesets import regime_for
from server import holidays
from server.storage import conduct as conduct_store
from server.storage import meetings as meeting_store
from server.storage import members as member_store
from server.storage import organisations as org_store
from server.storage import pilots as pilot_store
from server.storage.db import Session
from server.storage.models import AgendaItem, Meeting, Member, Organisation
from server.storage.models import Circumstance as CircumstanceRow

VN_TZ = dt.timezone(dt.timedelta(hours=7), "ICT")


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(VN_TZ).date()


def _iso(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _bounds(period: dict[str, str | None]) -> tuple[dt.date | None, dt.date | None]:
    """A stored period's dates (``from``/``to``; rows older than migration 0011 may say
    ``start``/``end``)."""
    return (
        _iso(period.get("from", period.get("start"))),
        _iso(period.get("to", period.get("end"))),
    )


def reason_periods(member: Member) -> tuple[ReasonPeriod, ...]:
    """E1a periods stored on the member row, for the reasons it carries (others are ignored)."""
    periods = member.e1a_periods or {}
    return tuple(
        ReasonPeriod(E1aReason(code), *_bounds(period))
        for code, period in sorted(periods.items())
        if code in member.e1a_reasons
    )


def flag_periods(member: Member) -> tuple[FlagPeriod, ...]:
    """The dates of the member row's flags (unknown flag names are ignored)."""
    known = {f.value for f in MemberFlag}
    periods = member.flag_periods or {}
    return tuple(
        FlagPeriod(MemberFlag(name), *_bounds(period))
        for name, period in sorted(periods.items())
        if name in known
    )


def member_facts(members: Sequence[Member]) -> tuple[MemberFacts, ...]:
    """Member rows as the rules see them: the flags E1 and A2 count by, E1a reasons and periods."""
    return tuple(
        MemberFacts(
            member_id=str(m.id),
            status=m.status,
            exempted=m.exempted,
            suspended=m.suspended,
            temporarily_attached=m.temporarily_attached,
            e1a_reasons=frozenset(E1aReason(r) for r in m.e1a_reasons),
            e1a_periods=reason_periods(m),
            flag_periods=flag_periods(m),
        )
        for m in members
    )


def circumstance_facts(row: CircumstanceRow) -> Circumstance:
    return Circumstance(kind=row.kind, start=row.started_on, end=row.ended_on)


async def org_facts(session: Session, org: Organisation) -> OrgFacts:
    return (await checked_org_facts(session, org))[0]


async def checked_org_facts(
    session: Session, org: Organisation
) -> tuple[OrgFacts, tuple[Decision, ...]]:
    """The organisation as the rules see it, and the refusals of stored rows whose dates
    contradict each other (written by an older version or by hand). Such a row is left out of
    the facts — it cannot be true as stored — so it never breaks a check; a check it could have
    changed cites it (:func:`check_meeting_mode`)."""
    members = await member_store.of_org(session, org.id)
    groups = [c for c in await org_store.children(session, org.id) if c.level is OrgLevel.GROUP]
    flawed: list[Decision] = []
    approvals = []
    for a in await pilot_store.decisions(session, org.id):
        dates = check_approval_dates(a.number, a.decided_on, a.valid_from, a.valid_to)
        if not dates.ok:
            flawed.append(dates)
            continue
        approvals.append(
            Approval(
                number=a.number,
                issued_on=a.decided_on,
                issuer=a.issuer,
                scope=a.scope,
                valid_from=a.valid_from,
                valid_to=a.valid_to,
                issuer_kind=a.issuer_kind,
            )
        )
    circumstances = []
    for c in await pilot_store.circumstances(session, org.id):
        dates = check_circumstance_dates(c.started_on, c.ended_on)
        if not dates.ok:
            flawed.append(dates)
            continue
        circumstances.append(circumstance_facts(c))
    facts = OrgFacts(
        org_id=str(org.id),
        level=org.level,
        members=member_facts(members),
        it_ready=org.it_ready,
        groups=len(groups),
        approvals=tuple(approvals),
        circumstances=tuple(circumstances),
        abroad=org.abroad,
    )
    return facts, tuple(flawed)


def citing_flawed(decision: Decision, flawed: Sequence[Decision]) -> Decision:
    """A refusal that stored rows with contradicting dates may explain: name them first."""
    if decision.ok or not flawed:
        return decision
    detail = Text(
        " ".join(f.text.vi for f in flawed) + " " + decision.text.vi,
        " ".join(f.text.en for f in flawed) + " " + decision.text.en,
    )
    rules = cite(*decision.rules, *(r for f in flawed for r in f.rules))
    return Decision(
        decision.outcome, rules, tr("rules.dates.stored", detail_vi=detail.vi, detail_en=detail.en)
    )


def meeting_record(
    meeting: Meeting,
    circumstances: dict[int, Circumstance] | None = None,
    published: dt.datetime | None = None,
) -> MeetingRecord:
    """``circumstances`` are the organisation's, by id: a meeting linked to one of them is held
    under it only while it was active (P3, P4); a link to anything else does not count.
    ``published``: when its documents first reached the members (M3), if they did."""
    circumstance = None
    if meeting.circumstance_id is not None and circumstances is not None:
        circumstance = circumstances.get(meeting.circumstance_id)
    linked = meeting.circumstance_id is not None and (
        circumstances is None or circumstance is not None
    )
    minutes = None
    if meeting.started_at is not None and meeting.ended_at is not None:
        minutes = int((meeting.ended_at - meeting.started_at).total_seconds() // 60)
        if minutes < 0:  # stored ended before started: the duration is unknown, not negative
            minutes = None
    return MeetingRecord(
        meeting_id=str(meeting.id),
        on=local_date(meeting.scheduled_start),
        mode=meeting.mode,
        kind=meeting.kind,
        status=meeting.status,
        under_circumstance=linked,
        circumstance=circumstance,
        duration_minutes=minutes,
        documents_published_on=local_date(published) if published is not None else None,
    )


async def history(
    session: Session, org_id: int, exclude: int | None = None
) -> Sequence[MeetingRecord]:
    """The organisation's meetings as the caps (P3–P5) and the duties (R1, R3, M3) see them, less
    ``exclude``: a meeting whose documents were published is no longer an M3 duty."""
    rows = await meeting_store.of_org(session, org_id)
    circumstances = {
        c.id: circumstance_facts(c)
        for c in await pilot_store.circumstances(session, org_id)
        if check_circumstance_dates(c.started_on, c.ended_on).ok  # stored contradictions left out
    }
    published = await conduct_store.first_publications(session, org_id)
    return tuple(
        meeting_record(m, circumstances, published.get(m.id)) for m in rows if m.id != exclude
    )


async def check_meeting_mode(
    session: Session,
    org: Organisation,
    mode: MeetingMode,
    on: dt.date,
    exclude: int | None = None,
) -> Decision:
    """May ``org`` hold a meeting in ``mode`` on ``on``? (E1–E4, P1–P5). A refusal names any
    stored row left out because its dates contradict each other."""
    facts, flawed = await checked_org_facts(session, org)
    decision = check_mode(facts, await history(session, org.id, exclude), mode, on)
    return citing_flawed(decision, flawed)


async def require_meeting_mode(
    session: Session,
    org: Organisation,
    mode: MeetingMode,
    on: dt.date,
    exclude: int | None = None,
) -> Decision:
    """As :func:`check_meeting_mode`, raising ``PolicyDenied`` on a refusal."""
    return require(await check_meeting_mode(session, org, mode, on, exclude))


def gate(item: AgendaItem, meeting: Meeting) -> Decision:
    """G1/G2 for ``item`` in ``meeting`` as the meeting is now (G3 re-runs it at opening)."""
    confirmation = None
    if item.confirmed_reason and item.gate and item.gate.get("confirmed_categories"):
        confirmation = Confirmation(
            reason=item.confirmed_reason,
            categories=frozenset(AgendaCategory(c) for c in item.gate["confirmed_categories"]),
            by=str(item.gate.get("confirmed_by", "chair")),
        )
    gate_item = GateItem(
        title=item.title,
        category=item.category,
        description=item.description,
        attachment_names=tuple(item.attachment_names),
        confirmation=confirmation,
    )
    return check_item(gate_item, meeting.mode, local_date(meeting.scheduled_start))


def require_not_combined(title: str, *, combined_with: str, confirmed: bool) -> Decision:
    """R2 when a meeting is scheduled: refused when combined with another body's meeting, and
    until the chair confirms a title that looks like another body's business."""
    return require(check_not_combined(title, combined_with=combined_with, confirmed=confirmed))


async def duties(session: Session, org: Organisation, on: dt.date) -> tuple[Duty, ...]:
    """What is due or overdue for ``org`` on ``on`` (R1/M4, R3, M3, GM3), with the rule set the
    date falls under (E4): duties do not depend on the pilot, so a date no pilot set covers
    (1–22 Jul 2025) is answered by the in-person regime, never refused. The year's public
    holidays stored as data are passed over (R1)."""
    start = dt.date(on.year - 1, 12, 1)
    days_off = await holidays.days_off(session, start, dt.date(on.year, 12, 31))
    return check_duties(
        on,
        await history(session, org.id),
        regime_for(on),
        days_off=days_off,
        day=org.meeting_day,
        tracking_from=local_date(org.created_at),
    )
