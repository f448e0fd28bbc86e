"""Every refusal is application/problem+json (RFC 9457) with a stable `code`.

The handlers answer in the reader's language (RFC 9457 lets `title` be localised): the
request's locale is negotiated as the pages' is (web/i18n.py: the `lb_lang` cookie, then
Accept-Language, then English), the English `title` (a msgid marked with `N_`) is looked up
in that catalog, and `Content-Language` says which language it is. `code` never changes.
`detail` is translated only when it merely repeats the title (no detail was given): a
specific detail is often English with data in it, and is sent as given.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

from livebazaar.kernel.db import CONNECTION_ERRORS, is_unreachable
from livebazaar.kernel.errors import DomainError, RateLimited
from livebazaar.kernel.text import N_
from livebazaar.web import i18n

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"

_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
}

# Starlette's HTTPException carries the status's reason phrase ("Not Found") when no detail
# was given: these are the titles sent instead, which the catalogs translate.
HTTP_TITLES = {
    400: N_("Bad request"),
    401: N_("Sign in first"),
    403: N_("You may not do this"),
    404: N_("Not found"),
    405: N_("This method is not allowed here"),
    406: N_("Not acceptable"),
    413: N_("The request is too large"),
    415: N_("Unsupported media type"),
}
VALIDATION_TITLE = N_("The request is not valid")
VALIDATION_DETAIL = N_("See `errors` for each field that failed.")
INTERNAL_TITLE = N_("Something went wrong on our side")
UNREACHABLE_TITLE = N_("The database is unreachable; try again in a moment")
BUSY_TITLE = N_("The server is too busy right now; try again in a moment")
RETRY_UNAVAILABLE_S = 2


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    code: str
    detail: str | None = None
    errors: list[dict[str, Any]] | None = None


def problem_response(
    status: int, code: str, title: str, detail: str | None = None, **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://livebazaar.org/problems/{code}",
        "title": title,
        "status": status,
        "code": code,
        "detail": detail,
    }
    body.update(extra)
    headers = {}
    if "retry_after_s" in extra:  # 429 rate_limited, 409 idempotency_key_in_flight
        headers["Retry-After"] = str(max(1, round(float(extra["retry_after_s"]) + 0.499)))
    elif status == 503:
        headers["Retry-After"] = str(RETRY_UNAVAILABLE_S)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _json_safe_errors(errors: Any) -> list[dict[str, Any]]:
    safe = []
    for err in errors:
        safe.append(
            {
                "loc": [str(p) for p in err.get("loc", ())],
                "msg": str(err.get("msg", "")),
                "type": str(err.get("type", "")),
            }
        )
    return safe


def localized_problem(
    request: Request, status: int, code: str, title: str, detail: str | None = None, **extra: Any
) -> JSONResponse:
    """A problem in the request's language: `title` (English) translated, `detail` too when
    it only repeats the title; `Content-Language` set, and `Vary` for caches."""
    locale = i18n.negotiate(request)
    gettext = i18n.translations(locale).gettext
    localized = gettext(title) if title else title  # gettext("") is the catalog's header
    response = problem_response(
        status, code, localized, localized if detail == title else detail, **extra
    )
    response.headers["Content-Language"] = i18n.TAGS[locale]
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


def _http_title(exc: StarletteHTTPException) -> str:
    detail = str(exc.detail)
    try:
        phrase = HTTPStatus(exc.status_code).phrase
    except ValueError:
        return detail
    return HTTP_TITLES.get(exc.status_code, detail) if detail == phrase else detail


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        extra = dict(exc.extra)
        if isinstance(exc, RateLimited):
            extra["retry_after_s"] = round(exc.retry_after_s, 3)
        return localized_problem(request, exc.status, exc.code, exc.title, exc.detail, **extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return localized_problem(
            request,
            422,
            "validation_failed",
            VALIDATION_TITLE,
            i18n.translator(request)(VALIDATION_DETAIL),
            errors=_json_safe_errors(exc.errors()),
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = getattr(exc, "code", None) or _HTTP_CODES.get(exc.status_code, "http_error")
        extra: dict[str, Any] = getattr(exc, "extra", {})  # e.g. body_limit's limit_bytes
        response = localized_problem(request, exc.status_code, code, _http_title(exc), **extra)
        response.headers.update(exc.headers or {})  # a 405's Allow, a 401's WWW-Authenticate
        return response

    async def _failure(request: Request, exc: Exception) -> JSONResponse:
        code, title = failure_problem(exc)
        if code == "internal_error":
            return await _unexpected(request, exc)
        log.warning("%s: %s", code, exc)
        return localized_problem(request, 503, code, title)

    for kind in (*CONNECTION_ERRORS, sa_exc.TimeoutError):
        app.add_exception_handler(kind, _failure)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return localized_problem(request, 500, "internal_error", INTERNAL_TITLE)


def failure_problem(exc: BaseException) -> tuple[str, str]:
    """The code and title an unexpected failure is answered with: the database away (nothing
    was committed: the transaction never finished) or all its pooled connections busy for
    pool_timeout (overloaded, not broken) are 503s to retry; anything else is a bug (500)."""
    if is_unreachable(exc):
        return "database_unavailable", UNREACHABLE_TITLE
    if isinstance(exc, sa_exc.TimeoutError):
        return "busy", BUSY_TITLE
    return "internal_error", INTERNAL_TITLE


# Declared on every API router so the OpenAPI document tells clients what refusals look like.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": desc}
    for status, desc in {
        400: "Bad request",
        401: "Not authenticated",
        403: "Forbidden",
        404: "Not found",
        409: "Conflict with the current state",
        422: "Validation failed",
        429: "Rate limited",
    }.items()
}


def problem_responses(**extra: str) -> dict[int | str, dict[str, Any]]:
    """More documented refusals for one route: `problem_responses(s415="Not SDP")`."""
    return {
        int(name.removeprefix("s")): {
            "model": Problem,
            "content": {PROBLEM_JSON: {}},
            "description": description,
        }
        for name, description in extra.items()
    }
