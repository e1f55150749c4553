"""What a hung rule costs the rules after it: one rule's time alone, then after rules that
never answer (pure-Python loops) timed out before it, and how many rule threads are left.

Before hung rules were stopped (2026-12), the abandoned loops went on competing for the
interpreter: B alone 0.29 s, after three hung rules 1.74 s, with 4 rule threads alive; since,
each hung rule is stopped in its thread when it times out (0.23 s and 0.29 s, 1 thread).
Usage: python bench/hung_rules.py [HUNG]   (default 3)
"""

from __future__ import annotations

import sys
import threading
import time
from datetime import date
from typing import ClassVar

from coordtui.api import ModelSpec, Record
from coordtui.domain.model import Rule
from coordtui.rules import engine
from coordtui.testing import context_for


class Thing(Record):
    kind: ClassVar[str] = "thing"


MODEL = ModelSpec(id="bench", name_zh="基准", name_en="bench", version="1", kinds=[Thing])


def spin(ctx):
    while True:
        pass


def work(ctx):
    sum(i * i for i in range(3_000_000))
    return []


def main(hung: int) -> None:
    ctx = context_for(MODEL, [], date(2026, 3, 1))
    busy = Rule("bench.work", "x", "x", work)
    start = time.perf_counter()
    engine.run_rule(ctx, busy, seconds=60)
    alone = time.perf_counter() - start
    for k in range(hung):
        engine.run_rule(ctx, Rule(f"bench.spin{k}", "x", "x", spin), seconds=0.5)
    start = time.perf_counter()
    engine.run_rule(ctx, busy, seconds=60)
    after = time.perf_counter() - start
    threads = sum(1 for t in threading.enumerate() if t.name == "coordtui-rules")
    print(f"rule alone {alone:.2f} s; after {hung} hung rules {after:.2f} s; rule threads alive: {threads}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
