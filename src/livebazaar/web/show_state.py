"""A show's whole state, as GET /api/v1/shows/{id} and the viewer page present it.

It spans two features (live: the show, hosts, lineup, chat; checkout: the drops), so it is
composed here in the web layer rather than making either feature import the other.
"""

from __future__ import annotations

from starlette.applications import Starlette

from livebazaar.bootstrap import Container
from livebazaar.checkout import DropOut, list_show_drops
from livebazaar.live import get_show_state, show_topic
from livebazaar.live.schemas import ShowOut
from livebazaar.web.realtime import hub_for


class ShowState(ShowOut):
    drops: list[DropOut]  # every drop of the show, oldest first


async def read_show_state(c: Container, app: Starlette, show_id: str) -> ShowState:
    # last_seq first: every event after it is then either in the state or still to come.
    last_seq = await c.broker.last_seq(show_topic(show_id))
    async with c.db.read() as session:
        show = await get_show_state(
            session, show_id, viewer_count=hub_for(app).viewer_count(show_id), last_seq=last_seq
        )
        drops = await list_show_drops(session, c.clock, show_id)
    return ShowState(**dict(show), drops=drops)
