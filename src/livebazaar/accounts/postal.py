"""Which countries' addresses need a postal code for a courier to deliver them.

Most countries route mail by postal code, and a courier's label without one is refused or
lost (a Lyon order exported with an empty code). A few have none at all (Rwanda, the Emirates,
Hong Kong, much of Africa and the Pacific), and in a few the code exists but couriers deliver
without it (Ireland's Eircode). The tables below list those; every other country needs one.
"""

from __future__ import annotations

from typing import Protocol

from livebazaar.accounts.errors import PostalCodeRequired


class Deliverable(Protocol):
    """What the check reads of an address (schemas.AddressFields; the schemas import this
    module, so it names no schema)."""

    @property
    def country(self) -> str: ...

    @property
    def postal_code(self) -> str: ...


# No postal codes in use (Universal Postal Union's list, the ones couriers meet).
NO_POSTAL_CODE = frozenset({
    "AE", "AG", "AO", "AW", "BF", "BI", "BJ", "BO", "BS", "BW", "BZ", "CD", "CF", "CG", "CI",
    "CK", "CM", "DJ", "DM", "ER", "FJ", "GA", "GD", "GH", "GM", "GQ", "GY", "HK", "KI", "KM",
    "KN", "KP", "ML", "MO", "MR", "MW", "NA", "NR", "NU", "QA", "RW", "SB", "SC", "SL", "SR",
    "SS", "ST", "SY", "TD", "TF", "TG", "TK", "TL", "TO", "TV", "UG", "VU", "YE", "ZW",
})  # fmt: skip
# A postal code exists but a courier delivers without it.
POSTAL_CODE_OPTIONAL = frozenset({"IE", "JM", "PA"})


def needs_postal_code(country: str) -> bool:
    """Does an address in `country` (ISO 3166 alpha-2) need a postal code to be delivered?"""
    code = country.upper()
    return code not in NO_POSTAL_CODE and code not in POSTAL_CODE_OPTIONAL


def check_deliverable(address: Deliverable) -> None:
    """PostalCodeRequired for an address a courier cannot deliver to (one saved before postal
    codes were required, without one where its country uses them)."""
    if not address.postal_code and needs_postal_code(address.country):
        raise PostalCodeRequired(country=address.country)
