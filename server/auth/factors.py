"""Second factors: TOTP (RFC 6238) with sealed secrets, and one-time recovery codes."""

from __future__ import annotations

import base64
import datetime as dt
import io
import secrets

import pyotp
import qrcode
import qrcode.image.svg
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from server.auth.tokens import digest
from server.storage import identity as identity_store
from server.storage.db import Session

TOTP_PERIOD = 30
TOTP_DIGITS = 6
#: codes from the previous and next time step are accepted (clock drift on ships' devices)
TOTP_WINDOW = 1
ISSUER = "hopchibo"
RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


class SealError(ValueError):
    pass


def seal(kek: bytes, account_id: int, secret: str) -> str:
    """AES-256-GCM under the KEK, bound to the account (so a sealed secret cannot be moved)."""
    nonce = secrets.token_bytes(12)
    ct = AESGCM(kek).encrypt(nonce, secret.encode(), f"totp:{account_id}".encode())
    return base64.urlsafe_b64encode(nonce + ct).decode()


def unseal(kek: bytes, account_id: int, sealed: str) -> str:
    raw = base64.urlsafe_b64decode(sealed.encode())
    try:
        return AESGCM(kek).decrypt(raw[:12], raw[12:], f"totp:{account_id}".encode()).decode()
    except Exception as exc:  # cryptography raises InvalidTag
        raise SealError("TOTP secret cannot be unsealed with this KEK") from exc


def reseal(old_kek: bytes, new_kek: bytes, account_id: int, sealed: str) -> str:
    """``sealed`` under ``new_kek`` instead of ``old_kek`` (KEK rotation); empty stays empty."""
    if not sealed:
        return sealed
    return seal(new_kek, account_id, unseal(old_kek, account_id, sealed))


async def reseal_all(session: Session, old_kek: bytes, new_kek: bytes) -> int:
    """Re-seal every TOTP secret, confirmed and pending, inside the caller's transaction.
    Raises :class:`SealError` (and so rolls back) if any secret is under neither KEK."""
    count = 0
    for row in await identity_store.all_totp(session):
        row.sealed_secret = reseal(old_kek, new_kek, row.account_id, row.sealed_secret)
        row.pending_secret = reseal(old_kek, new_kek, row.account_id, row.pending_secret)
        count += 1
    await session.flush()
    return count


def new_totp_secret() -> str:
    return pyotp.random_base32(length=32)  # 160 bits, RFC 4226 recommendation


def provisioning_uri(secret: str, username: str) -> str:
    uri: str = pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_PERIOD).provisioning_uri(
        name=username, issuer_name=ISSUER
    )
    return uri


def qr_data_url(uri: str) -> str:
    """The enrolment QR code as an SVG ``data:`` URL (allowed by the CSP's ``img-src data:``)."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buf = io.BytesIO()
    image.save(buf)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode()


def totp_now(secret: str, at: dt.datetime) -> str:
    code: str = pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_PERIOD).at(at)
    return code


def matching_step(secret: str, code: str, at: dt.datetime) -> int | None:
    """The time step whose code equals ``code`` (within the window), or None."""
    if len(code) != TOTP_DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_PERIOD)
    step = int(at.timestamp()) // TOTP_PERIOD
    for candidate in range(step - TOTP_WINDOW, step + TOTP_WINDOW + 1):
        if secrets.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def new_recovery_codes() -> list[str]:
    """Ten codes of 16 characters from a 31-letter alphabet (~79 bits each), shown once."""
    out = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(16))
        out.append("-".join(raw[i : i + 4] for i in range(0, 16, 4)))
    return out


def recovery_hash(code: str) -> str:
    """SHA-256 suffices: the codes carry ~79 random bits, beyond offline guessing."""
    return digest(code.strip().lower().replace(" ", ""))
