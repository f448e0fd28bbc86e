"""The seller dashboard's money section: the owner sets payout methods, makes a batch, gets
its files and marks payouts by form; a host reads it masked; bad input comes back with its
error, nothing changed."""

from __future__ import annotations

import html
import re

import httpx

from tests.payouts.ledger_fake import available, earn
from tests.payouts.stage import FARMER_IBAN, SHOP_IBAN, Stage, set_stage
from tests.support import Account, Api, sign_in_page

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


async def _on_dashboard(client: httpx.AsyncClient, stage: Stage, who: Account) -> dict[str, str]:
    client.cookies.clear()
    r = await sign_in_page(client, who.email)
    assert r.status_code == 303, r.text
    page = await client.get(f"/sell/shops/{stage.shop_id}")
    match = CSRF_META.search(page.text)
    assert match, page.text[:300]
    return {"X-CSRF-Token": match[1], "HX-Request": "true"}


async def test_the_owner_pays_out_by_form_and_marks_each_payout(
    client: httpx.AsyncClient, api: Api
) -> None:
    stage = await set_stage(api)
    headers = await _on_dashboard(client, stage, stage.owner)
    base = f"/sell/shops/{stage.shop_id}"
    # When the owner gives the shop's bank account and the farmer's mobile money by form
    r = await client.post(
        f"{base}/payout-method/shop/{stage.shop_id}",
        data={
            "kind": "bank",
            "holder": "Kivu Coffee",
            "iban": "DE89 3704 0044 0532 0130 00",
            "bic": "",
            "phone": "+250 788 000 000",
        },
        headers=headers,
    )
    assert r.status_code == 200, r.text
    assert "Payout method saved." in r.text
    assert SHOP_IBAN in r.text
    r = await client.post(
        f"{base}/payout-method/producer/{stage.producer_id}",
        data={
            "kind": "mobile_money",
            "phone": "+250 788 123 456",
            "provider": "MTN MoMo",
            "iban": "junk",
        },
        headers=headers,
    )
    assert r.status_code == 200, r.text
    assert "+250788123456" in r.text
    # And pays out what is available
    await earn(api.container, stage.shop_id, stage.producer, 120_000, "EUR")
    r = await client.post(f"{base}/payout-batches", headers=headers)
    assert r.status_code == 200, r.text
    assert "Payout batch made" in r.text
    [payout_id] = re.findall(r'id="payout-([0-9a-f-]{36})"', r.text)
    assert "/file?format=csv" in r.text
    assert "/file?format=sepa" not in r.text  # mobile money: no SEPA file
    # And the CSV downloads with the page's session
    csv = await client.get(re.findall(r'href="(/api/v1/payout-batches/[^"]+csv)"', r.text)[0])
    assert csv.status_code == 200
    assert "+250788123456" in csv.text
    # When the treasurer marks the payout paid without a reference, it is refused
    r = await client.post(
        f"{base}/payouts/{payout_id}/paid", data={"reference": " "}, headers=headers
    )
    assert r.status_code == 422
    assert "To pay" in r.text
    # And with the agent's reference it is paid
    r = await client.post(
        f"{base}/payouts/{payout_id}/paid", data={"reference": "MOMO-77"}, headers=headers
    )
    assert r.status_code == 200, r.text
    assert "Marked paid." in r.text
    assert "MOMO-77" in r.text
    # And a second batch finds nothing: the page says so, in the seller's words
    r = await client.post(f"{base}/payout-batches", headers=headers)
    assert r.status_code == 409
    assert "Nothing is available to pay out" in r.text


async def test_a_malformed_iban_comes_back_with_its_error_and_the_input(
    client: httpx.AsyncClient, api: Api
) -> None:
    stage = await set_stage(api)
    headers = await _on_dashboard(client, stage, stage.owner)
    typed = "DE89 3704 0044 0532 0130 01"
    r = await client.post(
        f"/sell/shops/{stage.shop_id}/payout-method/producer/{stage.producer_id}",
        data={"kind": "bank", "holder": "Uwimana", "iban": typed},
        headers=headers,
    )
    assert r.status_code == 422
    assert "This IBAN is not valid" in r.text
    assert f'value="{html.escape(typed)}"' in r.text
    out = await client.get(
        f"/api/v1/producers/{stage.producer_id}/payout-method", headers=stage.owner.headers
    )
    assert out.json()["method"] is None


async def test_a_host_reads_the_money_masked_and_cannot_pay(
    client: httpx.AsyncClient, api: Api
) -> None:
    stage = await set_stage(api)
    await stage.put(
        f"/api/v1/producers/{stage.producer_id}/payout-method",
        {"kind": "bank", "holder": "Uwimana", "iban": FARMER_IBAN},
        stage.owner,
    )
    await earn(api.container, stage.shop_id, stage.producer, 5_000, "EUR")
    r = await api.client.post(
        f"/api/v1/shops/{stage.shop_id}/payout-batches", headers=stage.owner.headers
    )
    payout_id = r.json()["payouts"][0]["id"]
    headers = await _on_dashboard(client, stage, stage.host)
    page = await client.get(f"/sell/shops/{stage.shop_id}")
    assert "FR76" + "*" * 19 + "0189" in page.text
    assert FARMER_IBAN not in page.text
    assert "Mark paid" not in page.text
    assert "Pay out what is available" not in page.text
    r = await client.post(
        f"/sell/shops/{stage.shop_id}/payouts/{payout_id}/paid",
        data={"reference": "x"},
        headers=headers,
    )
    assert r.status_code == 403
    assert await available(api.container, stage.shop_id, stage.producer) == 0
    # And a member without the owner or host role sees no money at all
    await _on_dashboard(client, stage, stage.farmer)
    page = await client.get(f"/sell/shops/{stage.shop_id}")
    assert "owners and hosts see its money" in page.text
