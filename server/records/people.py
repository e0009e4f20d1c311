"""Who the officer means by "member": an account number, an actor, a username or a name."""

from __future__ import annotations

import unicodedata

from server.storage import accounts as account_store
from server.storage.db import Database


def fold(text: str) -> str:
    """Case and Vietnamese accents folded ("Đặng" and "dang" compare equal)."""
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


async def actors_for(db: Database, member: str) -> frozenset[str]:
    """The audit actors a member search means: ``12`` or ``account:12`` is that account; any
    other text is every account whose username is it, or whose display name or member's full
    name contains it (accents and case folded). Empty when nobody matches."""
    text = member.strip()
    if text.isdigit():
        return frozenset({f"account:{text}"})
    if ":" in text:
        return frozenset({text})
    wanted = fold(text)
    if not wanted:
        return frozenset()
    async with db.session() as session:
        rows = await account_store.names(session)
    return frozenset(
        f"account:{account_id}"
        for account_id, username, display, full_name in rows
        if fold(username) == wanted
        or wanted in fold(display)
        or (full_name is not None and wanted in fold(full_name))
    )
