"""The sign-up form's refusals as one sentence per field, in the viewer's language.

RegisterIn (POST /api/v1/auth/register's body) decides what is valid; this only words its
errors for a person: beside the name, the email or the password, or `form` for the whole.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import ValidationError

from livebazaar.kernel.text import N_

SignUpErrors = dict[str, str]
# Beside the password when accounts/password_policy.py finds it easy to guess.
WEAK_PASSWORD = N_(
    "This password is too easy to guess. Use three or four uncommon words, or a longer one."
)

_FIELDS = ("display_name", "email", "password")
_MESSAGES: dict[tuple[str, str], str] = {
    ("display_name", "short"): N_("Enter your name, as the shops and other buyers will see it."),
    ("display_name", "long"): N_("Your name can be at most 80 characters."),
    ("email", "bad"): N_("Enter an email address, like name@example.org."),
    ("password", "short"): N_("Choose a password of at least 8 characters."),
    ("password", "long"): N_("A password can be at most 256 characters."),
}


def _kind(field: str, error_type: str) -> str:
    if field == "email":
        return "bad"
    if error_type == "string_too_long":
        return "long"
    return "short"  # missing, too short, or only spaces


def field_errors(exc: ValidationError, gettext: Callable[[str], str]) -> SignUpErrors:
    """{field: sentence} for each field RegisterIn refused (the first error of each)."""
    errors: SignUpErrors = {}
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "form"
        if field not in _FIELDS or field in errors:
            continue
        errors[field] = gettext(_MESSAGES[(field, _kind(field, error["type"]))])
    return errors
