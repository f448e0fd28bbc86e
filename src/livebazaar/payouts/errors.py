"""Payout refusals, each with a stable code."""

from livebazaar.kernel.errors import Conflict, Invalid, NotFound
from livebazaar.kernel.text import N_


class InvalidIban(Invalid):
    code = "invalid_iban"
    title = N_("This IBAN is not valid: check its country, length and check digits")


class InvalidBic(Invalid):
    code = "invalid_bic"
    title = N_("This BIC (SWIFT code) is not valid")


class BicRequired(Invalid):
    code = "bic_required"
    title = N_("A bank outside the SEPA area needs its BIC (SWIFT code)")


class InvalidPhone(Invalid):
    code = "invalid_phone"
    title = N_("This is not a mobile number in international form, such as +250 788 123 456")


class UnknownPayoutProvider(Invalid):
    code = "unknown_payout_provider"
    title = N_("No such payout provider")


class MinimumCurrencyMismatch(Invalid):
    code = "minimum_currency_mismatch"
    title = N_("The minimum payout must be in the shop's currency")


class PayoutNotFound(NotFound):
    code = "payout_not_found"
    title = N_("No such payout")


class PayoutBatchNotFound(NotFound):
    code = "payout_batch_not_found"
    title = N_("No such payout batch")


class NothingToPayOut(Conflict):
    code = "nothing_to_pay_out"
    title = N_("Nothing is available to pay out at or above the shop's minimum")


class PayoutNotPending(Conflict):
    code = "payout_not_pending"
    title = N_("This payout is already marked paid or failed")


class SepaNotPossible(Conflict):
    code = "sepa_not_possible"
    title = N_("A SEPA file needs every payout of the batch to go to a euro bank account")


class ShopBankAccountRequired(Conflict):
    code = "shop_bank_account_required"
    title = N_("A SEPA file needs the shop's own euro bank account as its payout method")


class NoPendingPayouts(Conflict):
    code = "no_pending_payouts"
    title = N_("No payout of this batch is still pending: there is nothing left to transfer")
