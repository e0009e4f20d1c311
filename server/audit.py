"""The audit interface every feature calls: ``record(actor, action, target, details)`` (R7).

Details must never carry a secret or meeting content: keys that look like secrets are refused.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from server.storage import audit as audit_store
from server.storage.db import Database, Session

_SECRET_KEY = re.compile(r"pass|secret|token|totp|otp|code|key|cookie|sdp|content", re.I)
#: keys that match the pattern above but are known to carry no secret
_ALLOWED_KEYS = frozenset({"code_kind", "error_code", "key_id", "rule_code"})


class AuditError(ValueError):
    pass


def _check_details(details: dict[str, Any]) -> None:
    for key, value in details.items():
        if _SECRET_KEY.search(key) and key not in _ALLOWED_KEYS:
            raise AuditError(f"audit details may not carry {key!r}")
        if isinstance(value, dict):
            _check_details(value)


class AuditLog:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(
        self,
        actor: str,
        action: str,
        target: str = "",
        details: dict[str, Any] | None = None,
        *,
        session: Session | None = None,
    ) -> int:
        """Append one record; inside ``session`` it commits or rolls back with the change."""
        details = details or {}
        _check_details(details)
        now = dt.datetime.now(dt.UTC)
        if session is not None:
            return (await audit_store.append(session, now, actor, action, target, details)).seq
        async with self._db.session() as own:
            return (await audit_store.append(own, now, actor, action, target, details)).seq
