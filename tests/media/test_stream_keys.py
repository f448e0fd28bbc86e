"""A show's stream key: 128-bit, shown once, stored hashed, rotatable by its hosts."""

from __future__ import annotations

from sqlalchemy import select

from livebazaar.media import InvalidStreamKey, StreamKey, check_stream_key
from tests.live.stage import Stage, make_stage
from tests.support import Api, assert_problem


async def _issue(api: Api, stage: Stage) -> dict[str, str]:
    r = await api.client.post(f"{stage.url}/stream-key", headers=stage.owner.headers)
    assert r.status_code == 201, r.text
    body: dict[str, str] = r.json()
    return body


async def _show_of(api: Api, key: str, show_id: str | None = None) -> str | None:
    async with api.container.db.read() as session:
        try:
            return await check_stream_key(session, show_id, key)
        except InvalidStreamKey:
            return None


async def test_a_host_gets_a_key_and_where_to_publish(api: Api) -> None:
    stage = await make_stage(api)
    body = await _issue(api, stage)
    key = body["key"]
    assert len(bytes.fromhex(key)) == 16  # 128 random bits
    assert body["whip_url"] == f"http://127.0.0.1:8000/api/v1/shows/{stage.show_id}/whip"
    assert body["rtmp_url"] == f"rtmp://127.0.0.1:1935/live/{key}"
    assert await _show_of(api, key) == stage.show_id
    assert await _show_of(api, key, stage.show_id) == stage.show_id


async def test_the_key_is_stored_only_as_a_hash(api: Api) -> None:
    stage = await make_stage(api)
    key = (await _issue(api, stage))["key"]
    async with api.container.db.read() as session:
        row = await session.scalar(select(StreamKey).where(StreamKey.show_id == stage.show_id))
    assert row is not None
    assert key not in row.key_hash
    assert len(row.key_hash) == 64


async def test_rotating_stops_the_old_key_at_once(api: Api) -> None:
    stage = await make_stage(api)
    old = (await _issue(api, stage))["key"]
    new = (await _issue(api, stage))["key"]
    assert new != old
    assert await _show_of(api, old) is None
    assert await _show_of(api, new) == stage.show_id


async def test_a_key_names_its_own_show_only(api: Api) -> None:
    mine, theirs = await make_stage(api), await make_stage(api)
    key = (await _issue(api, mine))["key"]
    assert await _show_of(api, key, theirs.show_id) is None
    assert await _show_of(api, "not-a-key") is None


async def test_no_key_for_an_ended_show_or_a_viewer(api: Api) -> None:
    stage = await make_stage(api)
    viewer = await api.account("Viewer")
    r = await api.client.post(f"{stage.url}/stream-key", headers=viewer.headers)
    assert_problem(r, 403, "not_show_host")
    assert (
        await api.client.post(f"{stage.url}/end", headers=stage.owner.headers)
    ).status_code == 200
    r = await api.client.post(f"{stage.url}/stream-key", headers=stage.owner.headers)
    assert_problem(r, 409, "show_ended")
    r = await api.client.post("/api/v1/shows/nope/stream-key", headers=stage.owner.headers)
    assert_problem(r, 404, "show_not_found")


async def test_a_cohosts_key_works_only_while_they_may_hold_it(api: Api) -> None:
    # Given a co-host the owner granted the stream key, who asked for one (for their OBS)
    stage = await make_stage(api)
    guest = await api.account("Guest")
    owner = stage.owner.headers
    r = await api.client.post(f"{stage.url}/cohosts", json={"email": guest.email}, headers=owner)
    assert r.status_code == 201, r.text
    assert (await api.client.post(f"{stage.url}/cohosts/accept", headers=guest.headers)).is_success
    grants = f"{stage.url}/cohosts/{guest.user_id}/grants"
    r = await api.client.put(grants, json={"grants": ["stream_key"]}, headers=owner)
    assert r.status_code == 200, r.text
    r = await api.client.post(f"{stage.url}/stream-key", headers=guest.headers)
    assert r.status_code == 201, r.text
    key = r.json()["key"]
    assert await _show_of(api, key) == stage.show_id
    # When the owner takes the grant back, the key they were shown no longer publishes
    r = await api.client.put(grants, json={"grants": []}, headers=owner)
    assert r.status_code == 200, r.text
    assert await _show_of(api, key) is None
    r = await api.client.post(f"{stage.url}/stream-key", headers=guest.headers)
    assert assert_problem(r, 403, "grant_required")["grant"] == "stream_key"
    # And given back then the co-host withdrawn: the same
    r = await api.client.put(grants, json={"grants": ["stream_key"]}, headers=owner)
    assert await _show_of(api, key) == stage.show_id
    r = await api.client.delete(f"{stage.url}/cohosts/{guest.user_id}", headers=owner)
    assert r.status_code == 204
    assert await _show_of(api, key) is None
    # While the owner's own key keeps working
    assert await _show_of(api, (await _issue(api, stage))["key"]) == stage.show_id
