"""Random secrets and their stored form (SHA-256, hex)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

#: 256 bits for session, invitation and API tokens (at least 128 are required)
TOKEN_BYTES = 32


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def csrf_for(session_token: str) -> str:
    """The per-session CSRF token: an HMAC of the cookie value, so nothing more is stored."""
    mac = hmac.new(session_token.encode(), b"hopchibo-csrf-v1", hashlib.sha256)
    return mac.hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
