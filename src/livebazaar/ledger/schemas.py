"""What the ledger's API accepts and returns. Amounts are integer minor units of `currency`."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from livebazaar.ledger.models import AccountKind, Bucket, OwnerType

Bps = Annotated[int, Field(ge=1, le=10_000)]


class CommissionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: str = Field(min_length=1, max_length=36)
    bps: Bps


# A show's commissions: one per host or co-host, a handful in practice.
CommissionsIn = Annotated[list[CommissionIn], Field(max_length=50)]


class CommissionOut(BaseModel):
    user_id: str
    bps: int


class PlatformFeeIn(BaseModel):
    """A shop's own platform fee in basis points; null: the platform's default again."""

    model_config = ConfigDict(extra="forbid")

    bps: Annotated[int, Field(ge=0, le=10_000)] | None


class PlatformFeeOut(BaseModel):
    shop_id: str
    bps: int | None  # the shop's own, if a platform admin set one
    effective_bps: int  # what its sales pay


class PartyOut(BaseModel):
    type: OwnerType
    id: str | None  # None for the platform


class SettlementLineOut(BaseModel):
    party: PartyOut
    kind: AccountKind
    amount_minor: int
    status: Literal["pending", "available", "posted"]


class SettlementOut(BaseModel):
    """Where an order's money went. `lines` sum to `net_minor` = paid less refunded; the
    buyer sees the totals only (no lines)."""

    order_id: str
    currency: str
    paid_minor: int
    refunded_minor: int
    net_minor: int
    lines: list[SettlementLineOut]


class BalanceOut(BaseModel):
    """What a party is owed in one currency: `pending` until its orders are released,
    `available` to pay out, `in_transit` in a payout not yet confirmed, `paid_out` so far. A
    chargeback after a payout may leave `available` negative."""

    currency: str
    pending_minor: int
    available_minor: int
    in_transit_minor: int = 0
    paid_out_minor: int


class AccountBalanceOut(BaseModel):
    id: str
    owner: PartyOut
    kind: AccountKind
    bucket: Bucket
    balance_minor: int


class CurrencyTrialOut(BaseModel):
    currency: str
    accounts: list[AccountBalanceOut]
    total_minor: int  # always 0


class TrialBalanceOut(BaseModel):
    shop_id: str
    currencies: list[CurrencyTrialOut]


class DeductionOut(BaseModel):
    """What came off a sale before the producers' shares, for the whole order: the provider's
    fee, the platform's fee, a co-host's commission, shipping. `posting_id` is its posting."""

    kind: AccountKind
    party: PartyOut
    amount_minor: int
    posting_id: str


class StatementLineOut(BaseModel):
    """One movement of the producer's balance: `amount_minor` is the producer's posting
    `posting_id` (of entry `entry_id`). A sale carries its order's `gross_minor`, the
    producer's `share_bps` of what is left after `deductions`; a refund or chargeback names
    `sale_posting_id`, the posting of the sale it takes back from; a payout its `payout_id`
    and `reference`."""

    date: str  # YYYY-MM-DD, UTC
    at: str  # ISO 8601, UTC
    kind: str
    order_id: str | None
    show_id: str | None
    product_id: str | None
    units: int | None
    amount_minor: int
    posting_id: str
    entry_id: str
    gross_minor: int | None = None
    share_bps: int | None = None
    deductions: list[DeductionOut] = []
    sale_posting_id: str | None = None
    payout_id: str | None = None
    reference: str | None = None


class ReferencePriceOut(BaseModel):
    amount_minor: int
    currency: str
    unit: str


class UpliftOut(BaseModel):
    """Per product sold in the period: what the producer received per unit (minor units,
    rounded half to even) against the farm-gate `reference_price`; no uplift without one."""

    product_id: str
    title: str
    units: int
    received_minor: int
    reference_price: ReferencePriceOut | None
    received_per_unit: int | None  # None when every unit sold was refunded
    uplift_per_unit: int | None


class StatementOut(BaseModel):
    """A producer's statement for the days `from`..`to` (inclusive, UTC) in the shop's
    currency. Its balance is what the shop owes the producer and has not paid out yet
    (pending + available + in transit), so closing - opening == sum of the lines."""

    model_config = ConfigDict(populate_by_name=True)

    producer_id: str
    producer_name: str
    currency: str
    from_: str = Field(alias="from")
    to: str
    opening_minor: int
    closing_minor: int
    lines: list[StatementLineOut]
    uplift: list[UpliftOut]
