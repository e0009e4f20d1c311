"""Tables of identity and access: second factors, sessions, invitations, API tokens.

Secrets never sit here in the clear: session, invitation, API-token and recovery-code values
are stored as SHA-256 hashes of 256-/80-bit random values; TOTP secrets are sealed with the KEK
(AES-256-GCM). WebAuthn public keys are not secret.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.storage.models import Base, utcnow


class TotpCredential(Base):
    """RFC 6238 secret of one account; ``last_step`` refuses a code twice in its time step."""

    __tablename__ = "totp_credentials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), unique=True)
    sealed_secret: Mapped[str] = mapped_column(String(256), default="")
    #: a new secret being enrolled; replaces ``sealed_secret`` once a code from it is confirmed
    pending_secret: Mapped[str] = mapped_column(String(256), default="")
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    last_step: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PasskeyCredential(Base):
    """A WebAuthn credential (passkey); a member may register several."""

    __tablename__ = "passkey_credentials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    #: base64url credential id
    credential_id: Mapped[str] = mapped_column(String(1400), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    sign_count: Mapped[int] = mapped_column(BigInteger, default=0)
    name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column()


class WebAuthnChallenge(Base):
    """A pending registration or assertion challenge: single use, short-lived."""

    __tablename__ = "webauthn_challenges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: base64url challenge as it comes back in clientDataJSON
    challenge: Mapped[str] = mapped_column(String(100), unique=True)
    purpose: Mapped[str] = mapped_column(String(16))  # "register" | "assert"
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    expires_at: Mapped[dt.datetime] = mapped_column()


class RecoveryCode(Base):
    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[dt.datetime | None] = mapped_column()


class AuthSession(Base):
    """A server-side session, found by the SHA-256 of its cookie value."""

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    #: "mfa" (password given, second factor due), "enrol" (no factor yet), "full"
    stage: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[dt.datetime] = mapped_column()
    last_seen_at: Mapped[dt.datetime] = mapped_column()
    step_up_at: Mapped[dt.datetime | None] = mapped_column()
    revoked_at: Mapped[dt.datetime | None] = mapped_column()
    address: Mapped[str] = mapped_column(String(64), default="")


class Invitation(Base):
    """A single-use, expiring link for one member to one meeting (sent by the secretary), or for
    one observer's account (R5: assigned by the superior committee, never counted or voting)."""

    __tablename__ = "invitations"
    __table_args__ = (
        CheckConstraint(
            "(member_id IS NULL) <> (observer_account_id IS NULL)",
            name="ck_invitations_one_invitee",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    observer_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[dt.datetime] = mapped_column()
    expires_at: Mapped[dt.datetime] = mapped_column()
    used_at: Mapped[dt.datetime | None] = mapped_column()


class EnrolmentLink(Base):
    """A single-use, expiring link for a member to set a password and a second factor (sent by
    an administrator or the secretary)."""

    __tablename__ = "enrolment_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[dt.datetime] = mapped_column()
    expires_at: Mapped[dt.datetime] = mapped_column()
    used_at: Mapped[dt.datetime | None] = mapped_column()


class ApiToken(Base):
    """A short-lived bearer token for read-only (GET) API use from scripts."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column()
    expires_at: Mapped[dt.datetime] = mapped_column()
