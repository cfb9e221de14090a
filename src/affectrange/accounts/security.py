"""Password hashing (argon2id) and random tokens (stored only as SHA-256 digests)."""

from __future__ import annotations

import hashlib
import secrets
from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from affectrange.config import Settings

TOKEN_BYTES = 32


@lru_cache(maxsize=4)
def _hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(
        time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
    )


def password_hasher(settings: Settings) -> PasswordHasher:
    return _hasher(
        settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism
    )


def hash_password(settings: Settings, password: str) -> str:
    return password_hasher(settings).hash(password)


def verify_password(settings: Settings, password_hash: str, password: str) -> bool:
    try:
        return password_hasher(settings).verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def spend_equal_time(settings: Settings, password: str) -> None:
    """Hash once for an unknown e-mail, so timing does not reveal which accounts exist."""
    verify_password(settings, _dummy_hash(settings), password)


def _dummy_hash(settings: Settings) -> str:
    return _cached_dummy_hash(
        settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism
    )


@lru_cache(maxsize=4)
def _cached_dummy_hash(time_cost: int, memory_kib: int, parallelism: int) -> str:
    return _hasher(time_cost, memory_kib, parallelism).hash(secrets.token_urlsafe(16))


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> str:
    """SHA-256 is enough here: tokens carry 256 random bits, unlike passwords."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
