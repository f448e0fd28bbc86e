"""The buyer's pages: the account, its address book and its orders (server-rendered forms
that work without JavaScript; a form post carries the session's CSRF token)."""

from __future__ import annotations

import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from livebazaar.accounts import (
    AddressIn,
    AddressNotFound,
    do_add_address,
    do_delete_address,
    get_user,
    list_addresses,
)
from livebazaar.catalog import get_product_summaries
from livebazaar.checkout import list_buyer_orders, order_out
from livebazaar.kernel.errors import DomainError
from livebazaar.web.deps import ActorDep, ContainerDep, PathId
from livebazaar.web.pages import PageActorDep, render_page

router = APIRouter(include_in_schema=False)
ADDRESS_FIELDS = ("name", "line1", "line2", "city", "region", "postal_code", "country", "phone")


@router.get("/account", response_class=HTMLResponse, response_model=None)
async def account(request: Request, c: ContainerDep, actor: PageActorDep) -> Response:
    if actor is None:
        return RedirectResponse("/login?next=/account", status_code=status.HTTP_303_SEE_OTHER)
    return await _account_page(request, c, actor.user_id, actor)


async def _account_page(
    request: Request, c: ContainerDep, user_id: str, actor: Any, **extra: Any
) -> HTMLResponse:
    async with c.db.read() as session:
        user = await get_user(session, user_id)
        addresses = await list_addresses(session, user_id)
        orders = await list_buyer_orders(session, actor, limit=50)
        products = await get_product_summaries(session, [o.product_id for o in orders])
    now = c.clock.now()
    lines = [(order_out(o, now), products.get(o.product_id)) for o in orders]
    return render_page(
        request, "account.html", actor, user=user, addresses=addresses, orders=lines, **extra
    )


@router.post("/account/addresses", response_class=HTMLResponse, response_model=None)
async def add_address(
    request: Request,
    c: ContainerDep,
    actor: ActorDep,
    name: Annotated[str, Form(max_length=200)] = "",
    line1: Annotated[str, Form(max_length=300)] = "",
    line2: Annotated[str, Form(max_length=300)] = "",
    city: Annotated[str, Form(max_length=200)] = "",
    region: Annotated[str, Form(max_length=200)] = "",
    postal_code: Annotated[str, Form(max_length=64)] = "",
    country: Annotated[str, Form(max_length=8)] = "",
    phone: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    given = {
        "name": name, "line1": line1, "line2": line2, "city": city, "region": region,
        "postal_code": postal_code, "country": country.strip().upper(), "phone": phone,
    }  # fmt: skip
    try:
        data = AddressIn.model_validate(given)
        await do_add_address(c.db, c.clock, actor.user_id, data)
    except ValidationError as exc:
        wrong = sorted({str(e["loc"][0]) for e in exc.errors() if e["loc"]})
        return await _account_page(
            request, c, actor.user_id, actor, form=given, form_errors=wrong,
            _status=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )  # fmt: skip
    except DomainError as exc:
        return await _account_page(
            request, c, actor.user_id, actor, form=given, form_problem=exc.title,
            _status=exc.status,
        )  # fmt: skip
    return RedirectResponse("/account#addresses", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/account/addresses/{address_id}/delete", response_model=None)
async def delete_address(address_id: PathId, c: ContainerDep, actor: ActorDep) -> Response:
    with contextlib.suppress(AddressNotFound):  # already gone: a second click
        await do_delete_address(c.db, actor.user_id, address_id)
    return RedirectResponse("/account#addresses", status_code=status.HTTP_303_SEE_OTHER)
