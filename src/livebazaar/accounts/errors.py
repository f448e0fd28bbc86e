from livebazaar.kernel.errors import Conflict, Forbidden, NotAuthenticated, NotFound


class EmailTaken(Conflict):
    code = "email_taken"
    title = "An account with this email exists"


class BadCredentials(NotAuthenticated):
    code = "bad_credentials"
    title = "Email or password is wrong"


class InvalidToken(NotAuthenticated):
    code = "invalid_token"
    title = "The token is unknown, expired or revoked"


class CsrfFailed(Forbidden):
    code = "csrf_failed"
    title = "Missing or wrong CSRF token"


class RoleRequired(Forbidden):
    code = "role_required"
    title = "Your role in this shop does not allow this"


class AddressNotFound(NotFound):
    code = "address_not_found"
    title = "No such address among yours"


class TooManyAddresses(Conflict):
    code = "too_many_addresses"
    title = "An account keeps at most 20 addresses: delete one first"
