"""`livebazaar rates import-ecb` and `import-csv`: each fixture in its real format imports every
rate; a bad file says what is wrong, exits non-zero and imports nothing (all or nothing), and
the XML parser never expands an entity (no XXE, no "billion laughs")."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from livebazaar.bootstrap import build_container
from livebazaar.cli.main import cli
from livebazaar.fx import BadRateFile, list_rates, parse_csv, parse_ecb
from livebazaar.settings import Settings
from tests.databases import database_url

FIXTURES = Path(__file__).parent / "fixtures"
ECB_DAILY = FIXTURES / "eurofxref-daily.xml"
ECB_90_DAYS = FIXTURES / "eurofxref-hist-90d.xml"
RATES_CSV = FIXTURES / "rates.csv"
HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" '
    'xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">'
)


def _ecb(cubes: str, time: str = "2026-12-04") -> str:
    return f"{HEAD}<Cube><Cube time='{time}'>{cubes}</Cube></Cube></gesmes:Envelope>"


def test_the_ecb_daily_file_gives_every_rate_against_the_euro() -> None:
    rates = parse_ecb(ECB_DAILY.read_bytes())
    assert len(rates) == 30
    usd = next(r for r in rates if r.quote == "USD")
    assert (usd.base, usd.rate) == ("EUR", Decimal("1.0543"))
    assert next(r for r in rates if r.quote == "CZK").rate == Decimal("25.280")
    # Published at 16:00 in Frankfurt: 15:00 UTC in December
    assert usd.as_of == datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
    assert usd.source == "ECB euro foreign exchange reference rates, 2026-12-04"
    assert {r.base for r in rates} == {"EUR"}


def test_a_history_file_gives_its_newest_day() -> None:
    rates = parse_ecb(ECB_90_DAYS.read_bytes())
    assert {(r.quote, r.rate) for r in rates} == {
        ("USD", Decimal("1.0543")), ("JPY", Decimal("162.53")),
    }  # fmt: skip


def test_the_rates_csv_gives_each_row() -> None:
    rates = parse_csv(RATES_CSV.read_bytes())
    assert [(r.base, r.quote, r.rate) for r in rates] == [
        ("EUR", "RWF", Decimal("1523.4471")),
        ("EUR", "KWD", Decimal("0.32391")),
        ("USD", "KES", Decimal("129.25")),
    ]
    assert rates[0].as_of == datetime(2026, 12, 4, 8, 0, tzinfo=UTC)  # +02:00 made UTC
    assert rates[1].as_of == datetime(2026, 12, 4, 0, 0, tzinfo=UTC)  # a date: 00:00 UTC
    assert rates[0].source == "National Bank of Rwanda, official rate 2026-12-04"


XXE = (
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    f"{HEAD[HEAD.index('<gesmes') :]}<Cube><Cube time='2026-12-04'>"
    "<Cube currency='USD' rate='&x;'/></Cube></Cube></gesmes:Envelope>"
)
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;">]><r>&c;</r>'
)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("this is not xml", "Not well-formed XML"),
        (XXE, "DTD"),
        (LAUGHS, "DTD"),
        ("<rates><rate/></rates>", "Not an ECB reference-rate file"),
        (f"{HEAD}<Cube></Cube></gesmes:Envelope>", "no rates"),
        (_ecb("<Cube currency='USD' rate='1.05'/>", time="04/12/2026"), "not a date"),
        (_ecb("<Cube currency='USD' rate='1,0543'/>"), "is not a rate"),
        (_ecb("<Cube currency='USD' rate='-1.05'/>"), "is not a rate"),
        (_ecb("<Cube currency='USD' rate='0'/>"), "above zero"),
        (_ecb("<Cube currency='USD' rate='1.05'/><Cube currency='XYZ' rate='2'/>"), "ISO 4217"),
        (_ecb("<Cube currency='USD' rate='1.05'/><Cube currency='USD' rate='1.06'/>"), "twice"),
        (_ecb(""), "holds no rates"),
    ],
)
def test_a_bad_ecb_file_is_refused_with_a_reason(text: str, says: str) -> None:
    with pytest.raises(BadRateFile) as refused:
        parse_ecb(text.encode())
    assert says in refused.value.detail


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "header"),
        ("base;quote;rate;as_of;source\nEUR;RWF;1500;2026-12-04;x\n", "header"),
        ("base,quote,rate,as_of,source\n", "holds no rates"),
        ("base,quote,rate,as_of,source\nEUR,RWF,1500,2026-12-04\n", "4 cells"),
        ("base,quote,rate,as_of,source\nEUR,XYZ,1500,2026-12-04,x\n", "ISO 4217"),
        ("base,quote,rate,as_of,source\nEUR,EUR,1,2026-12-04,x\n", "same currency"),
        ("base,quote,rate,as_of,source\nEUR,RWF,1.5e3,2026-12-04,x\n", "is not a rate"),
        ("base,quote,rate,as_of,source\nEUR,RWF,1500,04/12/2026,x\n", "ISO 8601"),
        ("base,quote,rate,as_of,source\nEUR,RWF,1500,2026-12-04T10:00:00,x\n", "offset"),
        ("base,quote,rate,as_of,source\nEUR,RWF,1500,2026-12-04,\n", "source"),
        ("base,quote,rate,as_of,source\nEUR,RWF,1,2026-12-04,a\nEUR,RWF,2,2026-12-04,b\n",
         "twice"),
    ],
)  # fmt: skip
def test_a_bad_csv_is_refused_with_a_reason(text: str, says: str) -> None:
    with pytest.raises(BadRateFile) as refused:
        parse_csv(text.encode())
    assert says in refused.value.detail


def test_a_csv_that_is_not_utf8_is_refused() -> None:
    data = "base,quote,rate,as_of,source\nEUR,RWF,1500,2026-12-04,Banque é\n".encode("latin-1")
    with pytest.raises(BadRateFile, match="not UTF-8"):
        parse_csv(data)


# The commands, against a migrated database


async def _stored(settings: Settings) -> dict[tuple[str, str], tuple[str, str]]:
    c = build_container(settings)
    try:
        async with c.db.read() as session:
            return {(r.base, r.quote): (r.rate, r.source) for r in await list_rates(session)}
    finally:
        await c.close()


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("LIVEBAZAAR_DATABASE_URL", database_url(tmp_path, "rates"))
    runner = CliRunner()
    assert runner.invoke(cli, ["migrate"]).exit_code == 0
    return runner


def _run(runner: CliRunner, *args: str | Path) -> Result:
    return runner.invoke(cli, ["rates", *map(str, args)])


def test_the_operator_imports_the_ecb_file_then_a_csv(runner: CliRunner) -> None:
    done = _run(runner, "import-ecb", ECB_DAILY)
    assert done.exit_code == 0, done.output
    assert "imported 30 rates" in done.output
    done = _run(runner, "import-csv", RATES_CSV)
    assert done.exit_code == 0, done.output
    stored = asyncio.run(_stored(Settings()))
    assert len(stored) == 33
    assert stored[("EUR", "JPY")] == (
        "162.53", "ECB euro foreign exchange reference rates, 2026-12-04",
    )  # fmt: skip
    assert stored[("EUR", "RWF")][0] == "1523.4471"
    # And importing the same file again replaces the pairs: still one row each
    assert _run(runner, "import-ecb", ECB_DAILY).exit_code == 0
    assert len(asyncio.run(_stored(Settings()))) == 33


def test_a_bad_file_imports_nothing_and_exits_non_zero(runner: CliRunner, tmp_path: Path) -> None:
    # Given rates already stored
    assert _run(runner, "import-csv", RATES_CSV).exit_code == 0
    before = asyncio.run(_stored(Settings()))
    # When a CSV whose first rows are good and a later one is not is imported
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "base,quote,rate,as_of,source\n"
        "EUR,RWF,9999,2026-12-05,Good row\n"
        "EUR,KWD,0.5,2026-12-05,Good row\n"
        "EUR,UGX,abc,2026-12-05,Bad row\n",
        encoding="utf-8",
    )
    refused = _run(runner, "import-csv", bad)
    # Then it says which line and why, exits non-zero, and nothing changed
    assert refused.exit_code == 1
    assert "Line 4" in refused.output
    assert "nothing was imported" in refused.output
    assert asyncio.run(_stored(Settings())) == before
    # And the same for a rate from the future, and for an XXE attempt
    future = tmp_path / "future.csv"
    future.write_text("base,quote,rate,as_of,source\nEUR,RWF,1,2999-01-01,Soon\n")
    refused = _run(runner, "import-csv", future)
    assert refused.exit_code == 1
    assert "in the future" in refused.output
    xxe = tmp_path / "xxe.xml"
    xxe.write_text(XXE)
    refused = _run(runner, "import-ecb", xxe)
    assert refused.exit_code == 1
    assert "DTD" in refused.output
    assert "root:" not in refused.output
    assert asyncio.run(_stored(Settings())) == before
    # And a file that does not exist is a usage error
    assert _run(runner, "import-ecb", tmp_path / "missing.xml").exit_code == 2
