"""ICE servers for the relay and for clients: STUN, and TURN with time-limited credentials.

TURN credentials follow coturn's REST-API shared-secret scheme (``use-auth-secret`` in
``deploy/coturn/turnserver.conf``; draft-uberti-behave-turn-rest-00): the username is
``"<expiry unix time>:<user id>"`` and the credential is ``base64(HMAC-SHA1(secret, username))``.
coturn recomputes the credential from the shared secret and refuses it after the expiry, so the
server never stores TURN passwords and a leaked credential dies on its own.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from server.config import MediaSettings

_TURN_SCHEMES = ("turn:", "turns:")
_STUN_SCHEMES = ("stun:", "stuns:")


@dataclass(frozen=True, slots=True)
class TurnCredentials:
    username: str
    credential: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class IceServer:
    """One entry of ``RTCConfiguration.iceServers``, as both aiortc and browsers take it."""

    urls: tuple[str, ...]
    username: str | None = None
    credential: str | None = None

    def __post_init__(self) -> None:
        if not self.urls:
            raise ValueError("IceServer needs at least one URL")
        for url in self.urls:
            if not url.startswith(_TURN_SCHEMES + _STUN_SCHEMES):
                raise ValueError(f"not a STUN/TURN URL: {url!r}")
            if url.startswith(_TURN_SCHEMES) and (self.username is None or not self.credential):
                raise ValueError(f"TURN URL {url!r} needs a username and a credential")

    def as_json(self) -> dict[str, object]:
        """The browser's ``RTCIceServer`` dictionary."""
        out: dict[str, object] = {"urls": list(self.urls)}
        if self.username is not None:
            out["username"] = self.username
        if self.credential is not None:
            out["credential"] = self.credential
        return out


def turn_credentials(secret: bytes, user_id: str, ttl: timedelta, now: datetime) -> TurnCredentials:
    """coturn REST-API credentials valid from ``now`` for ``ttl`` (rounded down to a second).

    ``now`` must be timezone-aware. ``user_id`` must not contain ``:`` (coturn splits on the
    first colon to find the expiry).
    """
    if not secret:
        raise ValueError("the TURN shared secret is empty")
    if ":" in user_id or not user_id:
        raise ValueError("user_id must be non-empty and contain no ':'")
    if ttl <= timedelta(0):
        raise ValueError("ttl must be positive")
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    expiry = int((now + ttl).timestamp())
    username = f"{expiry}:{user_id}"
    digest = hmac.new(secret, username.encode("utf-8"), hashlib.sha1).digest()
    return TurnCredentials(
        username=username,
        credential=base64.b64encode(digest).decode("ascii"),
        expires_at=datetime.fromtimestamp(expiry, tz=UTC),
    )


def ice_servers(settings: MediaSettings, user_id: str, now: datetime) -> tuple[IceServer, ...]:
    """The ICE servers to give ``user_id`` (a participant, or the relay itself) at ``now``.

    STUN URLs need no credentials. TURN URLs are left out when no shared secret is configured.
    """
    servers: list[IceServer] = []
    if settings.stun_urls:
        servers.append(IceServer(urls=tuple(settings.stun_urls)))
    if settings.turn_urls and settings.turn_secret:
        creds = turn_credentials(
            settings.turn_secret.encode("utf-8"),
            user_id,
            timedelta(minutes=settings.turn_ttl_minutes),
            now,
        )
        servers.append(
            IceServer(
                urls=tuple(settings.turn_urls),
                username=creds.username,
                credential=creds.credential,
            )
        )
    return tuple(servers)
