"""Exchange rates: data with a source and a timestamp, used to show prices in the viewer's
currency beside the shop's and locked into each order as what its buyer saw (ADR 0009,
0016): set one by one, or imported from the ECB's reference rates or a CSV; crossed through
EUR where no pair is stored; kept in memory per process for the claims' hot path."""

from livebazaar.fx.actions import OPERATOR, do_import_rates, do_set_rate
from livebazaar.fx.cache import RATES_CHANGED, RateCache
from livebazaar.fx.conversion import PIVOT, LockedPrice, Quote, Rate, RateBook, convert
from livebazaar.fx.errors import AdminRequired, BadRateFile, BadRatePair, RateFromTheFuture
from livebazaar.fx.models import ExchangeRate
from livebazaar.fx.queries import get_rate_book, list_rates
from livebazaar.fx.rate_files import CSV_COLUMNS, parse_csv, parse_ecb
from livebazaar.fx.schemas import RateIn, RateOut

__all__ = [
    "CSV_COLUMNS",
    "OPERATOR",
    "PIVOT",
    "RATES_CHANGED",
    "AdminRequired",
    "BadRateFile",
    "BadRatePair",
    "ExchangeRate",
    "LockedPrice",
    "Quote",
    "Rate",
    "RateBook",
    "RateCache",
    "RateFromTheFuture",
    "RateIn",
    "RateOut",
    "convert",
    "do_import_rates",
    "do_set_rate",
    "get_rate_book",
    "list_rates",
    "parse_csv",
    "parse_ecb",
]
