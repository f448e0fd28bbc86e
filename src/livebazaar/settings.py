"""One typed Settings object, read once by the composition root and passed in.

Nothing reads the environment at import time: `Settings()` is called from `bootstrap` / the CLI.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def local_url(host: str, port: int) -> str:
    """How this process reaches itself when it listens on host:port."""
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 (a comparison, not a bind)
        host = "127.0.0.1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LIVEBAZAAR_", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///var/livebazaar.db"
    # PostgreSQL connections per process: kept open, and opened on demand above them. A request
    # that finds none free within the timeout answers 503 busy. Mind the server's
    # max_connections (docs/deploy.md).
    database_pool_size: int = Field(default=10, ge=1)
    database_max_overflow: int = Field(default=10, ge=0)
    database_pool_timeout_s: float = Field(default=30.0, gt=0)
    # A serving process runs Python's full garbage collection on this clock instead of when
    # allocations say (ADR 0013: it paused a worker of 10,000 viewers for up to 1.4 s, often);
    # 0 leaves Python's own policy.
    gc_full_interval_s: float = Field(default=900.0, ge=0)
    # SQLite durability: FULL syncs the WAL on every commit, so a paid order survives power loss.
    sqlite_synchronous: str = Field(default="FULL", pattern="^(FULL|NORMAL|EXTRA)$")
    # Where the app is reached; the test provider posts its webhooks here. `serve` and `demo`
    # derive it from --host/--port unless it is set.
    public_url: str = "http://127.0.0.1:8000"
    media_dir: Path = Path("var/media")

    # Media: where publishers send video. RTMP URLs name this host (default: public_url's).
    rtmp_enabled: bool = True
    rtmp_port: int = Field(default=1935, ge=0, le=65535)  # 0: any free port (tests)
    rtmp_host: str | None = None
    # Where the RTMP ingest server listens (0.0.0.0 to take publishers from other machines).
    rtmp_bind_host: str = "127.0.0.1"
    # Where segments go (see media/store.py for the URL forms): unset, media_dir served by
    # the app; or s3://KEY:SECRET@bucket?endpoint=...&public_base=https://cdn... for a CDN.
    media_store_url: str | None = None
    # Heights of the transcoded rungs below the source (weak networks); () for the source only.
    media_ladder: tuple[Annotated[int, Field(ge=144, le=2160)], ...] = (360,)

    # Request bodies (web/body_limit.py): larger ones are refused with 413 before they are
    # read, by Content-Length or while a chunked one streams. Picture uploads (multipart, an
    # 8 MB picture) get their own limit; WHIP's SDP offers (a few KB) theirs; the rest, JSON
    # and page forms, the first: the largest valid one, a product with 30 images of 2,000-character
    # URLs and a 10,000-character description in Chinese, is ~150 KB. Product pictures decoded
    # at once per process (each up to 50 megapixels, ~75-200 MB while decoded).
    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    max_upload_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    max_sdp_body_bytes: int = Field(default=32 * 1024, ge=1024)
    picture_decodes_at_once: int = Field(default=2, ge=1)

    # Accounts. A token (API or page session) lives token_ttl_s at most, and ends sooner when
    # unused for token_idle_ttl_s; its last use is written at most once per
    # token_touch_interval_s, so a request does not write the database each time.
    token_ttl_s: int = Field(default=30 * 24 * 3600, ge=60)
    token_idle_ttl_s: int = Field(default=7 * 24 * 3600, ge=60)
    token_touch_interval_s: int = Field(default=3600, ge=1)
    session_cookie_name: str = "lb_session"
    # How long a process may remember a token's owner without asking the database.
    actor_cache_ttl_s: float = Field(default=30.0, ge=0)
    # Cookies marked Secure (sent over HTTPS only); unset, when public_url is https.
    cookie_secure: bool | None = None
    # argon2id cost; the defaults follow RFC 9106's second recommendation.
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65536, ge=8)
    argon2_parallelism: int = Field(default=1, ge=1)
    # Attempts per client address (the peer, or X-Forwarded-For from a trusted proxy), page
    # and API alike, counted like the other rate limits (ratelimit_url): accounts created per
    # hour, and sign-ins (right or wrong) per 10 minutes. Generous for a cooperative's buyers
    # behind one village router; a script trying passwords or minting accounts gets 429.
    register_rate_per_hour: int = Field(default=30, ge=1)
    sign_in_rate_per_10min: int = Field(default=60, ge=1)
    # Sign-in attempts on one account from one client address per 15 minutes, right or wrong
    # (ADR 0014): past them that account is locked for that address only, with a 429 saying
    # when to try again, so guessing one password meets a wall while no one elsewhere can lock
    # its owner out.
    sign_in_account_rate_per_15min: int = Field(default=10, ge=1)
    # The demo's sign-in page says where its logins are (cli/demo.py turns this on).
    demo_logins_hint: bool = False

    # Live shows and chat. The broker carries each show's events to every node: memory://
    # (one process), redis://host:6379/0 or nats://host:4222 (JetStream); broker_prefix
    # namespaces its keys, channels and stream (and the rate limits' keys), so installations
    # can share a server.
    broker_url: str = "memory://"
    broker_prefix: str = Field(default="livebazaar", pattern=r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$")
    event_buffer_size: int = Field(default=1000, ge=10)
    chat_max_length: int = Field(default=500, ge=1)
    chat_rate_per_10s: int = Field(default=5, ge=1)
    viewer_count_interval_s: float = Field(default=2.0, gt=0)
    # Where the nodes add up their viewer counts (live/audience.py, keys
    # `<broker_prefix>:viewers:{<show>}`): unset, in the broker's Redis when broker_url is
    # redis://, else each process counts its own (memory://; nats://: each node then publishes
    # its own share). A redis://HOST:PORT/DB URL counts them there whatever the broker.
    viewers_url: str | None = Field(default=None, pattern=r"^rediss?://")

    # The show channel's fan-out (docs/realtime.md). A process sends each socket one frame per
    # tick holding every event since the last one: at once when the show sent nothing for a
    # tick, or for an urgent shop event (a drop, a pin, a price, the end); else at the tick,
    # which stretches from fanout_tick_min_s to fanout_tick_max_s as writing a tick's frames
    # costs more CPU (tick = that cost / fanout_busy_share: 10,000 sockets at 3 µs → 150 ms).
    fanout_tick_min_s: float = Field(default=0.1, gt=0, le=60)
    fanout_tick_max_s: float = Field(default=0.25, gt=0, le=60)
    fanout_busy_share: float = Field(default=0.2, gt=0, le=1)
    # Chat faster than people read (above chat_sample_above_per_s, over the last
    # chat_sample_window_s) reaches viewers as an even sample of chat_sample_per_s messages a
    # second; hosts, co-hosts and the shop's moderators get every message, each author their
    # own. Measured on the app's clock, like the rate limits.
    chat_sample_above_per_s: float = Field(default=6.0, gt=0)
    chat_sample_window_s: float = Field(default=2.0, gt=0, le=60)
    chat_sample_per_s: float = Field(default=4.0, gt=0)
    # A socket with more than this many bytes written and not yet taken by its client (or
    # queued for it) is closed with 1013 and reconnects with `after`: what a viewer that stops
    # reading can cost the server, whatever it does.
    ws_send_limit_bytes: int = Field(default=128 * 1024, ge=4096)

    # Flash drops and checkout. Where a drop's claims are admitted (checkout/hotstock.py):
    # unset, in Redis when broker_url is redis:// (one Lua script per batch, recorded in the
    # database after), else in the database (a batch under the pool's row lock); "database"
    # or a redis://HOST:PORT/DB URL chooses. Keys `<broker_prefix>:hot:...`.
    hotstock_url: str | None = Field(default=None, pattern=r"^(rediss?://.+|database)$")
    # How long a node's admitted claims may wait unrecorded before another node records them
    # (the first node died); every node looks each sweeper beat.
    hotstock_recovery_idle_s: float = Field(default=10.0, gt=0)
    sweeper_interval_s: float = Field(default=1.0, gt=0)
    default_hold_s: int = Field(default=300, ge=10)
    claim_rate_per_10s: int = Field(default=20, ge=1)
    # Holds one buyer may have open at once (unpaid, unexpired; of any shop, drop claims
    # included): past them a purchase from the shelf is refused with 429 until one is paid or
    # ends, so no one piles up free holds (checkout/shelf_limits.py, ADR 0017). Each shop
    # limits the units of one product per buyer itself (10 unless it says otherwise).
    max_open_holds_per_buyer: int = Field(default=5, ge=1, le=1000)

    # Rate limits (claims, chat, reactions): a redis://HOST:PORT/DB URL counts them in Redis,
    # shared by every node (their clocks NTP-synced), under keys `<broker_prefix>:ratelimit:...`.
    # Unset, a Redis broker_url is used the same way; otherwise each process counts its own.
    ratelimit_url: str | None = Field(default=None, pattern=r"^rediss?://")

    # Exchange rates (display only): a rate older than this is not shown (ADR 0009).
    fx_rate_max_age_s: int = Field(default=7 * 24 * 3600, ge=60)
    # How long a process keeps the rates in memory before reading them again (fx/cache.py):
    # claims lock the buyer's rate into each order without a query; another node's new rate
    # is seen within this (this node's own change at once).
    fx_cache_ttl_s: float = Field(default=60.0, gt=0, le=3600)

    # Payments: a payment pending this long since its last change (its answer lost, no
    # webhook) is looked up with its provider and settled; every node looks each interval.
    payment_reconcile_after_s: float = Field(default=300.0, ge=1)
    payment_reconcile_interval_s: float = Field(default=60.0, gt=0)
    # The built-in test provider (its cards approve, decline or settle later; no money moves)
    # is on only when this is true: `livebazaar demo` and the tests turn it on, and every page
    # then says "test mode". Off, with no other provider, paying answers 503 no_payment_provider.
    test_payments: bool = False
    # What it signs its webhooks with. Unset: a secret generated on the deployment's first
    # start and kept in its database (kernel/deployment_secrets.py), the same for every worker
    # and node on it. Nothing secret has a default here: a default is published.
    test_payments_webhook_secret: str | None = Field(default=None, min_length=16)
    test_payments_settle_delay_s: float = Field(default=2.0, ge=0)
    # What the test provider keeps of each charge, as a real one would: basis points of the
    # amount (rounded half up) plus a fixed number of minor units of its currency.
    test_payments_fee_bps: int = Field(default=290, ge=0, le=10_000)
    test_payments_fee_fixed_minor: int = Field(default=30, ge=0, le=10**9)

    # The ledger (ledger/, ADR 0021). The platform's fee on each sale in basis points (a
    # platform admin may set another per shop). A paid order's money stays pending until
    # payout_hold_s after delivery (the buyer's window to complain), or, never marked
    # delivered, payout_hold_undelivered_s after payment; a job releases it every
    # ledger_release_interval_s.
    platform_fee_bps: int = Field(default=500, ge=0, le=10_000)
    payout_hold_s: int = Field(default=7 * 24 * 3600, ge=0)
    payout_hold_undelivered_s: int = Field(default=30 * 24 * 3600, ge=0)
    ledger_release_interval_s: float = Field(default=60.0, gt=0)

    # Payouts: a shop that set no minimum payout pays no balance under this many whole units
    # of the batch's currency (10.00 EUR, 10 RWF); smaller balances wait for a later batch.
    payout_minimum_default_major: int = Field(default=10, ge=0, le=1_000_000)
    # The test payout provider (only in test mode, with test_payments) fails the payouts to
    # these accounts: IBANs or E.164 phone numbers (in the environment a JSON list,
    # '["DE89370400440532013000", "+250788123456"]'). Every other payout it marks paid at once.
    test_payouts_fail_accounts: tuple[Annotated[str, Field(min_length=5, max_length=64)], ...] = ()

    def redis_for(self, url: str | None) -> str | None:
        """`url` if set, else the broker's when it is a Redis: where the nodes share state."""
        if url is not None:
            return url
        return self.broker_url if self.broker_url.startswith(("redis://", "rediss://")) else None

    @property
    def secure_cookies(self) -> bool:
        """Whether cookies are marked Secure: cookie_secure if set, else public_url is https."""
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.public_url.lower().startswith("https://")

    @model_validator(mode="after")
    def _ticks_in_order(self) -> Settings:
        if self.fanout_tick_max_s < self.fanout_tick_min_s:
            raise ValueError("fanout_tick_max_s must not be below fanout_tick_min_s")
        if self.token_touch_interval_s >= self.token_idle_ttl_s:
            raise ValueError("token_touch_interval_s must be below token_idle_ttl_s")
        return self

    def listening_on(self, host: str, port: int) -> Settings:
        """These settings for a server on host:port (public_url follows, unless set)."""
        if "public_url" in self.model_fields_set:
            return self
        return self.model_copy(update={"public_url": local_url(host, port)})
