"""Recording encryption: round trips, and no plaintext at all from a damaged file."""

from __future__ import annotations

import io
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.crypto.errors import KeyNotFoundError, KeyShreddedError, RecordingError
from server.crypto.keys import KeyPurpose, KeyRing, LocalKek, generate_kek
from server.crypto.streaming import (
    TAG_SIZE,
    RecordingHeader,
    RecordingWriter,
    decrypt_recording,
    decrypt_to,
    verify_recording,
)
from server.crypto.verify import verify
from tests.server.crypto.crypto_support import LOG_ID, make_log, new_ring

SEG = 64
REC = "rec-2026-01-03-chi-bo-1"
MEET = "meeting-42"


def encrypt(
    ring: KeyRing,
    data: bytes,
    chunks: list[int] | None = None,
    seg: int = SEG,
    rec: str = REC,
) -> bytes:
    wrapped, dek = ring.new_key(KeyPurpose.RECORDING)
    out = io.BytesIO()
    with RecordingWriter(
        out, dek, key_id=wrapped.key_id, recording_id=rec, meeting_id=MEET, segment_size=seg
    ) as w:
        off = 0
        for n in chunks or [len(data)]:
            w.write(data[off : off + n])
            off += n
        w.write(data[off:])
    assert w.plaintext_size == len(data)
    return out.getvalue()


def decrypt(ring: KeyRing, blob: bytes, rec: str = REC, meet: str = MEET) -> bytes:
    return b"".join(decrypt_recording(io.BytesIO(blob), ring, recording_id=rec, meeting_id=meet))


def header_len(blob: bytes) -> int:
    src = io.BytesIO(blob)
    RecordingHeader.read(src)
    return src.tell()


@pytest.mark.parametrize("size", [0, 1, SEG - 1, SEG, SEG + 1, 3 * SEG])
def test_round_trip_at_segment_boundaries(size: int) -> None:
    ring = new_ring()
    data = os.urandom(size)
    blob = encrypt(ring, data)
    segments = max(1, -(-size // SEG))
    assert len(blob) == header_len(blob) + size + segments * TAG_SIZE
    assert decrypt(ring, blob) == data
    info = verify_recording(io.BytesIO(blob), ring, recording_id=REC, meeting_id=MEET)
    assert (info.plaintext_size, info.segments) == (size, segments)


@pytest.mark.parametrize("size", [0, 1, 65535, 65536, 65537, 3 * 65536])
def test_round_trip_default_segment_size(size: int) -> None:
    ring = new_ring()
    data = os.urandom(size)
    blob = encrypt(ring, data, chunks=[1000] * (size // 1000), seg=65536)
    out = io.BytesIO()
    n = decrypt_to(io.BytesIO(blob), out, ring, recording_id=REC, meeting_id=MEET)
    assert n == size and out.getvalue() == data


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=5 * SEG), cuts=st.lists(st.integers(0, 3 * SEG), max_size=8))
def test_round_trip_any_write_pattern(data: bytes, cuts: list[int]) -> None:
    ring = new_ring()
    assert decrypt(ring, encrypt(ring, data, chunks=cuts)) == data


def test_file_without_final_segment_yields_nothing() -> None:
    ring = new_ring()
    blob = encrypt(ring, os.urandom(3 * SEG + 10))
    h = header_len(blob)
    seg_ct = SEG + TAG_SIZE
    for cut in (h, h + seg_ct, h + 3 * seg_ct, len(blob) - 1, h + 5):
        with pytest.raises(RecordingError):
            decrypt(ring, blob[:cut])


def test_exact_multiple_truncated_at_a_boundary_is_rejected() -> None:
    ring = new_ring()
    blob = encrypt(ring, os.urandom(3 * SEG))  # last segment is full
    h = header_len(blob)
    with pytest.raises(RecordingError, match="segment 1"):
        decrypt(ring, blob[: h + 2 * (SEG + TAG_SIZE)])


def test_swapped_or_moved_segments_are_rejected() -> None:
    ring = new_ring()
    blob = encrypt(ring, os.urandom(4 * SEG))
    h = header_len(blob)
    s = SEG + TAG_SIZE
    segs = [blob[h + i * s : h + (i + 1) * s] for i in range(4)]
    swapped = blob[:h] + segs[1] + segs[0] + segs[2] + segs[3]
    moved = blob[:h] + segs[0] + segs[2] + segs[1] + segs[3]
    duplicated = blob[:h] + segs[0] + segs[0] + segs[2] + segs[3]
    dropped = blob[:h] + segs[0] + segs[2] + segs[3]
    for bad in (swapped, moved, duplicated, dropped):
        with pytest.raises(RecordingError):
            decrypt(ring, bad)


def test_segment_from_another_recording_is_rejected() -> None:
    ring = new_ring()
    data = os.urandom(2 * SEG)
    a, b = encrypt(ring, data), encrypt(ring, data)
    h = header_len(a)
    spliced = a[: h + SEG + TAG_SIZE] + b[h + SEG + TAG_SIZE :]
    with pytest.raises(RecordingError):
        decrypt(ring, spliced)


def test_changed_recording_or_meeting_id_is_rejected() -> None:
    ring = new_ring()
    blob = encrypt(ring, os.urandom(2 * SEG))
    with pytest.raises(RecordingError):
        decrypt(ring, blob, rec=REC + "x")
    with pytest.raises(RecordingError):
        decrypt(ring, blob, meet="meeting-43")


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=3 * SEG), where=st.integers(0), mask=st.integers(1, 255))
def test_any_flipped_byte_in_a_recording_yields_nothing(data: bytes, where: int, mask: int) -> None:
    ring = new_ring()
    blob = bytearray(encrypt(ring, data))
    blob[where % len(blob)] ^= mask
    with pytest.raises((RecordingError, KeyNotFoundError)):  # key id altered: no such key
        decrypt(ring, bytes(blob))


def test_kek_rotation_keeps_recordings_byte_identical() -> None:
    ring = new_ring()
    datas = [os.urandom(n) for n in (0, 1, SEG, 5 * SEG + 3)]
    blobs = [encrypt(ring, d) for d in datas]
    old_kek = ring.provider.kek_id
    rotated = ring.rotate(LocalKek(generate_kek()))
    assert all(w.kek_id != old_kek for w in rotated)
    # a fresh process that only has the new KEK and the rotated rows
    fresh = KeyRing(ring.provider, rotated)
    for data, blob in zip(datas, blobs, strict=True):
        assert decrypt(fresh, blob) == data


def test_shredded_recording_is_unreadable_while_the_log_verifies() -> None:
    log = make_log(20, every=10)
    data = os.urandom(2 * SEG + 5)
    blob = encrypt(log.ring, data)
    key_id = RecordingHeader.read(io.BytesIO(blob)).key_id
    assert decrypt(log.ring, blob) == data
    log.ring.shred(key_id)
    with pytest.raises(KeyShreddedError):
        decrypt(log.ring, blob)
    fresh = KeyRing(log.ring.provider, list(log.ring))  # as reloaded from storage
    with pytest.raises(KeyError):
        decrypt(fresh, blob)
    report = verify(log.rows, log.checkpoints, log.keys, log_id=LOG_ID, decrypt=True)
    assert report.ok, report


def test_header_fields_are_authenticated() -> None:
    ring = new_ring()
    blob = encrypt(ring, os.urandom(SEG + 1))
    h = header_len(blob)
    for i in range(h):
        bad = bytearray(blob)
        bad[i] ^= 0x80
        with pytest.raises((RecordingError, KeyNotFoundError)):
            decrypt(ring, bytes(bad))


def test_aborted_writer_leaves_an_unreadable_file() -> None:
    ring = new_ring()
    wrapped, dek = ring.new_key(KeyPurpose.RECORDING)
    out = io.BytesIO()
    with (
        pytest.raises(RuntimeError),
        RecordingWriter(
            out, dek, key_id=wrapped.key_id, recording_id=REC, meeting_id=MEET, segment_size=SEG
        ) as w,
    ):
        w.write(os.urandom(3 * SEG))
        raise RuntimeError("recorder crashed")
    with pytest.raises(RecordingError):
        decrypt(ring, out.getvalue())
    with pytest.raises(ValueError):
        w.write(b"more")


def test_no_plaintext_in_the_file() -> None:
    ring = new_ring()
    data = b"Bi\xc3\xaan b\xe1\xba\xa3n h\xe1\xbb\x8dp chi b\xe1\xbb\x99 " * 50
    blob = encrypt(ring, data)
    assert b"chi b" not in blob
