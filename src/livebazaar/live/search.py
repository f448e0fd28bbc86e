"""Finding shows: the home page's sections and GET /api/v1/search/shows. Read-only.

Matching happens in SQL. `q` is a case-insensitive substring (LIKE, its `%`, `_` and `\\`
escaped) of the show's title, its shop's name or the title of a product in its lineup;
`country` is the shop's ISO 3166-1 alpha-2 code. SQLite folds the case of ASCII letters only
(PostgreSQL's ILIKE folds every letter); scripts without case, such as Chinese, match as
typed. A filter on another feature's table (a replay needs a recording, which media owns)
comes in as `within`: a SELECT of show ids that the web layer composes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, UnaryExpression, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from livebazaar.catalog import Product, ProductImage, Shop
from livebazaar.live.models import LineupItem, Show, ShowStatus
from livebazaar.live.schemas import CoverOut, ShowSummaryOut

MAX_QUERY = 100  # characters of `q`


@dataclass(frozen=True)
class ShowSearch:
    q: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2, any case
    status: ShowStatus | None = None
    within: Select[tuple[str]] | None = None  # only the shows whose id this SELECT yields


def contains_pattern(text: str) -> str:
    """A LIKE pattern (escape character `\\`) matching `text` anywhere, wildcards literal."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _matches(q: str) -> ColumnElement[bool]:
    pattern = contains_pattern(q)
    in_lineup = (
        select(LineupItem.id)
        .join(Product, Product.id == LineupItem.product_id)
        .where(LineupItem.show_id == Show.id, Product.title.ilike(pattern, escape="\\"))
        .exists()
    )
    return or_(
        Show.title.ilike(pattern, escape="\\"),
        Shop.name.ilike(pattern, escape="\\"),
        in_lineup,
    )


def _order(status: ShowStatus | None) -> tuple[UnaryExpression[Any], ...]:
    """Upcoming shows soonest first; live ones latest started first; ended ones latest ended
    first; a mixed list newest scheduled first (as GET /shows lists them)."""
    if status is ShowStatus.SCHEDULED:
        return Show.scheduled_at.asc(), Show.id.asc()
    if status is ShowStatus.LIVE:
        return Show.started_at.desc(), Show.id.desc()
    if status is ShowStatus.ENDED:
        return Show.ended_at.desc(), Show.id.desc()
    return Show.scheduled_at.desc(), Show.id.desc()


async def search_shows(
    session: AsyncSession, search: ShowSearch, *, limit: int, offset: int = 0
) -> list[ShowSummaryOut]:
    query = select(Show, Shop).join(Shop, Shop.id == Show.shop_id)
    if search.status is not None:
        query = query.where(Show.status == search.status)
    if search.country:
        query = query.where(Shop.country == search.country.upper())
    q = (search.q or "").strip()[:MAX_QUERY]
    if q:
        query = query.where(_matches(q))
    if search.within is not None:
        query = query.where(Show.id.in_(search.within))
    query = query.order_by(*_order(search.status)).limit(limit).offset(offset)
    rows = [(show, shop) for show, shop in (await session.execute(query)).all()]
    return await summarize_shows(session, rows)


async def list_show_countries(session: AsyncSession) -> list[str]:
    """The countries of the shops that have shows, by code: the search form's choices."""
    rows = await session.scalars(
        select(Shop.country).join(Show, Show.shop_id == Shop.id).distinct().order_by(Shop.country)
    )
    return list(rows)


async def summarize_shows(
    session: AsyncSession, rows: Sequence[tuple[Show, Shop]]
) -> list[ShowSummaryOut]:
    """Each show's summary, in the given order, with its shop and a cover picture."""
    covers = await _covers(session, [show for show, _ in rows])
    return [
        ShowSummaryOut(
            id=show.id,
            shop_id=show.shop_id,
            title=show.title,
            status=show.status,
            scheduled_at=show.scheduled_at,
            started_at=show.started_at,
            ended_at=show.ended_at,
            pinned_product_id=show.pinned_product_id,
            shop_name=shop.name,
            shop_country=shop.country,
            cover=covers.get(show.id),
        )
        for show, shop in rows
    ]


async def _covers(session: AsyncSession, shows: Sequence[Show]) -> dict[str, CoverOut]:
    """Per show: its pinned product's first image, else the first lineup product with one.
    Two queries, whatever the number of shows."""
    if not shows:
        return {}
    pinned = {show.id: show.pinned_product_id for show in shows}
    has_image = select(ProductImage.id).where(ProductImage.product_id == Product.id).exists()
    rows = await session.execute(
        select(LineupItem.show_id, Product.id, Product.title)
        .join(Product, Product.id == LineupItem.product_id)
        .where(LineupItem.show_id.in_(list(pinned)), has_image)
        .order_by(LineupItem.show_id, LineupItem.position)
    )
    chosen: dict[str, tuple[str, str]] = {}
    for show_id, product_id, title in rows:
        if show_id not in chosen or product_id == pinned[show_id]:
            chosen[show_id] = (product_id, title)
    if not chosen:
        return {}
    images = await session.execute(
        select(ProductImage.product_id, ProductImage.url)
        .where(ProductImage.product_id.in_({product_id for product_id, _ in chosen.values()}))
        .order_by(ProductImage.position, ProductImage.id)
    )
    first: dict[str, str] = {}
    for product_id, url in images:
        first.setdefault(product_id, url)
    return {
        show_id: CoverOut(product_id=product_id, product_title=title, image_url=first[product_id])
        for show_id, (product_id, title) in chosen.items()
        if product_id in first
    }
