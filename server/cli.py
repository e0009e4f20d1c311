"""The ``hopchibo`` command: serve, db upgrade, demo, user add, token create, pilot, holidays."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import getpass
import logging
import sys
from collections.abc import Sequence

from aiohttp import web

from policy.model import Role
from server import cli_demo, cli_gate, cli_holidays, cli_meeting, cli_pilot, cli_records, logs
from server.app import create_app
from server.audit import AuditLog
from server.auth.provision import create_account, create_api_token
from server.config import ConfigError, Settings, load_settings
from server.kek import KeyFileError, load_or_create_kek
from server.media import worker
from server.records.settings import audit_options, key_provider
from server.storage import accounts as account_store
from server.storage import organisations as org_store
from server.storage.db import Database
from server.storage.migrate import upgrade


def _audit(settings: Settings, db: Database) -> AuditLog:
    """The audit log of a command, under the one key provider (:func:`key_provider`)."""
    return AuditLog(db, key_provider(settings), options=audit_options(settings))


async def _token_create(settings: Settings, args: argparse.Namespace) -> int:
    db = Database(settings.database_url)
    try:
        async with db.session() as s:
            account = await account_store.by_username(s, args.username)
            if account is None or account.disabled:
                print(f"no active user {args.username!r}", file=sys.stderr)
                return 1
            token, expires = await create_api_token(
                s, _audit(settings, db), account.id, args.minutes, dt.datetime.now(dt.UTC)
            )
    finally:
        await db.close()
    print(
        f"read-only (GET) API token for {args.username}, valid until {expires:%Y-%m-%d %H:%M}Z:",
        file=sys.stderr,
    )
    print(token)
    return 0


async def _user_add(settings: Settings, args: argparse.Namespace) -> int:
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass()
    if len(password) < 12:
        print("password must have at least 12 characters", file=sys.stderr)
        return 2
    kek = load_or_create_kek(settings.kek_path, settings.keys.kek)
    db = Database(settings.database_url)
    try:
        async with db.session() as s:
            if await account_store.by_username(s, args.username) is not None:
                print(f"user {args.username!r} exists", file=sys.stderr)
                return 1
            org = await org_store.by_code(s, args.org)
            if org is None:
                print(f"no organisation with code {args.org!r}", file=sys.stderr)
                return 1
            made = await create_account(
                s,
                _audit(settings, db),
                kek,
                username=args.username,
                display_name=args.name or args.username,
                password=password,
                member_id=args.member_id,
                role=Role(args.role),
                org_id=org.id,
                with_totp=not args.enrol_at_sign_in,
            )
    finally:
        await db.close()
    print(f"user {args.username} added as {args.role} of {args.org}")
    if made.totp_uri:
        print("second factor (TOTP): add this to the member's authenticator app, then destroy it:")
        print(f"  {made.totp_uri}")
        print("one-time recovery codes (hand over on paper):")
        print("  " + " ".join(made.recovery_codes))
    else:
        print("no second factor yet: the member must enrol one (TOTP or passkey) at first sign-in")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hopchibo", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the server")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--demo", action="store_true", help="apply migrations and load the demo")
    db = sub.add_parser("db", help="database")
    db.add_argument("action", choices=["upgrade"])
    cli_demo.add_parser(sub)
    user = sub.add_parser("user", help="accounts")
    user.add_argument("action", choices=["add"])
    user.add_argument("username")
    user.add_argument("--org", required=True, help="organisation code")
    user.add_argument("--role", required=True, choices=[r.value for r in Role])
    user.add_argument("--name")
    user.add_argument("--member-id", type=int)
    user.add_argument("--password-stdin", action="store_true")
    user.add_argument(
        "--enrol-at-sign-in",
        action="store_true",
        help="create no TOTP secret: the member enrols a second factor at first sign-in",
    )
    token = sub.add_parser("token", help="read-only API tokens for scripts (GET requests only)")
    token.add_argument("action", choices=["create"])
    token.add_argument("username")
    token.add_argument("--minutes", type=int, default=60)
    cli_pilot.add_parser(sub)
    cli_meeting.add_parser(sub)
    cli_holidays.add_parser(sub)
    cli_records.add_parsers(sub)
    cli_gate.add_parser(sub)
    relay_worker = sub.add_parser(
        "relay-worker",
        help="a relay worker process (media.workers starts them itself; this runs one by hand)",
    )
    worker.add_arguments(relay_worker)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command in cli_gate.COMMANDS:  # a pure check: no settings, database or key
        return cli_gate.run(args)
    if args.command == "relay-worker":  # media only: no settings, database or key
        worker.run_from(args)
        return 0
    logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per migration is noise
    try:
        settings = load_settings()
        logs.configure(settings.ops)
        settings.server.var_dir.mkdir(parents=True, exist_ok=True)
        load_or_create_kek(settings.kek_path, settings.keys.kek)  # fail early on a bad key
        if args.command == "serve":
            if args.demo:
                asyncio.run(cli_demo.load(settings, dt.datetime.now(dt.UTC)))
            app = create_app(settings)
            web.run_app(
                app,
                host=args.host or settings.server.host,
                port=args.port or settings.server.port,
                access_log=None,
            )
            return 0
        if args.command == "db":
            asyncio.run(upgrade(settings.database_url))
            print("database at head")
            return 0
        if args.command == "demo":
            return asyncio.run(cli_demo.run(settings, args))
        if args.command in cli_records.COMMANDS:
            return asyncio.run(cli_records.run(settings, args))
        if args.command == "meeting":
            return asyncio.run(cli_meeting.run(settings, args))
        if args.command == "pilot":
            return asyncio.run(cli_pilot.run(settings, args))
        if args.command == "holidays":
            return asyncio.run(cli_holidays.run(settings, args))
        if args.command == "user":
            return asyncio.run(_user_add(settings, args))
        if args.command == "token":
            return asyncio.run(_token_create(settings, args))
    except (ConfigError, KeyFileError) as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
