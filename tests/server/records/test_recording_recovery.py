"""A recording whose process is killed (no stop, no abort) does not stay "recording" forever:
the next start-up or state query marks it failed, but never one another live process writes."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import sys
from pathlib import Path

from server.audit import AuditLog
from server.crypto.keys import LocalKek, generate_kek
from server.records.recordings import RecordingService
from server.storage import recordings as store
from server.storage.db import Database
from server.storage.models_records import RecordingRow
from tests.server.records.test_recordings import _meeting

REPO = Path(__file__).resolve().parents[3]

#: a second server process: starts a recording, writes to it, then waits to be killed
CHILD = """
import asyncio, sys
from pathlib import Path
from server.audit import AuditLog
from server.crypto.keys import LocalKek
from server.records.recordings import RecordingService
from server.storage import recordings as store
from server.storage.db import Database

async def main() -> None:
    url, kek, directory, meeting = sys.argv[1:5]
    db = Database(url)
    audit = AuditLog(db, LocalKek(bytes.fromhex(kek)))
    service = RecordingService(db, audit, Path(directory))
    handle = await service.start(int(meeting), "account:1")
    handle.write(b"media" * 20_000)
    print(handle.recording_id, flush=True)
    await asyncio.sleep(3600)

asyncio.run(main())
"""


async def _state_of(db: Database, recording_id: str) -> str:
    async with db.session() as s:
        row = await s.get(RecordingRow, recording_id)
        assert row is not None
        return row.state


async def test_a_killed_recorder_is_marked_failed_but_a_live_one_is_not(
    db: Database, db_url: str, tmp_path: Path
) -> None:
    key = generate_kek()
    audit = AuditLog(db, LocalKek(key))
    directory = tmp_path / "rec"
    meeting_id = await _meeting(db)
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CHILD,
        db_url,
        key.hex(),
        str(directory),
        str(meeting_id),
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
        start_new_session=True,
    )
    try:
        assert child.stdout is not None
        line = await asyncio.wait_for(child.stdout.readline(), 60)
        recording_id = line.decode().strip()
        assert recording_id.startswith("rec_"), line

        # another process (this one) starting up while the child records: nothing changes
        service = RecordingService(db, audit, directory)
        assert await service.recover_interrupted() == []
        state = await service.state(meeting_id)
        assert state.recording and state.recording_id == recording_id
        assert await _state_of(db, recording_id) == "recording"

        os.kill(child.pid, signal.SIGKILL)  # no stop, no abort, no final segment
        await child.wait()
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()

    assert await _state_of(db, recording_id) == "recording"  # what the dead process left
    state = await service.state(meeting_id)  # asked for by a chair or the meeting page
    assert not state.recording
    assert await _state_of(db, recording_id) == "failed"
    records = await audit.search(action="recording.interrupted", limit=10)
    assert [(r.actor, r.details["recording"]) for r in records] == [("system", recording_id)]
    assert await service.recover_interrupted() == []  # once only

    # the meeting can be recorded again at once
    handle = await service.start(meeting_id, "account:1")
    handle.write(b"again")
    row = await service.stop(meeting_id, "account:1")
    assert row.state == "complete" and row.id != recording_id


async def test_start_up_recovers_what_a_killed_process_left(
    db: Database, db_url: str, tmp_path: Path
) -> None:
    """The same at start-up, where no state is asked for first: a row whose file was never
    locked by anyone alive (or is missing) is failed."""
    key = generate_kek()
    audit = AuditLog(db, LocalKek(key))
    directory = tmp_path / "rec"
    meeting_id = await _meeting(db)
    first = RecordingService(db, audit, directory)
    handle = await first.start(meeting_id, "account:1")
    handle.write(b"media")
    handle.abort()  # what a kill leaves: the file closed (lock gone), the row untouched
    recording_id = handle.recording_id
    assert await _state_of(db, recording_id) == "recording"

    restarted = RecordingService(db, audit, directory)
    assert await restarted.recover_interrupted() == [recording_id]
    assert await _state_of(db, recording_id) == "failed"


async def test_a_recording_completed_meanwhile_is_never_marked_failed(
    db: Database, tmp_path: Path
) -> None:
    """The recovery re-checks the state in the database: another process that completed the
    recording between our read and our write wins."""
    audit = AuditLog(db, LocalKek(generate_kek()))
    meeting_id = await _meeting(db)
    service = RecordingService(db, audit, tmp_path / "rec")
    handle = await service.start(meeting_id, "account:1")
    handle.write(b"media")
    async with db.session() as s:
        (stale,) = await store.recording_now(s)  # read while it records
    await service.stop(meeting_id, "account:1")  # completed, lock released
    async with db.session() as s:
        assert not await store.fail_if_recording(s, stale.id, dt.datetime.now(dt.UTC))
    assert await _state_of(db, stale.id) == "complete"
    assert await service.recover_interrupted() == []
    assert await audit.search(action="recording.interrupted", limit=10) == []
