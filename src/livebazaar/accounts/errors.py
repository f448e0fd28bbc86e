from livebazaar.kernel.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotAuthenticated,
    NotFound,
    RateLimited,
)
from livebazaar.kernel.text import N_


class EmailTaken(Conflict):
    code = "email_taken"
    title = N_("An account with this email exists")


class BadCredentials(NotAuthenticated):
    code = "bad_credentials"
    title = N_("Email or password is wrong")


class InvalidToken(NotAuthenticated):
    code = "invalid_token"
    title = N_("The token is unknown, expired or revoked")


class CsrfFailed(Forbidden):
    code = "csrf_failed"
    title = N_("Missing or wrong CSRF token")


class RoleRequired(Forbidden):
    code = "role_required"
    title = N_("Your role in this shop does not allow this")


class AddressNotFound(NotFound):
    code = "address_not_found"
    title = N_("No such address among yours")


class TooManyAddresses(Conflict):
    code = "too_many_addresses"
    title = N_("An account keeps at most 20 addresses: delete one first")


class PostalCodeRequired(Invalid):
    code = "postal_code_required"
    title = N_("This address needs a postal code before a courier can deliver there")


class WeakPassword(Invalid):
    code = "weak_password"
    title = N_("This password is too easy to guess: use three or four uncommon words")


class SignInLocked(RateLimited):
    """Too many sign-in attempts for one account from one client address (settings)."""

    code = "sign_in_locked"
    title = N_("Too many sign-in attempts for this account: try again later")
