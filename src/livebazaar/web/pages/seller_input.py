"""What the seller dashboard's form fields mean (web/pages/seller.py, seller_edits.py read them).

Each reader takes the posted form and answers the value the action wants, or raises Refused
with the sentence for the seller, in their language, before any action is called. Prices are
typed in the shop currency's major units and made minor units exactly
(kernel.money.parse_major_units); shares in percent with up to two decimals.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError
from starlette.datastructures import FormData

from livebazaar.catalog import MAX_SHELF_LIMIT, Variant
from livebazaar.checkout.schemas import ShipIn
from livebazaar.kernel.money import (
    CURRENCY_EXPONENTS,
    MAX_PRICE_MINOR,
    BadAmount,
    parse_major_units,
    parse_scaled,
    price_ceiling,
)
from livebazaar.kernel.text import ISO_3166_ALPHA2

Gettext = Callable[[str], str]


class Refused(Exception):
    """A form's input refused before any action is called: the sentence for the seller, and
    the name of the field to fix (the page puts the focus there), when one is to blame."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def units(form: FormData, name: str, _: Gettext) -> int:
    value = text(form, name)
    if not value.isdecimal() or not value.isascii() or len(value) > 12:
        raise Refused(_("Type a whole number of units, 0 or more"), name)
    return int(value)


def shelf_limit(form: FormData, name: str, _: Gettext) -> int | None:
    """Units of one product one buyer may take from the shelf: a whole number from 1 to
    MAX_SHELF_LIMIT; None when the form has no such field (it changes nothing then)."""
    if name not in form:
        return None
    value = text(form, name)
    if not value.isdecimal() or not value.isascii() or not 1 <= int(value) <= MAX_SHELF_LIMIT:
        message = _("Type a whole number of units from 1 to {most}.")
        raise Refused(message.format(most=MAX_SHELF_LIMIT), name)
    return int(value)


def price(form: FormData, currency: str, _: Gettext) -> int:
    """A new product's price, above zero (catalog.do_create_product's rule)."""
    try:
        minor = parse_major_units(text(form, "price"), currency)
    except BadAmount:
        minor = 0
    if minor <= 0:
        message = _("Type a price in {currency}, above zero, with at most {n} decimals.")
        exponent = CURRENCY_EXPONENTS[currency]
        raise Refused(message.format(currency=currency, n=exponent), "price")
    _refuse_above_ceiling(minor, currency, "price", _)
    return minor


def _refuse_above_ceiling(minor: int, currency: str, field: str, _: Gettext) -> None:
    if minor > MAX_PRICE_MINOR:
        message = _("A price may be at most {ceiling}: check the number of digits.")
        raise Refused(message.format(ceiling=price_ceiling(currency)), field)


def variant_prices(form: FormData, variants: Iterable[Variant], _: Gettext) -> dict[str, int]:
    """`price.<variant id>` fields, in the variant currency's major units, as minor units: the
    posted ones that changed. Each above zero (catalog.do_set_variant_price's rule, said here
    in the seller's words, before anything is saved)."""
    changed = {}
    for variant in variants:
        name = f"price.{variant.id}"
        if name not in form:
            continue
        try:
            minor = parse_major_units(text(form, name), variant.currency)
        except BadAmount:
            minor = 0
        if minor <= 0:
            message = _("Type the price of {name} in {currency}, above zero, with at most {n} "
                        "decimals.")  # fmt: skip
            exponent = CURRENCY_EXPONENTS[variant.currency]
            raise Refused(
                message.format(name=variant.name, currency=variant.currency, n=exponent), name
            )
        _refuse_above_ceiling(minor, variant.currency, name, _)
        if minor != variant.price_minor:
            changed[variant.id] = minor
    return changed


def reference_price(form: FormData, currency: str, _: Gettext) -> dict[str, Any] | None:
    """`reference_amount` (major units) and `reference_unit`: what a middleman paid per unit
    before, as catalog.ReferencePriceIn's body; both empty is none."""
    amount, unit = text(form, "reference_amount"), text(form, "reference_unit")
    if not amount and not unit:
        return None
    try:
        minor = parse_major_units(amount, currency)
    except BadAmount:
        minor = 0
    if minor <= 0:
        message = _("Type what a middleman paid in {currency}, above zero, with at most {n} "
                    "decimals, or leave both fields empty.")  # fmt: skip
        n = CURRENCY_EXPONENTS[currency]
        raise Refused(message.format(currency=currency, n=n), "reference_amount")
    _refuse_above_ceiling(minor, currency, "reference_amount", _)
    if not unit or len(unit) > 40:
        raise Refused(_("Say per what, in a few words: bag, kg, strand."), "reference_unit")
    return {"amount_minor": minor, "currency": currency, "unit": unit}


def shares(form: FormData, _: Gettext) -> list[dict[str, Any]]:
    """`share.<producer id>` fields, in percent with up to 2 decimals, as basis points; the
    empty and zero ones left out."""
    found = []
    for key, value in form.multi_items():
        if not key.startswith("share.") or not isinstance(value, str) or not value.strip():
            continue
        try:
            bps = parse_scaled(value, 2)
        except BadAmount:
            bps = -1
        if not 0 <= bps <= 10_000:
            message = _("Type each share in percent, from 0 to 100, with at most 2 decimals.")
            raise Refused(message, key)
        if bps:
            found.append({"producer_id": key.removeprefix("share."), "bps": bps})
    return found


def scheduled_at(form: FormData, _: Gettext) -> datetime:
    """The `datetime-local` value in the browser's zone (`time_zone`, IANA), made aware."""
    try:
        local = datetime.fromisoformat(text(form, "scheduled_at"))
    except ValueError:
        raise Refused(_("Choose the date and time of the show")) from None
    if local.tzinfo is not None:
        return local
    try:
        zone = ZoneInfo(text(form, "time_zone") or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return local.replace(tzinfo=zone)


def country(form: FormData, name: str, _: Gettext) -> str | None:
    """An ISO 3166-1 alpha-2 code, typed in any case; None when left empty."""
    code = text(form, name).upper()
    if code and code not in ISO_3166_ALPHA2:
        raise Refused(_("Type the country as two letters, e.g. RW, CN, FR."))
    return code or None


def shipping(form: FormData, order_id: str, _: Gettext) -> ShipIn:
    """The carrier and the tracking number of an order's Ship form (`carrier-<order id>`
    and `tracking-<order id>` are their inputs' ids, where the focus goes)."""
    carrier, number = text(form, "carrier"), text(form, "tracking_number")
    try:
        return ShipIn(carrier=carrier, tracking_number=number)
    except ValidationError as invalid:
        wrong = {str(error["loc"][0]) for error in invalid.errors() if error["loc"]}
    if "carrier" in wrong:
        message = _("Type the carrier's name: letters, digits, spaces and . , & ' ( ) / + - "
                    "(at most 60).")  # fmt: skip
        raise Refused(message, f"carrier-{order_id}")
    message = _("Type the tracking number as printed: letters A-Z, digits, spaces and dashes "
                "(at most 64).")  # fmt: skip
    raise Refused(message, f"tracking-{order_id}")
