"""Counting reactions: they are stored nowhere, so the process that accepts one counts it."""

from __future__ import annotations

from collections import Counter


class ReactionTally:
    """How many reactions each show received, counted in this process as `do_react` accepts
    them. Per process and forgotten on restart: persisting each reaction (or bumping a counter
    row) would put a database write on a live show's busiest path, beside the claims. With
    several app processes each counts its own share; a shared counter (Redis INCR) replaces
    this behind the same two methods at scale-out."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()

    def add(self, show_id: str) -> None:
        self._counts[show_id] += 1

    def count(self, show_id: str) -> int:
        return self._counts[show_id]
