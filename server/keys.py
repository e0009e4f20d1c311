"""The key-encryption key file: created with mode 0600 on first run, never logged."""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

KEK_BYTES = 32


class KeyFileError(Exception):
    pass


def load_or_create_kek(path: Path, inline_b64: str = "") -> bytes:
    """Return the 32-byte KEK from ``inline_b64`` or ``path``, creating the file if absent."""
    if inline_b64:
        try:
            key = base64.b64decode(inline_b64, validate=True)
        except ValueError:
            raise KeyFileError("HOPCHIBO_KEYS_KEK: not valid base64") from None
        if len(key) != KEK_BYTES:
            raise KeyFileError(f"HOPCHIBO_KEYS_KEK: must decode to {KEK_BYTES} bytes")
        return key
    if path.exists():
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            raise KeyFileError(f"{path}: key file must not be readable by others (mode {mode:o})")
        key = base64.b64decode(path.read_text().strip())
        if len(key) != KEK_BYTES:
            raise KeyFileError(f"{path}: must hold {KEK_BYTES} bytes in base64")
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(KEK_BYTES)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(base64.b64encode(key).decode() + "\n")
    return key
