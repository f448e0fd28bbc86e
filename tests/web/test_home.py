"""The home page: live now, upcoming (with reminders), replays; search by product, shop and
country, on the page and through its API twin GET /api/v1/search/shows."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any, Literal

import httpx

from livebazaar.bootstrap import Container
from livebazaar.media import Recording
from tests.factories import make_product, make_shop
from tests.support import Account, Api, sign_in_page

PASSWORD = "correct horse"  # tests.support.Api.account's
State = Literal["scheduled", "live", "ended", "replay"]


async def stage_show(
    api: Api, owner: Account, shop_id: str, product_id: str, *, title: str, state: State,
    in_hours: float = 1,
) -> str:  # fmt: skip
    """A show of the shop with the product in its lineup, brought to `state` through the API
    ("replay": ended, with the recording the media backend leaves)."""
    c = api.container
    r = await api.client.post(
        "/api/v1/shows",
        json={
            "shop_id": shop_id,
            "title": title,
            "scheduled_at": (c.clock.now() + timedelta(hours=in_hours)).isoformat(),
            "lineup": [product_id],
        },
        headers=owner.headers,
    )
    assert r.status_code == 201, r.text
    show_id: str = r.json()["id"]
    steps = {"scheduled": [], "live": ["start"], "ended": ["start", "end"]}
    for step in steps["ended" if state == "replay" else state]:
        r = await api.client.post(f"/api/v1/shows/{show_id}/{step}", headers=owner.headers)
        assert r.status_code == 200, r.text
    if state == "replay":
        await _record(c, show_id)
    return show_id


async def _record(c: Container, show_id: str) -> None:
    async with c.db.uow() as uow:
        uow.session.add(
            Recording(
                show_id=show_id, vod_key=f"shows/{show_id}/vod.m3u8", duration_s=60.0,
                spans=[], recorded_at=c.clock.now(),
            )
        )  # fmt: skip
        await uow.commit()


async def _two_shops(api: Api) -> dict[str, str]:
    """A pearl cooperative in China and a coffee washing station in Rwanda, each live now."""
    c = api.container
    pearls_owner, coffee_owner = await api.account("Wang"), await api.account("Aline")
    pearls = await make_shop(c, pearls_owner, name="Xinchangle Pearl Cooperative", country="CN")
    coffee = await make_shop(c, coffee_owner, name="Huye Mountain Coffee", country="RW",
                             currency="RWF")  # fmt: skip
    necklace = await make_product(c, pearls, title="Freshwater pearl necklace")
    beans = await make_product(c, coffee, title="Washed Arabica beans (100%_organic)",
                               currency="RWF", price_minor=5000)  # fmt: skip
    return {
        "pearls": await stage_show(api, pearls_owner, pearls, necklace.id, title="Evening harvest",
                              state="live"),
        "coffee": await stage_show(api, coffee_owner, coffee, beans.id, title="Morning cupping",
                              state="live"),
    }  # fmt: skip


def _section(page: str, name: str) -> str:
    match = re.search(rf'<section aria-labelledby="{name}-h">(.*?)</section>', page, re.S)
    assert match is not None, f"the page has a {name} section"
    return match.group(1)


def _listed(page: str, name: str) -> list[str]:
    """The show ids of a section's cards, in order."""
    return re.findall(r'<li class="show-card" id="show-([^"]+)">', _section(page, name))


async def _search(client: httpx.AsyncClient, query: str) -> list[str]:
    r = await client.get(f"/?{query}")
    assert r.status_code == 200, r.text
    return _listed(r.text, "live")


async def _csrf(client: httpx.AsyncClient) -> str:
    match = re.search(r'<meta name="csrf-token" content="([^"]+)">', (await client.get("/")).text)
    assert match is not None
    return match.group(1)


async def test_home_lists_live_upcoming_and_replays(client: httpx.AsyncClient, api: Api) -> None:
    # Given a shop with a live show, two upcoming ones, and two that ended (one recorded)
    c = api.container
    owner = await api.account("Ana")
    shop = await make_shop(c, owner, name="Cusco Alpaca Weavers", country="PE")
    scarf = await make_product(c, shop, title="Alpaca scarf")
    live = await stage_show(api, owner, shop, scarf.id, title="Weaving live", state="live")
    later = await stage_show(api, owner, shop, scarf.id, title="Dyeing day", state="scheduled",
                        in_hours=5)  # fmt: skip
    sooner = await stage_show(api, owner, shop, scarf.id, title="Shearing", state="scheduled")
    replay = await stage_show(api, owner, shop, scarf.id, title="Last week", state="replay")
    unrecorded = await stage_show(api, owner, shop, scarf.id, title="No video", state="ended")
    # When a visitor opens the home page
    r = await client.get("/")
    assert r.status_code == 200
    page = r.text
    # Then each show is in its section, upcoming soonest first, and the unrecorded one nowhere
    assert _listed(page, "live") == [live]
    assert _listed(page, "upcoming") == [sooner, later]
    assert _listed(page, "replays") == [replay]
    assert unrecorded not in page
    # And the cards link to the show (a replay to its replay page), with shop, country, time,
    # and the product's picture named for screen readers
    assert f'href="/shows/{live}"' in _section(page, "live")
    assert f'href="/shows/{replay}/replay"' in _section(page, "replays")
    card = _section(page, "upcoming")
    assert "Cusco Alpaca Weavers" in card
    assert 'data-country="PE">PE<' in card
    assert re.search(r'<time datetime="[^"]+" data-local>', card)
    assert '<img class="cover" src="/static/demo/pearl-1.svg" alt="Alpaca scarf"' in card
    # And anonymous visitors are offered to sign in for reminders, and the module is served
    assert "Sign in to get a reminder" in card
    assert '<script type="module" src="/static/home.js"></script>' in page
    assert (await client.get("/static/home.js")).status_code == 200


async def test_search_by_product_shop_and_country(client: httpx.AsyncClient, api: Api) -> None:
    shows = await _two_shops(api)
    pearls, coffee = shows["pearls"], shows["coffee"]
    assert sorted(await _search(client, "")) == sorted([pearls, coffee])
    # By a lineup product's title, in any case
    assert await _search(client, "q=ARABICA") == [coffee]
    assert await _search(client, "q=freshwater+PEARL") == [pearls]
    # By the shop's name, and the show's title
    assert await _search(client, "q=mountain+coffee") == [coffee]
    assert await _search(client, "q=evening") == [pearls]
    # By country (any case), alone or with words
    assert await _search(client, "country=rw") == [coffee]
    assert await _search(client, "country=CN&q=pearl") == [pearls]
    assert await _search(client, "country=RW&q=pearl") == []
    # LIKE's wildcards are plain characters: "%" and "_" match only themselves
    assert await _search(client, "q=%25") == [coffee]
    assert await _search(client, "q=100%25_org") == [coffee]
    assert await _search(client, "q=0_o") == []
    # And the page says what it searched, escaped, with a way back
    r = await client.get("/?q=%3Cb%3Ehi&country=xx")
    assert "“&lt;b&gt;hi”" in r.text
    assert 'href="/">Clear the search</a>' in r.text
    assert "No live show matches." in r.text
    # A malformed country is ignored rather than refused
    assert sorted(await _search(client, "country=Rwanda")) == sorted([pearls, coffee])


async def test_the_search_api_twin(client: httpx.AsyncClient, api: Api) -> None:
    shows = await _two_shops(api)
    r = await client.get("/api/v1/search/shows", params={"q": "arabica", "country": "rw"})
    assert r.status_code == 200, r.text
    [found] = r.json()
    assert found["id"] == shows["coffee"]
    assert (found["shop_name"], found["shop_country"]) == ("Huye Mountain Coffee", "RW")
    cover: dict[str, Any] = found["cover"]
    assert cover["product_title"].startswith("Washed Arabica")
    assert cover["image_url"] == "/static/demo/pearl-1.svg"
    r = await client.get("/api/v1/search/shows", params={"status": "scheduled"})
    assert r.json() == []
    r = await client.get("/api/v1/search/shows", params={"replay": "true"})
    assert r.json() == []
    r = await client.get("/api/v1/search/shows", params={"country": "Rwanda"})
    assert r.status_code == 422


async def test_remind_me_without_javascript(client: httpx.AsyncClient, api: Api) -> None:
    # Given an upcoming show and a viewer who has not signed in yet
    c = api.container
    owner = await api.account("Ana")
    shop = await make_shop(c, owner, name="Cusco Alpaca Weavers", country="PE")
    scarf = await make_product(c, shop, title="Alpaca scarf")
    show = await stage_show(api, owner, shop, scarf.id, title="Shearing", state="scheduled")
    form = {"remind": "on", "next": "/?q=alpaca"}
    r = await client.post(f"/shows/{show}/reminder", data=form)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/%3Fq%3Dalpaca"
    # When they sign in and press "Remind me" (the form posts with the page's CSRF token)
    fan = await api.account("Fan")
    r = await sign_in_page(client, fan.email, PASSWORD)
    assert r.status_code == 303
    page = (await client.get("/?q=alpaca")).text
    assert 'aria-pressed="false"' in _section(page, "upcoming")
    r = await client.post(f"/shows/{show}/reminder", data=form)
    assert r.status_code == 403  # no CSRF token: refused
    r = await client.post(
        f"/shows/{show}/reminder", data={**form, "csrf_token": await _csrf(client)}
    )
    # Then they are back at their card, and it shows the reminder as set
    assert r.status_code == 303
    assert r.headers["location"] == f"/?q=alpaca#show-{show}"
    card = _section((await client.get("/?q=alpaca")).text, "upcoming")
    assert 'aria-pressed="true"' in card
    assert '<input type="hidden" name="remind" value="off">' in card
    assert html.escape("/?q=alpaca") in card  # the form comes back to the same search
    # When they press it again, it is cleared
    r = await client.post(
        f"/shows/{show}/reminder", data={"remind": "off", "csrf_token": await _csrf(client)}
    )
    assert r.status_code == 303
    assert 'aria-pressed="false"' in _section((await client.get("/")).text, "upcoming")


async def test_the_host_sees_the_count_and_a_started_show_refuses_quietly(
    client: httpx.AsyncClient, api: Api
) -> None:
    c = api.container
    owner = await api.account("Ana")
    shop = await make_shop(c, owner, name="Cusco Alpaca Weavers", country="PE")
    scarf = await make_product(c, shop, title="Alpaca scarf")
    show = await stage_show(api, owner, shop, scarf.id, title="Shearing", state="scheduled")
    for name in ("Fan 1", "Fan 2"):
        fan = await api.account(name)
        r = await client.put(f"/api/v1/shows/{show}/reminder", headers=fan.headers)
        assert r.status_code == 201, r.text
    # When the host opens the home page signed in, their card counts the reminders
    r = await sign_in_page(client, owner.email, PASSWORD)
    assert r.status_code == 303
    assert "2 viewers reminded" in _section((await client.get("/")).text, "upcoming")
    # When the show starts and a stale page still posts "Remind me", it just comes back
    r = await client.post(f"/api/v1/shows/{show}/start", headers=owner.headers)
    assert r.status_code == 200, r.text
    r = await client.post(
        f"/shows/{show}/reminder", data={"remind": "on", "csrf_token": await _csrf(client)}
    )
    assert r.status_code == 303
    assert _listed((await client.get("/")).text, "live") == [show]
