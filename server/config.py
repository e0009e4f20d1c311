"""Settings: one frozen object per section, built once at start-up.

Sources, later wins: the defaults below, an optional TOML file (``HOPCHIBO_CONFIG``), then
``HOPCHIBO_<SECTION>_<FIELD>`` environment variables. A secret may instead be given as a path in
``HOPCHIBO_<SECTION>_<FIELD>_FILE``. A bad or missing value raises :class:`ConfigError` naming the
setting. Nothing reads the environment after :func:`load_settings` returns.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class ConfigError(Exception):
    def __init__(self, message: str, key: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key


@dataclass(frozen=True, slots=True)
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = 8080
    public_origin: str = "http://127.0.0.1:8080"
    #: extra WebSocket/CSRF origins besides ``public_origin``
    allowed_origins: tuple[str, ...] = ()
    max_body_bytes: int = 1_048_576
    var_dir: Path = Path("var")
    #: serve cookies without ``Secure``/``__Host-`` (plain-HTTP development only)
    insecure_cookies: bool = False
    #: proxies (addresses or CIDR networks) whose ``X-Forwarded-For`` names the client: the
    #: deployment's nginx. Empty: the peer address is the client, the header is ignored.
    trusted_proxies: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not 0 < self.port < 65536:
            raise ConfigError("must be a port number 1–65535", "HOPCHIBO_SERVER_PORT")
        if self.max_body_bytes < 1024:
            raise ConfigError("must be at least 1024", "HOPCHIBO_SERVER_MAX_BODY_BYTES")
        for network in self.trusted_proxies:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError:
                raise ConfigError(
                    f"not an address or network: {network!r}", "HOPCHIBO_SERVER_TRUSTED_PROXIES"
                ) from None


@dataclass(frozen=True, slots=True)
class DatabaseSettings:
    #: SQLAlchemy async URL; empty means ``sqlite+aiosqlite:///<var_dir>/hopchibo.db``
    url: str = ""
    echo: bool = False


@dataclass(frozen=True, slots=True)
class BusSettings:
    #: Redis URL; empty means the in-process bus and in-process rate limiting
    redis_url: str = ""
    #: prefix of every Redis key and channel, so deployments (and test runs) can share a Redis
    key_prefix: str = "hopchibo"
    #: with Redis, a meeting is live in one process at a time: another process answers its
    #: WebSocket with 404 ``hosted_elsewhere`` so the proxy tries the next one
    #: (server/meeting/hosts.py); off, a meeting may be live in several, followed over the bus
    one_host_per_meeting: bool = True

    def __post_init__(self) -> None:
        if not self.key_prefix or not self.key_prefix.replace("-", "").replace("_", "").isalnum():
            raise ConfigError("letters, digits, '-' and '_' only", "HOPCHIBO_BUS_KEY_PREFIX")


@dataclass(frozen=True, slots=True)
class NodeSettings:
    """How many meetings this process takes (server/meeting/nodes.py); 0: no limit."""

    max_meetings: int = 0
    #: WebSocket connections across its meetings
    max_members: int = 0
    #: a meeting live nowhere goes to another node with room when this one hosts more than this
    #: many meetings above the least loaded one
    balance_margin: int = 1

    def __post_init__(self) -> None:
        for name in ("max_meetings", "max_members", "balance_margin"):
            if getattr(self, name) < 0:
                raise ConfigError("must be 0 or more", f"HOPCHIBO_NODE_{name.upper()}")


@dataclass(frozen=True, slots=True)
class KeySettings:
    #: key-encryption key file, created with mode 0600 on first run; empty = ``<var_dir>/kek.key``
    kek_file: str = ""
    #: the KEK itself (base64), e.g. from a secret manager; overrides ``kek_file``
    kek: str = field(default="", repr=False)


@dataclass(frozen=True, slots=True)
class SecuritySettings:
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    login_max_failures: int = 5
    login_lock_minutes: int = 15
    #: distinct accounts failing (and not signing in since) from one address within the window
    #: before the address is locked (password spraying); one member's failures count once
    login_address_accounts: int = 10
    invitation_hours: int = 72
    rp_id: str = "127.0.0.1"
    rp_name: str = "hopchibo"
    audit_retention_days: int = 365
    recording_retention_days: int = 365

    def __post_init__(self) -> None:
        if self.audit_retention_days < 92:
            raise ConfigError(
                "must be at least 92 days (TCVN 11930:2017 log retention)",
                "HOPCHIBO_SECURITY_AUDIT_RETENTION_DAYS",
            )


@dataclass(frozen=True, slots=True)
class MediaSettings:
    video_slots: int = 4
    audio_slots: int = 3
    stun_urls: tuple[str, ...] = ()
    turn_urls: tuple[str, ...] = ()
    turn_secret: str = field(default="", repr=False)
    turn_ttl_minutes: int = 720
    #: tests on loopback-only hosts: offer 127.0.0.1 as a host candidate
    loopback_candidate: bool = False
    reconnect_grace_seconds: int = 120
    opus_fec: bool = True
    """Opus in-band FEC in the relay's answers; off only to measure what it buys (bench/sea.py)."""
    audio_red: bool = True
    """RED (RFC 2198) around Opus with the clients that offer it; off only to measure what it
    buys (bench/sea.py)."""
    audio_nack: bool = True
    """Ask publishers for the audio their uplink lost and have the others hold that publisher's
    audio a round trip for it (docs/media.md); off only to measure what it buys (bench/sea.py)."""
    adaptation: bool = False
    """Per-subscriber adaptation: each member gets the video its downlink carries (fewer
    videos, a lower frame rate, audio only). Off by default until it stops costing a member at
    sea (20 % random loss: 11 % concealed with it, against at most 5 % without) and a console's
    speaker video; bench/adapt.py and bench/sea.py turn it on to measure it (issue #16)."""
    workers: int = 0
    """Relay worker processes of this server process (``server/media/worker.py``): each member's
    peer connection goes to one of them and pipes join them, so one meeting uses several cores.
    0: the relay runs in this process, as before (issue 15, docs/media.md)."""
    worker_host: str = "127.0.0.1"
    """Where this process's relay workers listen: an address the workers on other machines
    reach when there are any (a worker listening off loopback needs the ``worker_tls_*``)."""
    remote_workers: tuple[str, ...] = ()
    """Control addresses (``host:port``) of relay workers started on other machines with
    ``--stay``, attached at start-up and again whenever one comes back (docs/media.md)."""
    worker_token: str = field(default="", repr=False)
    """The secret the workers on other machines were started with (their
    ``HOPCHIBO_RELAY_TOKEN``); required with ``remote_workers``."""
    worker_tls_cert: str = ""
    """This machine's certificate (PEM) for mutual TLS with the relay workers: required with
    ``remote_workers`` (media crosses the network) and with a non-loopback ``worker_host``."""
    worker_tls_key: str = ""
    worker_tls_ca: str = ""
    """The CA (PEM) that signed every relay machine's certificate; no other is accepted."""

    def __post_init__(self) -> None:
        if self.workers < 0:
            raise ConfigError("must be 0 or more", "HOPCHIBO_MEDIA_WORKERS")
        for address in self.remote_workers:
            _host_port(address)  # raises
        tls = {
            "HOPCHIBO_MEDIA_WORKER_TLS_CERT": self.worker_tls_cert,
            "HOPCHIBO_MEDIA_WORKER_TLS_KEY": self.worker_tls_key,
            "HOPCHIBO_MEDIA_WORKER_TLS_CA": self.worker_tls_ca,
        }
        missing = [key for key, value in tls.items() if not value]
        if len(missing) < len(tls):
            if missing:
                raise ConfigError("the three worker_tls_* files go together", missing[0])
        elif self.remote_workers:
            raise ConfigError(
                "relay workers on other machines need mutual TLS: media would cross the"
                " network in clear (set worker_tls_cert, worker_tls_key and worker_tls_ca)",
                missing[0],
            )
        elif self.workers and not is_loopback(self.worker_host):
            raise ConfigError(
                "relay workers listening off loopback need mutual TLS (worker_tls_*)",
                "HOPCHIBO_MEDIA_WORKER_HOST",
            )
        if self.remote_workers and self.workers and is_loopback(self.worker_host):
            raise ConfigError(
                "with remote_workers, this machine's workers must listen where the other"
                " machines' workers reach them (they dial the pipes too)",
                "HOPCHIBO_MEDIA_WORKER_HOST",
            )
        if self.remote_workers and len(self.worker_token) < 32:
            raise ConfigError(
                "required with remote_workers: at least 32 characters, the same as each"
                " remote worker's HOPCHIBO_RELAY_TOKEN",
                "HOPCHIBO_MEDIA_WORKER_TOKEN",
            )

    @property
    def remote_worker_addresses(self) -> list[tuple[str, int]]:
        return [_host_port(address) for address in self.remote_workers]


def _host_port(address: str) -> tuple[str, int]:
    """``host:port`` or ``[v6]:port``."""
    host, sep, port = address.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"expected host:port, got {address!r}", "HOPCHIBO_MEDIA_REMOTE_WORKERS")
    return host, int(port)


def is_loopback(host: str) -> bool:
    """``host`` is a loopback address (a name other than ``localhost``: it may resolve to
    anything, so not)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class RecordsSettings:
    """Audit checkpoints and encrypted recordings (records security)."""

    checkpoint_every_rows: int = 1000
    checkpoint_every_minutes: int = 5
    #: exported checkpoint files, for the officer to copy off the server; empty = var/checkpoints
    checkpoint_dir: str = ""
    #: the witness: every signed checkpoint is also written here, once, never rewritten; put it
    #: on another mount the app can only append to (docs/security.md); empty = var/witness
    witness_dir: str = ""
    #: encrypted recording files; empty = var/recordings
    recordings_dir: str = ""
    #: a new audit segment key at least this often (and at every process start)
    segment_key_hours: int = 24

    def __post_init__(self) -> None:
        if self.checkpoint_every_rows < 1:
            raise ConfigError("must be at least 1", "HOPCHIBO_RECORDS_CHECKPOINT_EVERY_ROWS")
        if self.checkpoint_every_minutes < 1:
            raise ConfigError("must be at least 1", "HOPCHIBO_RECORDS_CHECKPOINT_EVERY_MINUTES")
        if self.segment_key_hours < 1:
            raise ConfigError("must be at least 1", "HOPCHIBO_RECORDS_SEGMENT_KEY_HOURS")


@dataclass(frozen=True, slots=True)
class OpsSettings:
    """What the operator sees: metrics and the server's own logs (docs/operations.md)."""

    #: addresses (CIDR) that may read ``/metrics``; a request through the proxy never may
    metrics_allow: tuple[str, ...] = ("127.0.0.1/32", "::1/128")
    #: ``json`` (one object per line, with the request id) or ``text``
    log_format: str = "json"
    #: also write the log here, rotated daily; empty = standard error only (journald keeps it)
    log_file: str = ""
    #: months the rotated log files are kept (Decree 53/2022: at least 12 is asked; never < 3)
    log_retention_months: int = 12

    def __post_init__(self) -> None:
        if self.log_retention_months < 3:
            raise ConfigError(
                "must be at least 3 months (12 by default, Decree 53/2022)",
                "HOPCHIBO_OPS_LOG_RETENTION_MONTHS",
            )
        if self.log_format not in ("json", "text"):
            raise ConfigError("must be json or text", "HOPCHIBO_OPS_LOG_FORMAT")
        for network in self.metrics_allow:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError:
                raise ConfigError(
                    f"not an address or network: {network!r}", "HOPCHIBO_OPS_METRICS_ALLOW"
                ) from None


@dataclass(frozen=True, slots=True)
class AttendanceSettings:
    """A1 after a crash (docs/operations.md): each process renews a lease and records when it
    last saw each member it holds; an interval whose process's lease ran out ended then."""

    #: how often a process renews its lease and records last-seen times (the most a crashed
    #: process's attendance can be short by)
    heartbeat_seconds: int = 10
    #: how long a lease runs past each renewal: a dead process is known this long after its
    #: last renewal at most
    lease_seconds: int = 30

    def __post_init__(self) -> None:
        if self.heartbeat_seconds < 1:
            raise ConfigError("must be at least 1", "HOPCHIBO_ATTENDANCE_HEARTBEAT_SECONDS")
        if self.lease_seconds < 2 * self.heartbeat_seconds:
            raise ConfigError(
                "must be at least twice heartbeat_seconds (one late renewal is not a death)",
                "HOPCHIBO_ATTENDANCE_LEASE_SECONDS",
            )


@dataclass(frozen=True, slots=True)
class Settings:
    server: ServerSettings = field(default_factory=ServerSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    bus: BusSettings = field(default_factory=BusSettings)
    keys: KeySettings = field(default_factory=KeySettings)
    security: SecuritySettings = field(default_factory=SecuritySettings)
    media: MediaSettings = field(default_factory=MediaSettings)
    records: RecordsSettings = field(default_factory=RecordsSettings)
    ops: OpsSettings = field(default_factory=OpsSettings)
    attendance: AttendanceSettings = field(default_factory=AttendanceSettings)
    node: NodeSettings = field(default_factory=NodeSettings)

    @property
    def database_url(self) -> str:
        if self.database.url:
            return self.database.url
        return f"sqlite+aiosqlite:///{self.server.var_dir / 'hopchibo.db'}"

    @property
    def kek_path(self) -> Path:
        return Path(self.keys.kek_file) if self.keys.kek_file else self.server.var_dir / "kek.key"


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _cast(value: object, typ: Any, key: str) -> object:
    """Cast a TOML value or an environment string to the field's declared type."""
    origin = typing.get_origin(typ)
    if origin is types.UnionType or origin is typing.Union:
        inner = [a for a in typing.get_args(typ) if a is not type(None)]
        return None if value in ("", None) else _cast(value, inner[0], key)
    if typ is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
            return value.lower() in _TRUE
        raise ConfigError(f"expected true or false, got {value!r}", key)
    if typ is int:
        if isinstance(value, bool):
            raise ConfigError(f"expected an integer, got {value!r}", key)
        try:
            return int(str(value))
        except ValueError:
            raise ConfigError(f"expected an integer, got {value!r}", key) from None
    if typ is str:
        if not isinstance(value, str):
            raise ConfigError(f"expected a string, got {value!r}", key)
        return value
    if typ is Path:
        if not isinstance(value, str):
            raise ConfigError(f"expected a path, got {value!r}", key)
        return Path(value)
    if origin is tuple:
        if isinstance(value, str):
            return tuple(v.strip() for v in value.split(",") if v.strip())
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        raise ConfigError(f"expected a comma-separated list, got {value!r}", key)
    raise ConfigError(f"unsupported setting type {typ!r}", key)


def _section(
    cls: type[Any], name: str, file_values: Mapping[str, object], env: Mapping[str, str]
) -> Any:
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    for extra in set(file_values) - known:
        raise ConfigError("unknown setting", f"[{name}] {extra}")
    kwargs: dict[str, object] = {}
    for f in dataclasses.fields(cls):
        key = f"HOPCHIBO_{name.upper()}_{f.name.upper()}"
        if f.name in file_values:
            kwargs[f.name] = _cast(file_values[f.name], hints[f.name], f"[{name}] {f.name}")
        if key in env:
            kwargs[f.name] = _cast(env[key], hints[f.name], key)
        elif f"{key}_FILE" in env:
            path = Path(env[f"{key}_FILE"])
            try:
                kwargs[f.name] = _cast(path.read_text().strip(), hints[f.name], f"{key}_FILE")
            except OSError as exc:
                raise ConfigError(f"cannot read {path}: {exc.strerror}", f"{key}_FILE") from None
    return cls(**kwargs)


def load_settings(env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Build the settings. ``overrides`` replace whole sections (tests)."""
    env = os.environ if env is None else env
    file_data: dict[str, object] = {}
    if config_path := env.get("HOPCHIBO_CONFIG"):
        try:
            file_data = tomllib.loads(Path(config_path).read_text())
        except OSError as exc:
            raise ConfigError(f"cannot read: {exc.strerror}", "HOPCHIBO_CONFIG") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"not valid TOML: {exc}", "HOPCHIBO_CONFIG") from None
    sections: dict[str, object] = {}
    known = {f.name: f for f in dataclasses.fields(Settings)}
    for extra in set(file_data) - set(known):
        raise ConfigError("unknown section", f"[{extra}]")
    hints = typing.get_type_hints(Settings)
    for name in known:
        if name in overrides:
            sections[name] = overrides[name]
            continue
        values = file_data.get(name, {})
        if not isinstance(values, dict):
            raise ConfigError("must be a table", f"[{name}]")
        sections[name] = _section(hints[name], name, values, env)
    return Settings(**sections)  # type: ignore[arg-type]
