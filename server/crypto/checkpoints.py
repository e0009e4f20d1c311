"""Signed Merkle tree heads of the audit log (Ed25519), their policy and their export.

A checkpoint says "the log ``log_id`` had ``size`` rows and RFC 6962 root ``root`` at ``ts``".
The signed message is line-oriented text (in the spirit of C2SP signed notes)::

    hopchibo-checkpoint/v1
    <log_id>
    <size>
    <base64 root>
    <ts, microseconds UTC>

Checkpoints are exported as one small JSON file each, so a security officer can copy the directory
off the server; whoever keeps a copy can later prove truncation or rollback (see verify.py).
The signing key is a 32-byte Ed25519 seed stored as a :class:`WrappedKey` of purpose
``checkpoint-signing`` under the KEK, so it rotates with the KEK and never sits on disk in clear.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from server.crypto.auditchain import ChainState
from server.crypto.errors import CryptoError
from server.crypto.keys import KeyPurpose, KeyRing, WrappedKey, key_fingerprint, wrap_key
from server.crypto.merkle import HASH_SIZE

_HEADER = "hopchibo-checkpoint/v1"
_PUBLIC_KEY_PREFIX = "hopchibo-ed25519 "


class CheckpointFormatError(CryptoError):
    """A checkpoint or public-key file does not parse."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A signed tree head. Storable as plain columns; exported as JSON."""

    log_id: str
    size: int
    root: bytes
    ts: int
    signer: str
    signature: bytes

    def __post_init__(self) -> None:
        if self.size < 0:
            raise ValueError("checkpoint size must be >= 0")
        if not self.log_id or "\n" in self.log_id:
            raise ValueError("log_id must be one non-empty line")

    def signed_message(self) -> bytes:
        return signed_message(self.log_id, self.size, self.root, self.ts)


def signed_message(log_id: str, size: int, root: bytes, ts: int) -> bytes:
    root_b64 = base64.b64encode(root).decode()
    return f"{_HEADER}\n{log_id}\n{size}\n{root_b64}\n{ts}\n".encode()


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


class CheckpointSigner:
    """Holds the Ed25519 private key in memory; signs tree heads of one log."""

    __slots__ = ("_key", "_log_id", "_public_raw", "fingerprint")

    def __init__(self, private_key: Ed25519PrivateKey, log_id: str) -> None:
        self._key = private_key
        self._log_id = log_id
        self._public_raw = _raw_public(private_key.public_key())
        self.fingerprint = key_fingerprint(self._public_raw)

    def __repr__(self) -> str:
        return f"CheckpointSigner(log_id={self._log_id!r}, signer={self.fingerprint!r})"

    @property
    def log_id(self) -> str:
        return self._log_id

    @property
    def public_key_raw(self) -> bytes:
        return self._public_raw

    def sign_bytes(self, message: bytes) -> bytes:
        return self._key.sign(message)

    def sign(self, size: int, root: bytes, ts: int) -> Checkpoint:
        if len(root) != HASH_SIZE:
            raise ValueError("root must be a 32-byte hash")
        sig = self._key.sign(signed_message(self._log_id, size, root, ts))
        return Checkpoint(self._log_id, size, root, ts, self.fingerprint, sig)

    def sign_state(self, state: ChainState, ts: int) -> Checkpoint:
        """Checkpoint of the log as ``state`` describes it."""
        return self.sign(state.seq, state.root(), ts)


def new_signer(keyring: KeyRing, log_id: str) -> tuple[WrappedKey, CheckpointSigner]:
    """A fresh signing key, wrapped under the ring's KEK (persist the WrappedKey)."""
    private = Ed25519PrivateKey.generate()
    seed = private.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    wrapped = wrap_key(keyring.provider, KeyPurpose.CHECKPOINT_SIGNING, seed)
    keyring.add(wrapped)
    return wrapped, CheckpointSigner(private, log_id)


def load_signer(keyring: KeyRing, key_id: str, log_id: str) -> CheckpointSigner:
    seed = keyring.key(key_id, KeyPurpose.CHECKPOINT_SIGNING)
    return CheckpointSigner(Ed25519PrivateKey.from_private_bytes(seed), log_id)


@dataclass(frozen=True, slots=True)
class TrustedSigners:
    """Public keys a verifier accepts, by fingerprint. Take them from the officer's copy, not
    from the server's database: whoever can write the database could add a key there."""

    keys: Mapping[str, Ed25519PublicKey] = field(default_factory=dict)

    @classmethod
    def of(cls, public_keys_raw: Iterable[bytes]) -> TrustedSigners:
        return cls(
            {key_fingerprint(r): Ed25519PublicKey.from_public_bytes(r) for r in public_keys_raw}
        )

    def check(self, cp: Checkpoint, log_id: str) -> str | None:
        """``None`` if ``cp`` is a valid checkpoint of ``log_id``, else why not."""
        if cp.log_id != log_id:
            return f"checkpoint at size {cp.size} belongs to log {cp.log_id!r}, not {log_id!r}"
        key = self.keys.get(cp.signer)
        if key is None:
            return f"checkpoint at size {cp.size} is signed by unknown key {cp.signer}"
        try:
            key.verify(cp.signature, cp.signed_message())
        except InvalidSignature:
            return f"checkpoint at size {cp.size} has an invalid signature"
        return None


def public_key_text(public_key_raw: bytes) -> str:
    """One-line text form of a signing public key, for the officer's copy."""
    return _PUBLIC_KEY_PREFIX + base64.b64encode(public_key_raw).decode() + "\n"


def parse_public_key_text(text: str) -> bytes:
    line = text.strip()
    if not line.startswith(_PUBLIC_KEY_PREFIX):
        raise CheckpointFormatError("not a hopchibo Ed25519 public key")
    try:
        raw = base64.b64decode(line[len(_PUBLIC_KEY_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise CheckpointFormatError("public key is not valid base64") from None
    if len(raw) != 32:
        raise CheckpointFormatError("an Ed25519 public key has 32 bytes")
    return raw


def dump_checkpoint(cp: Checkpoint) -> str:
    return (
        json.dumps(
            {
                "format": _HEADER,
                "log_id": cp.log_id,
                "size": cp.size,
                "root": base64.b64encode(cp.root).decode(),
                "ts": cp.ts,
                "signer": cp.signer,
                "signature": base64.b64encode(cp.signature).decode(),
            },
            indent=1,
            sort_keys=True,
        )
        + "\n"
    )


def parse_checkpoint(text: str) -> Checkpoint:
    try:
        obj = json.loads(text)
        if obj["format"] != _HEADER:
            raise CheckpointFormatError(f"unknown checkpoint format {obj['format']!r}")
        size, ts = obj["size"], obj["ts"]
        if not isinstance(size, int) or not isinstance(ts, int):
            raise CheckpointFormatError("checkpoint size and ts must be integers")
        return Checkpoint(
            log_id=str(obj["log_id"]),
            size=size,
            root=base64.b64decode(obj["root"], validate=True),
            ts=ts,
            signer=str(obj["signer"]),
            signature=base64.b64decode(obj["signature"], validate=True),
        )
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        if isinstance(exc, CheckpointFormatError):
            raise
        raise CheckpointFormatError(f"malformed checkpoint: {exc.__class__.__name__}") from None


def export_checkpoint(directory: Path, cp: Checkpoint) -> Path:
    """Write ``cp`` into ``directory`` as ``<log_id>-<size>.json`` (atomic rename)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{cp.log_id}-{cp.size:012d}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(dump_checkpoint(cp), encoding="utf-8")
    os.replace(tmp, path)
    return path


def witness_checkpoint(directory: Path, cp: Checkpoint) -> Path:
    """Write ``cp`` into the witness ``directory`` once: exclusive create, no rename, no
    overwrite, no delete — the operations an append-only directory (``chattr +a``) allows. An
    existing file of the same name is left as it is (the checkpoint was witnessed before)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{cp.log_id}-{cp.size:012d}.json"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
    except FileExistsError:
        return path
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(dump_checkpoint(cp))
        f.flush()
        os.fsync(f.fileno())
    return path


def load_checkpoints(directory: Path) -> list[Checkpoint]:
    """Every checkpoint file in ``directory``, by size."""
    cps = [parse_checkpoint(p.read_text(encoding="utf-8")) for p in directory.glob("*.json")]
    return sorted(cps, key=lambda c: (c.size, c.ts))


@dataclass(frozen=True, slots=True)
class CheckpointPolicy:
    """Sign a checkpoint every ``every_rows`` rows or ``every_seconds``, whichever comes first
    (and only if rows were added since the last one)."""

    every_rows: int = 1000
    every_seconds: int = 300

    def __post_init__(self) -> None:
        if self.every_rows < 1 or self.every_seconds < 1:
            raise ValueError("checkpoint intervals must be positive")

    def due(self, last: Checkpoint | None, state: ChainState, now_us: int) -> bool:
        last_size = last.size if last is not None else 0
        if state.seq <= last_size:
            return False
        if state.seq - last_size >= self.every_rows or last is None:
            return True
        return now_us - last.ts >= self.every_seconds * 1_000_000
