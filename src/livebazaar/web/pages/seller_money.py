"""The seller dashboard's money section: payout methods, payout batches, their files and the
treasurer's marks (web/pages/seller.py includes these routes).

Thin, as the dashboard's other forms: each reads its fields, calls the same payouts action as
the JSON API, and is answered by `seller_sections.submit` (the re-rendered money section, or
the form again with the refusal and the seller's input, nothing changed). What the section
shows comes from `payouts.get_money_overview`. The files are the API's
(`/api/v1/payout-batches/{id}/file`), downloaded with the page's session cookie.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import TypeAdapter
from starlette.datastructures import FormData

from livebazaar.accounts import Actor
from livebazaar.payouts import (
    Party,
    PartyType,
    PayoutOutcome,
    do_create_payout_batch,
    do_mark_payout,
    do_set_payout_method,
)
from livebazaar.payouts.schemas import MarkFailedIn, MarkPaidIn, PayoutBatchIn, PayoutMethodIn
from livebazaar.web.deps import ContainerDep
from livebazaar.web.pages import seller_input as field
from livebazaar.web.pages.seller_input import Gettext
from livebazaar.web.pages.seller_sections import ShopId, submit
from livebazaar.web.pages.viewer import PageActorDep

router = APIRouter(include_in_schema=False)

METHOD = TypeAdapter[Any](PayoutMethodIn)
FIELDS = {"bank": ("holder", "iban", "bic"), "mobile_money": ("phone", "provider"), "cash": ()}


def method_of(form: FormData) -> Any:
    """The posted method, with only its kind's fields (a phone number typed before choosing
    a bank account is not sent along); ValidationError when it does not fit the schema."""
    kind = field.text(form, "kind")
    body: dict[str, str | None] = {"kind": kind}
    for name in FIELDS.get(kind, ()):
        body[name] = field.text(form, name) or (None if name == "bic" else "")
    return METHOD.validate_python(body)


@router.post(
    "/sell/shops/{shop_id}/payout-method/{party_type}/{party_id}",
    response_class=HTMLResponse,
    response_model=None,
)
async def set_method(
    shop_id: ShopId,
    party_type: Literal["shop", "producer"],
    party_id: ShopId,
    request: Request,
    c: ContainerDep,
    actor: PageActorDep,
) -> Response:
    async def act(actor: Actor, form: FormData, _: Gettext) -> str:
        party = Party(PartyType(party_type), party_id)
        await do_set_payout_method(c.db, c.clock, actor, party, method_of(form))
        return _("Payout method saved.")

    return await submit(request, c, actor, shop_id, ("money",), f"edit-method-{party_id}", act)


@router.post(
    "/sell/shops/{shop_id}/payout-batches", response_class=HTMLResponse, response_model=None
)
async def make_batch(
    shop_id: ShopId, request: Request, c: ContainerDep, actor: PageActorDep
) -> Response:
    async def act(actor: Actor, form: FormData, _: Gettext) -> str:
        await do_create_payout_batch(
            c.db, c.clock, c.payout_ledger, c.payout_providers, actor, shop_id, PayoutBatchIn(),
            default_minimum_major=c.settings.payout_minimum_default_major,
        )  # fmt: skip
        return _("Payout batch made: pay each payout, then mark it.")

    return await submit(request, c, actor, shop_id, ("money",), "payout-batch", act)


@router.post(
    "/sell/shops/{shop_id}/payouts/{payout_id}/{outcome}",
    response_class=HTMLResponse,
    response_model=None,
)
async def mark_payout(
    shop_id: ShopId,
    payout_id: ShopId,
    outcome: Literal["paid", "failed"],
    request: Request,
    c: ContainerDep,
    actor: PageActorDep,
) -> Response:
    async def act(actor: Actor, form: FormData, _: Gettext) -> str:
        if outcome == "paid":
            text = MarkPaidIn(reference=field.text(form, "reference")).reference
            message = _("Marked paid.")
        else:
            text = MarkFailedIn(reason=field.text(form, "reason")).reason
            message = _("Marked failed: its money is available again.")
        await do_mark_payout(
            c.db, c.clock, c.payout_ledger, actor, payout_id, PayoutOutcome(outcome), text
        )
        return message

    return await submit(request, c, actor, shop_id, ("money",), f"edit-payout-{payout_id}", act)
