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
