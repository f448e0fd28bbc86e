"""Exchange-rate refusals, each with a stable code."""

from livebazaar.kernel.errors import Forbidden, Invalid


class AdminRequired(Forbidden):
    code = "admin_required"
    title = "Only a platform admin may do this"


class BadRatePair(Invalid):
    code = "bad_rate_pair"
    title = "A rate needs two different ISO 4217 currency codes"


class RateFromTheFuture(Invalid):
    code = "rate_from_the_future"
    title = "A rate's as_of may not be in the future"
