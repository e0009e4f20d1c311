"""Benchmark: the cost of one sign-in attempt (argon2id with the OWASP parameters in
:mod:`server.auth.passwords`: m = 19 MiB, t = 2, p = 1).

Run ``python bench/auth.py`` from the repository root. It measures, in this process, the wall
and CPU time of ``hash_password`` and ``verify_password`` (every password attempt costs one
verify, also for unknown usernames: a dummy hash is verified), and, in fresh child processes,
the peak resident memory one verify adds. It prints the machine and writes the numbers with the
command to ``docs/performance-auth.md``.
"""

from __future__ import annotations

import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.auth.passwords import (  # noqa: E402
    MEMORY_KIB,
    PARALLELISM,
    TIME_COST,
    hash_password,
    verify_password,
)

RUNS = 30
PASSWORD = "mật-khẩu-đủ-dài-2026"  # noqa: S105 - benchmark input, not a credential
# VmHWM (KiB), not ru_maxrss: the latter survives execve and so starts at the parent's peak
CHILD = """
import sys
sys.path.insert(0, {root!r})
from server.auth.passwords import verify_password
def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
before = hwm()
assert verify_password({stored!r}, {password!r})
print(hwm() - before)
"""


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{model}, {cores} core(s) available, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def timed(fn: object, runs: int) -> tuple[list[float], list[float]]:
    assert callable(fn)
    wall, cpu = [], []
    for _ in range(runs):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - w0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return wall, cpu


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def main() -> int:
    stored = hash_password(PASSWORD)
    hash_wall, hash_cpu = timed(lambda: hash_password(PASSWORD), RUNS)
    ok_wall, ok_cpu = timed(lambda: verify_password(stored, PASSWORD), RUNS)
    bad_wall, bad_cpu = timed(lambda: verify_password(stored, "sai-mật-khẩu-2026"), RUNS)
    rss = []
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-c", CHILD.format(root=str(ROOT), stored=stored, password=PASSWORD)],
            check=True,
            capture_output=True,
            text=True,
        )
        rss.append(int(out.stdout.strip()) / 1024)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = [
        ("hash (enrolment, password change)", hash_wall, hash_cpu),
        ("verify, right password", ok_wall, ok_cpu),
        ("verify, wrong password", bad_wall, bad_cpu),
    ]
    lines = [
        "# Sign-in cost (argon2id)",
        "",
        f"Command: `.venv/bin/python bench/auth.py` ({RUNS} runs each).",
        "",
        f"Machine: {machine()}.",
        "",
        f"Parameters: argon2id, m = {MEMORY_KIB} KiB ({MEMORY_KIB // 1024} MiB), t = {TIME_COST}, "
        f"p = {PARALLELISM} (OWASP Password Storage Cheat Sheet minimum).",
        "",
        "| operation | median wall ms | p95 wall ms | median CPU ms |",
        "|---|---:|---:|---:|",
    ]
    for name, wall, cpu in rows:
        lines.append(
            f"| {name} | {statistics.median(wall):.1f} | {p95(wall):.1f} | "
            f"{statistics.median(cpu):.1f} |"
        )
    lines += [
        "",
        "Memory: one verify raises a fresh process's peak RSS (VmHWM) by "
        f"{statistics.median(rss):.1f} MiB (median of 3 child processes;"
        f" argon2 allocates m = {MEMORY_KIB // 1024} MiB per concurrent attempt and frees it)."
        f" This benchmark process peaked at {peak:.0f} MiB.",
        "",
        "Every password attempt costs one verify, unknown usernames included (a dummy hash is",
        "verified so that timing does not reveal which accounts exist). The server runs it in a",
        "worker thread (`asyncio.to_thread`), so the event loop keeps serving meetings; with the",
        "default thread pool, sign-in bursts are bounded by the throttle (per account and per",
        "address) and by cores: about "
        f"{1000 / statistics.median(ok_cpu):.0f} verifies per second per core.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    (ROOT / "docs" / "performance-auth.md").write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
