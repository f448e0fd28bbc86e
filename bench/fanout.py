"""Fan-out benchmark: how fast a drop announcement reaches every viewer of one show while chat
runs, ours beside Django Channels + channels-redis measured in the same run.

    .venv/bin/python bench/fanout.py [--viewers 10000,20000] [--seconds 45] [--skip-peer]

For each viewer count, each server in turn (ours: `livebazaar serve --workers 2` on a fresh
PostgreSQL database and the Redis broker; the peer: bench/peers/channels_show under uvicorn
with 2 workers on the same Redis) is started, seeded, and loaded the same way:

1. Load-generator processes (one per `--per-generator` viewers) open the viewer sockets,
   ramping at `--ramp` per second in all, and count frames without parsing them.
2. Once all are connected, chat starts at `--chat-rate` messages/s, posted over HTTP open
   loop by `--chatters` accounts in turn as the viewer page posts it; after `--warmup` s
   the window opens, and the host starts a drop every `--drop-every` s until `--seconds`
   have passed, then chat runs on for `--grace` s while late announcements arrive; then the
   window closes. Server logs go to bench/out/fanout-<server>-<viewers>.log.
3. Delivery latency of an announcement to a viewer = the viewer's arrival time - the
   drop's `started_at` as the server answered it (the server's clock when it made the drop,
   a few ms before the event's `ts`); also reported from the driver's send time. Same host,
   same clock. A (viewer, announcement) pair never seen by the window's end is lost.
4. CPU: user + sys of the server's processes (supervisor and workers, /proc) over the window,
   divided by the frames the viewers received in it; the generators' and the shared Redis's
   and PostgreSQL's CPU are printed too (the latter two are shared with other users).

Prints a table per viewer count and writes bench/out/fanout.json. Exits non-zero only when a
run broke (a server would not start, no viewer connected, no drop could be started).
Needs PostgreSQL and Redis; every run makes its own database and key prefix and drops them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fanout_cpu import CpuMeter, named, open_files, rss_mib, tree
from fanout_drivers import ChatDriver, DropRecord, run_drops
from fanout_report import Run, print_table, summarise
from fanout_targets import Services, Target, log_problems, start_ours, start_peer, stop
from fanout_viewers import GeneratorPlan, generator_main
from generator_pool import GeneratorPool


class Generators(GeneratorPool):
    """The load-generator processes of one run, each holding a share of the viewers."""

    def __init__(self, target: Target, viewers: int, per_process: int, ramp: float) -> None:
        count = max(1, math.ceil(viewers / per_process))
        shares = [viewers // count + (1 if i < viewers % count else 0) for i in range(count)]
        plans = [
            GeneratorPlan("127.0.0.1", target.port, target.viewer_path, share,
                          ramp * share / viewers, target.resume)
            for share in shares
        ]  # fmt: skip
        super().__init__(generator_main, plans, answer_s=300)

    async def ask(self, command: str) -> list[dict[str, Any]]:
        self.send(command)
        return await self.answers()


def _servers(target: Target) -> dict[str, Any]:
    pids = tree(target.proc.pid)
    return {
        "pids": pids,
        "open_files": {pid: open_files(pid) for pid in pids},
        "rss_mib": {pid: round(rss_mib(pid)) for pid in pids},
    }


async def ramp_up(gens: Generators, viewers: int, args: argparse.Namespace) -> float:
    started = time.time()
    deadline = started + viewers / args.ramp + args.ramp_slack
    while True:
        connected = sum(s["connected"] for s in await gens.ask("mark"))
        if connected >= viewers or time.time() > deadline:
            print(f"  {connected:,} of {viewers:,} connected in {time.time() - started:.0f} s")
            return time.time() - started
        await asyncio.sleep(1.0)


async def measure(target: Target, viewers: int, args: argparse.Namespace) -> Run:
    gens = Generators(target, viewers, args.per_generator, args.ramp)
    stop_chat = asyncio.Event()
    chat_task: asyncio.Task[None] | None = None
    try:
        ramp_s = await ramp_up(gens, viewers, args)
        before = _servers(target)
        chat = ChatDriver(target, args.chat_rate, args.chat_in_flight)
        chat_task = asyncio.create_task(chat.run(stop_chat))
        await asyncio.sleep(args.warmup)
        meters = {
            "server": CpuMeter(before["pids"]),
            "generators": CpuMeter(gens.pids),
            "drivers": CpuMeter([os.getpid()]),
            "redis": CpuMeter(named("redis-server")),
            "postgres": CpuMeter(named("postgres")),
        }
        per_gen = {pid: CpuMeter([pid]) for pid in gens.pids}
        first = await gens.ask("mark")
        for meter in (*meters.values(), *per_gen.values()):
            meter.start()
        t0 = time.time()
        sent0, accepted0 = chat.counts.sent, chat.counts.accepted
        closes_at = t0 + args.seconds + args.grace
        drops: list[DropRecord] = []
        host = asyncio.create_task(
            run_drops(
                target, drops, t0 + 1.0, args.drop_every, t0 + args.seconds, args.drop_hold,
                deadline=closes_at,
            )
        )  # fmt: skip
        await asyncio.sleep(max(0.0, closes_at - time.time()))
        last = await gens.ask("mark")
        host.cancel()
        await asyncio.gather(host, return_exceptions=True)
        t1 = time.time()
        cpu = {name: meter.stop() for name, meter in meters.items()}
        gen_cpu = [meter.stop() for meter in per_gen.values()]
        sent = chat.counts.sent - sent0
        accepted = chat.counts.accepted - accepted0
        after = _servers(target)
        log_offset = target.log.stat().st_size
        stop_chat.set()
        await chat_task
        results = await gens.ask("stop")
    finally:
        stop_chat.set()
        if chat_task is not None and not chat_task.done():
            chat_task.cancel()
        gens.join()
    run = summarise(
        target=target.name, viewers=viewers, window_s=t1 - t0, ramp_s=ramp_s,
        first=first, last=last, results=results, drops=drops, cpu=cpu, gen_cpu=gen_cpu,
        chat_sent=sent, chat_accepted=accepted, chat=chat.counts,
        servers_before=before, servers_after=after,
    )  # fmt: skip
    run.log_offset = log_offset
    run.log_during = log_problems(target.log, 0, log_offset)
    return run


async def run_one(which: str, viewers: int, args: argparse.Namespace) -> Run:
    services = Services(args.postgres, args.redis)
    with tempfile.TemporaryDirectory() as tmp:
        log = args.json.parent / f"fanout-{which}-{viewers}.log"
        if which == "ours":
            target = await start_ours(services, Path(tmp), args.chatters, log)
        else:
            target = await start_peer(services, Path(tmp), args.peer_capacity, log)
        print(f"{target.name}: {viewers:,} viewers on port {target.port}", flush=True)
        try:
            run = await measure(target, viewers, args)
        finally:
            await stop(target, services)
    run.log_after = log_problems(log, run.log_offset)
    return run


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--viewers", default="10000,20000", help="comma-separated counts")
    parser.add_argument("--seconds", type=float, default=45.0, help="drops for this long")
    parser.add_argument("--grace", type=float, default=15.0, help="then wait for late ones")
    parser.add_argument("--warmup", type=float, default=3.0, help="chat before the window")
    parser.add_argument("--chat-rate", type=float, default=50.0, help="messages/s")
    parser.add_argument("--chatters", type=int, default=50, help="accounts posting it in turn")
    parser.add_argument("--chat-in-flight", type=int, default=1000, help="then skip a turn")
    parser.add_argument("--drop-every", type=float, default=3.0)
    parser.add_argument("--drop-hold", type=float, default=1.0, help="s before ending a drop")
    parser.add_argument("--ramp", type=float, default=400.0, help="new viewers/s in all")
    parser.add_argument("--ramp-slack", type=float, default=60.0)
    parser.add_argument("--per-generator", type=int, default=2500)
    parser.add_argument("--skip-peer", action="store_true")
    parser.add_argument("--skip-ours", action="store_true")
    parser.add_argument("--peer-capacity", type=int, default=100, help="channels-redis's")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--json", type=Path, default=Path("bench/out/fanout.json"))
    return parser.parse_args()


async def main() -> None:
    args = parse_args()
    targets = [t for t, skip in (("ours", args.skip_ours), ("peer", args.skip_peer)) if not skip]
    runs: list[Run] = []
    for viewers in (int(v) for v in args.viewers.split(",")):
        for which in targets:
            runs.append(await run_one(which, viewers, args))
        print_table([r for r in runs if r.viewers == viewers], args)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "date": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": f"{platform.node()} {os.cpu_count()} cores {platform.python_version()}",
                "loadavg_at_end": os.getloadavg(),
                "args": {k: str(v) for k, v in vars(args).items()},
                "runs": [r.as_dict() for r in runs],
            },
            indent=2,
        )
    )
    broken = [r for r in runs if r.broken]
    if broken:
        raise SystemExit(
            "broken: " + "; ".join(f"{r.target} {r.viewers}: {r.broken}" for r in broken)
        )


if __name__ == "__main__":
    asyncio.run(main())
