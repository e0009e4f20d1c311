"""The heap trimmer gives freed memory back to the system (glibc ``malloc_trim``), once after a
burst of releases."""

from __future__ import annotations

import asyncio
import gc
import weakref
from pathlib import Path

from server.memory import HeapTrimmer, libc_trim


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def test_trimming_returns_freed_heap_pages() -> None:
    trim = libc_trim()
    assert trim is not None  # Debian's glibc
    trim()
    # 64 MiB in 4 KiB objects (beyond pymalloc's 512 bytes: glibc's heap), one in sixteen kept
    # alive, so the heap cannot shrink from its top: only a trim returns the pages in between
    blocks = [bytes(4096) for _ in range(16_384)]
    kept = blocks[15::16]
    del blocks
    held = rss_bytes()
    assert trim() == 1
    returned = held - rss_bytes()
    assert returned > 32 * 2**20, f"{returned / 2**20:.1f} MiB returned"
    assert len(kept) == 1_024


async def test_a_burst_of_releases_costs_one_trim() -> None:
    trimmer = HeapTrimmer(delay=0.2)
    for _ in range(5):
        trimmer.soon()
        await asyncio.sleep(0.05)
    assert trimmer.trims == 0  # still within the burst
    await asyncio.sleep(0.4)
    assert trimmer.trims == 1
    trimmer.soon()
    trimmer.close()  # a closing process does not trim
    await asyncio.sleep(0.4)
    assert trimmer.trims == 1


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


async def test_an_idle_process_collects_its_cycles_before_trimming() -> None:
    gc.disable()  # so that only the trimmer's collection can free the cycle
    try:
        for idle, freed in ((False, False), (True, True)):
            a, b = Node(), Node()
            a.other, b.other = b, a
            gone = weakref.ref(a)
            del a, b
            trimmer = HeapTrimmer(delay=0.05, idle=(lambda: True) if idle else (lambda: False))
            trimmer.soon()
            await asyncio.sleep(0.2)
            assert trimmer.trims == 1
            assert (gone() is None) is freed
    finally:
        gc.enable()
        gc.collect()
