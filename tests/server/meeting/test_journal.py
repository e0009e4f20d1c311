"""Issue #15: a crowd's audit records (joins, admissions) are written in batches, in order."""

from __future__ import annotations

import asyncio

from server import appkeys
from server.meeting.journal import AuditJournal
from tests.conftest import Client


async def test_a_burst_of_400_joins_is_audited_in_order_without_error(
    live_client: Client,
) -> None:
    assert live_client.app is not None
    audit = live_client.app[appkeys.AUDIT]
    journal = AuditJournal(audit)
    n = 400
    await asyncio.gather(
        *(
            journal.record(f"account:{i}", "meeting.join", "meeting:1", {"n": i, "role": "member"})
            for i in range(n)
        )
    )
    rows = await audit.search(action="meeting.join", limit=n + 10)
    assert sorted(r.details["n"] for r in rows) == list(range(n))
    by_seq = sorted(rows, key=lambda r: r.seq)
    assert [r.details["n"] for r in by_seq] == list(range(n))  # in the order recorded
    report = await audit.verify()
    assert report.ok, report.message
    await journal.close()
    await journal.record("account:0", "meeting.leave", "meeting:1")  # after close: directly
    assert len(await audit.search(action="meeting.leave")) == 1
