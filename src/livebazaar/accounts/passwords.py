"""argon2id password hashing, off the event loop (a hash costs tens of milliseconds)."""

from __future__ import annotations

import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


class Passwords:
    def __init__(self, time_cost: int, memory_kib: int, parallelism: int) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism
        )
        # Verifying against this when the email is unknown keeps response times alike.
        self._dummy = self._hasher.hash("not-a-real-password")

    async def hash(self, password: str) -> str:
        return await anyio.to_thread.run_sync(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        def _verify() -> bool:
            try:
                return self._hasher.verify(password_hash or self._dummy, password)
            except (VerificationError, InvalidHashError):
                return False

        ok = await anyio.to_thread.run_sync(_verify)
        return ok and password_hash is not None
