"""The live meetings' audit records, written in batches (issue #15: a join path that holds a
crowd).

Every join, leave, admission and removal is audited. Written one by one, a burst of joins takes
a pooled connection and the audit chain's lock per record, and a crowd exhausts the pool
("QueuePool limit … reached") or meets SQLite's "database is locked". Here the records wait in
one queue per process and one writer appends whatever waits with
:meth:`~server.audit.AuditLog.record_many`: one transaction, one chain lock and one multi-row
insert per batch. :meth:`AuditJournal.record` returns once its record is committed (so what it
audits is recorded before anybody sees it), or raises what the batch raised.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any, Final

from server.audit import AuditLog
from server.crypto.auditchain import AuditEntry

#: records appended in one transaction at most
MAX_BATCH: Final = 500


class AuditJournal:
    def __init__(self, audit: AuditLog) -> None:
        self._audit = audit
        self._queue: asyncio.Queue[tuple[AuditEntry, asyncio.Future[None]]] = asyncio.Queue()
        self._writer: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()  # nothing waits and nothing is being written
        self._idle.set()
        self._closed = False

    async def record(
        self, actor: str, action: str, target: str = "", details: dict[str, Any] | None = None
    ) -> None:
        if self._closed:  # shutting down: written directly, one by one
            await self._audit.record(actor, action, target, details)
            return
        values = json.loads(json.dumps(details or {}, default=str, ensure_ascii=False))
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((AuditEntry(actor, action, target, values), done))
        self._idle.clear()
        if self._writer is None or self._writer.done():
            self._writer = asyncio.get_running_loop().create_task(self._write())
        await done

    async def _write(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < MAX_BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._audit.record_many([entry for entry, _ in batch])
            except asyncio.CancelledError:
                for _, done in batch:
                    if not done.done():
                        done.cancel()
                raise
            except Exception as exc:
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
            else:
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)
            if self._queue.empty():
                self._idle.set()

    async def close(self) -> None:
        """Write what waits, then stop the writer (records after this are written directly)."""
        self._closed = True
        if self._writer is not None and not self._writer.done():
            await self._idle.wait()
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
