"""Data keys in storage: rotation of the KEK and crypto-shredding (R7)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from server.crypto.errors import UnwrapError
from server.crypto.keys import KeyProvider, KeyRing, rotate
from server.storage import audit as store
from server.storage.db import Database, Session


@dataclass(frozen=True, slots=True)
class RotationResult:
    rewrapped: int
    unchanged: int
    old_kek_id: str
    new_kek_id: str
    #: secrets sealed under the KEK outside the key table (TOTP), re-sealed by ``also``
    resealed: int = 0


async def rotate_kek(
    db: Database,
    old: KeyProvider,
    new: KeyProvider,
    also: Callable[[Session], Awaitable[int]] | None = None,
) -> RotationResult:
    """Rewrap every stored DEK and the checkpoint signing key under ``new``, in one
    transaction (all or nothing). No data is re-encrypted. Keys already under ``new`` are kept,
    so an interrupted rotation can be run again. ``also`` re-seals, in the same transaction,
    secrets sealed directly under the KEK elsewhere (second-factor secrets)."""
    resealed = 0
    async with db.session() as s:
        await store.lock_chain(s)  # no audit segment key is created meanwhile
        wrapped = await store.load_keys(s)
        foreign = [w.key_id for w in wrapped if w.kek_id not in (old.kek_id, new.kek_id)]
        if foreign:
            raise UnwrapError(f"{len(foreign)} key(s) are wrapped under neither KEK")
        rotated = rotate(wrapped, old, new)
        changed = [r for r, w in zip(rotated, wrapped, strict=True) if r.wrapped != w.wrapped]
        await store.replace_keys(s, changed)
        if also is not None:
            resealed = await also(s)
    return RotationResult(
        len(changed), len(wrapped) - len(changed), old.kek_id, new.kek_id, resealed
    )


async def shred_key(db: Database, provider: KeyProvider, key_id: str) -> bool:
    """Delete the only stored copy of ``key_id`` (its data becomes unreadable)."""
    async with db.session() as s:
        ring = KeyRing(provider, await store.load_keys(s))
        if key_id not in ring:
            return False
        ring.shred(key_id)
        return await store.delete_key(s, key_id)
