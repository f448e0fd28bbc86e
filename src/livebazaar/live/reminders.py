"""Reminders: a signed-in viewer asks to be told when a scheduled show starts.

`do_set_reminder` and `do_clear_reminder` are actions (each commits its own unit of work);
`mark_reminders` is a read that tells a list of show summaries what its caller may know:
whether they set a reminder, and, for the shows they host, how many viewers did.

Nothing is delivered yet. Email and web push are a later piece: when a show starts they will
read `show_reminders` for it; today `do_start_show` publishes nothing new for reminders.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from livebazaar.accounts import Actor, Membership
from livebazaar.live.actions import Live
from livebazaar.live.errors import ShowNotScheduled
from livebazaar.live.models import ShowHost, ShowReminder, ShowStatus
from livebazaar.live.queries import HOSTING_ROLES, get_show
from livebazaar.live.schemas import ReminderOut, ShowSummaryOut


async def do_set_reminder(lv: Live, actor: Actor, show_id: str) -> tuple[ReminderOut, bool]:
    """The viewer's reminder for the show, and whether this call made it (False: it was set
    already). Only while the show is scheduled: ShowNotScheduled once it started or ended."""
    try:
        async with lv.db.uow() as uow:
            show = await get_show(uow.session, show_id)
            if show.status is not ShowStatus.SCHEDULED:
                raise ShowNotScheduled()
            existing = await _find(uow.session, show_id, actor.user_id)
            if existing is not None:
                return _out(existing), False
            reminder = ShowReminder(
                show_id=show_id, user_id=actor.user_id, created_at=lv.clock.now()
            )
            uow.session.add(reminder)
            await uow.commit()
    except IntegrityError:  # the same viewer's other request set it first
        async with lv.db.read() as session:
            existing = await _find(session, show_id, actor.user_id)
            if existing is None:
                raise
            return _out(existing), False
    return _out(reminder), True


def _out(reminder: ShowReminder) -> ReminderOut:
    return ReminderOut(show_id=reminder.show_id, created_at=reminder.created_at)


async def do_clear_reminder(lv: Live, actor: Actor, show_id: str) -> None:
    """Forget the viewer's reminder, if any. Allowed whatever the show's status: clearing is
    always safe, and a viewer may tidy up after the show started."""
    async with lv.db.uow() as uow:
        await get_show(uow.session, show_id)
        await uow.session.execute(
            delete(ShowReminder).where(
                ShowReminder.show_id == show_id, ShowReminder.user_id == actor.user_id
            )
        )
        await uow.commit()


async def _find(session: AsyncSession, show_id: str, user_id: str) -> ShowReminder | None:
    found: ShowReminder | None = await session.scalar(
        select(ShowReminder).where(ShowReminder.show_id == show_id, ShowReminder.user_id == user_id)
    )
    return found


async def count_reminders(session: AsyncSession, show_ids: Iterable[str]) -> dict[str, int]:
    """How many viewers set a reminder, per show (shows without any are absent)."""
    ids = list(show_ids)
    if not ids:
        return {}
    rows = await session.execute(
        select(ShowReminder.show_id, func.count())
        .where(ShowReminder.show_id.in_(ids))
        .group_by(ShowReminder.show_id)
    )
    return {show_id: int(n) for show_id, n in rows.all()}


async def mark_reminders(
    session: AsyncSession, actor: Actor | None, shows: Sequence[ShowSummaryOut]
) -> list[ShowSummaryOut]:
    """The summaries with `reminded` set for a signed-in caller and `reminders` for the shows
    they host (as hosted_show_ids decides: admins, the shop's owners and hosts, co-hosts).
    At most four queries, whatever the number of shows."""
    if actor is None or not shows:
        return list(shows)
    ids = [s.id for s in shows]
    mine = set(
        await session.scalars(
            select(ShowReminder.show_id).where(
                ShowReminder.user_id == actor.user_id, ShowReminder.show_id.in_(ids)
            )
        )
    )
    hosted = await _hosted(session, actor, shows)
    counts = await count_reminders(session, hosted)
    return [
        s.model_copy(
            update={
                "reminded": s.id in mine,
                "reminders": counts.get(s.id, 0) if s.id in hosted else None,
            }
        )
        for s in shows
    ]


async def _hosted(session: AsyncSession, actor: Actor, shows: Sequence[ShowSummaryOut]) -> set[str]:
    if actor.is_admin:
        return {s.id for s in shows}
    shops = set(
        await session.scalars(
            select(Membership.shop_id).where(
                Membership.user_id == actor.user_id,
                Membership.shop_id.in_({s.shop_id for s in shows}),
                Membership.role.in_(HOSTING_ROLES),
            )
        )
    )
    cohosted = set(
        await session.scalars(
            select(ShowHost.show_id).where(
                ShowHost.user_id == actor.user_id, ShowHost.show_id.in_([s.id for s in shows])
            )
        )
    )
    return {s.id for s in shows if s.shop_id in shops or s.id in cohosted}
