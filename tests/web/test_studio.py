"""The host studio pages: who may open them, and what a host gets."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx

from livebazaar.accounts import Role
from tests.factories import grant
from tests.live.stage import Stage, make_stage, post_chat
from tests.support import Account, Api, sign_in_page

PASSWORD = "correct horse"
XSS = "<img src=x onerror=alert(1)>"
STUDIO_MODULES = (
    "studio", "studio_api", "studio_chat", "studio_golive", "studio_shop", "studio_stats",
    "whip", "camera", "studio_dom", "minor_units", "stream_key", "live", "api", "dom",
    "studio_sanctions", "i18n",
)  # fmt: skip


async def _sign_in(client: httpx.AsyncClient, account: Account) -> None:
    r = await sign_in_page(client, account.email, PASSWORD)
    assert r.status_code == 303, r.text


async def _cohost(api: Api, stage: Stage) -> Account:
    """An account with no role in the shop that accepted the owner's co-host invitation."""
    cohost = await api.account("Kofi")
    r = await api.client.post(
        f"{stage.url}/cohosts", json={"email": cohost.email}, headers=stage.owner.headers
    )
    assert r.status_code == 201, r.text
    r = await api.client.post(f"{stage.url}/cohosts/accept", headers=cohost.headers)
    assert r.status_code == 200, r.text
    return cohost


async def test_anonymous_visitors_are_sent_to_sign_in(client: httpx.AsyncClient, api: Api) -> None:
    # Given a show
    stage = await make_stage(api, live=False)
    # When someone not signed in opens its studio, or the studio's list
    for path in (f"/studio/shows/{stage.show_id}", "/studio"):
        r = await client.get(path)
        # Then they are sent to sign in, and back here afterwards
        assert r.status_code == 303, path
        assert r.headers["location"] == f"/login?next={path}"


async def test_people_who_do_not_host_the_show_get_403(client: httpx.AsyncClient, api: Api) -> None:
    # Given a show, a buyer, and a producer of the show's shop (a member, but not a host)
    stage = await make_stage(api, live=True)
    buyer = await api.account("Lucia")
    producer = await api.account("Amahoro")
    await grant(api.container, stage.shop_id, producer, Role.PRODUCER)
    for account in (buyer, producer):
        # When they open the show's studio
        client.cookies.clear()
        await _sign_in(client, account)
        r = await client.get(f"/studio/shows/{stage.show_id}")
        # Then a 403 page says whose studio it is, without the studio's controls
        assert r.status_code == 403
        assert r.headers["content-type"].startswith("text/html")
        assert "Only the show&#39;s hosts and co-hosts" in r.text
        assert 'id="go-live"' not in r.text
        assert "/static/studio.js" not in r.text


async def test_an_unknown_show_has_no_studio(client: httpx.AsyncClient, api: Api) -> None:
    await _sign_in(client, await api.account())
    r = await client.get("/studio/shows/no-such-show")
    assert r.status_code == 404
    assert "no such show" in r.text.lower()


async def test_the_host_gets_the_studio_with_its_controls(
    client: httpx.AsyncClient, api: Api
) -> None:
    # Given a live show where its owner chatted HTML (as anyone might)
    stage = await make_stage(api, live=True)
    r = await client.post(f"{stage.url}/chat", json={"text": XSS}, headers=stage.owner.headers)
    assert r.status_code == 201, r.text
    # When its owner (a host of the shop) signs in and opens the studio
    await _sign_in(client, stage.owner)
    r = await client.get(f"/studio/shows/{stage.show_id}")
    # Then the studio has the camera and go-live controls, the RTMP key, the lineup, the drop
    # form in the shop's currency, chat moderation, the co-host invitation and blocked words
    assert r.status_code == 200, r.text
    page = r.text
    for control in (
        'id="preview"', 'id="camera-on"', 'id="go-live"', 'id="stop-live"', 'id="end-show"',
        'id="rtmp-ask"', 'id="rtmp-server"', 'id="rtmp-key"', 'id="drop-form"',
        'id="drop-price"', 'id="chat-list"', 'id="mute-minutes"', 'id="slow-mode"',
        'id="cohost-form"', 'id="words-form"', 'id="stat-viewers-now"', 'id="sanction-list"',
    ):  # fmt: skip
        assert control in page, control
    assert 'data-currency="CNY" data-exponent="2"' in page
    assert "Price per unit (CNY)" in page
    assert "Pearl 1" in page
    assert "Pearl 2" in page
    assert re.search(r'<meta name="csrf-token" content="[^"]+">', page)
    assert 'role="status"' in page
    # And nobody's text reaches the page as markup (the chat is rendered by the module)
    assert XSS not in page
    # And the page loads its own style and module, and every module it needs is served
    assert '<link rel="stylesheet" href="/static/studio.css">' in page
    assert '<script type="module" src="/static/studio.js"></script>' in page
    assert (await client.get("/static/studio.css")).status_code == 200
    for name in STUDIO_MODULES:
        r = await client.get(f"/static/{name}.js")
        assert r.status_code == 200, name
        assert "javascript" in r.headers["content-type"]


async def test_the_studio_session_mutes_then_lifts_the_mute(
    client: httpx.AsyncClient, api: Api
) -> None:
    """What the chat panel's Mute and its "Muted or banned" list's Lift send, with the page's
    session cookie and CSRF token."""
    # Given a live show where a viewer chatted, and its owner in the studio
    stage = await make_stage(api, live=True)
    troll = await api.account("Troll")
    await post_chat(api, stage, troll, "spam spam")
    await _sign_in(client, stage.owner)
    page = (await client.get(f"/studio/shows/{stage.show_id}")).text
    match = re.search(r'<meta name="csrf-token" content="([^"]+)">', page)
    assert match
    headers = {"X-CSRF-Token": match.group(1)}
    assert "Muted or banned" in page
    # When the host mutes the viewer from the studio
    r = await client.post(
        f"{stage.url}/mutes", json={"user_id": troll.user_id, "minutes": 10}, headers=headers
    )
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "mute"
    assert r.json()["until"]
    muted = await api.client.post(f"{stage.url}/chat", json={"text": "hi"}, headers=troll.headers)
    assert muted.status_code == 403, muted.text
    # Then Lift lifts it, and the viewer chats again
    r = await client.delete(f"{stage.url}/sanctions/{troll.user_id}", headers=headers)
    assert r.status_code == 200, r.text
    assert r.json() == {"lifted": 1}
    await post_chat(api, stage, troll, "sorry")
    # And a Lift without the page's CSRF token is refused
    r = await client.delete(f"{stage.url}/sanctions/{troll.user_id}")
    assert r.status_code == 403, r.text


async def test_the_studio_reads_who_is_muted_or_banned_when_it_opens(
    client: httpx.AsyncClient, api: Api
) -> None:
    """What studio_sanctions.js loads: the shop's sanctions in force, set before the page
    opened (here by the owner through the API), read with the page's session cookie."""
    # Given a live show whose owner banned a viewer earlier, and a co-host in the studio
    stage = await make_stage(api, live=True)
    troll = await api.account("Troll")
    r = await api.client.post(
        f"{stage.url}/bans", json={"user_id": troll.user_id}, headers=stage.owner.headers
    )
    assert r.status_code == 201, r.text
    cohost = await _cohost(api, stage)
    await _sign_in(client, cohost)
    page = (await client.get(f"/studio/shows/{stage.show_id}")).text
    # Then the page says the list is the show's (their own mutes hold in it alone), not only
    # this page's
    assert "Who may not chat in this show now" in page
    assert "since you opened it" not in page
    # And the list's GET answers the co-host with the ban, by name
    r = await client.get(f"{stage.url}/sanctions")
    assert r.status_code == 200, r.text
    assert r.json() == [
        {"user_id": troll.user_id, "display_name": "Troll", "banned": True, "shop_wide": True,
         "muted_until": None}
    ]  # fmt: skip


async def test_a_cohost_gets_the_studio_without_the_shop_settings(
    client: httpx.AsyncClient, api: Api
) -> None:
    # Given a show's accepted co-host, who holds no role in the shop nor any grant
    stage = await make_stage(api, live=False)
    cohost = await _cohost(api, stage)
    # When they open the studio
    await _sign_in(client, cohost)
    r = await client.get(f"/studio/shows/{stage.show_id}")
    # Then they may go live, pin and moderate, but not invite co-hosts or set the shop's words,
    # nor use what the owner has not granted: no drop form, End show, stream key
    assert r.status_code == 200, r.text
    page = r.text
    for control in ('id="go-live"', 'id="chat-list"', 'id="lineup"', 'id="drops"'):
        assert control in page, control
    for control in ('id="cohost-form"', 'id="words-form"', 'id="drop-form"', 'id="end-show"',
                    'id="rtmp-ask"', 'id="rtmp-key"'):  # fmt: skip
        assert control not in page, control
    assert 'data-powers="moderate_chat open_studio pin publish_video see_stats start_show"' in page
    assert "The shop's hosts start and end drops; its owner may let you." in page
    assert "Your mutes hold in this show only" in page


async def test_a_granted_cohost_gets_what_they_were_granted(
    client: httpx.AsyncClient, api: Api
) -> None:
    # Given a co-host the owner granted drops (not prices), the stream key and ending the show
    stage = await make_stage(api, live=True)
    cohost = await _cohost(api, stage)
    r = await api.client.put(
        f"{stage.url}/cohosts/{cohost.user_id}/grants",
        json={"grants": ["drops", "stream_key", "end_show"]},
        headers=stage.owner.headers,
    )
    assert r.status_code == 200, r.text
    # When they open the studio
    await _sign_in(client, cohost)
    page = (await client.get(f"/studio/shows/{stage.show_id}")).text
    # Then they get the drop form with the list price only, the stream key and End show
    for control in ('id="drop-form"', 'id="end-show"', 'id="rtmp-ask"'):
        assert control in page, control
    assert re.search(r'<input id="drop-price"[^>]*readonly', page)
    assert "The list price: the shop's owner may let you choose another." in page
    assert "sanction_shop" not in page
    assert 'id="cohost-form"' not in page


async def test_the_owner_ticks_grants_and_a_host_reads_them(
    client: httpx.AsyncClient, api: Api
) -> None:
    stage = await make_stage(api, live=True)
    await _sign_in(client, stage.owner)
    page = (await client.get(f"/studio/shows/{stage.show_id}")).text
    assert 'data-can-grant="true"' in page
    assert "Tick what else each one may do" in page
    host = await api.account("Host")
    await grant(api.container, stage.shop_id, host, Role.HOST)
    client.cookies.clear()  # a second browser, as it were
    await _sign_in(client, host)
    page = (await client.get(f"/studio/shows/{stage.show_id}")).text
    assert 'data-can-grant="false"' in page
    assert "The shop's owners choose what else each one may do." in page


async def test_studio_lists_the_shows_the_user_hosts(client: httpx.AsyncClient, api: Api) -> None:
    # Given a host with a live show, an upcoming one and an ended one, and someone else's show
    live = await make_stage(api, live=True)
    c = api.container
    r = await client.post(
        "/api/v1/shows",
        json={
            "shop_id": live.shop_id, "title": "Evening harvest",
            "scheduled_at": (c.clock.now() + timedelta(days=2)).isoformat(),
        },
        headers=live.owner.headers,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    upcoming_id = r.json()["id"]
    ended = await make_stage(api, live=True)
    await client.post(f"{ended.url}/end", headers=ended.owner.headers)
    other = await make_stage(api, live=False)
    # When the first host opens /studio
    await _sign_in(client, live.owner)
    r = await client.get("/studio")
    # Then their live and upcoming shows link to their studios, and nothing else is listed
    assert r.status_code == 200
    assert f'href="/studio/shows/{live.show_id}"' in r.text
    assert f'href="/studio/shows/{upcoming_id}"' in r.text
    assert "Evening harvest" in r.text
    assert ended.show_id not in r.text
    assert other.show_id not in r.text


async def test_a_cohost_sees_the_show_in_their_studio_list(
    client: httpx.AsyncClient, api: Api
) -> None:
    stage = await make_stage(api, live=False)
    cohost = await _cohost(api, stage)
    await _sign_in(client, cohost)
    r = await client.get("/studio")
    assert r.status_code == 200
    assert f'href="/studio/shows/{stage.show_id}"' in r.text


async def test_the_studio_counts_its_viewers_in_the_hosts_language(
    client: httpx.AsyncClient, api: Api
) -> None:
    # Given a live show nobody watches yet, and its host reading French
    stage = await make_stage(api, live=True)
    await _sign_in(client, stage.owner)
    client.cookies.set("lb_lang", "fr")
    # When the host opens the studio
    r = await client.get(f"/studio/shows/{stage.show_id}")
    # Then the count takes French's plural form for none ("0 spectateur", as for one), the
    # catalog's ngettext entry that static/studio_stats.js also uses when the count changes
    assert r.status_code == 200, r.text
    assert '<span id="viewer-count">0 spectateur</span>' in r.text
