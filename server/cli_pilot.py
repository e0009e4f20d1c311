"""``hopchibo pilot …``: the pilot lifecycle from the command line (same service as the API)."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import sys
from pathlib import Path

from policy.dates import DatesContradict
from policy.model import ApprovalScope, CircumstanceKind, IssuerKind, MeetingMode
from server import pilots, rules
from server.audit import AuditLog
from server.config import Settings
from server.records.settings import audit_options, key_provider
from server.reports.registrations import to_csv, to_docx
from server.storage import organisations as org_store
from server.storage import pilots as pilot_store
from server.storage.db import Database, Session
from server.storage.models import ApprovalDecision, Circumstance, Organisation, PilotRegistration


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {value!r}") from None


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    pilot = sub.add_parser("pilot", help="pilot registrations, decisions, circumstances, checks")
    cmds = pilot.add_subparsers(dest="pilot_command", required=True)

    check = cmds.add_parser("check", help="may this organisation meet in this mode on this date?")
    check.add_argument("--org", required=True, help="organisation code")
    check.add_argument("--mode", required=True, choices=[m.value for m in MeetingMode])
    check.add_argument("--date", required=True, type=_date)

    reg = cmds.add_parser("register", help="register a unit for the pilot (828-CV form)")
    reg.add_argument("--org", required=True)
    reg.add_argument("--scope", required=True, choices=[s.value for s in ApprovalScope])
    reg.add_argument("--members", required=True, type=int)
    reg.add_argument("--locations", default="")
    reg.add_argument("--cells", type=int, default=0)
    reg.add_argument("--groups", type=int, default=0)
    reg.add_argument("--it-readiness", default="")
    reg.add_argument("--reason", default="")
    reg.add_argument("--date", type=_date, default=None, help="submitted on (default today)")

    dec = cmds.add_parser("decide", help="record the superior committee's decision (E3)")
    dec.add_argument("--org", required=True)
    dec.add_argument("--number", required=True)
    dec.add_argument("--date", required=True, type=_date, help="decided on")
    dec.add_argument("--issuer", required=True)
    dec.add_argument(
        "--issuer-kind",
        required=True,
        choices=[k.value for k in IssuerKind],
        help="who decided (E3): the superior committee, the provincial standing committee, or "
        "the MFA's party committee (abroad)",
    )
    dec.add_argument("--scope", required=True, choices=[s.value for s in ApprovalScope])
    dec.add_argument("--valid-from", type=_date)
    dec.add_argument("--valid-to", type=_date)

    circ = cmds.add_parser("circumstance", help="declare a special circumstance (E1b)")
    circ.add_argument("--org", required=True)
    circ.add_argument("--kind", required=True, choices=[k.value for k in CircumstanceKind])
    circ.add_argument("--start", required=True, type=_date)
    circ.add_argument("--description", default="")

    endc = cmds.add_parser("end-circumstance", help="end a special circumstance (P4 follows)")
    endc.add_argument("id", type=int)
    endc.add_argument("--date", required=True, type=_date)

    exp = cmds.add_parser("export", help="registration list of an organisation and those under it")
    exp.add_argument("--org", required=True)
    exp.add_argument("--format", choices=["docx", "csv"], default="docx")
    exp.add_argument("--out", required=True, type=Path)


async def _org(session: Session, code: str) -> Organisation:
    org = await org_store.by_code(session, code)
    if org is None:
        raise SystemExit(f"no organisation with code {code!r}")
    return org


async def run(settings: Settings, args: argparse.Namespace) -> int:
    db = Database(settings.database_url)
    audit = AuditLog(db, key_provider(settings), options=audit_options(settings))
    actor = f"cli:{getpass.getuser()}"
    try:
        async with db.session() as s:
            cmd = args.pilot_command
            if cmd == "check":
                org = await _org(s, args.org)
                decision = await rules.check_meeting_mode(s, org, MeetingMode(args.mode), args.date)
                print(json.dumps(decision.as_dict(), ensure_ascii=False, indent=2))
                return 0 if decision.ok else 1
            if cmd == "register":
                org = await _org(s, args.org)
                row = await pilots.register(
                    s,
                    audit,
                    actor,
                    PilotRegistration(
                        org_id=org.id,
                        scope=ApprovalScope(args.scope),
                        submitted_on=args.date or dt.date.today(),
                        member_count=args.members,
                        locations=args.locations,
                        cells_count=args.cells,
                        groups_count=args.groups,
                        it_readiness=args.it_readiness,
                        reason=args.reason,
                    ),
                )
                print(f"registration {row.id} recorded")
            elif cmd == "decide":
                org = await _org(s, args.org)
                valid_from = args.valid_from or args.date
                approval = ApprovalDecision(
                    org_id=org.id,
                    number=args.number,
                    decided_on=args.date,
                    issuer=args.issuer,
                    issuer_kind=IssuerKind(args.issuer_kind),
                    scope=ApprovalScope(args.scope),
                    valid_from=valid_from,
                    valid_to=args.valid_to,
                )
                try:
                    row_d = await pilots.decide(s, audit, actor, approval)
                except DatesContradict as exc:
                    print(exc.text.both(), file=sys.stderr)
                    return 2
                print(f"decision {row_d.id} recorded")
            elif cmd == "circumstance":
                org = await _org(s, args.org)
                row_c = await pilots.declare(
                    s,
                    audit,
                    actor,
                    Circumstance(
                        org_id=org.id,
                        kind=CircumstanceKind(args.kind),
                        started_on=args.start,
                        description=args.description,
                    ),
                )
                print(f"circumstance {row_c.id} declared")
            elif cmd == "end-circumstance":
                found = await pilot_store.circumstance(s, args.id)
                if found is None:
                    print(f"no circumstance {args.id}", file=sys.stderr)
                    return 1
                try:
                    await pilots.end(s, audit, actor, found, args.date)
                except pilots.PilotError as exc:
                    print(str(exc), file=sys.stderr)
                    return 1
                except DatesContradict as exc:
                    print(exc.text.both(), file=sys.stderr)
                    return 1
                print(f"circumstance {args.id} ended on {args.date}")
            elif cmd == "export":
                org = await _org(s, args.org)
                rows = await pilots.registration_rows(s, org)
                if args.format == "csv":
                    args.out.write_text(to_csv(rows), encoding="utf-8")
                else:
                    args.out.write_bytes(
                        to_docx(rows, org.name, org.location or "Hà Nội", dt.date.today())
                    )
                await audit.record(
                    actor, "pilot.export", f"org:{org.id}", {"format": args.format}, session=s
                )
                print(f"wrote {args.out}")
    finally:
        await db.close()
    return 0
