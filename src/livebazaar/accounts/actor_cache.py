"""Who a token belongs to, remembered briefly so a request needs no database read to learn it.

Every API call carries a token; looking it up cost a read transaction on each request, which
under a flash sale was the largest share of a claim's cost. An entry lives `ttl_s` at most and
never past the token's own expiry. Logging out forgets the token in this process at once.
Roles in shops are not cached: each action that needs one reads it. The platform-admin flag
is part of the cached actor, so revoking it takes up to `ttl_s` to reach a process.
With several processes (the scale-out issue) a logout elsewhere takes up to `ttl_s` to reach
this one unless the broker carries the invalidation.

Idle expiry: a token unused for `idle_ttl_s` is refused. A lookup that reads the token writes
its last use when that is `touch_interval_s` old or more (so at most once per interval, not
per request), and an entry is remembered no longer than its last use plus the interval: a
token in use through the cache is read, and touched, before its idle deadline comes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from livebazaar.accounts.actions import do_touch_token, hash_token
from livebazaar.accounts.errors import InvalidToken
from livebazaar.accounts.queries import Actor, get_actor_by_token
from livebazaar.kernel.clock import Clock
from livebazaar.kernel.db import Database


class ActorCache:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        ttl_s: float = 30.0,
        max_entries: int = 100_000,
        *,
        idle_ttl_s: float = 7 * 24 * 3600,
        touch_interval_s: float = 3600,
    ) -> None:
        self._db, self._clock = db, clock
        self._ttl = timedelta(seconds=ttl_s)
        self._idle = timedelta(seconds=idle_ttl_s)
        self._touch = timedelta(seconds=touch_interval_s)
        self._max = max_entries
        self._entries: dict[str, tuple[Actor, datetime]] = {}
        # Tokens logged out here, by id, with when: a lookup that read the token just before
        # the logout committed must not put it back into the cache.
        self._revoked: dict[str, datetime] = {}

    async def get_actor(self, secret: str) -> Actor:
        """The token's actor, or InvalidToken (unknown, expired, unused too long, revoked)."""
        key = hash_token(secret)
        now = self._clock.now()
        cached = self._entries.get(key)
        if cached is not None and cached[1] > now:
            return cached[0]
        async with self._db.read() as session:
            actor = await get_actor_by_token(session, self._clock, secret, self._idle)
        if actor.token_id in self._revoked:
            raise InvalidToken()
        last_used = actor.token_last_used_at or now
        if last_used + self._touch <= now:
            last_used = await do_touch_token(self._db, self._clock, token_id=actor.token_id)
        if len(self._entries) >= self._max:
            self._entries.clear()
        until = min(now + self._ttl, actor.token_expires_at, last_used + self._touch)
        self._entries[key] = (actor, until)
        return actor

    def forget(self, token_id: str) -> None:
        now = self._clock.now()
        self._revoked = {t: at for t, at in self._revoked.items() if at > now - 2 * self._ttl}
        self._revoked[token_id] = now
        for key in [k for k, (a, _) in self._entries.items() if a.token_id == token_id]:
            del self._entries[key]
