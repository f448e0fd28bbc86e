"""GET /shows/{id}/sanctions: who may not chat in the show's shop now, for its moderators."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from livebazaar.accounts import Role
from livebazaar.kernel.clock import ManualClock
from tests.factories import grant
from tests.live.stage import Stage, make_stage
from tests.support import Account, Api, assert_problem


async def _sanction(api: Api, stage: Stage, kind: str, target: Account, **body: Any) -> None:
    r = await api.client.post(
        f"{stage.url}/{kind}", json={"user_id": target.user_id, **body}, headers=stage.owner.headers
    )
    assert r.status_code == 201, r.text


async def _listed(api: Api, stage: Stage, by: Account, query: str = "") -> list[dict[str, Any]]:
    r = await api.client.get(f"{stage.url}/sanctions{query}", headers=by.headers)
    assert r.status_code == 200, r.text
    entries: list[dict[str, Any]] = r.json()
    return entries


async def test_lists_bans_and_mutes_in_force_one_entry_per_person(
    api: Api, clock: ManualClock
) -> None:
    # Given a troll muted for 5 minutes, then for 60, then banned; and a viewer muted later
    stage = await make_stage(api)
    troll, loud = await api.account("Troll"), await api.account("Loud")
    await _sanction(api, stage, "mutes", troll, minutes=5)
    clock.advance(1)
    await _sanction(api, stage, "mutes", troll, minutes=60)
    troll_muted_until = clock.now().timestamp() + 60 * 60
    clock.advance(1)
    await _sanction(api, stage, "bans", troll)
    clock.advance(1)
    await _sanction(api, stage, "mutes", loud, minutes=10)
    # When a moderator of the shop (not the owner who sanctioned them) reads the list
    moderator = await api.account("Moderator")
    await grant(api.container, stage.shop_id, moderator, Role.MODERATOR)
    entries = await _listed(api, stage, moderator)
    # Then each person is listed once, with their name, the most recently sanctioned first
    assert [(e["user_id"], e["display_name"], e["banned"]) for e in entries] == [
        (loud.user_id, "Loud", False),
        (troll.user_id, "Troll", True),
    ]
    # And a mute says when it ends: the latest end of the person's mutes in force
    until = datetime.fromisoformat(entries[1]["muted_until"])
    assert until.utcoffset() is not None
    assert until.timestamp() == troll_muted_until
    assert datetime.fromisoformat(entries[0]["muted_until"]) > clock.now()


async def test_over_and_lifted_sanctions_leave_the_list(api: Api, clock: ManualClock) -> None:
    # Given a viewer muted for 5 minutes and another banned
    stage = await make_stage(api)
    loud, troll = await api.account("Loud"), await api.account("Troll")
    await _sanction(api, stage, "mutes", loud, minutes=5)
    await _sanction(api, stage, "bans", troll)
    # When the mute runs out
    clock.advance(5 * 60)
    # Then only the ban is listed
    assert [e["user_id"] for e in await _listed(api, stage, stage.owner)] == [troll.user_id]
    # And once the ban is lifted, nobody is
    r = await api.client.delete(
        f"{stage.url}/sanctions/{troll.user_id}", headers=stage.owner.headers
    )
    assert r.json() == {"lifted": 1}
    assert await _listed(api, stage, stage.owner) == []


async def test_a_banned_person_whose_mute_is_over_is_listed_without_a_mute(
    api: Api, clock: ManualClock
) -> None:
    stage = await make_stage(api)
    troll = await api.account("Troll")
    await _sanction(api, stage, "mutes", troll, minutes=5)
    await _sanction(api, stage, "bans", troll)
    clock.advance(10 * 60)
    [entry] = await _listed(api, stage, stage.owner)
    assert entry["banned"] is True
    assert entry["muted_until"] is None


async def test_the_list_is_the_shops_and_covers_its_other_shows(api: Api) -> None:
    # Given a viewer banned in one shop, and another shop's show
    stage = await make_stage(api)
    other = await make_stage(api)
    troll = await api.account("Troll")
    await _sanction(api, stage, "bans", troll)
    # Then the other shop's moderators do not see the ban
    assert await _listed(api, other, other.owner) == []
    # But a later show of the same shop does (a ban covers every show of the shop)
    r = await api.client.post(
        "/api/v1/shows",
        json={"shop_id": stage.shop_id, "title": "Pearls at dusk",
              "scheduled_at": "2031-05-01T18:00:00Z"},
        headers=stage.owner.headers,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    later = Stage(stage.owner, stage.shop_id, stage.products, r.json()["id"])
    assert [e["user_id"] for e in await _listed(api, later, stage.owner)] == [troll.user_id]


async def test_limit_keeps_the_most_recent_and_is_capped(api: Api, clock: ManualClock) -> None:
    stage = await make_stage(api)
    first, second = await api.account("First"), await api.account("Second")
    await _sanction(api, stage, "bans", first)
    clock.advance(1)
    await _sanction(api, stage, "bans", second)
    assert [e["user_id"] for e in await _listed(api, stage, stage.owner, "?limit=1")] == [
        second.user_id
    ]
    for bad in ("0", "201", "many"):
        r = await api.client.get(f"{stage.url}/sanctions?limit={bad}", headers=stage.owner.headers)
        assert_problem(r, 422, "validation_failed")


async def test_only_those_who_may_sanction_may_read_the_list(api: Api) -> None:
    # Given a banned viewer, a buyer and a producer of the shop (a member who does not moderate)
    stage = await make_stage(api)
    troll, buyer, producer = [await api.account(n) for n in ("Troll", "Buyer", "Producer")]
    await grant(api.container, stage.shop_id, producer, Role.PRODUCER)
    await _sanction(api, stage, "bans", troll)
    url = f"{stage.url}/sanctions"
    # Then they are refused, and so is the banned viewer; anonymous callers must sign in
    for account in (troll, buyer, producer):
        assert_problem(await api.client.get(url, headers=account.headers), 403, "not_moderator")
    assert_problem(await api.client.get(url), 401, "not_authenticated")
    # And an unknown show is a 404
    r = await api.client.get("/api/v1/shows/nope/sanctions", headers=stage.owner.headers)
    assert_problem(r, 404, "show_not_found")


async def _cohost(api: Api, stage: Stage) -> Account:
    guest = await api.account("Guest")
    r = await api.client.post(
        f"{stage.url}/cohosts", json={"email": guest.email}, headers=stage.owner.headers
    )
    assert r.status_code == 201, r.text
    assert (await api.client.post(f"{stage.url}/cohosts/accept", headers=guest.headers)).is_success
    return guest


async def _chat(api: Api, stage: Stage, who: Account) -> int:
    r = await api.client.post(f"{stage.url}/chat", json={"text": "hi"}, headers=who.headers)
    return r.status_code


async def test_a_cohosts_mute_stays_in_their_show_and_they_lift_only_its_own(api: Api) -> None:
    # Given two live shows of one shop, a co-host (no grant) of the first, and two viewers
    stage = await make_stage(api)
    r = await api.client.post(
        "/api/v1/shows",
        json={"shop_id": stage.shop_id, "title": "Pearls at dusk",
              "scheduled_at": "2031-05-01T18:00:00Z"},
        headers=stage.owner.headers,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    other = Stage(stage.owner, stage.shop_id, stage.products, r.json()["id"])
    r = await api.client.post(f"{other.url}/start", headers=stage.owner.headers)
    assert r.status_code == 200, r.text
    guest = await _cohost(api, stage)
    loud, troll = await api.account("Loud"), await api.account("Troll")
    # When the co-host mutes one viewer for a day, and the owner bans the other
    r = await api.client.post(
        f"{stage.url}/mutes", json={"user_id": loud.user_id, "minutes": 1440},
        headers=guest.headers,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    assert r.json()["show_id"] == stage.show_id
    await _sanction(api, stage, "bans", troll)
    # Then the mute holds in the co-host's show only; the ban in both
    assert (await _chat(api, stage, loud), await _chat(api, other, loud)) == (403, 201)
    assert (await _chat(api, stage, troll), await _chat(api, other, troll)) == (403, 403)
    # And each show lists what applies in it, saying which is the shop's
    entries = {e["user_id"]: e["shop_wide"] for e in await _listed(api, stage, guest)}
    assert entries == {loud.user_id: False, troll.user_id: True}
    assert [e["user_id"] for e in await _listed(api, other, stage.owner)] == [troll.user_id]
    # When the co-host tries to lift the owner's ban: refused, and the ban stays
    r = await api.client.delete(f"{stage.url}/sanctions/{troll.user_id}", headers=guest.headers)
    assert assert_problem(r, 403, "grant_required")["grant"] == "shop_sanctions"
    assert await _chat(api, other, troll) == 403
    # But they lift their own mute
    r = await api.client.delete(f"{stage.url}/sanctions/{loud.user_id}", headers=guest.headers)
    assert r.json() == {"lifted": 1}
    assert await _chat(api, stage, loud) == 201
