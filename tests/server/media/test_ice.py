"""TURN REST-API credentials and ICE server configuration."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from server.config import MediaSettings
from server.media.ice import IceServer, ice_servers, turn_credentials

NOW = datetime(2026, 11, 23, 19, 0, tzinfo=UTC)


def test_known_vector() -> None:
    # checked with: echo -n "1795464000:member-42" | openssl dgst -sha1 -hmac north -binary | base64
    creds = turn_credentials(b"north", "member-42", timedelta(hours=1), NOW)
    assert creds.username == "1795464000:member-42"
    assert creds.credential == "D11XZ4dzQB/0fMTcLiIpM0sU7fg="
    assert creds.expires_at == datetime(2026, 11, 23, 20, 0, tzinfo=UTC)


def test_credential_is_hmac_sha1_of_the_username() -> None:
    creds = turn_credentials(b"s3cret", "u1", timedelta(minutes=5), NOW)
    expected = hmac.new(b"s3cret", creds.username.encode(), hashlib.sha1).digest()
    assert base64.b64decode(creds.credential) == expected
    assert int(creds.username.split(":", 1)[0]) == int(NOW.timestamp()) + 300


@pytest.mark.parametrize(
    ("secret", "user", "ttl", "now"),
    [
        (b"", "u", timedelta(minutes=1), NOW),
        (b"s", "a:b", timedelta(minutes=1), NOW),
        (b"s", "", timedelta(minutes=1), NOW),
        (b"s", "u", timedelta(0), NOW),
        (b"s", "u", timedelta(minutes=1), datetime(2026, 1, 1)),  # naive
    ],
)
def test_bad_inputs_are_refused(secret: bytes, user: str, ttl: timedelta, now: datetime) -> None:
    with pytest.raises(ValueError):
        turn_credentials(secret, user, ttl, now)


def test_ice_servers_from_settings() -> None:
    settings = MediaSettings(
        stun_urls=("stun:turn.example.org:3478",),
        turn_urls=("turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349"),
        turn_secret="north",
        turn_ttl_minutes=60,
    )
    stun, turn = ice_servers(settings, "member-42", NOW)
    assert stun == IceServer(urls=("stun:turn.example.org:3478",))
    assert turn.username == "1795464000:member-42"
    assert turn.credential == "D11XZ4dzQB/0fMTcLiIpM0sU7fg="
    assert turn.as_json() == {
        "urls": list(settings.turn_urls),
        "username": "1795464000:member-42",
        "credential": "D11XZ4dzQB/0fMTcLiIpM0sU7fg=",
    }
    # no secret: no TURN (it would be refused anyway)
    assert ice_servers(MediaSettings(turn_urls=("turn:x:3478",)), "u", NOW) == ()


def test_ice_server_validation() -> None:
    with pytest.raises(ValueError):
        IceServer(urls=())
    with pytest.raises(ValueError):
        IceServer(urls=("http://example.org",))
    with pytest.raises(ValueError):
        IceServer(urls=("turn:x:3478",))
