"""The KEK as raw bytes for the app and CLI, read through the checks of
:mod:`server.crypto.keys` (0600, regular file, no symlink, exact length)."""

from __future__ import annotations

from pathlib import Path

from server.crypto.errors import KeyFileError
from server.crypto.keys import ensure_kek_bytes, kek_bytes_from_base64

__all__ = ["KeyFileError", "load_or_create_kek"]


def load_or_create_kek(path: Path, inline_b64: str = "") -> bytes:
    """The 32-byte KEK from ``inline_b64`` (``HOPCHIBO_KEYS_KEK``) or from ``path``, creating
    the file with mode 0600 on first run."""
    if inline_b64:
        return kek_bytes_from_base64(inline_b64, source="HOPCHIBO_KEYS_KEK")
    path.parent.mkdir(parents=True, exist_ok=True)
    return ensure_kek_bytes(path)
