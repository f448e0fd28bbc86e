"""The buyer's pages: the account, its address book and its orders.

Whole without JavaScript: the address forms post (the session's CSRF token in a hidden field)
and are answered 303 back to the page, which says what was done (`?done=`), or the page again
with the refusal: 422 with the buyer's input and the wrong fields marked, each with its reason;
a domain error's 4xx. The orders filter is a GET form (`?status=`).

With htmx (static/vendor/htmx.min.js, loaded by account.html) the same forms are hx-posts and
the filter an hx-get: a request carrying `HX-Request` is answered the section alone, a block
of account.html (`render_page(..., _block=...)`), with the result sentence swapped out of band
into the section's live region. htmx is told in account.html's `htmx-config` to swap the 4xx
sections too (the seller dashboard's rule). The page sets `hx-history="false"`, so htmx keeps
no copy of the buyer's addresses in localStorage and, going back, asks for the whole page (an
`HX-History-Restore-Request`, answered like a plain request).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from pydantic_core import ErrorDetails
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from livebazaar.accounts import (
    Actor,
    AddressIn,
    AddressNotFound,
    do_add_address,
    do_delete_address,
    get_user,
    list_addresses,
)
from livebazaar.accounts.errors import TooManyAddresses
from livebazaar.catalog import get_product_summaries
from livebazaar.checkout import (
    OrderStatus,
    do_deliver_order,
    list_buyer_orders,
    name_variants,
    order_out,
)
from livebazaar.kernel.errors import DomainError
from livebazaar.live import list_my_invites
from livebazaar.web import i18n
from livebazaar.web.deps import ContainerDep, PathId
from livebazaar.web.pages.account_earnings import list_earnings
from livebazaar.web.pages.viewer import PageActorDep, render_page

router = APIRouter(include_in_schema=False)
ADDRESS_FIELDS = ("name", "line1", "line2", "city", "region", "postal_code", "country", "phone")
REQUIRED_FIELDS = frozenset({"name", "line1", "city", "country"})
FIELD_ECHO_MAX = 500  # characters of a field shown back; longer is refused anyway
ORDERS_SHOWN = 50
# A filtered list looks through the buyer's latest orders: the status shown is order_out's
# (a reservation past its expiry reads "expired"), which the stored one is not.
ORDERS_SCANNED = 500
# "", or an OrderStatus value; anything else shows every order (a page never answers 422).
StatusFilter = Annotated[str, Query(alias="status")]
DoneFilter = Annotated[str, Query(alias="done")]
Gettext = Callable[[str], str]


def _from_htmx(request: Request) -> bool:
    """An htmx swap; not its history restore, which wants the whole page."""
    headers = request.headers
    return headers.get("hx-request") == "true" and "hx-history-restore-request" not in headers


def _sign_in_first(request: Request) -> Response:
    if _from_htmx(request):  # signed out meanwhile: htmx follows HX-Redirect
        return Response(status_code=401, headers={"HX-Redirect": "/login?next=/account"})
    return RedirectResponse("/login?next=/account", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/account", response_class=HTMLResponse, response_model=None)
async def account(
    request: Request,
    c: ContainerDep,
    actor: PageActorDep,
    order_status: StatusFilter = "",
    done: DoneFilter = "",
) -> Response:
    """The page; to htmx (the orders filter), the orders block alone."""
    if actor is None:
        return _sign_in_first(request)
    if _from_htmx(request):
        response = await _render(request, c, actor, "orders", order_status=order_status)
    else:
        _ = i18n.translator(request)
        done_messages = {"saved": _("Address saved"), "deleted": _("Address deleted")}
        message = done_messages.get(done)
        received = _("Thank you: the order is marked received.") if done == "received" else None
        response = await _render(request, c, actor, None, order_status=order_status,
                                 message=message, orders_message=received)  # fmt: skip
    response.headers["Vary"] += ", HX-Request"
    return response


async def _render(
    request: Request,
    c: ContainerDep,
    actor: Actor,
    block: str | None,
    *,
    order_status: str = "",
    status_code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    """The page (`block` None) or one of its sections, "addresses" or "orders"."""
    context: dict[str, Any] = {}
    async with c.db.read() as session:
        if block is None:
            context["user"] = await get_user(session, actor.user_id)
            context["cohost_invites"] = len(await list_my_invites(session, actor))
            today, locale = c.clock.now().date(), i18n.negotiate(request)
            context["earnings"] = await list_earnings(session, actor, today, locale)
        if block in (None, "addresses"):
            context["addresses"] = await list_addresses(session, actor.user_id)
        if block in (None, "orders"):
            context.update(await _orders(session, c, actor, order_status))
            context["status_names"] = _status_names(i18n.translator(request))
    return render_page(
        request, "account.html", actor, _block=block, _status=status_code, **context, **extra
    )


async def _orders(
    session: AsyncSession, c: ContainerDep, actor: Actor, order_status: str
) -> dict[str, Any]:
    wanted = order_status if order_status in set(OrderStatus) else ""
    scanned = await list_buyer_orders(
        session, actor, limit=ORDERS_SCANNED if wanted else ORDERS_SHOWN
    )
    now = c.clock.now()
    shown = [o for o in (order_out(o, now) for o in scanned) if o.status == wanted or not wanted]
    shown = await name_variants(session, shown[:ORDERS_SHOWN])
    products = await get_product_summaries(session, [o.product_id for o in shown])
    return {
        "orders": [(o, products.get(o.product_id)) for o in shown],
        "order_status": wanted,
    }


def _status_names(_: Gettext) -> dict[str, str]:
    """Each OrderStatus in the buyer's words, in the filter's order."""
    names = {
        OrderStatus.RESERVED: _("Awaiting payment"),
        OrderStatus.PAID: _("Paid"),
        OrderStatus.EXPIRED: _("Expired"),
        OrderStatus.CANCELLED: _("Cancelled"),
        OrderStatus.REFUNDED: _("Refunded"),
    }
    return {s.value: names.get(s, s.value) for s in OrderStatus}


async def _addresses(
    request: Request, c: ContainerDep, actor: Actor, status_code: int = 200, **extra: Any
) -> HTMLResponse:
    """The address book after a form: the section to htmx, else the whole page."""
    block = "addresses" if _from_htmx(request) else None
    return await _render(request, c, actor, block, status_code=status_code, **extra)


def _back(what: str) -> Response:
    """A plain form's success: back to the page (post, redirect, get), which says `what`."""
    return RedirectResponse(f"/account?done={what}#addresses", status_code=303)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip()[:FIELD_ECHO_MAX] if isinstance(value, str) else ""


@router.post("/account/addresses", response_class=HTMLResponse, response_model=None)
async def add_address(request: Request, c: ContainerDep, actor: PageActorDep) -> Response:
    if actor is None:
        return _sign_in_first(request)
    _ = i18n.translator(request)
    form = await request.form()
    given = {name: _text(form, name) for name in ADDRESS_FIELDS}
    given["country"] = given["country"].upper()
    try:
        data = AddressIn.model_validate(given)
        await do_add_address(c.db, c.clock, actor.user_id, data)
    except ValidationError as invalid:
        return await _addresses(
            request, c, actor, status.HTTP_422_UNPROCESSABLE_CONTENT, form=given, error=True,
            message=_("The address was not saved: check the marked fields."),
            field_errors=_field_errors(invalid, _),
        )  # fmt: skip
    except TooManyAddresses as refused:
        message = _("You keep 20 addresses already: delete one first.")
        return await _addresses(request, c, actor, refused.status, form=given, error=True,
                                message=message)  # fmt: skip
    except DomainError as refused:
        return await _addresses(request, c, actor, refused.status, form=given, error=True,
                                message=refused.detail)  # fmt: skip
    if not _from_htmx(request):
        return _back("saved")
    return await _addresses(request, c, actor, message=_("Address saved"))


@router.post("/account/addresses/{address_id}/delete", response_model=None)
async def delete_address(
    address_id: PathId, request: Request, c: ContainerDep, actor: PageActorDep
) -> Response:
    if actor is None:
        return _sign_in_first(request)
    _ = i18n.translator(request)
    try:
        await do_delete_address(c.db, actor.user_id, address_id)
    except AddressNotFound:  # another buyer's, or deleted already (a second click)
        message = _("This address is not in your address book: nothing was deleted.")
        return await _addresses(request, c, actor, 404, message=message, error=True)
    if not _from_htmx(request):
        return _back("deleted")
    return await _addresses(request, c, actor, message=_("Address deleted"), focus_list=True)


@router.post("/account/orders/{order_id}/deliver", response_class=HTMLResponse, response_model=None)
async def order_received(
    order_id: PathId, request: Request, c: ContainerDep, actor: PageActorDep
) -> Response:
    """ "I received it": the buyer marks their paid order delivered (the API's deliver)."""
    if actor is None:
        return _sign_in_first(request)
    _ = i18n.translator(request)
    try:
        await do_deliver_order(c.db, c.clock, actor, order_id)
    except DomainError as refused:
        block = "orders" if _from_htmx(request) else None
        return await _render(request, c, actor, block, status_code=refused.status,
                             orders_message=_(refused.title), error=True)  # fmt: skip
    if not _from_htmx(request):
        return RedirectResponse("/account?done=received#orders", status_code=303)
    message = _("Thank you: the order is marked received.")
    return await _render(request, c, actor, "orders", orders_message=message)


def _field_errors(invalid: ValidationError, _: Gettext) -> dict[str, str]:
    """Each wrong field's first problem, in words for the buyer (pydantic's are English)."""
    found: dict[str, str] = {}
    for error in invalid.errors():
        field = str(error["loc"][0]) if error["loc"] else ""
        if field in ADDRESS_FIELDS and field not in found:
            found[field] = _field_message(field, error, _)
    return found


def _field_message(field: str, error: ErrorDetails, _: Gettext) -> str:
    kind = error["type"]
    if kind in {"missing", "string_too_short"} or (
        kind == "string_pattern_mismatch" and field in REQUIRED_FIELDS
    ):
        return _("Fill in this field.")
    if kind == "postal_code_required":
        return _("Addresses in this country need a postal code.")
    by_field = {
        "country": _("Type the country's two-letter code, e.g. RW, CN or FR."),
        "postal_code": _("Use letters, digits, spaces and dashes only."),
        "phone": _("Use digits, spaces and + ( ) - only."),
    }
    if field in by_field:
        return by_field[field]
    if kind == "string_too_long":
        limit = (error.get("ctx") or {}).get("max_length", "")
        return _("Too long: at most {n} characters.").format(n=limit)
    return _("Check this field.")
