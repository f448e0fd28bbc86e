"""What one run of bench/fanout.py measured, and the table it prints."""

from __future__ import annotations

import argparse
import math
import os
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from fanout_drivers import ChatCounts, DropRecord


def percentile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class Run:
    target: str
    viewers: int
    window_s: float
    ramp_s: float
    loadavg: tuple[float, float, float]
    held: int  # viewer sockets open when the window closed
    ever_connected: int
    reconnects: int
    refused: dict[str, int]
    closes: dict[str, int]
    drops_tried: int
    drops_started: int  # answered 201 before the window closed
    drop_answers: dict[str, int]  # "0": no answer by the window's end
    drop_post_p50_ms: float
    pairs: int  # viewers asked x drops tried: an unstarted drop reaches nobody
    delivered: int
    p50_ms: float
    p99_ms: float
    p99_lost_inf_ms: float  # inf when more than 1 % of the pairs were lost
    max_ms: float
    p50_from_send_ms: float
    p99_from_send_ms: float
    frames: int
    chat_events: int
    chat_sent_per_s: float
    chat_accepted_per_s: float
    chat_answers: dict[str, int]
    chat_post_p50_ms: float
    chat_post_p99_ms: float
    server_cpu_s: float
    cpu_s: dict[str, float]
    generator_cpu_s: list[float]
    servers_after: dict[str, Any]
    unidentified_drops: int = 0
    per_drop_ms: list[tuple[float, float]] = field(default_factory=list)  # p50, p99 of each
    log_offset: int = 0  # the server log's size when the window closed
    log_during: dict[str, int] = field(default_factory=dict)  # its problems up to then
    log_after: dict[str, int] = field(default_factory=dict)  # and while viewers left
    broken: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def lost(self) -> int:
        return self.pairs - self.delivered

    @property
    def frames_per_s(self) -> float:
        return self.frames / self.window_s

    @property
    def us_per_frame(self) -> float:
        return self.server_cpu_s / self.frames * 1e6 if self.frames else math.nan

    def core_pct(self, seconds: float) -> float:
        return 100 * seconds / self.window_s

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {
            "lost": self.lost,
            "frames_per_s": self.frames_per_s,
            "us_per_frame": self.us_per_frame,
            "server_core_pct": self.core_pct(self.server_cpu_s),
        }


def summarise(
    *, target: str, viewers: int, window_s: float, ramp_s: float,
    first: list[dict[str, Any]], last: list[dict[str, Any]], results: list[dict[str, Any]],
    drops: list[DropRecord], cpu: dict[str, float], gen_cpu: list[float], chat_sent: int,
    chat_accepted: int, chat: ChatCounts,
    servers_before: dict[str, Any], servers_after: dict[str, Any],
) -> Run:  # fmt: skip
    closed_at = max(s["t"] for s in last)
    ok = [d for d in drops if d.drop_id and d.started_at is not None]
    arrivals: dict[str, list[float]] = {}
    for result in results:
        for drop_id, times in result["arrivals"].items():
            arrivals.setdefault(drop_id, []).extend(t for t in times if t <= closed_at)
    from_ts: list[float] = []
    from_send: list[float] = []
    per_drop: list[tuple[float, float]] = []
    for d in ok:
        assert d.drop_id is not None
        assert d.started_at is not None
        times = arrivals.get(d.drop_id, [])
        these = [1000 * (t - d.started_at) for t in times]
        per_drop.append((percentile(these, 0.5), percentile(these, 0.99)))
        from_ts.extend(these)
        from_send.extend(1000 * (t - d.sent) for t in times)
    pairs = viewers * len(drops)
    with_lost = from_ts + [math.inf] * max(0, pairs - len(from_ts))
    refused: Counter[str] = Counter()
    closes: Counter[str] = Counter()
    for result in results:
        refused.update(result["refused"])
        closes.update(result["closes"])
    run = Run(
        target=target, viewers=viewers, window_s=window_s, ramp_s=ramp_s,
        loadavg=os.getloadavg(),
        held=sum(s["connected"] for s in last),
        ever_connected=sum(r["ever_connected"] for r in results),
        reconnects=sum(r["reconnects"] for r in results),
        refused=dict(refused), closes=dict(closes),
        drops_tried=len(drops), drops_started=len(ok),
        drop_answers=dict(Counter(str(d.status) for d in drops)),
        drop_post_p50_ms=percentile([1000 * (d.answered - d.sent) for d in drops if d.status], 0.5),
        pairs=pairs, delivered=len(from_ts),
        p50_ms=percentile(from_ts, 0.5), p99_ms=percentile(from_ts, 0.99),
        p99_lost_inf_ms=percentile(with_lost, 0.99), max_ms=max(from_ts, default=math.nan),
        p50_from_send_ms=percentile(from_send, 0.5), p99_from_send_ms=percentile(from_send, 0.99),
        frames=sum(b["frames"] - a["frames"] for a, b in zip(first, last, strict=True)),
        chat_events=sum(b["chat"] - a["chat"] for a, b in zip(first, last, strict=True)),
        chat_sent_per_s=chat_sent / window_s, chat_accepted_per_s=chat_accepted / window_s,
        chat_answers=dict(chat.answers),
        chat_post_p50_ms=percentile(chat.latencies_ms, 0.5),
        chat_post_p99_ms=percentile(chat.latencies_ms, 0.99),
        server_cpu_s=cpu["server"], cpu_s=cpu, generator_cpu_s=gen_cpu,
        servers_after=servers_after,
        unidentified_drops=sum(r["unidentified_drops"] for r in results),
        per_drop_ms=per_drop,
    )  # fmt: skip
    if set(servers_after["pids"]) != set(servers_before["pids"]):
        run.notes.append("server processes changed during the window (a worker restarted?)")
    if not run.ever_connected:
        run.broken = "no viewer connected"
    elif not drops:
        run.broken = "the host driver tried no drop"
    return run


def _ms(value: float) -> str:
    if math.isinf(value):
        return "inf"
    return "-" if math.isnan(value) else f"{value:,.0f}"


def print_table(runs: list[Run], args: argparse.Namespace) -> None:
    if not runs:
        return
    r0 = runs[0]
    print(
        f"\nfan-out: {r0.viewers:,} viewers asked, chat {args.chat_rate:g} msg/s, a drop every "
        f"{args.drop_every:g} s for {args.seconds:g} s (+{args.grace:g} s), 2 server processes"
    )
    print(
        f"{'':24}{'held':>8}{'p50 ms':>9}{'p99 ms':>9}{'p99 lost=inf':>13}{'lost %':>8}"
        f"{'chat/s/viewer':>14}{'frames/s':>10}{'us/frame':>9}{'server %':>9}{'gens %':>8}"
    )
    for r in runs:
        lost_pct = 100 * r.lost / r.pairs if r.pairs else math.nan
        per_viewer = r.chat_events / r.window_s / max(1, r.held)
        print(
            f"{r.target:24}{r.held:>8,}{_ms(r.p50_ms):>9}{_ms(r.p99_ms):>9}"
            f"{_ms(r.p99_lost_inf_ms):>13}{lost_pct:>8.1f}{per_viewer:>14.1f}"
            f"{r.frames_per_s:>10,.0f}{r.us_per_frame:>9.1f}{r.core_pct(r.server_cpu_s):>9.0f}"
            f"{r.core_pct(sum(r.generator_cpu_s)):>8.0f}"
        )
    for r in runs:
        busiest = r.core_pct(max(r.generator_cpu_s, default=0.0))
        files = list(r.servers_after["open_files"].values())
        rss = sum(r.servers_after["rss_mib"].values())
        print(
            f"  {r.target}: {r.drops_started} of {r.drops_tried} drops started (answers "
            f"{r.drop_answers}, POST p50 "
            f"{_ms(r.drop_post_p50_ms)} ms); from the driver's send p50/p99 "
            f"{_ms(r.p50_from_send_ms)}/{_ms(r.p99_from_send_ms)} ms"
        )
        if r.per_drop_ms:
            each = ", ".join(f"{_ms(a)}/{_ms(b)}" for a, b in r.per_drop_ms)
            print(f"    each drop's p50/p99 ms, in order: {each}")
        print(
            f"    chat: posted {r.chat_sent_per_s:.1f}/s, accepted {r.chat_accepted_per_s:.1f}/s, "
            f"answers {r.chat_answers}, POST p50/p99 {_ms(r.chat_post_p50_ms)}/"
            f"{_ms(r.chat_post_p99_ms)} ms"
        )
        print(
            f"    sockets: ever {r.ever_connected:,}, reconnects {r.reconnects:,}, closes "
            f"{r.closes}, refused {r.refused}; server open files {files}, RSS {rss:,.0f} MiB"
        )
        if r.unidentified_drops:
            print(
                f"    {r.unidentified_drops:,} frames held a drop marker but no drop id "
                '(`"drop":{"id":"` not found: has the frame format changed?)'
            )
        print(
            f"    CPU % of a core: server {r.core_pct(r.server_cpu_s):.0f}, redis "
            f"{r.core_pct(r.cpu_s['redis']):.0f}, postgres {r.core_pct(r.cpu_s['postgres']):.0f}"
            f", drivers {r.core_pct(r.cpu_s['drivers']):.0f}, busiest generator {busiest:.0f}; "
            f"load {r.loadavg[0]:.1f}" + "".join(f"; {n}" for n in r.notes)
        )
        print(f"    server log, ramp to window end: {r.log_during or 'clean'}")
        print(f"    server log, viewers leaving: {r.log_after or 'clean'}")
