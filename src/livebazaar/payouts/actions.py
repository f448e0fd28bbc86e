"""Setting payout methods and a shop's payout rules. Each action commits its own unit of work.
(Batches and their payouts: batches.py.)"""

from __future__ import annotations

from livebazaar.accounts import Actor, check_shop_role
from livebazaar.catalog import get_shop
from livebazaar.kernel.clock import Clock
from livebazaar.kernel.db import Database
from livebazaar.kernel.money import Money, MoneyOut
from livebazaar.payouts.errors import MinimumCurrencyMismatch
from livebazaar.payouts.ledger_seam import Party
from livebazaar.payouts.methods import CASH, MethodSnapshot, bank_account, mobile_money
from livebazaar.payouts.models import PayoutMethod, PayoutSettings
from livebazaar.payouts.queries import OWNER, check_method_writer, get_method
from livebazaar.payouts.schemas import (
    BankAccountIn,
    MethodOut,
    MobileMoneyIn,
    PartyOut,
    PayoutMethodIn,
    PayoutMethodOut,
    PayoutSettingsIn,
    PayoutSettingsOut,
)


def checked_method(data: PayoutMethodIn) -> MethodSnapshot:
    """The method as stored: IBAN compact, BIC found or checked, phone in E.164; or
    InvalidIban, InvalidBic, BicRequired, InvalidPhone (methods.py has the rules)."""
    if isinstance(data, BankAccountIn):
        return bank_account(data.holder, data.iban, data.bic)
    if isinstance(data, MobileMoneyIn):
        return mobile_money(data.phone, data.provider)
    return CASH


async def do_set_payout_method(
    db: Database, clock: Clock, actor: Actor, party: Party, data: PayoutMethodIn
) -> PayoutMethodOut:
    """Set where the party's money goes from now on. Payouts already made keep the method
    they copied; the next batch uses this one."""
    async with db.uow() as uow:
        await check_method_writer(uow.session, actor, party)
        method = checked_method(data)
        # Two first settings at once would both insert: the second waits, then updates.
        await uow.lock_name(f"payout-method:{party.type}:{party.id}")
        row = await get_method(uow.session, party)
        if row is None:
            row = PayoutMethod(party_type=party.type, party_id=party.id)
            uow.session.add(row)
        row.kind, row.holder, row.iban = method.kind, method.holder, method.iban
        row.bic, row.phone, row.provider = method.bic, method.phone, method.provider
        row.updated_by, row.updated_at = actor.user_id, clock.now()
        await uow.commit()
    return PayoutMethodOut(
        party=PartyOut.of(party), method=MethodOut.of(method, full=True),
        updated_at=row.updated_at,
    )  # fmt: skip


async def do_set_payout_settings(
    db: Database, clock: Clock, actor: Actor, shop_id: str, data: PayoutSettingsIn
) -> PayoutSettingsOut:
    """The shop's owner sets its minimum payout, in the shop's currency."""
    async with db.uow() as uow:
        shop = await get_shop(uow.session, shop_id)
        await check_shop_role(uow.session, actor, shop_id, OWNER)
        if data.minimum.currency != shop.currency:
            raise MinimumCurrencyMismatch()
        await uow.lock_name(f"payout-settings:{shop_id}")
        row = await uow.session.get(PayoutSettings, shop_id)
        if row is None:
            row = PayoutSettings(shop_id=shop_id)
            uow.session.add(row)
        row.minimum_minor, row.currency = data.minimum.amount_minor, data.minimum.currency
        row.updated_at = clock.now()
        await uow.commit()
    minimum = Money(data.minimum.amount_minor, data.minimum.currency)
    return PayoutSettingsOut(shop_id=shop_id, minimum=MoneyOut.of(minimum), is_default=False)
