"""The app's KEK loader has the checks of server.crypto.keys: one file format, one set of rules."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from server.crypto.keys import LocalKek
from server.kek import KeyFileError, load_or_create_kek


def test_created_once_then_read(tmp_path: Path) -> None:
    path = tmp_path / "var" / "kek.key"
    key = load_or_create_kek(path)
    assert len(key) == 32 and path.stat().st_mode & 0o777 == 0o600
    assert load_or_create_kek(path) == key
    # the same file opened by the records layer is the same KEK
    assert LocalKek(key).kek_id == LocalKek(load_or_create_kek(path)).kek_id


def test_refuses_readable_symlinked_and_malformed(tmp_path: Path) -> None:
    path = tmp_path / "kek.key"
    load_or_create_kek(path)
    os.chmod(path, 0o644)
    with pytest.raises(KeyFileError, match="0600"):
        load_or_create_kek(path)
    os.chmod(path, 0o600)
    link = tmp_path / "link.key"
    link.symlink_to(path)
    with pytest.raises(KeyFileError):
        load_or_create_kek(link)
    with pytest.raises(KeyFileError, match="base64"):
        load_or_create_kek(path, inline_b64="not base64!")
    with pytest.raises(KeyFileError, match="32 bytes"):
        load_or_create_kek(path, inline_b64=base64.b64encode(b"short").decode())
