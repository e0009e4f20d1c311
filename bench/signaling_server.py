"""Server process of the signaling benchmark (bench/signaling.py): the real application on
127.0.0.1 with ``meetings`` cells of ``members`` people each (one secretary chairing), a
signed-in session per person, and a bench-only ``GET /bench/stats`` (live meetings, bus
subscriptions). Writes the port and the sessions as JSON to ``--seed-out``, then serves until
stdin closes.

Accounts get an unusable password hash and a session started directly at the ``full`` stage:
signing 1,500 people in through the password and TOTP pages is not what is measured here.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import json
import os
import sys
import tempfile
import tracemalloc
from pathlib import Path
from typing import Any

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from policy.model import MeetingKind, MeetingMode, MeetingStatus, MemberStatus, OrgLevel, Role
from server import appkeys
from server.app import create_app
from server.config import (
    BusSettings,
    DatabaseSettings,
    MediaSettings,
    ServerSettings,
    load_settings,
)
from server.media.relay import MeetingRelay
from server.meeting.live import Connection, LiveMeeting
from server.memory import libc_trim
from server.storage import accounts as account_store
from server.storage.migrate import upgrade
from server.storage.models import Account, Meeting, Member, Organisation
from tests.backends import PostgresDatabase


async def seed(
    app: web.Application, meetings: int, members: int, first: int = 1
) -> list[dict[str, object]]:
    db, sessions = app[appkeys.DB], app[appkeys.SESSIONS]
    out: list[dict[str, object]] = []
    for m in range(first - 1, first - 1 + meetings):
        async with db.session() as s:
            org = Organisation(level=OrgLevel.CELL, name=f"Chi bộ {m + 1}", code=f"bench{m + 1}")
            s.add(org)
            await s.flush()
            meeting = Meeting(
                org_id=org.id,
                kind=MeetingKind.REGULAR,
                mode=MeetingMode.ONLINE,
                status=MeetingStatus.SCHEDULED,
                title="Sinh hoạt chi bộ ngày 3",
                scheduled_start=dt.datetime.now(dt.UTC),
            )
            s.add(meeting)
            await s.flush()
            tokens: list[str] = []
            for i in range(members):
                member = Member(
                    org_id=org.id, full_name=f"Đảng viên {m + 1}-{i + 1}", status=MemberStatus.FULL
                )
                s.add(member)
                await s.flush()
                account = await account_store.add(
                    s,
                    Account(
                        username=f"b{m + 1}u{i + 1}",
                        display_name=f"Đảng viên {m + 1}-{i + 1}",
                        member_id=member.id,
                        password_hash="!bench",  # noqa: S106 (no password: never matches)
                    ),
                )
                role = Role.SECRETARY if i == 0 else Role.MEMBER
                await account_store.grant(s, account.id, org.id, role)
                state = await sessions.start(s, account.id, "full", "127.0.0.1")
                tokens.append(state.token)
            out.append({"meeting_id": meeting.id, "tokens": tokens})
    return out


def _malloc_stats() -> list[str]:
    """The arena lines of CPython's allocator statistics (written by C to file descriptor 2)."""
    with tempfile.TemporaryFile(mode="w+") as f:
        saved = os.dup(2)
        os.dup2(f.fileno(), 2)
        try:
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        f.seek(0)
        return [x for x in f.read().splitlines() if "arena" in x.lower()]


def _smaps() -> dict[str, int]:
    """Resident KiB of this process by kind of mapping: the C heap, anonymous maps (Python's
    arenas, large blocks, thread heaps), files."""
    kinds: dict[str, int] = {}
    kind = ""
    for line in Path("/proc/self/smaps").read_text().splitlines():
        head = line.split()
        if head and not head[0].endswith(":"):
            name = head[5] if len(head) > 5 else ""
            kind = name if name.startswith("[") else ("file" if name else "anonymous")
        elif head and head[0] == "Rss:":
            kinds[kind] = kinds.get(kind, 0) + int(head[1])
    return kinds


async def stats(request: web.Request) -> web.Response:
    """Live meetings and bus channels; ``gc=1``: collect first, and count the objects of a
    meeting still held; ``trim=1``: give the C heap's free pages back to the system
    (glibc ``malloc_trim``), to tell memory held from memory merely not returned."""
    live = request.app[appkeys.LIVE]
    out: dict[str, Any] = {
        "live": len(live.live_ids()),
        "channels": len(live.bus.subscribed_channels()),
        "server_trims": live.trimmer.trims,  # the server's own (server/memory.py)
    }
    if request.query.get("gc"):  # after everyone left: what is still held, once collected
        gc.collect()
        kinds = (LiveMeeting, Connection, MeetingRelay)
        for kind in kinds:
            out[kind.__name__] = sum(1 for o in gc.get_objects() if isinstance(o, kind))
    if request.query.get("trim"):
        trim = libc_trim()
        out["trimmed"] = trim() if trim is not None else -1  # -1: no malloc_trim here
    if request.query.get("trace") == "start":
        tracemalloc.start(12)
    if request.query.get("trace") == "arenas":
        out["mallocstats"] = _malloc_stats()
        out["smaps"] = _smaps()
    elif request.query.get("trace") == "dump" and tracemalloc.is_tracing():
        snap = tracemalloc.take_snapshot()
        top = snap.statistics("traceback")[:40]
        out["survivors"] = [
            {"size": st.size, "count": st.count, "where": st.traceback.format()[-24:]} for st in top
        ]
        by_file = snap.statistics("filename")
        out["survivor_total"] = sum(st.size for st in by_file)
        out["survivor_count"] = sum(st.count for st in by_file)
    out["blocks"] = sys.getallocatedblocks()  # Python's allocated memory blocks
    return web.json_response(out)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="")
    parser.add_argument("--redis", default="")
    parser.add_argument("--meetings", type=int, default=1)
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--grace", type=int, default=5)
    parser.add_argument("--warmup-meetings", type=int, default=1)
    parser.add_argument("--seed-out", required=True)
    args = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="hopchibo-bench-"))
    pg = PostgresDatabase(args.db) if args.db.startswith("postgresql") else None
    if pg is not None:  # a database of its own, dropped at the end
        db_url = await pg.fresh()
    else:
        db_url = args.db or f"sqlite+aiosqlite:///{var / 'bench.db'}"
        await upgrade(db_url)
    settings = load_settings(
        {},
        server=ServerSettings(var_dir=var, insecure_cookies=True),
        database=DatabaseSettings(url=db_url),
        bus=BusSettings(redis_url=args.redis, key_prefix=f"bench{var.name[-8:]}".replace("_", "")),
        media=MediaSettings(loopback_candidate=True, reconnect_grace_seconds=args.grace),
    )
    app = create_app(settings)
    app.router.add_get("/bench/stats", stats)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    # small warm-up meetings (run first by the driver), then the meetings measured
    warmup = await seed(app, args.warmup_meetings, min(args.members, 15))
    seeded = await seed(app, args.meetings, args.members, first=args.warmup_meetings + 1)
    seed_json = json.dumps({"port": port, "meetings": seeded, "warmup": warmup})
    Path(args.seed_out).write_text(seed_json)  # noqa: ASYNC240 (once, before serving)
    print(json.dumps({"type": "ready", "port": port}), flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)  # until the driver closes stdin
    await runner.cleanup()
    if pg is not None:
        await pg.drop_async()


if __name__ == "__main__":
    asyncio.run(main())
