"""``hopchibo demo``: the demo organisations, their accounts and today's meetings, and the
addresses to open; ``hopchibo demo --code USER`` prints a demo account's current sign-in code."""

from __future__ import annotations

import argparse
import datetime as dt
import os
from pathlib import Path

import pyotp

from server.audit import AuditLog
from server.config import Settings
from server.demo import LARGE_CODE, SEAFARERS_CODE, DemoCredential, load_demo, load_demo_accounts
from server.demo_today import TodayMeetings, load_today
from server.kek import load_or_create_kek
from server.records.settings import key_provider
from server.storage.db import Database
from server.storage.migrate import upgrade

CREDENTIALS = "demo-credentials.txt"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = sub.add_parser("demo", help="load the demo organisations, accounts and today's meetings")
    demo.add_argument(
        "--code",
        metavar="USERNAME",
        help="print the current 6-digit sign-in code of a demo account and exit",
    )


def credentials_path(settings: Settings) -> Path:
    return settings.server.var_dir / CREDENTIALS


def _entry(c: DemoCredential) -> list[str]:
    return [
        f"{c.username}\t{c.role}\t{c.org_code}\tpassword={c.password}",
        f"  totp_secret={c.totp_secret}",
        f"  totp_uri={c.totp_uri}",
        f"  recovery_codes={' '.join(c.recovery_codes)}",
    ]


def write_credentials(path: Path, creds: list[DemoCredential]) -> None:
    """Demo passwords and TOTP secrets, readable by the owner only (mode 0600); accounts
    created by an earlier run keep their lines."""
    lines = [
        "# hopchibo demo accounts: username, role, organisation, password, TOTP secret",
        "# Sign in at /login; the code comes from any authenticator app given the secret,",
        "# or from: .venv/bin/hopchibo demo --code USERNAME",
        "",
    ]
    if path.exists():
        lines = path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    for c in creds:
        lines += _entry(c)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    tmp.replace(path)


def read_secret(path: Path, username: str) -> str | None:
    """The TOTP secret of ``username`` in the credentials file, if listed."""
    if not path.exists():
        return None
    found = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith(" "):
            found = line.split("\t", 1)[0] == username
        elif found and line.strip().startswith("totp_secret="):
            return line.strip().removeprefix("totp_secret=")
    return None


async def load(settings: Settings, now: dt.datetime) -> TodayMeetings:
    """Migrate, load the demo and its accounts, and make or keep today's meetings."""
    await upgrade(settings.database_url)
    kek = load_or_create_kek(settings.kek_path, settings.keys.kek)
    provider = key_provider(settings)
    db = Database(settings.database_url)
    path = credentials_path(settings)
    try:
        created = await load_demo(db)
        creds = await load_demo_accounts(db, kek)
        if creds:  # before anything else can fail: the secrets exist only here
            write_credentials(path, creds)
        today = await load_today(
            db,
            AuditLog(db, provider),
            provider,
            now,
            seafarers_code=SEAFARERS_CODE,
            large_code=LARGE_CODE,
        )
    finally:
        await db.close()
    print("demo organisations loaded" if created else "demo organisations already present")
    print(f"demo accounts, passwords and TOTP secrets: {path} (mode 0600)")
    for refusal in today.refused:
        print(f"today's demo meeting refused by the rules: {refusal}")
    _print_doors(settings, today)
    return today


def _print_doors(settings: Settings, today: TodayMeetings) -> None:
    base = settings.server.public_origin.rstrip("/")
    code = ".venv/bin/hopchibo demo --code"
    print("\nOpen in a browser (password from the credentials file, code from the command):")
    print(f"  front door   {base}/  (any demo account)")
    if today.hybrid_id is not None:
        print(f"  member       {base}/meetings/{today.hybrid_id}  as dangvien  ({code} dangvien)")
        print(f"  chair        {base}/meetings/{today.hybrid_id}/chair  as bithu  ({code} bithu)")
    print(f"  officer      {base}/officer  as baomat  ({code} baomat)")
    if today.group_cycle_id is not None:
        print(f"  party groups {base}/home  as totruong1 … totruong4, bithulon (the large cell)")
    print(f"  committee    {base}/committee  as bithudanguy (secretary), capuyvien (member)")
    print(f"  pilot board  {base}/board  as bantochuc (vets), banthuongvu (decides)")
    print()


async def run(settings: Settings, args: argparse.Namespace) -> int:
    if args.code:
        secret = read_secret(credentials_path(settings), args.code)
        if secret is None:
            print(f"no demo account {args.code!r} in {credentials_path(settings)}")
            return 1
        print(pyotp.TOTP(secret).now())
        return 0
    await load(settings, dt.datetime.now(dt.UTC))
    return 0
