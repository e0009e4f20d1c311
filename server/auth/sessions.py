"""Server-side sessions: a 256-bit cookie value, stored as its SHA-256, with idle and absolute
limits (SecuritySettings) measured on an injectable clock.

Stages: ``mfa`` (password accepted, second factor due) and ``enrol`` (password accepted, no
factor yet: only enrolment is allowed) live at most :data:`PARTIAL_MINUTES`; ``full`` is a
signed-in member. Every stage change issues a new identifier (the old row is revoked).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Literal

from aiohttp import web

from server.audit import AuditLog
from server.auth.context import Clock
from server.auth.tokens import csrf_for, digest, new_token
from server.config import SecuritySettings, ServerSettings
from server.storage import identity as store
from server.storage.db import Database, Session
from server.storage.models_auth import AuthSession

log = logging.getLogger(__name__)

Stage = Literal["mfa", "enrol", "full"]
PARTIAL_MINUTES = 10
#: how often a server process purges dead rows (also once at start-up)
PURGE_INTERVAL_SECONDS = 3600.0
#: a step-up (second factor again) is fresh this long, e.g. before opening the access logs
STEP_UP_MINUTES = 10
#: ``last_seen_at`` is written at most this often (fewer writes, idle limit still exact enough)
TOUCH_SECONDS = 30
#: dead session and token rows are deleted this long after they could last have been used (the
#: audit log keeps who signed in and when; the rows themselves are only needed while alive)
PURGE_AFTER = dt.timedelta(days=1)

SECURE_COOKIE = "__Host-hopchibo"
#: ``insecure_cookies`` (plain-HTTP development and tests only): no Secure flag, so no prefix
DEV_COOKIE = "hopchibo"


@dataclass(frozen=True, slots=True)
class SessionState:
    id: int
    account_id: int
    stage: Stage
    created_at: dt.datetime
    last_seen_at: dt.datetime
    step_up_at: dt.datetime | None
    token: str

    @property
    def csrf(self) -> str:
        return csrf_for(self.token)


def cookie_name(server: ServerSettings) -> str:
    return DEV_COOKIE if server.insecure_cookies else SECURE_COOKIE


def set_cookie(response: web.StreamResponse, server: ServerSettings, token: str) -> None:
    """``__Host-`` prefix, Secure, HttpOnly, SameSite=Strict, Path=/, no Domain, no Max-Age.

    With ``insecure_cookies`` (explicitly plain HTTP, never production) Secure and the prefix
    are dropped, because browsers refuse both on ``http://`` origins other than localhost.
    """
    response.set_cookie(
        cookie_name(server),
        token,
        path="/",
        secure=not server.insecure_cookies,
        httponly=True,
        samesite="Strict",
    )


def clear_cookie(response: web.StreamResponse, server: ServerSettings) -> None:
    response.del_cookie(
        cookie_name(server),
        path="/",
        secure=not server.insecure_cookies,
        httponly=True,
        samesite="Strict",
    )


class Sessions:
    def __init__(self, db: Database, security: SecuritySettings, clock: Clock) -> None:
        self._db = db
        self._security = security
        self._clock = clock

    def now(self) -> dt.datetime:
        return self._clock()

    def _expired(self, row: AuthSession, now: dt.datetime) -> bool:
        if row.revoked_at is not None:
            return True
        if row.stage != "full":
            return now - row.created_at >= dt.timedelta(minutes=PARTIAL_MINUTES)
        idle = dt.timedelta(minutes=self._security.session_idle_minutes)
        absolute = dt.timedelta(hours=self._security.session_absolute_hours)
        return now - row.last_seen_at >= idle or now - row.created_at >= absolute

    async def start(
        self,
        session: Session,
        account_id: int,
        stage: Stage,
        address: str,
        *,
        replaces: int | None = None,
    ) -> SessionState:
        """A new identifier for ``account_id``; the session it replaces (if any) is revoked."""
        now = self.now()
        if replaces is not None:
            await store.revoke_session(session, replaces, now)
        token = new_token()
        row = await store.add_session(
            session,
            AuthSession(
                token_hash=digest(token),
                account_id=account_id,
                stage=stage,
                created_at=now,
                last_seen_at=now,
                address=address[:64],
            ),
        )
        return _state(row, token)

    async def resolve(self, token: str) -> SessionState | None:
        """The live session for a cookie value, or None (unknown, revoked, idle, too old)."""
        if not token or len(token) > 128:
            return None
        now = self.now()
        async with self._db.session() as session:
            row = await store.session_by_hash(session, digest(token))
            if row is None or self._expired(row, now):
                if row is not None and row.revoked_at is None:
                    await store.revoke_session(session, row.id, now)
                return None
            if now - row.last_seen_at >= dt.timedelta(seconds=TOUCH_SECONDS):
                row.last_seen_at = now
                await session.flush()
            return _state(row, token)

    async def end(self, session_id: int) -> None:
        async with self._db.session() as session:
            await store.revoke_session(session, session_id, self.now())

    async def end_all(self, session: Session, account_id: int, *, keep: int | None = None) -> int:
        return await store.revoke_all_sessions(session, account_id, self.now(), except_id=keep)

    async def step_up(self, session: Session, session_id: int) -> dt.datetime:
        now = self.now()
        row = await session.get(AuthSession, session_id)
        assert row is not None
        row.step_up_at = now
        await session.flush()
        return now

    async def purge(self, audit: AuditLog | None = None) -> store.Purged:
        """Delete session rows past their absolute limit plus :data:`PURGE_AFTER`, API tokens
        expired for longer than that, and expired WebAuthn challenges. With ``audit``, a purge
        that deleted anything is recorded (counts only) in the same transaction."""
        now = self.now()
        absolute = dt.timedelta(hours=self._security.session_absolute_hours)
        async with self._db.session() as session:
            purged = await store.purge(
                session,
                sessions_before=now - absolute - PURGE_AFTER,
                tokens_before=now - PURGE_AFTER,
                now=now,
            )
            if audit is not None and purged.total:
                await audit.record(
                    "system",
                    "auth.purge",
                    "identity",
                    {
                        "sessions": purged.sessions,
                        "bearer_grants": purged.tokens,
                        "webauthn_challenges": purged.challenges,
                    },
                    session=session,
                )
            return purged

    def fresh_step_up(self, step_up_at: dt.datetime | None) -> bool:
        if step_up_at is None:
            return False
        return self.now() - step_up_at < dt.timedelta(minutes=STEP_UP_MINUTES)


def _state(row: AuthSession, token: str) -> SessionState:
    stage: Stage = "full" if row.stage == "full" else "enrol" if row.stage == "enrol" else "mfa"
    return SessionState(
        id=row.id,
        account_id=row.account_id,
        stage=stage,
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        step_up_at=row.step_up_at,
        token=token,
    )


async def purge_periodically(
    sessions: Sessions, audit: AuditLog, interval: float = PURGE_INTERVAL_SECONDS
) -> None:
    """Purge dead identity rows now and every ``interval`` seconds, auditing what was deleted
    (counts only). Runs until cancelled; a failed round is logged and retried next time."""
    while True:
        try:
            await sessions.purge(audit)
        except Exception:
            log.exception("purging dead sessions and tokens failed")
        await asyncio.sleep(interval)
