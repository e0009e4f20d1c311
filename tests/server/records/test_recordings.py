"""Recordings: encrypted as written, refused whole when cut or moved, shredded by key (R7)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
from pathlib import Path

import pytest

from policy.model import MeetingKind, MeetingMode, OrgLevel
from server.audit import AuditLog
from server.cli_records import add_parsers
from server.cli_records import run as cli_run
from server.config import DatabaseSettings, ServerSettings, load_settings
from server.crypto.errors import KeyNotFoundError, RecordingError
from server.crypto.keys import KeyRing, LocalKek, create_kek_file
from server.crypto.streaming import TAG_SIZE, RecordingHeader, decrypt_recording
from server.records.data_keys import rotate_kek
from server.records.recordings import RecordingService
from server.records.retention import shred_expired
from server.storage import audit as key_store
from server.storage.db import Database
from server.storage.models import Meeting, Organisation

SEG = 64 * 1024


async def _meeting(db: Database) -> int:
    async with db.session() as s:
        org = Organisation(level=OrgLevel.CELL, name="Chi bộ 1", code="CB-1")
        s.add(org)
        await s.flush()
        m = Meeting(
            org_id=org.id,
            kind=MeetingKind.REGULAR,
            mode=MeetingMode.HYBRID,
            title="Sinh hoạt",
            scheduled_start=dt.datetime(2026, 12, 3, 1, tzinfo=dt.UTC),
        )
        s.add(m)
        await s.flush()
        return m.id


async def _record(service: RecordingService, meeting_id: int, payload: bytes) -> str:
    handle = await service.start(meeting_id, "account:1")
    for i in range(0, len(payload), 1000):  # small writes, as a muxer makes them
        handle.write(payload[i : i + 1000])
    row = await service.stop(meeting_id, "account:1")
    assert row.size == len(payload)
    return row.id


async def _play(service: RecordingService, rid: str) -> bytes:
    return b"".join(await service.open_plaintext(rid, "account:1"))


@pytest.fixture
def payload() -> bytes:
    return os.urandom(5 * SEG + 1234)


async def test_round_trip_no_plaintext_on_disk(
    db: Database, audit: AuditLog, tmp_path: Path, payload: bytes
) -> None:
    service = RecordingService(db, audit, tmp_path / "rec")
    mid = await _meeting(db)
    handle = await service.start(mid, "account:1")
    assert (await service.state(mid)).recording
    handle.write(payload)
    on_disk = (tmp_path / "rec" / f"{handle.recording_id}.hcbr").read_bytes()
    assert payload[:4096] not in on_disk
    await service.stop(mid, "account:1")
    assert not (await service.state(mid)).recording
    assert await _play(service, handle.recording_id) == payload
    actions = [v.action for v in await audit.search()]
    assert actions[:3] == ["recording.play", "recording.stop", "recording.start"]


@pytest.mark.parametrize("damage", ["drop_last", "swap", "other_id"])
async def test_damaged_recording_yields_nothing(
    db: Database, audit: AuditLog, tmp_path: Path, payload: bytes, damage: str
) -> None:
    service = RecordingService(db, audit, tmp_path / "rec")
    rid = await _record(service, await _meeting(db), payload)
    row = await service.get(rid)
    assert row is not None
    path = service.path_of(row)
    data = path.read_bytes()
    with path.open("rb") as fh:
        head_len = len(RecordingHeader.read(fh).encode())
    full = SEG + TAG_SIZE
    segs = [data[i : i + full] for i in range(head_len, len(data), full)]
    if damage == "drop_last":
        path.write_bytes(data[:head_len] + b"".join(segs[:-1]))
    elif damage == "swap":
        segs[1], segs[2] = segs[2], segs[1]
        path.write_bytes(data[:head_len] + b"".join(segs))
    if damage == "other_id":
        async with db.session() as s:
            ring = KeyRing(audit.provider, await key_store.load_keys(s))
        with path.open("rb") as fh, pytest.raises(RecordingError):
            decrypt_recording(
                fh, ring, recording_id="rec_" + "0" * 24, meeting_id=str(row.meeting_id)
            )
        return
    with pytest.raises(RecordingError):
        await _play(service, rid)


async def test_rotation_keeps_recordings_and_log(
    db: Database, audit: AuditLog, kek: LocalKek, tmp_path: Path, payload: bytes
) -> None:
    service = RecordingService(db, audit, tmp_path / "rec")
    rid = await _record(service, await _meeting(db), payload)
    await audit.checkpoint()
    new = create_kek_file(tmp_path / "new.kek")
    result = await rotate_kek(db, kek, new)
    assert result.rewrapped >= 3  # recording key, audit segment key, signing key
    async with db.session() as s:
        assert {w.kek_id for w in await key_store.load_keys(s)} == {new.kek_id}
    rotated = AuditLog(db, new, options=audit.options)
    assert await _play(RecordingService(db, rotated, tmp_path / "rec"), rid) == payload
    assert (await rotated.verify()).ok
    await rotated.record("account:1", "after.rotation", "x", {})
    assert (await rotated.verify()).ok


async def test_shredded_recording_unreadable_log_still_verifies(
    db: Database, audit: AuditLog, tmp_path: Path, payload: bytes
) -> None:
    service = RecordingService(db, audit, tmp_path / "rec")
    rid = await _record(service, await _meeting(db), payload)
    row = await service.get(rid)
    assert row is not None and row.key_id is not None
    key_id, path = row.key_id, service.path_of(row)
    kept = path.read_bytes()  # an attacker's copy of the file
    assert await service.shred(rid, "account:1")
    path.write_bytes(kept)
    async with db.session() as s:
        ring = KeyRing(audit.provider, await key_store.load_keys(s))
    assert key_id not in ring
    with path.open("rb") as fh, pytest.raises(KeyNotFoundError):
        decrypt_recording(fh, ring, recording_id=rid, meeting_id=str(row.meeting_id))
    assert (await audit.verify()).ok
    assert (await audit.search(action="recording.shred"))[0].details["recording"] == rid
    # retention: an old recording is shredded, a fresh one is kept
    fresh = await _record(service, row.meeting_id, b"x" * 100)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=400)
    assert await shred_expired(db, service, 365, later, "system") == [fresh]


async def test_cli_verify_exit_codes(
    db: Database, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = load_settings(
        {}, server=ServerSettings(var_dir=tmp_path / "var"), database=DatabaseSettings(url=db_url)
    )
    parser = argparse.ArgumentParser()
    add_parsers(parser.add_subparsers(dest="command"))

    async def cli(*argv: str) -> int:
        return await cli_run(settings, parser.parse_args(list(argv)))

    assert await cli("audit", "export-key") == 0
    key_file = tmp_path / "officer.pub"
    key_file.write_text(capsys.readouterr().out)
    from server.records.settings import audit_options, key_provider

    log = AuditLog(db, key_provider(settings), options=audit_options(settings))
    for i in range(4):
        await log.record("account:1", "meeting.read", f"meeting:{i}", {})
    assert await cli("audit", "checkpoint") == 0
    cps = tmp_path / "var" / "checkpoints"
    assert (
        await cli("audit", "verify", "--trusted-key", str(key_file), "--checkpoint", str(cps)) == 0
    )
    from tests.server.records.support import flip, read_rows, tamper

    mac = (await read_rows(db_url))[2]["mac"]
    await tamper(db_url, [("UPDATE audit_log SET mac = :m WHERE seq = 3", {"m": flip(mac)})])
    capsys.readouterr()
    assert await cli("audit", "verify", "--trusted-key", str(key_file)) == 1
    assert "seq 3: mac" in capsys.readouterr().out
    assert await cli("audit", "verify", "--trusted-key", str(tmp_path / "missing")) == 2


async def test_pyav_muxes_straight_into_the_sink(
    db: Database, audit: AuditLog, tmp_path: Path
) -> None:
    """What the live meeting does: a Matroska muxer writes into the handle (no seeking)."""
    import io

    import av

    service = RecordingService(db, audit, tmp_path / "rec")
    mid = await _meeting(db)
    handle = await service.start(mid, "account:1")
    container = av.open(handle, mode="w", format="matroska")
    stream = container.add_stream("libvpx", rate=15)
    stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
    for i in range(10):
        frame = av.VideoFrame(64, 64, "yuv420p")
        for plane in frame.planes:
            plane.update(bytes([i * 20]) * plane.buffer_size)
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
    container.close()
    row = await service.stop(mid, "account:1")
    plain = await _play(service, row.id)
    assert len(plain) == row.size > 0
    with av.open(io.BytesIO(plain), mode="r") as played:
        assert played.streams.video[0].codec_context.name == "vp8"
        assert sum(1 for _ in played.decode(video=0)) == 10
