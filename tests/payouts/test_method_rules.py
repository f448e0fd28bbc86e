"""The rules a payout method is checked by (payouts/methods.py), without a database."""

from __future__ import annotations

import pytest

from livebazaar.kernel.errors import DomainError
from livebazaar.payouts import MethodKind
from livebazaar.payouts.methods import bank_account, check_phone, mobile_money
from tests.payouts.stage import BELGIAN_IBAN, MAURITIUS_IBAN, SHOP_IBAN


def test_an_iban_is_kept_compact_and_its_bank_s_bic_is_found() -> None:
    method = bank_account(" Kivu Coffee ", "de89 3704 0044 0532 0130 00", None)
    assert (method.kind, method.holder) == (MethodKind.BANK, "Kivu Coffee")
    assert (method.iban, method.bic, method.country) == (SHOP_IBAN, "COBADEFFXXX", "DE")


def test_a_bic_given_is_checked_and_kept() -> None:
    assert bank_account("A", SHOP_IBAN, "deutdeff").bic == "DEUTDEFF"


def test_a_sepa_iban_whose_bank_is_unknown_needs_no_bic() -> None:
    assert bank_account("A", BELGIAN_IBAN, None).bic is None


@pytest.mark.parametrize(
    ("iban", "why"),
    [
        ("DE89 3704 0044 0532 0130 01", "check digits"),
        ("DE8937040044053201300", "length for Germany"),
        ("XX89370400440532013000", "no such country"),
        ("FR7630006000011234567890188", "ISO check digits"),
        ("FR7630006000011234567890", "length for France"),
        ("DE89-3704-0044", "characters"),
        ("", "empty"),
        ("D" * 65, "far too long"),
    ],
)
def test_a_malformed_iban_is_invalid_iban(iban: str, why: str) -> None:
    with pytest.raises(DomainError) as refused:
        bank_account("A", iban, None)
    assert (refused.value.code, refused.value.status) == ("invalid_iban", 422), why


@pytest.mark.parametrize("bic", ["12345678", "COBAZZFF", "COBADE", "COBADEFFXXXX"])
def test_a_malformed_bic_is_invalid_bic(bic: str) -> None:
    with pytest.raises(DomainError) as refused:
        bank_account("A", SHOP_IBAN, bic)
    assert refused.value.code == "invalid_bic"


def test_a_bank_outside_sepa_needs_its_bic() -> None:
    with pytest.raises(DomainError) as refused:
        bank_account("A", MAURITIUS_IBAN, None)
    assert refused.value.code == "bic_required"
    assert bank_account("A", MAURITIUS_IBAN, "BOMMMUPL").bic == "BOMMMUPL"


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("+250 788 123 456", "+250788123456"),  # Rwanda, MTN
        ("+254-712-345678", "+254712345678"),  # Kenya, Safaricom (M-Pesa)
        ("+256 772 123456", "+256772123456"),  # Uganda
    ],
)
def test_a_mobile_number_is_kept_in_e164(typed: str, e164: str) -> None:
    assert check_phone(typed) == e164
    assert mobile_money(typed, " M-Pesa ").provider == "M-Pesa"


@pytest.mark.parametrize(
    "phone",
    [
        "0788123456",  # no country code
        "+250 788 12",  # too short
        "+999 123 456 789",  # no such country code
        "+250 252 123 456",  # a Rwandan landline: mobile money needs a mobile
        "call me",
        "+" + "1" * 70,
    ],
)
def test_a_number_that_is_not_an_international_mobile_is_invalid_phone(phone: str) -> None:
    with pytest.raises(DomainError) as refused:
        check_phone(phone)
    assert (refused.value.code, refused.value.status) == ("invalid_phone", 422)


def test_masking_leaves_only_the_ends() -> None:
    method = bank_account("A", SHOP_IBAN, None).masked()
    assert method.iban == "DE89" + "*" * 14 + "3000"
    assert mobile_money("+250788123456", "MTN MoMo").masked().phone == "+250******456"
