"""How a paid order's money is divided, and how a refund takes it back. Pure: no database.

Every part is an exact rational share of the total first (an integer over a common
denominator, for speed); then the largest-remainder method
turns them into integer minor units: each part is its share rounded down, and the units left
over go one each to the parts with the largest fractions, ties broken by the party's id. So the
parts sum exactly to the total, each is within one minor unit of its exact share, and the same
input always gives the same split. Zero-decimal (JPY, RWF) and three-decimal (KWD) currencies
need nothing special: everything is in minor units already.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from livebazaar.ledger.models import PLATFORM_OWNER, AccountKind, OwnerType

TOTAL_BPS = 10_000


@dataclass(frozen=True, slots=True, order=True)
class Party:
    """Who gets a part and as what. Ordered by id first: the tie-break of the rounding."""

    owner_id: str
    kind: AccountKind
    owner_type: OwnerType


@dataclass(frozen=True, slots=True, order=True)
class Part:
    party: Party
    amount_minor: int


@dataclass(frozen=True, slots=True)
class Sale:
    """What the split of one paid order depends on, frozen when it is paid."""

    shop_id: str
    total_minor: int  # what the buyer paid, shipping included
    provider_fee_minor: int  # what the payment provider kept, as it reported
    platform_fee_bps: int  # of the goods (total less shipping)
    commissions: Sequence[tuple[str, int]] = ()  # (user id, bps of the goods)
    producer_shares: Sequence[tuple[str, int]] = ()  # (producer id, bps), summing to 10,000
    shipping_minor: int = 0  # charged to the buyer; to the shop, which pays the courier


def apportion(total: int, exact: Sequence[tuple[Party, int]], denominator: int) -> list[Part]:
    """Integer parts of `total` from exact shares `numerator / denominator` that sum to it
    (largest remainder, ties by party). Shares may be negative (a fee larger than the goods);
    zero parts are kept. Integer arithmetic throughout: it runs in every payment."""
    if sum(numerator for _, numerator in exact) != total * denominator:
        raise ValueError("the exact shares do not add up to the total")
    floors = [(party, *divmod(numerator, denominator)) for party, numerator in exact]
    left = total - sum(whole for _, whole, _ in floors)
    by_remainder = sorted(range(len(floors)), key=lambda i: (-floors[i][2], floors[i][0]))
    bonus = set(by_remainder[:left])
    return [Part(party, whole + (i in bonus)) for i, (party, whole, _) in enumerate(floors)]


def split_sale(sale: Sale) -> list[Part]:
    """The buyer's payment divided: the provider's fee, the shipping, the platform's fee and
    the commissions (in basis points of the goods), and the rest to the product's producers by
    their shares, or to the shop when it names none. Parts of zero are left out."""
    goods = sale.total_minor - sale.shipping_minor
    scale = TOTAL_BPS * TOTAL_BPS  # every exact share is a whole number of 1/10^8 units
    exact: list[tuple[Party, int]] = [
        (_platform(AccountKind.PAYMENT_FEE), sale.provider_fee_minor * scale),
        (_shop(sale.shop_id, AccountKind.SHIPPING_PAYABLE), sale.shipping_minor * scale),
        (_platform(AccountKind.PLATFORM_FEE), goods * sale.platform_fee_bps * TOTAL_BPS),
    ]
    for user_id, bps in sale.commissions:
        party = Party(user_id, AccountKind.COMMISSION_PAYABLE, OwnerType.USER)
        exact.append((party, goods * bps * TOTAL_BPS))
    rest = sale.total_minor * scale - sum(numerator for _, numerator in exact)  # x 10^4
    if sale.producer_shares:
        if sum(bps for _, bps in sale.producer_shares) != TOTAL_BPS:
            raise ValueError("producer shares must sum to 10,000 basis points")
        for producer_id, bps in sale.producer_shares:
            party = Party(producer_id, AccountKind.PRODUCER_PAYABLE, OwnerType.PRODUCER)
            exact.append((party, rest // TOTAL_BPS * bps))
    else:
        exact.append((_shop(sale.shop_id, AccountKind.SHOP_PAYABLE), rest))
    return [part for part in apportion(sale.total_minor, exact, scale) if part.amount_minor]


def split_refund(amount_minor: int, sale_parts: Sequence[Part], shop_id: str) -> list[Part]:
    """What each party gives back of a refund of `amount_minor`: in proportion to what it got
    of the sale, so refunding everything takes back exactly what everyone got. The provider
    keeps its fee, so the fee's proportion is the platform's loss, on its `refunds` account.
    If the sale's parts add up to nothing (it cannot be: they sum to what was paid), the
    shop bears the refund."""
    weights = [
        Part(_platform(AccountKind.REFUNDS), p.amount_minor)
        if p.party.kind is AccountKind.PAYMENT_FEE
        else p
        for p in sale_parts
    ]
    whole = sum(p.amount_minor for p in weights)
    if whole <= 0:
        shop = Part(_shop(shop_id, AccountKind.SHOP_PAYABLE), amount_minor)
        return [shop] if amount_minor else []
    exact = [(p.party, amount_minor * p.amount_minor) for p in weights]
    return [part for part in apportion(amount_minor, exact, whole) if part.amount_minor]


def _platform(kind: AccountKind) -> Party:
    return Party(PLATFORM_OWNER, kind, OwnerType.PLATFORM)


def _shop(shop_id: str, kind: AccountKind) -> Party:
    return Party(shop_id, kind, OwnerType.SHOP)
