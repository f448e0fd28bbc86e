"""Reminders: a signed-in viewer sets and clears "remind me" on a scheduled show."""

from __future__ import annotations

from typing import Any

import httpx

from tests.live.stage import Stage, make_stage
from tests.support import Account, Api, assert_problem


def _url(stage: Stage) -> str:
    return f"{stage.url}/reminder"


async def _found(client: httpx.AsyncClient, who: Account | None) -> dict[str, dict[str, Any]]:
    """The search API's summaries of every scheduled show, as `who` sees them, by id."""
    headers = who.headers if who else {}
    r = await client.get("/api/v1/search/shows?status=scheduled", headers=headers)
    assert r.status_code == 200, r.text
    return {s["id"]: s for s in r.json()}


async def test_set_is_idempotent_and_clear_too(client: httpx.AsyncClient, api: Api) -> None:
    # Given a scheduled show and a viewer
    stage = await make_stage(api, live=False)
    fan = await api.account("Fan")
    # When they set a reminder, then set it again
    first = await client.put(_url(stage), headers=fan.headers)
    again = await client.put(_url(stage), headers=fan.headers)
    # Then it was made once: 201, then 200 with the same reminder
    assert first.status_code == 201, first.text
    assert first.json()["show_id"] == stage.show_id
    assert again.status_code == 200, again.text
    assert again.json() == first.json()
    assert (await _found(client, fan))[stage.show_id]["reminded"] is True
    # When they clear it, twice
    for _ in range(2):
        r = await client.delete(_url(stage), headers=fan.headers)
        assert r.status_code == 204, r.text
    # Then it is gone, and may be set anew
    assert (await _found(client, fan))[stage.show_id]["reminded"] is False
    assert (await client.put(_url(stage), headers=fan.headers)).status_code == 201


async def test_refused_once_the_show_started_or_ended(client: httpx.AsyncClient, api: Api) -> None:
    # Given a live show, and a viewer who set a reminder before it started
    stage = await make_stage(api, live=False)
    fan, late = await api.account("Fan"), await api.account("Late")
    assert (await client.put(_url(stage), headers=fan.headers)).status_code == 201
    r = await client.post(f"{stage.url}/start", headers=stage.owner.headers)
    assert r.status_code == 200, r.text
    # When someone sets one now, or the fan sets theirs again, it is refused
    assert_problem(await client.put(_url(stage), headers=late.headers), 409, "show_not_scheduled")
    assert_problem(await client.put(_url(stage), headers=fan.headers), 409, "show_not_scheduled")
    # And after the show ended too
    r = await client.post(f"{stage.url}/end", headers=stage.owner.headers)
    assert r.status_code == 200, r.text
    assert_problem(await client.put(_url(stage), headers=late.headers), 409, "show_not_scheduled")
    # But clearing is always allowed
    assert (await client.delete(_url(stage), headers=fan.headers)).status_code == 204


async def test_anonymous_callers_and_unknown_shows(client: httpx.AsyncClient, api: Api) -> None:
    stage = await make_stage(api, live=False)
    fan = await api.account("Fan")
    assert_problem(await client.put(_url(stage)), 401, "not_authenticated")
    assert_problem(await client.delete(_url(stage)), 401, "not_authenticated")
    missing = "/api/v1/shows/no-such-show/reminder"
    assert_problem(await client.put(missing, headers=fan.headers), 404, "show_not_found")
    assert_problem(await client.delete(missing, headers=fan.headers), 404, "show_not_found")


async def test_hosts_see_how_many_viewers_set_one(client: httpx.AsyncClient, api: Api) -> None:
    # Given a scheduled show two viewers asked to be reminded of
    stage = await make_stage(api, live=False)
    fans = [await api.account(f"Fan {i}") for i in range(2)]
    for fan in fans:
        assert (await client.put(_url(stage), headers=fan.headers)).status_code == 201
    # Then its host sees the count, a viewer only their own reminder, anonymous callers neither
    hosted = (await _found(client, stage.owner))[stage.show_id]
    assert (hosted["reminders"], hosted["reminded"]) == (2, False)
    seen = (await _found(client, fans[0]))[stage.show_id]
    assert (seen["reminders"], seen["reminded"]) == (None, True)
    anonymous = (await _found(client, None))[stage.show_id]
    assert (anonymous["reminders"], anonymous["reminded"]) == (None, None)
