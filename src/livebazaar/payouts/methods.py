"""Payout methods checked and copied: bank accounts (schwifty), mobile money (phonenumbers).

The rules, decided here:

- An IBAN must pass schwifty's checks: a known country, that country's length and BBAN
  format, the ISO 7064 check digits, and the national check digits where schwifty knows them.
  It is kept compact and upper-case (`DE89370400440532013000`).
- A BIC is optional. Given, it must be well formed with a real country code. Left out, the
  IBAN's bank is looked up in schwifty's registry; a bank inside the SEPA area needs none
  (SEPA transfers go by IBAN alone since 2016), one outside it must be given its BIC
  (`bic_required`), since an international transfer cannot reach it otherwise. The BIC is
  not cross-checked with the IBAN's country: banks of French overseas departments, Monaco
  and others use BICs of another country.
- A mobile-money number must parse as an international number (a leading `+` and the
  country code), be valid for its country and be a mobile number; it is kept in E.164.

A refusal says which check failed in `reason` (`checksum_digits`, `length`, `country_code`,
`structure`, `bban_checksum`...; for a phone `not_international`, `not_in_numbering_plan`,
`not_mobile`), beside its stable code; its title is the sentence a person reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

import phonenumbers
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from livebazaar.payouts.errors import BicRequired, InvalidBic, InvalidIban, InvalidPhone
from livebazaar.payouts.models import MethodKind, PayoutMethod

_MOBILE = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
_LONGEST_INPUT = 64  # characters: longer is no IBAN, BIC or phone number anyone typed


@dataclass(frozen=True)
class MethodSnapshot:
    """A payout method as data: what a payout copies and what a batch file is made from."""

    kind: MethodKind
    holder: str | None = None
    iban: str | None = None
    bic: str | None = None
    phone: str | None = None
    provider: str | None = None

    @property
    def account(self) -> str | None:
        """Where the money lands: the IBAN or the phone number (None for cash)."""
        return self.iban or self.phone

    @property
    def country(self) -> str | None:
        return self.iban[:2] if self.iban else None

    def masked(self) -> MethodSnapshot:
        """The same method with the IBAN and phone number hidden but for their ends."""
        return replace(self, iban=_mask(self.iban, 4, 4), phone=_mask(self.phone, 4, 3))

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value, "holder": self.holder, "iban": self.iban, "bic": self.bic,
            "phone": self.phone, "provider": self.provider,
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MethodSnapshot:
        return cls(
            kind=MethodKind(data["kind"]), holder=data.get("holder"), iban=data.get("iban"),
            bic=data.get("bic"), phone=data.get("phone"), provider=data.get("provider"),
        )  # fmt: skip

    @classmethod
    def of(cls, row: PayoutMethod) -> MethodSnapshot:
        return cls(
            kind=row.kind, holder=row.holder, iban=row.iban, bic=row.bic, phone=row.phone,
            provider=row.provider,
        )  # fmt: skip


def _mask(text: str | None, head: int, tail: int) -> str | None:
    if text is None or len(text) <= head + tail:
        return text
    return text[:head] + "*" * (len(text) - head - tail) + text[-tail:]


def _reason(error: SchwiftyException) -> str:
    """Which check failed, as a stable word: `InvalidChecksumDigits` is `checksum_digits`."""
    name = type(error).__name__.removeprefix("Invalid")
    return re.sub(r"(?<!^)(?=[A-Z][a-z])", "_", name).lower()


def check_iban(text: str) -> IBAN:
    if len(text) > _LONGEST_INPUT:
        raise InvalidIban(reason="too_long")
    try:
        return IBAN(text, validate_bban=True)
    except SchwiftyException as error:
        raise InvalidIban(reason=_reason(error)) from None


def check_bic(text: str) -> BIC:
    if len(text) > _LONGEST_INPUT:
        raise InvalidBic(reason="too_long")
    try:
        return BIC(text)
    except SchwiftyException as error:
        raise InvalidBic(reason=_reason(error)) from None


def bank_account(holder: str, iban_text: str, bic_text: str | None) -> MethodSnapshot:
    """A checked bank account (the rules above); InvalidIban, InvalidBic or BicRequired."""
    iban = check_iban(iban_text)
    bic: str | None
    if bic_text is not None and bic_text.strip():
        bic = check_bic(bic_text).compact
    else:
        known = iban.bic
        bic = known.compact if known is not None else None
        if bic is None and not iban.in_sepa_zone:
            raise BicRequired()
    return MethodSnapshot(MethodKind.BANK, holder=holder.strip(), iban=iban.compact, bic=bic)


def check_phone(text: str) -> str:
    """The mobile number in E.164 (`+250788123456`); InvalidPhone otherwise."""
    if len(text) > _LONGEST_INPUT:
        raise InvalidPhone(reason="too_long")
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        raise InvalidPhone(reason="not_international") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(reason="not_in_numbering_plan")
    if phonenumbers.number_type(number) not in _MOBILE:
        raise InvalidPhone(reason="not_mobile")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mobile_money(phone_text: str, provider: str) -> MethodSnapshot:
    """A checked mobile-money account; InvalidPhone otherwise."""
    return MethodSnapshot(
        MethodKind.MOBILE_MONEY, phone=check_phone(phone_text), provider=provider.strip()
    )


CASH = MethodSnapshot(MethodKind.CASH)
