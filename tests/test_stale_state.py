"""Zulip's verify_action: a stale state plus the events since equals a fresh fetch.

For each action: GET the show (the stale state S), subscribe with after=S.last_seq, act, read
frames up to the fresh state's last_seq, apply them with the reference client model
(live.client_state.apply_event), and compare with a fresh GET.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from livebazaar.kernel.clock import ManualClock
from livebazaar.live import Refetch, apply_event, apply_frame
from tests.live.stage import Stage, make_stage, next_frame, post_chat, viewer
from tests.support import Api

IGNORED = ("viewer_count", "last_seq")  # checked on their own below


async def _show(api: Api, stage: Stage) -> dict[str, Any]:
    body: dict[str, Any] = (await api.client.get(stage.url)).json()
    return body


async def verify_action(
    api: Api, live_server: str, stage: Stage, action: Callable[[], Awaitable[object]]
) -> list[str]:
    stale = await _show(api, stage)
    async with viewer(live_server, stage.show_id, after=stale["last_seq"]) as ws:
        await action()
        fresh = await _show(api, stage)
        state, applied = stale, []
        while state["last_seq"] < fresh["last_seq"]:
            frame = await next_frame(ws)
            assert frame["seq"] == state["last_seq"] + 1  # in order, without gaps
            state = apply_event(state, frame)
            applied.append(frame["type"])
    assert applied, "the action emitted no event"
    assert {k: v for k, v in state.items() if k not in IGNORED} == {
        k: v for k, v in fresh.items() if k not in IGNORED
    }
    assert state["last_seq"] == fresh["last_seq"]
    assert fresh["viewer_count"] == 1  # the verifying socket itself
    return applied


async def test_every_show_action_keeps_a_stale_client_right(
    api: Api, live_server: str, clock: ManualClock
) -> None:
    stage = await make_stage(api, live=False)
    h = stage.owner.headers
    first, second = (p.id for p in stage.products)
    fan = await api.account("Fan")
    sent: dict[str, Any] = {}

    async def post(path: str, body: object = None) -> None:
        r = await api.client.post(f"{stage.url}/{path}", json=body, headers=h)
        assert r.status_code < 300, r.text

    async def chat() -> None:
        clock.advance(1)
        sent.update(await post_chat(api, stage, fan, "<i>Is the 8 mm one still there?</i>"))

    async def delete() -> None:
        r = await api.client.delete(f"{stage.url}/chat/{sent['id']}", headers=h)
        assert r.status_code == 204

    async def slow_mode() -> None:
        r = await api.client.put(f"{stage.url}/slow-mode", json={"seconds": 15}, headers=h)
        assert r.status_code == 200

    async def reprice() -> None:
        url = f"/api/v1/variants/{stage.products[1].variant_id}"
        r = await api.client.patch(url, json={"price_minor": 15900}, headers=h)
        assert r.status_code == 200, r.text

    steps: list[tuple[Callable[[], Awaitable[object]], list[str]]] = [
        (lambda: post("start"), ["show.started"]),
        (lambda: post("pin", {"product_id": first}), ["product.pinned"]),
        (lambda: post("pin", {"product_id": None}), ["product.pinned"]),
        (chat, ["chat.message"]),
        (chat, ["chat.message"]),
        (delete, ["chat.deleted"]),
        (slow_mode, ["chat.slow_mode"]),
        (reprice, ["product.price_changed"]),
        (lambda: post("pin", {"product_id": second}), ["product.pinned"]),
        (lambda: post("end"), ["product.pinned", "show.ended"]),
    ]
    for action, expected in steps:
        assert await verify_action(api, live_server, stage, action) == expected


async def test_replaying_already_applied_frames_changes_nothing() -> None:
    state = {"last_seq": 7, "status": "live", "pinned_product_id": "p1", "recent_chat": []}
    old = {"seq": 6, "type": "product.pinned", "data": {"product_id": None}}
    assert apply_event(state, old) == state


def test_drop_events_update_the_drops() -> None:
    drop = {"id": "d1", "remaining": 10, "reserved": 0, "sold": 0, "status": "live",
            "stock_version": 0}  # fmt: skip
    state: dict[str, Any] = {"last_seq": 0, "drops": []}
    frames: list[dict[str, Any]] = [
        {"type": "drop.started", "data": {"drop": drop}},
        {"type": "drop.stock_changed",
         "data": {"drop_id": "d1", "remaining": 0, "reserved": 4, "sold": 6, "status": "live",
                  "stock_version": 5}},
        {"type": "drop.sold_out", "data": {"drop_id": "d1", "stock_version": 5}},
        {"type": "drop.ended", "data": {"drop_id": "d1", "sold": 9, "status": "ended"}},
    ]  # fmt: skip
    seen = []
    for seq, frame in enumerate(frames, start=1):
        state = apply_event(state, {**frame, "seq": seq})
        seen.append(dict(state["drops"][0]))
    assert [d["status"] for d in seen] == ["live", "live", "sold_out", "ended"]
    assert (seen[1]["remaining"], seen[1]["reserved"], seen[1]["sold"]) == (0, 4, 6)
    assert seen[3]["sold"] == 9
    assert state["last_seq"] == 4
    assert apply_event(state, {"seq": 5, **frames[0]})["drops"] == [drop]  # restarted: replaced


def test_a_stock_event_older_than_the_counts_is_not_applied() -> None:
    """Two nodes committed counts 7 then 8 but published them the other way round."""
    drop = {"id": "d1", "remaining": 10, "reserved": 0, "sold": 0, "status": "live",
            "stock_version": 6}  # fmt: skip
    state: dict[str, Any] = {"last_seq": 3, "drops": [drop]}
    newer = {"drop_id": "d1", "remaining": 2, "reserved": 8, "sold": 0, "status": "live",
             "stock_version": 8}  # fmt: skip
    older = {**newer, "remaining": 5, "reserved": 5, "stock_version": 7}
    state = apply_event(state, {"seq": 4, "type": "drop.stock_changed", "data": newer})
    state = apply_event(state, {"seq": 5, "type": "drop.stock_changed", "data": older})
    state = apply_event(
        state, {"seq": 6, "type": "drop.sold_out", "data": {"drop_id": "d1", "stock_version": 7}}
    )
    assert (state["drops"][0]["remaining"], state["drops"][0]["status"]) == (2, "live")
    assert (state["drops"][0]["stock_version"], state["last_seq"]) == (8, 6)


def test_a_batch_applies_its_events_and_leaves_the_client_at_its_last_seq() -> None:
    state: dict[str, Any] = {"last_seq": 4, "recent_chat": [], "slow_mode_s": 0}
    chat = {"seq": 6, "type": "chat.message", "data": {"id": "m6", "text": "hi"}}
    slow = {"seq": 8, "type": "chat.slow_mode", "data": {"seconds": 5}}
    frame = {"type": "batch", "first_seq": 5, "last_seq": 9, "events": [chat, slow]}
    after = apply_frame(state, frame)
    assert after == {"last_seq": 9, "recent_chat": [chat["data"]], "slow_mode_s": 5}
    assert apply_frame(after, frame) == after  # seen already: nothing twice
    assert apply_frame(after, {"type": "error", "code": "chat_empty"}) == after
    with pytest.raises(Refetch):  # seq 10 never came
        apply_frame(after, {**frame, "first_seq": 11, "last_seq": 12, "events": []})
    with pytest.raises(Refetch):
        apply_frame(after, {**chat, "seq": 11})
    with pytest.raises(Refetch):
        apply_frame(after, {"type": "resync", "last_seq": 40})
