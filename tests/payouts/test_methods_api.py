"""Setting and reading payout methods through the API: who may, what they see, and what a
malformed IBAN, BIC or phone number answers (a problem with its own code; nothing stored)."""

from __future__ import annotations

import pytest

from tests.payouts.stage import (
    FARMER_IBAN,
    MAURITIUS_IBAN,
    RWANDA_MOBILE,
    SHOP_IBAN,
    Stage,
    bank,
    momo,
)
from tests.support import assert_problem

MASKED_SHOP_IBAN = "DE89" + "*" * 14 + "3000"


async def test_the_owner_sets_the_shop_s_bank_account_and_hosts_see_it_masked(
    stage: Stage,
) -> None:
    path = f"/api/v1/shops/{stage.shop_id}/payout-method"
    # When the owner gives the shop's account, spaces and lower case as typed
    out = await stage.put(path, bank("de89 3704 0044 0532 0130 00", "Kivu Coffee"), stage.owner)
    # Then it is stored compact, with its bank's BIC found
    assert out["party"] == {"type": "shop", "id": stage.shop_id}
    assert out["method"] == {
        "kind": "bank",
        "holder": "Kivu Coffee",
        "iban": SHOP_IBAN,
        "bic": "COBADEFFXXX",
        "phone": None,
        "provider": None,
        "masked": False,
    }
    # And the owner reads it whole, a host masked
    assert (await stage.get(path, stage.owner))["method"]["iban"] == SHOP_IBAN
    seen = (await stage.get(path, stage.host))["method"]
    assert (seen["iban"], seen["masked"]) == (MASKED_SHOP_IBAN, True)
    # And a producer of the shop, or a stranger, reads nothing
    assert_problem(
        await stage.api.client.get(path, headers=stage.farmer.headers), 403, "role_required"
    )


async def test_a_linked_producer_sets_their_own_method_and_nobody_else_s(stage: Stage) -> None:
    mine = f"/api/v1/producers/{stage.producer_id}/payout-method"
    theirs = f"/api/v1/producers/{stage.second_producer_id}/payout-method"
    # When the farmer linked to the first producer gives her mobile-money number
    out = await stage.put(mine, momo("+250 788 123 456"), stage.farmer)
    # Then it is kept in E.164, and she reads it whole
    assert (out["method"]["phone"], out["method"]["provider"]) == ("+250788123456", "MTN MoMo")
    assert (await stage.get(mine, stage.farmer))["method"]["masked"] is False
    # And the shop's owner reads it whole, a host masked
    assert (await stage.get(mine, stage.owner))["method"]["phone"] == "+250788123456"
    assert (await stage.get(mine, stage.host))["method"]["phone"] == "+250******456"
    # But she may neither set nor read the other producer's
    r = await stage.api.client.put(theirs, json=momo(), headers=stage.farmer.headers)
    assert_problem(r, 403, "role_required")
    assert_problem(
        await stage.api.client.get(theirs, headers=stage.farmer.headers), 403, "role_required"
    )
    # And a producer-role member linked to nobody may not set hers, nor may a host
    for who in (stage.other_member, stage.host):
        r = await stage.api.client.put(mine, json=momo(), headers=who.headers)
        assert_problem(r, 403, "role_required")
    assert (await stage.get(mine, stage.owner))["method"]["phone"] == "+250788123456"


async def test_the_owner_sets_a_producer_s_method_and_replaces_it(stage: Stage) -> None:
    path = f"/api/v1/producers/{stage.second_producer_id}/payout-method"
    # Given no method yet
    assert (await stage.get(path, stage.owner))["method"] is None
    # When the owner sets a bank account, then cash at the cooperative instead
    await stage.put(path, bank(FARMER_IBAN, "Habimana Jean"), stage.owner)
    out = await stage.put(path, {"kind": "cash"}, stage.owner)
    # Then only the last one stands, with nothing of the bank account left
    assert out["method"] == {
        "kind": "cash",
        "holder": None,
        "iban": None,
        "bic": None,
        "phone": None,
        "provider": None,
        "masked": False,
    }
    assert (await stage.get(path, stage.owner))["method"]["kind"] == "cash"


async def test_a_person_sets_their_own_method_for_commissions(stage: Stage) -> None:
    out = await stage.put(
        "/api/v1/me/payout-method", momo("+254 712 345678", "M-Pesa"), stage.cohost
    )
    assert out["party"] == {"type": "user", "id": stage.cohost.user_id}
    assert (await stage.get("/api/v1/me/payout-method", stage.cohost))["method"]["phone"] == (
        "+254712345678"
    )
    # Another person reads their own, unset
    assert (await stage.get("/api/v1/me/payout-method", stage.owner))["method"] is None


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (bank("DE89 3704 0044 0532 0130 01"), "invalid_iban"),
        (bank("FR76300060000112345678901"), "invalid_iban"),
        (bank("ZZ89370400440532013000"), "invalid_iban"),
        (bank(SHOP_IBAN, bic="NOTABIC!"), "invalid_bic"),
        (bank(MAURITIUS_IBAN), "bic_required"),
        (momo("0788123456"), "invalid_phone"),
        (momo("+250 252 123 456"), "invalid_phone"),
        (momo("+1 not a number"), "invalid_phone"),
    ],
)
async def test_a_malformed_method_is_refused_and_the_old_one_stands(
    stage: Stage, body: dict[str, str], code: str
) -> None:
    path = f"/api/v1/shops/{stage.shop_id}/payout-method"
    await stage.put(path, bank(SHOP_IBAN, "Kivu Coffee"), stage.owner)
    before = await stage.get(path, stage.owner)
    r = await stage.api.client.put(path, json=body, headers=stage.owner.headers)
    assert_problem(r, 422, code)
    assert await stage.get(path, stage.owner) == before


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "bank", "holder": "", "iban": SHOP_IBAN},
        {"kind": "bank", "holder": "x" * 71, "iban": SHOP_IBAN},
        {"kind": "bank", "holder": "A\x00", "iban": SHOP_IBAN},
        {"kind": "mobile_money", "phone": RWANDA_MOBILE, "provider": "x" * 41},
        {"kind": "mobile_money", "phone": RWANDA_MOBILE, "provider": "   "},
        {"kind": "cheque"},
        {"kind": "cash", "iban": SHOP_IBAN},
    ],
)
async def test_a_body_outside_the_schema_is_a_validation_error(
    stage: Stage, body: dict[str, str]
) -> None:
    r = await stage.api.client.put(
        f"/api/v1/shops/{stage.shop_id}/payout-method", json=body, headers=stage.owner.headers
    )
    assert_problem(r, 422, "validation_failed")


async def test_unknown_parties_are_404(stage: Stage) -> None:
    for path, code in [
        ("/api/v1/shops/nope/payout-method", "shop_not_found"),
        ("/api/v1/producers/nope/payout-method", "producer_not_found"),
    ]:
        r = await stage.api.client.put(path, json={"kind": "cash"}, headers=stage.owner.headers)
        assert_problem(r, 404, code)


async def test_a_refusal_says_which_check_failed(stage: Stage) -> None:
    r = await stage.api.client.put(
        "/api/v1/me/payout-method", json=bank("DE89 3704 0044 0532 0130 01"),
        headers={**stage.owner.headers, "Accept-Language": "fr"},
    )  # fmt: skip
    body = assert_problem(r, 422, "invalid_iban")
    assert body["reason"] == "checksum_digits"
    assert body["title"].startswith("Cet IBAN n\u2019est pas valide")
    r = await stage.api.client.put(
        "/api/v1/me/payout-method", json=momo("+250 252 123 456"), headers=stage.owner.headers
    )
    assert assert_problem(r, 422, "invalid_phone")["reason"] == "not_mobile"
