"""argon2id password hashing with OWASP parameters (m=19 MiB, t=2, p=1)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

#: OWASP Password Storage Cheat Sheet, argon2id minimum configuration
TIME_COST = 2
MEMORY_KIB = 19 * 1024
PARALLELISM = 1


def hasher() -> PasswordHasher:
    return PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_KIB, parallelism=PARALLELISM)


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(stored: str, password: str) -> bool:
    try:
        return hasher().verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return hasher().check_needs_rehash(stored)
