from __future__ import annotations

from typing import Any

import httpx

from livebazaar.kernel.money import MAX_PRICE_MINOR
from tests.factories import make_shop
from tests.support import Account, Api, assert_problem


async def _producers(client: httpx.AsyncClient, owner: Account, shop_id: str, n: int) -> list[str]:
    ids = []
    for i in range(n):
        r = await client.post(
            f"/api/v1/shops/{shop_id}/producers",
            json={"name": f"Farmer {i + 1}", "village": "Xinchangle"},
            headers=owner.headers,
        )
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    return ids


def _necklace(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Freshwater pearl necklace",
        "description": "Hand-sorted 7-8 mm pearls.",
        "origin": {
            "place": "Xinchangle",
            "region": "Zhuji, Zhejiang",
            "country": "CN",
            "steps": ["Pond", "Harvest", "Sorting", "Stringing"],
        },
        "variants": [
            {"sku": "PN-7", "name": "7 mm", "price": {"amount_minor": 19900, "currency": "CNY"},
             "stock": 40},
            {"sku": "PN-8", "name": "8 mm", "price": {"amount_minor": 25900, "currency": "CNY"},
             "stock": 10},
        ],
        "images": [
            {"url": "https://cdn.example.org/front.jpg", "alt": "front"},
            {"url": "/static/demo/pearl-clasp.svg", "alt": "clasp"},
        ],
    }  # fmt: skip
    body.update(overrides)
    return body


async def test_full_product_round_trips(client: httpx.AsyncClient, api: Api) -> None:
    # Given a cooperative with two farmers
    owner = await api.account()
    shop_id = await make_shop(api.container, owner)
    wang, chen = await _producers(client, owner, shop_id, 2)
    shares = [{"producer_id": wang, "bps": 6000}, {"producer_id": chen, "bps": 4000}]
    # When the owner lists a necklace with two sizes, two images, an origin and shares
    r = await client.post(
        f"/api/v1/shops/{shop_id}/products",
        json=_necklace(revenue_shares=shares),
        headers=owner.headers,
    )
    # Then anyone reads back exactly that, with stock available per variant
    assert r.status_code == 201, r.text
    product = r.json()
    public = await client.get(f"/api/v1/products/{product['id']}")
    assert public.json() == product
    assert product["shop_id"] == shop_id
    assert product["origin"] == {
        "place": "Xinchangle",
        "region": "Zhuji, Zhejiang",
        "country": "CN",
        "steps": ["Pond", "Harvest", "Sorting", "Stringing"],
    }
    assert [
        (v["sku"], v["price"]["amount_minor"], v["available"]) for v in product["variants"]
    ] == [
        ("PN-7", 19900, 40),
        ("PN-8", 25900, 10),
    ]
    assert product["variants"][0]["price"]["display"] == "199.00 CNY"
    assert [(i["alt"], i["position"]) for i in product["images"]] == [("front", 0), ("clasp", 1)]
    assert [(p["producer_id"], p["bps"]) for p in product["producers"]] == [
        (wang, 6000),
        (chen, 4000),
    ]
    listed = await client.get(f"/api/v1/shops/{shop_id}/products")
    assert listed.json() == [product]


async def test_simple_client_posts_title_price_stock(client: httpx.AsyncClient, api: Api) -> None:
    owner = await api.account()
    shop_id = await make_shop(api.container, owner)
    r = await client.post(
        f"/api/v1/shops/{shop_id}/products",
        json={
            "title": "Pearl studs",
            "price": {"amount_minor": 5900, "currency": "CNY"},
            "stock": 7,
        },
        headers=owner.headers,
    )
    assert r.status_code == 201, r.text
    product = r.json()
    assert [(v["sku"], v["name"], v["available"]) for v in product["variants"]] == [
        ("DEFAULT", "Standard", 7)
    ]
    assert product["origin"] == {"place": "", "region": "", "country": None, "steps": []}
    assert product["images"] == []
    assert product["producers"] == []
    r = await client.post(
        f"/api/v1/shops/{shop_id}/products",
        json={"title": "No stock given", "price": {"amount_minor": 100, "currency": "CNY"}},
        headers=owner.headers,
    )
    assert r.json()["variants"][0]["available"] == 0


async def test_price_rules(client: httpx.AsyncClient, api: Api) -> None:
    owner = await api.account()
    shop_id = await make_shop(api.container, owner)
    url = f"/api/v1/shops/{shop_id}/products"
    usd = {"amount_minor": 100, "currency": "USD"}
    cny = {"amount_minor": 100, "currency": "CNY"}
    cases = [
        ({"title": "No price"}, "price_required"),
        ({"title": "Dollars", "price": usd}, "currency_mismatch"),
        (_necklace(variants=[{"sku": "A", "name": "A", "price": usd}]), "currency_mismatch"),
        (_necklace(price=cny), "price_with_variants"),
        (
            _necklace(
                variants=[
                    {"sku": "A-1", "name": "A", "price": cny},
                    {"sku": "a-1", "name": "B", "price": cny},
                ]
            ),
            "duplicate_sku",
        ),
    ]
    for body, code in cases:
        assert_problem(await client.post(url, json=body, headers=owner.headers), 422, code)
    assert (await client.get(f"/api/v1/shops/{shop_id}/products")).json() == []


async def test_a_price_above_the_ceiling_is_refused_with_it(
    client: httpx.AsyncClient, api: Api
) -> None:
    # Given a shop selling in CNY
    owner = await api.account()
    shop_id = await make_shop(api.container, owner)
    url = f"/api/v1/shops/{shop_id}/products"
    # When a product is priced 99,999,999,999.00 CNY, or one fen above the ceiling
    for amount in (9_999_999_999_900, MAX_PRICE_MINOR + 1):
        body = {"title": "Typo", "price": {"amount_minor": amount, "currency": "CNY"}}
        r = await client.post(url, json=body, headers=owner.headers)
        # Then it is refused, saying the most a price may be, and nothing is made
        assert_problem(r, 422, "validation_failed")
        assert "at most 100,000,000.00 CNY" in r.json()["errors"][0]["msg"]
    assert (await client.get(url)).json() == []
    # And the ceiling itself is a price
    body = {"title": "Dear", "price": {"amount_minor": MAX_PRICE_MINOR, "currency": "CNY"}}
    assert (await client.post(url, json=body, headers=owner.headers)).status_code == 201


def _variant(sku: str = "A", amount_minor: int = 100, stock: int = 1) -> dict[str, Any]:
    price = {"amount_minor": amount_minor, "currency": "CNY"}
    return {"sku": sku, "name": "A", "price": price, "stock": stock}


async def test_input_validation(client: httpx.AsyncClient, api: Api) -> None:
    owner = await api.account()
    shop_id = await make_shop(api.container, owner)
    url = f"/api/v1/shops/{shop_id}/products"
    bad_bodies = [
        _necklace(title=""),
        _necklace(title="x" * 201),
        _necklace(variants=[]),
        _necklace(images=[{"url": "javascript:alert(1)", "alt": "x"}]),
        _necklace(images=[{"url": "ftp://example.org/a.jpg"}]),
        _necklace(images=[{"url": "/etc/passwd"}]),
        _necklace(origin={"country": "XX"}),
        _necklace(variants=[_variant(amount_minor=-1)]),
        _necklace(variants=[_variant(amount_minor=10**15 + 1)]),
        _necklace(variants=[_variant(stock=-1)]),
        _necklace(variants=[_variant(sku="bad sku")]),
        _necklace(variants=[_variant(sku="")]),
        _necklace(title="Pearl\x00necklace"),
        _necklace(unknown_field=True),
    ]
    for body in bad_bodies:
        assert_problem(
            await client.post(url, json=body, headers=owner.headers), 422, "validation_failed"
        )
    assert (await client.get(f"/api/v1/shops/{shop_id}/products")).json() == []


async def test_unknown_ids_are_404(client: httpx.AsyncClient, api: Api) -> None:
    owner = await api.account()
    r = await client.post("/api/v1/shops/nope/products", json=_necklace(), headers=owner.headers)
    assert_problem(r, 404, "shop_not_found")
    assert_problem(await client.get("/api/v1/shops/nope/products"), 404, "shop_not_found")
    assert_problem(await client.get("/api/v1/products/nope"), 404, "product_not_found")
    r = await client.patch("/api/v1/products/nope", json={"title": "x"}, headers=owner.headers)
    assert_problem(r, 404, "product_not_found")
    r = await client.post(
        "/api/v1/products/nope/images", json={"url": "/static/a.svg"}, headers=owner.headers
    )
    assert_problem(r, 404, "product_not_found")
    r = await client.put("/api/v1/products/nope/revenue-shares", json=[], headers=owner.headers)
    assert_problem(r, 404, "product_not_found")
    r = await client.put("/api/v1/variants/nope/stock", json={"quantity": 1}, headers=owner.headers)
    assert_problem(r, 404, "variant_not_found")


async def test_patch_product_and_append_images(client: httpx.AsyncClient, api: Api) -> None:
    # Given a product with two images
    owner = await api.account()
    shop_id = await make_shop(api.container, owner)
    created = await client.post(
        f"/api/v1/shops/{shop_id}/products", json=_necklace(), headers=owner.headers
    )
    product_id = created.json()["id"]
    # When the owner renames it, retells its origin and adds a third image
    r = await client.patch(
        f"/api/v1/products/{product_id}",
        json={"title": "Baroque necklace", "origin": {"place": "Shanxiahu", "steps": ["Pond"]}},
        headers=owner.headers,
    )
    assert r.status_code == 200, r.text
    image = await client.post(
        f"/api/v1/products/{product_id}/images",
        json={"url": "https://cdn.example.org/worn.jpg", "alt": "worn"},
        headers=owner.headers,
    )
    # Then the product shows the change, and the new image comes last
    assert image.status_code == 201, image.text
    assert image.json()["position"] == 2
    product = (await client.get(f"/api/v1/products/{product_id}")).json()
    assert product["title"] == "Baroque necklace"
    assert product["description"] == "Hand-sorted 7-8 mm pearls."
    assert product["origin"] == {
        "place": "Shanxiahu",
        "region": "",
        "country": None,
        "steps": ["Pond"],
    }
    assert [i["alt"] for i in product["images"]] == ["front", "clasp", "worn"]


async def test_the_farm_gate_price_is_kept_changed_and_removed(
    client: httpx.AsyncClient, api: Api
) -> None:
    # Given a cooperative selling in CNY
    owner = await api.account()
    shop_id = await make_shop(api.container, owner)
    farm_gate = {"amount_minor": 12000, "currency": "CNY", "unit": "strand"}
    # When the owner lists a necklace with what a middleman used to pay for a strand
    r = await client.post(
        f"/api/v1/shops/{shop_id}/products",
        json=_necklace(reference_price=farm_gate),
        headers=owner.headers,
    )
    # Then the product says so
    assert r.status_code == 201, r.text
    product_id = r.json()["id"]
    assert r.json()["reference_price"] == {**farm_gate, "display": "120.00 CNY"}
    path = f"/api/v1/products/{product_id}"
    # A patch that leaves it out keeps it; a new one replaces it; null removes it
    r = await client.patch(path, json={"title": "Pearl necklace"}, headers=owner.headers)
    assert r.json()["reference_price"]["amount_minor"] == 12000
    new = {"amount_minor": 9000, "currency": "CNY", "unit": " bag "}
    r = await client.patch(path, json={"reference_price": new}, headers=owner.headers)
    assert r.json()["reference_price"]["unit"] == "bag"
    r = await client.patch(path, json={"reference_price": None}, headers=owner.headers)
    assert r.status_code == 200, r.text
    assert r.json()["reference_price"] is None


async def test_a_bad_farm_gate_price_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, api: Api
) -> None:
    owner = await api.account()
    shop_id = await make_shop(api.container, owner)
    r = await client.post(
        f"/api/v1/shops/{shop_id}/products", json=_necklace(), headers=owner.headers
    )
    path = f"/api/v1/products/{r.json()['id']}"
    bad: list[dict[str, Any]] = [
        {"amount_minor": 0, "currency": "CNY", "unit": "bag"},
        {"amount_minor": 100, "currency": "CNY", "unit": "   "},
        {"amount_minor": 100, "currency": "CNY"},
        {"amount_minor": 100, "currency": "CNY", "unit": "x" * 41},
        {"amount_minor": MAX_PRICE_MINOR + 1, "currency": "CNY", "unit": "bag"},
    ]
    for body in bad:
        r = await client.patch(path, json={"reference_price": body}, headers=owner.headers)
        assert r.status_code == 422, (body, r.text)
    # A currency other than the shop's is refused as a variant's would be
    other = {"amount_minor": 100, "currency": "USD", "unit": "bag"}
    r = await client.patch(path, json={"reference_price": other}, headers=owner.headers)
    assert_problem(r, 422, "currency_mismatch")
    assert (await client.get(path)).json()["reference_price"] is None


async def test_a_product_priced_at_zero_is_refused(client: httpx.AsyncClient, api: Api) -> None:
    # Given a shop (a zero price would be a sale for nothing, as the list price of PATCH is)
    owner = await api.account()
    shop_id = await make_shop(api.container, owner)
    url = f"/api/v1/shops/{shop_id}/products"
    zero = {"amount_minor": 0, "currency": "CNY"}
    # When a product, or one variant of one, is priced at zero
    for body in (
        {"title": "Free", "price": zero, "stock": 50},
        _necklace(variants=[_variant(sku="A"), _variant(sku="B", amount_minor=0)]),
    ):
        r = await client.post(url, json=body, headers=owner.headers)
        # Then it is refused with a clear code, and nothing is made
        assert_problem(r, 422, "price_out_of_range")
    assert (await client.get(url)).json() == []
