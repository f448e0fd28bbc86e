"""What other features (live shows, checkout) read from the catalog through its __init__."""

from __future__ import annotations

import httpx
import pytest

from livebazaar.catalog import ShopNotFound, get_product_summaries, get_shop, get_variant
from livebazaar.kernel.money import Money
from tests.factories import make_shop
from tests.support import Api


async def test_product_summaries_use_the_first_variant_and_image(
    client: httpx.AsyncClient, api: Api
) -> None:
    # Given a product with two variants and two images, and one with neither image
    owner = await api.account()
    shop_id = await make_shop(api.container, owner, country="RW", currency="RWF")
    small, large = (
        {"amount_minor": 9000, "currency": "RWF"},
        {"amount_minor": 30000, "currency": "RWF"},
    )
    r = await client.post(
        f"/api/v1/shops/{shop_id}/products",
        json={
            "title": "Huye coffee",
            "variants": [
                {"sku": "250G", "name": "250 g", "price": small},
                {"sku": "1KG", "name": "1 kg", "price": large},
            ],
            "images": [{"url": "/static/beans.svg"}, {"url": "/static/cup.svg"}],
        },
        headers=owner.headers,
    )
    coffee = r.json()
    r = await client.post(
        f"/api/v1/shops/{shop_id}/products",
        json={"title": "Tea", "price": {"amount_minor": 500, "currency": "RWF"}},
        headers=owner.headers,
    )
    tea = r.json()
    # When another feature asks for summaries (with a duplicate and an unknown id)
    async with api.container.db.read() as session:
        summaries = await get_product_summaries(
            session, [coffee["id"], tea["id"], coffee["id"], "unknown"]
        )
    # Then each known product appears once, priced by its first variant
    assert set(summaries) == {coffee["id"], tea["id"]}
    s = summaries[coffee["id"]]
    assert (s.shop_id, s.title, s.image_url) == (shop_id, "Huye coffee", "/static/beans.svg")
    assert s.default_variant_id == coffee["variants"][0]["id"]
    assert s.price == Money(9000, "RWF")
    assert summaries[tea["id"]].image_url is None


async def test_get_variant_and_get_shop(client: httpx.AsyncClient, api: Api) -> None:
    owner = await api.account()
    shop_id = await make_shop(api.container, owner)
    r = await client.post(
        f"/api/v1/shops/{shop_id}/products",
        json={"title": "Studs", "price": {"amount_minor": 5900, "currency": "CNY"}},
        headers=owner.headers,
    )
    variant_id = r.json()["variants"][0]["id"]
    async with api.container.db.read() as session:
        variant = await get_variant(session, variant_id)
        assert variant is not None
        assert (variant.product_id, variant.price_minor, variant.currency) == (
            r.json()["id"],
            5900,
            "CNY",
        )
        assert await get_variant(session, "unknown") is None
        assert await get_product_summaries(session, []) == {}
        assert (await get_shop(session, shop_id)).currency == "CNY"
        with pytest.raises(ShopNotFound):
            await get_shop(session, "unknown")
