"""Media relay benchmark: relay CPU per forwarded stream, in one run, for aiortc's stock
MediaRelay (transcoding), the project's pass-through relay (server.media.relay) and Janus
(Debian's janus, VideoRoom, loopback only), plus a 60-member meeting with selective forwarding.

    .venv/bin/python -m bench.relay            # full run, ~12 minutes on 2 cores
    .venv/bin/python -m bench.relay --quick    # every mode, short windows, ~3 minutes

Publishers, subscribers and the relay are separate processes (bench/relay_peers.py,
bench/relay_server.py, /usr/bin/janus); everything binds 127.0.0.1. Relay CPU is user + system
time of the relay process (all threads) from /proc/<pid>/stat over a fixed window after a
warm-up. Every child runs in its own process group and is killed at the end, also on error.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bench.relay_common import (
    LOOPBACK,
    drops_between,
    machine_busy,
    read_cpu,
    runqueue_wait,
    udp_drops,
)
from bench.relay_janus import JanusInstance, janus_version, start_janus
from bench.relay_peers import ParticipantSpec, ProcessSpec

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
FULL_AUDIO_PPS = 50.0  # Opus, 20 ms frames
FULL_FPS = 15.0
MODES = ("stock", "passthrough", "janus", "janus-el2")


@dataclass(frozen=True, slots=True)
class Durations:
    warmup_s: float
    window_s: float


@dataclass(slots=True)
class Point:
    """One measured configuration."""

    mode: str
    subscribers: int
    relay_cpu: float  # fraction of one core over the window
    window_s: float
    connected: int
    expected: int
    video_fps_min: float
    video_fps_median: float
    audio_pps_min: float
    audio_pps_median: float
    full_rate_subscribers: int
    load_generators_cpu: float = 0.0  # cores, all publisher and subscriber processes
    others_cpu: float = 0.0  # cores used on the machine by anything but relay and generators
    per_generator_cpu: dict[str, float] = field(default_factory=dict)
    sent_fps_min: float = 0.0  # lowest rate a publisher's video track produced
    sent_audio_min: float = 0.0  # lowest rate a publisher's audio track produced (frames/s)
    udp_drops_relay: int = 0  # datagrams dropped in the window at the relay's sockets
    udp_drops_generators: int = 0
    relay_runqueue_wait: float = 0.0  # seconds per second its threads were runnable, not running
    errors: list[str] = field(default_factory=list)
    relay_stats: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------- child processes


@dataclass(frozen=True, slots=True)
class Window:
    relay_cpu: float
    generators_cpu: float
    per_generator_cpu: dict[str, float]
    others_cpu: float
    seconds: float
    udp_drops: tuple[int, int]  # datagrams dropped at the relay's / the generators' sockets
    relay_runqueue_wait: float  # seconds per second the relay's threads waited for a CPU
    first: list[dict[str, Any]]
    last: list[dict[str, Any]]


class Child:
    """A bench child process in its own process group, with JSON lines on stdout."""

    def __init__(self, name: str, process: asyncio.subprocess.Process, log_path: str) -> None:
        self.name = name
        self.process = process
        self.log_path = log_path

    @classmethod
    async def start(cls, name: str, args: Sequence[str], logs: str) -> Child:
        log_path = os.path.join(logs, f"{name}.log")
        log = await asyncio.to_thread(open, log_path, "ab")
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                *args,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=log,
                cwd=REPO,
                start_new_session=True,
            )
        finally:
            log.close()
        return cls(name, process, log_path)

    async def message(self, timeout_s: float) -> dict[str, Any]:
        """The next JSON line; raises with the log's tail if the child dies or is late."""
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout_s
        while True:
            remaining = deadline - time.monotonic()
            try:
                line = await asyncio.wait_for(self.process.stdout.readline(), max(0.01, remaining))
            except TimeoutError:
                raise RuntimeError(
                    f"{self.name}: no answer in {timeout_s} s{self.tail()}"
                ) from None
            if not line:
                raise RuntimeError(f"{self.name} exited{self.tail()}")
            try:
                parsed: dict[str, Any] = json.loads(line)
            except json.JSONDecodeError:
                continue
            return parsed

    async def command(self, text: str, timeout_s: float = 30) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(text.encode() + b"\n")
        await self.process.stdin.drain()
        return await self.message(timeout_s)

    def tail(self) -> str:
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                lines = f.read().splitlines()[-15:]
        except OSError:
            return ""
        return ("\n  | " + "\n  | ".join(lines)) if lines else ""

    async def stop(self, grace_s: float = 8) -> None:
        """Ask politely (stop / close stdin), then kill the process group."""
        if self.process.returncode is None and self.process.stdin is not None:
            try:
                self.process.stdin.write(b"stop\n")
                await self.process.stdin.drain()
                self.process.stdin.close()
            except (BrokenPipeError, ConnectionResetError):
                pass
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.process.wait(), grace_s)
        self.kill()
        await self.process.wait()

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, 9)


class Bench:
    """Starts relays and peers for one point, and tears all of them down."""

    def __init__(
        self,
        logs: str,
        durations: Durations,
        subs_per_process: int,
        quiet_wait_s: float,
        relay_nice: int,
    ) -> None:
        self.quiet_wait_s = quiet_wait_s
        self.relay_nice = relay_nice
        self.logs = logs
        self.durations = durations
        self.subs_per_process = subs_per_process
        self._children: list[Child] = []
        self._janus: JanusInstance | None = None
        self._serial = 0

    async def wait_quiet(self, threshold: float = 0.3) -> float:
        """Wait (at most `quiet_wait_s`) until the machine's load, all of it others' between
        points, is under `threshold` cores; the last load seen. The machine may be shared."""
        deadline = time.monotonic() + self.quiet_wait_s
        while True:
            busy0, t0 = machine_busy()
            await asyncio.sleep(1.0)
            busy1, t1 = machine_busy()
            load = (busy1 - busy0) / (t1 - t0)
            if load < threshold or time.monotonic() > deadline:
                return load

    async def _child(self, name: str, args: Sequence[str]) -> Child:
        self._serial += 1
        child = await Child.start(f"{self._serial:03d}-{name}", args, self.logs)
        self._children.append(child)
        return child

    async def start_relay(self, mode: str, video_slots: int, audio_slots: int) -> tuple[int, str]:
        """(pid whose CPU is measured, signalling URL)."""
        if mode.startswith("janus"):
            loops = 2 if mode == "janus-el2" else 0
            self._janus = await start_janus(loops, os.path.join(self.logs, f"{mode}.log"))
            self._prioritize(self._janus.process.pid)
            return self._janus.process.pid, self._janus.url
        relay = await self._child(
            f"relay-{mode}",
            [
                "-m",
                "bench.relay_server",
                "--mode",
                mode,
                "--video-slots",
                str(video_slots),
                "--audio-slots",
                str(audio_slots),
                "--max-lifetime",
                "900",
            ],
        )
        hello = await relay.message(30)
        self._prioritize(relay.process.pid)
        return relay.process.pid, f"http://{LOOPBACK}:{hello['port']}"

    def _prioritize(self, pid: int) -> None:
        """Renice the relay and all its threads (Janus has many) by `relay_nice`."""
        if self.relay_nice == 0:
            return
        for tid in os.listdir(f"/proc/{pid}/task"):
            os.setpriority(os.PRIO_PROCESS, int(tid), self.relay_nice)

    async def start_peers(self, name: str, spec: ProcessSpec) -> Child:
        return await self._child(
            name, ["-m", "bench.relay_peers", "--spec", spec.to_json(), "--max-lifetime", "900"]
        )

    async def teardown(self) -> None:
        await asyncio.gather(*(c.stop() for c in self._children), return_exceptions=True)
        self._children.clear()
        if self._janus is not None:
            await asyncio.get_running_loop().run_in_executor(None, self._janus.stop)
            self._janus = None

    def kill_all(self) -> None:
        for child in self._children:
            child.kill()
        if self._janus is not None:
            self._janus.stop()

    async def measure(self, relay_pid: int, peers: Sequence[Child]) -> Window:
        """Warm up, then the relay's CPU, the load generators' and the rest of the machine's
        over the window, with the receive counters at both ends."""
        await asyncio.sleep(self.durations.warmup_s)
        generators = {c.name: c.process.pid for c in self._children if c.process.pid != relay_pid}
        first = await asyncio.gather(*(p.command("snap") for p in peers))
        pids = [relay_pid, *generators.values()]
        drops0 = [udp_drops(pid) for pid in pids]
        busy0, t0 = machine_busy()
        cpu0, wait0 = read_cpu(relay_pid), runqueue_wait(relay_pid)
        gen0 = {name: read_cpu(pid) for name, pid in generators.items()}
        await asyncio.sleep(self.durations.window_s)
        busy1, t1 = machine_busy()
        cpu1, wait1 = read_cpu(relay_pid), runqueue_wait(relay_pid)
        gen1 = {name: read_cpu(pid) for name, pid in generators.items()}
        drops1 = [udp_drops(pid) for pid in pids]
        last = await asyncio.gather(*(p.command("snap") for p in peers))
        dt = t1 - t0
        relay = (cpu1 - cpu0) / dt
        per_process = {name: round((gen1[name] - gen0[name]) / dt, 3) for name in generators}
        gen = sum(per_process.values())
        others = max(0.0, (busy1 - busy0) / dt - relay - gen)
        deltas = [drops_between(a, b) for a, b in zip(drops0, drops1, strict=True)]
        drops = (deltas[0], sum(deltas[1:]))
        waited = (wait1 - wait0) / dt
        return Window(relay, gen, per_process, others, dt, drops, waited, list(first), list(last))


# ---------------------------------------------------------------- receive rates


def stream_rates(
    first: Sequence[dict[str, Any]], last: Sequence[dict[str, Any]]
) -> dict[str, dict[str, list[float]]]:
    """pid → {"video": [fps per stream], "audio": [packets/s per stream]} over the window."""
    out: dict[str, dict[str, list[float]]] = {}
    for a, b in zip(first, last, strict=True):
        dt = float(b["at"]) - float(a["at"])
        for pid, now in b["peers"].items():
            before = a["peers"].get(pid, {"video": [], "audio": []})
            rates: dict[str, list[float]] = {}
            for kind, column in (("video", 2), ("audio", 1)):
                old = {row[0]: row[column] for row in before[kind]}
                rates[kind] = sorted(
                    ((row[column] - old.get(row[0], 0)) / dt for row in now[kind]), reverse=True
                )
            out[pid] = rates
    return out


def send_rates(
    first: Sequence[dict[str, Any]], last: Sequence[dict[str, Any]]
) -> tuple[float, float]:
    """Lowest video fps and audio frames/s that any publisher's track produced in the window
    (0 when nobody sends that kind): shows whether the load generators kept up."""
    fps: list[float] = []
    aps: list[float] = []
    for a, b in zip(first, last, strict=True):
        dt = float(b["at"]) - float(a["at"])
        for pid, now in b.get("sent", {}).items():
            before = a.get("sent", {}).get(pid, {"video": 0, "audio": 0})
            if now["video"]:
                fps.append((now["video"] - before["video"]) / dt)
            if now["audio"]:
                aps.append((now["audio"] - before["audio"]) / dt)
    return min(fps, default=0.0), min(aps, default=0.0)


@dataclass(frozen=True, slots=True)
class Expectation:
    videos: int
    audios: int


def summarize(
    rates: dict[str, dict[str, list[float]]], expected: dict[str, Expectation]
) -> tuple[list[float], list[float], int]:
    """Per-stream video fps and audio pps over every expected stream (a missing stream is 0),
    and how many receivers got every expected stream at full rate."""
    fps: list[float] = []
    pps: list[float] = []
    full = 0
    for pid, want in expected.items():
        got = rates.get(pid, {"video": [], "audio": []})
        v = (got["video"] + [0.0] * want.videos)[: want.videos]
        a = (got["audio"] + [0.0] * want.audios)[: want.audios]
        fps += v
        pps += a
        if all(x >= FULL_FPS * 0.95 for x in v) and all(x >= FULL_AUDIO_PPS * 0.95 for x in a):
            full += 1
    return fps, pps, full


def _min_med(values: list[float]) -> tuple[float, float]:
    return (min(values), statistics.median(values)) if values else (0.0, 0.0)


# ---------------------------------------------------------------- scenarios


def _split(items: Sequence[ParticipantSpec], size: int) -> list[tuple[ParticipantSpec, ...]]:
    return [tuple(items[i : i + size]) for i in range(0, len(items), size)]


async def _ready(children: Sequence[Child], timeout_s: float) -> tuple[int, list[str]]:
    hellos = await asyncio.gather(*(c.message(timeout_s) for c in children))
    return sum(int(h["connected"]) for h in hellos), [e for h in hellos for e in h["errors"]]


async def _senders_ready(child: Child, count: int) -> None:
    connected, errors = await _ready([child], 90)
    if connected < count:
        raise RuntimeError(f"publishers: {connected}/{count} connected: {'; '.join(errors[:3])}")


async def _relay_stats(url: str) -> dict[str, Any]:
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http,
            http.get(url + "/stats") as resp,
        ):
            stats: dict[str, Any] = await resp.json()
            return stats
    except (aiohttp.ClientError, TimeoutError, ValueError):
        return {}


async def sweep_point(bench: Bench, mode: str, subscribers: int) -> Point:
    """One A/V publisher and `subscribers` A/V subscribers through `mode`."""
    await bench.wait_quiet()
    try:
        relay_pid, url = await bench.start_relay(mode, 1, 1)
        janus = mode.startswith("janus")
        signal = "janus" if janus else "http"
        publisher = ParticipantSpec("pub", send_video=True, send_audio=True, receive=False, feed=1)
        pub = await bench.start_peers(
            "publisher", ProcessSpec(signal, url, (publisher,), feeds=(1,))
        )
        await _senders_ready(pub, 1)
        subs = [ParticipantSpec(f"s{i:03d}") for i in range(subscribers)]
        groups = _split(subs, bench.subs_per_process)
        children = [
            await bench.start_peers(f"subscribers{k}", ProcessSpec(signal, url, g, feeds=(1,)))
            for k, g in enumerate(groups)
        ]
        connected, errors = await _ready(children, 120)
        w = await bench.measure(relay_pid, [pub, *children])
        stats = {} if janus else await _relay_stats(url)
    finally:
        await bench.teardown()
    expected = {s.pid: Expectation(1, 1) for s in subs}
    fps, pps, full = summarize(stream_rates(w.first, w.last), expected)
    (fmin, fmed), (amin, amed) = _min_med(fps), _min_med(pps)
    return Point(
        mode, subscribers, w.relay_cpu, w.seconds, connected, len(subs), fmin, fmed, amin, amed,
        full, w.generators_cpu, w.others_cpu, w.per_generator_cpu,
        *send_rates(w.first, w.last), *w.udp_drops, w.relay_runqueue_wait, errors, stats,
    )  # fmt: skip


async def meeting_point(bench: Bench, members: int, processes: int) -> Point:
    """Selective forwarding: 1 room device + (members-1) online; 4 publish video (room, chair,
    p02, p03), 3 speak (room, chair, p04, louder than anyone else); the rest send nothing.
    Every member receives up to 4 videos and 3 audio streams (not its own)."""
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
        relay_pid, url = await bench.start_relay("passthrough", 4, 3)
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http,
            http.post(url + "/pin", json={"ids": ["room", "chair"]}) as resp,
        ):
            resp.raise_for_status()
        spec = ProcessSpec("http", url, tuple(senders), audio_slots=3, video_slots=4)
        pub = await bench.start_peers("meeting-senders", spec)
        await _senders_ready(pub, len(senders))
        size = -(-len(muted) // processes)
        children = [pub] + [
            await bench.start_peers(
                f"meeting-muted{k}", ProcessSpec("http", url, g, audio_slots=3, video_slots=4)
            )
            for k, g in enumerate(_split(muted, size))
        ]
        connected, errors = await _ready(children[1:], 180)
        connected += len(senders)
        w = await bench.measure(relay_pid, children)
        stats = await _relay_stats(url)
    finally:
        await bench.teardown()
    expected = {
        p.pid: Expectation(min(4, len(video - {p.pid})), min(3, len(speakers - {p.pid})))
        for p in everyone
    }
    fps, pps, full = summarize(stream_rates(w.first, w.last), expected)
    (fmin, fmed), (amin, amed) = _min_med(fps), _min_med(pps)
    return Point(
        "passthrough-meeting", members, w.relay_cpu, w.seconds, connected, members, fmin, fmed,
        amin, amed, full, w.generators_cpu, w.others_cpu, w.per_generator_cpu,
        *send_rates(w.first, w.last), *w.udp_drops, w.relay_runqueue_wait, errors, stats,
    )  # fmt: skip


# ---------------------------------------------------------------- report


def machine() -> dict[str, str]:
    model = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    import aiortc
    import av

    return {
        "platform": platform.platform(),
        "cpu": model,
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "aiortc": str(aiortc.__version__),
        "av": str(av.__version__),
        "janus": janus_version(),
    }


def saturated(p: Point) -> bool:
    """Some receiver missed full rate: the relay's CPU no longer grows with the work asked."""
    return p.full_rate_subscribers < p.expected


def slope(points: Sequence[Point], slope_from: int, capped: bool) -> tuple[float, str]:
    """Least-squares relay CPU per added subscriber over the points with n ≥ slope_from.
    A `capped` sweep (stock) leaves its saturated points out and, with fewer than two points
    left at n ≥ slope_from, takes its whole unsaturated range."""
    usable = ([p for p in points if not saturated(p)] or list(points)) if capped else list(points)
    chosen = [p for p in usable if p.subscribers >= slope_from]
    if len(chosen) < 2:
        chosen = usable
    if len(chosen) < 2:
        return float("nan"), "n/a"
    xs = [float(p.subscribers) for p in chosen]
    ys = [p.relay_cpu for p in chosen]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    value = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den
    return value, f"{chosen[0].subscribers}→{chosen[-1].subscribers}"


def point_row(p: Point) -> str:
    note = "" if p.connected == p.expected else f" ({p.connected}/{p.expected} connected)"
    return (
        f"| {p.mode} | {p.subscribers} | {p.relay_cpu:.3f} | {p.video_fps_min:.1f} / "
        f"{p.video_fps_median:.1f} | {p.audio_pps_min:.1f} / {p.audio_pps_median:.1f} | "
        f"{p.full_rate_subscribers}/{p.expected}{note} | {p.sent_fps_min:.1f} / "
        f"{p.sent_audio_min:.1f} | {p.udp_drops_relay} / {p.udp_drops_generators} | "
        f"{p.relay_runqueue_wait:.2f} | {p.load_generators_cpu:.2f} | {p.others_cpu:.2f} |"
    )


def report(info: dict[str, str], points: Sequence[Point], slope_from: int, command: str) -> str:
    lines = [
        f"Command: `{command}`",
        "",
        "Machine: " + ", ".join(f"{k} {v}" for k, v in info.items()),
        "",
        "| mode | subscribers | relay CPU (cores) | video fps min / median | "
        "audio pkt/s min / median | receivers at full rate | publishers sent fps / audio "
        "frames/s (min) | UDP drops relay / generators | relay waited for CPU (s/s) | "
        "load generators (cores) | other processes (cores) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    lines += [point_row(p) for p in points]
    slopes: dict[str, float] = {}
    lines += [
        "",
        "| mode | added CPU per A/V subscriber (cores) | over | note |",
        "| --- | --- | --- | --- |",
    ]
    for mode in MODES:
        mine = [p for p in points if p.mode == mode]
        if not mine:
            continue
        value, span = slope(mine, slope_from, capped=mode == "stock")
        slopes[mode] = value
        notes = []
        if mode == "stock":
            notes.append("transcodes per subscriber: capped sweep, slope over its own range")
        hit = [str(p.subscribers) for p in mine if saturated(p)]
        if hit:
            left_out = " (left out of the slope)" if mode == "stock" else ""
            notes.append(f"receivers below full rate at n = {', '.join(hit)}{left_out}")
        note = "; ".join(notes)
        lines.append(f"| {mode} | {value:.4f} | {span} | {note} |")
    pt = slopes.get("passthrough")
    lines.append("")
    if pt is not None:
        for other, target in (("stock", "≤ 0.05"), ("janus", "≤ 1.5"), ("janus-el2", "≤ 1.5")):
            if other in slopes and slopes[other] > 0:
                lines.append(
                    f"- passthrough / {other} per subscriber: {pt / slopes[other]:.3f} "
                    f"(target {target})"
                )
    else:
        lines.append("- passthrough not measured: ratios not available")
    for p in points:
        if p.mode == "passthrough-meeting":
            lines.append(
                f"- {p.subscribers}-member meeting: relay {p.relay_cpu:.3f} core (target < 1), "
                f"video fps min {p.video_fps_min:.1f} (target 15), audio pkt/s min "
                f"{p.audio_pps_min:.1f} (target 50), {p.full_rate_subscribers}/{p.expected} "
                "receivers got every stream at full rate"
            )
    return "\n".join(lines)


# ---------------------------------------------------------------- main


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="short windows, small sweeps")
    parser.add_argument("--modes", default="stock,passthrough,janus,janus-el2")
    parser.add_argument("--subscribers", help="sweep for passthrough and Janus (default 1,8,32)")
    parser.add_argument("--stock-subscribers", help="sweep for stock (default 1,4,8)")
    parser.add_argument("--slope-from", type=int, help="slope over points with n ≥ this (8)")
    parser.add_argument("--meeting", type=int, default=60, help="members; 0 skips the meeting")
    parser.add_argument("--meeting-processes", type=int, default=3)
    parser.add_argument("--subs-per-process", type=int, default=16)
    parser.add_argument("--warmup", type=float, help="seconds (default 5, quick 2)")
    parser.add_argument("--window", type=float, help="seconds (default 15, quick 5)")
    parser.add_argument(
        "--quiet-wait",
        type=float,
        help="seconds to wait before each point for other load under 0.3 core (20, quick 5)",
    )
    parser.add_argument(
        "--relay-nice",
        type=int,
        default=0,
        help="nice value for the relay process (Janus: all threads); negative needs root. "
        "On a shared machine this keeps others' load from starving the relay",
    )
    parser.add_argument("--json", default="var/bench/relay.json", help="result file")
    parser.add_argument(
        "--from-json", metavar="PATH", help="measure nothing: print the summary of a result file"
    )
    args = parser.parse_args(argv)
    quick = args.quick
    args.subscribers = _ints(args.subscribers or ("2,8" if quick else "1,8,32"))
    args.stock_subscribers = _ints(args.stock_subscribers or ("1,3" if quick else "1,4,8"))
    args.slope_from = args.slope_from or (2 if quick else 8)
    args.warmup = args.warmup if args.warmup is not None else (2.0 if quick else 5.0)
    args.window = args.window if args.window is not None else (5.0 if quick else 15.0)
    args.quiet_wait = args.quiet_wait if args.quiet_wait is not None else (5.0 if quick else 20.0)
    args.modes = [m for m in args.modes.split(",") if m]
    if quick and "janus-el2" in args.modes and "--modes" not in " ".join(argv or sys.argv):
        args.modes.remove("janus-el2")
    unknown = set(args.modes) - set(MODES)
    if unknown:
        parser.error(f"unknown modes: {', '.join(sorted(unknown))}")
    return args


def write_json(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n", encoding="utf-8")


async def run(args: argparse.Namespace, command: str) -> int:
    info = machine()
    print("Machine:", json.dumps(info), flush=True)
    modes = list(args.modes)
    have_passthrough = importlib.util.find_spec("server.media.relay") is not None
    if not have_passthrough:
        print("server.media.relay not found: passthrough mode and the meeting are skipped")
        modes = [m for m in modes if m != "passthrough"]
    if any(m.startswith("janus") for m in modes) and shutil.which("janus") is None:
        print("/usr/bin/janus not found: Janus modes are skipped")
        modes = [m for m in modes if not m.startswith("janus")]
    logs = tempfile.mkdtemp(prefix="hopchibo-relay-bench-")
    durations = Durations(args.warmup, args.window)
    bench = Bench(logs, durations, args.subs_per_process, args.quiet_wait, args.relay_nice)
    points: list[Point] = []
    failed = False
    try:
        for mode in modes:
            sweep = args.stock_subscribers if mode == "stock" else args.subscribers
            for n in sweep:
                try:
                    point = await sweep_point(bench, mode, n)
                except Exception as exc:  # report and go on with the other points
                    failed = True
                    print(f"{mode} n={n}: FAILED: {exc}", flush=True)
                    continue
                points.append(point)
                print(point_row(point), flush=True)
                if point.errors:
                    print("   errors:", "; ".join(point.errors[:3]), flush=True)
        if args.meeting and have_passthrough and "passthrough" in modes:
            try:
                point = await meeting_point(bench, args.meeting, args.meeting_processes)
                points.append(point)
                print(point_row(point), flush=True)
                if point.errors:
                    print("   errors:", "; ".join(point.errors[:3]), flush=True)
            except Exception as exc:
                failed = True
                print(f"meeting: FAILED: {exc}", flush=True)
    finally:
        bench.kill_all()
        if failed:
            print(f"logs kept in {logs}")
        else:
            shutil.rmtree(logs, ignore_errors=True)
    text = report(info, points, args.slope_from, command)
    print("\n" + text)
    write_json(
        Path(args.json),
        json.dumps(
            {
                "command": command,
                "machine": info,
                "warmup_s": args.warmup,
                "window_s": args.window,
                "points": [asdict(p) for p in points],
                "report": text,
            },
            indent=2,
        ),
    )
    print(f"\nwrote {args.json}")
    return 1 if failed else 0


def summary_from(path: str, slope_from: int) -> str:
    saved = json.loads(Path(path).read_text(encoding="utf-8"))
    points = [Point(**p) for p in saved["points"]]
    return report(saved["machine"], points, slope_from, saved["command"])


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.from_json:
        print(summary_from(args.from_json, args.slope_from))
        return
    command = ".venv/bin/python -m bench.relay " + " ".join(
        sys.argv[1:] if argv is None else list(argv)
    )
    sys.exit(asyncio.run(run(args, command.strip())))


if __name__ == "__main__":
    main()
