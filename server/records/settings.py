"""Settings of the records service and the one place the KEK provider is chosen (KMS hook)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

from server.audit import AuditOptions
from server.config import ConfigError, Settings
from server.crypto.keys import KeyProvider, LocalKek, ensure_kek_file, kek_from_base64


@dataclass(frozen=True, slots=True)
class RecordsSettings:
    """``[records]``: give it to ``Settings`` as a section named ``records`` to configure it by
    ``HOPCHIBO_RECORDS_*``; until then the defaults apply."""

    checkpoint_every_rows: int = 1000
    checkpoint_every_minutes: int = 5
    #: exported checkpoint files, for the officer to copy off the server; empty = var/checkpoints
    checkpoint_dir: str = ""
    #: encrypted recording files; empty = var/recordings
    recordings_dir: str = ""
    #: a new audit segment key at least this often (and at every process start)
    segment_key_hours: int = 24

    def __post_init__(self) -> None:
        if self.checkpoint_every_rows < 1:
            raise ConfigError("must be at least 1", "HOPCHIBO_RECORDS_CHECKPOINT_EVERY_ROWS")
        if self.checkpoint_every_minutes < 1:
            raise ConfigError("must be at least 1", "HOPCHIBO_RECORDS_CHECKPOINT_EVERY_MINUTES")


def records_settings(settings: Settings) -> RecordsSettings:
    """The ``records`` section if ``Settings`` has one (any object with these fields)."""
    found = getattr(settings, "records", None)
    if found is None:
        return RecordsSettings()
    names = [f.name for f in fields(RecordsSettings) if hasattr(found, f.name)]
    return RecordsSettings(**{n: getattr(found, n) for n in names})


def checkpoint_dir(settings: Settings) -> Path:
    rs = records_settings(settings)
    return Path(rs.checkpoint_dir) if rs.checkpoint_dir else settings.server.var_dir / "checkpoints"


def recordings_dir(settings: Settings) -> Path:
    rs = records_settings(settings)
    return Path(rs.recordings_dir) if rs.recordings_dir else settings.server.var_dir / "recordings"


def audit_options(settings: Settings) -> AuditOptions:
    rs = records_settings(settings)
    return AuditOptions(
        checkpoint_every_rows=rs.checkpoint_every_rows,
        checkpoint_every_seconds=rs.checkpoint_every_minutes * 60,
        checkpoint_dir=checkpoint_dir(settings),
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


def provider_of_bytes(kek: bytes) -> KeyProvider:
    """Adapter for the KEK bytes the foundation loads (``appkeys.KEK``)."""
    return LocalKek(kek)
