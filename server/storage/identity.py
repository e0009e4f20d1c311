"""Second factors, sessions, invitations and API tokens (tables in ``models_auth``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select, update

from server.storage.db import Session
from server.storage.models import Organisation
from server.storage.models_auth import (
    ApiToken,
    AuthSession,
    EnrolmentLink,
    Invitation,
    PasskeyCredential,
    RecoveryCode,
    TotpCredential,
    WebAuthnChallenge,
)


def _rows(result: object) -> int:
    """Rows matched by an UPDATE or DELETE (``CursorResult.rowcount``)."""
    count = getattr(result, "rowcount", 0)
    return int(count)


async def org_parents(session: Session) -> dict[int, int | None]:
    """Every organisation id with its parent id (the tree is small: a committee and its cells)."""
    rows = await session.execute(select(Organisation.id, Organisation.parent_id))
    return {org_id: parent for org_id, parent in rows.all()}


# --- TOTP ---------------------------------------------------------------------------------


async def totp_of(session: Session, account_id: int) -> TotpCredential | None:
    query = select(TotpCredential).where(TotpCredential.account_id == account_id)
    return (await session.execute(query)).scalar_one_or_none()


async def all_totp(session: Session) -> Sequence[TotpCredential]:
    """Every TOTP row (KEK rotation re-seals them all)."""
    return (await session.execute(select(TotpCredential))).scalars().all()


async def set_pending_totp(session: Session, account_id: int, sealed: str) -> TotpCredential:
    row = await totp_of(session, account_id)
    if row is None:
        row = TotpCredential(account_id=account_id, sealed_secret="", confirmed=False, last_step=0)
        session.add(row)
    row.pending_secret = sealed
    await session.flush()
    return row


async def set_totp(session: Session, account_id: int, sealed: str, last_step: int = 0) -> None:
    """Make ``sealed`` the confirmed secret (CLI and demo enrolment, or a confirmed setup)."""
    row = await totp_of(session, account_id)
    if row is None:
        row = TotpCredential(account_id=account_id)
        session.add(row)
    row.sealed_secret = sealed
    row.pending_secret = ""
    row.confirmed = True
    row.last_step = last_step
    await session.flush()


async def advance_totp_step(session: Session, credential_id: int, step: int) -> bool:
    """Record ``step`` as used; False when it (or a later one) was already used (replay)."""
    result = await session.execute(
        update(TotpCredential)
        .where(TotpCredential.id == credential_id, TotpCredential.last_step < step)
        .values(last_step=step)
    )
    return _rows(result) == 1


# --- passkeys -------------------------------------------------------------------------------


async def passkeys_of(session: Session, account_id: int) -> Sequence[PasskeyCredential]:
    query = (
        select(PasskeyCredential)
        .where(PasskeyCredential.account_id == account_id)
        .order_by(PasskeyCredential.id)
    )
    return (await session.execute(query)).scalars().all()


async def passkey_by_credential_id(
    session: Session, credential_id: str
) -> PasskeyCredential | None:
    query = select(PasskeyCredential).where(PasskeyCredential.credential_id == credential_id)
    return (await session.execute(query)).scalar_one_or_none()


async def add_passkey(session: Session, row: PasskeyCredential) -> PasskeyCredential:
    session.add(row)
    await session.flush()
    return row


async def remove_passkey(session: Session, account_id: int, passkey_id: int) -> bool:
    result = await session.execute(
        delete(PasskeyCredential).where(
            PasskeyCredential.id == passkey_id, PasskeyCredential.account_id == account_id
        )
    )
    return _rows(result) == 1


async def add_challenge(session: Session, row: WebAuthnChallenge, now: dt.datetime) -> None:
    """Store a challenge; expired ones are swept on the way (they are only ever created here)."""
    await session.execute(delete(WebAuthnChallenge).where(WebAuthnChallenge.expires_at <= now))
    session.add(row)
    await session.flush()


async def take_challenge(
    session: Session, challenge: str, purpose: str, now: dt.datetime
) -> WebAuthnChallenge | None:
    """Remove and return the challenge if it exists for ``purpose`` and has not expired."""
    query = select(WebAuthnChallenge).where(WebAuthnChallenge.challenge == challenge)
    row = (await session.execute(query)).scalar_one_or_none()
    if row is None:
        return None
    await session.delete(row)
    await session.flush()
    if row.purpose != purpose or row.expires_at <= now:
        return None
    return row


# --- purging dead rows ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Purged:
    sessions: int
    tokens: int
    challenges: int

    @property
    def total(self) -> int:
        return self.sessions + self.tokens + self.challenges


async def purge(
    session: Session, *, sessions_before: dt.datetime, tokens_before: dt.datetime, now: dt.datetime
) -> Purged:
    """Delete sessions created before ``sessions_before`` (past their absolute limit, so dead
    whatever else happened to them), API tokens that expired before ``tokens_before`` and
    expired WebAuthn challenges. Invitations are kept: they are the record of who was invited."""
    sessions = await session.execute(
        delete(AuthSession).where(AuthSession.created_at < sessions_before)
    )
    tokens = await session.execute(delete(ApiToken).where(ApiToken.expires_at < tokens_before))
    challenges = await session.execute(
        delete(WebAuthnChallenge).where(WebAuthnChallenge.expires_at <= now)
    )
    return Purged(_rows(sessions), _rows(tokens), _rows(challenges))


# --- recovery codes -------------------------------------------------------------------------


async def replace_recovery_codes(session: Session, account_id: int, hashes: list[str]) -> None:
    await session.execute(delete(RecoveryCode).where(RecoveryCode.account_id == account_id))
    session.add_all(RecoveryCode(account_id=account_id, code_hash=h) for h in hashes)
    await session.flush()


async def use_recovery_code(
    session: Session, account_id: int, code_hash: str, now: dt.datetime
) -> bool:
    result = await session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.account_id == account_id,
            RecoveryCode.code_hash == code_hash,
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
    )
    return _rows(result) == 1


async def recovery_codes_left(session: Session, account_id: int) -> int:
    query = select(RecoveryCode.id).where(
        RecoveryCode.account_id == account_id, RecoveryCode.used_at.is_(None)
    )
    return len((await session.execute(query)).all())


# --- sessions -------------------------------------------------------------------------------


async def add_session(session: Session, row: AuthSession) -> AuthSession:
    session.add(row)
    await session.flush()
    return row


async def session_by_hash(session: Session, token_hash: str) -> AuthSession | None:
    query = select(AuthSession).where(AuthSession.token_hash == token_hash)
    return (await session.execute(query)).scalar_one_or_none()


async def revoke_session(session: Session, session_id: int, now: dt.datetime) -> None:
    await session.execute(
        update(AuthSession)
        .where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )


async def revoke_all_sessions(
    session: Session, account_id: int, now: dt.datetime, *, except_id: int | None = None
) -> int:
    query = update(AuthSession).where(
        AuthSession.account_id == account_id, AuthSession.revoked_at.is_(None)
    )
    if except_id is not None:
        query = query.where(AuthSession.id != except_id)
    result = await session.execute(query.values(revoked_at=now))
    return _rows(result)


# --- invitations ----------------------------------------------------------------------------


async def add_invitation(session: Session, row: Invitation) -> Invitation:
    session.add(row)
    await session.flush()
    return row


async def invitation_by_hash(session: Session, token_hash: str) -> Invitation | None:
    query = select(Invitation).where(Invitation.token_hash == token_hash)
    return (await session.execute(query)).scalar_one_or_none()


async def use_invitation(session: Session, invitation_id: int, now: dt.datetime) -> bool:
    result = await session.execute(
        update(Invitation)
        .where(Invitation.id == invitation_id, Invitation.used_at.is_(None))
        .values(used_at=now)
    )
    return _rows(result) == 1


# --- enrolment links -----------------------------------------------------------------------


async def add_enrolment_link(session: Session, row: EnrolmentLink) -> EnrolmentLink:
    session.add(row)
    await session.flush()
    return row


async def enrolment_link_by_hash(session: Session, token_hash: str) -> EnrolmentLink | None:
    query = select(EnrolmentLink).where(EnrolmentLink.token_hash == token_hash)
    return (await session.execute(query)).scalar_one_or_none()


async def use_enrolment_link(session: Session, link_id: int, now: dt.datetime) -> bool:
    result = await session.execute(
        update(EnrolmentLink)
        .where(EnrolmentLink.id == link_id, EnrolmentLink.used_at.is_(None))
        .values(used_at=now)
    )
    return _rows(result) == 1


async def void_enrolment_links(session: Session, account_id: int, now: dt.datetime) -> int:
    """Earlier unused links of the account stop working (a new one replaces them)."""
    result = await session.execute(
        update(EnrolmentLink)
        .where(EnrolmentLink.account_id == account_id, EnrolmentLink.used_at.is_(None))
        .values(used_at=now)
    )
    return _rows(result)


# --- second factors of many accounts, and their removal --------------------------------------


async def with_factor(session: Session, account_ids: Sequence[int]) -> set[int]:
    """The accounts among ``account_ids`` that have a confirmed TOTP secret or a passkey."""
    if not account_ids:
        return set()
    totp = await session.execute(
        select(TotpCredential.account_id).where(
            TotpCredential.account_id.in_(account_ids), TotpCredential.confirmed.is_(True)
        )
    )
    keys = await session.execute(
        select(PasskeyCredential.account_id).where(PasskeyCredential.account_id.in_(account_ids))
    )
    return {r[0] for r in totp.all()} | {r[0] for r in keys.all()}


async def remove_factors(session: Session, account_id: int) -> int:
    """Delete every second factor of the account (TOTP, passkeys, recovery codes): how many."""
    count = 0
    for table in (TotpCredential, PasskeyCredential, RecoveryCode):
        result = await session.execute(delete(table).where(table.account_id == account_id))
        count += _rows(result)
    await session.flush()
    return count


# --- API tokens -----------------------------------------------------------------------------


async def add_api_token(session: Session, row: ApiToken) -> ApiToken:
    session.add(row)
    await session.flush()
    return row


async def api_token_by_hash(session: Session, token_hash: str) -> ApiToken | None:
    query = select(ApiToken).where(ApiToken.token_hash == token_hash)
    return (await session.execute(query)).scalar_one_or_none()
