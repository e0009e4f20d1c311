"""``hopchibo holidays …``: public holidays of a year as data for the R1/M4 meeting day."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass

from server import holidays
from server.audit import AuditLog
from server.config import Settings
from server.records.settings import audit_options, key_provider
from server.storage import holidays as holiday_store
from server.storage.db import Database
from server.storage.models import PublicHoliday


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {value!r}") from None


def _year(value: str) -> int:
    try:
        year = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a year: {value!r}") from None
    if not 1900 <= year <= 2099:
        raise argparse.ArgumentTypeError("the lunar calendar covers 1900-2099")
    return year


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("holidays", help="public holidays (days off) of each year")
    cmds = parser.add_subparsers(dest="holidays_command", required=True)
    add = cmds.add_parser("add", help="add a year's holidays, lunar ones computed in UTC+7")
    add.add_argument("--year", required=True, type=_year)
    add.add_argument(
        "--september-adjacent",
        type=int,
        choices=(1, 3),
        default=1,
        help="the day off next to 2 September, set yearly (default 1)",
    )
    day = cmds.add_parser("add-day", help="add one day off set by a decision")
    day.add_argument("--date", required=True, type=_date)
    day.add_argument("--name", required=True, help="Vietnamese name")
    day.add_argument("--name-en", default="", help="English name")
    rm = cmds.add_parser("remove", help="remove one day off")
    rm.add_argument("--date", required=True, type=_date)
    ls = cmds.add_parser("list", help="list a year's holidays")
    ls.add_argument("--year", required=True, type=_year)


async def run(settings: Settings, args: argparse.Namespace) -> int:
    db = Database(settings.database_url)
    audit = AuditLog(db, key_provider(settings), options=audit_options(settings))
    actor = f"cli:{getpass.getuser()}"
    try:
        async with db.session() as s:
            cmd = args.holidays_command
            if cmd == "add":
                added = await holidays.add_year(
                    s, audit, actor, args.year, september_adjacent=args.september_adjacent
                )
                for row in added:
                    print(f"{row.day.isoformat()}  {row.kind:5}  {row.name_vi}")
                print(f"{len(added)} day(s) added for {args.year}")
            elif cmd == "add-day":
                row = PublicHoliday(
                    day=args.date,
                    name_vi=args.name,
                    name_en=args.name_en or args.name,
                    kind="set",
                )
                added = await holiday_store.add_missing(s, [row])
                await audit.record(
                    actor, "holidays.add_day", f"day:{args.date.isoformat()}", session=s
                )
                print("added" if added else "already stored")
            elif cmd == "remove":
                removed = await holiday_store.remove(s, args.date)
                if not removed:
                    print(f"no holiday on {args.date.isoformat()}")
                    return 1
                await audit.record(
                    actor, "holidays.remove", f"day:{args.date.isoformat()}", session=s
                )
                print("removed")
            else:
                rows = await holiday_store.between(
                    s, dt.date(args.year, 1, 1), dt.date(args.year, 12, 31)
                )
                for row in rows:
                    print(f"{row.day.isoformat()}  {row.kind:5}  {row.name_vi} / {row.name_en}")
    finally:
        await db.close()
    return 0
