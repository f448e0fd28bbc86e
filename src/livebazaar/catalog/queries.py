"""Read-only catalog queries. Given a session; they never commit.

`get_product_summaries`, `get_variant` and `get_shop` are what other features (live shows,
checkout) use; the views (`ProductView`) are what the catalog's own API renders.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from livebazaar.accounts import Actor, Role, check_shop_role
from livebazaar.catalog.errors import (
    ProducerNotFound,
    ProductNotFound,
    ShopNotFound,
    VariantNotFound,
)
from livebazaar.catalog.models import Producer, Product, ProductImage, RevenueShare, Shop, Variant
from livebazaar.inventory import PoolKind, StockPool
from livebazaar.kernel.money import Money

# Who may change a shop's catalog (platform admins pass every role check).
EDITOR_ROLES = frozenset({Role.OWNER, Role.HOST})


@dataclass(frozen=True)
class ProductSummary:
    """What a lineup or an order line shows of a product."""

    id: str
    shop_id: str
    title: str
    image_url: str | None
    default_variant_id: str
    price: Money


@dataclass(frozen=True)
class VariantView:
    variant: Variant
    available: int  # shelf quantity - reserved - sold


@dataclass(frozen=True)
class ShareView:
    producer: Producer
    bps: int


@dataclass(frozen=True)
class ProductView:
    product: Product
    variants: list[VariantView]
    images: list[ProductImage]
    shares: list[ShareView]


async def get_shop(session: AsyncSession, shop_id: str) -> Shop:
    shop = await session.get(Shop, shop_id, populate_existing=True)
    if shop is None:
        raise ShopNotFound()
    return shop


async def list_shops(
    session: AsyncSession,
    *,
    country: str | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Shop]:
    query = select(Shop).order_by(Shop.name, Shop.id).limit(limit).offset(offset)
    if country:
        query = query.where(Shop.country == country)
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(Shop.name.ilike(pattern, escape="\\"))
    return list(await session.scalars(query))


async def check_catalog_editor(session: AsyncSession, actor: Actor, shop_id: str) -> Shop:
    """The shop, if the actor may edit its catalog. Raises ShopNotFound / RoleRequired."""
    shop = await get_shop(session, shop_id)
    await check_shop_role(session, actor, shop_id, EDITOR_ROLES)
    return shop


async def get_product(session: AsyncSession, product_id: str) -> Product:
    product = await session.get(Product, product_id, populate_existing=True)
    if product is None:
        raise ProductNotFound()
    return product


async def get_variant(session: AsyncSession, variant_id: str) -> Variant | None:
    return await session.get(Variant, variant_id, populate_existing=True)


async def require_variant(session: AsyncSession, variant_id: str) -> Variant:
    variant = await get_variant(session, variant_id)
    if variant is None:
        raise VariantNotFound()
    return variant


async def get_producer(session: AsyncSession, producer_id: str) -> Producer:
    producer = await session.get(Producer, producer_id, populate_existing=True)
    if producer is None:
        raise ProducerNotFound()
    return producer


async def list_linked_producers(session: AsyncSession, user_id: str) -> list[Producer]:
    """The producers whose account is this user's (any shop), oldest first."""
    rows = await session.scalars(
        select(Producer)
        .where(Producer.user_id == user_id)
        .order_by(Producer.created_at, Producer.id)
    )
    return list(rows)


async def list_producers(session: AsyncSession, shop_id: str) -> list[Producer]:
    await get_shop(session, shop_id)
    rows = await session.scalars(
        select(Producer)
        .where(Producer.shop_id == shop_id)
        .order_by(Producer.created_at, Producer.id)
    )
    return list(rows)


async def get_product_summaries(
    session: AsyncSession, product_ids: Sequence[str]
) -> dict[str, ProductSummary]:
    """Summaries keyed by product id; unknown ids (and products without variants) are absent."""
    ids = list(dict.fromkeys(product_ids))
    if not ids:
        return {}
    products = await session.scalars(select(Product).where(Product.id.in_(ids)))
    variants = await _variants_of(session, ids)
    images = await _images_of(session, ids)
    summaries = {}
    for product in products:
        first = next(iter(variants.get(product.id, [])), None)
        if first is None:
            continue
        image = next(iter(images.get(product.id, [])), None)
        summaries[product.id] = ProductSummary(
            id=product.id,
            shop_id=product.shop_id,
            title=product.title,
            image_url=image.url if image else None,
            default_variant_id=first.id,
            price=Money(first.price_minor, first.currency),
        )
    return summaries


async def get_variant_names(session: AsyncSession, variant_ids: Sequence[str]) -> dict[str, str]:
    """Variant names ("Pink", "Ground for pour-over") keyed by id; unknown ids are absent."""
    ids = list(dict.fromkeys(variant_ids))
    if not ids:
        return {}
    rows = await session.execute(select(Variant.id, Variant.name).where(Variant.id.in_(ids)))
    return {row[0]: row[1] for row in rows}


async def get_product_view(session: AsyncSession, product_id: str) -> ProductView:
    product = await get_product(session, product_id)
    return (await _views_of(session, [product]))[0]


async def list_shop_products(
    session: AsyncSession, shop_id: str, *, limit: int = 50, offset: int = 0
) -> list[ProductView]:
    await get_shop(session, shop_id)
    products = await session.scalars(
        select(Product)
        .where(Product.shop_id == shop_id)
        .order_by(Product.created_at, Product.id)
        .limit(limit)
        .offset(offset)
    )
    return await _views_of(session, list(products))


async def get_variant_view(session: AsyncSession, variant_id: str) -> VariantView:
    variant = await require_variant(session, variant_id)
    available = await _available_of(session, [variant_id])
    return VariantView(variant, available.get(variant_id, 0))


async def _views_of(session: AsyncSession, products: list[Product]) -> list[ProductView]:
    ids = [p.id for p in products]
    variants = await _variants_of(session, ids)
    available = await _available_of(session, [v.id for vs in variants.values() for v in vs])
    images = await _images_of(session, ids)
    shares = await _shares_of(session, ids)
    return [
        ProductView(
            product=p,
            variants=[VariantView(v, available.get(v.id, 0)) for v in variants.get(p.id, [])],
            images=images.get(p.id, []),
            shares=shares.get(p.id, []),
        )
        for p in products
    ]


async def _variants_of(session: AsyncSession, product_ids: list[str]) -> dict[str, list[Variant]]:
    rows = await session.scalars(
        select(Variant)
        .where(Variant.product_id.in_(product_ids))
        .order_by(Variant.position, Variant.id)
        .execution_options(populate_existing=True)
    )
    grouped: dict[str, list[Variant]] = {}
    for variant in rows:
        grouped.setdefault(variant.product_id, []).append(variant)
    return grouped


async def _images_of(
    session: AsyncSession, product_ids: list[str]
) -> dict[str, list[ProductImage]]:
    rows = await session.scalars(
        select(ProductImage)
        .where(ProductImage.product_id.in_(product_ids))
        .order_by(ProductImage.position, ProductImage.id)
    )
    grouped: dict[str, list[ProductImage]] = {}
    for image in rows:
        grouped.setdefault(image.product_id, []).append(image)
    return grouped


async def _shares_of(session: AsyncSession, product_ids: list[str]) -> dict[str, list[ShareView]]:
    rows = await session.execute(
        select(RevenueShare.product_id, RevenueShare.bps, Producer)
        .join(Producer, Producer.id == RevenueShare.producer_id)
        .where(RevenueShare.product_id.in_(product_ids))
        .order_by(RevenueShare.bps.desc(), Producer.name, Producer.id)
    )
    grouped: dict[str, list[ShareView]] = {}
    for product_id, bps, producer in rows:
        grouped.setdefault(product_id, []).append(ShareView(producer, bps))
    return grouped


async def _available_of(session: AsyncSession, variant_ids: list[str]) -> dict[str, int]:
    if not variant_ids:
        return {}
    rows = await session.execute(
        select(
            StockPool.variant_id,
            StockPool.quantity - StockPool.reserved - StockPool.sold,
        ).where(StockPool.variant_id.in_(variant_ids), StockPool.kind == PoolKind.SHELF)
    )
    return {variant_id: int(available) for variant_id, available in rows}
