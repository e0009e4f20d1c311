"""Benchmark: live-meeting signaling under a crowd (issue #15), WebSockets only.

    # one big meeting
    python bench/signaling.py --meetings 1 --members 500
    # the 3rd of the month
    python bench/signaling.py --meetings 100 --members 15 \\
        --db postgresql+asyncpg://postgres@127.0.0.1:5432/test --redis redis://127.0.0.1:6379/0

The server runs in its own process (bench/signaling_server.py, the real application) so its CPU
and memory are its own. Each meeting's chair joins, then every member joins (``--batch`` sockets
connecting at a time over all meetings) and the chair admits whoever waits in the lobby. Then
each chair locks and unlocks the meeting ``--rounds`` times, all chairs at once, and every
member's reception of ``meeting_state`` is timed (the fan-out). Then every socket is dropped
without ``leave`` and the bench waits for the reconnect grace to end: no live meeting and no
bus subscription may remain, and the server's memory is compared with its start.
``/api/health`` is polled every 0.25 s throughout. Prints the figures, the machine and its load.

The start is taken after ``--warmup-meetings`` small meetings joined and left (lazy imports,
compiled queries, pools). Where memory stays: ``--arenas`` prints Python's arena counts and the
resident memory by kind of mapping at the start and the end; ``--trace-survivors FILE`` writes
what was allocated during the crowd and is still alive, by traceback (slow: a diagnosis).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from aiohttp import (
    ClientSession,
    ClientTimeout,
    ClientWebSocketResponse,
    DummyCookieJar,
    TCPConnector,
    WSMsgType,
)

ORIGIN = "http://127.0.0.1:8080"
LIMIT = ClientTimeout(total=5)
ROOT = Path(__file__).resolve().parent.parent
#: after the release, wait for the server's own heap trim (``server/memory.py``:
#: ``TRIM_AFTER_SECONDS``, 5 s of quiet) before memory is measured
SERVER_TRIM_WAIT = 7.0


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def open_files(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def connections_out(pid: int) -> dict[int, int]:
    """The process's TCP connections by the remote port (5432: PostgreSQL, 6379: Redis)."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        with contextlib.suppress(OSError):
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    ports: dict[int, int] = {}
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[9] in inodes and fields[3] == "01":  # ESTABLISHED
                port = int(fields[2].rsplit(":", 1)[1], 16)
                ports[port] = ports.get(port, 0) + 1
    return {port: n for port, n in sorted(ports.items()) if port in (5432, 6379)}


def load_average() -> list[str]:
    return Path("/proc/loadavg").read_text().split()[:3]


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Member:
    def __init__(self, meeting: int, token: str, chair: bool) -> None:
        self.meeting = meeting
        self.token = token
        self.chair = chair
        self.ws: ClientWebSocketResponse | None = None
        self.admitted = asyncio.Event()
        self.reader: asyncio.Task[None] | None = None
        self.admitted_ids: set[str] = set()
        self.errors: list[str] = []


class Bench:
    """The measuring client, kept light: one HTTP session and connection pool for every socket
    (each socket sends its own session cookie), and a frame is parsed only if it is one the
    bench reads (the client shares the 2 cores with the server it measures)."""

    def __init__(self, base: str, meetings: list[dict[str, Any]]) -> None:
        self.http = ClientSession(
            cookie_jar=DummyCookieJar(), connector=TCPConnector(limit=0, force_close=True)
        )
        self.base = base
        self.meetings = meetings
        self.sent_at: dict[int, float] = {}  # meeting → when its chair sent the last action
        self.latencies: list[float] = []
        self.health_ok = 0
        self.health_failed = 0
        self.health_worst = 0.0
        self.closes: dict[int, int] = {}
        self.pid = 0

    async def connect(self, m: Member) -> None:
        m.ws = await self.http.ws_connect(
            f"{self.base}/ws/meetings/{m.meeting}",
            headers={"Origin": ORIGIN, "Cookie": f"hopchibo={m.token}"},
            heartbeat=None,
        )
        await m.ws.send_str(
            json.dumps(
                {
                    "v": 1,
                    "type": "join",
                    "meeting_id": str(m.meeting),
                    "audio_only": True,
                    "client": {"name": "bench", "version": "1"},
                }
            )
        )
        m.reader = asyncio.get_running_loop().create_task(self.read(m))

    async def read(self, m: Member) -> None:
        assert m.ws is not None
        async for frame in m.ws:
            if frame.type is not WSMsgType.TEXT:
                break
            data = frame.data
            head = data[:40]  # '{"v":1,"type":"…"': the type, without parsing the rest
            if '"type":"meeting_state"' in head:
                if m.admitted.is_set() and not m.chair:
                    sent = self.sent_at.get(m.meeting)
                    if sent is not None:
                        self.latencies.append(time.perf_counter() - sent)
                continue
            if '"type":"participants"' in head:
                m.admitted.set()
                continue
            if not ('"type":"waiting"' in head or '"type":"error"' in head):
                continue
            msg = json.loads(data)
            kind = msg["type"]
            if kind == "waiting" and m.chair:
                for p in msg["participants"]:
                    if p["id"] not in m.admitted_ids:
                        m.admitted_ids.add(p["id"])
                        await m.ws.send_str(
                            json.dumps({"v": 1, "type": "admit", "participant_id": p["id"]})
                        )
            elif kind == "error":
                m.errors.append(msg["code"])
        code = m.ws.close_code or 0
        self.closes[code] = self.closes.get(code, 0) + 1

    async def health(self, stop: asyncio.Event) -> None:
        async with ClientSession() as http:
            while not stop.is_set():
                t = time.perf_counter()
                try:
                    async with http.get(f"{self.base}/api/health", timeout=LIMIT) as resp:
                        ok = resp.status == 200
                except Exception:
                    ok = False
                self.health_worst = max(self.health_worst, time.perf_counter() - t)
                if ok:
                    self.health_ok += 1
                else:
                    self.health_failed += 1
                await asyncio.sleep(0.25)

    async def stats(
        self, collect: bool = False, trim: bool = False, trace: str = ""
    ) -> dict[str, Any]:
        query = "&".join(q for q, on in (("gc=1", collect), ("trim=1", trim)) if on)
        if trace:
            query = f"{query}&trace={trace}" if query else f"trace={trace}"
        url = f"{self.base}/bench/stats" + (f"?{query}" if query else "")
        async with ClientSession() as http, http.get(url) as resp:
            data: dict[str, Any] = await resp.json()
            return data

    async def session(
        self, meetings: list[dict[str, Any]], members: int, args: argparse.Namespace
    ) -> dict[str, Any]:
        """Everyone of ``meetings`` joins and is admitted, the chairs act, everyone drops and
        the grace runs out; what was measured."""
        pid = self.pid
        chairs = [Member(m["meeting_id"], m["tokens"][0], True) for m in meetings]
        crowd = [Member(m["meeting_id"], t, False) for m in meetings for t in m["tokens"][1:]]
        everyone = chairs + crowd
        r: dict[str, Any] = {"n": len(everyone)}
        cpu0 = cpu_seconds(pid)
        t_join = time.perf_counter()
        await asyncio.gather(*(self.connect(c) for c in chairs))
        await asyncio.gather(*(c.admitted.wait() for c in chairs))
        # members in round-robin over the meetings, --batch connecting at a time
        order = sorted(crowd, key=lambda m: crowd.index(m) % max(1, members - 1))
        sem = asyncio.Semaphore(args.batch)

        async def join(m: Member) -> None:
            async with sem:
                await self.connect(m)
                await asyncio.wait_for(m.admitted.wait(), args.join_timeout)

        results = await asyncio.gather(*(join(m) for m in order), return_exceptions=True)
        r["join_s"] = time.perf_counter() - t_join
        r["admitted"] = sum(1 for m in everyone if m.admitted.is_set())
        r["cpu_join"] = cpu_seconds(pid) - cpu0
        r["failures"] = [x for x in results if isinstance(x, BaseException)]
        await asyncio.sleep(2)
        r["rss_joined"] = rss_kb(pid)
        r["fds_joined"] = open_files(pid)
        r["stats_joined"] = await self.stats()

        cpu1 = cpu_seconds(pid)
        t_fan = time.perf_counter()
        self.latencies = []
        for i in range(args.rounds):
            kind = json.dumps({"v": 1, "type": "lock_meeting" if i % 2 == 0 else "unlock_meeting"})
            if args.stagger:  # the chairs act one after the other, spread over the interval
                step = args.interval / len(chairs)
                for c in chairs:
                    self.sent_at[c.meeting] = time.perf_counter()
                    if c.ws is not None:
                        await c.ws.send_str(kind)
                    await asyncio.sleep(step)
                continue
            now = time.perf_counter()  # every chair at the same moment
            for c in chairs:
                self.sent_at[c.meeting] = now
            await asyncio.gather(*(c.ws.send_str(kind) for c in chairs if c.ws))
            await asyncio.sleep(args.interval)
        await asyncio.sleep(1)
        r["fan_s"] = time.perf_counter() - t_fan
        r["cpu_fan"] = cpu_seconds(pid) - cpu1
        r["expected"] = args.rounds * len(crowd)
        r["latencies"] = list(self.latencies)

        t_leave = time.perf_counter()
        for m in everyone:  # the link falls: no leave
            if m.ws is not None:
                await m.ws.close()
        r["released_s"] = float("nan")
        r["stats_after"] = {}
        while time.perf_counter() - t_leave < args.grace + 120:
            r["stats_after"] = await self.stats()
            if r["stats_after"]["live"] == 0 and r["stats_after"]["channels"] == 0:
                r["released_s"] = time.perf_counter() - t_leave
                break
            await asyncio.sleep(0.5)
        await asyncio.sleep(SERVER_TRIM_WAIT)
        r["errors"] = sorted({e for m in everyone for e in m.errors})
        return r


async def run(args: argparse.Namespace) -> None:
    seed_file = Path(tempfile.mkstemp(suffix=".json")[1])
    cmd = [sys.executable, str(ROOT / "bench" / "signaling_server.py")]
    cmd += ["--meetings", str(args.meetings), "--members", str(args.members)]
    cmd += ["--grace", str(args.grace), "--seed-out", str(seed_file)]
    cmd += ["--warmup-meetings", str(args.warmup_meetings)]
    if args.db:
        cmd += ["--db", args.db]
    if args.redis:
        cmd += ["--redis", args.redis]
    stderr = tempfile.NamedTemporaryFile(  # noqa: SIM115 (the server's log, kept)
        prefix="hopchibo-bench-", suffix=".log", delete=False
    )
    proc = subprocess.Popen(  # noqa: ASYNC220 (started once, before anything is measured)
        cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr
    )
    assert proc.stdout is not None and proc.stdin is not None
    t0 = time.perf_counter()
    line = await asyncio.get_running_loop().run_in_executor(None, proc.stdout.readline)
    if not line:
        raise SystemExit(f"server did not start; see {stderr.name}")
    seeded = json.loads(seed_file.read_text())  # noqa: ASYNC240 (before measuring)
    print(f"seeded {args.meetings} × {args.members} in {time.perf_counter() - t0:.1f} s")
    bench = Bench(f"http://127.0.0.1:{seeded['port']}", seeded["meetings"])
    stop = asyncio.Event()
    health = asyncio.get_running_loop().create_task(bench.health(stop))
    await asyncio.sleep(2)
    pid = proc.pid
    bench.pid = pid
    warm = seeded["warmup"]
    if warm:  # small meetings first: lazy imports, compiled queries, pools are warm
        w = await bench.session(warm, len(warm[0]["tokens"]), args)
        print(
            f"warm-up: {w['admitted']}/{w['n']} admitted, released in {w['released_s']:.1f} s; "
            f"the start below is taken after it"
        )
    arenas0 = await bench.stats(trace="arenas") if args.arenas else {}
    start = await bench.stats(collect=True, trace="start" if args.trace_survivors else "")
    rss0, fds0, out0 = rss_kb(pid), open_files(pid), connections_out(pid)
    r = await bench.session(bench.meetings, args.members, args)
    held = await bench.stats(collect=True)
    rss_after, fds_after, out_after = rss_kb(pid), open_files(pid), connections_out(pid)
    trimmed = await bench.stats(trim=True)
    rss_trimmed = rss_kb(pid)
    if args.arenas:
        print(f"allocator at the start: {json.dumps(arenas0)}")
        print(f"allocator at the end: {json.dumps(await bench.stats(trace='arenas'))}")
    if args.trace_survivors:  # what was allocated during the crowd and is still alive
        survivors = await bench.stats(trace="dump")
        Path(args.trace_survivors).write_text(json.dumps(survivors, indent=1))  # noqa: ASYNC240
        print(f"survivors of the crowd written to {args.trace_survivors}")
    stop.set()
    await health
    await bench.http.close()
    proc.stdin.close()
    proc.wait(timeout=30)
    stderr.close()
    log_text = Path(stderr.name).read_text(errors="replace")  # noqa: ASYNC240 (after)
    tracebacks = log_text.count("Traceback")

    n = r["n"]
    lat_ms = [x * 1000 for x in r["latencies"]]
    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"load average at the end: {' '.join(load_average())}")
    db = "PostgreSQL" if args.db.startswith("postgresql") else "SQLite"
    bus = "Redis" if args.redis else "in-process"
    print(f"shape: {args.meetings} meeting(s) × {args.members} = {n} members; {db}; bus {bus}")
    how = "staggered over" if args.stagger else "all at once, every"
    print(f"chair actions: {args.rounds} rounds, {how} {args.interval} s")
    print(
        f"join: {r['admitted']}/{n} admitted in {r['join_s']:.1f} s = "
        f"{n / r['join_s']:.0f} joins/s; server CPU {r['cpu_join']:.1f} s; "
        f"{len(r['failures'])} failed joins"
    )
    print(
        f"memory: start {rss0 / 1024:.0f} MiB, joined {r['rss_joined'] / 1024:.0f} MiB = "
        f"{(r['rss_joined'] - rss0) / n:.0f} KiB per member; open files "
        f"{r['fds_joined']}; live {r['stats_joined']}"
    )
    print(
        f"fan-out: {len(lat_ms)}/{r['expected']} receptions of {args.rounds} chair actions; "
        f"p50 {pct(lat_ms, 0.5):.1f} ms, p99 {pct(lat_ms, 0.99):.1f} ms, "
        f"max {max(lat_ms, default=float('nan')):.1f} ms; "
        f"server CPU {r['cpu_fan']:.1f} s over {r['fan_s']:.1f} s"
    )
    print(
        f"after leaving: released in {r['released_s']:.1f} s (grace {args.grace} s), "
        f"{r['stats_after']}; memory {rss_after / 1024:.0f} MiB = "
        f"{100 * (rss_after - rss0) / rss0:+.1f} % of start "
        f"({100 * (rss_trimmed - rss0) / rss0:+.1f} % once the C heap is trimmed); "
        f"Python blocks {start['blocks']} → {held['blocks']} "
        f"({100 * (held['blocks'] - start['blocks']) / max(1, start['blocks']):+.1f} %); "
        f"open files {fds0} → {fds_after} (connections to PostgreSQL/Redis by port: {out0} → "
        f"{out_after}); objects still held after gc: {held}; {trimmed}"
    )
    print(
        f"/api/health: {bench.health_ok} ok, {bench.health_failed} failed, "
        f"slowest {bench.health_worst * 1000:.0f} ms"
    )
    print(f"server tracebacks: {tracebacks}; client errors: {r['errors'] or 'none'}")
    print(f"close codes seen by clients: {dict(sorted(bench.closes.items()))}")
    if lat_ms:
        print(f"fan-out mean {statistics.fmean(lat_ms):.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--meetings", type=int, default=1)
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--db", default="")
    parser.add_argument("--redis", default="")
    parser.add_argument("--grace", type=int, default=5)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument(
        "--warmup-meetings",
        type=int,
        default=1,
        help="meetings of up to 15 that join and leave before the start is measured",
    )
    parser.add_argument(
        "--arenas",
        action="store_true",
        help="print the allocator's arena counts and the resident memory by kind of mapping at "
        "the start and the end",
    )
    parser.add_argument(
        "--trace-survivors",
        default="",
        metavar="FILE",
        help="trace allocations (tracemalloc) from the start and write the blocks still alive "
        "after everyone left, by traceback, with the allocator's arena counts (slow: a diagnosis)",
    )
    parser.add_argument("--interval", type=float, default=0.5)
    parser.add_argument("--join-timeout", type=float, default=300.0)
    parser.add_argument(
        "--stagger",
        action="store_true",
        help="chairs act one after the other over the interval (else all at the same moment)",
    )
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
