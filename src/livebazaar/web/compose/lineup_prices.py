"""A variant's new list price, told to the shows that sell it.

It spans two features (catalog sets the price; live tells each show not yet ended whose lineup
holds the product, as `product.price_changed`), so it is composed here in the web layer, in one
unit of work: the event goes out once, after the price is committed, and catalog never learns
about shows. The API's PATCH /variants/{id} and the seller dashboard's product form both call it.
"""

from __future__ import annotations

from livebazaar.accounts import Actor
from livebazaar.bootstrap import Container
from livebazaar.catalog import VariantView, do_set_variant_price
from livebazaar.kernel.db import UnitOfWork
from livebazaar.kernel.money import Money
from livebazaar.live import do_announce_price


async def set_variant_price(
    c: Container, actor: Actor, variant_id: str, price_minor: int
) -> VariantView:
    async def announce(uow: UnitOfWork, view: VariantView) -> None:
        variant = view.variant
        price = Money(variant.price_minor, variant.currency)
        await do_announce_price(
            uow, c.broker, c.clock, product_id=variant.product_id, variant_id=variant.id,
            price=price,
        )  # fmt: skip

    return await do_set_variant_price(c.db, actor, variant_id, price_minor, also=announce)
