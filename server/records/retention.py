"""Retention: recordings past ``security.recording_retention_days`` are crypto-shredded.

Audit rows are not pruned: verification walks the chain from seq 1 and has no signed base to
start from after a cut, so pruning waits for verify-from-base (docs/security.md, "Retention").
"""

from __future__ import annotations

import datetime as dt

from server.records.recordings import RecordingService
from server.storage import recordings as store
from server.storage.db import Database


async def shred_expired(
    db: Database, recordings: RecordingService, retention_days: int, now: dt.datetime, by: str
) -> list[str]:
    """Shred every recording started more than ``retention_days`` before ``now``."""
    async with db.session() as s:
        rows = await store.expired(s, now - dt.timedelta(days=retention_days))
        ids = [r.id for r in rows if r.state != "recording"]
    return [rid for rid in ids if await recordings.shred(rid, by)]
