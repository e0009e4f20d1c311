"""Envelope encryption: the key-encryption key (KEK), wrapped data keys (DEKs), the key ring.

A KEK never encrypts data. It only wraps 32-byte DEKs (one per recording, one per audit-log
segment) and the Ed25519 checkpoint signing key, with AES-256-GCM whose associated data names the
key's purpose and id, so a wrapped blob cannot be moved to another key id. Rotation rewraps every
wrapped key under a new KEK without touching data. Deleting a wrapped key (crypto-shredding) makes
what it encrypted unreadable, provided no other copy of the wrapped key survives under a KEK that
still exists (see docs/security-crypto.md).
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import hmac
import os
import secrets
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from server.crypto.errors import (
    KeyFileError,
    KeyNotFoundError,
    KeyShreddedError,
    UnwrapError,
)

KEY_SIZE = 32
"""Bytes in a KEK and in every DEK (AES-256)."""

_WRAP_NONCE_SIZE = 12
_WRAP_CONTEXT = b"hopchibo/wrap/v1\x00"
_KEK_ID_LABEL = b"hopchibo/kek-id/v1"


class KeyPurpose(enum.StrEnum):
    """What a wrapped key is for; part of the wrapping context."""

    RECORDING = "recording"
    AUDIT_SEGMENT = "audit-segment"
    CHECKPOINT_SIGNING = "checkpoint-signing"
    DOCUMENTS = "documents"  # one per meeting: seals its uploaded documents
    CHAT = "chat"  # one per meeting: seals its chat messages
    NOTEBOOK = "notebook"  # one per member: seals their private notes (S2)


@runtime_checkable
class KeyProvider(Protocol):
    """Hook for whatever holds the KEK: a local file, an environment value, or a KMS/HSM.

    A KMS implementation keeps the KEK inside the KMS and forwards ``wrap``/``unwrap`` to its
    encrypt/decrypt calls, passing ``context`` as the KMS's encryption context (AWS) or
    additional authenticated data (GCP, Vault transit). ``kek_id`` must change whenever the
    KEK changes, because every wrapped key records the id of the KEK that wrapped it.
    """

    @property
    def kek_id(self) -> str: ...

    def wrap(self, key: bytes, context: bytes) -> bytes:
        """Encrypt ``key`` so that only ``unwrap`` with the same ``context`` recovers it."""
        ...

    def unwrap(self, wrapped: bytes, context: bytes) -> bytes:
        """Invert ``wrap``; raise :class:`UnwrapError` if ``wrapped`` or ``context`` differ."""
        ...


class LocalKek:
    """A KEK held in process memory (from a 0600 file or the environment)."""

    __slots__ = ("_aead", "_kek_id")

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_SIZE:
            raise KeyFileError(f"a KEK must be {KEY_SIZE} bytes, got {len(key)}")
        self._aead = AESGCM(key)
        # An HMAC of a fixed label, not a hash of the key: identifies the KEK, reveals nothing.
        self._kek_id = "kek-" + hmac.digest(key, _KEK_ID_LABEL, "sha256")[:8].hex()

    def __repr__(self) -> str:
        return f"LocalKek(kek_id={self._kek_id!r})"

    @property
    def kek_id(self) -> str:
        return self._kek_id

    def wrap(self, key: bytes, context: bytes) -> bytes:
        nonce = os.urandom(_WRAP_NONCE_SIZE)
        return nonce + self._aead.encrypt(nonce, key, context)

    def unwrap(self, wrapped: bytes, context: bytes) -> bytes:
        if len(wrapped) < _WRAP_NONCE_SIZE + 16:
            raise UnwrapError("wrapped key too short")
        try:
            return self._aead.decrypt(
                wrapped[:_WRAP_NONCE_SIZE], wrapped[_WRAP_NONCE_SIZE:], context
            )
        except InvalidTag:
            raise UnwrapError("wrapped key does not authenticate under this KEK") from None


def generate_kek() -> bytes:
    """Fresh random KEK bytes."""
    return secrets.token_bytes(KEY_SIZE)


def create_kek_file(path: Path) -> LocalKek:
    """Create ``path`` with a fresh KEK, mode 0600, failing if it already exists.

    The file holds the base64 of 32 random bytes and a newline.
    """
    return LocalKek(_create_kek_bytes(path))


def _create_kek_bytes(path: Path) -> bytes:
    key = generate_kek()
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, 0o600)
    try:
        os.fchmod(fd, 0o600)  # the umask may have narrowed it further; never wider
        os.write(fd, base64.b64encode(key) + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    return key


def load_kek_file(path: Path) -> LocalKek:
    """Read a KEK file, refusing one that group or others may read or write."""
    return LocalKek(read_kek_file(path))


def read_kek_file(path: Path) -> bytes:
    """The KEK bytes of ``path``, with the checks of :func:`load_kek_file`."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        raise KeyFileError(f"KEK file {path} does not exist") from None
    except OSError as exc:  # ELOOP: a symlink (O_NOFOLLOW), EACCES, …
        raise KeyFileError(f"KEK file {path} cannot be opened: {exc.strerror}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise KeyFileError(f"KEK file {path} is not a regular file")
        if mode & 0o077:
            raise KeyFileError(f"KEK file {path} has mode {mode & 0o777:o}; it must be 0600")
        raw = os.read(fd, 4096)
    finally:
        os.close(fd)
    return kek_bytes_from_base64(raw.decode("ascii", errors="replace").strip(), source=str(path))


def ensure_kek_file(path: Path) -> LocalKek:
    """Load the KEK at ``path``, creating it (mode 0600) on first run."""
    return LocalKek(ensure_kek_bytes(path))


def ensure_kek_bytes(path: Path) -> bytes:
    """The KEK bytes at ``path``, creating the file (mode 0600) on first run. Raw bytes are
    for secrets sealed under the KEK itself (second-factor secrets)."""
    try:
        return _create_kek_bytes(path)
    except FileExistsError:
        return read_kek_file(path)


def kek_from_base64(value: str, *, source: str = "environment") -> LocalKek:
    """A KEK from its base64 text (e.g. ``HOPCHIBO_KEK`` read once at start-up)."""
    return LocalKek(kek_bytes_from_base64(value, source=source))


def kek_bytes_from_base64(value: str, *, source: str = "environment") -> bytes:
    """The KEK bytes of a base64 text, checked like :func:`kek_from_base64`."""
    try:
        key = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise KeyFileError(f"KEK from {source} is not valid base64") from None
    if len(key) != KEY_SIZE:
        raise KeyFileError(f"KEK from {source} must decode to {KEY_SIZE} bytes, got {len(key)}")
    return key


@dataclass(frozen=True, slots=True)
class WrappedKey:
    """A DEK (or signing key) encrypted under a KEK: one row of the storage layer's key table.

    Columns: ``key_id`` (primary key, text), ``purpose`` (text), ``kek_id`` (text),
    ``wrapped`` (bytes: 12-byte nonce || AES-GCM ciphertext and tag).
    """

    key_id: str
    purpose: KeyPurpose
    kek_id: str
    wrapped: bytes

    def __post_init__(self) -> None:
        if not self.key_id or len(self.key_id) > 64 or not self.key_id.isascii():
            raise ValueError("key_id must be 1..64 ASCII characters")
        if not isinstance(self.purpose, KeyPurpose):
            raise ValueError(f"unknown key purpose {self.purpose!r}")

    @property
    def context(self) -> bytes:
        """Associated data of the wrapping: binds the blob to its purpose and id."""
        return b"%s%s\x00%s" % (_WRAP_CONTEXT, self.purpose.encode(), self.key_id.encode())


def new_key_id(purpose: KeyPurpose) -> str:
    """A random key id such as ``rec-3f9a…`` (no information about the key)."""
    prefix = {
        KeyPurpose.RECORDING: "rec",
        KeyPurpose.AUDIT_SEGMENT: "log",
        KeyPurpose.CHECKPOINT_SIGNING: "sig",
        KeyPurpose.DOCUMENTS: "doc",
        KeyPurpose.CHAT: "chat",
        KeyPurpose.NOTEBOOK: "nb",
    }[purpose]
    return f"{prefix}-{secrets.token_hex(12)}"


def wrap_key(
    provider: KeyProvider, purpose: KeyPurpose, key: bytes, key_id: str | None = None
) -> WrappedKey:
    """Wrap existing key bytes under ``provider``'s KEK."""
    kid = key_id if key_id is not None else new_key_id(purpose)
    shell = WrappedKey(kid, purpose, provider.kek_id, b"")
    return WrappedKey(kid, purpose, provider.kek_id, provider.wrap(key, shell.context))


def new_data_key(provider: KeyProvider, purpose: KeyPurpose) -> tuple[WrappedKey, bytes]:
    """A fresh random DEK and its wrapped form (store the first, use then forget the second)."""
    dek = secrets.token_bytes(KEY_SIZE)
    return wrap_key(provider, purpose, dek), dek


def unwrap_key(provider: KeyProvider, wrapped: WrappedKey) -> bytes:
    """The key bytes of ``wrapped``; :class:`UnwrapError` if another KEK wrapped it."""
    if wrapped.kek_id != provider.kek_id:
        raise UnwrapError(
            f"key {wrapped.key_id} is wrapped under {wrapped.kek_id}, not {provider.kek_id}"
        )
    return provider.unwrap(wrapped.wrapped, wrapped.context)


def rewrap(wrapped: WrappedKey, old: KeyProvider, new: KeyProvider) -> WrappedKey:
    """``wrapped`` under ``new``: same id, same key bytes, so the data needs no re-encryption."""
    if wrapped.kek_id == new.kek_id:
        return wrapped
    return wrap_key(new, wrapped.purpose, unwrap_key(old, wrapped), wrapped.key_id)


def rotate(
    wrapped_keys: Iterable[WrappedKey], old: KeyProvider, new: KeyProvider
) -> list[WrappedKey]:
    """Rewrap every key under ``new`` (all-or-nothing: raises before returning anything).

    The storage layer replaces its rows with the result in one transaction, then retires the
    old KEK. Keys already under ``new`` are kept as they are, so an interrupted rotation can be
    run again.
    """
    return [rewrap(w, old, new) for w in wrapped_keys]


class DekSource(Protocol):
    """Where verifiers and readers get key bytes by id (a :class:`KeyRing` or a test fake)."""

    def key(self, key_id: str, purpose: KeyPurpose) -> bytes:
        """The key bytes of ``key_id`` if it has ``purpose``; :class:`KeyNotFoundError` (or
        :class:`KeyShreddedError`) otherwise, so a recording header cannot name a signing key."""
        ...


class KeyRing:
    """The wrapped keys the storage layer loaded, unwrapped lazily and cached in memory.

    Mutable by design (it is a cache), so not a dataclass. ``shred`` forgets the key and the
    storage layer must delete its row in the same step.
    """

    __slots__ = ("_cache", "_provider", "_shredded", "_wrapped")

    def __init__(self, provider: KeyProvider, wrapped_keys: Iterable[WrappedKey] = ()) -> None:
        self._provider = provider
        self._wrapped: dict[str, WrappedKey] = {}
        self._cache: dict[str, bytes] = {}
        self._shredded: set[str] = set()
        for w in wrapped_keys:
            self.add(w)

    def __repr__(self) -> str:
        return f"KeyRing(kek_id={self._provider.kek_id!r}, keys={len(self._wrapped)})"

    @property
    def provider(self) -> KeyProvider:
        return self._provider

    def add(self, wrapped: WrappedKey) -> None:
        if wrapped.key_id in self._shredded:
            raise KeyShreddedError(f"key {wrapped.key_id} was shredded")
        self._wrapped[wrapped.key_id] = wrapped

    def new_key(self, purpose: KeyPurpose) -> tuple[WrappedKey, bytes]:
        """Create, wrap and register a fresh DEK; persist the returned :class:`WrappedKey`."""
        wrapped, dek = new_data_key(self._provider, purpose)
        self._wrapped[wrapped.key_id] = wrapped
        self._cache[wrapped.key_id] = dek
        return wrapped, dek

    def wrapped(self, key_id: str) -> WrappedKey:
        try:
            return self._wrapped[key_id]
        except KeyError:
            if key_id in self._shredded:
                raise KeyShreddedError(f"key {key_id} was shredded") from None
            raise KeyNotFoundError(f"no key {key_id}") from None

    def key(self, key_id: str, purpose: KeyPurpose) -> bytes:
        wrapped = self.wrapped(key_id)
        if wrapped.purpose is not purpose:
            raise KeyNotFoundError(f"key {key_id} is a {wrapped.purpose} key, not {purpose}")
        cached = self._cache.get(key_id)
        if cached is not None:
            return cached
        dek = unwrap_key(self._provider, wrapped)
        self._cache[key_id] = dek
        return dek

    def __iter__(self) -> Iterator[WrappedKey]:
        return iter(list(self._wrapped.values()))

    def __len__(self) -> int:
        return len(self._wrapped)

    def __contains__(self, key_id: object) -> bool:
        return key_id in self._wrapped

    def shred(self, key_id: str) -> WrappedKey:
        """Destroy the key: forget the wrapped blob and the cached bytes. Returns what to delete."""
        wrapped = self.wrapped(key_id)
        del self._wrapped[key_id]
        self._cache.pop(key_id, None)
        self._shredded.add(key_id)
        return wrapped

    def rotate(self, new: KeyProvider) -> list[WrappedKey]:
        """Rewrap every key under ``new`` and switch to it; returns the rows to persist."""
        rotated = rotate(self._wrapped.values(), self._provider, new)
        self._wrapped = {w.key_id: w for w in rotated}
        self._provider = new
        return rotated


def key_fingerprint(public_key_raw: bytes) -> str:
    """Short public id of an Ed25519 public key: ``ed25519-`` + 16 hex digits of SHA-256."""
    return "ed25519-" + hashlib.sha256(public_key_raw).hexdigest()[:16]
