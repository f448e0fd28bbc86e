"""The pages that let a person in: sign in, sign up (/register), "forgot password", sign out.

Signing in or up issues a SESSION token in an HttpOnly, SameSite=Lax cookie and goes back to
`next` (a path on this site only). The same POSTs answer JSON when asked for it (`Accept:
application/json`): static/sign_in_sheet.js signs a viewer in over the room without leaving
it, and gets the new session's CSRF token for the rest of the page's calls.

Sign-up and sign-in need a form token: the anonymous forms' CSRF check, a double-submitted
cookie (`lb_form`, SameSite=Strict) whose value the form repeats; another site can neither
read nor set it, so it cannot sign a visitor up or in to an account of its choosing. The page sets
the cookie; the sheet's script makes its own. Attempts are rate-limited per client address
(web/auth_limits.py).
"""

from __future__ import annotations

import re
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError

from livebazaar.accounts import (
    IssuedToken,
    TokenKind,
    do_log_in,
    do_log_out,
    do_register,
    get_user,
)
from livebazaar.accounts.errors import CsrfFailed, EmailTaken, SignInLocked, WeakPassword
from livebazaar.accounts.schemas import RegisterIn
from livebazaar.bootstrap import Container
from livebazaar.kernel.errors import NotAuthenticated, RateLimited
from livebazaar.kernel.text import N_
from livebazaar.web import i18n
from livebazaar.web.auth_limits import (
    check_account_sign_in_rate,
    check_register_rate,
    check_sign_in_rate,
)
from livebazaar.web.deps import ActorDep, ContainerDep
from livebazaar.web.pages.sign_up_form import WEAK_PASSWORD, SignUpErrors, field_errors
from livebazaar.web.pages.viewer import PageActorDep, render_page
from livebazaar.web.problems import VALIDATION_TITLE, localized_problem

router = APIRouter(include_in_schema=False)
FORM_COOKIE = "lb_form"
FORM_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")  # as static/sign_in_sheet.js makes them
EXPIRED = N_("This form had expired. Please send it again.")
TOO_MANY_SIGN_INS = N_("Too many sign-in attempts from your network. Try again in %(n)d minutes.")
LOCKED = N_("Too many sign-in attempts for this account. Try again in %(n)d minutes.")
TOO_MANY_ACCOUNTS = N_("Too many new accounts from your network. Try again in %(n)d minutes.")
# Hard bounds of what a form field may carry (a longer one is a 422 problem); under them a
# field too long for an account is refused beside the field, with the input kept.
TEXT_MAX = 10_000

Text = Annotated[str, Form(max_length=TEXT_MAX)]
Next = Annotated[str, Form(max_length=2000)]


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _form_token(request: Request) -> str:
    """The visitor's form token (the cookie's, if well formed), else a new one."""
    token = request.cookies.get(FORM_COOKIE, "")
    return token if FORM_TOKEN.fullmatch(token) else secrets.token_urlsafe(24)


def _form_token_matches(request: Request, given: str) -> bool:
    """The form repeats the visitor's cookie (both well formed: compare_digest takes ASCII)."""
    cookie = request.cookies.get(FORM_COOKIE, "")
    well_formed = FORM_TOKEN.fullmatch(cookie) and FORM_TOKEN.fullmatch(given)
    return bool(well_formed) and secrets.compare_digest(cookie, given)


def _with_form_cookie(response: Response, token: str, c: Container) -> Response:
    response.set_cookie(
        FORM_COOKIE, token, httponly=False, samesite="strict", secure=c.settings.secure_cookies,
        path="/",
    )  # fmt: skip
    return response


def _retry_minutes(exc: RateLimited) -> int:
    return max(1, int(exc.retry_after_s + 59) // 60)


def _retry_after(exc: RateLimited) -> str:
    """Retry-After in whole seconds, as the API's 429 says it (problems.py)."""
    return str(max(1, round(exc.retry_after_s + 0.499)))


async def _signed_in(
    request: Request, c: Container, issued: IssuedToken, display_name: str, next_: str
) -> Response:
    """The session's cookie on the way back to `next`, or, for the sheet, with its CSRF token."""
    response: Response
    if _wants_json(request):
        response = JSONResponse({"display_name": display_name, "csrf_token": issued.csrf_token})
    else:
        response = RedirectResponse(i18n.safe_next(next_), status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        c.settings.session_cookie_name, issued.secret, max_age=issued.max_age_s, httponly=True,
        samesite="lax", secure=c.settings.secure_cookies, path="/",
    )  # fmt: skip
    return response


async def _open_session(c: Container, email: str, password: str) -> IssuedToken:
    return await do_log_in(
        c.db, c.passwords, c.clock, email=email, password=password,
        kind=TokenKind.SESSION, ttl_s=c.settings.token_ttl_s,
    )  # fmt: skip


# Sign in


def _login_page(
    request: Request, c: Container, next_: str, email: str, error: str | None, code: int = 200
) -> Response:
    token = _form_token(request)
    page = render_page(
        request, "login.html", None, next=i18n.safe_next(next_), email=email, error=error,
        demo_hint=c.settings.demo_logins_hint, form_token=token, _status=code,
    )  # fmt: skip
    return _with_form_cookie(page, token, c)


@router.get("/login", response_class=HTMLResponse)
async def login_form(
    request: Request, c: ContainerDep, actor: PageActorDep, next: str = "/"
) -> Response:
    token = _form_token(request)
    page = render_page(
        request, "login.html", actor, next=i18n.safe_next(next), error=None, email="",
        demo_hint=c.settings.demo_logins_hint, form_token=token,
    )  # fmt: skip
    return _with_form_cookie(page, token, c)


@router.post("/login", response_model=None)
async def log_in(
    request: Request,
    c: ContainerDep,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=256)],
    form_token: Annotated[str, Form(max_length=200)] = "",
    next: Next = "/",
) -> Response:
    """Needs the form token, as sign-up does: another site cannot sign a visitor in to an
    account of its choosing (login CSRF). At most settings.sign_in_rate_per_10min attempts
    per client address."""
    _ = i18n.translator(request)
    try:
        if not _form_token_matches(request, form_token):
            raise CsrfFailed()
        await check_sign_in_rate(c, request)
        await check_account_sign_in_rate(c, request, email)
        issued = await _open_session(c, email, password)
    except CsrfFailed:
        if _wants_json(request):
            raise
        return _login_page(request, c, next, "", _(EXPIRED), 403)  # not another site's email
    except RateLimited as exc:
        if _wants_json(request):
            raise
        error = _(LOCKED if isinstance(exc, SignInLocked) else TOO_MANY_SIGN_INS)
        page = _login_page(request, c, next, email, error % {"n": _retry_minutes(exc)}, 429)
        page.headers["Retry-After"] = _retry_after(exc)
        return page
    except NotAuthenticated:
        if _wants_json(request):
            raise
        return _login_page(request, c, next, email, _("Email or password is wrong."), 401)
    async with c.db.read() as session:
        user = await get_user(session, issued.user_id)
    name = user.display_name if user is not None else ""
    return await _signed_in(request, c, issued, name, next)


# Sign up


def _register_page(
    request: Request,
    c: Container,
    next_: str,
    values: dict[str, str],
    errors: SignUpErrors,
    code: int = 200,
) -> Response:
    token = _form_token(request)
    page = render_page(
        request, "register.html", None, next=i18n.safe_next(next_), values=values,
        errors=errors, form_token=token, _status=code,
    )  # fmt: skip
    return _with_form_cookie(page, token, c)


@router.get("/register", response_class=HTMLResponse)
async def register_form(
    request: Request, c: ContainerDep, actor: PageActorDep, next: str = "/"
) -> Response:
    if actor is not None:  # already in: nothing to create
        return RedirectResponse(i18n.safe_next(next), status_code=status.HTTP_303_SEE_OTHER)
    return _register_page(request, c, next, {"display_name": "", "email": ""}, {})


@router.post("/register", response_model=None)
async def register(
    request: Request,
    c: ContainerDep,
    display_name: Text = "",
    email: Text = "",
    password: Text = "",
    form_token: Annotated[str, Form(max_length=200)] = "",
    next: Next = "/",
) -> Response:
    """Create the account (POST /api/v1/auth/register's rules), sign it in, go to `next`."""
    _ = i18n.translator(request)
    values = {"display_name": display_name, "email": email}
    try:
        if not _form_token_matches(request, form_token):
            raise CsrfFailed()
        await check_register_rate(c, request)
        body = RegisterIn(display_name=display_name, email=email, password=password)
        await do_register(
            c.db, c.passwords, c.clock, email=str(body.email), password=body.password,
            display_name=body.display_name,
        )  # fmt: skip
    except (CsrfFailed, RateLimited) as exc:
        if _wants_json(request):
            raise
        if isinstance(exc, CsrfFailed):
            return _register_page(request, c, next, values, {"form": _(EXPIRED)}, 403)
        refusal = {"form": _(TOO_MANY_ACCOUNTS) % {"n": _retry_minutes(exc)}}
        page = _register_page(request, c, next, values, refusal, 429)
        page.headers["Retry-After"] = _retry_after(exc)
        return page
    except ValidationError as exc:
        return _refused(request, c, next, values, field_errors(exc, _), 422)
    except WeakPassword:
        return _refused(request, c, next, values, {"password": _(WEAK_PASSWORD)}, 422, True)
    except EmailTaken:
        errors = {"email": _("An account with this email exists. Sign in instead.")}
        return _refused(request, c, next, values, errors, 409)
    issued = await _open_session(c, email, password)
    return await _signed_in(request, c, issued, display_name.strip(), next)


def _refused(
    request: Request,
    c: Container,
    next_: str,
    values: dict[str, str],
    errors: SignUpErrors,
    code: int,
    weak: bool = False,
) -> Response:
    """The form again with a message beside each field, or, for the sheet, the same as a
    problem whose `fields` map each field to its message."""
    if _wants_json(request):
        if code == 409:
            problem = (EmailTaken.code, EmailTaken.title)
        elif weak:
            problem = (WeakPassword.code, WeakPassword.title)
        else:
            problem = ("validation_failed", VALIDATION_TITLE)
        return localized_problem(request, code, *problem, fields=errors)
    return _register_page(request, c, next_, values, errors, code)


# Forgot password, sign out


@router.get("/forgot-password", response_class=HTMLResponse)
async def forgot_password(request: Request, actor: PageActorDep, next: str = "/") -> HTMLResponse:
    """No email leaves this server yet: say so, and who can help meanwhile."""
    return render_page(request, "forgot_password.html", actor, next=i18n.safe_next(next))


@router.post("/logout")
async def log_out(actor: ActorDep, c: ContainerDep) -> RedirectResponse:
    """Needs the session cookie and its CSRF token (the form's hidden `csrf_token` field)."""
    await do_log_out(c.db, c.clock, token_id=actor.token_id)
    c.actors.forget(actor.token_id)
    response = RedirectResponse("/", status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(c.settings.session_cookie_name, path="/")
    return response
