"""Every refusal is application/problem+json (RFC 9457) with a stable `code`."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from livebazaar.kernel.errors import DomainError, RateLimited

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
    if status == 429 and "retry_after_s" in extra:
        headers["Retry-After"] = str(max(1, round(float(extra["retry_after_s"]) + 0.499)))
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


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_request: Request, exc: DomainError) -> JSONResponse:
        extra = dict(exc.extra)
        if isinstance(exc, RateLimited):
            extra["retry_after_s"] = round(exc.retry_after_s, 3)
        return problem_response(exc.status, exc.code, exc.title, exc.detail, **extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem_response(
            422,
            "validation_failed",
            "The request is not valid",
            "See `errors` for each field that failed.",
            errors=_json_safe_errors(exc.errors()),
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return problem_response(exc.status_code, code, str(exc.detail), None)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return problem_response(500, "internal_error", "Something went wrong on our side")


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
