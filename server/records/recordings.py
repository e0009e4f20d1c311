"""Encrypted meeting recordings: one data key per recording, no plaintext on disk (R7).

For the live meeting: ``handle = await service.start(meeting_id, by)`` gives a binary sink;
feed it encoded media with ``handle.write(data)`` (any size: it hands the encrypting writer
chunks of at least 32 KiB) and end with ``await service.stop(meeting_id, by)``, which writes
the final segment, marks the row complete and only then releases the file (do not close the
handle yourself first). ``handle`` is a write-only, non-seekable file object, so
``av.open(handle, mode="w", format="matroska")`` (and aiortc's ``MediaRecorder`` built on such a
container) or a pass-through packet muxer can write straight into it; choose a streaming
container (Matroska/WebM), not MP4, which seeks back to write its index.

A recording that is never stopped (a crash) has no final segment and yields no plaintext.
While a process writes a recording it holds an exclusive ``flock`` on its file; a row still in
state "recording" whose file nobody holds (its process was killed) is marked "failed" and audited
as ``recording.interrupted`` at start-up (:meth:`RecordingService.recover_interrupted`) or when
the meeting's recording state is next asked for. The recordings directory must be one that every
server process of the deployment sees (it must be anyway, to play recordings back).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import fcntl
import io
import logging
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from server.audit import AuditLog
from server.crypto.keys import KeyPurpose, KeyRing
from server.crypto.streaming import RecordingWriter, decrypt_recording
from server.media.recorder import indexed_copy
from server.records.data_keys import shred_key
from server.storage import audit as key_store
from server.storage import recordings as store
from server.storage.db import Database, Session
from server.storage.models_records import RecordingRow

log = logging.getLogger(__name__)

CHUNK = 32 * 1024
"""Plaintext handed to the encrypting writer at a time (its throughput target needs >= 32 KiB)."""


class RecordingStateError(RuntimeError):
    """Start while recording, stop while not recording, play of a shredded recording."""


class RecordingHandle(io.RawIOBase):
    """The binary sink of one recording. Writes are synchronous and cheap (encryption in
    memory, ciphertext appended to the file); call from the event loop or one thread."""

    def __init__(self, recording_id: str, meeting_id: int, file: BinaryIO, writer: RecordingWriter):
        super().__init__()
        self.recording_id = recording_id
        self.meeting_id = meeting_id
        self._file = file
        self._writer = writer
        self._buf = bytearray()
        self._finished = False

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        if self._finished:
            raise ValueError("write to a stopped recording")
        n = len(data)
        if not self._buf and n >= CHUNK:
            self._writer.write(data)
            return n
        self._buf += data
        if len(self._buf) >= CHUNK:
            self._writer.write(self._buf)
            self._buf.clear()
        return n

    @property
    def plaintext_size(self) -> int:
        return self._writer.plaintext_size + len(self._buf)

    def finish(self) -> None:
        """Write the final segment and sync the file, keeping it open (and its lock held, so
        no other process takes the recording for interrupted before its row says complete)."""
        if not self._finished:
            self._finished = True
            if self._buf:
                self._writer.write(self._buf)
                self._buf[:] = bytes(len(self._buf))
                self._buf.clear()
            self._writer.close()
            self._file.flush()
            os.fsync(self._file.fileno())

    def discard(self) -> None:
        """Stop without the final segment (the file will never decrypt), keeping it open."""
        if not self._finished:
            self._finished = True
            self._buf[:] = bytes(len(self._buf))
            self._buf.clear()
            self._writer.abort()

    def close(self) -> None:
        """Write the final segment (unless discarded) and close the file, releasing its lock
        (idempotent)."""
        self.finish()
        if not self._file.closed:
            self._file.close()
        super().close()

    def abort(self) -> None:
        """Stop without the final segment and close the file: it will never decrypt."""
        self.discard()
        self.close()


@dataclass(frozen=True, slots=True)
class RecordingState:
    """What every participant sees: is the meeting being recorded, since when, by whom."""

    meeting_id: int
    recording: bool
    recording_id: str | None = None
    started_at: dt.datetime | None = None
    started_by: str | None = None


class RecordingService:
    def __init__(self, db: Database, audit: AuditLog, directory: Path) -> None:
        self._db = db
        self._audit = audit
        self._dir = directory
        self._active: dict[int, RecordingHandle] = {}
        self._lock = asyncio.Lock()

    @property
    def directory(self) -> Path:
        return self._dir

    def path_of(self, row: RecordingRow) -> Path:
        return self._dir / row.file_name

    def handle(self, meeting_id: int) -> RecordingHandle | None:
        """The live sink of the meeting's recording in this process, if any."""
        return self._active.get(meeting_id)

    async def start(self, meeting_id: int, by: str) -> RecordingHandle:
        async with self._lock:
            if meeting_id in self._active:
                raise RecordingStateError("already recording")
            recording_id = "rec_" + secrets.token_hex(12)
            now = dt.datetime.now(dt.UTC)
            self._dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            file_name = f"{recording_id}.hcbr"
            async with self._db.session() as s:
                existing = await store.active(s, meeting_id)
                if existing is not None:
                    if self._writer_alive(existing):
                        raise RecordingStateError("already recording")
                    await self._mark_interrupted(s, existing)
                ring = KeyRing(self._audit.provider)
                wrapped, dek = ring.new_key(KeyPurpose.RECORDING)
                await key_store.add_key(s, wrapped)
                await store.add(
                    s,
                    RecordingRow(
                        id=recording_id,
                        meeting_id=meeting_id,
                        key_id=wrapped.key_id,
                        state="recording",
                        file_name=file_name,
                        started_by=by,
                        started_at=now,
                        size=0,
                    ),
                )
                await self._audit.record(
                    by,
                    "recording.start",
                    f"meeting:{meeting_id}",
                    {"recording": recording_id, "key_id": wrapped.key_id},
                    session=s,
                )
                fd = os.open(self._dir / file_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                # held until the file is closed: tells other processes this recording is alive
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                file = os.fdopen(fd, "wb")
                writer = RecordingWriter(
                    file,
                    dek,
                    key_id=wrapped.key_id,
                    recording_id=recording_id,
                    meeting_id=str(meeting_id),
                )
            handle = RecordingHandle(recording_id, meeting_id, file, writer)
            self._active[meeting_id] = handle
            return handle

    async def stop(self, meeting_id: int, by: str) -> RecordingRow:
        async with self._lock:
            handle = self._active.pop(meeting_id, None)
            if handle is None:
                raise RecordingStateError("not recording")
            try:
                await asyncio.to_thread(handle.finish)
                async with self._db.session() as s:
                    row = await store.get(s, handle.recording_id)
                    assert row is not None
                    row.state = "complete"
                    row.stopped_at = dt.datetime.now(dt.UTC)
                    row.size = handle.plaintext_size
                    await self._audit.record(
                        by,
                        "recording.stop",
                        f"meeting:{meeting_id}",
                        {"recording": row.id, "bytes": row.size},
                        session=s,
                    )
            finally:
                handle.close()  # releases the lock only once the row says complete
            return row

    async def abort_all(self) -> None:
        """Shutdown: recordings still open lose their final segment (never decrypt)."""
        async with self._lock:
            for handle in list(self._active.values()):
                handle.discard()
                try:
                    async with self._db.session() as s:
                        row = await store.get(s, handle.recording_id)
                        if row is not None:
                            await self._fail(s, row, "recording.abort")
                finally:
                    handle.close()
            self._active.clear()

    def _writer_alive(self, row: RecordingRow) -> bool:
        """Whether some process still writes ``row``'s file (holds its lock)."""
        if any(h.recording_id == row.id for h in self._active.values()):
            return True
        try:
            fd = os.open(self.path_of(row), os.O_RDONLY)
        except FileNotFoundError:
            return False
        try:
            # shared: conflicts with the writer's exclusive lock, and needs no write access
            # (NFS emulates flock with fcntl locks, where LOCK_EX needs a file open for writing)
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        except OSError:
            log.exception("cannot probe the lock of recording %s; taken for alive", row.id)
            return True
        finally:
            os.close(fd)  # also releases a lock we took
        return False

    async def _fail(self, s: Session, row: RecordingRow, action: str) -> bool:
        """Mark ``row`` failed (it will never decrypt) and audit ``action`` as the system, if it
        is still "recording" in the database (another process may have just completed it)."""
        if not await store.fail_if_recording(s, row.id, dt.datetime.now(dt.UTC)):
            return False
        await self._audit.record(
            "system", action, f"meeting:{row.meeting_id}", {"recording": row.id}, session=s
        )
        return True

    async def _mark_interrupted(self, s: Session, row: RecordingRow) -> bool:
        return await self._fail(s, row, "recording.interrupted")

    async def recover_interrupted(self) -> list[str]:
        """Mark "failed" every recording left "recording" by a process that is gone (killed
        before it could stop or abort it); returns their ids. Safe while other processes
        record: their files are locked."""
        async with self._lock, self._db.session() as s:
            done = []
            for row in await store.recording_now(s):
                if not self._writer_alive(row) and await self._mark_interrupted(s, row):
                    done.append(row.id)
            return done

    async def state(self, meeting_id: int) -> RecordingState:
        async with self._db.session() as s:
            row = await store.active(s, meeting_id)
        if row is not None and not self._writer_alive(row):
            await self.recover_interrupted()
            row = None
        if row is None:
            return RecordingState(meeting_id, False)
        return RecordingState(meeting_id, True, row.id, row.started_at, row.started_by)

    async def list(self, meeting_id: int) -> list[RecordingRow]:
        async with self._db.session() as s:
            return list(await store.of_meeting(s, meeting_id))

    async def get(self, recording_id: str) -> RecordingRow | None:
        async with self._db.session() as s:
            return await store.get(s, recording_id)

    async def open_plaintext(self, recording_id: str, by: str) -> Iterator[bytes]:
        """Authenticate the whole file, audit the access, then return the plaintext chunks.

        Raises :class:`server.crypto.errors.RecordingError` (damaged, truncated, moved) or
        ``KeyNotFoundError`` (shredded) before any plaintext is released.
        """
        async with self._db.session() as s:
            row = await store.get(s, recording_id)
            if row is None or row.key_id is None or row.state != "complete":
                raise RecordingStateError("recording not available")
            ring = KeyRing(self._audit.provider, await key_store.load_keys(s, KeyPurpose.RECORDING))
            path = self.path_of(row)
            meeting_id = row.meeting_id
        src = await asyncio.to_thread(path.open, "rb")  # closed by the iterator or on error
        try:
            chunks = await asyncio.to_thread(
                decrypt_recording,
                src,
                ring,
                recording_id=recording_id,
                meeting_id=str(meeting_id),
            )
        except BaseException:
            src.close()
            raise
        await self._audit.record(
            by, "recording.play", f"meeting:{meeting_id}", {"recording": recording_id}
        )

        def release() -> Iterator[bytes]:
            with src:
                yield from chunks

        return release()

    async def open_for_player(self, recording_id: str, by: str) -> bytes:
        """The recording for the chair console's player (audited as :meth:`open_plaintext`):
        remuxed in memory with an index and a duration, so the player can seek; the plaintext
        as it is when that fails. Never written to disk."""
        chunks = await self.open_plaintext(recording_id, by)

        def build() -> bytes:
            plain = b"".join(chunks)
            return indexed_copy(plain) or plain

        return await asyncio.to_thread(build)

    async def shred(self, recording_id: str, by: str) -> bool:
        """Crypto-shred: destroy the data key, delete the file, audit it. The log still
        verifies (its keys are not recording keys)."""
        async with self._db.session() as s:
            row = await store.get(s, recording_id)
            if row is None or row.key_id is None:
                return False
            key_id = row.key_id
        if not await shred_key(self._db, self._audit.provider, key_id):
            return False
        async with self._db.session() as s:
            row = await store.get(s, recording_id)
            assert row is not None
            row.key_id = None
            row.state = "shredded"
            row.shredded_at = dt.datetime.now(dt.UTC)
            path = self.path_of(row)
            await self._audit.record(
                by,
                "recording.shred",
                f"meeting:{row.meeting_id}",
                {"recording": recording_id, "key_id": key_id},
                session=s,
            )
        path.unlink(missing_ok=True)
        return True
