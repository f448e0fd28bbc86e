"""The host's live panel: GET /api/v1/shows/{id}/stats.

For the show's hosts and co-hosts and the shop's moderators (live.Power.SEE_STATS). The
numbers span the realtime hub (viewers and reactions) and two features (live: who may look;
checkout: what sold), so they are composed here, as show_state.py composes a show's state.

`viewers_now` and `viewers_peak` are across the nodes: the hub's live.ViewerTally adds up
each node's sockets (in Redis when the nodes share one: settings.viewers_url or a redis://
broker_url; otherwise this process is the only node counted). `reactions` stays per process
(ADR 0008): what this app process accepted since it started. The sales come from the
database and are the same everywhere.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, Field
from starlette.applications import Starlette

from livebazaar.accounts import Actor
from livebazaar.bootstrap import Container
from livebazaar.checkout import get_show_sales
from livebazaar.kernel.money import MoneyOut
from livebazaar.live import Power, check_power
from livebazaar.web.channel.realtime import hub_for

SALES_WINDOW = timedelta(minutes=5)


class ShowStatsOut(BaseModel):
    viewers_now: int = Field(
        description="Open WebSockets on the show, added up across the app nodes (each other "
        "node's share as of its last report, every viewer_count_interval_s)"
    )
    viewers_peak: int = Field(
        description="The most viewers_now has been, across the app nodes (sampled at each "
        "viewer-count interval and each read, and at least any one node's own peak)"
    )
    reactions: int = Field(description="Reactions accepted (this process)")
    orders: int = Field(description="Paid orders (refunded or cancelled ones no longer count)")
    units: int = Field(description="Units in the paid orders")
    revenue: list[MoneyOut] = Field(description="The paid orders' totals, one per currency")
    sales_per_minute: float = Field(description="Paid orders in the last 5 minutes, over 5")
    held_orders: int = Field(description="Reserved orders not yet paid nor expired: holds")
    held_units: int = Field(description="Units in those holds")


async def read_show_stats(c: Container, app: Starlette, actor: Actor, show_id: str) -> ShowStatsOut:
    """Raises ShowNotFound (404) or NotModerator (403) before counting anything."""
    since = c.clock.now() - SALES_WINDOW
    async with c.db.read() as session:
        await check_power(session, actor, show_id, Power.SEE_STATS)
        sales = await get_show_sales(session, c.clock, show_id, since=since)
    hub = hub_for(app)
    audience = await hub.audience(show_id)
    return ShowStatsOut(
        viewers_now=audience.total,
        viewers_peak=audience.peak,
        reactions=hub.reactions.count(show_id),
        orders=sales.orders,
        units=sales.units,
        revenue=[MoneyOut.of(money) for money in sales.revenue],
        sales_per_minute=sales.recent_orders / (SALES_WINDOW.total_seconds() / 60),
        held_orders=sales.held_orders,
        held_units=sales.held_units,
    )
