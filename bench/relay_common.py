"""Shared pieces of the relay benchmark: loopback-only ICE, control lines, process CPU.

Every process of the benchmark (peers, relay) calls `force_loopback()` before it creates a
peer connection: aiortc's default STUN server is dropped and aioice gathers only 127.0.0.1,
and remote candidates that are not on 127.0.0.0/8 are cut from every SDP before it is applied,
so no packet leaves loopback.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from dataclasses import dataclass
from typing import Any

LOOPBACK = "127.0.0.1"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def _loopback_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
    del use_ipv6
    return [LOOPBACK] if use_ipv4 else []


def _no_ice_servers(cls: object) -> list[object]:
    del cls
    return []


def force_loopback() -> None:
    """Process-global: ICE host candidates on 127.0.0.1 only, and no default STUN server."""
    import aioice.ice
    from aiortc.rtcicetransport import RTCIceGatherer

    aioice.ice.get_host_addresses = _loopback_addresses
    RTCIceGatherer.getDefaultIceServers = classmethod(_no_ice_servers)  # type: ignore[method-assign,assignment]


def loopback_sdp(sdp: str) -> str:
    """Drop every candidate line whose address is not on 127.0.0.0/8 (and mDNS names)."""
    kept = []
    for line in sdp.splitlines():
        if line.startswith("a=candidate:"):
            fields = line.split()
            if len(fields) < 5 or not fields[4].startswith("127."):
                continue
        kept.append(line)
    return "\r\n".join(kept) + "\r\n"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        port: int = s.getsockname()[1]
        return port


@dataclass(frozen=True, slots=True)
class CpuSample:
    """CPU seconds (user + system, all threads) of one process at a monotonic time."""

    cpu_s: float
    at_s: float


def read_cpu(pid: int) -> float:
    """User + system CPU seconds of `pid` and all its threads, from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        raw = f.read()
    fields = raw[raw.rindex(")") + 2 :].split()
    # fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def runqueue_wait(pid: int) -> float:
    """Seconds the threads of `pid` have spent runnable but waiting for a CPU, summed
    (/proc/<pid>/task/*/schedstat, second field): how much the scheduler held it back."""
    total = 0
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0.0
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat", encoding="ascii") as f:
                total += int(f.read().split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return total / 1e9


def udp_drops(pid: int) -> dict[str, int]:
    """Socket inode → datagrams dropped so far (full receive buffer) for the UDP sockets `pid`
    holds, from the `drops` column of /proc/net/udp."""
    inodes: set[str] = set()
    fd_dir = f"/proc/{pid}/fd"
    try:
        fds = os.listdir(fd_dir)
    except OSError:
        return {}
    for fd in fds:
        try:
            target = os.readlink(f"{fd_dir}/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    drops: dict[str, int] = {}
    with open(f"/proc/{pid}/net/udp", encoding="ascii") as f:
        next(f)
        for line in f:
            fields = line.split()
            if len(fields) > 12 and fields[9] in inodes:
                drops[fields[9]] = int(fields[12])
    return drops


def drops_between(before: dict[str, int], after: dict[str, int]) -> int:
    """Datagrams dropped between two `udp_drops` readings, over sockets open at both."""
    return sum(max(0, after[k] - before[k]) for k in after.keys() & before.keys())


def machine_busy() -> tuple[float, float]:
    """(busy CPU seconds summed over all cores, seconds since boot) from /proc/stat."""
    with open("/proc/stat", encoding="ascii") as f:
        fields = f.readline().split()[1:]
    ticks = [int(x) for x in fields]
    idle = ticks[3] + ticks[4]  # idle + iowait
    total = sum(ticks[:8])  # guest time is already in user
    return (total - idle) / CLK_TCK, time.monotonic()


def emit(message: dict[str, Any]) -> None:
    """One control line on stdout (children to the orchestrator)."""
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()
