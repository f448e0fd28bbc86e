"""Catalog endpoints: shops, producers, products, variants' price and stock. Reads are public."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile, status

from livebazaar.catalog import (
    check_catalog_editor,
    do_add_image,
    do_create_producer,
    do_create_product,
    do_create_shop,
    do_link_producer_account,
    do_set_revenue_shares,
    do_set_stock,
    do_update_producer,
    do_update_product,
    do_update_shop,
    get_product,
    get_product_view,
    get_shop,
    list_producers,
    list_shop_products,
    list_shops,
)
from livebazaar.catalog.pictures import MAX_UPLOAD_BYTES, prepare_product_image
from livebazaar.catalog.schemas import (
    ImageIn,
    ImageOut,
    ProducerAccountIn,
    ProducerAccountOut,
    ProducerIn,
    ProducerOut,
    ProducerPatch,
    ProductIn,
    ProductOut,
    ProductPatch,
    SharesIn,
    ShopIn,
    ShopOut,
    ShopPatch,
    StockIn,
    VariantOut,
    VariantPriceIn,
)
from livebazaar.kernel.ids import new_id
from livebazaar.kernel.text import CountryCode
from livebazaar.web.compose import lineup_prices
from livebazaar.web.deps import ActorDep, ContainerDep
from livebazaar.web.problems import PROBLEM_RESPONSES, problem_responses

router = APIRouter(prefix="/api/v1", tags=["catalog"], responses=PROBLEM_RESPONSES)

# Ids are opaque text: an unknown one is a 404, only a malformed one (NUL, huge) a 422.
Id = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[^\x00]+$")]
Limit = Annotated[int, Query(ge=1, le=100)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


@router.post("/shops", status_code=status.HTTP_201_CREATED)
async def create_shop(body: ShopIn, actor: ActorDep, c: ContainerDep) -> ShopOut:
    return ShopOut.of(await do_create_shop(c.db, c.clock, actor, body))


@router.get("/shops")
async def get_shops(
    c: ContainerDep,
    country: CountryCode | None = None,
    q: Annotated[str | None, Query(max_length=120, pattern=r"^[^\x00]*$")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[ShopOut]:
    async with c.db.read() as session:
        shops = await list_shops(session, country=country, q=q, limit=limit, offset=offset)
    return [ShopOut.of(shop) for shop in shops]


@router.get("/shops/{shop_id}")
async def read_shop(shop_id: Id, c: ContainerDep) -> ShopOut:
    async with c.db.read() as session:
        return ShopOut.of(await get_shop(session, shop_id))


@router.patch("/shops/{shop_id}")
async def update_shop(shop_id: Id, body: ShopPatch, actor: ActorDep, c: ContainerDep) -> ShopOut:
    return ShopOut.of(await do_update_shop(c.db, actor, shop_id, body))


@router.post("/shops/{shop_id}/producers", status_code=status.HTTP_201_CREATED)
async def create_producer(
    shop_id: Id, body: ProducerIn, actor: ActorDep, c: ContainerDep
) -> ProducerOut:
    return ProducerOut.of(await do_create_producer(c.db, c.clock, actor, shop_id, body))


@router.get("/shops/{shop_id}/producers")
async def get_producers(shop_id: Id, c: ContainerDep) -> list[ProducerOut]:
    async with c.db.read() as session:
        producers = await list_producers(session, shop_id)
    return [ProducerOut.of(p) for p in producers]


@router.patch("/producers/{producer_id}")
async def update_producer(
    producer_id: Id, body: ProducerPatch, actor: ActorDep, c: ContainerDep
) -> ProducerOut:
    return ProducerOut.of(await do_update_producer(c.db, actor, producer_id, body))


@router.put("/producers/{producer_id}/account")
async def link_producer_account(
    producer_id: Id, body: ProducerAccountIn, actor: ActorDep, c: ContainerDep
) -> ProducerAccountOut:
    """The shop's owner links the producer to the account of a member holding the producer
    role in the shop (`user_id`), or unlinks it (`null`). The linked person then reads and
    sets the producer's payout method."""
    producer = await do_link_producer_account(c.db, actor, producer_id, body)
    return ProducerAccountOut(producer_id=producer.id, user_id=producer.user_id)


@router.post("/shops/{shop_id}/products", status_code=status.HTTP_201_CREATED)
async def create_product(
    shop_id: Id, body: ProductIn, actor: ActorDep, c: ContainerDep
) -> ProductOut:
    return ProductOut.of(await do_create_product(c.db, c.clock, actor, shop_id, body))


@router.get("/shops/{shop_id}/products")
async def get_shop_products(
    shop_id: Id, c: ContainerDep, limit: Limit = 50, offset: Offset = 0
) -> list[ProductOut]:
    async with c.db.read() as session:
        views = await list_shop_products(session, shop_id, limit=limit, offset=offset)
    return [ProductOut.of(view) for view in views]


@router.get("/products/{product_id}")
async def read_product(product_id: Id, c: ContainerDep) -> ProductOut:
    async with c.db.read() as session:
        return ProductOut.of(await get_product_view(session, product_id))


@router.patch("/products/{product_id}")
async def update_product(
    product_id: Id, body: ProductPatch, actor: ActorDep, c: ContainerDep
) -> ProductOut:
    return ProductOut.of(await do_update_product(c.db, actor, product_id, body))


@router.put("/products/{product_id}/revenue-shares")
async def set_revenue_shares(
    product_id: Id, body: SharesIn, actor: ActorDep, c: ContainerDep
) -> ProductOut:
    return ProductOut.of(await do_set_revenue_shares(c.db, actor, product_id, body))


@router.post("/products/{product_id}/images", status_code=status.HTTP_201_CREATED)
async def add_image(product_id: Id, body: ImageIn, actor: ActorDep, c: ContainerDep) -> ImageOut:
    return ImageOut.of(await do_add_image(c.db, actor, product_id, body))


@router.post(
    "/products/{product_id}/images/upload",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(s413="The picture is larger than 8 MB or 50 megapixels"),
)
async def upload_image(
    product_id: Id,
    file: Annotated[
        UploadFile, File(description="A JPEG, PNG or WebP picture, up to 8 MB and 50 megapixels")
    ],
    actor: ActorDep,
    c: ContainerDep,
    request: Request,
    alt: Annotated[str, Form(max_length=300)] = "",
) -> ImageOut:
    """Upload a picture from a phone: it is checked, resized to 1600 px at most, stripped of
    its metadata (EXIF GPS) and stored beside the video; then appended like any image. Only
    `picture_decodes_at_once` pictures are decoded at a time in a process; others wait."""
    async with c.db.read() as session:  # refuse before storing anything
        product = await get_product(session, product_id)
        await check_catalog_editor(session, actor, product.shop_id)
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    decodes: asyncio.Semaphore = request.app.state.picture_decodes
    async with decodes:
        jpeg = await asyncio.to_thread(prepare_product_image, data)
    key = f"images/products/{product_id}/{new_id()}.jpg"
    await asyncio.to_thread(c.store.put, key, jpeg, content_type="image/jpeg", immutable=True)
    body = ImageIn(url=c.store.public_url(key), alt=alt)
    return ImageOut.of(await do_add_image(c.db, actor, product_id, body))


@router.put("/variants/{variant_id}/stock")
async def set_stock(variant_id: Id, body: StockIn, actor: ActorDep, c: ContainerDep) -> VariantOut:
    return VariantOut.of(await do_set_stock(c.db, actor, variant_id, body.quantity))


@router.patch("/variants/{variant_id}")
async def set_variant_price(
    variant_id: Id, body: VariantPriceIn, actor: ActorDep, c: ContainerDep
) -> VariantOut:
    """Change a variant's list price, in minor units of the shop's currency. Orders already
    made keep the unit price they copied, and a running drop keeps its own price. Every show
    not yet ended whose lineup holds the product hears `product.price_changed` on its channel."""
    view = await lineup_prices.set_variant_price(c, actor, variant_id, body.price_minor)
    return VariantOut.of(view)
