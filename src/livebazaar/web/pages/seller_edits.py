"""Editing what a shop already has, on the seller dashboard: its details, its producers and
its products (web/pages/seller.py includes these routes).

Each item has an Edit link that hx-gets its edit form, pre-filled, in place of the item
(`…/edit`, swapped as the item's outerHTML); Cancel hx-gets the item back (the same address
without `/edit`), with the focus on its Edit link. The form posts to the item's address and is
answered like the dashboard's other forms (`seller_sections.submit`): the re-rendered section,
or the form again with the refusal and the seller's input (422, or the domain error's 4xx),
nothing changed. Without JavaScript the Edit link opens the whole page with that form open,
and the form posts as a plain form (its hidden `csrf_token`).

The catalog actions (the API's PATCHes) check who may edit; these routes also check that the
item belongs to the shop in the address.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from livebazaar.accounts import Actor
from livebazaar.catalog import (
    ProducerNotFound,
    ProductNotFound,
    do_set_revenue_shares,
    do_update_producer,
    do_update_product,
    do_update_shop,
    get_product_view,
    list_producers,
)
from livebazaar.catalog.schemas import ProducerPatch, ProductPatch, ShareIn, ShopPatch
from livebazaar.web import i18n
from livebazaar.web.compose.lineup_prices import set_variant_price
from livebazaar.web.deps import ContainerDep
from livebazaar.web.pages import seller_input as field
from livebazaar.web.pages.seller_input import Gettext
from livebazaar.web.pages.seller_sections import (
    SECTIONS,
    ShopId,
    from_htmx,
    load,
    page_of,
    sign_in_first,
    submit,
)
from livebazaar.web.pages.viewer import PageActorDep, render_page

router = APIRouter(include_in_schema=False)

Kind = Literal["shop", "producer", "product"]
ITEM_TEMPLATES: dict[Kind, str] = {
    "shop": "seller_shop_details.html",
    "producer": "seller_producer.html",
    "product": "seller_product.html",
}
PRODUCER_FIELDS = ("name", "village", "region", "bio")


async def _item(
    request: Request,
    c: ContainerDep,
    actor: Actor | None,
    shop_id: str,
    kind: Kind,
    item_id: str,
    *,
    editing: bool,
) -> Response:
    """One item alone (htmx), in view or with its edit form. Without htmx, the edit form is
    the whole dashboard with that form open, and the view the dashboard at the item."""
    if actor is None:
        return sign_in_first(request)
    key = "shop-details" if kind == "shop" else f"{kind}-{item_id}"
    htmx = from_htmx(request)
    if not (htmx or editing):
        return RedirectResponse(page_of(shop_id, key), status.HTTP_303_SEE_OTHER)
    context = await load(request, c, actor, shop_id, () if htmx else SECTIONS, "")
    if isinstance(context, HTMLResponse):
        return context
    found = _find(context, kind, item_id)
    if found is None:
        gone = i18n.translator(request)("It is no longer in this shop.")
        return render_page(request, "seller_gone.html" if htmx else "missing.html", actor,
                           key=key, message=gone, _status=404)  # fmt: skip
    edit = key if editing and context["can_edit"] else ""
    response = render_page(
        request, ITEM_TEMPLATES[kind] if htmx else "seller_shop.html", actor,
        **context, p=found, editing=edit, saved="" if edit else key,
    )  # fmt: skip
    response.headers["Vary"] += ", HX-Request"
    return response


def _find(context: dict[str, Any], kind: Kind, item_id: str) -> Any:
    if kind == "shop":
        return context["shop"]
    listed = context["producers" if kind == "producer" else "products"]
    return next((item for item in listed if item.id == item_id), None)


@router.get("/sell/shops/{shop_id}/details", response_class=HTMLResponse, response_model=None)
async def shop_details(
    shop_id: ShopId, request: Request, c: ContainerDep, actor: PageActorDep
) -> Response:
    return await _item(request, c, actor, shop_id, "shop", shop_id, editing=False)


@router.get("/sell/shops/{shop_id}/details/edit", response_class=HTMLResponse, response_model=None)
async def edit_shop_form(
    shop_id: ShopId, request: Request, c: ContainerDep, actor: PageActorDep
) -> Response:
    return await _item(request, c, actor, shop_id, "shop", shop_id, editing=True)


@router.get(
    "/sell/shops/{shop_id}/producers/{producer_id}",
    response_class=HTMLResponse,
    response_model=None,
)
async def producer_item(
    shop_id: ShopId, producer_id: ShopId, request: Request, c: ContainerDep, actor: PageActorDep
) -> Response:
    return await _item(request, c, actor, shop_id, "producer", producer_id, editing=False)


@router.get(
    "/sell/shops/{shop_id}/producers/{producer_id}/edit",
    response_class=HTMLResponse,
    response_model=None,
)
async def edit_producer_form(
    shop_id: ShopId, producer_id: ShopId, request: Request, c: ContainerDep, actor: PageActorDep
) -> Response:
    return await _item(request, c, actor, shop_id, "producer", producer_id, editing=True)


@router.get(
    "/sell/shops/{shop_id}/products/{product_id}",
    response_class=HTMLResponse,
    response_model=None,
)
async def product_item(
    shop_id: ShopId, product_id: ShopId, request: Request, c: ContainerDep, actor: PageActorDep
) -> Response:
    return await _item(request, c, actor, shop_id, "product", product_id, editing=False)


@router.get(
    "/sell/shops/{shop_id}/products/{product_id}/edit",
    response_class=HTMLResponse,
    response_model=None,
)
async def edit_product_form(
    shop_id: ShopId, product_id: ShopId, request: Request, c: ContainerDep, actor: PageActorDep
) -> Response:
    return await _item(request, c, actor, shop_id, "product", product_id, editing=True)


@router.post("/sell/shops/{shop_id}/details", response_class=HTMLResponse, response_model=None)
async def save_shop(
    shop_id: ShopId, request: Request, c: ContainerDep, actor: PageActorDep
) -> Response:
    async def act(actor: Actor, form: FormData, _: Gettext) -> str:
        limit = field.shelf_limit(form, "shelf_per_buyer_limit", _)
        body = {"name": field.text(form, "name"), "description": field.text(form, "description"),
                "country": field.country(form, "country", _) or "",
                "shelf_per_buyer_limit": limit}  # fmt: skip
        shop = await do_update_shop(c.db, actor, shop_id, ShopPatch.model_validate(body))
        return _("Shop saved: {name}.").format(name=shop.name)

    # The shop's name and country are in the page's heading too (`head`, out of band).
    return await submit(request, c, actor, shop_id, ("producers",), "edit-shop-details",
                        act, item="shop-details", head=True)  # fmt: skip


@router.post(
    "/sell/shops/{shop_id}/producers/{producer_id}",
    response_class=HTMLResponse,
    response_model=None,
)
async def save_producer(
    shop_id: ShopId, producer_id: ShopId, request: Request, c: ContainerDep, actor: PageActorDep
) -> Response:
    async def act(actor: Actor, form: FormData, _: Gettext) -> str:
        async with c.db.read() as session:
            if producer_id not in {p.id for p in await list_producers(session, shop_id)}:
                raise ProducerNotFound()
        patch = ProducerPatch.model_validate({n: field.text(form, n) for n in PRODUCER_FIELDS})
        producer = await do_update_producer(c.db, actor, producer_id, patch)
        return _("Producer saved: {name}.").format(name=producer.name)

    # The products section names the producers (their shares): it comes along, out of band.
    key = f"producer-{producer_id}"
    return await submit(request, c, actor, shop_id, ("producers", "products"), f"edit-{key}",
                        act, item=key)  # fmt: skip


@router.post(
    "/sell/shops/{shop_id}/products/{product_id}",
    response_class=HTMLResponse,
    response_model=None,
)
async def save_product(
    shop_id: ShopId, product_id: ShopId, request: Request, c: ContainerDep, actor: PageActorDep
) -> Response:
    """Every field is read and validated first; then the actions: the revenue shares (which
    the catalog may refuse: they must add up to 100 %), each changed variant price, then the
    text. So a refusal changes nothing."""

    async def act(actor: Actor, form: FormData, _: Gettext) -> str:
        async with c.db.read() as session:
            view = await get_product_view(session, product_id)
        if view.product.shop_id != shop_id:
            raise ProductNotFound()
        prices = field.variant_prices(form, [v.variant for v in view.variants], _)
        steps = [line.strip() for line in field.text(form, "steps").splitlines() if line.strip()]
        origin = {"place": field.text(form, "place"), "region": field.text(form, "origin_region"),
                  "country": field.country(form, "origin_country", _), "steps": steps}  # fmt: skip
        reference = field.reference_price(form, view.variants[0].variant.currency, _)
        patch = ProductPatch.model_validate(
            {"title": field.text(form, "title"), "description": field.text(form, "description"),
             "origin": origin, "reference_price": reference}
        )  # fmt: skip
        shares = [ShareIn.model_validate(share) for share in field.shares(form, _)]
        await do_set_revenue_shares(c.db, actor, product_id, shares)
        for variant_id, price_minor in prices.items():
            await set_variant_price(c, actor, variant_id, price_minor)
        saved = await do_update_product(c.db, actor, product_id, patch)
        return _("Product saved: {title}.").format(title=saved.product.title)

    # The shows' lineup forms list the products by title: they come along, out of band.
    key = f"product-{product_id}"
    return await submit(request, c, actor, shop_id, ("products", "shows"), f"edit-{key}", act,
                        item=key)  # fmt: skip
