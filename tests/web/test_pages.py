"""The server-rendered pages: the show list, the viewer page, sign-in with a session cookie."""

from __future__ import annotations

import re

import httpx

from livebazaar.bootstrap import Container
from livebazaar.media import Recording
from tests.live.stage import Stage, make_stage
from tests.support import Account, Api, assert_problem, sign_in_page

PASSWORD = "correct horse"
XSS = "<img src=x onerror=alert(1)>"


async def _sign_in(client: httpx.AsyncClient, account: Account, next_: str = "/") -> httpx.Response:
    return await sign_in_page(client, account.email, PASSWORD, next_)


async def _csrf_from(client: httpx.AsyncClient, path: str) -> str:
    page = await client.get(path)
    match = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.text)
    assert match is not None, "the signed-in page carries the session's CSRF token"
    return match.group(1)


async def _live_show(api: Api) -> Stage:
    return await make_stage(api, live=True)


async def test_index_lists_live_and_upcoming_shows(client: httpx.AsyncClient, api: Api) -> None:
    # Given one live show and one upcoming
    live = await make_stage(api, live=True)
    upcoming = await make_stage(api, live=False)
    # When a visitor opens the home page
    r = await client.get("/")
    # Then both are listed, linking to their pages
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert f'href="/shows/{live.show_id}"' in r.text
    assert f'href="/shows/{upcoming.show_id}"' in r.text


async def test_show_page_renders_title_lineup_and_escaped_chat(
    client: httpx.AsyncClient, api: Api
) -> None:
    # Given a live show where someone chatted HTML
    stage = await _live_show(api)
    r = await client.post(f"{stage.url}/chat", json={"text": XSS}, headers=stage.owner.headers)
    assert r.status_code == 201, r.text
    # When a visitor opens the show page
    page = await client.get(f"/shows/{stage.show_id}")
    # Then it shows the title, the lineup, the module that keeps it live, and the chat as text
    assert page.status_code == 200
    assert "Pearls at dawn" in page.text
    assert "Pearl 1" in page.text
    assert "Pearl 2" in page.text
    assert '<script type="module" src="/static/show.js">' in page.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text
    assert XSS not in page.text
    # And the static files it needs are served
    for path in ("/static/show.js", "/static/live.js", "/static/app.css"):
        assert (await client.get(path)).status_code == 200


async def test_unknown_show_page_is_404(client: httpx.AsyncClient) -> None:
    r = await client.get("/shows/no-such-show")
    assert r.status_code == 404
    assert "no such show" in r.text.lower()


async def test_login_sets_an_httponly_lax_session_cookie(
    client: httpx.AsyncClient, api: Api, container: Container
) -> None:
    # Given an account
    account = await api.account("Mei")
    # When they sign in on the page
    r = await _sign_in(client, account, next_="/shows/abc")
    # Then they go back where they were, with an HttpOnly, SameSite=Lax session cookie
    assert r.status_code == 303
    assert r.headers["location"] == "/shows/abc"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{container.settings.session_cookie_name}=")
    assert "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower()
    # And pages now know them
    assert "Mei" in (await client.get("/")).text


async def test_login_refuses_a_wrong_password_and_foreign_redirects(
    client: httpx.AsyncClient, api: Api
) -> None:
    account = await api.account()
    r = await sign_in_page(client, account.email, "wrong pass")
    assert r.status_code == 401
    assert "lb_session" not in r.headers.get("set-cookie", "")  # only the form's token
    assert "Email or password is wrong" in r.text
    r = await _sign_in(client, account, next_="//evil.example.org/")
    assert r.headers["location"] == "/"


async def test_cookie_post_needs_the_csrf_header(client: httpx.AsyncClient, api: Api) -> None:
    # Given a live show and a viewer signed in with the session cookie
    stage = await _live_show(api)
    viewer = await api.account("Kofi")
    await _sign_in(client, viewer)
    csrf = await _csrf_from(client, f"/shows/{stage.show_id}")
    # When they chat without the CSRF header, it is refused and nothing is posted
    r = await client.post(f"{stage.url}/chat", json={"text": "hello"})
    assert_problem(r, 403, "csrf_failed")
    r = await client.post(
        f"{stage.url}/chat", json={"text": "hello"}, headers={"X-CSRF-Token": "forged"}
    )
    assert_problem(r, 403, "csrf_failed")
    assert (await client.get(stage.url)).json()["recent_chat"] == []
    # When they send the page's token, it works
    r = await client.post(
        f"{stage.url}/chat", json={"text": "hello"}, headers={"X-CSRF-Token": csrf}
    )
    assert r.status_code == 201, r.text
    assert [m["text"] for m in (await client.get(stage.url)).json()["recent_chat"]] == ["hello"]


async def test_logout_needs_csrf_then_ends_the_session(client: httpx.AsyncClient, api: Api) -> None:
    account = await api.account("Lucia")
    await _sign_in(client, account)
    csrf = await _csrf_from(client, "/")
    assert_problem(await client.post("/logout"), 403, "csrf_failed")
    r = await client.post("/logout", data={"csrf_token": csrf})
    assert r.status_code == 303
    page = await client.get("/")
    assert "Lucia" not in page.text
    assert 'href="/login' in page.text


async def test_a_stale_cookie_reads_as_signed_out(
    client: httpx.AsyncClient, container: Container
) -> None:
    client.cookies.set(container.settings.session_cookie_name, "made-up")
    r = await client.get("/")
    assert r.status_code == 200
    assert 'href="/login' in r.text


async def test_show_page_plays_the_video_with_hls_js(client: httpx.AsyncClient, api: Api) -> None:
    # Given a live show whose host has not published video yet
    stage = await _live_show(api)
    # When a visitor opens the show page
    page = await client.get(f"/shows/{stage.show_id}")
    # Then it has a labelled video, the waiting placeholder, hls.js and the player module
    assert page.status_code == 200
    assert '<video id="video" muted autoplay playsinline controls' in page.text
    assert 'aria-label="Live video: Pearls at dawn"' in page.text
    assert "Waiting for the host's video…" in page.text
    assert '<script src="/static/vendor/hls.min.js" defer></script>' in page.text
    assert '<link rel="modulepreload" href="/static/player.js">' in page.text
    assert page.text.index("/static/vendor/hls.min.js") < page.text.index("/static/show.js")
    # And no replay link, as the show has no recording
    assert 'id="replay-link" hidden' in page.text
    # And every module the page loads is served
    for name in ("player", "picture_gate", "buy", "product_card", "api", "dom", "live"):
        r = await client.get(f"/static/{name}.js")
        assert r.status_code == 200, name
        assert "javascript" in r.headers["content-type"]


async def test_hls_js_is_served_from_the_vendor_directory(client: httpx.AsyncClient) -> None:
    r = await client.get("/static/vendor/hls.min.js")
    assert r.status_code == 200, "static/vendor/hls.min.js is missing: run `make frontend`"
    assert "javascript" in r.headers["content-type"]
    assert "Hls" in r.text


async def test_replay_page_is_404_without_a_recording(client: httpx.AsyncClient, api: Api) -> None:
    # Given a show that went live and ended without video
    stage = await _live_show(api)
    r = await client.post(f"{stage.url}/end", headers=stage.owner.headers)
    assert r.status_code == 200, r.text
    # When a visitor opens its replay page
    page = await client.get(f"/shows/{stage.show_id}/replay")
    # Then a friendly 404 says there is nothing to watch and leads back to the show
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "has no recording" in page.text
    assert f'href="/shows/{stage.show_id}"' in page.text
    # And the show page offers no replay
    assert (
        '<p class="replay-link" id="replay-link" hidden>'
        in (await client.get(f"/shows/{stage.show_id}")).text
    )


async def _ended_with_a_recording(api: Api) -> Stage:
    """A show that went live and ended, with a recording row (as the media backend leaves)."""
    stage = await _live_show(api)
    r = await api.client.post(f"{stage.url}/end", headers=stage.owner.headers)
    assert r.status_code == 200, r.text
    c = api.container
    async with c.db.uow() as uow:
        uow.session.add(
            Recording(
                show_id=stage.show_id,
                vod_key=f"shows/{stage.show_id}/vod.m3u8",
                duration_s=60.0,
                spans=[],
                recorded_at=c.clock.now(),
            )
        )
        await uow.commit()
    return stage


async def test_a_recorded_show_links_to_its_replay_page(
    client: httpx.AsyncClient, api: Api
) -> None:
    # Given an ended show with a recording, which the API offers as a replay
    stage = await _ended_with_a_recording(api)
    assert (await client.get(f"{stage.url}/replay")).status_code == 200
    # When a visitor opens the show page, it leads to the replay
    page = await client.get(f"/shows/{stage.show_id}")
    assert 'id="replay-link"' in page.text
    assert 'id="replay-link" hidden' not in page.text
    assert f'href="/shows/{stage.show_id}/replay"' in page.text
    assert "The show has ended." in page.text
    # And the replay page has the labelled video, the moments, the product card and its buy
    # sheet, hls.js and its module
    page = await client.get(f"/shows/{stage.show_id}/replay")
    assert page.status_code == 200
    assert 'aria-label="Recording of the show: Pearls at dawn"' in page.text
    assert '<ol class="moment-list" id="moments">' in page.text
    assert '<form class="buy" id="pinned-buy" data-kind="purchase">' in page.text
    assert '<script src="/static/vendor/hls.min.js" defer></script>' in page.text
    assert '<script type="module" src="/static/replay.js"></script>' in page.text
    for name in ("replay", "moments"):
        assert (await client.get(f"/static/{name}.js")).status_code == 200, name


async def test_replay_page_of_an_unknown_show_is_404(client: httpx.AsyncClient) -> None:
    r = await client.get("/shows/no-such-show/replay")
    assert r.status_code == 404
    assert "no such show" in r.text.lower()
