"""What the payouts API accepts and returns.

IBANs, BICs and phone numbers are only bounded here: their real checks (methods.py) answer
with their own codes (`invalid_iban`, `invalid_bic`, `bic_required`, `invalid_phone`), which a
client can tell apart, where a schema error would be one `validation_error` for all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from livebazaar.kernel.money import CurrencyCode, Money, MoneyIn, MoneyOut
from livebazaar.kernel.text import no_nul
from livebazaar.payouts.ledger_seam import Party
from livebazaar.payouts.methods import MethodSnapshot
from livebazaar.payouts.models import BatchStatus, MethodKind, PartyType, PayoutStatus

Clean = AfterValidator(no_nul)
Holder = Annotated[str, Field(min_length=1, max_length=70, pattern=r"\S"), Clean]
Code = Annotated[str, Field(min_length=1, max_length=64), Clean]  # checked in methods.py
Provider = Annotated[
    str, Field(min_length=1, max_length=40, pattern=r"\S", examples=["MTN MoMo"]), Clean
]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BankAccountIn(_In):
    kind: Literal["bank"]
    holder: Holder
    iban: Code = Field(examples=["DE89 3704 0044 0532 0130 00"])
    bic: Code | None = Field(default=None, examples=["COBADEFFXXX"])


class MobileMoneyIn(_In):
    kind: Literal["mobile_money"]
    phone: Code = Field(examples=["+250 788 123 456"])
    provider: Provider  # MTN MoMo, Airtel Money, M-Pesa...


class CashIn(_In):
    """Collected in cash at the cooperative."""

    kind: Literal["cash"]


PayoutMethodIn = Annotated[BankAccountIn | MobileMoneyIn | CashIn, Field(discriminator="kind")]


class PartyOut(BaseModel):
    type: PartyType
    id: str

    @classmethod
    def of(cls, party: Party) -> PartyOut:
        return cls(type=party.type, id=party.id)


class MethodOut(BaseModel):
    """A payout method; `masked` says the IBAN and phone number show only their ends."""

    kind: MethodKind
    holder: str | None
    iban: str | None
    bic: str | None
    phone: str | None
    provider: str | None
    masked: bool

    @classmethod
    def of(cls, method: MethodSnapshot, *, full: bool) -> MethodOut:
        shown = method if full else method.masked()
        return cls(
            kind=shown.kind, holder=shown.holder, iban=shown.iban, bic=shown.bic,
            phone=shown.phone, provider=shown.provider, masked=not full,
        )  # fmt: skip


class PayoutMethodOut(BaseModel):
    party: PartyOut
    method: MethodOut | None  # None: none set yet, so its balance waits
    updated_at: datetime | None


class PayoutSettingsIn(_In):
    # Balances under this wait for a later batch; in the shop's currency.
    minimum: MoneyIn


class PayoutSettingsOut(BaseModel):
    shop_id: str
    minimum: MoneyOut
    is_default: bool  # the shop set none: settings.payout_minimum_default_major


class PayoutBatchIn(_In):
    currency: CurrencyCode | None = None  # the shop's currency unless given
    provider: str = Field(default="manual", min_length=1, max_length=32)


class PayoutOut(BaseModel):
    id: str
    batch_id: str
    party: PartyOut
    party_name: str
    amount: MoneyOut
    status: PayoutStatus
    method: MethodOut
    reference: str | None
    failure_reason: str | None
    created_at: datetime
    settled_at: datetime | None


class PayoutBatchOut(BaseModel):
    id: str
    shop_id: str
    currency: str
    provider: str
    status: BatchStatus
    created_by: str | None
    created_at: datetime
    total: MoneyOut
    payouts: list[PayoutOut]


class SkippedOut(BaseModel):
    """A balance the batch left for later, and why."""

    party: PartyOut
    party_name: str
    amount: MoneyOut
    reason: Literal["below_minimum", "no_payout_method"]

    @classmethod
    def of(cls, party: Party, name: str, amount: Money, reason: str) -> SkippedOut:
        return cls.model_validate(
            {"party": PartyOut.of(party), "party_name": name, "amount": MoneyOut.of(amount),
             "reason": reason}
        )  # fmt: skip


class PayoutBatchCreatedOut(PayoutBatchOut):
    skipped: list[SkippedOut]


class MarkPaidIn(_In):
    # The bank's or the agent's reference for the transfer, or the receipt number for cash.
    reference: Annotated[str, Field(min_length=1, max_length=140, pattern=r"\S"), Clean]


class MarkFailedIn(_In):
    reason: Annotated[str, Field(min_length=1, max_length=200, pattern=r"\S"), Clean]
