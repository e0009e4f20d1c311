"""Recordings: streaming AEAD after Tink's AES-GCM-HKDF streaming (R7: encrypted storage).

File layout::

    header   "HCBR" | version (1 byte, =1) | segment_size (u32 BE, plaintext bytes) |
             len(key_id) (1 byte) | key_id (ASCII) | salt (32) | nonce_prefix (7)
    segment  AES-256-GCM(file_key, nonce_prefix ‖ counter (u32 BE) ‖ last (1 byte), plaintext,
                         ad = header ‖ len ‖ recording_id ‖ len ‖ meeting_id) ... repeated

``file_key = HKDF-SHA256(DEK, salt, info = "hopchibo/recording/v1" ‖ ids)``. Every segment but
the last holds exactly ``segment_size`` plaintext bytes; the last holds 0..segment_size and has
the flag 1, so the file's length alone fixes the segment boundaries. A segment moved, swapped,
altered or dropped changes its nonce or tag; a file without its last segment has no segment
that decrypts with the flag 1; another recording or meeting id changes the associated data.

Reading is two passes (the documented choice): :func:`decrypt_recording` authenticates every
segment before it returns, and only then yields plaintext, re-authenticating each segment as it
goes. A damaged file therefore yields no plaintext at all. The source must be seekable; if the
file changes between the passes the second pass raises at the changed segment.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from server.crypto.errors import RecordingError
from server.crypto.keys import KEY_SIZE, DekSource, KeyPurpose

MAGIC = b"HCBR"
VERSION = 1
DEFAULT_SEGMENT_SIZE = 64 * 1024
MIN_SEGMENT_SIZE = 16
MAX_SEGMENT_SIZE = 1 << 24
TAG_SIZE = 16
SALT_SIZE = 32
NONCE_PREFIX_SIZE = 7
MAX_SEGMENTS = 1 << 32

_FIXED = struct.Struct(">4sBIB")  # magic, version, segment_size, len(key_id)
_COUNTER = struct.Struct(">IB")
_HKDF_INFO = b"hopchibo/recording/v1\x00"


def _ids(recording_id: str, meeting_id: str) -> bytes:
    r, m = recording_id.encode(), meeting_id.encode()
    return struct.pack(">H", len(r)) + r + struct.pack(">H", len(m)) + m


@dataclass(frozen=True, slots=True)
class RecordingHeader:
    """The clear header of a recording file."""

    segment_size: int
    key_id: str
    salt: bytes
    nonce_prefix: bytes
    version: int = VERSION

    def __post_init__(self) -> None:
        if self.version != VERSION:
            raise RecordingError(f"unsupported recording version {self.version}")
        if not MIN_SEGMENT_SIZE <= self.segment_size <= MAX_SEGMENT_SIZE:
            raise RecordingError(f"segment size {self.segment_size} out of range")
        if not 0 < len(self.key_id) < 256 or not self.key_id.isascii():
            raise RecordingError("key id must be 1..255 ASCII characters")
        if len(self.salt) != SALT_SIZE or len(self.nonce_prefix) != NONCE_PREFIX_SIZE:
            raise RecordingError("bad salt or nonce prefix length")

    def encode(self) -> bytes:
        kid = self.key_id.encode()
        return (
            _FIXED.pack(MAGIC, self.version, self.segment_size, len(kid))
            + kid
            + self.salt
            + self.nonce_prefix
        )

    @classmethod
    def read(cls, src: BinaryIO) -> RecordingHeader:
        fixed = src.read(_FIXED.size)
        if len(fixed) != _FIXED.size:
            raise RecordingError("recording header truncated")
        magic, version, segment_size, kid_len = _FIXED.unpack(fixed)
        if magic != MAGIC:
            raise RecordingError("not a hopchibo recording")
        rest = src.read(kid_len + SALT_SIZE + NONCE_PREFIX_SIZE)
        if len(rest) != kid_len + SALT_SIZE + NONCE_PREFIX_SIZE:
            raise RecordingError("recording header truncated")
        try:
            key_id = rest[:kid_len].decode("ascii")
        except UnicodeDecodeError:
            raise RecordingError("key id is not ASCII") from None
        return cls(
            segment_size=segment_size,
            key_id=key_id,
            salt=rest[kid_len : kid_len + SALT_SIZE],
            nonce_prefix=rest[kid_len + SALT_SIZE :],
            version=version,
        )


@dataclass(frozen=True, slots=True)
class _FileCipher:
    aead: AESGCM = field(repr=False)
    ad: bytes
    prefix: bytes

    @classmethod
    def of(
        cls, header: RecordingHeader, dek: bytes, recording_id: str, meeting_id: str
    ) -> _FileCipher:
        if len(dek) != KEY_SIZE:
            raise RecordingError("a recording DEK must be 32 bytes")
        ids = _ids(recording_id, meeting_id)
        file_key = HKDF(
            algorithm=hashes.SHA256(), length=KEY_SIZE, salt=header.salt, info=_HKDF_INFO + ids
        ).derive(dek)
        return cls(AESGCM(file_key), header.encode() + ids, header.nonce_prefix)

    def nonce(self, counter: int, last: bool) -> bytes:
        return self.prefix + _COUNTER.pack(counter, 1 if last else 0)


class RecordingWriter:
    """Encrypts a recording as it is written: ``write(bytes)`` then ``close()``.

    Holds at most one plaintext segment in memory; ciphertext goes to ``dst`` as soon as a
    segment is complete and more data follows (only then is it known not to be the last).
    ``close`` writes the last segment; a writer left unclosed (a crash, or an exception inside
    ``with``) leaves a file that no reader accepts.
    """

    __slots__ = (
        "_buf",
        "_bufmv",
        "_cipher",
        "_closed",
        "_counter",
        "_dst",
        "_fill",
        "_out",
        "_outmv",
        "_plain_size",
        "_seg",
        "header",
    )

    def __init__(
        self,
        dst: BinaryIO,
        dek: bytes,
        *,
        key_id: str,
        recording_id: str,
        meeting_id: str,
        segment_size: int = DEFAULT_SEGMENT_SIZE,
    ) -> None:
        self.header = RecordingHeader(
            segment_size=segment_size,
            key_id=key_id,
            salt=os.urandom(SALT_SIZE),
            nonce_prefix=os.urandom(NONCE_PREFIX_SIZE),
        )
        self._cipher = _FileCipher.of(self.header, dek, recording_id, meeting_id)
        self._dst = dst
        self._seg = segment_size
        self._buf = bytearray(segment_size)
        self._bufmv = memoryview(self._buf)
        self._out = bytearray(segment_size + TAG_SIZE)
        self._outmv = memoryview(self._out)
        self._fill = 0
        self._counter = 0
        self._plain_size = 0
        self._closed = False
        dst.write(self.header.encode())

    @property
    def plaintext_size(self) -> int:
        return self._plain_size

    def _emit(self, plaintext: memoryview, last: bool) -> None:
        counter = self._counter
        if counter >= MAX_SEGMENTS:
            raise RecordingError("recording too long for one data key")
        n = len(plaintext)
        out = self._outmv if n == self._seg else self._outmv[: n + TAG_SIZE]
        c = self._cipher
        c.aead.encrypt_into(c.prefix + _COUNTER.pack(counter, last), plaintext, c.ad, out)
        self._dst.write(out)
        self._counter = counter + 1

    def write(self, data: bytes | bytearray | memoryview) -> int:
        if self._closed:
            raise ValueError("write to a closed recording")
        if type(data) is memoryview and (data.format != "B" or data.ndim != 1):
            data = data.cast("B")
        n = len(data)
        fill = self._fill
        end = fill + n
        if end <= self._seg:  # fast path: the common write that fits in the open segment
            self._bufmv[fill:end] = data
            self._fill = end
            self._plain_size += n
            return n
        mv = memoryview(data)
        seg = self._seg
        off = 0
        while off < n:
            if fill == seg:  # a full segment, and more data: it is not the last
                self._emit(self._bufmv, last=False)
                fill = 0
            if fill == 0 and n - off > seg:  # whole segments straight from the caller
                self._emit(mv[off : off + seg], last=False)
                off += seg
                continue
            take = min(seg - fill, n - off)
            self._bufmv[fill : fill + take] = mv[off : off + take]
            fill += take
            off += take
        self._fill = fill
        self._plain_size += n
        return n

    def close(self) -> None:
        """Write the last segment (possibly empty). Does not close ``dst``."""
        if self._closed:
            return
        self._emit(self._bufmv[: self._fill], last=True)
        self._closed = True
        self._bufmv[:] = bytes(self._seg)  # do not leave plaintext lying in the buffer
        self._fill = 0

    def abort(self) -> None:
        """Stop without a last segment: the file will be rejected by every reader."""
        self._closed = True
        self._bufmv[:] = bytes(self._seg)
        self._fill = 0

    def __enter__(self) -> RecordingWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


@dataclass(frozen=True, slots=True)
class RecordingInfo:
    header: RecordingHeader
    plaintext_size: int
    segments: int


@dataclass(frozen=True, slots=True)
class _Layout:
    body_start: int
    segments: int
    last_len: int  # ciphertext bytes of the last segment


def _layout(src: BinaryIO, header: RecordingHeader) -> _Layout:
    body_start = src.tell()
    end = src.seek(0, os.SEEK_END)
    body = end - body_start
    full = header.segment_size + TAG_SIZE
    n_full, rem = divmod(body, full)
    if rem == 0:
        if n_full == 0:
            raise RecordingError("recording has no segments: its last segment is missing")
        segments, last_len = n_full, full
    else:
        if rem < TAG_SIZE:
            raise RecordingError("recording ends inside a segment tag")
        segments, last_len = n_full + 1, rem
    if segments > MAX_SEGMENTS:
        raise RecordingError("recording has too many segments")
    return _Layout(body_start, segments, last_len)


def _segments(
    src: BinaryIO, header: RecordingHeader, cipher: _FileCipher, layout: _Layout
) -> Iterator[memoryview]:
    """Authenticate and decrypt each segment into one reused buffer (valid until next)."""
    full = header.segment_size + TAG_SIZE
    inbuf = bytearray(full)
    inmv = memoryview(inbuf)
    outbuf = bytearray(header.segment_size)
    outmv = memoryview(outbuf)
    src.seek(layout.body_start)
    decrypt_into = cipher.aead.decrypt_into
    for i in range(layout.segments):
        last = i == layout.segments - 1
        n = layout.last_len if last else full
        chunk = inmv[:n]
        got = src.readinto(chunk)  # type: ignore[attr-defined]
        if got != n:
            raise RecordingError(f"recording changed while being read (segment {i})")
        out = outmv[: n - TAG_SIZE]
        try:
            decrypt_into(cipher.nonce(i, last), chunk, cipher.ad, out)
        except InvalidTag:
            what = "last segment missing or altered" if last else "altered or moved"
            raise RecordingError(f"segment {i} does not authenticate ({what})") from None
        yield out


def _open(
    src: BinaryIO, keys: DekSource, recording_id: str, meeting_id: str
) -> tuple[RecordingHeader, _FileCipher, _Layout]:
    src.seek(0)
    header = RecordingHeader.read(src)
    cipher = _FileCipher.of(
        header, keys.key(header.key_id, KeyPurpose.RECORDING), recording_id, meeting_id
    )
    return header, cipher, _layout(src, header)


def verify_recording(
    src: BinaryIO, keys: DekSource, *, recording_id: str, meeting_id: str
) -> RecordingInfo:
    """Authenticate every segment without releasing plaintext; raise :class:`RecordingError`.

    A shredded or unknown key raises :class:`KeyNotFoundError` (or its subclass).
    """
    header, cipher, layout = _open(src, keys, recording_id, meeting_id)
    size = 0
    for out in _segments(src, header, cipher, layout):
        size += len(out)
    return RecordingInfo(header, size, layout.segments)


def decrypt_recording(
    src: BinaryIO, keys: DekSource, *, recording_id: str, meeting_id: str
) -> Iterator[bytes]:
    """Plaintext chunks (one per segment), released only after the whole file authenticated.

    Raises before returning if anything is wrong, so a caller that gets the iterator has a
    complete, unaltered recording of this recording and meeting id.
    """
    verify_recording(src, keys, recording_id=recording_id, meeting_id=meeting_id)
    header, cipher, layout = _open(src, keys, recording_id, meeting_id)

    def chunks() -> Iterator[bytes]:
        for out in _segments(src, header, cipher, layout):
            yield bytes(out)

    return chunks()


def decrypt_to(
    src: BinaryIO, dst: BinaryIO, keys: DekSource, *, recording_id: str, meeting_id: str
) -> int:
    """Decrypt ``src`` into ``dst`` (e.g. an HTTP response stream); returns plaintext bytes."""
    n = 0
    for chunk in decrypt_recording(src, keys, recording_id=recording_id, meeting_id=meeting_id):
        dst.write(chunk)
        n += len(chunk)
    return n
