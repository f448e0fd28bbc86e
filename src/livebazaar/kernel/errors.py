"""Domain errors. Each has a stable `code` and an HTTP status, mapped once to problem+json.

Features subclass `DomainError` in their own errors.py; the web layer renders every one of them
the same way (RFC 9457), so a client can switch on `code` and never parse prose. A `title` is
English marked with `N_`, so `make messages` extracts it; the problem handlers send it in the
reader's language (web/problems.py), and tests/web/test_problem_language.py fails for a title
that a catalog does not translate.
"""

from __future__ import annotations

from typing import Any, ClassVar

from livebazaar.kernel.text import N_


class DomainError(Exception):
    code: ClassVar[str] = "error"
    status: ClassVar[int] = 400
    title: ClassVar[str] = N_("Request refused")

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra


class NotFound(DomainError):
    code = "not_found"
    status = 404
    title = N_("Not found")


class Forbidden(DomainError):
    code = "forbidden"
    status = 403
    title = N_("You may not do this")


class NotAuthenticated(DomainError):
    code = "not_authenticated"
    status = 401
    title = N_("Sign in first")


class Conflict(DomainError):
    code = "conflict"
    status = 409
    title = N_("Conflicts with the current state")


class Invalid(DomainError):
    code = "invalid"
    status = 422
    title = N_("Invalid request")


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429
    title = N_("Too many requests")

    def __init__(self, detail: str | None = None, retry_after_s: float = 1.0) -> None:
        super().__init__(detail, retry_after_s=round(retry_after_s, 3))
        self.retry_after_s = retry_after_s


class Unavailable(DomainError):
    code = "unavailable"
    status = 503
    title = N_("Temporarily unavailable")


class IdempotencyKeyInFlight(Conflict):
    """A retry with the Idempotency-Key of a request still being carried out elsewhere: 409
    with Retry-After, as the IETF Idempotency-Key draft and Stripe answer (a 5xx would tell
    monitoring the server failed). The retry after it gets the first request's answer."""

    code = "idempotency_key_in_flight"
    title = N_("A request with this Idempotency-Key is still being carried out; try again")

    def __init__(self, detail: str | None = None, retry_after_s: float = 1.0) -> None:
        super().__init__(detail, retry_after_s=round(retry_after_s, 3))
        self.retry_after_s = retry_after_s
