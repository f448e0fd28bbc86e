"""Write the seed stories through the public HTTP API, as a real client would.

Nothing here touches the database directly: every shop, producer, product, show, co-host
invitation and drop goes through the same endpoints (and the same checks) a seller uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx

from livebazaar.demo.stories import (
    BUYER,
    STORIES,
    Person,
    ProductSeed,
    ShowSeed,
    Story,
    split_bps,
)


class SeedFailed(RuntimeError):
    """An API call the seeding relies on was refused; the message says which and why."""


@dataclass(frozen=True)
class SeededShow:
    id: str
    title: str
    shop_id: str
    live: bool
    drop_id: str | None = None


@dataclass
class DemoInfo:
    shows: list[SeededShow] = field(default_factory=list)
    logins: list[tuple[str, Person]] = field(default_factory=list)
    farmer_producer_id: str | None = None  # the producer the coffee farmer's account is

    @property
    def live_show(self) -> SeededShow | None:
        return next((s for s in self.shows if s.live), None)


class SeedClient:
    """The API as one HTTP client; remembers each demo person's bearer token."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.tokens: dict[str, str] = {}

    async def call(
        self, method: str, url: str, who: Person | None = None, body: object = None
    ) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[who.email]}"} if who else {}
        response = await self.http.request(method, url, json=body, headers=headers)
        if response.status_code >= 400:
            raise SeedFailed(f"{method} {url} -> {response.status_code}: {response.text[:500]}")
        return response.json() if response.content else None

    async def sign_in(self, person: Person) -> None:
        """Register the person (already registered is fine) and keep an API token."""
        response = await self.http.post(
            "/api/v1/auth/register",
            json={
                "email": person.email,
                "password": person.password,
                "display_name": person.display_name,
            },
        )
        if response.status_code not in (201, 409):
            raise SeedFailed(f"register {person.email} -> {response.status_code}: {response.text}")
        body = await self.call(
            "POST", "/api/v1/auth/token", body={"email": person.email, "password": person.password}
        )
        self.tokens[person.email] = body["access_token"]


async def seed(http: httpx.AsyncClient, now: datetime) -> DemoInfo:
    """Both stories, from nothing: shops, producers, products, shows; one show live."""
    api = SeedClient(http)
    info = DemoInfo()
    for story in STORIES:
        await api.sign_in(story.host)
        info.logins.append((f"host of {story.shop_name}", story.host))
        if story.show.cohost is not None:
            await api.sign_in(story.show.cohost)
            info.logins.append((f"co-host of '{story.show.title}'", story.show.cohost))
        info.shows.append(await _seed_story(api, story, now, info))
    await api.sign_in(BUYER)
    info.logins.append(("buyer", BUYER))
    return info


async def _seed_story(api: SeedClient, story: Story, now: datetime, info: DemoInfo) -> SeededShow:
    host = story.host
    shop = await api.call(
        "POST",
        "/api/v1/shops",
        host,
        {
            "name": story.shop_name,
            "country": story.country,
            "currency": story.currency,
            "description": story.description,
        },
    )
    producer_ids = [
        (
            await api.call(
                "POST",
                f"/api/v1/shops/{shop['id']}/producers",
                host,
                {"name": p.name, "village": p.village, "region": p.region, "bio": p.bio},
            )
        )["id"]
        for p in story.producers
    ]
    if story.farmer is not None:
        info.farmer_producer_id = await _seed_farmer(api, story, shop["id"], producer_ids)
        info.logins.append((f"farmer at {story.shop_name}", story.farmer[0]))
    products: dict[str, dict[str, Any]] = {}
    for product in story.products:
        body = _product_body(product, story.currency, producer_ids)
        products[product.key] = await api.call(
            "POST", f"/api/v1/shops/{shop['id']}/products", host, body
        )
    return await _seed_show(api, story, shop["id"], products, now)


async def _seed_farmer(api: SeedClient, story: Story, shop_id: str, producer_ids: list[str]) -> str:
    """The farmer's account: a member with the producer role, linked to their producer, paid
    by mobile money; and the shop's own payout method. Returns the producer's id."""
    assert story.farmer is not None
    farmer, index, phone = story.farmer
    host, producer_id = story.host, producer_ids[index]
    await api.sign_in(farmer)
    member = await api.call(
        "POST", f"/api/v1/shops/{shop_id}/members", host,
        {"email": farmer.email, "role": "producer"},
    )  # fmt: skip
    link = {"user_id": member["user_id"]}
    await api.call("PUT", f"/api/v1/producers/{producer_id}/account", host, link)
    momo = {"kind": "mobile_money", "phone": phone, "provider": "MTN MoMo"}
    await api.call("PUT", f"/api/v1/producers/{producer_id}/payout-method", farmer, momo)
    shop_momo = {**momo, "phone": story.shop_phone}
    await api.call("PUT", f"/api/v1/shops/{shop_id}/payout-method", host, shop_momo)
    return producer_id


def _product_body(product: ProductSeed, currency: str, producer_ids: list[str]) -> dict[str, Any]:
    bps = split_bps([weight for _, weight in product.makers])
    reference = (
        None
        if product.reference_minor is None
        else {"amount_minor": product.reference_minor, "currency": currency,
              "unit": product.reference_unit}
    )  # fmt: skip
    return {
        "reference_price": reference,
        "title": product.title,
        "description": product.description,
        "origin": {
            "place": product.place,
            "region": product.region,
            "country": product.country,
            "steps": list(product.steps),
        },
        "variants": [
            {
                "sku": v.sku,
                "name": v.name,
                "price": {"amount_minor": v.price_minor, "currency": currency},
                "stock": v.stock,
            }
            for v in product.variants
        ],
        "images": [{"url": url, "alt": alt} for url, alt in product.images],
        "revenue_shares": [
            {"producer_id": producer_ids[index], "bps": share}
            for (index, _), share in zip(product.makers, bps, strict=True)
        ],
    }


async def _seed_show(
    api: SeedClient,
    story: Story,
    shop_id: str,
    products: dict[str, dict[str, Any]],
    now: datetime,
) -> SeededShow:
    spec, host = story.show, story.host
    show = await api.call(
        "POST",
        "/api/v1/shows",
        host,
        {
            "shop_id": shop_id,
            "title": spec.title,
            "description": spec.description,
            "scheduled_at": (now + timedelta(seconds=spec.starts_in_s)).isoformat(),
            "lineup": [products[key]["id"] for key in spec.lineup],
        },
    )
    base = f"/api/v1/shows/{show['id']}"
    if spec.cohost is not None:
        await api.call("POST", f"{base}/cohosts", host, {"email": spec.cohost.email})
        await api.call("POST", f"{base}/cohosts/accept", spec.cohost)
    if not spec.go_live:
        return SeededShow(show["id"], spec.title, shop_id, live=False)
    await api.call("POST", f"{base}/start", host)
    await api.call("POST", f"{base}/pin", host, {"product_id": products[spec.pinned]["id"]})
    drop_id = await _start_drop(api, spec, host, base, products, story.currency)
    for who, text in ((host, spec.host_says), (spec.cohost, spec.cohost_says)):
        if who is not None and text:
            await api.call("POST", f"{base}/chat", who, {"text": text})
    return SeededShow(show["id"], spec.title, shop_id, live=True, drop_id=drop_id)


async def _start_drop(
    api: SeedClient,
    spec: ShowSeed,
    host: Person,
    base: str,
    products: dict[str, dict[str, Any]],
    currency: str,
) -> str | None:
    if spec.drop is None:
        return None
    d = spec.drop
    drop = await api.call(
        "POST",
        f"{base}/drops",
        host,
        {
            "product_id": products[d.product_key]["id"],
            "quantity": d.quantity,
            "price": {"amount_minor": d.price_minor, "currency": currency},
            "per_buyer_limit": d.per_buyer_limit,
            "duration_s": d.duration_s,
            "hold_s": d.hold_s,
        },
    )
    drop_id: str = drop["id"]
    return drop_id


async def find_seeded(http: httpx.AsyncClient) -> DemoInfo | None:
    """What an earlier run seeded (for --keep), or None if the database holds no demo."""
    response = await http.get("/api/v1/shows", params={"status": "live"})
    if response.status_code != 200:
        return None
    body = response.json()
    items: list[dict[str, Any]] = body if isinstance(body, list) else body.get("items", [])
    info = DemoInfo()
    for show in items:
        state = (await http.get(f"/api/v1/shows/{show['id']}")).json()
        live_drops = [d["id"] for d in state.get("drops", []) if d.get("status") == "live"]
        info.shows.append(
            SeededShow(show["id"], show["title"], show["shop_id"], True, (live_drops or [None])[-1])
        )
    if not info.shows:
        return None
    for story in STORIES:
        info.logins.append((f"host of {story.shop_name}", story.host))
        if story.show.cohost is not None:
            info.logins.append((f"co-host of '{story.show.title}'", story.show.cohost))
        if story.farmer is not None:
            info.logins.append((f"farmer at {story.shop_name}", story.farmer[0]))
    info.logins.append(("buyer", BUYER))
    return info


async def issue_stream_key(http: httpx.AsyncClient, show: SeededShow) -> dict[str, str] | None:
    """A fresh stream key for a seeded show, asked for by its host (rotating any old one)."""
    story = next((s for s in STORIES if s.show.title == show.title), None)
    if story is None:
        return None
    api = SeedClient(http)
    await api.sign_in(story.host)
    body: dict[str, str] = await api.call("POST", f"/api/v1/shows/{show.id}/stream-key", story.host)
    return body
