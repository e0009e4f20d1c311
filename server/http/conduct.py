"""Meeting conduct at run time: the agenda gate when an item opens (G1–G3), attendance (A1–A3)
and open votes (A3, A4, G3). Documents, minutes and party groups are in ``conduct_records``;
this module's ``routes`` carries both.

Who may call: chair actions need ``meeting.chair`` on the meeting's organisation (the cell's
secretary or deputy; the group leader for a group's meeting); member actions ``meeting.attend``
(then the rules decide, e.g. A4 for ballots); reads ``meeting.read``.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from policy.decision import Outcome, PolicyDenied
from server import appkeys
from server.auth.authz import Permission, require
from server.auth.middleware import context_of
from server.conduct import agenda, attendance, votes
from server.conduct.common import conflict
from server.http import conduct_records
from server.http.body import json_response, parse_body, path_int
from server.http.conduct_base import audit, authorized, grace, now
from server.http.conduct_schemas import (
    AbsencesIn,
    AttendanceOut,
    BallotIn,
    BallotOut,
    CheckedOut,
    CheckInIn,
    CheckOutIn,
    CodeOut,
    ConfirmIn,
    ConsoleOut,
    DeferredOut,
    HallCodeIn,
    HallIn,
    ItemGateOut,
    NoteIn,
    NoteOut,
    ReclassifyIn,
    VoteIn,
    VoteOut,
)
from server.http.registry import org_or_404
from server.storage import conduct as conduct_store
from server.storage import meetings as meeting_store
from server.storage import members as member_store
from server.storage.models import AgendaItem

routes = conduct_records.routes
P = Permission
ITEM = r"/api/meetings/{meeting_id:\d+}/agenda/{item_id:\d+}"
VOTE = r"/api/meetings/{meeting_id:\d+}/votes/{vote_id:\d+}"
MEETING = r"/api/meetings/{meeting_id:\d+}"


def _item(item: AgendaItem) -> dict[str, Any]:
    return ItemGateOut.model_validate(item).model_dump(mode="json")


# -- agenda (G1–G3, R8) ------------------------------------------------------------------------


@routes.route(
    "POST",
    f"{ITEM}/open",
    summary="Open an agenda item: the gate runs again now (G3); blocked → deferred (G1), "
    "suspected → reclassify or confirm (G2). Chair.",
    tag="conduct",
    response=ItemGateOut,
)
async def open_item(request: web.Request) -> web.Response:
    meeting_id, item_id = path_int(request, "meeting_id"), path_int(request, "item_id")
    async with request.app[appkeys.DB].session() as session:
        scope, context = await authorized(session, request, meeting_id, P.MEETING_CHAIR)
        item = await agenda.item_in(session, scope, item_id)
        gated = await agenda.open_item(session, scope, item)
        await audit(
            request,
            session,
            context,
            "agenda.open",
            f"item:{item.id}",
            {
                "meeting": meeting_id,
                "outcome": gated.decision.outcome.value,
                "rules": list(gated.decision.rule_ids),
                "status": item.status.value,
            },
        )
        out = _item(item)
    if gated.decision.outcome is Outcome.BLOCKED:
        raise PolicyDenied(agenda.deferred_refusal(gated.decision))
    if gated.decision.outcome is Outcome.SUSPECTED:
        raise PolicyDenied(gated.decision)
    return json_response(out)


@routes.route(
    "POST",
    f"{ITEM}/close",
    summary="Close the open item. Chair.",
    tag="conduct",
    response=ItemGateOut,
)
async def close_item(request: web.Request) -> web.Response:
    meeting_id, item_id = path_int(request, "meeting_id"), path_int(request, "item_id")
    async with request.app[appkeys.DB].session() as session:
        scope, context = await authorized(session, request, meeting_id, P.MEETING_CHAIR)
        item = await agenda.close_item(
            session, scope, await agenda.item_in(session, scope, item_id)
        )
        await audit(request, session, context, "agenda.close", f"item:{item.id}", {})
        out = _item(item)
    return json_response(out)


@routes.route(
    "POST",
    f"{ITEM}/reclassify",
    summary="Give a suspected item a new category and run the gate again (G2). Chair.",
    tag="conduct",
    body=ReclassifyIn,
    response=ItemGateOut,
)
async def reclassify_item(request: web.Request) -> web.Response:
    meeting_id, item_id = path_int(request, "meeting_id"), path_int(request, "item_id")
    body = await parse_body(request, ReclassifyIn)
    async with request.app[appkeys.DB].session() as session:
        scope, context = await authorized(session, request, meeting_id, P.MEETING_CHAIR)
        item = await agenda.item_in(session, scope, item_id)
        before = item.category.value
        gated = await agenda.reclassify(session, scope, item, body.category)
        await audit(
            request,
            session,
            context,
            "agenda.reclassify",
            f"item:{item.id}",
            {
                "from": before,
                "category": body.category.value,
                "outcome": gated.decision.outcome.value,
                "rules": list(gated.decision.rule_ids),
            },
        )
        out = _item(item)
    return json_response(out)


@routes.route(
    "POST",
    f"{ITEM}/confirm",
    summary="Confirm a suspected item with a written reason (G2). Chair.",
    tag="conduct",
    body=ConfirmIn,
    response=ItemGateOut,
)
async def confirm_item(request: web.Request) -> web.Response:
    meeting_id, item_id = path_int(request, "meeting_id"), path_int(request, "item_id")
    body = await parse_body(request, ConfirmIn)
    async with request.app[appkeys.DB].session() as session:
        scope, context = await authorized(session, request, meeting_id, P.MEETING_CHAIR)
        item = await agenda.item_in(session, scope, item_id)
        gated = await agenda.confirm(session, scope, item, body.reason, context.display_name)
        await audit(
            request,
            session,
            context,
            "agenda.confirm",
            f"item:{item.id}",
            {
                "categories": list((item.gate or {}).get("confirmed_categories", [])),
                "outcome": gated.decision.outcome.value,
                "rules": list(gated.decision.rule_ids),
            },
        )
        out = _item(item)
    return json_response(out)


@routes.route(
    "POST",
    f"{ITEM}/notes",
    summary="Record a speaker, a differing or reserved opinion, or the conclusion (M1). Chair.",
    tag="conduct",
    body=NoteIn,
    response=NoteOut,
    status=201,
)
async def add_note(request: web.Request) -> web.Response:
    meeting_id, item_id = path_int(request, "meeting_id"), path_int(request, "item_id")
    body = await parse_body(request, NoteIn)
    async with request.app[appkeys.DB].session() as session:
        scope, context = await authorized(session, request, meeting_id, P.MEETING_CHAIR)
        item = await agenda.item_in(session, scope, item_id)
        note = await agenda.add_note(
            session, scope, item, body.kind, body.member_id, body.speaker, body.text
        )
        await audit(
            request, session, context, "agenda.note", f"item:{item.id}", {"kind": body.kind}
        )
        out = NoteOut.model_validate(note).model_dump(mode="json")
    return json_response(out, status=201)


@routes.route(
    "POST",
    f"{MEETING}/agenda/task-report",
    summary="Add the standard item of members' task reports (R8). Chair.",
    tag="conduct",
    response=ItemGateOut,
    status=201,
)
async def add_task_report(request: web.Request) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    async with request.app[appkeys.DB].session() as session:
        scope, context = await authorized(session, request, meeting_id, P.MEETING_SCHEDULE)
        gated = await agenda.add_task_report(session, scope)
        await audit(
            request,
            session,
            context,
            "agenda.add",
            f"item:{gated.item.id}",
            {
                "meeting": meeting_id,
                "category": gated.item.category.value,
                "gate": gated.decision.outcome.value,
                "rules": list(gated.decision.rule_ids),
            },
        )
        out = _item(gated.item)
    return json_response(out, status=201)


@routes.route(
    "GET",
    r"/api/organisations/{org_id:\d+}/deferred",
    summary="Items deferred to the next in-person meeting of the whole cell, with the rule (G1)",
    tag="conduct",
    response=list[DeferredOut],
)
async def deferred_items(request: web.Request) -> web.Response:
    org_id = path_int(request, "org_id")
    require(context_of(request), P.MEETING_READ, org_id)
    async with request.app[appkeys.DB].session() as session:
        await org_or_404(session, org_id)
        out = await agenda.deferred(session, org_id)
    return json_response(out)


# -- attendance (A1–A3) ------------------------------------------------------------------------


@routes.route(
    "POST",
    f"{MEETING}/attendance/check-in",
    summary="Check members in to the hall (A1). Chair or meeting secretary.",
    tag="conduct",
    body=CheckInIn,
    response=CheckedOut,
)
async def check_in(request: web.Request) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    body = await parse_body(request, CheckInIn)
    async with request.app[appkeys.DB].session() as session:
        scope, context = await authorized(session, request, meeting_id, P.MEETING_CHAIR)
        done = await attendance.check_in(session, scope, body.member_ids, now(request))
        action, details = attendance.hall_audit(True, done)
        await audit(request, session, context, action, f"meeting:{meeting_id}", details)
    await request.app[appkeys.LIVE].hall_changed(meeting_id)  # committed: the room follows
    return json_response({"member_ids": done})


@routes.route(
    "POST",
    f"{MEETING}/attendance/check-out",
    summary="Check members out of the hall (A1). Chair.",
    tag="conduct",
    body=CheckOutIn,
    response=CheckedOut,
)
async def check_out(request: web.Request) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    body = await parse_body(request, CheckOutIn)
    async with request.app[appkeys.DB].session() as session:
        scope, context = await authorized(session, request, meeting_id, P.MEETING_CHAIR)
        done = await attendance.check_out(session, scope, body.member_ids, now(request))
        action, details = attendance.hall_audit(False, done)
        await audit(request, session, context, action, f"meeting:{meeting_id}", details)
    await request.app[appkeys.LIVE].hall_changed(meeting_id)
    return json_response({"member_ids": done})


@routes.route(
    "POST",
    f"{MEETING}/attendance/hall-code",
    summary="A new hall check-in code (valid 60 s; earlier codes stop working). Chair.",
    tag="conduct",
    response=CodeOut,
)
async def hall_code(request: web.Request) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    async with request.app[appkeys.DB].session() as session:
        scope, context = await authorized(session, request, meeting_id, P.MEETING_CHAIR)
        code, expires = await attendance.issue_code(session, scope, now(request))
        await audit(
            request,
            session,
            context,
            "attendance.hall_code",
            f"meeting:{meeting_id}",
            {"code_kind": "hall", "expires_at": expires.isoformat()},
        )
    out = {"code": code, "expires_at": expires.isoformat(), "seconds": attendance.CODE_SECONDS}
    return json_response(out)


@routes.route(
    "POST",
    f"{MEETING}/attendance/hall-code/check-in",
    summary="Check oneself in to the hall with the code shown there (A1). Member.",
    tag="conduct",
    body=HallCodeIn,
    response=CheckedOut,
)
async def check_in_with_code(request: web.Request) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    body = await parse_body(request, HallCodeIn)
    async with request.app[appkeys.DB].session() as session:
        scope, context = await authorized(session, request, meeting_id, P.MEETING_ATTEND)
        if context.member_id is None:
            raise conflict("conduct.attendance.not_invited")
        member_id = context.member_id
        done = await attendance.use_code(session, scope, member_id, body.code, now(request))
        action, details = attendance.hall_audit(True, [member_id] if done else [], "hall_code")
        await audit(request, session, context, action, f"meeting:{meeting_id}", details)
    await request.app[appkeys.LIVE].hall_changed(meeting_id)
    return json_response({"member_ids": [member_id] if done else []})


@routes.route(
    "PUT",
    f"{MEETING}/attendance/absences",
    summary="Record absences with or without a reason (M1). Chair.",
    tag="conduct",
    body=AbsencesIn,
    response=AttendanceOut,
)
async def record_absences(request: web.Request) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    body = await parse_body(request, AbsencesIn)
    async with request.app[appkeys.DB].session() as session:
        scope, context = await authorized(session, request, meeting_id, P.MEETING_CHAIR)
        await attendance.record_absences(
            session, scope, [(a.member_id, a.with_reason, a.reason) for a in body.absences]
        )
        await audit(
            request,
            session,
            context,
            "attendance.absences",
            f"meeting:{meeting_id}",
            {
                "with_reason": [a.member_id for a in body.absences if a.with_reason],
                "without_reason": [a.member_id for a in body.absences if not a.with_reason],
            },
        )
        out = await attendance.summary(session, scope, now(request), grace(request))
    return json_response(out)


@routes.route(
    "GET",
    f"{MEETING}/attendance",
    summary="Live attendance: present by category, counted full members (A2), quorum (A3)",
    tag="conduct",
    response=AttendanceOut,
)
async def attendance_summary(request: web.Request) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    async with request.app[appkeys.DB].session() as session:
        scope, _context = await authorized(session, request, meeting_id, P.MEETING_READ)
        out = await attendance.summary(session, scope, now(request), grace(request))
    return json_response(out)


# -- votes (A3, A4, G3) ------------------------------------------------------------------------


@routes.route(
    "POST",
    f"{MEETING}/votes",
    summary="Open a vote by show of hands; a secret ballot is refused unless in person "
    "(G3, T12). Chair.",
    tag="conduct",
    body=VoteIn,
    response=VoteOut,
    status=201,
)
async def open_vote(request: web.Request) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    body = await parse_body(request, VoteIn)
    try:
        async with request.app[appkeys.DB].session() as session:
            scope, context = await authorized(session, request, meeting_id, P.MEETING_CHAIR)
            vote = await votes.open_vote(
                session, scope, body.subject, body.item_id, body.kind == "secret", now(request)
            )
            await audit(
                request,
                session,
                context,
                "vote.open",
                f"vote:{vote.id}",
                {"meeting": meeting_id, "item": body.item_id, "kind": "open"},
            )
            out = votes.vote_out(vote)
    except PolicyDenied as refused:
        async with request.app[appkeys.DB].session() as session:
            await request.app[appkeys.AUDIT].record(
                context_of(request).actor,
                "vote.refused",
                f"meeting:{meeting_id}",
                {"kind": body.kind, "rules": list(refused.decision.rule_ids)},
                session=session,
            )
        raise
    return json_response(out, status=201)


@routes.route(
    "GET", f"{MEETING}/votes", summary="Votes of a meeting", tag="conduct", response=list[VoteOut]
)
async def list_votes(request: web.Request) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    async with request.app[appkeys.DB].session() as session:
        scope, _context = await authorized(session, request, meeting_id, P.MEETING_READ)
        out = [votes.vote_out(v) for v in await conduct_store.votes(session, scope.meeting.id)]
    return json_response(out)


@routes.route(
    "POST",
    f"{VOTE}/ballots",
    summary="Cast or change one's online ballot until the vote closes; only full members "
    "present and not in the hall (A1, A4). Member.",
    tag="conduct",
    body=BallotIn,
    response=BallotOut,
)
async def cast_ballot(request: web.Request) -> web.Response:
    meeting_id, vote_id = path_int(request, "meeting_id"), path_int(request, "vote_id")
    body = await parse_body(request, BallotIn)
    async with request.app[appkeys.DB].session() as session:
        scope, context = await authorized(session, request, meeting_id, P.MEETING_ATTEND)
        vote = await votes.vote_in(session, scope, vote_id)
        member = (
            await member_store.get(session, context.member_id)
            if context.member_id is not None
            else None
        )
        refused: PolicyDenied | None = None
        changed = False
        try:
            changed = await votes.cast(
                session, scope, vote, member, body.choice, now(request), grace(request)
            )
        except PolicyDenied as exc:
            refused = exc
        else:
            await audit(
                request, session, context, "vote.ballot", f"vote:{vote.id}", {"changed": changed}
            )
    if refused is not None:  # audited in its own transaction: the refusal itself is kept
        await request.app[appkeys.AUDIT].record(
            context.actor,
            "vote.ballot_refused",
            f"vote:{vote_id}",
            {"meeting": meeting_id, "rules": list(refused.decision.rule_ids)},
        )
        raise refused
    return json_response({"vote_id": vote_id, "changed": changed})


@routes.route(
    "PUT",
    f"{VOTE}/hall",
    summary="The hall's count of hands; at most the full members checked in to the hall who "
    "have not voted online (A1, A4). Chair or meeting secretary.",
    tag="conduct",
    body=HallIn,
    response=VoteOut,
)
async def hall_count(request: web.Request) -> web.Response:
    meeting_id, vote_id = path_int(request, "meeting_id"), path_int(request, "vote_id")
    body = await parse_body(request, HallIn)
    async with request.app[appkeys.DB].session() as session:
        scope, context = await authorized(session, request, meeting_id, P.MEETING_CHAIR)
        vote = await votes.vote_in(session, scope, vote_id)
        counts = (body.yes, body.no, body.abstain)
        await votes.set_hall(session, scope, vote, counts, now(request), grace(request))
        await audit(
            request,
            session,
            context,
            "vote.hall",
            f"vote:{vote.id}",
            {"yes": body.yes, "no": body.no, "abstain": body.abstain},
        )
        out = votes.vote_out(vote)
    return json_response(out)


@routes.route(
    "POST",
    f"{VOTE}/close",
    summary="Close the vote: tally against more than half of the counted full members, with "
    "quorum (A2, A3). Chair.",
    tag="conduct",
    response=VoteOut,
)
async def close_vote(request: web.Request) -> web.Response:
    meeting_id, vote_id = path_int(request, "meeting_id"), path_int(request, "vote_id")
    async with request.app[appkeys.DB].session() as session:
        scope, context = await authorized(session, request, meeting_id, P.MEETING_CHAIR)
        vote = await votes.vote_in(session, scope, vote_id)
        result = await votes.close(session, scope, vote, now(request), grace(request))
        await audit(
            request,
            session,
            context,
            "vote.close",
            f"vote:{vote.id}",
            {
                "outcome": result["outcome"],
                "rules": result["rules"],
                "yes": result["yes"],
                "no": result["no"],
                "abstain": result["abstain"],
            },
        )
        out = votes.vote_out(vote)
    return json_response(out)


# -- the chair console -------------------------------------------------------------------------


@routes.route(
    "GET",
    f"{MEETING}/console",
    summary="The chair console's state at once: agenda with gate decisions, the open item, "
    "votes with the running online count, attendance and quorum, minutes status. Chair.",
    tag="conduct",
    response=ConsoleOut,
)
async def console(request: web.Request) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    async with request.app[appkeys.DB].session() as session:
        scope, _context = await authorized(session, request, meeting_id, P.MEETING_CHAIR)
        items = await meeting_store.agenda(session, meeting_id)
        all_votes = await conduct_store.votes(session, meeting_id)
        open_vote = next((v for v in all_votes if v.closed_at is None), None)
        minutes = await conduct_store.minutes(session, meeting_id)
        meeting = scope.meeting
        out = {
            "meeting": {
                "id": meeting.id,
                "title": meeting.title,
                "kind": meeting.kind.value,
                "mode": meeting.mode.value,
                "status": meeting.status.value,
                "started_at": meeting.started_at.isoformat() if meeting.started_at else None,
            },
            "agenda": [_item(i) for i in items],
            "open_item_id": next((i.id for i in items if i.status.value == "open"), None),
            "votes": [votes.vote_out(v) for v in all_votes],
            "open_vote_id": open_vote.id if open_vote else None,
            "running": await votes.running(session, open_vote) if open_vote else None,
            "attendance": await attendance.summary(session, scope, now(request), grace(request)),
            "minutes": {
                "exists": minutes is not None and bool(minutes.content.get("title")),
                "adopted": minutes is not None and minutes.adopted_at is not None,
            },
        }
    return json_response(out)
