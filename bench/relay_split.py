"""Relay benchmark of one meeting over relay worker processes (server.media.shards): the same
meeting on one worker and split over two, in one run.

    .venv/bin/python -m bench.relay_split                 # ~10 minutes on 2 cores
    .venv/bin/python -m bench.relay_split --quick         # short windows, small sweep

The meeting has bench/relay.py's shape (1 room device + online members; room, chair, p02 and p03
send video, room, chair and p04 speak; everyone receives up to 4 videos and 3 audio streams).
The relay is bench/relay_server.py in ``sharded`` mode: the server's process (offers, placement)
and ``--workers`` worker processes joined by pipes. Relay CPU is user + system time of the
server's process and all its workers over the window. Members are placed on the least loaded
worker, so with two workers half of every member's streams come through a pipe.

Reported: relay CPU per member with one worker and with two (the split overhead, goal ≤ 20 %
more), and for each worker count the largest meeting of the sweep where every member got every
stream at full rate. The machine, its load average and the other processes' CPU are printed: the
machine may be shared.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import aiohttp

from bench.relay import (
    Bench,
    Durations,
    Expectation,
    Point,
    Window,
    _min_med,
    _ready,
    _relay_stats,
    _senders_ready,
    _split,
    machine,
    point_row,
    saturated,
    send_rates,
    stream_rates,
    summarize,
    write_json,
)
from bench.relay_common import (
    LOOPBACK,
    drops_between,
    machine_busy,
    read_cpu,
    runqueue_wait,
    udp_drops,
)
from bench.relay_peers import ParticipantSpec, ProcessSpec

#: the split may cost this much more CPU per member than one worker (issue 15)
SPLIT_OVERHEAD_GOAL = 0.20


async def start_sharded(bench: Bench, workers: int) -> tuple[list[int], str]:
    """The relay's pids (server's process first, then its workers) and its signalling URL;
    ``workers`` 0: the relay in the server's process, as ``media.workers = 0`` (the yardstick)."""
    if workers == 0:
        pid, url = await bench.start_relay("passthrough", 4, 3)
        return [pid], url
    relay = await bench._child(
        f"relay-sharded{workers}",
        [
            "-m",
            "bench.relay_server",
            "--mode",
            "sharded",
            "--workers",
            str(workers),
            "--video-slots",
            "4",
            "--audio-slots",
            "3",
            "--max-lifetime",
            "900",
        ],
    )
    hello = await relay.message(90)
    pids = [relay.process.pid, *(int(p) for p in hello["worker_pids"])]
    for pid in pids:
        bench._prioritize(pid)
    return pids, f"http://{LOOPBACK}:{hello['port']}"


async def measure(bench: Bench, relay_pids: Sequence[int], peers: Sequence[Any]) -> Window:
    """bench.relay's window, with the relay's CPU summed over its processes."""
    await asyncio.sleep(bench.durations.warmup_s)
    generators = {c.name: c.process.pid for c in peers}
    first = await asyncio.gather(*(p.command("snap") for p in peers))
    pids = [*relay_pids, *generators.values()]
    drops0 = [udp_drops(pid) for pid in pids]
    busy0, t0 = machine_busy()
    cpu0 = sum(read_cpu(pid) for pid in relay_pids)
    wait0 = sum(runqueue_wait(pid) for pid in relay_pids)
    gen0 = {name: read_cpu(pid) for name, pid in generators.items()}
    await asyncio.sleep(bench.durations.window_s)
    busy1, t1 = machine_busy()
    cpu1 = sum(read_cpu(pid) for pid in relay_pids)
    wait1 = sum(runqueue_wait(pid) for pid in relay_pids)
    gen1 = {name: read_cpu(pid) for name, pid in generators.items()}
    drops1 = [udp_drops(pid) for pid in pids]
    last = await asyncio.gather(*(p.command("snap") for p in peers))
    dt = t1 - t0
    relay = (cpu1 - cpu0) / dt
    per_process = {name: round((gen1[name] - gen0[name]) / dt, 3) for name in generators}
    gen = sum(per_process.values())
    others = max(0.0, (busy1 - busy0) / dt - relay - gen)
    deltas = [drops_between(a, b) for a, b in zip(drops0, drops1, strict=True)]
    n = len(relay_pids)
    drops = (sum(deltas[:n]), sum(deltas[n:]))
    return Window(
        relay, gen, per_process, others, dt, drops, (wait1 - wait0) / dt, list(first), list(last)
    )


async def meeting(bench: Bench, members: int, workers: int, processes: int) -> Point:
    """bench.relay's meeting, its relay over ``workers`` worker processes (0: in-process)."""
    video = {"room", "chair", "p02", "p03"}
    speakers = {"room", "chair", "p04"}
    ids = ["room", "chair"] + [f"p{i:02d}" for i in range(2, members)]
    everyone = [
        ParticipantSpec(pid, send_video=pid in video, send_audio=pid in speakers, level_dbov=-12)
        for pid in ids
    ]
    senders = [p for p in everyone if p.send_video or p.send_audio]
    muted = [p for p in everyone if not (p.send_video or p.send_audio)]
    await bench.wait_quiet()
    try:
        relay_pids, url = await start_sharded(bench, workers)
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http,
            http.post(url + "/pin", json={"ids": ["room", "chair"]}) as resp,
        ):
            resp.raise_for_status()
        spec = ProcessSpec("http", url, tuple(senders), audio_slots=3, video_slots=4)
        pub = await bench.start_peers("meeting-senders", spec)
        bench._prioritize(pub.process.pid)
        await _senders_ready(pub, len(senders))
        size = -(-len(muted) // processes)
        children = [pub] + [
            await bench.start_peers(
                f"meeting-muted{k}", ProcessSpec("http", url, g, audio_slots=3, video_slots=4)
            )
            for k, g in enumerate(_split(muted, size))
        ]
        for child in children[1:]:  # the load generators get the relay's priority too
            bench._prioritize(child.process.pid)
        connected, errors = await _ready(children[1:], 240)
        connected += len(senders)
        w = await measure(bench, relay_pids, children)
        stats = await _relay_stats(url)
    finally:
        await bench.teardown()
    expected = {
        p.pid: Expectation(min(4, len(video - {p.pid})), min(3, len(speakers - {p.pid})))
        for p in everyone
    }
    rates = stream_rates(w.first, w.last)
    fps, pps, full = summarize(rates, expected)
    # frames and audio packets the members received per second: CPU per delivered frame does
    # not flatter a relay that a loaded machine starved (it forwards less and burns less)
    delivered = sum(sum(r["video"]) + sum(r["audio"]) for r in rates.values())
    (fmin, fmed), (amin, amed) = _min_med(fps), _min_med(pps)
    mode = f"split-{workers}w" if workers else "in-process"
    return Point(
        mode, members, w.relay_cpu, w.seconds, connected, members, fmin, fmed,
        amin, amed, full, w.generators_cpu, w.others_cpu, w.per_generator_cpu,
        *send_rates(w.first, w.last), *w.udp_drops, w.relay_runqueue_wait, errors,
        {**_pipe_summary(stats), "delivered_per_s": delivered},
    )  # fmt: skip


def _pipe_summary(stats: dict[str, Any]) -> dict[str, Any]:
    """Per worker: members served and frames over its pipes (the rest is too long to keep)."""
    out: dict[str, Any] = {}
    if "participants" in stats:  # the relay in the server's process
        return {"in-process": {"members": len(stats["participants"])}}
    for name, worker in stats.items():
        if not isinstance(worker, dict):
            continue
        relay = worker.get("relay") or {}
        out[name] = {
            "members": len(relay.get("participants", ())),
            "pipes": worker.get("pipes", {}),
        }
    return out


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def report(
    info: dict[str, str],
    overhead: Sequence[Point],
    sweep: Sequence[Point],
    command: str,
    loads: Sequence[str],
) -> str:
    lines = [
        f"Command: `{command}`",
        "",
        "Machine: " + ", ".join(f"{k} {v}" for k, v in info.items()),
        "",
        "Load average (1, 5, 15 min) at the start, between points and at the end: "
        + "; ".join(loads),
        "",
        "| workers | members | relay CPU (cores) | video fps min / median | "
        "audio pkt/s min / median | receivers at full rate | publishers sent fps / audio "
        "frames/s (min) | UDP drops relay / generators | relay waited for CPU (s/s) | "
        "load generators (cores) | other processes (cores) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    lines += [point_row(p) for p in [*overhead, *sweep]]
    lines.append("")
    per_member = {
        mode: statistics.mean(p.relay_cpu / p.subscribers for p in mine)
        for mode in ("in-process", "split-1w", "split-2w")
        if (mine := [p for p in overhead if p.mode == mode])
    }
    one, two = per_member.get("split-1w"), per_member.get("split-2w")
    members = overhead[0].subscribers if overhead else 0
    if one and two:
        ratio = two / one
        verdict = "met" if ratio <= 1 + SPLIT_OVERHEAD_GOAL else "NOT met"
        lines.append(
            f"- relay CPU per member, {members}-member meeting (mean of the repeats): one worker "
            f"{1000 * one:.1f} mcore, split over two {1000 * two:.1f} mcore: ratio "
            f"{ratio:.3f} (goal ≤ {1 + SPLIT_OVERHEAD_GOAL:.2f}, {verdict})"
        )
    per_frame = {
        mode: statistics.mean(
            p.relay_cpu / p.relay_stats["delivered_per_s"] * 1e6
            for p in mine
            if p.relay_stats.get("delivered_per_s")
        )
        for mode in ("in-process", "split-1w", "split-2w")
        if (
            mine := [p for p in overhead if p.mode == mode and p.relay_stats.get("delivered_per_s")]
        )
    }
    if per_frame:
        lines.append(
            "- relay CPU per delivered frame or audio packet: "
            + ", ".join(f"{mode} {us:.0f} µs" for mode, us in per_frame.items())
            + (
                f"; split-2w / split-1w {per_frame['split-2w'] / per_frame['split-1w']:.3f}"
                if "split-1w" in per_frame and "split-2w" in per_frame
                else ""
            )
        )
    # like for like: the points of that size (the sweep's too) that delivered (nearly)
    # everything, so that none was starved
    same = [p for p in [*overhead, *sweep] if p.subscribers == members]
    most = max((p.relay_stats.get("delivered_per_s", 0.0) for p in same), default=0.0)
    full = {
        mode: [
            p
            for p in same
            if p.mode == mode and p.relay_stats.get("delivered_per_s", 0.0) >= 0.95 * most
        ]
        for mode in ("split-1w", "split-2w")
    }
    if most and full["split-1w"] and full["split-2w"]:
        one_full = statistics.mean(p.relay_cpu / p.subscribers for p in full["split-1w"])
        two_full = statistics.mean(p.relay_cpu / p.subscribers for p in full["split-2w"])
        lines.append(
            f"- like for like (only the points that delivered ≥ 95 % of the most delivered, "
            f"{most:.0f} frames and packets/s): one worker {1000 * one_full:.1f} mcore per "
            f"member ({len(full['split-1w'])} point(s)), split {1000 * two_full:.1f} "
            f"({len(full['split-2w'])}): ratio {two_full / one_full:.3f} "
            f"(goal ≤ {1 + SPLIT_OVERHEAD_GOAL:.2f})"
        )
    else:
        lines.append("- like for like: no point of both kinds delivered ≥ 95 % of the most")
    inproc = per_member.get("in-process")
    if inproc and one:
        lines.append(
            f"- in the server's process {1000 * inproc:.1f} mcore per member: one worker / "
            f"in-process {one / inproc:.3f} (the control connection and the process hop)"
        )
    for mode in ("split-1w", "split-2w"):
        mine = [p for p in sweep if p.mode == mode]
        if not mine:
            continue
        held = [p.subscribers for p in mine if not saturated(p) and p.connected == p.expected]
        lines.append(
            f"- {mode[6]} worker(s): largest meeting at full rate in the sweep "
            f"{max(held) if held else 'none'} (tried {', '.join(str(p.subscribers) for p in mine)})"
        )
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="short windows, small sweep")
    parser.add_argument("--members", type=int, help="meeting of the overhead ratio (default 40)")
    parser.add_argument("--sweep", help="meeting sizes for the largest at full rate")
    parser.add_argument("--processes", type=int, default=3, help="processes of receivers")
    parser.add_argument("--warmup", type=float, help="seconds (default 8, quick 4)")
    parser.add_argument("--window", type=float, help="seconds (default 15, quick 6)")
    parser.add_argument("--quiet-wait", type=float, help="seconds (default 20, quick 5)")
    parser.add_argument("--repeats", type=int, default=2, help="of each overhead point")
    parser.add_argument(
        "--relay-nice",
        type=int,
        default=0,
        help="nice value of the relay's processes and the load generators (negative needs "
        "root): on a shared machine, keeps others' load from starving them",
    )
    parser.add_argument("--json", default="var/bench/relay_split.json", help="result file")
    parser.add_argument(
        "--from-json", metavar="PATH", help="measure nothing: print the report of a result file"
    )
    args = parser.parse_args(argv)
    quick = args.quick
    args.members = args.members or (20 if quick else 40)
    args.sweep = [int(x) for x in (args.sweep or ("" if quick else "60,90,120")).split(",") if x]
    args.warmup = args.warmup if args.warmup is not None else (4.0 if quick else 8.0)
    args.window = args.window if args.window is not None else (6.0 if quick else 15.0)
    args.quiet_wait = args.quiet_wait if args.quiet_wait is not None else (5.0 if quick else 20.0)
    return args


async def run(args: argparse.Namespace, command: str) -> int:
    info = machine()
    loads = [load_average()]
    print("Machine:", json.dumps(info), "load average:", loads[0], flush=True)
    logs = tempfile.mkdtemp(prefix="hopchibo-relay-split-")
    bench = Bench(logs, Durations(args.warmup, args.window), 16, args.quiet_wait, args.relay_nice)
    overhead: list[Point] = []
    sweep: list[Point] = []
    failed = False

    async def point(target: list[Point], members: int, workers: int) -> Point | None:
        nonlocal failed
        try:
            p = await meeting(bench, members, workers, args.processes)
        except Exception as exc:  # report and go on with the other points
            failed = True
            print(f"{workers} worker(s), {members} members: FAILED: {exc}", flush=True)
            return None
        target.append(p)
        loads.append(load_average())
        print(point_row(p), "load average", loads[-1], flush=True)
        if p.errors:
            print("   errors:", "; ".join(p.errors[:3]), flush=True)
        return p

    try:
        # one worker and two, alternated, so that others' load falls on both alike
        await point(overhead, args.members, 0)
        for _ in range(args.repeats):
            await point(overhead, args.members, 1)
            await point(overhead, args.members, 2)
        for workers in (1, 2):
            for members in args.sweep:
                p = await point(sweep, members, workers)
                if p is None or saturated(p):
                    break
    finally:
        bench.kill_all()
        if failed:
            print(f"logs kept in {logs}")
        else:
            shutil.rmtree(logs, ignore_errors=True)
    loads.append(load_average())
    text = report(info, overhead, sweep, command, loads)
    print("\n" + text)
    write_json(
        Path(args.json),
        json.dumps(
            {
                "command": command,
                "machine": info,
                "load_average": loads,
                "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "points": [asdict(p) for p in [*overhead, *sweep]],
                "overhead_points": len(overhead),
                "report": text,
            },
            indent=2,
        ),
    )
    print(f"\nwrote {args.json}")
    return 1 if failed else 0


def report_from(path: str) -> str:
    saved = json.loads(Path(path).read_text(encoding="utf-8"))
    points = [Point(**p) for p in saved["points"]]
    split = int(saved.get("overhead_points", 0))
    return report(
        saved["machine"], points[:split], points[split:], saved["command"], saved["load_average"]
    )


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.from_json:
        print(report_from(args.from_json))
        return
    command = ".venv/bin/python -m bench.relay_split " + " ".join(
        sys.argv[1:] if argv is None else list(argv)
    )
    sys.exit(asyncio.run(run(args, command.strip())))


if __name__ == "__main__":
    main()
