"""What one run of bench/flash_sale.py measured (a server, a claimer count), and its table."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from fanout_report import percentile


@dataclass
class Phase:
    """One timed phase (the no-op POSTs, or the claims) as the claimers saw it."""

    name: str
    requests: int
    ok: int  # 200 for the no-op, 201 for a claim
    seconds: float  # from the common start to the last ok answer
    p50_ms: float  # over every answer, refusals included
    p99_ms: float
    max_ms: float
    ok_p50_ms: float  # over the ok answers alone
    ok_p99_ms: float
    answers: dict[str, int]  # "201", "409 sold_out", "503 busy", "error ..." ...
    errors: dict[str, str] = field(default_factory=dict)  # a sample message per error kind
    reconnects: int = 0  # requests sent again on a new connection (flash_load._post)
    warm_s: float = 0.0  # how long the untimed warm-up before it took
    warm_answers: dict[str, int] = field(default_factory=dict)
    cpu_s: dict[str, float] = field(default_factory=dict)  # by process group, over the phase
    generator_cpu_s: list[float] = field(default_factory=list)
    wall_s: float = 0.0  # the CPU window: start to the last generator's report
    machine_busy_pct: float = math.nan  # of all cores, from /proc/stat over the window

    @property
    def per_s(self) -> float:
        return self.ok / self.seconds if self.seconds > 0 else 0.0

    def core_pct(self, what: str) -> float:
        return 100 * self.cpu_s.get(what, math.nan) / self.wall_s if self.wall_s else math.nan

    @property
    def busiest_generator_pct(self) -> float:
        top = max(self.generator_cpu_s, default=math.nan)
        return 100 * top / self.wall_s if self.wall_s else math.nan

    @property
    def server_errors(self) -> dict[str, int]:
        """5xx answers and transport errors: what the run must explain."""
        return {k: n for k, n in self.answers.items() if k.startswith(("5", "error"))}


def merge_phase(name: str, parts: list[dict[str, Any]], start: float) -> Phase:
    """The generators' reports of one phase, as one Phase (latencies pooled)."""
    latencies = [x for p in parts for x in p["latencies"]]
    ok_latencies = [x for p in parts for x in p["ok_latencies"]]
    answers: Counter[str] = Counter()
    errors: dict[str, str] = {}
    for p in parts:
        answers.update(p["answers"])
        errors |= p["errors"]
    ok = sum(p["ok"] for p in parts)
    last_ok = max((p["last_ok"] for p in parts if p["ok"]), default=start)
    return Phase(
        name=name, requests=len(latencies), ok=ok, seconds=last_ok - start,
        p50_ms=1000 * percentile(latencies, 0.50), p99_ms=1000 * percentile(latencies, 0.99),
        max_ms=1000 * max(latencies, default=math.nan),
        ok_p50_ms=1000 * percentile(ok_latencies, 0.50),
        ok_p99_ms=1000 * percentile(ok_latencies, 0.99), answers=dict(answers.most_common()),
        errors=errors, reconnects=sum(p["reconnects"] for p in parts),
    )  # fmt: skip


@dataclass
class Audit:
    """The drop after the sale, from the server's own database."""

    quantity: int
    pool_taken: int  # the stock row's reserved + sold (ours) / quantity - remaining (peer)
    units_by_status: dict[str, int]  # orders of the drop
    held_units: int  # reserved + paid orders
    over_limit_buyers: int  # buyers holding more than the per-buyer limit
    admitted: int  # 201 answers the claimers heard
    api_view: dict[str, int] = field(default_factory=dict)  # ours: GET /drops/{id}

    @property
    def oversold(self) -> int:
        """Units given out beyond the drop's quantity, by whichever count says most."""
        api = self.api_view.get("reserved", 0) + self.api_view.get("sold", 0)
        return max(0, self.held_units - self.quantity, self.pool_taken - self.quantity,
                   api - self.quantity)  # fmt: skip

    @property
    def unheard(self) -> int:
        """Held units no claimer heard a 201 for (positive), or 201s with no order (negative)."""
        return self.held_units - self.admitted


@dataclass
class Run:
    target: str
    label: str
    claimers: int
    units: int
    limit: int
    generators: int
    noop: Phase
    claims: Phase
    audit: Audit
    loadavg_before: tuple[float, float, float]
    loadavg_after: tuple[float, float, float]
    log: dict[str, int]  # exceptions and ERROR lines in the server's log
    seed_s: float
    fatal: list[str] = field(default_factory=list)  # why this run fails the program

    @property
    def share(self) -> float:
        return self.claims.per_s / self.noop.per_s if self.noop.per_s else math.nan

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for name in ("noop", "claims"):
            phase: Phase = getattr(self, name)
            d[name] |= {
                "per_s": phase.per_s,
                "server_core_pct": phase.core_pct("server"),
                "busiest_generator_pct": phase.busiest_generator_pct,
            }
        d["share"] = self.share
        d["audit"] |= {"oversold": self.audit.oversold, "unheard": self.audit.unheard}
        return d


def _f(value: float, spec: str = ",.0f") -> str:
    return "-" if math.isnan(value) else format(value, spec)


def print_table(runs: list[Run], server_env: dict[str, str]) -> None:
    if not runs:
        return
    r0 = runs[0]
    print(
        f"\nflash sale: {r0.units:,} units, per-buyer limit {r0.limit}, {r0.claimers:,} "
        f"concurrent claimers ({r0.generators} generator process(es)); xN: N server processes, "
        "else one" + (f"; ours with {server_env}" if server_env else "")
    )
    print(
        f"{'':38}{'no-op/s':>8}{'p50':>6}{'p99':>6} |{'claims/s':>9}{'p50':>7}{'p99':>7}"
        f"{'share':>7}{'requests':>9}{'oversold':>9}{'srv %':>6}{'gen %':>6}"
    )
    for r in runs:
        n, c = r.noop, r.claims
        print(
            f"{r.label:38}{_f(n.per_s):>8}{_f(n.p50_ms):>6}{_f(n.p99_ms):>6} |"
            f"{_f(c.per_s):>9}{_f(c.p50_ms):>7}{_f(c.p99_ms):>7}{_f(100 * r.share):>6}%"
            f"{c.requests:>9,}{r.audit.oversold:>9}{_f(c.core_pct('server')):>6}"
            f"{_f(c.busiest_generator_pct):>6}"
        )
    print(
        "  (ms, over every answer; share = claims/s over the same server's no-op POST/s; "
        "CPU % of one core)"
    )
    for r in runs:
        _details(r)


def _details(r: Run) -> None:
    a, c = r.audit, r.claims
    print(f"  {r.label}:")
    print(
        f"    claim answers {c.answers}; no-op answers {r.noop.answers}; 201s alone p50/p99 "
        f"{_f(c.ok_p50_ms)}/{_f(c.ok_p99_ms)} ms"
    )
    print(
        f"    sold in {c.seconds:.1f} s; orders by status {a.units_by_status}, held "
        f"{a.held_units:,} of {a.quantity:,}, stock row taken {a.pool_taken:,}"
        + (f", API {a.api_view}" if a.api_view else "")
    )
    print(
        f"    oversold {a.oversold}, 201s heard {a.admitted:,} (held - heard = {a.unheard}), "
        f"buyers over the limit {a.over_limit_buyers}"
    )
    for phase in (r.noop, c):
        if phase.errors:
            print(f"    {phase.name} errors: {phase.errors}")
        print(
            f"    {phase.name}: warm-up {phase.warm_answers} in {phase.warm_s:.1f} s; "
            f"{phase.reconnects} requests sent again after an idle connection was closed"
        )
        print(
            f"    CPU % of a core during {phase.name}: server {_f(phase.core_pct('server'))}, "
            f"generators {_f(phase.core_pct('generators'))} (busiest "
            f"{_f(phase.busiest_generator_pct)}), postgres {_f(phase.core_pct('postgres'))}, "
            f"redis {_f(phase.core_pct('redis'))}; machine busy {_f(phase.machine_busy_pct)} % "
            f"of all cores"
        )
    print(
        f"    load {r.loadavg_before[0]:.1f} before, {r.loadavg_after[0]:.1f} after; "
        f"server log: {r.log or 'clean'}" + "".join(f"; FAILED: {f}" for f in r.fatal)
    )
