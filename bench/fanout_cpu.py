"""CPU time, memory and open files of processes, read from /proc (Linux only)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
PROC = Path("/proc")


def cpu_seconds(pid: int) -> float:
    """user + sys of one process so far (0 once it is gone)."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def _parent(pid: int) -> int | None:
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return int(stat[stat.rindex(")") + 2 :].split()[1])


def _pids() -> list[int]:
    return [int(p.name) for p in PROC.iterdir() if p.name.isdigit()]


def tree(root: int) -> list[int]:
    """`root` and all its descendants now."""
    children: dict[int, list[int]] = {}
    for pid in _pids():
        parent = _parent(pid)
        if parent is not None:
            children.setdefault(parent, []).append(pid)
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def named(comm: str) -> list[int]:
    """Processes whose command name is `comm` (e.g. redis-server, postgres)."""
    found = []
    for pid in _pids():
        try:
            if (PROC / str(pid) / "comm").read_text().strip() == comm:
                found.append(pid)
        except OSError:
            continue
    return found


def rss_mib(pid: int) -> float:
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def open_files(pid: int) -> int:
    try:
        return len(os.listdir(PROC / str(pid) / "fd"))
    except OSError:
        return 0


@dataclass
class CpuMeter:
    """CPU seconds spent by a fixed set of processes between start() and stop()."""

    pids: list[int]
    started: dict[int, float] = field(default_factory=dict)
    spent: float = 0.0

    def start(self) -> None:
        self.started = {pid: cpu_seconds(pid) for pid in self.pids}

    def stop(self) -> float:
        """A process gone meanwhile counts as nothing (its last seconds are unknown)."""
        self.spent = sum(
            max(0.0, cpu_seconds(pid) - before) for pid, before in self.started.items()
        )
        return self.spent
