"""Meeting conduct at run time: the agenda gate when an item opens (G1–G3), attendance (A1–A3)
and open votes (A3, A4, G3). Documents, minutes and party groups are in ``conduct_records``;
this module's ``routes`` carries both.

Who may call: chair actions need ``meeting.chair`` on the meeting's organisation (the cell's
secretary or deputy; the group leader for a group's meeting); member actions ``meeting.attend``
(then the rules decide, e.g. A4 for ballots); reads ``meeting.read``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from server import appkeys
from server.conduct import service
from server.http import conduct_records
from server.http.body import json_response, parse_body, path_int, respond
from server.http.conduct_base import call
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

if TYPE_CHECKING:
    from server.storage.models import AgendaItem

routes = conduct_records.routes
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
    return json_response(_item(await service.open_item(call(request), meeting_id, item_id)))


@routes.route(
    "POST",
    f"{ITEM}/close",
    summary="Close the open item. Chair.",
    tag="conduct",
    response=ItemGateOut,
)
async def close_item(request: web.Request) -> web.Response:
    meeting_id, item_id = path_int(request, "meeting_id"), path_int(request, "item_id")
    return json_response(_item(await service.close_item(call(request), meeting_id, item_id)))


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
    item = await service.reclassify_item(call(request), meeting_id, item_id, body.category)
    return json_response(_item(item))


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
    item = await service.confirm_item(call(request), meeting_id, item_id, body.reason)
    return json_response(_item(item))


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
    note = await service.add_note(
        call(request), meeting_id, item_id, body.kind, body.member_id, body.speaker, body.text
    )
    return respond(NoteOut, note, 201)


@routes.route(
    "POST",
    f"{MEETING}/agenda/task-report",
    summary="Add the standard item of members' task reports (R8). Chair.",
    tag="conduct",
    response=ItemGateOut,
    status=201,
)
async def add_task_report(request: web.Request) -> web.Response:
    item = await service.add_task_report(call(request), path_int(request, "meeting_id"))
    return json_response(_item(item), status=201)


@routes.route(
    "GET",
    r"/api/organisations/{org_id:\d+}/deferred",
    summary="Items deferred to the next in-person meeting of the whole cell, with the rule (G1)",
    tag="conduct",
    response=list[DeferredOut],
)
async def deferred_items(request: web.Request) -> web.Response:
    return json_response(await service.deferred_items(call(request), path_int(request, "org_id")))


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
    done = await service.check_in(call(request), meeting_id, body.member_ids)
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
    done = await service.check_out(call(request), meeting_id, body.member_ids)
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
    return json_response(await service.hall_code(call(request), path_int(request, "meeting_id")))


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
    done = await service.check_in_with_code(call(request), meeting_id, body.code)
    await request.app[appkeys.LIVE].hall_changed(meeting_id)
    return json_response({"member_ids": done})


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
    absences = [(a.member_id, a.with_reason, a.reason) for a in body.absences]
    return json_response(await service.record_absences(call(request), meeting_id, absences))


@routes.route(
    "GET",
    f"{MEETING}/attendance",
    summary="Live attendance: present by category, counted full members (A2), quorum (A3)",
    tag="conduct",
    response=AttendanceOut,
)
async def attendance_summary(request: web.Request) -> web.Response:
    meeting_id = path_int(request, "meeting_id")
    return json_response(await service.attendance_summary(call(request), meeting_id))


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
    out = await service.open_vote(call(request), meeting_id, body.subject, body.item_id, body.kind)
    return json_response(out, status=201)


@routes.route(
    "GET", f"{MEETING}/votes", summary="Votes of a meeting", tag="conduct", response=list[VoteOut]
)
async def list_votes(request: web.Request) -> web.Response:
    return json_response(await service.list_votes(call(request), path_int(request, "meeting_id")))


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
    return json_response(await service.cast_ballot(call(request), meeting_id, vote_id, body.choice))


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
    out = await service.hall_count(
        call(request), meeting_id, vote_id, body.yes, body.no, body.abstain
    )
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
    return json_response(await service.close_vote(call(request), meeting_id, vote_id))


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
    out = await service.console(call(request), path_int(request, "meeting_id"))
    out["agenda"] = [_item(i) for i in out["agenda"]]
    return json_response(out)
