"""The reference client model: how a viewer turns a show's events into its state.

`apply_event(state, envelope)` takes a state shaped like GET /api/v1/shows/{id} and one event's
envelope, and returns the next state (a new dict; the input is not changed). Applying an event
whose seq is not above `state["last_seq"]` changes nothing, so a client that fetched the state
and then replays from `last_seq` never applies anything twice. The stale-state test holds this
module to the server: stale state + events == a fresh GET.

`apply_frame(state, frame)` takes a whole WebSocket frame (docs/realtime.md): an envelope, or
a batch whose events it applies in order before moving `last_seq` to the batch's `last_seq`
(seqs in the batch's range that it does not carry were left out on purpose: sampled chat).
A frame that starts past `last_seq + 1`, or a `resync`, raises `Refetch`: something was lost,
and only a fresh GET is the truth.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

State = dict[str, Any]
Data = dict[str, Any]
RECENT_CHAT = 50


def apply_event(state: State, envelope: dict[str, Any]) -> State:
    seq = envelope.get("seq")
    if isinstance(seq, int) and seq <= state.get("last_seq", 0):
        return state
    new = copy.deepcopy(state)
    handler = _HANDLERS.get(envelope["type"])
    if handler is not None:  # unknown types are skipped: old clients keep working
        handler(new, envelope["data"])
    if isinstance(seq, int):
        new["last_seq"] = seq
    return new


class Refetch(Exception):
    """The client missed events: fetch the state again, then continue from its last_seq."""


def apply_frame(state: State, frame: dict[str, Any]) -> State:
    kind = frame.get("type")
    last = state.get("last_seq", 0)
    if kind == "resync":
        raise Refetch()
    if kind == "batch":
        if frame["first_seq"] > last + 1:
            raise Refetch()
        for envelope in frame["events"]:
            state = apply_event(state, envelope)
        if frame["last_seq"] > state.get("last_seq", 0):
            state = {**state, "last_seq": frame["last_seq"]}
        return state
    seq = frame.get("seq")
    if not isinstance(seq, int):
        return state  # not an event (an error answering the client)
    if seq > last + 1:
        raise Refetch()
    return apply_event(state, frame)


def _show_started(state: State, data: Data) -> None:
    state["status"] = "live"
    state["started_at"] = data["started_at"]


def _show_ended(state: State, data: Data) -> None:
    state["status"] = "ended"
    state["ended_at"] = data["ended_at"]
    state["pinned_product_id"] = None


def _pinned(state: State, data: Data) -> None:
    state["pinned_product_id"] = data["product_id"]


def _price_changed(state: State, data: Data) -> None:
    """The lineup shows each product at one variant's price: that variant's changed."""
    for item in state["lineup"]:
        if item["product_id"] == data["product_id"] and item["variant_id"] == data["variant_id"]:
            item["price"] = dict(data["price"])


def _chat_message(state: State, data: Data) -> None:
    chat = [m for m in state["recent_chat"] if m["id"] != data["id"]]
    chat.append(dict(data))
    state["recent_chat"] = chat[-RECENT_CHAT:]


def _chat_deleted(state: State, data: Data) -> None:
    state["recent_chat"] = [m for m in state["recent_chat"] if m["id"] != data["message_id"]]


def _slow_mode(state: State, data: Data) -> None:
    state["slow_mode_s"] = data["seconds"]


def _viewers(state: State, data: Data) -> None:
    state["viewer_count"] = data["count"]


def _reaction(state: State, data: Data) -> None:
    """Reactions are fleeting: the client animates them, the state does not keep them."""


def _find_drop(state: State, drop_id: str) -> Data | None:
    return next((d for d in state["drops"] if d["id"] == drop_id), None)


def _drop_started(state: State, data: Data) -> None:
    drop = dict(data["drop"])
    drops = [d for d in state["drops"] if d["id"] != drop["id"]]
    drops.append(drop)
    state["drops"] = drops


def _newer_stock(state: State, data: Data) -> Data | None:
    """The drop, if this stock event is not older than what the client has: two nodes may
    publish their counts in the other order than they committed them."""
    drop = _find_drop(state, data["drop_id"])
    if drop is None or data["stock_version"] < drop.get("stock_version", 0):
        return None
    drop["stock_version"] = data["stock_version"]
    return drop


def _drop_stock_changed(state: State, data: Data) -> None:
    drop = _newer_stock(state, data)
    if drop is not None:
        for key in ("remaining", "reserved", "sold", "status"):
            drop[key] = data[key]


def _drop_sold_out(state: State, data: Data) -> None:
    drop = _newer_stock(state, data)
    if drop is not None:
        drop["status"] = "sold_out"
        drop["remaining"] = 0


def _drop_ended(state: State, data: Data) -> None:
    drop = _find_drop(state, data["drop_id"])
    if drop is not None:
        drop["status"] = data["status"]
        drop["sold"] = data["sold"]


_HANDLERS: dict[str, Callable[[State, Data], None]] = {
    "show.started": _show_started,
    "show.ended": _show_ended,
    "product.pinned": _pinned,
    "product.price_changed": _price_changed,
    "chat.message": _chat_message,
    "chat.deleted": _chat_deleted,
    "chat.slow_mode": _slow_mode,
    "viewers.count": _viewers,
    "reaction": _reaction,
    "drop.started": _drop_started,
    "drop.stock_changed": _drop_stock_changed,
    "drop.sold_out": _drop_sold_out,
    "drop.ended": _drop_ended,
}
