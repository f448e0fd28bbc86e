"""What the catalog API accepts and returns."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from livebazaar.catalog.models import (
    DEFAULT_SHELF_LIMIT,
    MAX_SHELF_LIMIT,
    Producer,
    ProductImage,
    Shop,
)
from livebazaar.catalog.queries import ProductView, ShareView, VariantView
from livebazaar.kernel.money import (
    MAX_PRICE_MINOR,
    CurrencyCode,
    Money,
    MoneyIn,
    MoneyOut,
)
from livebazaar.kernel.text import CountryCode, no_nul

Clean = AfterValidator(no_nul)
Name = Annotated[str, Field(min_length=1, max_length=120, pattern=r"\S"), Clean]
Title = Annotated[str, Field(min_length=1, max_length=200, pattern=r"\S"), Clean]
Line = Annotated[str, Field(max_length=120), Clean]
LongText = Annotated[str, Field(max_length=10_000), Clean]
Quantity = Annotated[int, Field(ge=0, le=1_000_000_000)]
# Units of one product one buyer may have from the shop's shelf (checkout/shelf_limits.py).
ShelfLimit = Annotated[int, Field(ge=1, le=MAX_SHELF_LIMIT)]
ImageUrl = Annotated[
    str,
    Field(
        min_length=9,
        max_length=2000,
        pattern=r"^(https?://[^\s/\x00]+|/static/|/media/)[^\s\x00]*$",
        examples=["https://cdn.example.org/pearl-front.jpg", "/static/demo/pearl-1.svg"],
    ),
]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ShopIn(_In):
    name: Name
    country: CountryCode
    currency: CurrencyCode
    description: LongText = ""
    shelf_per_buyer_limit: ShelfLimit = DEFAULT_SHELF_LIMIT


class ShopPatch(_In):
    name: Name | None = None
    country: CountryCode | None = None
    description: LongText | None = None
    shelf_per_buyer_limit: ShelfLimit | None = None


class ShopOut(BaseModel):
    id: str
    name: str
    country: str
    currency: str
    description: str
    # The most units of one product one buyer may have from the shelf: held, or paid in the
    # last 24 hours (a drop has its own limit).
    shelf_per_buyer_limit: int
    created_at: datetime

    @classmethod
    def of(cls, shop: Shop) -> ShopOut:
        return cls(
            id=shop.id,
            name=shop.name,
            country=shop.country,
            currency=shop.currency,
            description=shop.description,
            shelf_per_buyer_limit=shop.shelf_per_buyer_limit,
            created_at=shop.created_at,
        )


class ProducerIn(_In):
    name: Name
    village: Line = ""
    region: Line = ""
    bio: LongText = ""


class ProducerPatch(_In):
    name: Name | None = None
    village: Line | None = None
    region: Line | None = None
    bio: LongText | None = None


class ProducerAccountIn(_In):
    """Link the producer to a person's account (a member of the shop with the producer role),
    or unlink it with null. The linked person reads their own balance and statement, and sets
    their own payout method."""

    user_id: Annotated[str, Field(min_length=1, max_length=36), Clean] | None


class ProducerAccountOut(BaseModel):
    """Whose account the producer is linked to (the public producer list does not say)."""

    producer_id: str
    user_id: str | None


class ProducerOut(BaseModel):
    id: str
    shop_id: str
    name: str
    village: str
    region: str
    bio: str
    created_at: datetime
    has_account: bool = False  # linked to a member's account (which is not shown)

    @classmethod
    def of(cls, p: Producer) -> ProducerOut:
        return cls(
            id=p.id,
            shop_id=p.shop_id,
            name=p.name,
            village=p.village,
            region=p.region,
            bio=p.bio,
            created_at=p.created_at,
            has_account=p.user_id is not None,
        )


class Origin(_In):
    """The origin story: the place, and the steps from harvest to product."""

    place: Line = ""
    region: Line = ""
    country: CountryCode | None = None
    steps: list[Annotated[str, Field(min_length=1, max_length=300), Clean]] = Field(
        default_factory=list, max_length=50
    )


class VariantIn(_In):
    sku: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    name: Name
    price: MoneyIn
    stock: Quantity = 0


class ImageIn(_In):
    url: ImageUrl
    alt: Annotated[str, Field(max_length=300), Clean] = ""


class ShareIn(_In):
    producer_id: Annotated[str, Field(min_length=1, max_length=36), Clean]
    bps: int = Field(ge=1, le=10_000)


SharesIn = Annotated[list[ShareIn], Field(max_length=200)]


class ReferencePriceIn(MoneyIn):
    """The farm-gate price: what a middleman paid the producer per `unit` before, in the
    shop's currency (the statement compares like with like): `{"amount_minor": 1200,
    "currency": "USD", "unit": "bag"}` is 12.00 USD a bag. One unit sold is one `unit`."""

    model_config = ConfigDict(extra="forbid")
    amount_minor: int = Field(gt=0, le=MAX_PRICE_MINOR, examples=[1200])
    unit: Annotated[str, Field(min_length=1, max_length=40, pattern=r"\S"), Clean] = Field(
        examples=["bag"]
    )


class ReferencePriceOut(MoneyOut):
    unit: str


class ProductIn(_In):
    title: Title
    description: LongText = ""
    origin: Origin | None = None
    variants: list[VariantIn] | None = Field(default=None, min_length=1, max_length=100)
    price: MoneyIn | None = None
    stock: Quantity | None = None
    images: list[ImageIn] = Field(default_factory=list, max_length=30)
    revenue_shares: SharesIn | None = None
    reference_price: ReferencePriceIn | None = None


class ProductPatch(_In):
    """Only the fields sent change; `"reference_price": null` removes the farm-gate price."""

    title: Title | None = None
    description: LongText | None = None
    origin: Origin | None = None
    reference_price: ReferencePriceIn | None = None


class StockIn(_In):
    quantity: Quantity


class VariantPriceIn(_In):
    """A variant's new list price, in minor units of the shop's currency: 2590 is 25.90 CNY."""

    price_minor: int = Field(gt=0, le=MAX_PRICE_MINOR, examples=[2590])


class VariantOut(BaseModel):
    id: str
    product_id: str
    sku: str
    name: str
    price: MoneyOut
    available: int
    position: int

    @classmethod
    def of(cls, view: VariantView) -> VariantOut:
        v = view.variant
        return cls(
            id=v.id,
            product_id=v.product_id,
            sku=v.sku,
            name=v.name,
            price=MoneyOut.of(Money(v.price_minor, v.currency)),
            available=view.available,
            position=v.position,
        )


class ImageOut(BaseModel):
    id: str
    url: str
    alt: str
    position: int

    @classmethod
    def of(cls, image: ProductImage) -> ImageOut:
        return cls(id=image.id, url=image.url, alt=image.alt, position=image.position)


class ProducerShareOut(BaseModel):
    producer_id: str
    name: str
    village: str
    region: str
    bps: int

    @classmethod
    def of(cls, share: ShareView) -> ProducerShareOut:
        p = share.producer
        return cls(producer_id=p.id, name=p.name, village=p.village, region=p.region, bps=share.bps)


class OriginOut(BaseModel):
    place: str
    region: str
    country: str | None
    steps: list[str]


class ProductOut(BaseModel):
    id: str
    shop_id: str
    title: str
    description: str
    origin: OriginOut
    variants: list[VariantOut]
    images: list[ImageOut]
    producers: list[ProducerShareOut]
    reference_price: ReferencePriceOut | None
    created_at: datetime

    @classmethod
    def of(cls, view: ProductView) -> ProductOut:
        p = view.product
        return cls(
            id=p.id,
            shop_id=p.shop_id,
            title=p.title,
            description=p.description,
            origin=OriginOut(
                place=p.origin_place,
                region=p.origin_region,
                country=p.origin_country or None,
                steps=[str(step) for step in p.origin_steps],
            ),
            variants=[VariantOut.of(v) for v in view.variants],
            images=[ImageOut.of(i) for i in view.images],
            producers=[ProducerShareOut.of(s) for s in view.shares],
            reference_price=_reference_price(view),
            created_at=p.created_at,
        )


def _reference_price(view: ProductView) -> ReferencePriceOut | None:
    p = view.product
    if p.reference_price_minor is None or not view.variants:
        return None
    money = Money(p.reference_price_minor, view.variants[0].variant.currency)
    return ReferencePriceOut(
        amount_minor=money.amount_minor,
        currency=money.currency,
        display=money.format(),
        unit=p.reference_unit,
    )
