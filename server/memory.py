"""Giving memory back after a peak (issue #15: "memory within 10 % of its start after everyone
leaves").

When a crowd leaves, Python frees its objects, but the C allocator (glibc's ``malloc``) keeps
the freed pages in its heap for the next peak: the process's resident memory stays near the
peak although nothing is held. ``malloc_trim(0)`` hands the free pages back to the system
(anywhere in the heap, not only at its top). :class:`HeapTrimmer` calls it once the process
has been quiet for a few seconds after a meeting was released, not once per meeting: a hundred
meetings ending in the same minute cost one trim. When no meeting is live in the process any
more, it first collects Python's cyclic garbage (what the crowd left in reference cycles would
otherwise wait for the next full collection, and its memory for the next trim); with meetings
live that pause of a few hundred milliseconds is not taken.

Where the C library has no ``malloc_trim`` (musl, other systems) nothing is done.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
import logging
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

#: seconds of quiet after the last release before the heap is trimmed
TRIM_AFTER_SECONDS = 5.0


def libc_trim() -> Callable[[], int] | None:
    """glibc's ``malloc_trim(0)`` (1: memory was returned), or ``None`` where there is none."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    trim = getattr(libc, "malloc_trim", None)
    if trim is None:
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int

    def call() -> int:
        return int(trim(0))

    return call


class HeapTrimmer:
    """Trims the C heap ``delay`` seconds after the last :meth:`soon` (call on the event loop);
    ``idle``: nothing is live in the process, so a full garbage collection may come first."""

    def __init__(
        self,
        delay: float = TRIM_AFTER_SECONDS,
        trim: Callable[[], int] | None = None,
        idle: Callable[[], bool] = lambda: False,
    ) -> None:
        self._delay = delay
        self._idle = idle
        self._trim = trim if trim is not None else libc_trim()
        self._pending: asyncio.TimerHandle | None = None
        self.trims = 0
        """Trims done (the tests and ``bench/signaling.py`` read it)."""

    @property
    def available(self) -> bool:
        return self._trim is not None

    def soon(self) -> None:
        """Something large was freed: trim once nothing else has been freed for ``delay`` s."""
        if self._trim is None:
            return
        if self._pending is not None:
            self._pending.cancel()
        self._pending = asyncio.get_running_loop().call_later(self._delay, self._run)

    def _run(self) -> None:
        self._pending = None
        assert self._trim is not None
        started = time.perf_counter()
        collected = self._idle()
        if collected:
            gc.collect()
        returned = self._trim()
        self.trims += 1
        log.debug(
            "C heap trimmed in %.1f ms (%s%s)",
            1000 * (time.perf_counter() - started),
            "memory returned" if returned else "nothing to return",
            ", garbage collected first" if collected else "",
        )

    def close(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
