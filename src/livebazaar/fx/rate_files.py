"""Reading files of exchange rates: the European Central Bank's daily reference rates (XML)
and a CSV of our own. Either gives every rate of the file, or raises BadRateFile naming what
is wrong; nothing is stored here (fx.actions.do_import_rates stores them, all or nothing).

ECB: `gesmes:Envelope > Cube > Cube[@time] > Cube[@currency][@rate]`, each meaning 1 EUR =
rate currency, published about 16:00 CET on the day of `time`. A file with several days (the
ECB's 90-day history) gives the newest day's. Parsed with defusedxml, which refuses any DTD,
so no entity (internal or external: XXE, "billion laughs") is ever expanded.

CSV (UTF-8, a header row, comma-separated): `base,quote,rate,as_of,source`, each row meaning
1 base = rate quote in major units, as `source` said at `as_of` (ISO 8601: a date-time with
its offset, or a date, read as 00:00 UTC). A pair may appear once.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from pydantic import TypeAdapter, ValidationError

from livebazaar.fx.conversion import PIVOT, Rate
from livebazaar.fx.errors import BadRateFile
from livebazaar.fx.schemas import RateText
from livebazaar.kernel.money import CURRENCY_EXPONENTS

MAX_FILE_BYTES = 5_000_000
MAX_ROWS = 10_000
CSV_COLUMNS = ("base", "quote", "rate", "as_of", "source")
ECB_NS = "{http://www.ecb.int/vocabulary/2002-08-01/eurofxref}"
ECB_SOURCE = "ECB euro foreign exchange reference rates"
ECB_PUBLISHED = time(16, 0, tzinfo=ZoneInfo("Europe/Berlin"))  # CET/CEST
_RATE = TypeAdapter(RateText)


def _check_size(data: bytes) -> None:
    if len(data) > MAX_FILE_BYTES:
        raise BadRateFile(f"The file is larger than {MAX_FILE_BYTES:,} bytes")


def _rate(text: str, where: str) -> Decimal:
    try:
        value = Decimal(_RATE.validate_python(text.strip()))
    except ValidationError:
        raise BadRateFile(f"{where}: {text[:40]!r} is not a rate (digits, one point)") from None
    if value <= 0:
        raise BadRateFile(f"{where}: a rate must be above zero")
    return value


def _currency(code: str, where: str) -> str:
    if code not in CURRENCY_EXPONENTS:
        raise BadRateFile(f"{where}: {code[:10]!r} is not an ISO 4217 currency code")
    return code


def parse_ecb(data: bytes) -> list[Rate]:
    """The newest day's rates of an ECB reference-rate file, as EUR -> currency rates."""
    _check_size(data)
    try:
        root = fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        message = "The XML declares a DTD or entities, which a rate file never does"
        raise BadRateFile(message) from None
    except Exception as exc:  # ParseError, and expat's errors on broken bytes
        raise BadRateFile(f"Not well-formed XML: {exc}") from None
    if root.tag != "{http://www.gesmes.org/xml/2002-08-01}Envelope":
        raise BadRateFile("Not an ECB reference-rate file (no gesmes:Envelope)")
    days = root.findall(f"{ECB_NS}Cube/{ECB_NS}Cube[@time]")
    if not days:
        raise BadRateFile("No Cube with a time: the file holds no rates")
    try:
        newest = max(days, key=lambda day: date.fromisoformat(day.get("time", "")))
        day = date.fromisoformat(newest.get("time", ""))
    except ValueError:
        raise BadRateFile("A Cube's time is not a date (YYYY-MM-DD)") from None
    as_of = datetime.combine(day, ECB_PUBLISHED).astimezone(UTC)
    source = f"{ECB_SOURCE}, {day.isoformat()}"
    rates: list[Rate] = []
    for cube in newest.findall(f"{ECB_NS}Cube"):
        where = f"Cube of {day.isoformat()} #{len(rates) + 1}"
        code = _currency(cube.get("currency", ""), where)
        rates.append(Rate(PIVOT, code, _rate(cube.get("rate", ""), f"{code}"), source, as_of))
    if not rates:
        raise BadRateFile(f"The Cube of {day.isoformat()} holds no rates")
    _check_unique(rates)
    return rates


def parse_csv(data: bytes) -> list[Rate]:
    """Every row of a rates CSV (its columns: CSV_COLUMNS)."""
    _check_size(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadRateFile("The CSV is not UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip().lower() for name in next(reader, [])]
    if tuple(header) != CSV_COLUMNS:
        raise BadRateFile(f"The header must be {','.join(CSV_COLUMNS)}")
    rates = [_csv_row(row, reader.line_num) for row in reader if any(c.strip() for c in row)]
    if not rates:
        raise BadRateFile("The CSV holds no rates")
    if len(rates) > MAX_ROWS:
        raise BadRateFile(f"More than {MAX_ROWS:,} rates")
    _check_unique(rates)
    return rates


def _csv_row(row: list[str], line: int) -> Rate:
    where = f"Line {line}"
    if len(row) != len(CSV_COLUMNS):
        raise BadRateFile(f"{where}: {len(row)} cells, {len(CSV_COLUMNS)} expected")
    base, quote, rate, as_of, source = (cell.strip() for cell in row)
    base, quote = _currency(base.upper(), where), _currency(quote.upper(), where)
    if base == quote:
        raise BadRateFile(f"{where}: base and quote are the same currency")
    if not 1 <= len(source) <= 200 or not source.isprintable():
        raise BadRateFile(f"{where}: the source must be 1 to 200 printable characters")
    return Rate(base, quote, _rate(rate, where), source, _moment(as_of, where))


def _moment(text: str, where: str) -> datetime:
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(0, tzinfo=UTC))
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadRateFile(f"{where}: {text[:40]!r} is not an ISO 8601 date or time") from None
    if moment.tzinfo is None:
        raise BadRateFile(f"{where}: as_of needs its offset (e.g. 2026-12-04T15:00:00Z)")
    return moment.astimezone(UTC)


def _check_unique(rates: list[Rate]) -> None:
    seen: set[tuple[str, str]] = set()
    for r in rates:
        if (r.base, r.quote) in seen:
            raise BadRateFile(f"{r.base}/{r.quote} appears twice")
        seen.add((r.base, r.quote))
