"""The `livebazaar` command: serve, migrate, demo, admin, rates."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from livebazaar.settings import Settings

if TYPE_CHECKING:
    from livebazaar.fx import Rate


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log at INFO level.")
def cli(verbose: bool) -> None:
    """Livebazaar: live commerce for small producers."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


@cli.command()
def migrate() -> None:
    """Bring the database named by LIVEBAZAAR_DATABASE_URL to the newest schema."""
    from livebazaar.bootstrap import ensure_sqlite_dir
    from livebazaar.migrations import upgrade_to_head

    settings = Settings()
    ensure_sqlite_dir(settings.database_url)
    upgrade_to_head(settings.database_url)
    click.echo(f"database at head: {settings.database_url}")


@cli.command("admin")
@click.argument("email")
@click.option("--revoke", is_flag=True, help="Take the platform-admin role away instead.")
def admin(email: str, revoke: bool) -> None:
    """Make the account with EMAIL a platform admin (it must have registered first)."""
    import asyncio

    from livebazaar.accounts import do_set_admin
    from livebazaar.kernel.db import Database
    from livebazaar.kernel.errors import NotFound

    async def run() -> None:
        db = Database(Settings().database_url)
        try:
            await do_set_admin(db, email=email, is_admin=not revoke)
        finally:
            await db.dispose()

    try:
        asyncio.run(run())
    except NotFound as exc:
        raise click.ClickException(f"{exc.detail}: {email}") from exc
    click.echo(f"{email} is {'no longer ' if revoke else ''}a platform admin")


@cli.group()
def rates() -> None:
    """Exchange rates: prices shown in the viewer's currency, locked into orders as seen."""


@rates.command("import-ecb")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_ecb(file: Path) -> None:
    """Import the ECB's euro reference rates (eurofxref-daily.xml; of a history file, the
    newest day): 1 EUR = rate CURRENCY, as of 16:00 CET that day. All or nothing."""
    from livebazaar.fx import parse_ecb

    _import_rates(file, parse_ecb)


@rates.command("import-csv")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_csv(file: Path) -> None:
    """Import a CSV with the header base,quote,rate,as_of,source (1 BASE = RATE QUOTE, as
    SOURCE said at AS_OF: ISO 8601, a date is 00:00 UTC). All or nothing."""
    from livebazaar.fx import parse_csv

    _import_rates(file, parse_csv)


def _import_rates(file: Path, parse: Callable[[bytes], list[Rate]]) -> None:
    import asyncio

    from livebazaar.fx import OPERATOR, do_import_rates
    from livebazaar.kernel.clock import SystemClock
    from livebazaar.kernel.db import Database
    from livebazaar.kernel.errors import DomainError

    settings = Settings()

    async def run(rates: list[Rate]) -> int:
        db = Database(settings.database_url)
        try:
            return await do_import_rates(db, SystemClock(), OPERATOR, rates)
        finally:
            await db.dispose()

    try:
        count = asyncio.run(run(parse(file.read_bytes())))
    except DomainError as exc:
        raise click.ClickException(f"{file}: {exc.detail}; nothing was imported") from exc
    click.echo(f"imported {count} rates from {file}")


@rates.command("set")
@click.argument("base")
@click.argument("quote")
@click.argument("rate")
@click.option("--source", required=True, help="Where the rate comes from, e.g. a bank's feed.")
def set_rate(base: str, quote: str, rate: str, source: str) -> None:
    """Record that 1 BASE = RATE QUOTE now (e.g. `rates set USD CNY 7.1234 --source ECB`)."""
    import asyncio

    from pydantic import ValidationError

    from livebazaar.fx import OPERATOR, RateIn, do_set_rate
    from livebazaar.kernel.clock import SystemClock
    from livebazaar.kernel.db import Database
    from livebazaar.kernel.errors import DomainError

    try:
        body = RateIn(rate=rate, source=source)
    except ValidationError as exc:
        raise click.ClickException(f"not a rate: {rate!r} (digits and one point)") from exc

    async def run() -> None:
        db = Database(Settings().database_url)
        try:
            await do_set_rate(
                db, SystemClock(), OPERATOR, base.upper(), quote.upper(),
                rate=body.rate, source=body.source,
            )  # fmt: skip
        finally:
            await db.dispose()

    try:
        asyncio.run(run())
    except DomainError as exc:
        raise click.ClickException(exc.detail) from exc
    click.echo(f"1 {base.upper()} = {body.rate} {quote.upper()} ({body.source})")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--no-migrate", is_flag=True, help="Do not upgrade the schema first.")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Worker processes sharing the port (more than 1 needs PostgreSQL and Redis or NATS).",
)
def serve(host: str, port: int, no_migrate: bool, workers: int) -> None:
    """Run the API, the pages and the real-time channels."""
    from livebazaar.cli.server import CannotServe, run_server

    settings = Settings().listening_on(host, port)
    try:
        run_server(settings, host=host, port=port, migrate=not no_migrate, workers=workers)
    except CannotServe as exc:
        raise click.UsageError(str(exc)) from exc


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--audience/--no-audience", default=True, help="Simulated viewers in the live room.")
@click.option("--keep", is_flag=True, help="Keep an existing demo database instead of a fresh one.")
@click.option("--video/--no-video", default=True, help="A synthetic camera on the live show.")
def demo(host: str, port: int, audience: bool, keep: bool, video: bool) -> None:
    """Fresh database with both seed stories, one show live, then serve it."""
    from livebazaar.cli.demo import run_demo

    run_demo(host=host, port=port, audience=audience, keep=keep, video=video)
