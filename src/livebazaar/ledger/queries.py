"""Reading the ledger: balances are sums of postings (no stored totals: ADR 0021). Never commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import CompoundSelect, bindparam, func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from livebazaar import catalog, checkout, live
from livebazaar.accounts import Actor, Role, check_shop_role, list_roles
from livebazaar.ledger.journal import AccountRef
from livebazaar.ledger.models import (
    PLATFORM_OWNER,
    AccountKind,
    Bucket,
    EntryKind,
    LedgerAccount,
    LedgerEntry,
    LedgerPosting,
    OwnerType,
    ShowCommission,
)
from livebazaar.ledger.schemas import (
    AccountBalanceOut,
    BalanceOut,
    CommissionOut,
    CurrencyTrialOut,
    PartyOut,
    PlatformFeeOut,
    SettlementLineOut,
    SettlementOut,
    TrialBalanceOut,
)

# The kinds a party is paid from, in the balances each reads.
PAYABLE_KINDS = {
    OwnerType.SHOP: (AccountKind.SHOP_PAYABLE, AccountKind.SHIPPING_PAYABLE),
    OwnerType.PRODUCER: (AccountKind.PRODUCER_PAYABLE,),
    OwnerType.USER: (AccountKind.COMMISSION_PAYABLE,),
}


_POSTED_KINDS = (AccountKind.PAYMENT_FEE, AccountKind.REFUNDS)


def order_entry_key(order_id: str, event: str) -> str:
    """The idempotency key of an order's entry: `order:<id>:paid`, `...:refund:<refund id>`."""
    return f"order:{order_id}:{event}"


def platform_fee_of(shop: catalog.Shop, default_bps: int) -> int:
    return default_bps if shop.platform_fee_bps is None else shop.platform_fee_bps


# Built once: building it per payment cost more than running it. (A show id of None matches
# no commission.)
_SALE_SHARES: CompoundSelect[str, str, int | None] = union_all(
    select(literal("shop"), catalog.Shop.id, catalog.Shop.platform_fee_bps).where(
        catalog.Shop.id == bindparam("shop_id")
    ),
    select(literal("producer"), catalog.RevenueShare.producer_id, catalog.RevenueShare.bps).where(
        catalog.RevenueShare.product_id == bindparam("product_id")
    ),
    select(literal("user"), ShowCommission.user_id, ShowCommission.bps).where(
        ShowCommission.show_id == bindparam("show_id")
    ),
)


@dataclass(frozen=True)
class SaleShares:
    """What a paid order's split depends on besides its amounts, read in one query."""

    shop_fee_bps: int | None  # the shop's own platform fee, if an admin set one
    producer_shares: list[tuple[str, int]]
    commissions: list[tuple[str, int]]


async def get_sale_shares(
    session: AsyncSession, shop_id: str, product_id: str, show_id: str | None
) -> SaleShares:
    """The product's revenue shares, the show's commissions and the shop's own platform fee,
    in one round trip (it runs in every payment's transaction)."""
    params = {"shop_id": shop_id, "product_id": product_id, "show_id": show_id}
    fee: int | None = None
    found: dict[str, list[tuple[str, int]]] = {"producer": [], "user": []}
    for kind, party, bps in await session.execute(_SALE_SHARES, params):
        if kind == "shop":
            fee = bps
        elif bps is not None:
            found[kind].append((party, bps))
    return SaleShares(fee, sorted(found["producer"]), sorted(found["user"]))


async def get_commission_bps(session: AsyncSession, show_id: str) -> list[tuple[str, int]]:
    rows = await session.execute(
        select(ShowCommission.user_id, ShowCommission.bps)
        .where(ShowCommission.show_id == show_id)
        .order_by(ShowCommission.user_id)
    )
    return [(user_id, bps) for user_id, bps in rows]


def _ref(account: LedgerAccount) -> AccountRef:
    return AccountRef(
        account.shop_id, account.owner_type, account.owner_id, account.kind, account.bucket,
        account.currency,
    )  # fmt: skip


async def list_order_parts(
    session: AsyncSession, order_id: str, bucket: Bucket | None = None, *,
    kinds: Sequence[EntryKind] | None = None,
) -> list[tuple[AccountRef, int]]:  # fmt: skip
    """Net amounts per account over the order's entries (of `kinds`, in `bucket`), the
    provider clearing account left out: each party's share of the order. Zeros left out."""
    query = (
        select(LedgerAccount, func.sum(LedgerPosting.amount_minor))
        .join(LedgerPosting, LedgerPosting.account_id == LedgerAccount.id)
        .join(LedgerEntry, LedgerEntry.id == LedgerPosting.entry_id)
        .where(
            LedgerEntry.order_id == order_id,
            LedgerAccount.kind != AccountKind.PROVIDER_CLEARING,
        )
        .group_by(LedgerAccount.id)
        .order_by(LedgerAccount.id)
    )
    if bucket is not None:
        query = query.where(LedgerAccount.bucket == bucket)
    if kinds is not None:
        query = query.where(LedgerEntry.kind.in_(kinds))
    rows = await session.execute(query)
    return [(_ref(account), int(total)) for account, total in rows if total]


async def has_entry(session: AsyncSession, key: str) -> bool:
    return await session.scalar(select(LedgerEntry.id).where(LedgerEntry.key == key)) is not None


async def get_settlement(
    session: AsyncSession, order_id: str, currency: str, *, lines: bool
) -> SettlementOut:
    """Where the order's money went: one line per party and kind, summing to what the buyer
    paid less refunds (the provider clearing account's side, negated). `lines=False`: only
    the totals (what the buyer may see)."""
    parts = await list_order_parts(session, order_id)
    released = await has_entry(session, order_entry_key(order_id, "release"))
    status = "available" if released else "pending"
    merged: dict[tuple[OwnerType, str, AccountKind], int] = {}
    for account, amount in parts:
        key = (account.owner_type, account.owner_id, account.kind)
        merged[key] = merged.get(key, 0) + amount
    out = [
        SettlementLineOut(
            party=_party(owner_type, owner_id),
            kind=kind,
            amount_minor=amount,
            status="posted" if kind in _POSTED_KINDS else status,
        )
        for (owner_type, owner_id, kind), amount in sorted(merged.items())
        if amount
    ]
    paid, refunded = await _order_flows(session, order_id)
    return SettlementOut(
        order_id=order_id, currency=currency, paid_minor=paid, refunded_minor=refunded,
        net_minor=sum(line.amount_minor for line in out), lines=out if lines else [],
    )  # fmt: skip


async def _order_flows(session: AsyncSession, order_id: str) -> tuple[int, int]:
    """What came in through the provider for the order, and what went back out (refunds and
    chargebacks), from the clearing account's postings."""
    rows = await session.execute(
        select(LedgerEntry.kind, func.sum(LedgerPosting.amount_minor))
        .join(LedgerPosting, LedgerPosting.entry_id == LedgerEntry.id)
        .join(LedgerAccount, LedgerAccount.id == LedgerPosting.account_id)
        .where(
            LedgerEntry.order_id == order_id,
            LedgerAccount.kind == AccountKind.PROVIDER_CLEARING,
        )
        .group_by(LedgerEntry.kind)
    )
    totals = {kind: int(total) for kind, total in rows}
    paid = -totals.pop(EntryKind.SALE, 0)
    return paid, sum(totals.values())


def _party(owner_type: OwnerType, owner_id: str) -> PartyOut:
    return PartyOut(type=owner_type, id=None if owner_id == PLATFORM_OWNER else owner_id)


async def get_party_balances(
    session: AsyncSession, owner_type: OwnerType, owner_id: str, *, shop_id: str | None = None
) -> list[BalanceOut]:
    """What the party is owed, per currency and bucket (across shops unless `shop_id`)."""
    query = (
        select(LedgerAccount.currency, LedgerAccount.bucket, func.sum(LedgerPosting.amount_minor))
        .join(LedgerPosting, LedgerPosting.account_id == LedgerAccount.id)
        .where(
            LedgerAccount.owner_type == owner_type,
            LedgerAccount.owner_id == owner_id,
            LedgerAccount.kind.in_(PAYABLE_KINDS[owner_type]),
        )
        .group_by(LedgerAccount.currency, LedgerAccount.bucket)
    )
    if shop_id is not None:
        query = query.where(LedgerAccount.shop_id == shop_id)
    per_currency: dict[str, dict[Bucket, int]] = {}
    for currency, bucket, total in await session.execute(query):
        per_currency.setdefault(currency, {})[bucket] = int(total)
    return [_balance(currency, buckets) for currency, buckets in sorted(per_currency.items())]


def _balance(currency: str, buckets: dict[Bucket, int]) -> BalanceOut:
    return BalanceOut(
        currency=currency,
        pending_minor=buckets.get(Bucket.PENDING, 0),
        available_minor=buckets.get(Bucket.AVAILABLE, 0),
        in_transit_minor=buckets.get(Bucket.IN_TRANSIT, 0),
        paid_out_minor=buckets.get(Bucket.PAID_OUT, 0),
    )


async def get_balance_in(
    session: AsyncSession, owner_type: OwnerType, owner_id: str, shop: catalog.Shop
) -> BalanceOut:
    """The party's balance in the shop's books: one currency, the shop's (its orders are all
    in it; a shop's currency never changes)."""
    for balance in await get_party_balances(session, owner_type, owner_id, shop_id=shop.id):
        if balance.currency == shop.currency:
            return balance
    return _balance(shop.currency, {})


async def get_trial_balance(session: AsyncSession, shop_id: str) -> TrialBalanceOut:
    """Every account of the shop's books with its balance, per currency, and their sum (0)."""
    rows = await session.execute(
        select(LedgerAccount, func.coalesce(func.sum(LedgerPosting.amount_minor), 0))
        .outerjoin(LedgerPosting, LedgerPosting.account_id == LedgerAccount.id)
        .where(LedgerAccount.shop_id == shop_id)
        .group_by(LedgerAccount.id)
        .order_by(LedgerAccount.currency, LedgerAccount.owner_type, LedgerAccount.owner_id,
                  LedgerAccount.kind, LedgerAccount.bucket)
    )  # fmt: skip
    currencies: dict[str, list[AccountBalanceOut]] = {}
    for account, total in rows:
        currencies.setdefault(account.currency, []).append(
            AccountBalanceOut(
                id=account.id,
                owner=_party(account.owner_type, account.owner_id),
                kind=account.kind,
                bucket=account.bucket,
                balance_minor=int(total),
            )
        )
    return TrialBalanceOut(
        shop_id=shop_id,
        currencies=[
            CurrencyTrialOut(
                currency=currency,
                accounts=accounts,
                total_minor=sum(a.balance_minor for a in accounts),
            )
            for currency, accounts in sorted(currencies.items())
        ],
    )


# What each caller may read (the routes call these).
STAFF_ROLES = frozenset({Role.OWNER, Role.HOST})


async def get_order_settlement(session: AsyncSession, actor: Actor, order_id: str) -> SettlementOut:
    """The order's settlement: its lines for the shop's owners and hosts (and admins), the
    totals only for its buyer; OrderNotFound for anyone else."""
    order = await checkout.get_visible_order(session, actor, order_id)
    roles = await list_roles(session, actor.user_id, order.shop_id)
    staff = actor.is_admin or bool(roles & checkout.ORDER_VIEWER_ROLES)
    return await get_settlement(session, order.id, order.currency, lines=staff)


async def get_shop_balance(session: AsyncSession, actor: Actor, shop_id: str) -> BalanceOut:
    """What the shop itself is owed (its owners and hosts, admins)."""
    await check_shop_role(session, actor, shop_id, STAFF_ROLES)
    shop = await catalog.get_shop(session, shop_id)
    return await get_balance_in(session, OwnerType.SHOP, shop.id, shop)


async def get_producer_balance(session: AsyncSession, actor: Actor, producer_id: str) -> BalanceOut:
    """What a producer is owed: for the shop's owners and hosts (admins), and for the
    producer's own account (linked to it, and holding the producer role in the shop)."""
    producer = await session.get(catalog.Producer, producer_id)
    if producer is None:
        raise catalog.ProducerNotFound()
    if not await is_linked_producer(session, actor, producer):
        await check_shop_role(session, actor, producer.shop_id, STAFF_ROLES)
    shop = await catalog.get_shop(session, producer.shop_id)
    return await get_balance_in(session, OwnerType.PRODUCER, producer.id, shop)


async def is_linked_producer(
    session: AsyncSession, actor: Actor, producer: catalog.Producer
) -> bool:
    if producer.user_id is None or producer.user_id != actor.user_id:
        return False
    return Role.PRODUCER in await list_roles(session, actor.user_id, producer.shop_id)


async def get_shop_trial_balance(
    session: AsyncSession, actor: Actor, shop_id: str
) -> TrialBalanceOut:
    """Every account of the shop's books (its owners, admins)."""
    await check_shop_role(session, actor, shop_id, {Role.OWNER})
    shop = await catalog.get_shop(session, shop_id)
    return await get_trial_balance(session, shop.id)


async def list_commissions(
    session: AsyncSession, actor: Actor, show_id: str
) -> list[CommissionOut]:
    """The show's commissions, for whoever may run the show."""
    await live.check_power(session, actor, show_id, live.Power.OPEN_STUDIO)
    return [
        CommissionOut(user_id=user_id, bps=bps)
        for user_id, bps in await get_commission_bps(session, show_id)
    ]


async def get_platform_fee(
    session: AsyncSession, actor: Actor, shop_id: str, default_bps: int
) -> PlatformFeeOut:
    await check_shop_role(session, actor, shop_id, STAFF_ROLES)
    shop = await catalog.get_shop(session, shop_id)
    return PlatformFeeOut(
        shop_id=shop.id, bps=shop.platform_fee_bps,
        effective_bps=platform_fee_of(shop, default_bps),
    )  # fmt: skip
