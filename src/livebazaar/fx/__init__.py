"""Exchange rates: data with a source and a timestamp, used to show prices in the viewer's
currency beside the shop's (ADR 0009). Checkout will lock a rate into the order later."""

from livebazaar.fx.actions import OPERATOR, do_set_rate
from livebazaar.fx.conversion import Rate, RateBook, convert
from livebazaar.fx.errors import AdminRequired, BadRatePair, RateFromTheFuture
from livebazaar.fx.models import ExchangeRate
from livebazaar.fx.queries import get_rate_book, list_rates
from livebazaar.fx.schemas import RateIn, RateOut

__all__ = [
    "OPERATOR",
    "AdminRequired",
    "BadRatePair",
    "ExchangeRate",
    "Rate",
    "RateBook",
    "RateFromTheFuture",
    "RateIn",
    "RateOut",
    "convert",
    "do_set_rate",
    "get_rate_book",
    "list_rates",
]
