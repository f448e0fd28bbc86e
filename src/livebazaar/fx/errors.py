"""Exchange-rate refusals, each with a stable code."""

from livebazaar.kernel.errors import Forbidden, Invalid
from livebazaar.kernel.text import N_


class AdminRequired(Forbidden):
    code = "admin_required"
    title = N_("Only a platform admin may do this")


class BadRatePair(Invalid):
    code = "bad_rate_pair"
    title = N_("A rate needs two different ISO 4217 currency codes")


class RateFromTheFuture(Invalid):
    code = "rate_from_the_future"
    title = N_("A rate's as_of may not be in the future")


class BadRateFile(Invalid):
    code = "bad_rate_file"
    title = N_("The file of exchange rates cannot be read")
