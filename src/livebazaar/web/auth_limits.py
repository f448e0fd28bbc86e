"""How often one client address may create accounts and try to sign in, on the pages and
the API alike (settings.register_rate_per_hour, sign_in_rate_per_10min), and try to sign in
to one account (sign_in_account_rate_per_15min: that account from that address, ADR 0014).

The address is the peer's, or the client's that a trusted proxy put in X-Forwarded-For
(uvicorn's proxy headers: a proxy on this machine, or those in FORWARDED_ALLOW_IPS). Counted by the
container's limiters, so shared by every node when they share a Redis. Over the limit,
RateLimited (SignInLocked for one account): 429 with Retry-After on the API, a sentence on
the page.
"""

from __future__ import annotations

import hashlib

from fastapi import Request

from livebazaar.accounts.errors import SignInLocked
from livebazaar.bootstrap import Container
from livebazaar.kernel.errors import RateLimited

REGISTER_WINDOW_S = 3600.0
SIGN_IN_WINDOW_S = 600.0
ACCOUNT_WINDOW_S = 900.0


def client_address(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


async def check_register_rate(c: Container, request: Request) -> None:
    """Count one attempt to create an account from this address, or raise RateLimited."""
    limit = c.settings.register_rate_per_hour
    limiter = c.limiter("register", limit, REGISTER_WINDOW_S)
    await limiter.hit(client_address(request), c.clock.now())


async def check_sign_in_rate(c: Container, request: Request) -> None:
    """Count one attempt to sign in (right or wrong) from this address, or raise RateLimited."""
    limit = c.settings.sign_in_rate_per_10min
    limiter = c.limiter("sign_in", limit, SIGN_IN_WINDOW_S)
    await limiter.hit(client_address(request), c.clock.now())


async def check_account_sign_in_rate(c: Container, request: Request, email: str) -> None:
    """Count one attempt to sign in to the account `email` (known or not: the answer must not
    tell) from this address, or raise SignInLocked. The key holds a digest of the email, so
    the shared Redis keeps no addresses and a key's length stays bounded."""
    limit = c.settings.sign_in_account_rate_per_15min
    limiter = c.limiter("sign_in_account", limit, ACCOUNT_WINDOW_S)
    account = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    try:
        await limiter.hit(f"{client_address(request)}:{account}", c.clock.now())
    except RateLimited as exc:
        raise SignInLocked(retry_after_s=exc.retry_after_s) from exc
