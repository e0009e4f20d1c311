"""``hopchibo meeting …``: schedule, plan, start and close a cell meeting from the command line,
through the same flows as the API (:mod:`server.meeting.service`)."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import sys

from policy.decision import PolicyDenied
from policy.model import AgendaCategory, MeetingKind, MeetingMode
from server.audit import AuditLog
from server.config import Settings
from server.errors import AppError, policy_error
from server.meeting import service
from server.meeting.live_meetings import LiveMeetings, make_bus
from server.records.settings import audit_options, key_provider
from server.storage.db import Database


def _moment(value: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"not a time with offset (…T19:30+07:00): {value!r}")
    return moment


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    meeting = sub.add_parser("meeting", help="schedule, plan, start and close a meeting")
    cmds = meeting.add_subparsers(dest="meeting_command", required=True)

    sched = cmds.add_parser("schedule", help="schedule a meeting (E1–E4, P1–P5 checked first)")
    sched.add_argument("--org", required=True, help="organisation code")
    sched.add_argument("--kind", required=True, choices=[k.value for k in MeetingKind])
    sched.add_argument("--mode", required=True, choices=[m.value for m in MeetingMode])
    sched.add_argument("--title", required=True)
    sched.add_argument("--start", required=True, type=_moment, help="ISO time with offset")
    sched.add_argument("--location", default="")
    sched.add_argument(
        "--combined-with", default="", help="R2: the other meeting it is combined with (refused)"
    )
    sched.add_argument(
        "--not-combined-confirmed",
        action="store_true",
        help="R2: the chair confirms a look-alike title is the cell's own meeting",
    )

    item = cmds.add_parser("agenda-add", help="add an agenda item (the G1/G2 gate decides)")
    item.add_argument("meeting_id", type=int)
    item.add_argument("--title", required=True)
    item.add_argument("--category", required=True, choices=[c.value for c in AgendaCategory])
    item.add_argument("--description", default="")

    start = cmds.add_parser("start", help="open a scheduled meeting (G3: the mode as of today)")
    start.add_argument("meeting_id", type=int)
    close = cmds.add_parser("close", help="close an open meeting (attendance ends, A1)")
    close.add_argument("meeting_id", type=int)


async def run(settings: Settings, args: argparse.Namespace) -> int:
    db = Database(settings.database_url)
    audit = AuditLog(db, key_provider(settings), options=audit_options(settings))
    actor = f"cli:{getpass.getuser()}"
    try:
        out = await _run(settings, args, db, audit, actor)
    except PolicyDenied as exc:
        return _refused(policy_error(exc))
    except AppError as exc:
        return _refused(exc)
    finally:
        await db.close()
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


def _refused(exc: AppError) -> int:
    print(json.dumps(exc.body(), ensure_ascii=False, indent=2), file=sys.stderr)
    return 1


async def _run(
    settings: Settings, args: argparse.Namespace, db: Database, audit: AuditLog, actor: str
) -> dict[str, object]:
    cmd = args.meeting_command
    if cmd == "schedule":
        org_id = await service.org_id_by_code(db, args.org)
        new = service.NewMeeting(
            kind=MeetingKind(args.kind),
            mode=MeetingMode(args.mode),
            title=args.title,
            scheduled_start=args.start,
            location=args.location,
            combined_with=args.combined_with,
            not_combined_confirmed=args.not_combined_confirmed,
        )
        meeting = await service.schedule(db, audit, actor, org_id, new, service.operator)
        return {"id": meeting.id, "status": meeting.status.value}
    if cmd == "agenda-add":
        new_item = service.NewAgendaItem(
            title=args.title,
            category=AgendaCategory(args.category),
            description=args.description,
        )
        item = await service.add_agenda_item(
            db, audit, actor, args.meeting_id, new_item, service.operator
        )
        return {"id": item.id, "status": item.status.value, "gate": item.gate}
    if cmd == "start":
        meeting = await service.start(
            db, audit, actor, args.meeting_id, service.operator, dt.datetime.now(dt.UTC)
        )
        return {"id": meeting.id, "status": meeting.status.value}
    # close: the live meeting in the server process ends through the bus (Redis when set). This
    # process holds no recording: close a recorded meeting from the chair's console, whose close
    # completes the recording.
    live = LiveMeetings(settings, db, audit, make_bus(settings))
    try:
        meeting = await service.close(
            db, audit, live, None, actor, args.meeting_id, service.operator, dt.datetime.now(dt.UTC)
        )
    finally:
        await live.close()
    return {"id": meeting.id, "status": meeting.status.value}
