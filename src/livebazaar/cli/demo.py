"""The demo: both seed stories on a fresh SQLite database, one show live, then serve it.

`build_demo` does everything but serve (the tests call it); `run_demo` is `livebazaar demo`.
The seeding goes through the HTTP API (httpx over ASGI, in process), so the demo walks the
same paths a seller's client does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI

from livebazaar.bootstrap import Container, build_container, ensure_sqlite_dir
from livebazaar.cli.server import uvicorn_ws_options
from livebazaar.demo.audience import Audience
from livebazaar.demo.payday import pay_out, sell_and_deliver
from livebazaar.demo.seed import DemoInfo, SeededShow, find_seeded, issue_stream_key, seed
from livebazaar.fx import OPERATOR, do_set_rate
from livebazaar.ledger import release_due_orders
from livebazaar.migrations import upgrade_to_head
from livebazaar.settings import Settings
from livebazaar.web.app import create_app

log = logging.getLogger(__name__)
SQLITE_PREFIX = "sqlite+aiosqlite:///"
CAMERA_SECONDS = 12 * 3600


class DemoSettings(Settings):
    """The demo's settings: as `Settings` (LIVEBAZAAR_* env), but its own database file."""

    database_url: str = f"{SQLITE_PREFIX}var/demo.db"
    demo_logins_hint: bool = True
    # The demo's buyers pay with the test provider's cards (every page says "test mode").
    test_payments: bool = True
    # The seed and the simulated audience register and sign in from this machine's address.
    register_rate_per_hour: int = 1_000_000
    sign_in_rate_per_10min: int = 1_000_000


@dataclass
class Demo:
    container: Container
    app: FastAPI
    info: DemoInfo


async def build_demo(settings: Settings, *, keep: bool = False) -> Demo:
    """Prepare the database and seed both stories (or find them again with `keep`)."""
    if not keep:
        _remove_sqlite_file(settings.database_url)
    await _prepare_schema(settings.database_url)
    container = build_container(settings)
    await container.start()  # its secrets, before the seed (which runs no lifespan) pays
    app = create_app(container)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://demo") as http:
        info = await find_seeded(http) if keep else None
        if info is None:
            info = await seed(http, container.clock.now())
            await _seed_rates(container)
            await _pay_the_farmers(http, container, info)
    return Demo(container, app, info)


# Display rates for the demo, so viewers see "≈ 27.94 USD" beside CNY and RWF prices. They are
# illustrative round figures, labelled as such in their source, not market rates.
DEMO_RATES = (("USD", "CNY", "7.1"), ("USD", "RWF", "1400"), ("EUR", "CNY", "7.7"),
              ("EUR", "RWF", "1520"))  # fmt: skip


async def _seed_rates(container: Container) -> None:
    for base, quote, rate in DEMO_RATES:
        await do_set_rate(
            container.db, container.clock, OPERATOR, base, quote,
            rate=rate, source="Livebazaar demo: illustrative, not market rates",
        )  # fmt: skip


async def _pay_the_farmers(http: httpx.AsyncClient, container: Container, info: DemoInfo) -> None:
    """First sales, a few delivered; their money released with no hold (for the demo only:
    the settings' payout_hold_s is untouched, and undelivered orders keep theirs); paid out."""
    await sell_and_deliver(http, info)
    await release_due_orders(
        container.db, container.clock, hold_s=0,
        undelivered_hold_s=container.settings.payout_hold_undelivered_s,
    )  # fmt: skip
    await pay_out(http, info)


def _remove_sqlite_file(url: str) -> None:
    if not url.startswith(SQLITE_PREFIX) or ":memory:" in url:
        return
    path = Path(url.removeprefix(SQLITE_PREFIX))
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


async def _prepare_schema(url: str) -> None:
    ensure_sqlite_dir(url)
    await asyncio.to_thread(upgrade_to_head, url)


def run_demo(*, host: str, port: int, audience: bool, keep: bool, video: bool = True) -> None:
    settings = DemoSettings().listening_on(host, port)
    asyncio.run(
        _serve_demo(settings, host=host, port=port, audience=audience, keep=keep, video=video)
    )


async def start_camera(
    http: httpx.AsyncClient, show: SeededShow
) -> asyncio.subprocess.Process | None:
    """The synthetic camera: a publisher process pushing a test picture (frame counter and
    clock burnt in) over RTMP with the show's stream key, as OBS or a phone app would."""
    issued = await issue_stream_key(http, show)
    if issued is None:
        return None
    command = [sys.executable, "-m", "livebazaar.media.synthetic", "rtmp", issued["rtmp_url"]]
    command += ["--seconds", str(CAMERA_SECONDS), "--width", "854", "--height", "480"]
    print("Synthetic camera: on, over RTMP (--no-video to turn it off; then publish from OBS")
    print(f"  or a phone app to {issued['rtmp_url']})")
    return await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.DEVNULL)


async def _serve_demo(
    settings: Settings, *, host: str, port: int, audience: bool, keep: bool, video: bool = True
) -> None:
    demo = await build_demo(settings, keep=keep)
    base_url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"  # noqa: S104
    _print_welcome(demo.info, base_url, settings.database_url)
    config = uvicorn.Config(
        demo.app, host=host, port=port, log_level="warning", lifespan="on", **uvicorn_ws_options()
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    bots: asyncio.Task[None] | None = None
    camera: asyncio.subprocess.Process | None = None
    live = demo.info.live_show
    try:
        while not server.started:  # uvicorn offers a flag, not an event
            if serving.done():
                break
            await asyncio.sleep(0.05)
        if video and live is not None and server.started and settings.rtmp_enabled:
            async with httpx.AsyncClient(base_url=base_url) as http:
                camera = await start_camera(http, live)
        if audience and live is not None and server.started:
            bots = asyncio.create_task(Audience(base_url, live.id, watch=True).run())
            print("Simulated audience: on (--no-audience to turn it off)")
        await serving
    finally:
        if camera is not None and camera.returncode is None:
            camera.terminate()
            await camera.wait()
        if bots is not None:
            bots.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await bots
        await demo.container.close()


def _print_welcome(info: DemoInfo, base_url: str, database_url: str) -> None:
    print("\nLivebazaar demo")
    print(f"  database:   {database_url}")
    print(f"  shows:      {base_url}/")
    for show in info.shows:
        state = "LIVE now" if show.live else "upcoming"
        print(f"  {state:10}  {base_url}/shows/{show.id}  {show.title}")
    print(f"  API docs:   {base_url}/api/docs")
    print("\nDemo logins (sign in at /login):")
    for role, person in info.logins:
        print(f"  {role:50} {person.email:34} {person.password}")
    if info.farmer_producer_id is not None:
        print(f"  farmer's earnings: {base_url}/account (signed in as the farmer)")
    print("  test card:  4242 4242 4242 4242 (any expiry, any CVC)\n")
