"""The split of a paid order and of its refunds: exact to the minor unit, fair, deterministic."""

from __future__ import annotations

import random
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from livebazaar.ledger.models import AccountKind, OwnerType
from livebazaar.ledger.split import (
    TOTAL_BPS,
    Part,
    Party,
    Sale,
    apportion,
    split_refund,
    split_sale,
)

SHOP = "shop-1"


def _shares(draw: st.DrawFn, prefix: str, n: int) -> list[tuple[str, int]]:
    """`n` basis-point shares summing to 10,000, each at least 1, for ids prefix-0... ."""
    cuts = sorted(draw(st.lists(st.integers(1, TOTAL_BPS - 1), min_size=n - 1, max_size=n - 1,
                                unique=True)))  # fmt: skip
    bounds = [0, *cuts, TOTAL_BPS]
    return [(f"{prefix}-{i}", bounds[i + 1] - bounds[i]) for i in range(n)]


@st.composite
def sales(draw: st.DrawFn) -> Sale:
    total = draw(st.integers(0, 10**12))
    shipping = draw(st.integers(0, total))
    platform = draw(st.integers(0, TOTAL_BPS))
    n_commissions = draw(st.integers(0, 3))
    commissions = [(f"user-{i}", draw(st.integers(1, 2000))) for i in range(n_commissions)]
    producers = draw(st.integers(0, 20))
    return Sale(
        shop_id=SHOP, total_minor=total,
        provider_fee_minor=draw(st.integers(0, max(total // 10, 100))),
        platform_fee_bps=platform, commissions=commissions,
        producer_shares=_shares(draw, "producer", producers) if producers else [],
        shipping_minor=shipping,
    )  # fmt: skip


def exact_shares(sale: Sale) -> dict[Party, Fraction]:
    """The split's exact rational parts, written out independently of the code under test."""
    goods = sale.total_minor - sale.shipping_minor
    shares: dict[Party, Fraction] = {
        Party("platform", AccountKind.PAYMENT_FEE, OwnerType.PLATFORM): Fraction(
            sale.provider_fee_minor
        ),
        Party(SHOP, AccountKind.SHIPPING_PAYABLE, OwnerType.SHOP): Fraction(sale.shipping_minor),
        Party("platform", AccountKind.PLATFORM_FEE, OwnerType.PLATFORM): Fraction(
            goods * sale.platform_fee_bps, TOTAL_BPS
        ),
    }
    for user, bps in sale.commissions:
        shares[Party(user, AccountKind.COMMISSION_PAYABLE, OwnerType.USER)] = Fraction(
            goods * bps, TOTAL_BPS
        )
    rest = Fraction(sale.total_minor) - sum(shares.values(), Fraction(0))
    for producer, bps in sale.producer_shares:
        shares[Party(producer, AccountKind.PRODUCER_PAYABLE, OwnerType.PRODUCER)] = rest * Fraction(
            bps, TOTAL_BPS
        )
    if not sale.producer_shares:
        shares[Party(SHOP, AccountKind.SHOP_PAYABLE, OwnerType.SHOP)] = rest
    return shares


@settings(max_examples=300, deadline=None)
@given(sales())
def test_the_parts_sum_to_the_total_each_within_a_unit_of_its_share(sale: Sale) -> None:
    parts = split_sale(sale)

    assert sum(p.amount_minor for p in parts) == sale.total_minor
    exact = exact_shares(sale)
    got = {p.party: p.amount_minor for p in parts}
    for party, share in exact.items():
        assert abs(got.get(party, 0) - share) < 1, (party, got.get(party), share)
    assert set(got) <= set(exact)
    assert all(p.amount_minor != 0 for p in parts)


@settings(max_examples=200, deadline=None)
@given(sales(), st.randoms(use_true_random=False))
def test_the_same_sale_always_splits_the_same_whatever_the_order_of_its_inputs(
    sale: Sale, rnd: object
) -> None:
    assert isinstance(rnd, random.Random)
    commissions, producers = list(sale.commissions), list(sale.producer_shares)
    rnd.shuffle(commissions)
    rnd.shuffle(producers)
    shuffled = Sale(
        sale.shop_id, sale.total_minor, sale.provider_fee_minor, sale.platform_fee_bps,
        commissions, producers, sale.shipping_minor,
    )  # fmt: skip

    assert sorted(split_sale(shuffled)) == sorted(split_sale(sale))
    assert split_sale(sale) == split_sale(sale)


def test_a_sale_of_100_usd_with_two_producers_and_a_cohost() -> None:
    # 100.00 USD, the test provider's 2.9 % + 0.30 fee, 5 % to the platform, 10 % commission
    sale = Sale(
        shop_id=SHOP, total_minor=10_000, provider_fee_minor=320, platform_fee_bps=500,
        commissions=[("cohost", 1000)], producer_shares=[("a", 5000), ("b", 5000)],
    )  # fmt: skip

    got = {(p.party.owner_id, p.party.kind): p.amount_minor for p in split_sale(sale)}

    assert got == {
        ("platform", AccountKind.PAYMENT_FEE): 320,
        ("platform", AccountKind.PLATFORM_FEE): 500,
        ("cohost", AccountKind.COMMISSION_PAYABLE): 1000,
        ("a", AccountKind.PRODUCER_PAYABLE): 4090,
        ("b", AccountKind.PRODUCER_PAYABLE): 4090,
    }


def test_a_tie_goes_to_the_smaller_id_and_three_decimal_and_zero_decimal_amounts_work() -> None:
    # 1,001 RWF (no minor unit): 333.73, 333.63 and 333.63; the two francs left go to "c"
    # (the largest fraction) and to "a" rather than "b" (equal fractions: the smaller id)
    rwf = Sale(SHOP, 1001, 0, 0, (), [("c", 3334), ("a", 3333), ("b", 3333)])
    # 1.000 KWD (three decimals) the same way
    kwd = Sale(SHOP, 1000, 0, 0, (), [("c", 3334), ("a", 3333), ("b", 3333)])

    def by_id(sale: Sale) -> dict[str, int]:
        return {p.party.owner_id: p.amount_minor for p in split_sale(sale)}

    assert by_id(rwf) == {"a": 334, "b": 333, "c": 334}
    assert by_id(kwd) == {"a": 333, "b": 333, "c": 334}


def test_without_revenue_shares_the_rest_goes_to_the_shop() -> None:
    parts = split_sale(Sale(SHOP, 5_000, 175, 500))

    assert {p.party.kind: p.amount_minor for p in parts} == {
        AccountKind.PAYMENT_FEE: 175,
        AccountKind.PLATFORM_FEE: 250,
        AccountKind.SHOP_PAYABLE: 4_575,
    }


@settings(max_examples=300, deadline=None)
@given(sales(), st.data())
def test_a_refund_takes_back_each_part_in_proportion_the_fee_as_the_platforms_loss(
    sale: Sale, data: st.DataObject
) -> None:
    parts = split_sale(sale)
    amount = data.draw(st.integers(0, sale.total_minor))

    taken = split_refund(amount, parts, SHOP)

    assert sum(p.amount_minor for p in taken) == amount
    refunds = Party("platform", AccountKind.REFUNDS, OwnerType.PLATFORM)
    weights = {
        refunds if p.party.kind is AccountKind.PAYMENT_FEE else p.party: p.amount_minor
        for p in parts
    }
    got = {p.party: p.amount_minor for p in taken}
    assert set(got) <= set(weights)
    if sale.total_minor == 0:  # nothing was paid, nothing goes back
        assert got == {}
        return
    for party, weight in weights.items():
        assert abs(got.get(party, 0) - Fraction(amount * weight, sale.total_minor)) < 1
    if amount == sale.total_minor:  # everything back: exactly what everyone got
        assert got == {party: w for party, w in weights.items() if w}


@given(
    st.integers(-(10**9), 10**9),
    st.lists(st.integers(-(10**6), 10**6), min_size=1, max_size=30),
)
def test_apportion_of_any_weights_sums_exactly_within_a_unit(
    total: int, weights: list[int]
) -> None:
    whole = sum(weights)
    if whole == 0:
        return
    sign = 1 if whole > 0 else -1  # a positive denominator
    parties = [Party(f"p{i:02d}", AccountKind.PRODUCER_PAYABLE, OwnerType.PRODUCER)
               for i in range(len(weights))]  # fmt: skip
    exact = [(p, sign * total * w) for p, w in zip(parties, weights, strict=True)]

    parts = apportion(total, exact, sign * whole)

    assert sum(p.amount_minor for p in parts) == total
    for part, w in zip(parts, weights, strict=True):
        assert abs(part.amount_minor - Fraction(total * w, whole)) < 1
    assert [p.party for p in parts] == parties


def test_parts_are_plain_values() -> None:
    party = Party("a", AccountKind.PRODUCER_PAYABLE, OwnerType.PRODUCER)
    assert Part(party, 1) == Part(party, 1)
