"""Settings of the records service and the one place the KEK provider is chosen (KMS hook)."""

from __future__ import annotations

from pathlib import Path

from server.audit import AuditOptions
from server.config import RecordsSettings, Settings
from server.crypto.keys import KeyProvider, ensure_kek_file, kek_from_base64


def records_settings(settings: Settings) -> RecordsSettings:
    return settings.records


def checkpoint_dir(settings: Settings) -> Path:
    rs = records_settings(settings)
    return Path(rs.checkpoint_dir) if rs.checkpoint_dir else settings.server.var_dir / "checkpoints"


def witness_dir(settings: Settings) -> Path:
    rs = records_settings(settings)
    return Path(rs.witness_dir) if rs.witness_dir else settings.server.var_dir / "witness"


def recordings_dir(settings: Settings) -> Path:
    rs = records_settings(settings)
    return Path(rs.recordings_dir) if rs.recordings_dir else settings.server.var_dir / "recordings"


def audit_options(settings: Settings) -> AuditOptions:
    rs = records_settings(settings)
    return AuditOptions(
        checkpoint_every_rows=rs.checkpoint_every_rows,
        checkpoint_every_seconds=rs.checkpoint_every_minutes * 60,
        checkpoint_dir=checkpoint_dir(settings),
        witness_dir=witness_dir(settings),
        segment_hours=rs.segment_key_hours,
    )


def key_provider(settings: Settings) -> KeyProvider:
    """The KEK: ``HOPCHIBO_KEYS_KEK`` (base64) if set, else the 0600 file ``keys.kek_file``
    (created on first run). A KMS goes here: return an object implementing
    :class:`server.crypto.keys.KeyProvider` whose wrap/unwrap call the KMS (docs/security.md)."""
    if settings.keys.kek:
        return kek_from_base64(settings.keys.kek, source="HOPCHIBO_KEYS_KEK")
    path = settings.kek_path
    path.parent.mkdir(parents=True, exist_ok=True)
    return ensure_kek_file(path)
