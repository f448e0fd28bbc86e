"""The serving process's garbage-collector policy (ADR 0013), run in a fresh interpreter: it
changes process-wide state that the test process must keep as Python has it."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import asyncio, gc, json, weakref
from livebazaar.web.channel import gc_policy

before = gc.get_threshold()
assert gc_policy.adopt(0) is None and gc.get_threshold() == before and gc.get_freeze_count() == 0

name, interval, job = gc_policy.adopt(900)

class Node:
    pass

a, b = Node(), Node()
a.other, b.other = b, a
alive = weakref.ref(a)
gc.collect(1)  # the cycle, still reachable, reaches the oldest generation
del a, b  # now it is garbage that only a full collection can find
junk = [[i] for i in range(300_000)]  # young collections run meanwhile
del junk
gc.collect(1)
survived_young = alive() is not None
collected = asyncio.run(job())
print(json.dumps({
    "name": name, "interval": interval, "threshold": gc.get_threshold(), "before": before,
    "frozen": gc.get_freeze_count(), "survived_young": survived_young,
    "found_by_job": alive() is None, "collected": collected,
}))
"""


def test_a_serving_process_collects_the_oldest_generation_on_a_clock() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert (out["name"], out["interval"]) == ("gc.full_collection", 900)
    assert out["frozen"] > 10_000  # the imported modules, out of every collection
    young, middle, oldest = out["threshold"]
    assert [young, middle] == out["before"][:2]  # the young generations as Python has them
    assert oldest > 10**8  # no full collection by allocation counts
    assert out["survived_young"]  # a cycle in the oldest generation waits for the clock
    assert out["found_by_job"]
    assert out["collected"] >= 2
