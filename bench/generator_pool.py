"""Load-generator processes driven over pipes: the flash-sale and fan-out benches each start
a few (spawned, so each has its own interpreter and event loop) with a plan apiece."""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any


class GeneratorPool:
    """One process per plan, running `main(plan, pipe)`; commands go to all, one answer each."""

    def __init__(
        self, main: Callable[[Any, Connection], None], plans: Sequence[object], answer_s: float
    ) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.answer_s = answer_s  # how long an answer may take before the run is abandoned
        self.pipes: list[Connection] = []
        self.procs: list[BaseProcess] = []
        for plan in plans:
            ours, theirs = ctx.Pipe()
            proc = ctx.Process(target=main, args=(plan, theirs), daemon=True)
            proc.start()
            self.pipes.append(ours)
            self.procs.append(proc)

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.procs if p.pid is not None]

    def send(self, message: object) -> None:
        for pipe in self.pipes:
            pipe.send(message)

    async def answers(self) -> list[dict[str, Any]]:
        return [await asyncio.to_thread(self._recv, pipe) for pipe in self.pipes]

    def _recv(self, pipe: Connection) -> dict[str, Any]:
        if not pipe.poll(self.answer_s):
            raise SystemExit("a load generator stopped answering")
        answer: dict[str, Any] = pipe.recv()
        return answer

    def join(self) -> None:
        for proc in self.procs:
            proc.join(timeout=30)
            if proc.is_alive():
                proc.kill()
