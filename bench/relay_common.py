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


def emit(message: dict[str, Any]) -> None:
    """One control line on stdout (children to the orchestrator)."""
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()
