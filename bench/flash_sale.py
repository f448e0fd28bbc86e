"""Flash-sale benchmark: one drop, many concurrent claimers, each server beside its own no-op
POST and beside the textbook PostgreSQL claim, measured in the same run.

    .venv/bin/python bench/flash_sale.py [--claimers 500,5000] [--units 15000] [--limit 40]
        [--targets embedded,redis,holdqueue,textbook] [--workers 1]

For each claimer count, each server in turn (bench/flash_servers.py: ours on SQLite + the
memory broker, ours on PostgreSQL + the Redis HotStock, ours on PostgreSQL deciding claims in
the database, and the textbook peer, bench/peers/textbook_claims.py; one process each, or
`--workers N`) is started on a fresh database, seeded with one drop of `--units` and one
account and token per claimer, and loaded from separate generator processes
(bench/flash_load.py, aiohttp, one connection per claimer, each opened with one untimed
request before each phase):

1. the same server's no-op POST (parses a body like a claim's, returns), `--noop-requests`
   in all, all claimers at once;
2. the claims: every claimer claims one unit at a time until sold out or its limit (a 503
   is retried after its Retry-After, at most 1 s). Before them each claimer's untimed
   request is a GET that checks its token, so ours knows the token's owner, as it would of
   a buyer who has been in the room (`--cold-tokens`: the no-op POST instead).

`--py-spy` samples the server's stacks in each phase (py-spy, installed by hand);
`--server-env NAME=VALUE` adds a setting to ours' environment, to try one.

It prints claims/s beside the no-op POST/s, p50/p99, the answers by status and code, the
server's CPU (from /proc), and audits the drop in the server's database afterwards: units
held by orders (reserved + paid) must equal the 201s the claimers heard and never exceed the
drop, and no buyer may hold more than the limit. Writes bench/out/flash_sale.json and the
servers' logs to bench/out/flash-<server>-<claimers>.log. Exits non-zero on any oversell, any
hold lost or unheard, or any answer of ours that is a 5xx other than 503 (overload) or no
answer at all. Needs PostgreSQL and Redis unless --targets embedded; every run makes its own
database and key prefix and drops them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from fanout_cpu import CpuMeter, cpu_seconds, named, tree
from fanout_targets import Services
from flash_load import Plan, generator_main
from flash_report import Audit, Phase, Run, merge_phase, print_table
from flash_servers import LABELS, Target, api_view, drop_counts, log_summary, start, stop
from generator_pool import GeneratorPool


class Generators(GeneratorPool):
    """The load-generator processes of one run, each driving a share of the claimers."""

    def __init__(self, target: Target, count: int) -> None:
        count = max(1, min(count, len(target.tokens)))
        plans = [
            Plan(target.base, target.ping_path, target.claim_path, target.tokens[i::count])
            for i in range(count)
        ]
        super().__init__(generator_main, plans, answer_s=1800)

    def command(self, name: str, arg: object = None) -> None:
        self.send((name, arg))


class NamedCpuMeter:
    """CPU seconds of every process named `comm` between start() and stop(), those started
    in between included (PostgreSQL forks a backend per new pooled connection)."""

    def __init__(self, comm: str) -> None:
        self.comm = comm
        self.started: dict[int, float] = {}

    def start(self) -> None:
        self.started = {pid: cpu_seconds(pid) for pid in named(self.comm)}

    def stop(self) -> float:
        return sum(
            max(0.0, cpu_seconds(pid) - self.started.get(pid, 0.0)) for pid in named(self.comm)
        )


class MachineMeter:
    """How busy all cores were between start() and stop(), from /proc/stat."""

    @staticmethod
    def _read() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + fields[4]  # idle + iowait
        return sum(fields[:8]) - idle, sum(fields[:8])

    def start(self) -> None:
        self.busy0, self.total0 = self._read()

    def stop(self) -> float:
        busy, total = self._read()
        return 100 * (busy - self.busy0) / max(1, total - self.total0)


def _py_spy(pid: int, out: Path) -> subprocess.Popen[bytes]:
    """Sample the server's stacks (collapsed, one line per stack) until sent SIGINT."""
    py_spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or "py-spy"
    cmd = [py_spy, "record", "--pid", str(pid), "--rate", "200", "--format", "raw",
           "--nonblocking", "--subprocesses", "--output", str(out)]  # fmt: skip
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def timed_phase(
    gens: Generators, target: Target, name: str, arg: object, warm_path: str | None = None,
    profile: Path | None = None,
) -> Phase:  # fmt: skip
    """Warm every connection (a GET of `warm_path`, else the no-op POST), then run one phase
    from a common start, its CPU metered (and the server's stacks sampled into `profile`)."""
    gens.command("warm", warm_path)
    warmed = await gens.answers()
    start = time.monotonic() + 0.3
    gens.command(name, (start, arg) if name == "noop" else start)
    meters: dict[str, CpuMeter | NamedCpuMeter] = {
        "server": CpuMeter(tree(target.proc.pid)),
        "generators": CpuMeter(gens.pids),
        "postgres": NamedCpuMeter("postgres"),
        "redis": NamedCpuMeter("redis-server"),
    }
    per_gen = [CpuMeter([pid]) for pid in gens.pids]
    machine = MachineMeter()
    await asyncio.sleep(max(0.0, start - time.monotonic()))
    for meter in [*meters.values(), *per_gen]:
        meter.start()
    machine.start()
    spy = _py_spy(target.proc.pid, profile) if profile else None
    reports = await gens.answers()
    if spy is not None:
        spy.send_signal(signal.SIGINT)
        await asyncio.to_thread(spy.wait, 60)
    phase = merge_phase(name, reports, start)
    phase.wall_s = time.monotonic() - start
    phase.cpu_s = {k: m.stop() for k, m in meters.items()}
    phase.generator_cpu_s = [m.stop() for m in per_gen]
    phase.machine_busy_pct = machine.stop()
    phase.warm_s = max(w["seconds"] for w in warmed)
    phase.warm_answers = dict(sum((Counter(w["answers"]) for w in warmed), Counter[str]()))
    return phase


def _fatal(target: Target, claims: Phase, audit: Audit) -> list[str]:
    fatal = []
    if audit.oversold:
        fatal.append(f"OVERSOLD {audit.oversold} units")
    if audit.over_limit_buyers:
        fatal.append(f"{audit.over_limit_buyers} buyers over the per-buyer limit")
    if audit.unheard:
        fatal.append(f"orders hold {audit.held_units} units, claimers heard {audit.admitted} 201s")
    broken = {k: n for k, n in claims.server_errors.items() if not k.startswith("503")}
    if broken and target.ours:
        fatal.append(f"claims answered {broken} (see {target.log})")
    return fatal


async def run_one(key: str, claimers: int, args: argparse.Namespace) -> Run:
    services = Services(args.postgres, args.redis)
    loadavg_before = os.getloadavg()
    workers = f"-x{args.workers}" if args.workers > 1 and key != "embedded" else ""
    log = args.json.parent / f"flash-{key}{workers}-{claimers}.log"
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.monotonic()
        target = await start(
            key,
            services,
            Path(tmp),
            log,
            args.units,
            args.limit,
            claimers,
            args.server_env,
            args.workers,
        )
        seed_s = time.monotonic() - t0
        print(f"{target.label}: {claimers:,} claimers, seeded in {seed_s:.0f} s", flush=True)
        gens = Generators(target, args.generators)
        try:
            per_claimer = max(1, math.ceil(args.noop_requests / claimers))
            spy = log.with_suffix(".noop.stacks") if args.py_spy else None
            noop = await timed_phase(gens, target, "noop", per_claimer, profile=spy)
            warm_path = None if args.cold_tokens else target.me_path
            spy = log.with_suffix(".claims.stacks") if args.py_spy else None
            claims = await timed_phase(gens, target, "claims", None, warm_path, spy)
            gens.command("stop")
            await gens.answers()
            quantity, taken, by_status, held, over = await drop_counts(target)
            audit = Audit(
                quantity=quantity, pool_taken=taken, units_by_status=by_status,
                held_units=held, over_limit_buyers=over, admitted=claims.ok,
                api_view=await api_view(target),
            )  # fmt: skip
        finally:
            gens.join()
            await stop(target, services)
    run = Run(
        target=key, label=target.label, claimers=claimers, units=args.units, limit=args.limit,
        generators=len(gens.procs), noop=noop, claims=claims, audit=audit,
        loadavg_before=loadavg_before, loadavg_after=os.getloadavg(), log=log_summary(log),
        seed_s=seed_s,
    )  # fmt: skip
    run.fatal = _fatal(target, claims, audit)
    return run


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claimers", default="500,5000", help="comma-separated counts")
    parser.add_argument("--units", type=int, default=15_000, help="the drop's quantity")
    parser.add_argument("--limit", type=int, default=40, help="per-buyer limit")
    parser.add_argument("--targets", default=",".join(LABELS), help="comma-separated")
    parser.add_argument("--noop-requests", type=int, default=20_000, help="no-op POSTs in all")
    parser.add_argument(
        "--generators", type=int, default=2,
        help="load-generator processes (one alone came near a core on the peer's no-op POST)",
    )  # fmt: skip
    parser.add_argument(
        "--workers", type=int, default=1,
        help="server processes for ours on PostgreSQL (`serve --workers N`) and for the peer "
        "(uvicorn --workers N); ours on SQLite always runs one",
    )  # fmt: skip
    parser.add_argument(
        "--cold-tokens", action="store_true",
        help="warm up before the claims with the no-op POST (ours then reads every buyer's "
        "token on its first claim) instead of a GET that checks the token",
    )  # fmt: skip
    parser.add_argument(
        "--py-spy", action="store_true",
        help="sample the server's stacks in each phase with py-spy (installed by hand: uv pip "
        "install py-spy) into bench/out/flash-<server>-<claimers>.<phase>.stacks",
    )  # fmt: skip
    parser.add_argument(
        "--server-env", action="append", default=[], metavar="NAME=VALUE",
        help="added to ours' environment (repeatable), e.g. to try a setting",
    )  # fmt: skip
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--json", type=Path, default=Path("bench/out/flash_sale.json"))
    args = parser.parse_args()
    unknown = set(args.targets.split(",")) - set(LABELS)
    if unknown:
        parser.error(f"unknown targets {sorted(unknown)}; choose from {sorted(LABELS)}")
    if any("=" not in e for e in args.server_env):
        parser.error("--server-env takes NAME=VALUE")
    args.server_env = dict(e.split("=", 1) for e in args.server_env)
    return args


async def main() -> None:
    args = parse_args()
    runs: list[Run] = []
    broken: list[str] = []
    for claimers in (int(c) for c in args.claimers.split(",")):
        for key in args.targets.split(","):
            try:
                runs.append(await run_one(key, claimers, args))
            except (Exception, SystemExit) as exc:  # the other servers' figures still count
                broken.append(f"{LABELS[key]} at {claimers}: {exc!r}")
                print(f"BROKEN: {broken[-1]}", flush=True)
        print_table([r for r in runs if r.claimers == claimers], args.server_env)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "date": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": f"{platform.node()} {os.cpu_count()} cores {platform.python_version()}",
                "args": {k: str(v) for k, v in vars(args).items()},
                "runs": [r.as_dict() for r in runs],
                "broken": broken,
            },
            indent=2,
        )
    )
    failed = broken + [f"{r.label} at {r.claimers}: {r.fatal}" for r in runs if r.fatal]
    if failed:
        raise SystemExit("FAILED: " + "; ".join(failed))


if __name__ == "__main__":
    asyncio.run(main())
