"""The authorization matrix: who may call each endpoint that needs a role in a shop or a show.

Each row is plain data: method, path template, body, which callers may, and what success and
refusal look like. Every row is tried by every caller against one fresh world:

- anonymous:       no token (always 401 not_authenticated)
- buyer:           an account with no role anywhere; the orders the rows name are its own
- producer:        holds the producer role in shop X
- moderator:       holds the moderator role in shop X
- foreign_host:    host of shop Y, acting on shop X
- cohost:          no role in shop X; accepted co-host of the row's show, with no grant
- granted_cohost:  the same, granted every grant by the owner
- cohost_other_grants: the same, granted every grant but the one the row's power needs
                   (tests/authz_makers.py)
- sibling_cohost:  no role in shop X; accepted co-host, with every grant, of another show of X
- host, owner:     their roles in shop X
- admin:           a platform admin (no membership)

A row about a show names its `powers` (live/powers.py): who may is then read off the role
table, `live.RULES`, here and independently of the code that enforces it, and so is what a
refused co-host hears (grant_required, or shop_host_required for what co-hosts never do). The
table is docs/roles.md too: tests/test_role_table.py keeps them equal.

Refused callers go first and must change nothing: the row's `probe` (a GET, read as the
owner) reads the same after them, and so does every row of every table and every show's
channel. Then the allowed callers each get the success status. A refusal is `denied`, unless
`denied_as` names another answer for a caller (an order's host may see it but not refund it).

To add rows for another feature: append `Row(...)`s to ROWS; if a path names a new
placeholder such as `{show_id}`, add one maker for it to MAKERS in tests/authz_makers.py.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select

from livebazaar.accounts import Role, do_register
from livebazaar.bootstrap import all_metadata
from livebazaar.live import RULES, Grant, Power, show_topic
from livebazaar.payments.test_provider import CARD_APPROVE
from livebazaar.web.routes import ROUTERS
from livebazaar.web.routes import system as system_routes
from tests.authz_makers import World, need
from tests.factories import grant, make_product, make_shop
from tests.support import SHIP_TO, Account, Api

CALLERS = (
    "anonymous", "buyer", "producer", "moderator", "foreign_host", "cohost", "granted_cohost",
    "cohost_other_grants", "sibling_cohost", "host", "owner", "admin",
)  # fmt: skip
SIGNED_IN = frozenset(CALLERS) - {"anonymous"}
EDITORS = frozenset({"owner", "host", "admin"})
OWNERS = frozenset({"owner", "admin"})
MEMBERS = frozenset({"owner", "host", "producer", "moderator", "admin"})
ORDER_VIEWERS = frozenset({"buyer", "host", "owner", "admin"})
PLATFORM_ADMINS = frozenset({"admin"})
ROW_COHOSTS = frozenset({"cohost", "granted_cohost", "cohost_other_grants"})
# Each caller's roles in shop X (the table's columns).
SHOP_ROLES = {"owner": Role.OWNER, "host": Role.HOST, "moderator": Role.MODERATOR,
              "producer": Role.PRODUCER}  # fmt: skip

ROLE_REQUIRED = (403, "role_required")
NOT_SHOW_HOST = (403, "not_show_host")
NOT_MODERATOR = (403, "not_moderator")
GRANT_REQUIRED = (403, "grant_required")
SHOP_HOST_REQUIRED = (403, "shop_host_required")
ORDER_HIDDEN = (404, "order_not_found")  # its existence is not revealed

SHOW = "/api/v1/shows/{show_id}"
SCHEDULED = "/api/v1/shows/{scheduled_show_id}"
CHAT = "/api/v1/shows/{show_id}/chat"
DROP = "/api/v1/drops/{drop_id}"
ORDER = "/api/v1/orders/{order_id}"
PAID_ORDER = "/api/v1/orders/{paid_order_id}"
SHOP_METHOD = "/api/v1/shops/{shop_id}/payout-method"
LINKED_METHOD = "/api/v1/producers/{linked_producer_id}/payout-method"
PAYOUT_SETTINGS = "/api/v1/shops/{shop_id}/payout-settings"
BATCH = "/api/v1/payout-batches/{payout_batch_id}"
PAYOUT_BANK = {"kind": "bank", "holder": "Shop X", "iban": "DE89 3704 0044 0532 0130 00"}
NEW_SHOW = {"shop_id": "{shop_id}", "title": "Evening harvest",
            "scheduled_at": "2031-05-01T18:00:00Z", "lineup": ["{product_id}"]}  # fmt: skip
LIST_PRICE = 19900  # tests/factories.make_product's
NEW_DROP = {"product_id": "{product_id}", "quantity": 5, "per_buyer_limit": 1, "duration_s": 300,
            "price": {"amount_minor": LIST_PRICE, "currency": "CNY"}}  # fmt: skip
DISCOUNT_DROP = {**NEW_DROP, "price": {"amount_minor": 9900, "currency": "CNY"}}


def may(caller: str, power: Power, grants: frozenset[Grant]) -> bool:
    """Whether the role table lets `caller` (with `grants` if a co-host of the row's show)."""
    rule = RULES[power]
    if caller == "admin" or SHOP_ROLES.get(caller) in rule.roles:
        return True
    if caller not in ROW_COHOSTS or rule.shop_wide:
        return False
    return rule.cohost is True or rule.cohost in grants


def grants_of(caller: str, lacking: Grant | None) -> frozenset[Grant]:
    every = frozenset(Grant)
    if caller == "granted_cohost" or (caller == "cohost_other_grants" and lacking is None):
        return every
    return every - {lacking} if caller == "cohost_other_grants" else frozenset()


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # placeholders: {shop_id} {product_id} {show_id} {drop_id} {order_id} ...
    body: Any = None
    allowed_callers: frozenset[str] = EDITORS  # when `powers` is empty
    ok: int = 200
    denied: tuple[int, str] = ROLE_REQUIRED
    probe: str | None = None  # a GET that a refused call must leave unchanged
    denied_as: Mapping[str, tuple[int, str]] = field(default_factory=dict)
    powers: tuple[Power, ...] = ()  # what the caller needs, all of them (the table's rows)
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}{f' ({self.label})' if self.label else ''}"

    @property
    def lacking(self) -> Grant | None:
        """The grant `cohost_other_grants` goes without: the last power's, if it takes one."""
        needed = RULES[self.powers[-1]].cohost if self.powers else None
        return needed if isinstance(needed, Grant) else None

    @property
    def allowed(self) -> frozenset[str]:
        if not self.powers:
            return self.allowed_callers
        return frozenset(
            caller
            for caller in CALLERS
            if all(may(caller, p, grants_of(caller, self.lacking)) for p in self.powers)
        )

    def refusal(self, caller: str) -> tuple[int, str]:
        if caller in self.denied_as:
            return self.denied_as[caller]
        if caller in ROW_COHOSTS and self.powers:
            missing = next(
                p for p in self.powers if not may(caller, p, grants_of(caller, self.lacking))
            )
            rule = RULES[missing]
            if isinstance(rule.cohost, Grant):
                return GRANT_REQUIRED
            if not rule.shop_wide:
                return SHOP_HOST_REQUIRED
        return self.denied


ROWS: list[Row] = [
    # accounts
    Row("GET", "/api/v1/shops/{shop_id}/members", allowed_callers=MEMBERS),
    Row("POST", "/api/v1/shops/{shop_id}/members",
        {"email": "{newcomer_email}", "role": "host"}, allowed_callers=OWNERS, ok=201),
    # catalog: shops and producers
    Row("POST", "/api/v1/shops", {"name": "Mine", "country": "RW", "currency": "RWF"},
        allowed_callers=SIGNED_IN, ok=201),
    Row("PATCH", "/api/v1/shops/{shop_id}", {"description": "Edited", "shelf_per_buyer_limit": 3},
        probe="/api/v1/shops/{shop_id}"),
    Row("POST", "/api/v1/shops/{shop_id}/producers", {"name": "Farmer"}, ok=201,
        probe="/api/v1/shops/{shop_id}/producers"),
    Row("PATCH", "/api/v1/producers/{producer_id}", {"bio": "Edited"},
        probe="/api/v1/shops/{shop_id}/producers"),
    # catalog: products (list prices are the shop's: no co-host ever sets one)
    Row("POST", "/api/v1/shops/{shop_id}/products",
        {"title": "Studs", "price": {"amount_minor": 5900, "currency": "CNY"}, "stock": 3},
        ok=201, probe="/api/v1/shops/{shop_id}/products"),
    Row("PATCH", "/api/v1/products/{product_id}", {"title": "Edited"},
        probe="/api/v1/products/{product_id}"),
    Row("PUT", "/api/v1/products/{product_id}/revenue-shares",
        [{"producer_id": "{producer_id}", "bps": 10000}], probe="/api/v1/products/{product_id}"),
    Row("POST", "/api/v1/products/{product_id}/images", {"url": "/static/new.svg", "alt": "new"},
        ok=201, probe="/api/v1/products/{product_id}"),
    Row("PUT", "/api/v1/variants/{variant_id}/stock", {"quantity": 7},
        probe="/api/v1/products/{product_id}"),
    Row("PATCH", "/api/v1/variants/{variant_id}", {"price_minor": 25900},
        probe="/api/v1/products/{product_id}"),
    # live: running a show (docs/roles.md: who holds each power is the role table's)
    Row("POST", "/api/v1/shows", NEW_SHOW, ok=201, probe="/api/v1/shows",
        powers=(Power.SCHEDULE_SHOW,)),
    Row("POST", "/api/v1/shows/{scheduled_show_id}/start", denied=NOT_SHOW_HOST,
        probe="/api/v1/shows/{scheduled_show_id}", powers=(Power.START_SHOW,)),
    Row("POST", SHOW + "/end", denied=NOT_SHOW_HOST, probe=SHOW, powers=(Power.END_SHOW,)),
    # media: a new stream key (the old one stops working) for OBS and apps
    Row("POST", SHOW + "/stream-key", ok=201, denied=NOT_SHOW_HOST,
        powers=(Power.STREAM_KEY,)),
    Row("POST", SHOW + "/pin", {"product_id": "{product_id}"}, denied=NOT_SHOW_HOST,
        probe=SHOW, powers=(Power.PIN,)),
    Row("PUT", SHOW + "/lineup", [], denied=NOT_SHOW_HOST, probe=SHOW,
        powers=(Power.EDIT_LINEUP,)),
    # inviting co-hosts is the shop's business: a co-host may not hand their powers on
    Row("POST", SHOW + "/cohosts", {"email": "{newcomer_email}"}, ok=201,
        denied=NOT_SHOW_HOST, powers=(Power.INVITE_COHOSTS,)),
    # only the invited buyer accepts; the co-hosts accepted before (answered again, unchanged)
    Row("POST", "/api/v1/shows/{invited_show_id}/cohosts/accept",
        allowed_callers=frozenset({"buyer"}) | ROW_COHOSTS, denied=(404, "invite_not_found"),
        probe="/api/v1/shows/{invited_show_id}"),
    # ... or declines it; a co-host who accepted cannot decline any more
    Row("POST", "/api/v1/shows/{invited_show_id}/cohosts/decline",
        allowed_callers=frozenset({"buyer"}), denied=(404, "invite_not_found"),
        denied_as=dict.fromkeys(ROW_COHOSTS, (409, "invite_already_answered")),
        probe="/api/v1/shows/{invited_show_id}/cohosts"),
    # the invitations' states and withdrawing one are the shop's business too
    Row("GET", SHOW + "/cohosts", denied=NOT_SHOW_HOST, powers=(Power.INVITE_COHOSTS,)),
    Row("DELETE", "/api/v1/shows/{invited_show_id}/cohosts/{invitee_id}", ok=204,
        denied=NOT_SHOW_HOST, probe="/api/v1/shows/{invited_show_id}/cohosts",
        powers=(Power.INVITE_COHOSTS,)),
    # what a co-host may do beyond presenting is the shop owner's to give
    Row("PUT", SHOW + "/cohosts/{cohost_id}/grants", {"grants": ["drops"]},
        probe=SHOW + "/cohosts", powers=(Power.GRANT_COHOSTS,)),
    # each signed-in person reads their own invitations
    Row("GET", "/api/v1/me/cohost-invites", allowed_callers=SIGNED_IN),
    # live: the audience (anyone signed in)
    Row("POST", CHAT, {"text": "Lovely lustre"}, allowed_callers=SIGNED_IN, ok=201, probe=CHAT),
    Row("POST", SHOW + "/reactions", {"kind": "heart"}, allowed_callers=SIGNED_IN, ok=202,
        probe=SHOW),
    # live: reminders, each signed-in viewer their own, on a scheduled show
    Row("PUT", SCHEDULED + "/reminder", allowed_callers=SIGNED_IN, ok=201, probe=SCHEDULED),
    Row("DELETE", SCHEDULED + "/reminder", allowed_callers=SIGNED_IN, ok=204, probe=SCHEDULED),
    # live: the host's live panel
    Row("GET", SHOW + "/stats", denied=NOT_MODERATOR, powers=(Power.SEE_STATS,)),
    # live: moderation in the show (a co-host's mute stays in it), and across the shop
    Row("DELETE", CHAT + "/{message_id}", ok=204, denied=NOT_MODERATOR, probe=CHAT,
        powers=(Power.MODERATE_CHAT,)),
    Row("POST", SHOW + "/mutes", {"user_id": "{newcomer_id}", "minutes": 10}, ok=201,
        denied=NOT_MODERATOR, powers=(Power.MODERATE_CHAT,)),
    Row("POST", SHOW + "/bans", {"user_id": "{newcomer_id}"}, ok=201, denied=NOT_MODERATOR,
        powers=(Power.SANCTION_SHOP,)),
    Row("DELETE", SHOW + "/sanctions/{newcomer_id}", denied=NOT_MODERATOR,
        powers=(Power.MODERATE_CHAT,)),
    Row("GET", SHOW + "/sanctions", denied=NOT_MODERATOR, powers=(Power.MODERATE_CHAT,)),
    Row("PUT", SHOW + "/slow-mode", {"seconds": 30}, denied=NOT_MODERATOR, probe=SHOW,
        powers=(Power.MODERATE_CHAT,)),
    Row("PUT", "/api/v1/shops/{shop_id}/blocked-words", ["knockoff"],
        powers=(Power.BLOCKED_WORDS,)),
    # checkout: drops (at the list price, or another with `prices`); anyone claims and buys
    Row("POST", SHOW + "/drops", NEW_DROP, ok=201, denied=NOT_SHOW_HOST, probe=SHOW,
        powers=(Power.RUN_DROPS,), label="at the list price"),
    Row("POST", SHOW + "/drops", DISCOUNT_DROP, ok=201, denied=NOT_SHOW_HOST, probe=SHOW,
        powers=(Power.RUN_DROPS, Power.PRICE_DROPS), label="at another price"),
    Row("POST", DROP + "/end", denied=NOT_SHOW_HOST, probe=DROP, powers=(Power.RUN_DROPS,)),
    Row("POST", DROP + "/claims", {"quantity": 1}, allowed_callers=SIGNED_IN, ok=201,
        probe=DROP),
    Row("POST", SHOW + "/purchases", {"product_id": "{product_id}"}, allowed_callers=SIGNED_IN,
        ok=201, probe="/api/v1/products/{product_id}"),
    # what each buyer may still take from the shelf is theirs to read
    Row("GET", "/api/v1/products/{product_id}/allowance", allowed_callers=SIGNED_IN),
    # checkout and payments: the buyer's orders (the shop's owners and hosts may look)
    Row("GET", ORDER, allowed_callers=ORDER_VIEWERS, denied=ORDER_HIDDEN),
    Row("POST", ORDER + "/pay", {"card_number": CARD_APPROVE, "ship_to": SHIP_TO},
        allowed_callers=frozenset({"buyer"}), denied=ORDER_HIDDEN, probe=ORDER),
    Row("POST", ORDER + "/cancel", allowed_callers=frozenset({"buyer", "owner", "admin"}),
        denied=ORDER_HIDDEN, denied_as={"host": ROLE_REQUIRED}, probe=ORDER),
    # a paid order is cancelled (restocked) or refunded by the shop's owner only
    Row("POST", PAID_ORDER + "/cancel", allowed_callers=OWNERS, denied=ORDER_HIDDEN,
        denied_as={"host": ROLE_REQUIRED, "buyer": (409, "order_not_cancellable")},
        probe=PAID_ORDER),
    Row("POST", PAID_ORDER + "/refund", allowed_callers=OWNERS, denied=ORDER_HIDDEN,
        denied_as={"host": ROLE_REQUIRED, "buyer": ROLE_REQUIRED}, probe=PAID_ORDER),
    # after payment: the shop's owners and hosts ship; the buyer or they say it arrived
    Row("POST", PAID_ORDER + "/ship", {"carrier": "SF Express", "tracking_number": "SF123"},
        allowed_callers=EDITORS, denied=ORDER_HIDDEN, denied_as={"buyer": ROLE_REQUIRED},
        probe=PAID_ORDER),
    Row("POST", PAID_ORDER + "/deliver", allowed_callers=ORDER_VIEWERS, denied=ORDER_HIDDEN,
        probe=PAID_ORDER),
    # catalog: linking a producer to its member's account (who then sets its payout method)
    Row("PUT", "/api/v1/producers/{producer_id}/account", {"user_id": "{producer_user_id}"},
        allowed_callers=OWNERS, probe="/api/v1/shops/{shop_id}/producers"),
    # payouts: where money goes is set by its party (a person, a linked producer) or the shop's
    # owner; the shop's hosts read methods and batches masked; batches, their files and marks
    # are the owner's
    Row("PUT", "/api/v1/shops/{shop_id}/payout-method", PAYOUT_BANK, allowed_callers=OWNERS,
        probe=SHOP_METHOD),
    Row("GET", SHOP_METHOD),
    Row("PUT", LINKED_METHOD, {"kind": "cash"}, allowed_callers=OWNERS | {"producer"},
        probe=LINKED_METHOD),
    Row("GET", LINKED_METHOD, allowed_callers=EDITORS | {"producer"}),
    Row("PUT", "/api/v1/me/payout-method", {"kind": "cash"}, allowed_callers=SIGNED_IN),
    Row("GET", "/api/v1/me/payout-method", allowed_callers=SIGNED_IN),
    Row("PUT", PAYOUT_SETTINGS, {"minimum": {"amount_minor": 100, "currency": "CNY"}},
        allowed_callers=OWNERS, probe=PAYOUT_SETTINGS),
    Row("GET", PAYOUT_SETTINGS),
    Row("POST", "/api/v1/shops/{payable_shop_id}/payout-batches", allowed_callers=OWNERS, ok=201,
        probe="/api/v1/shops/{shop_id}/payout-batches"),
    Row("GET", "/api/v1/shops/{shop_id}/payout-batches"),
    Row("GET", BATCH),
    Row("GET", BATCH + "/file", allowed_callers=OWNERS),
    Row("POST", "/api/v1/payouts/{payout_id}/paid", {"reference": "BANK-1"}, allowed_callers=OWNERS,
        probe=BATCH),
    Row("POST", "/api/v1/payouts/{payout_id}/failed", {"reason": "Account closed"},
        allowed_callers=OWNERS, probe=BATCH),
    # the ledger: an order's settlement (its buyer sees the totals), balances, the books
    Row("GET", PAID_ORDER + "/settlement", allowed_callers=ORDER_VIEWERS, denied=ORDER_HIDDEN),
    Row("GET", "/api/v1/shops/{shop_id}/balance"),
    Row("GET", "/api/v1/producers/{producer_id}/balance"),
    # ... and a producer linked to the producer caller's account reads its own
    Row("GET", "/api/v1/producers/{linked_producer_id}/balance",
        allowed_callers=EDITORS | {"producer"}),
    Row("GET", "/api/v1/producers/{producer_id}/statement"),
    Row("GET", "/api/v1/producers/{linked_producer_id}/statement",
        allowed_callers=EDITORS | {"producer"}),
    Row("GET", "/api/v1/me/earnings", allowed_callers=SIGNED_IN),
    Row("GET", "/api/v1/shops/{shop_id}/trial-balance", allowed_callers=OWNERS),
    # a show's commissions: set by the shop's owners and hosts, read by whoever runs the show
    Row("GET", SHOW + "/commissions", denied=NOT_SHOW_HOST, powers=(Power.OPEN_STUDIO,)),
    Row("PUT", SHOW + "/commissions", [{"user_id": "{cohost_id}", "bps": 1000}],
        denied=NOT_SHOW_HOST, probe=SHOW + "/commissions", powers=(Power.INVITE_COHOSTS,)),
    # a shop's own platform fee: platform admins set it, the shop's owners and hosts read it
    Row("GET", "/api/v1/shops/{shop_id}/platform-fee"),
    Row("PUT", "/api/v1/shops/{shop_id}/platform-fee", {"bps": 300},
        allowed_callers=PLATFORM_ADMINS, denied=(403, "admin_required"),
        probe="/api/v1/shops/{shop_id}/platform-fee"),
    # exchange rates (display only): platform admins set them, anyone reads them
    Row("PUT", "/api/v1/exchange-rates/{base_currency}/{quote_currency}",
        {"rate": "7.1234", "source": "Test feed"}, allowed_callers=PLATFORM_ADMINS,
        denied=(403, "admin_required"), probe="/api/v1/exchange-rates"),
]  # fmt: skip

# Writes of the covered routers that act on nothing a shop owns, so need no row; and why.
NO_ROW = {
    ("POST", "/api/v1/auth/register"): "anyone may sign up",
    ("POST", "/api/v1/auth/token"): "signing in: the password is the check",
    ("POST", "/api/v1/auth/logout"): "revokes the caller's own token",
    # A buyer's own address book: tests/accounts/test_addresses.py covers anonymous callers
    # and other buyers' ids.
    ("POST", "/api/v1/me/addresses"): "the caller's own addresses",
    ("DELETE", "/api/v1/me/addresses/{address_id}"): "the caller's own addresses",
    # Multipart, which the matrix's JSON calls cannot send; the same catalog-editor check as
    # POST /products/{id}/images, tested in tests/catalog/test_picture_upload.py.
    ("POST", "/api/v1/products/{product_id}/images/upload"): "multipart: tested apart",
    ("POST", "/api/v1/payments/test/webhook"): "the provider's signature authenticates it",
    # WHIP (RFC 9725) takes an SDP body, which the matrix's JSON calls cannot send: the
    # publisher shows the stream key, or the studio's session of someone holding
    # Power.PUBLISH_VIDEO; tests/media/test_whip.py covers both, and bad and other shows' keys.
    ("POST", "/api/v1/shows/{show_id}/whip"): "SDP: the stream key or the session, tested apart",
    ("DELETE", "/api/v1/shows/{show_id}/whip/{resource}"): "the same check as its POST",
}
# Every API router but the system one (health and the benchmarks' no-op POST are open).
COVERED = [router for router in ROUTERS if router is not system_routes.router]
_admins = itertools.count(1)


async def _admin(api: Api) -> Account:
    c = api.container
    email, password = f"root.{next(_admins)}@example.org", "admin password"
    user = await do_register(
        c.db, c.passwords, c.clock, email=email, password=password, display_name="Root",
        is_admin=True,
    )  # fmt: skip
    r = await api.client.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    return Account(user_id=user.id, email=email, token=r.json()["access_token"])


async def _world(api: Api, row: Row) -> World:
    c = api.container
    names = ("buyer", "producer", "moderator", "foreign_host", "cohost", "granted_cohost",
             "cohost_other_grants", "sibling_cohost", "host", "owner", "newcomer")  # fmt: skip
    accounts = {name: await api.account(name) for name in names}
    accounts["admin"] = await _admin(api)
    shop_id = await make_shop(c, accounts["owner"])
    for name, role in [("host", Role.HOST), ("producer", Role.PRODUCER),
                       ("moderator", Role.MODERATOR)]:  # fmt: skip
        await grant(c, shop_id, accounts[name], role)
    other_shop_id = await make_shop(c, await api.account("other owner"), name="Other shop")
    await grant(c, other_shop_id, accounts["foreign_host"], Role.HOST)
    product = await make_product(c, shop_id)
    world = World(accounts, lacking=row.lacking)
    world.ids.update(
        shop_id=shop_id,
        other_shop_id=other_shop_id,
        product_id=product.id,
        variant_id=product.variant_id,
        newcomer_email=accounts["newcomer"].email,
        newcomer_id=accounts["newcomer"].user_id,
    )
    for name in sorted(_placeholders(row) - world.ids.keys()):
        await need(api, world, name)
    return world


def _placeholders(row: Row) -> set[str]:
    text = f"{row.path} {row.body!r} {row.probe or ''}"
    return set(re.findall(r"\{([a-z_]+)\}", text))


def _fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def _outcome(r: httpx.Response) -> tuple[int, str | None]:
    if r.status_code < 400:
        return r.status_code, None
    assert r.headers["content-type"].startswith("application/problem+json"), r.text
    return r.status_code, r.json()["code"]


def _expected(row: Row, caller: str) -> tuple[int, str | None]:
    if caller == "anonymous":
        return 401, "not_authenticated"
    if caller in row.allowed:
        return row.ok, None
    return row.refusal(caller)


async def _attempt(
    client: httpx.AsyncClient, row: Row, world: World, caller: str
) -> tuple[int, str | None]:
    account = world.accounts.get(caller)
    r = await client.request(
        row.method,
        _fill(row.path, world.ids),
        json=_fill(row.body, world.ids),
        headers=account.headers if account else {},
    )
    return _outcome(r)


async def _everything(api: Api, world: World) -> dict[str, Any]:
    """Every row of every table, and the last event of each of the world's show channels."""
    c = api.container
    state: dict[str, Any] = {}
    async with c.db.read() as session:
        for table in all_metadata().sorted_tables:
            state[table.name] = sorted(map(tuple, await session.execute(select(table))), key=repr)
    for name, show_id in world.ids.items():
        if name.endswith("show_id"):
            state[f"channel of {name}"] = await c.broker.last_seq(show_topic(show_id))
    return state


async def _probe(client: httpx.AsyncClient, row: Row, world: World) -> Any:
    if row.probe is None:
        return None
    r = await client.get(_fill(row.probe, world.ids), headers=world.accounts["owner"].headers)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
async def test_only_the_allowed_callers_may(row: Row, api: Api, client: httpx.AsyncClient) -> None:
    # Given a shop X with members of every role, co-hosts, a host of shop Y, and an admin
    world = await _world(api, row)
    seen, stored = await _probe(client, row, world), await _everything(api, world)
    observed: dict[str, tuple[int, str | None]] = {}
    # When each refused caller tries the endpoint
    for caller in (c for c in CALLERS if c not in row.allowed):
        observed[caller] = await _attempt(client, row, world, caller)
    # Then none of them changed anything: not what a client sees, not a row, not an event
    assert await _probe(client, row, world) == seen
    assert await _everything(api, world) == stored
    # And each allowed caller succeeds (in a fresh world, so "only once" actions count too)
    for caller in (c for c in CALLERS if c in row.allowed):
        observed[caller] = await _attempt(client, row, await _world(api, row), caller)
    assert observed == {caller: _expected(row, caller) for caller in CALLERS}


def _shape(method: str, path: str) -> tuple[str, str]:
    """A route's method and path with its placeholders' names left out."""
    return method, re.sub(r"\{[a-z_]+\}", "{}", path)


def test_every_write_endpoint_of_the_covered_routers_has_a_row() -> None:
    # Given every write of every API router (a new router is covered without listing it)
    writes = {
        _shape(method, route.path)
        for router in COVERED
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in (route.methods or set()) - {"GET", "HEAD"}
    }
    exempt = {_shape(method, path) for method, path in NO_ROW}
    # Then each is a row of the matrix, or exempt for a stated reason that still applies
    assert exempt <= writes
    assert writes - exempt - {_shape(row.method, row.path) for row in ROWS} == set()
