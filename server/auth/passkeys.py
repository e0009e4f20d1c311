"""WebAuthn passkeys through the ``webauthn`` library, user verification required.

Challenges are stored (single use, :data:`CHALLENGE_SECONDS`) and found again by the challenge
that comes back inside clientDataJSON, so passkey sign-in needs no prior cookie.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from server.storage import identity as identity_store
from server.storage.db import Session
from server.storage.models_auth import WebAuthnChallenge

CHALLENGE_SECONDS = 300


class PasskeyError(ValueError):
    """The response was refused; ``reason`` is a short code for the audit log."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


def registration_options(
    *,
    rp_id: str,
    rp_name: str,
    account_id: int,
    username: str,
    display_name: str,
    existing: Sequence[str],
) -> tuple[dict[str, Any], str]:
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name=rp_name,
        user_id=f"hopchibo-account-{account_id}".encode(),
        user_name=username,
        user_display_name=display_name,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(c)) for c in existing
        ],
    )
    data: dict[str, Any] = json.loads(options_to_json(options))
    return data, bytes_to_base64url(options.challenge)


def authentication_options(*, rp_id: str, allow: Sequence[str]) -> tuple[dict[str, Any], str]:
    options = generate_authentication_options(
        rp_id=rp_id,
        allow_credentials=[PublicKeyCredentialDescriptor(id=base64url_to_bytes(c)) for c in allow],
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    data: dict[str, Any] = json.loads(options_to_json(options))
    return data, bytes_to_base64url(options.challenge)


def challenge_of(credential: dict[str, Any]) -> str:
    """The challenge the client signed over (not yet trusted: it only selects the record)."""
    try:
        raw = credential["response"]["clientDataJSON"]
        client_data = json.loads(base64url_to_bytes(raw))
        challenge = client_data["challenge"]
    except (KeyError, TypeError, ValueError) as exc:
        raise PasskeyError("malformed", str(exc)) from None
    if not isinstance(challenge, str) or len(challenge) > 100:
        raise PasskeyError("malformed", "challenge")
    return challenge


def credential_id_of(credential: dict[str, Any]) -> str:
    raw = credential.get("rawId") or credential.get("id")
    if not isinstance(raw, str) or not 0 < len(raw) <= 1400:
        raise PasskeyError("malformed", "credential id")
    return raw


def verify_registration(
    credential: dict[str, Any], *, challenge: str, rp_id: str, origins: list[str]
) -> tuple[str, bytes, int]:
    """(credential id, COSE public key, sign count) of a valid registration."""
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id,
            expected_origin=origins,
            require_user_verification=True,
        )
    except WebAuthnException as exc:
        raise PasskeyError(_reason(str(exc)), str(exc)) from None
    except (KeyError, TypeError, ValueError) as exc:
        raise PasskeyError("malformed", str(exc)) from None
    return (
        bytes_to_base64url(verified.credential_id),
        verified.credential_public_key,
        verified.sign_count,
    )


def verify_assertion(
    credential: dict[str, Any],
    *,
    challenge: str,
    rp_id: str,
    origins: list[str],
    public_key: bytes,
    sign_count: int,
) -> int:
    """The new sign count of a valid assertion."""
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id,
            expected_origin=origins,
            credential_public_key=public_key,
            credential_current_sign_count=sign_count,
            require_user_verification=True,
        )
    except WebAuthnException as exc:
        raise PasskeyError(_reason(str(exc)), str(exc)) from None
    except (KeyError, TypeError, ValueError) as exc:
        raise PasskeyError("malformed", str(exc)) from None
    return int(verified.new_sign_count)


def _reason(message: str) -> str:
    text = message.lower()
    if "origin" in text:
        return "origin"
    if "rp id" in text:
        return "rp_id"
    if "verif" in text and "user" in text:
        return "user_verification"
    if "sign count" in text:
        return "sign_count"
    if "signature" in text:
        return "signature"
    if "challenge" in text:
        return "challenge"
    return "invalid"


async def save_challenge(
    session: Session, challenge: str, purpose: str, account_id: int | None, now: dt.datetime
) -> None:
    """Store a challenge just issued for ``purpose`` (single use, :data:`CHALLENGE_SECONDS`)."""
    row = WebAuthnChallenge(
        challenge=challenge,
        purpose=purpose,
        account_id=account_id,
        expires_at=now + dt.timedelta(seconds=CHALLENGE_SECONDS),
    )
    await identity_store.add_challenge(session, row, now)
