"""Audit appends per second through the real storage: sealing plus the database insert.

Usage::

    .venv/bin/python bench/audit_db.py [--rows 100000] [--batch 1000]
        [--rounds 5] [--postgres postgresql+asyncpg://postgres@127.0.0.1:5432/test]

Each run uses a fresh, migrated database (a temporary SQLite file; a new PostgreSQL database
created from the given admin URL and dropped afterwards). Appends go through
``AuditLog.record_many`` (chain lock, state re-read, seal, one multi-row insert, commit), with a
checkpoint policy of every 1,000 rows, in ``--rounds`` timed rounds (best and median reported,
because the shared machine's load varies); verification of the result is timed too.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.audit import AuditLog, AuditOptions
from server.crypto.auditchain import AuditEntry
from server.crypto.keys import LocalKek, generate_kek
from server.storage.db import Database
from server.storage.migrate import upgrade


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def entries(n: int) -> list[AuditEntry]:
    return [
        AuditEntry(
            f"account:{i % 50}",
            "meeting.read",
            f"meeting:{i % 20}",
            {"path": f"/api/meetings/{i % 20}", "address": "10.0.0.1"},
        )
        for i in range(n)
    ]


async def run(url: str, rows: int, batch: int, rounds: int, label: str) -> None:
    await upgrade(url)
    db = Database(url)
    try:
        with tempfile.TemporaryDirectory() as cps:
            audit = AuditLog(
                db,
                LocalKek(generate_kek()),
                options=AuditOptions(checkpoint_every_rows=1000, checkpoint_dir=Path(cps)),
            )
            work = entries(batch)
            await audit.record_many(work[:1])  # keys, signer, first checkpoint
            rates = []
            done = 0
            per_round = max(batch, rows // rounds)
            for _ in range(rounds):
                t0 = time.perf_counter()
                n = 0
                while n < per_round:
                    await audit.record_many(work)
                    n += len(work)
                rates.append(n / (time.perf_counter() - t0))
                done += n
            print(
                f"{label}: {max(rates):,.0f} appends/s best, {statistics.median(rates):,.0f} "
                f"median of {rounds} rounds (batches of {batch}, {done} rows)"
            )
            one = entries(1)
            t0 = time.perf_counter()
            for _ in range(500):
                await audit.record_many(one)
            print(f"{label}: {500 / (time.perf_counter() - t0):,.0f} appends/s (one per call)")
            t0 = time.perf_counter()
            report = await audit.verify()
            dt_v = time.perf_counter() - t0
            assert report.ok, report.message
            print(
                f"{label}: verify incl. reading from the database: "
                f"{report.rows_checked / dt_v:,.0f} records/s"
            )
    finally:
        await db.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--postgres", default=os.environ.get("HOPCHIBO_TEST_POSTGRES_URL", ""))
    args = parser.parse_args()
    print(f"platform: {platform.platform()}")
    print(f"cpu: {cpu_model()} ({os.cpu_count()} logical CPUs)")
    print(f"python: {sys.version.split()[0]} ({platform.python_implementation()})")
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        await run(
            f"sqlite+aiosqlite:///{tmp}/bench.db", args.rows, args.batch, args.rounds, "SQLite"
        )
    if args.postgres:
        name = f"hopchibo_bench_{uuid.uuid4().hex[:8]}"
        base = args.postgres.rpartition("/")[0]
        admin = create_async_engine(args.postgres, isolation_level="AUTOCOMMIT")
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            await run(f"{base}/{name}", args.rows, args.batch, args.rounds, "PostgreSQL")
        finally:
            async with admin.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await admin.dispose()


if __name__ == "__main__":
    asyncio.run(main())
