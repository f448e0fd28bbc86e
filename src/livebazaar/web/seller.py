"""The seller dashboard: a shop's owners and hosts run it from a phone.

`/sell` lists the shops the signed-in user holds a role in (or offers to create one);
`/sell/shops/{id}` is one page in sections: the shop and its producers, the products (with a
picture upload from the phone's camera and the stock of each variant), the shows (schedule
one, edit a scheduled show's lineup) and the orders (with a status filter and the CSV export).

Everything is rendered here, on the server, from the same queries the API uses. The forms are
htmx forms (static/vendor/htmx.min.js, loaded on the seller pages only): each posts, as a plain
form with the session cookie and the `X-CSRF-Token` header (`hx-headers` on the dashboard's
root), to a route below, which calls the same catalog or live action as the JSON API and
answers the re-rendered section (`seller_section.html`: the section, its result line and the
other sections the change touches, out of band). A refused form (bad input: 422; a domain
error: its 4xx) comes back as the same section with the error and the seller's input; htmx is
told to swap those answers too (static/seller.js, `responseHandling`). The orders filter
hx-gets `/sell/shops/{id}/sections/orders?status=`. Only the picture upload stays a script
(an XHR, for its progress bar) that then reloads the products section.

Prices are typed in the shop currency's major units and made minor units here, exactly
(Decimal, the currency's exponent; more decimals than it has is refused). A show's date and
time are typed in the seller's local time (`datetime-local`); a hidden `time_zone` field, filled
by static/seller.js with the browser's IANA zone, says which, and zoneinfo turns it into UTC
(without a known zone, the time is taken as UTC).
Members without the owner or host role see the page read-only; the actions check every call.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, cast
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Path, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from livebazaar.accounts import Actor, Role, list_roles, list_user_roles
from livebazaar.catalog import (
    EDITOR_ROLES,
    Shop,
    ShopNotFound,
    do_create_producer,
    do_create_product,
    do_set_stock,
    get_product_summaries,
    get_shop,
    list_producers,
    list_shop_products,
)
from livebazaar.catalog.schemas import ProducerIn, ProducerOut, ProductIn, ProductOut, StockIn
from livebazaar.checkout import ORDER_VIEWER_ROLES, OrderStatus, list_shop_orders, order_out
from livebazaar.kernel.errors import DomainError
from livebazaar.kernel.money import CURRENCY_EXPONENTS, MAX_AMOUNT_MINOR
from livebazaar.live import (
    HOSTING_ROLES,
    Live,
    Show,
    ShowSearch,
    ShowStatus,
    do_create_show,
    do_set_lineup,
    list_lineup,
    search_shows,
)
from livebazaar.live.schemas import ShowIn
from livebazaar.web import i18n
from livebazaar.web.deps import ContainerDep
from livebazaar.web.pages import PageActorDep, render_page

router = APIRouter(include_in_schema=False)

SHOWS_PER_STATUS = 20
ORDERS_SHOWN = 50
PRODUCTS_SHOWN = 100
SECTIONS = ("producers", "products", "shows", "orders")
Section = Literal["producers", "products", "shows", "orders"]
ShopId = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[^\x00]+$")]
# The orders filter: "" is every status; anything unknown is ignored (a page never answers 422).
StatusFilter = Annotated[str, Query(alias="status", max_length=20)]


def _sign_in_first(request: Request) -> RedirectResponse:
    target = quote(request.url.path, safe="/")
    return RedirectResponse(f"/login?next={target}", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/sell", response_class=HTMLResponse, response_model=None)
async def sell_index(request: Request, c: ContainerDep, actor: PageActorDep) -> Response:
    if actor is None:
        return _sign_in_first(request)
    async with c.db.read() as session:
        held = await list_user_roles(session, actor.user_id)
        shops = []
        for shop_id, roles in held.items():
            try:
                shops.append((await get_shop(session, shop_id), sorted(roles)))
            except ShopNotFound:
                continue
    return render_page(
        request, "seller_index.html", actor, shops=shops, currencies=sorted(CURRENCY_EXPONENTS)
    )


@router.get("/sell/shops/{shop_id}", response_class=HTMLResponse, response_model=None)
async def shop_dashboard(
    shop_id: ShopId,
    request: Request,
    c: ContainerDep,
    actor: PageActorDep,
    order_status: StatusFilter = "",
) -> Response:
    if actor is None:
        return _sign_in_first(request)
    return await _render(request, c, actor, shop_id, "seller_shop.html", SECTIONS, order_status)


@router.get(
    "/sell/shops/{shop_id}/sections/{section}", response_class=HTMLResponse, response_model=None
)
async def shop_section(
    shop_id: ShopId,
    section: Section,
    request: Request,
    c: ContainerDep,
    actor: PageActorDep,
    order_status: StatusFilter = "",
) -> Response:
    """One section of the dashboard as an HTML fragment, for htmx to swap in."""
    if actor is None:
        return _sign_in_first(request)
    response = await _render(request, c, actor, shop_id, "seller_section.html", (section,),
                             order_status, section=section)  # fmt: skip
    if section == "orders" and request.headers.get("hx-request") and response.status_code == 200:
        query = f"?{urlencode({'status': order_status})}" if order_status else ""
        response.headers["HX-Replace-Url"] = f"/sell/shops/{quote(shop_id, safe='')}{query}#orders"
    return response


async def _render(
    request: Request,
    c: ContainerDep,
    actor: Actor,
    shop_id: str,
    template: str,
    sections: tuple[str, ...],
    order_status: str,
    _status: int = 200,
    **extra: Any,
) -> HTMLResponse:
    try:
        async with c.db.read() as session:
            shop = await get_shop(session, shop_id)
            roles = await list_roles(session, actor.user_id, shop_id)
            if not (roles or actor.is_admin):
                return _not_yours(request, actor)
            context = await _context(session, c, actor, shop, roles, sections, order_status)
    except ShopNotFound:
        return render_page(
            request, "missing.html", actor, message="There is no such shop.", _status=404
        )
    return render_page(request, template, actor, **context, **extra, _status=_status)


def _not_yours(request: Request, actor: Actor) -> HTMLResponse:
    return render_page(
        request, "missing.html", actor, heading="Not your shop",
        message="Only the shop's members can open its dashboard.",
        back_url="/sell", back_label="Your shops", _status=403,
    )  # fmt: skip


def _may(actor: Actor, roles: set[Role], allowed: frozenset[Role]) -> bool:
    return actor.is_admin or bool(roles & allowed)


async def _context(
    session: AsyncSession,
    c: ContainerDep,
    actor: Actor,
    shop: Shop,
    roles: set[Role],
    sections: tuple[str, ...],
    order_status: str,
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "shop": shop,
        "roles": sorted(roles),
        "exponent": CURRENCY_EXPONENTS[shop.currency],
        "can_edit": _may(actor, roles, EDITOR_ROLES),
        "can_host": _may(actor, roles, HOSTING_ROLES),
        "can_see_orders": _may(actor, roles, ORDER_VIEWER_ROLES),
        "order_statuses": [s.value for s in OrderStatus],
        "order_status": order_status if order_status in set(OrderStatus) else "",
    }
    # The products feed the products section and the lineup choices; producers, the shares.
    producers = await list_producers(session, shop.id)
    context["producers"] = [ProducerOut.of(p) for p in producers]
    views = await list_shop_products(session, shop.id, limit=PRODUCTS_SHOWN)
    context["products"] = [ProductOut.of(v) for v in views]
    if "shows" in sections:
        context.update(await _shows(session, shop.id))
    if "orders" in sections and context["can_see_orders"]:
        context["orders"] = await _orders(session, c, actor, shop.id, context["order_status"])
    return context


async def _shows(session: AsyncSession, shop_id: str) -> dict[str, Any]:
    """The shop's live, upcoming (soonest first) and latest ended shows, and each upcoming
    show's lineup (the product ids, for its lineup form)."""
    # ShowSearch.within is typed as the row type media's subquery has; this one is the same SQL.
    of_shop = cast("Select[tuple[str]]", select(Show.id).where(Show.shop_id == shop_id))
    found = {}
    for show_status in (ShowStatus.LIVE, ShowStatus.SCHEDULED, ShowStatus.ENDED):
        search = ShowSearch(status=show_status, within=of_shop)
        found[show_status.value] = await search_shows(session, search, limit=SHOWS_PER_STATUS)
    lineups = {}
    for show in found["scheduled"]:
        lineups[show.id] = [item.product_id for item in await list_lineup(session, show.id)]
    return {
        "live_shows": found["live"],
        "scheduled_shows": found["scheduled"],
        "ended_shows": found["ended"],
        "lineups": lineups,
    }


async def _orders(
    session: AsyncSession, c: ContainerDep, actor: Actor, shop_id: str, order_status: str
) -> list[tuple[Any, str]]:
    wanted = OrderStatus(order_status) if order_status else None
    orders = await list_shop_orders(session, actor, shop_id, status=wanted, limit=ORDERS_SHOWN)
    titles = await get_product_summaries(session, [o.product_id for o in orders])
    now = c.clock.now()
    return [
        (order_out(o, now), titles[o.product_id].title if o.product_id in titles else "")
        for o in orders
    ]


# The dashboard's forms (htmx posts them; see the module's docstring).


class Refused(Exception):
    """A form's input refused before any action is called: the sentence for the seller."""


Gettext = Callable[[str], str]
Act = Callable[[Actor, FormData, Gettext], Awaitable[str]]


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _units(form: FormData, name: str, _: Gettext) -> int:
    value = _text(form, name)
    if not value.isdecimal() or not value.isascii() or len(value) > 12:
        raise Refused(_("Type a whole number of units, 0 or more"))
    return int(value)


_GROUPED = re.compile(r"[0-9]{1,3}(,[0-9]{3})+")
_GROUPED_DOT = re.compile(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?")
_AMOUNT = re.compile(r"([0-9]*)(?:\.([0-9]*))?")


def _normalise(text: str) -> str | None:
    """static/minor_units.js's reading: "1,234.50", "1.234,50", "1 234,5" and "12,5" all
    work; the last separator is the decimal one, unless a lone comma groups thousands."""
    s = re.sub(r"[\s\u00a0\u202f_']", "", text)
    comma, dot = s.rfind(","), s.rfind(".")
    if comma > dot:
        if dot == -1 and _GROUPED.fullmatch(s):
            return s.replace(",", "")
        if s.find(",") != comma:
            return None
        return s.replace(".", "").replace(",", ".")
    if comma != -1 and not _GROUPED_DOT.fullmatch(s):
        return None
    return s.replace(",", "")


def _minor_units(text: str, exponent: int) -> int | None:
    """`12.50` with exponent 2 is 1250, exactly (Decimal, never a float); None if it is no
    amount or has more decimals than the exponent allows."""
    s = _normalise(text[:60])
    match = _AMOUNT.fullmatch(s) if s is not None else None
    if match is None or not (match[1] or match[2]):
        return None
    whole, frac = match[1] or "0", (match[2] or "").rstrip("0")
    if len(frac) > exponent:
        return None
    return int(Decimal(f"{whole}.{frac or 0}").scaleb(exponent))


def _price(form: FormData, currency: str, _: Gettext) -> int:
    exponent = CURRENCY_EXPONENTS[currency]
    minor = _minor_units(_text(form, "price"), exponent)
    if minor is None or minor > MAX_AMOUNT_MINOR:
        message = _("Type a price in {currency} with at most {n} decimals.")
        raise Refused(message.format(currency=currency, n=exponent))
    return minor


def _shares(form: FormData, _: Gettext) -> list[dict[str, Any]]:
    """`share.<producer id>` fields, in percent with up to 2 decimals, as basis points."""
    shares = []
    for key, value in form.multi_items():
        if not key.startswith("share.") or not isinstance(value, str) or not value.strip():
            continue
        bps = _minor_units(value, 2)
        if bps is None or bps > 10_000:
            raise Refused(_("Type each share in percent, from 0 to 100, with at most 2 decimals."))
        if bps:
            shares.append({"producer_id": key.removeprefix("share."), "bps": bps})
    return shares


def _scheduled_at(form: FormData, _: Gettext) -> datetime:
    """The `datetime-local` value in the browser's zone (`time_zone`, IANA), made aware."""
    try:
        local = datetime.fromisoformat(_text(form, "scheduled_at"))
    except ValueError:
        raise Refused(_("Choose the date and time of the show")) from None
    if local.tzinfo is not None:
        return local
    try:
        zone = ZoneInfo(_text(form, "time_zone") or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return local.replace(tzinfo=zone)


def _invalid(error: ValidationError, _: Gettext) -> str:
    first = error.errors()[0]
    if first["type"] in {"missing", "string_too_short", "string_pattern_mismatch"}:
        return _("Fill in the required fields.")
    return _("Check the form: {detail}").format(detail=first["msg"])


async def _submit(
    request: Request,
    c: ContainerDep,
    actor: Actor | None,
    shop_id: str,
    sections: tuple[Section, ...],
    form_id: str,
    act: Act,
) -> Response:
    """Run a form's action; answer its section (and the `sections` after it, out of band)
    with the result, or with the refusal, the seller's input and a 4xx."""
    if actor is None:  # signed out meanwhile: htmx follows HX-Redirect to the sign-in page
        target = quote(f"/sell/shops/{shop_id}", safe="/")
        return Response(status_code=401, headers={"HX-Redirect": f"/login?next={target}"})
    _ = i18n.translator(request)
    form = await request.form()
    section, *also = sections
    try:
        message = await act(actor, form, _)
    except Refused as refused:
        error, code = str(refused), status.HTTP_422_UNPROCESSABLE_CONTENT
    except ValidationError as invalid:
        error, code = _invalid(invalid, _), status.HTTP_422_UNPROCESSABLE_CONTENT
    except DomainError as refused:
        error, code = refused.detail, refused.status
    else:
        return await _render(request, c, actor, shop_id, "seller_section.html", sections, "",
                             section=section, also=also, message=message)  # fmt: skip
    values = {key: value for key, value in form.multi_items() if isinstance(value, str)}
    return await _render(
        request, c, actor, shop_id, "seller_section.html", (section,), "", code,
        section=section, also=[], message=error, error=True, failed=form_id, values=values,
        chosen=form.getlist("lineup"),
    )  # fmt: skip


@router.post("/sell/shops/{shop_id}/producers", response_class=HTMLResponse, response_model=None)
async def add_producer(
    shop_id: ShopId, request: Request, c: ContainerDep, actor: PageActorDep
) -> Response:
    async def act(actor: Actor, form: FormData, _: Gettext) -> str:
        names = ("name", "village", "region", "bio")
        data = ProducerIn.model_validate({name: _text(form, name) for name in names})
        producer = await do_create_producer(c.db, c.clock, actor, shop_id, data)
        return _("Producer added: {name}.").format(name=producer.name)

    return await _submit(request, c, actor, shop_id, ("producers", "products"), "add-producer", act)


@router.post("/sell/shops/{shop_id}/products", response_class=HTMLResponse, response_model=None)
async def add_product(
    shop_id: ShopId, request: Request, c: ContainerDep, actor: PageActorDep
) -> Response:
    async def act(actor: Actor, form: FormData, _: Gettext) -> str:
        async with c.db.read() as session:
            currency = (await get_shop(session, shop_id)).currency
        body: dict[str, Any] = {
            "title": _text(form, "title"),
            "description": _text(form, "description"),
            "price": {"amount_minor": _price(form, currency, _), "currency": currency},
            "stock": _units(form, "stock", _),
        }
        if shares := _shares(form, _):
            body["revenue_shares"] = shares
        view = await do_create_product(
            c.db, c.clock, actor, shop_id, ProductIn.model_validate(body)
        )
        return _("Product added: {title}. Now add its picture.").format(title=view.product.title)

    return await _submit(request, c, actor, shop_id, ("products", "shows"), "add-product", act)


@router.post(
    "/sell/shops/{shop_id}/variants/{variant_id}/stock",
    response_class=HTMLResponse,
    response_model=None,
)
async def set_stock(
    shop_id: ShopId, variant_id: ShopId, request: Request, c: ContainerDep, actor: PageActorDep
) -> Response:
    async def act(actor: Actor, form: FormData, _: Gettext) -> str:
        data = StockIn(quantity=_units(form, "quantity", _))
        await do_set_stock(c.db, actor, variant_id, data.quantity)
        return _("Stock set to {n}.").format(n=data.quantity)

    return await _submit(request, c, actor, shop_id, ("products",), f"stock-{variant_id}", act)


@router.post("/sell/shops/{shop_id}/shows", response_class=HTMLResponse, response_model=None)
async def schedule_show(
    shop_id: ShopId, request: Request, c: ContainerDep, actor: PageActorDep
) -> Response:
    async def act(actor: Actor, form: FormData, _: Gettext) -> str:
        body = {
            "shop_id": shop_id,
            "title": _text(form, "title"),
            "description": _text(form, "description"),
            "scheduled_at": _scheduled_at(form, _),
            "lineup": form.getlist("lineup"),
        }
        data = ShowIn.model_validate(body)
        show = await do_create_show(
            Live(c.db, c.broker, c.clock), actor, shop_id=shop_id, title=data.title,
            scheduled_at=data.scheduled_at, lineup=data.lineup, description=data.description,
        )  # fmt: skip
        return _("Show scheduled: {title}.").format(title=show.title)

    return await _submit(request, c, actor, shop_id, ("shows",), "schedule-show", act)


@router.post(
    "/sell/shops/{shop_id}/shows/{show_id}/lineup",
    response_class=HTMLResponse,
    response_model=None,
)
async def set_lineup(
    shop_id: ShopId, show_id: ShopId, request: Request, c: ContainerDep, actor: PageActorDep
) -> Response:
    async def act(actor: Actor, form: FormData, _: Gettext) -> str:
        lineup = [value for value in form.getlist("lineup") if isinstance(value, str)]
        if len(lineup) > PRODUCTS_SHOWN:
            raise Refused(_("Check the form: {detail}").format(detail=len(lineup)))
        await do_set_lineup(Live(c.db, c.broker, c.clock), actor, show_id, lineup)
        return _("Lineup saved: {n} products.").format(n=len(lineup))

    return await _submit(request, c, actor, shop_id, ("shows",), f"lineup-{show_id}", act)
