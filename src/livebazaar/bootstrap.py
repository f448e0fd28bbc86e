"""Composition root: Settings -> adapters -> the container the app and the workers share.

Tests build their container here too, passing a ManualClock or other real adapters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from redis.asyncio import BlockingConnectionPool, Redis
from sqlalchemy import MetaData

from livebazaar.accounts import ActorCache, Passwords
from livebazaar.broker import Broker
from livebazaar.broker.selection import broker_from_url
from livebazaar.checkout import DROPS_CLOSED, HOLDS_CLOSED, HoldQueue, HotStock, RedisHotStock
from livebazaar.fx import RATES_CHANGED, RateCache
from livebazaar.kernel.clock import Clock, SystemClock
from livebazaar.kernel.db import Base, Database
from livebazaar.kernel.deployment_secrets import TEST_PAYMENTS_WEBHOOK, do_ensure_secret
from livebazaar.kernel.ratelimit import RateLimiter, SlidingWindowLimiter
from livebazaar.kernel.ratelimit_redis import RedisRateLimiter
from livebazaar.ledger import LedgerPayouts, SaleTerms
from livebazaar.live import InProcessViewerTally, ViewerTally, viewer_tally_from_url
from livebazaar.media import LocalSegmentStore, MediaService, SegmentStore, segment_store_from_url
from livebazaar.payments import PaymentProvider, TestPaymentProvider
from livebazaar.payouts import (
    ManualPayoutProvider,
    PayoutLedger,
    PayoutProvider,
    TestPayoutProvider,
)
from livebazaar.settings import Settings


def all_metadata() -> MetaData:
    """Import every feature's tables so the metadata (and Alembic) sees the whole schema."""
    import livebazaar.accounts.models
    import livebazaar.catalog.models
    import livebazaar.checkout.models
    import livebazaar.fx.models
    import livebazaar.inventory.models
    import livebazaar.kernel.deployment_secrets
    import livebazaar.kernel.idempotency
    import livebazaar.ledger.models
    import livebazaar.live.models
    import livebazaar.media.models
    import livebazaar.payments.models
    import livebazaar.payouts.models  # noqa: F401

    return Base.metadata


@dataclass
class Container:
    settings: Settings
    db: Database
    broker: Broker
    clock: Clock
    passwords: Passwords
    holds: HoldQueue  # live purchases; drop claims too unless hotstock is elsewhere
    hotstock: HotStock  # where drop claims are admitted (settings.hotstock_url)
    actors: ActorCache
    store: SegmentStore
    media: MediaService
    rates: RateCache  # the fresh exchange rates, in memory (settings.fx_cache_ttl_s)
    # What payouts read available balances from and post to (payouts/ledger_seam.py): the
    # ledger's adapter (ledger/payouts.py); tests may put their own in its place.
    payout_ledger: PayoutLedger
    payment_providers: dict[str, PaymentProvider] = field(default_factory=dict)
    payout_providers: dict[str, PayoutProvider] = field(default_factory=dict)
    # Where rate limits are counted when they are shared (settings.ratelimit_url), else None.
    ratelimit_redis: Redis | None = None
    _limiters: dict[str, RateLimiter] = field(default_factory=dict, init=False, repr=False)
    # Where the nodes add up their viewer counts (settings.viewers_url / a Redis broker_url).
    viewers: ViewerTally = field(default_factory=InProcessViewerTally)
    # The platform's terms for the ledger's split of each paid order (settings).
    sale_terms: SaleTerms = field(default_factory=SaleTerms)

    def limiter(self, name: str, limit: int, window_s: float = 10.0) -> RateLimiter:
        """The `name`d per-key limiter ("claim", "chat", ...: `limit` hits per key in any
        `window_s`), made on first use and then the same one for every app and socket on this
        container: in Redis, shared by every node, when settings.ratelimit_url is set; in this
        process otherwise."""
        limiter = self._limiters.get(name)
        if limiter is None:
            if self.ratelimit_redis is None:
                limiter = SlidingWindowLimiter(limit, window_s=window_s)
            else:
                prefix = f"{self.settings.broker_prefix}:ratelimit:{name}"
                limiter = RedisRateLimiter(self.ratelimit_redis, prefix, limit, window_s=window_s)
            self._limiters[name] = limiter
        return limiter

    async def start(self) -> None:
        """What needs the (migrated) database before serving: the deployment's generated
        secrets, made on its first start and the same for every worker and node after."""
        test = self.payment_providers.get("test")
        if isinstance(test, TestPaymentProvider) and not test.has_secret:
            test.use_secret(await do_ensure_secret(self.db, self.clock, TEST_PAYMENTS_WEBHOOK))

    async def close(self) -> None:
        """Stop media workers and background writers, close subscriptions, release database
        and Redis connections."""
        await self.media.close()
        if self.hotstock is not self.holds:
            await self.hotstock.close()
        await self.holds.close()
        await self.broker.close()
        await self.db.dispose()
        await self.viewers.close()
        if self.ratelimit_redis is not None:
            await self.ratelimit_redis.aclose()


def build_container(settings: Settings, *, clock: Clock | None = None) -> Container:
    all_metadata()
    ensure_sqlite_dir(settings.database_url)
    clock = clock or SystemClock()
    db = Database(
        settings.database_url, sqlite_synchronous=settings.sqlite_synchronous,
        pool_size=settings.database_pool_size, max_overflow=settings.database_max_overflow,
        pool_timeout_s=settings.database_pool_timeout_s,
    )  # fmt: skip
    broker = broker_from_url(
        settings.broker_url, prefix=settings.broker_prefix, buffer_size=settings.event_buffer_size
    )
    store_url = settings.media_store_url or str(settings.media_dir.resolve())
    store = segment_store_from_url(store_url)
    media = MediaService(
        store,
        store_url,
        ladder=settings.media_ladder,
        relative_uris=isinstance(store, LocalSegmentStore),
    )
    # Rate limits are shared where the nodes share a Redis: ratelimit_url, else a Redis broker.
    limits_url = settings.redis_for(settings.ratelimit_url)
    holds = HoldQueue(db, broker, clock)
    rates = RateCache(
        db, clock, max_age=timedelta(seconds=settings.fx_rate_max_age_s),
        ttl_s=settings.fx_cache_ttl_s,
    )  # fmt: skip
    db.listen(RATES_CHANGED, rates.changed)  # this process's own changes: read again at once
    return Container(
        settings=settings,
        db=db,
        broker=broker,
        clock=clock,
        holds=holds,
        hotstock=build_hotstock(settings, db, broker, clock, holds),
        actors=ActorCache(
            db,
            clock,
            ttl_s=settings.actor_cache_ttl_s,
            idle_ttl_s=settings.token_idle_ttl_s,
            touch_interval_s=settings.token_touch_interval_s,
        ),
        store=store,
        media=media,
        rates=rates,
        payout_ledger=LedgerPayouts(clock),
        passwords=Passwords(
            settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism
        ),
        payment_providers=payment_providers(settings),
        payout_providers=payout_providers(settings),
        # Connects on first use: building a container never needs Redis to be up.
        ratelimit_redis=redis_client(limits_url) if limits_url else None,
        viewers=viewer_tally_from_url(
            settings.viewers_url or settings.broker_url,
            prefix=settings.broker_prefix,
            interval_s=settings.viewer_count_interval_s,
        ),
        sale_terms=SaleTerms(platform_fee_bps=settings.platform_fee_bps),
    )


def payment_providers(settings: Settings) -> dict[str, PaymentProvider]:
    """The providers buyers may pay with: the test provider only in test mode (no money moves;
    on a real deployment its cards would make orders paid for nothing)."""
    if not settings.test_payments:
        return {}
    test = TestPaymentProvider(
        webhook_secret=settings.test_payments_webhook_secret,
        settle_delay_s=settings.test_payments_settle_delay_s,
        fee_bps=settings.test_payments_fee_bps,
        fee_fixed_minor=settings.test_payments_fee_fixed_minor,
    )
    return {test.name: test}


def payout_providers(settings: Settings) -> dict[str, PayoutProvider]:
    """Manual payouts (the treasurer's batch files) always; the test provider, which marks
    payouts paid at once, only in test mode, as the test payment provider."""
    providers: dict[str, PayoutProvider] = {"manual": ManualPayoutProvider()}
    if settings.test_payments:
        providers["test"] = TestPayoutProvider(settings.test_payouts_fail_accounts)
    return providers


def build_hotstock(
    settings: Settings, db: Database, broker: Broker, clock: Clock, holds: HoldQueue
) -> HotStock:
    """Drop claims admitted in Redis (settings.hotstock_url, else a Redis broker_url), or in
    the database by the hold queue."""
    url = None if settings.hotstock_url == "database" else settings.redis_for(settings.hotstock_url)
    if url is None:
        return holds
    hotstock = RedisHotStock(
        redis_client(url), settings.broker_prefix, db, broker, clock,
        recovery_idle_s=settings.hotstock_recovery_idle_s,
    )  # fmt: skip
    db.listen(HOLDS_CLOSED, hotstock.returned)  # expired, cancelled: units back in Redis
    db.listen(DROPS_CLOSED, hotstock.ended)  # no more claims, even before its planned end
    return hotstock


def redis_client(url: str) -> Redis:
    """A client whose commands wait for a free connection (at most 64, for 5 s) instead of
    failing: redis-py's default pool refuses the 101st concurrent command."""
    pool = BlockingConnectionPool.from_url(
        url, max_connections=64, timeout=5, socket_connect_timeout=5, socket_timeout=10
    )
    return Redis.from_pool(pool)


def ensure_sqlite_dir(url: str) -> None:
    prefix = "sqlite+aiosqlite:///"
    if url.startswith(prefix) and ":memory:" not in url:
        Path(url.removeprefix(prefix)).parent.mkdir(parents=True, exist_ok=True)
