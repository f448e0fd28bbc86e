"""Catalog actions: the only catalog code that changes state. Each commits its own unit of work.

Every write checks, inside its transaction, that the caller may edit the shop's catalog (owner,
host or platform admin); producers and moderators may not.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from livebazaar.accounts import Actor, Role, add_membership, check_shop_role, list_roles
from livebazaar.catalog.errors import (
    CurrencyMismatch,
    DuplicateProducer,
    DuplicateSku,
    NotAShopProducer,
    PlatformAdminRequired,
    PriceOutOfRange,
    PriceRequired,
    PriceWithVariants,
    SharesMustSumTo10000,
    StockBelowCommitted,
    UnknownProducer,
)
from livebazaar.catalog.models import Producer, Product, ProductImage, RevenueShare, Shop, Variant
from livebazaar.catalog.queries import (
    ProductView,
    VariantView,
    check_catalog_editor,
    get_producer,
    get_product,
    get_product_view,
    get_shop,
    get_variant_view,
    require_variant,
)
from livebazaar.catalog.schemas import (
    ImageIn,
    Origin,
    ProducerAccountIn,
    ProducerIn,
    ProducerPatch,
    ProductIn,
    ProductPatch,
    ReferencePriceIn,
    ShareIn,
    ShopIn,
    ShopPatch,
    VariantIn,
)
from livebazaar.inventory import PoolKind, add_pool, get_shelf, set_quantity
from livebazaar.kernel.clock import Clock
from livebazaar.kernel.db import Database, UnitOfWork
from livebazaar.kernel.money import MAX_PRICE_MINOR, MoneyIn

TOTAL_BPS = 10_000


async def do_create_shop(db: Database, clock: Clock, actor: Actor, data: ShopIn) -> Shop:
    """Create a shop; its creator becomes its owner and its host."""
    async with db.uow() as uow:
        shop = Shop(
            name=data.name.strip(),
            country=data.country,
            currency=data.currency,
            description=data.description.strip(),
            shelf_per_buyer_limit=data.shelf_per_buyer_limit,
            created_at=clock.now(),
        )
        uow.session.add(shop)
        await uow.session.flush()
        for role in (Role.OWNER, Role.HOST):
            add_membership(uow, clock, shop.id, actor.user_id, role)
        await uow.commit()
    return shop


async def do_update_shop(db: Database, actor: Actor, shop_id: str, patch: ShopPatch) -> Shop:
    async with db.uow() as uow:
        shop = await check_catalog_editor(uow.session, actor, shop_id)
        if patch.name is not None:
            shop.name = patch.name.strip()
        if patch.country is not None:
            shop.country = patch.country
        if patch.description is not None:
            shop.description = patch.description.strip()
        if patch.shelf_per_buyer_limit is not None:
            shop.shelf_per_buyer_limit = patch.shelf_per_buyer_limit
        await uow.commit()
    return shop


async def do_create_producer(
    db: Database, clock: Clock, actor: Actor, shop_id: str, data: ProducerIn
) -> Producer:
    async with db.uow() as uow:
        await check_catalog_editor(uow.session, actor, shop_id)
        producer = Producer(
            shop_id=shop_id,
            name=data.name.strip(),
            village=data.village.strip(),
            region=data.region.strip(),
            bio=data.bio.strip(),
            created_at=clock.now(),
        )
        uow.session.add(producer)
        await uow.commit()
    return producer


async def do_update_producer(
    db: Database, actor: Actor, producer_id: str, patch: ProducerPatch
) -> Producer:
    async with db.uow() as uow:
        producer = await get_producer(uow.session, producer_id)
        await check_catalog_editor(uow.session, actor, producer.shop_id)
        for field in ("name", "village", "region", "bio"):
            value = getattr(patch, field)
            if value is not None:
                setattr(producer, field, value.strip())
        await uow.commit()
    return producer


async def do_link_producer_account(
    db: Database, actor: Actor, producer_id: str, data: ProducerAccountIn
) -> Producer:
    """The shop's owner links the producer to a member's account holding the producer role in
    the shop (or unlinks it). Only the owner: the linked person then sets where the
    producer's money goes (payouts), which a host must not be able to hand to someone."""
    async with db.uow() as uow:
        producer = await get_producer(uow.session, producer_id)
        await check_shop_role(uow.session, actor, producer.shop_id, {Role.OWNER})
        if data.user_id is not None:
            roles = await list_roles(uow.session, data.user_id, producer.shop_id)
            if Role.PRODUCER not in roles:
                raise NotAShopProducer()
        producer.user_id = data.user_id
        await uow.commit()
    return producer


PlatformFeeCheck = Callable[[AsyncSession, str, int], Awaitable[object]]


async def do_set_platform_fee(
    db: Database, actor: Actor, shop_id: str, bps: int | None, *, default_bps: int,
    also: PlatformFeeCheck | None = None,
) -> Shop:  # fmt: skip
    """A platform admin sets the shop's own platform fee in basis points (None: the
    platform's default again). `also` runs in the same unit of work with the fee that will
    apply: the web layer passes the ledger's check that no show's commissions then pass 100 %."""
    if not actor.is_admin:
        raise PlatformAdminRequired()
    async with db.uow() as uow:
        shop = await get_shop(uow.session, shop_id)
        if also is not None:
            await also(uow.session, shop.id, default_bps if bps is None else bps)
        shop.platform_fee_bps = bps
        await uow.commit()
    return shop


async def do_create_product(
    db: Database, clock: Clock, actor: Actor, shop_id: str, data: ProductIn
) -> ProductView:
    """Create a product with its variants (each with a shelf stock pool, and a list price above
    zero, as do_set_variant_price keeps it), images and shares."""
    async with db.uow() as uow:
        shop = await check_catalog_editor(uow.session, actor, shop_id)
        variants = _variants_of(data)
        for variant in variants:
            _check_currency(shop, variant.price)
            if variant.price.amount_minor <= 0:
                raise PriceOutOfRange()
        product = Product(
            shop_id=shop_id,
            title=data.title.strip(),
            description=data.description.strip(),
            created_at=clock.now(),
        )
        _apply_origin(product, data.origin or Origin())
        _apply_reference_price(shop, product, data.reference_price)
        uow.session.add(product)
        await uow.session.flush()
        await _add_variants(uow.session, product.id, variants)
        for position, image in enumerate(data.images):
            uow.session.add(_image(product.id, image, position))
        if data.revenue_shares is not None:
            await _replace_shares(uow.session, product, data.revenue_shares)
        await uow.session.flush()
        view = await get_product_view(uow.session, product.id)
        await uow.commit()
    return view


async def do_update_product(
    db: Database, actor: Actor, product_id: str, patch: ProductPatch
) -> ProductView:
    async with db.uow() as uow:
        product = await get_product(uow.session, product_id)
        shop = await check_catalog_editor(uow.session, actor, product.shop_id)
        if patch.title is not None:
            product.title = patch.title.strip()
        if patch.description is not None:
            product.description = patch.description.strip()
        if patch.origin is not None:
            _apply_origin(product, patch.origin)
        if "reference_price" in patch.model_fields_set:
            _apply_reference_price(shop, product, patch.reference_price)
        await uow.session.flush()
        view = await get_product_view(uow.session, product_id)
        await uow.commit()
    return view


async def do_set_revenue_shares(
    db: Database, actor: Actor, product_id: str, shares: list[ShareIn]
) -> ProductView:
    """Replace the product's revenue split. An empty list removes it."""
    async with db.uow() as uow:
        product = await get_product(uow.session, product_id)
        await check_catalog_editor(uow.session, actor, product.shop_id)
        await _replace_shares(uow.session, product, shares)
        await uow.session.flush()
        view = await get_product_view(uow.session, product_id)
        await uow.commit()
    return view


async def do_add_image(db: Database, actor: Actor, product_id: str, data: ImageIn) -> ProductImage:
    """Append an image after the product's existing ones."""
    async with db.uow() as uow:
        product = await get_product(uow.session, product_id)
        await check_catalog_editor(uow.session, actor, product.shop_id)
        last = await uow.session.scalar(
            select(func.max(ProductImage.position)).where(ProductImage.product_id == product_id)
        )
        image = _image(product_id, data, 0 if last is None else last + 1)
        uow.session.add(image)
        await uow.commit()
    return image


async def do_set_stock(db: Database, actor: Actor, variant_id: str, quantity: int) -> VariantView:
    """Set a variant's shelf stock (after a delivery or a recount), never below held + sold."""
    async with db.uow() as uow:
        variant = await require_variant(uow.session, variant_id)
        product = await get_product(uow.session, variant.product_id)
        await check_catalog_editor(uow.session, actor, product.shop_id)
        pool = await get_shelf(uow.session, variant_id)
        if pool is None:
            add_pool(uow.session, variant_id, PoolKind.SHELF, quantity)
        elif not await set_quantity(uow.session, pool.id, quantity):
            raise StockBelowCommitted()
        await uow.session.flush()
        view = await get_variant_view(uow.session, variant_id)
        await uow.commit()
    return view


PriceChanged = Callable[[UnitOfWork, VariantView], Awaitable[object]]


async def do_set_variant_price(
    db: Database, actor: Actor, variant_id: str, price_minor: int, *,
    also: PriceChanged | None = None,
) -> VariantView:  # fmt: skip
    """Set a variant's list price, in minor units of its currency (the shop's, which never
    changes). Orders copy their unit price when they are made, and a drop has its own price:
    neither follows. Above zero: a slip of the thumb during a show must not give stock away.
    When the price changes, `also` runs inside the same unit of work: the web layer passes
    live's "tell the shows selling it", so the catalog need not know about shows."""
    if not 0 < price_minor <= MAX_PRICE_MINOR:
        raise PriceOutOfRange()
    async with db.uow() as uow:
        variant = await require_variant(uow.session, variant_id)
        product = await get_product(uow.session, variant.product_id)
        await check_catalog_editor(uow.session, actor, product.shop_id)
        changed = variant.price_minor != price_minor
        variant.price_minor = price_minor
        await uow.session.flush()
        view = await get_variant_view(uow.session, variant_id)
        if changed and also is not None:
            await also(uow, view)
        await uow.commit()
    return view


def _variants_of(data: ProductIn) -> list[VariantIn]:
    """The variants as given, or one default variant made from `price` and `stock`."""
    if data.variants is not None:
        if data.price is not None or data.stock is not None:
            raise PriceWithVariants()
        skus = [v.sku.upper() for v in data.variants]
        if len(set(skus)) != len(skus):
            raise DuplicateSku()
        return data.variants
    if data.price is None:
        raise PriceRequired()
    return [VariantIn(sku="DEFAULT", name="Standard", price=data.price, stock=data.stock or 0)]


def _check_currency(shop: Shop, price: MoneyIn) -> None:
    if price.currency != shop.currency:
        raise CurrencyMismatch(
            f"Prices in this shop are in {shop.currency}, not {price.currency}",
            shop_currency=shop.currency,
        )


async def _add_variants(session: AsyncSession, product_id: str, variants: list[VariantIn]) -> None:
    for position, data in enumerate(variants):
        variant = Variant(
            product_id=product_id,
            sku=data.sku,
            name=data.name.strip(),
            price_minor=data.price.amount_minor,
            currency=data.price.currency,
            position=position,
        )
        session.add(variant)
        await session.flush()
        add_pool(session, variant.id, PoolKind.SHELF, data.stock)


def _apply_origin(product: Product, origin: Origin) -> None:
    product.origin_place = origin.place.strip()
    product.origin_region = origin.region.strip()
    product.origin_country = origin.country or ""
    product.origin_steps = [step.strip() for step in origin.steps]


def _apply_reference_price(shop: Shop, product: Product, price: ReferencePriceIn | None) -> None:
    if price is not None:
        _check_currency(shop, price)
    product.reference_price_minor = None if price is None else price.amount_minor
    product.reference_unit = "" if price is None else price.unit.strip()


def _image(product_id: str, data: ImageIn, position: int) -> ProductImage:
    return ProductImage(
        product_id=product_id, url=data.url, alt=data.alt.strip(), position=position
    )


async def _replace_shares(session: AsyncSession, product: Product, shares: list[ShareIn]) -> None:
    await _check_shares(session, product.shop_id, shares)
    await session.execute(delete(RevenueShare).where(RevenueShare.product_id == product.id))
    for share in shares:
        session.add(
            RevenueShare(product_id=product.id, producer_id=share.producer_id, bps=share.bps)
        )


async def _check_shares(session: AsyncSession, shop_id: str, shares: list[ShareIn]) -> None:
    """Shares name distinct producers of this shop and add up to exactly 100%."""
    if not shares:
        return
    ids = [s.producer_id for s in shares]
    if len(set(ids)) != len(ids):
        raise DuplicateProducer()
    total = sum(s.bps for s in shares)
    if total != TOTAL_BPS:
        raise SharesMustSumTo10000(f"The shares add up to {total} basis points", total=total)
    known = set(
        await session.scalars(
            select(Producer.id).where(Producer.id.in_(ids), Producer.shop_id == shop_id)
        )
    )
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise UnknownProducer(producer_ids=unknown)
