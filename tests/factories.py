"""Direct-to-database factories for what a test needs as background (given ...).

They write the same rows the actions would, through the real database. Tests of a feature
itself go through its HTTP API; these only set the stage quickly.
"""

from __future__ import annotations

from dataclasses import dataclass

from livebazaar.accounts import Role
from livebazaar.accounts.models import Membership
from livebazaar.bootstrap import Container
from livebazaar.catalog.models import Producer, Product, ProductImage, RevenueShare, Shop, Variant
from livebazaar.inventory.models import PoolKind, StockPool
from tests.support import Account


@dataclass(frozen=True)
class MadeProduct:
    id: str
    variant_id: str
    shelf_pool_id: str
    price_minor: int
    currency: str


async def make_shop(
    c: Container,
    owner: Account,
    *,
    name: str = "Xinchangle Pearl Cooperative",
    country: str = "CN",
    currency: str = "CNY",
) -> str:
    async with c.db.uow() as uow:
        shop = Shop(name=name, country=country, currency=currency, created_at=c.clock.now())
        uow.session.add(shop)
        await uow.session.flush()
        for role in (Role.OWNER, Role.HOST):
            uow.session.add(
                Membership(
                    shop_id=shop.id, user_id=owner.user_id, role=role, created_at=c.clock.now()
                )
            )
        await uow.commit()
    return shop.id


async def grant(c: Container, shop_id: str, account: Account, role: Role) -> None:
    async with c.db.uow() as uow:
        uow.session.add(
            Membership(
                shop_id=shop_id, user_id=account.user_id, role=role, created_at=c.clock.now()
            )
        )
        await uow.commit()


async def make_product(
    c: Container,
    shop_id: str,
    *,
    title: str = "Freshwater pearl necklace",
    price_minor: int = 19900,
    currency: str = "CNY",
    stock: int = 100,
    producers: int = 2,
) -> MadeProduct:
    async with c.db.uow() as uow:
        product = Product(
            shop_id=shop_id,
            title=title,
            description="Hand-sorted 7-8 mm pearls.",
            origin_place="Xinchangle",
            origin_region="Zhuji, Zhejiang",
            origin_country="CN",
            origin_steps=["Pond", "Harvest", "Sorting", "Drilling", "Stringing"],
            created_at=c.clock.now(),
        )
        uow.session.add(product)
        await uow.session.flush()
        variant = Variant(
            product_id=product.id, sku=f"SKU-{product.id[-6:]}", name="Standard",
            price_minor=price_minor, currency=currency,
        )  # fmt: skip
        uow.session.add(variant)
        uow.session.add(
            ProductImage(product_id=product.id, url="/static/demo/pearl-1.svg", alt="front")
        )
        await uow.session.flush()
        pool = StockPool(variant_id=variant.id, kind=PoolKind.SHELF, quantity=stock)
        uow.session.add(pool)
        share = 10_000 // max(producers, 1)  # producers=0: no revenue shares at all
        for i in range(producers):
            producer = Producer(shop_id=shop_id, name=f"Farmer {i + 1}", created_at=c.clock.now())
            uow.session.add(producer)
            await uow.session.flush()
            bps = share if i < producers - 1 else 10_000 - share * (producers - 1)
            uow.session.add(RevenueShare(product_id=product.id, producer_id=producer.id, bps=bps))
        await uow.commit()
    return MadeProduct(product.id, variant.id, pool.id, price_minor, currency)
