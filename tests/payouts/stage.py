"""The stage of the payouts tests: a euro cooperative with its owner, a host, two producers
(the first linked to a farmer's account), a co-host, and the test ledger wired in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from livebazaar.accounts import Role
from livebazaar.payouts import Party, PartyType
from tests.factories import grant, make_shop
from tests.payouts.ledger_fake import TableLedger, install
from tests.support import Account, Api

# Valid IBANs (ISO 7064 and national check digits) and a mobile number of each kind.
SHOP_IBAN = "DE89370400440532013000"  # Commerzbank: schwifty finds its BIC
FARMER_IBAN = "FR7630006000011234567890189"
SECOND_IBAN = "NL91ABNA0417164300"
BELGIAN_IBAN = "BE68539007547034"  # no BIC in schwifty's registry; SEPA needs none
MAURITIUS_IBAN = "MU17BOMM0101101030300200000MUR"  # outside SEPA
RWANDA_MOBILE = "+250788123456"


@dataclass(frozen=True)
class Stage:
    api: Api
    ledger: TableLedger
    owner: Account
    host: Account
    farmer: Account  # holds the producer role; linked to `producer`
    other_member: Account  # holds the producer role; linked to nobody
    cohost: Account
    shop_id: str
    producer_id: str
    second_producer_id: str

    @property
    def shop(self) -> Party:
        return Party(PartyType.SHOP, self.shop_id)

    @property
    def producer(self) -> Party:
        return Party(PartyType.PRODUCER, self.producer_id)

    @property
    def second_producer(self) -> Party:
        return Party(PartyType.PRODUCER, self.second_producer_id)

    @property
    def cohost_party(self) -> Party:
        return Party(PartyType.USER, self.cohost.user_id)

    async def put(self, path: str, body: Any, who: Account, status: int = 200) -> Any:
        r = await self.api.client.put(path, json=body, headers=who.headers)
        assert r.status_code == status, r.text
        return r.json()

    async def get(self, path: str, who: Account, status: int = 200) -> Any:
        r = await self.api.client.get(path, headers=who.headers)
        assert r.status_code == status, r.text
        return r.json()


def bank(iban: str, holder: str = "Uwimana Clémentine", bic: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"kind": "bank", "holder": holder, "iban": iban}
    if bic is not None:
        body["bic"] = bic
    return body


def momo(phone: str = RWANDA_MOBILE, provider: str = "MTN MoMo") -> dict[str, Any]:
    return {"kind": "mobile_money", "phone": phone, "provider": provider}


async def set_stage(api: Api, currency: str = "EUR") -> Stage:
    c = api.container
    ledger = await install(c)
    owner, host, farmer = (
        await api.account("Owner"),
        await api.account("Host"),
        await api.account("Farmer"),
    )
    other, cohost = await api.account("Other farmer"), await api.account("Cohost")
    shop_id = await make_shop(c, owner, name="Kivu Coffee", country="DE", currency=currency)
    await grant(c, shop_id, host, Role.HOST)
    for member in (farmer, other):
        await grant(c, shop_id, member, Role.PRODUCER)
    ids = []
    for name in ("Uwimana Clémentine", "Habimana Jean"):
        r = await api.client.post(
            f"/api/v1/shops/{shop_id}/producers", json={"name": name}, headers=owner.headers
        )
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    r = await api.client.put(
        f"/api/v1/producers/{ids[0]}/account",
        json={"user_id": farmer.user_id},
        headers=owner.headers,
    )
    assert r.status_code == 200, r.text
    return Stage(api, ledger, owner, host, farmer, other, cohost, shop_id, ids[0], ids[1])
