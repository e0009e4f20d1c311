"""The ``hopchibo`` command: serve, db upgrade, demo, user add."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys
from collections.abc import Sequence

from aiohttp import web

from policy.model import Role
from server import cli_pilot
from server.app import create_app
from server.auth.passwords import hash_password
from server.config import ConfigError, Settings, load_settings
from server.demo import load_demo
from server.keys import KeyFileError, load_or_create_kek
from server.storage import accounts as account_store
from server.storage import organisations as org_store
from server.storage.db import Database
from server.storage.migrate import upgrade
from server.storage.models import Account


async def _demo(settings: Settings) -> int:
    await upgrade(settings.database_url)
    db = Database(settings.database_url)
    try:
        created = await load_demo(db)
    finally:
        await db.close()
    print("demo loaded" if created else "demo already present")
    return 0


async def _user_add(settings: Settings, args: argparse.Namespace) -> int:
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass()
    if len(password) < 12:
        print("password must have at least 12 characters", file=sys.stderr)
        return 2
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
            account = await account_store.add(
                s,
                Account(
                    username=args.username,
                    display_name=args.name or args.username,
                    member_id=args.member_id,
                    password_hash=hash_password(password),
                ),
            )
            await account_store.grant(s, account.id, org.id, Role(args.role))
    finally:
        await db.close()
    print(f"user {args.username} added as {args.role} of {args.org}")
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
    sub.add_parser("demo", help="load the demo organisations")
    user = sub.add_parser("user", help="accounts")
    user.add_argument("action", choices=["add"])
    user.add_argument("username")
    user.add_argument("--org", required=True, help="organisation code")
    user.add_argument("--role", required=True, choices=[r.value for r in Role])
    user.add_argument("--name")
    user.add_argument("--member-id", type=int)
    user.add_argument("--password-stdin", action="store_true")
    cli_pilot.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        settings = load_settings()
        settings.server.var_dir.mkdir(parents=True, exist_ok=True)
        load_or_create_kek(settings.kek_path, settings.keys.kek)  # fail early on a bad key
        if args.command == "serve":
            if args.demo:
                asyncio.run(_demo(settings))
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
            return asyncio.run(_demo(settings))
        if args.command == "pilot":
            return asyncio.run(cli_pilot.run(settings, args))
        if args.command == "user":
            return asyncio.run(_user_add(settings, args))
    except (ConfigError, KeyFileError) as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
