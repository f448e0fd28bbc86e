"""A batch as a SEPA credit transfer initiation (pain.001.001.03), built with sepaxml and
validated against the schema it ships: the file a treasurer uploads to the shop's bank.

Possible only when every payout of the batch goes to a euro bank account in the SEPA area
(otherwise 409 `sepa_not_possible`; the CSV serves), and the shop's own payout method is a
bank account in the SEPA area: the debtor, whose account the money leaves. It lists the
payouts still pending (paid and failed ones are done with); one payment information block,
booked as one, each transfer's end-to-end id the payout's id without its dashes (35
characters at most in SEPA).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from schwifty import IBAN
from sepaxml import SepaTransfer
from sepaxml.validation import ValidationError

from livebazaar.payouts.errors import NoPendingPayouts, SepaNotPossible, ShopBankAccountRequired
from livebazaar.payouts.methods import MethodSnapshot
from livebazaar.payouts.models import MethodKind, Payout, PayoutStatus

SCHEMA = "pain.001.001.03"


def _in_sepa(method: MethodSnapshot, currency: str) -> bool:
    return (
        currency == "EUR"
        and method.kind is MethodKind.BANK
        and method.iban is not None
        and IBAN(method.iban).in_sepa_zone
    )


def check_sepa_possible(payouts: Sequence[Payout], debtor: MethodSnapshot | None) -> None:
    """Raise unless a SEPA file can be made of these payouts from the debtor's account."""
    for payout in payouts:
        if not _in_sepa(MethodSnapshot.from_json(payout.method), payout.currency):
            raise SepaNotPossible(payout_id=payout.id)
    if debtor is None or not _in_sepa(debtor, "EUR"):
        raise ShopBankAccountRequired()
    if not any(payout.status is PayoutStatus.PENDING for payout in payouts):
        raise NoPendingPayouts()


def sepa_transfer(
    payouts: Sequence[Payout], debtor: MethodSnapshot | None, shop_name: str, on: date
) -> bytes:
    check_sepa_possible(payouts, debtor)
    assert debtor is not None, "checked"
    config: dict[str, object] = {
        "name": debtor.holder or shop_name, "IBAN": debtor.iban, "batch": True,
        "currency": "EUR",
    }  # fmt: skip
    if debtor.bic:
        config["BIC"] = debtor.bic
    transfer = SepaTransfer(config, schema=SCHEMA, clean=True)
    for payout in payouts:
        if payout.status is PayoutStatus.PENDING:
            transfer.add_payment(_payment(payout, shop_name, on))
    try:
        xml: bytes = transfer.export(validate=True)
    except ValidationError as error:  # a name or text the schema refuses even cleaned
        raise SepaNotPossible("The SEPA file did not pass its schema") from error
    return xml


def _payment(payout: Payout, shop_name: str, on: date) -> dict[str, object]:
    method = MethodSnapshot.from_json(payout.method)
    payment: dict[str, object] = {
        "name": method.holder or "", "IBAN": method.iban, "amount": payout.amount_minor,
        "execution_date": on, "description": f"Payout from {shop_name}"[:140],
        "endtoend_id": payout.id.replace("-", "")[:35],
    }  # fmt: skip
    if method.bic:
        payment["BIC"] = method.bic
    return payment
