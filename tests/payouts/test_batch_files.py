"""A batch's files, parsed back: the CSV a treasurer opens in a spreadsheet (no cell runs as
a formula) and the SEPA credit transfer (pain.001) XML a bank takes (amounts, IBANs, their
sum and count, the debtor's account)."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path
from typing import Any

import sepaxml
import xmlschema

from livebazaar.payouts.batch_csv import HEADER
from tests.payouts.ledger_fake import earn
from tests.payouts.stage import (
    BELGIAN_IBAN,
    FARMER_IBAN,
    SECOND_IBAN,
    SHOP_IBAN,
    Stage,
    bank,
    momo,
    set_stage,
)
from tests.support import Api, assert_problem

NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
SCHEMA = Path(sepaxml.__file__).parent / "schemas"  # the XSDs sepaxml ships


def _parse(xml: bytes) -> ET.Element:
    return ET.fromstring(xml)  # noqa: S314 (the file the app under test just made)


async def _euro_batch(stage: Stage, *, shop_bank: bool = True) -> dict[str, Any]:
    """The shop (its own account the debtor), both producers and the co-host paid by bank."""
    c = stage.api.container
    if shop_bank:
        await stage.put(
            f"/api/v1/shops/{stage.shop_id}/payout-method",
            bank(SHOP_IBAN, "Kivu Coffee Cooperative"),
            stage.owner,
        )
    await stage.put(
        f"/api/v1/producers/{stage.producer_id}/payout-method",
        bank(FARMER_IBAN, "Uwimana Clémentine"),
        stage.owner,
    )
    await stage.put(
        f"/api/v1/producers/{stage.second_producer_id}/payout-method",
        bank(SECOND_IBAN, '=HYPERLINK("http://evil")'),
        stage.owner,
    )
    await stage.put("/api/v1/me/payout-method", bank(BELGIAN_IBAN, "Cohost"), stage.cohost)
    await earn(c, stage.shop_id, stage.producer, 123_456, "EUR")
    await earn(c, stage.shop_id, stage.second_producer, 10_001, "EUR")
    await earn(c, stage.shop_id, stage.cohost_party, 2_550, "EUR")
    r = await stage.api.client.post(
        f"/api/v1/shops/{stage.shop_id}/payout-batches", headers=stage.owner.headers
    )
    assert r.status_code == 201, r.text
    batch: dict[str, Any] = r.json()
    return batch


async def _file(stage: Stage, batch_id: str, fmt: str, status: int = 200) -> Any:
    r = await stage.api.client.get(
        f"/api/v1/payout-batches/{batch_id}/file?format={fmt}", headers=stage.owner.headers
    )
    if status != 200:
        return r
    assert r.status_code == 200, r.text
    return r


async def test_the_sepa_file_lists_every_pending_transfer_from_the_shop_s_account(
    stage: Stage,
) -> None:
    batch = await _euro_batch(stage)
    r = await _file(stage, batch["id"], "sepa")
    assert r.headers["content-type"] == "application/xml"
    assert r.headers["content-disposition"].endswith('.xml"')
    # The file passes the pain.001.001.03 schema (checked again here, apart from sepaxml)
    xmlschema.XMLSchema(str(SCHEMA / "pain.001.001.03.xsd")).validate(r.text)
    root = _parse(r.content)
    header = root.find("p:CstmrCdtTrfInitn/p:GrpHdr", NS)
    assert header is not None
    transfers = root.findall(".//p:CdtTrfTxInf", NS)
    # Each payout is one transfer: its amount in euros, to its IBAN, keyed by its id
    got = {
        t.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS): (
            Decimal(t.findtext("p:Amt/p:InstdAmt", namespaces=NS) or ""),
            t.find("p:Amt/p:InstdAmt", NS).get("Ccy"),  # type: ignore[union-attr]
            t.findtext("p:PmtId/p:EndToEndId", namespaces=NS),
        )
        for t in transfers
    }
    ids = {p["method"]["iban"]: p["id"].replace("-", "") for p in batch["payouts"]}
    assert got == {
        FARMER_IBAN: (Decimal("1234.56"), "EUR", ids[FARMER_IBAN]),
        SECOND_IBAN: (Decimal("100.01"), "EUR", ids[SECOND_IBAN]),
        BELGIAN_IBAN: (Decimal("25.50"), "EUR", ids[BELGIAN_IBAN]),
    }
    # The header and the payment block count them and add them up
    assert header.findtext("p:NbOfTxs", namespaces=NS) == "3"
    assert Decimal(header.findtext("p:CtrlSum", namespaces=NS) or "") == Decimal("1360.07")
    block = root.find(".//p:PmtInf", NS)
    assert block is not None
    assert block.findtext("p:NbOfTxs", namespaces=NS) == "3"
    assert Decimal(block.findtext("p:CtrlSum", namespaces=NS) or "") == Decimal("1360.07")
    # The money leaves the shop's own account
    assert block.findtext("p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == SHOP_IBAN
    assert block.findtext("p:DbtrAgt/p:FinInstnId/p:BIC", namespaces=NS) == "COBADEFFXXX"
    assert block.findtext("p:Dbtr/p:Nm", namespaces=NS) == "Kivu Coffee Cooperative"


async def test_paid_payouts_leave_the_sepa_file_and_then_there_is_none(stage: Stage) -> None:
    batch = await _euro_batch(stage)
    first, *rest = batch["payouts"]
    r = await stage.api.client.post(
        f"/api/v1/payouts/{first['id']}/paid", json={"reference": "R1"}, headers=stage.owner.headers
    )
    assert r.status_code == 200
    root = _parse((await _file(stage, batch["id"], "sepa")).content)
    assert len(root.findall(".//p:CdtTrfTxInf", NS)) == len(rest)
    for payout in rest:
        r = await stage.api.client.post(
            f"/api/v1/payouts/{payout['id']}/failed",
            json={"reason": "x"},
            headers=stage.owner.headers,
        )
        assert r.status_code == 200
    assert_problem(await _file(stage, batch["id"], "sepa", 409), 409, "no_pending_payouts")


async def test_the_csv_has_every_payout_and_no_cell_a_spreadsheet_would_run(
    stage: Stage,
) -> None:
    batch = await _euro_batch(stage)
    r = await _file(stage, batch["id"], "csv")
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert tuple(rows[0]) == HEADER
    by_iban = {row[HEADER.index("iban")]: dict(zip(HEADER, row, strict=True)) for row in rows[1:]}
    assert set(by_iban) == {FARMER_IBAN, SECOND_IBAN, BELGIAN_IBAN}
    farmer = by_iban[FARMER_IBAN]
    assert (farmer["party_name"], farmer["amount"], farmer["currency"], farmer["status"]) == (
        "Uwimana Clémentine",
        "1234.56",
        "EUR",
        "pending",
    )
    assert farmer["bic"] == "AGRIFRPPXXX"
    # The holder typed as a formula reaches the spreadsheet as text
    assert by_iban[SECOND_IBAN]["holder"] == '\'=HYPERLINK("http://evil")'
    # And every cell is quoted
    assert r.content.decode("utf-8-sig").startswith('"payout_id","party_type"')


async def test_no_sepa_file_when_a_payout_is_not_a_euro_bank_transfer(stage: Stage) -> None:
    c = stage.api.container
    await stage.put(f"/api/v1/shops/{stage.shop_id}/payout-method", bank(SHOP_IBAN), stage.owner)
    await stage.put(f"/api/v1/producers/{stage.producer_id}/payout-method", momo(), stage.owner)
    await earn(c, stage.shop_id, stage.producer, 5_000, "EUR")
    r = await stage.api.client.post(
        f"/api/v1/shops/{stage.shop_id}/payout-batches", headers=stage.owner.headers
    )
    batch_id = r.json()["id"]
    assert_problem(await _file(stage, batch_id, "sepa", 409), 409, "sepa_not_possible")
    # The CSV serves: the mobile-money agent's list
    rows = list(
        csv.reader(io.StringIO((await _file(stage, batch_id, "csv")).text.lstrip("\ufeff")))
    )
    assert rows[1][HEADER.index("phone")] == "+250788123456"


async def test_no_sepa_file_without_the_shop_s_own_bank_account(stage: Stage) -> None:
    batch = await _euro_batch(stage, shop_bank=False)
    r = await _file(stage, batch["id"], "sepa", 409)
    assert_problem(r, 409, "shop_bank_account_required")


async def test_no_sepa_file_for_another_currency(api: Api) -> None:
    stage = await set_stage(api, currency="RWF")
    await stage.put(f"/api/v1/shops/{stage.shop_id}/payout-method", bank(SHOP_IBAN), stage.owner)
    await stage.put(
        f"/api/v1/producers/{stage.producer_id}/payout-method", bank(FARMER_IBAN), stage.owner
    )
    await earn(api.container, stage.shop_id, stage.producer, 50_000, "RWF")
    r = await api.client.post(
        f"/api/v1/shops/{stage.shop_id}/payout-batches", headers=stage.owner.headers
    )
    assert r.json()["total"]["amount_minor"] == 50_000
    assert_problem(await _file(stage, r.json()["id"], "sepa", 409), 409, "sepa_not_possible")


async def test_only_the_owner_downloads_the_files(stage: Stage) -> None:
    batch = await _euro_batch(stage)
    for who in (stage.host, stage.farmer):
        r = await stage.api.client.get(
            f"/api/v1/payout-batches/{batch['id']}/file", headers=who.headers
        )
        assert_problem(r, 403, "role_required")
    r = await stage.api.client.get(
        f"/api/v1/payout-batches/{batch['id']}/file?format=pdf", headers=stage.owner.headers
    )
    assert_problem(r, 422, "validation_failed")
