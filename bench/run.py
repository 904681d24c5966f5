"""`make bench`: runs every benchmark module and writes bench/results.json.

    python -m bench.run [name ...]      # e.g. python -m bench.run cold_start request_counts
"""
from __future__ import annotations

import importlib
import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

BENCHMARKS = ["cold_start", "request_counts", "artifact", "accounts", "returns", "compliance", "backups", "web", "feedback",
              "working_time", "commissioners", "employers", "work", "fuzz", "cost"]  # cost last: it reads the others' figures

# moto's credentials (never a real account's) and no X-Ray daemon to send to.
OFFLINE_AWS = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "eu-west-2",
               "AWS_REGION": "eu-west-2", "POWERTOOLS_TRACE_DISABLED": "true"}


def measured(name: str, measure: Callable[[], dict]) -> dict:
    """A benchmark module's main(): its figures measured on moto, printed one a line and returned."""
    for key, value in OFFLINE_AWS.items():
        os.environ.setdefault(key, value)
    figures = measure()
    for key, value in figures.items():
        print(f"{name}  {key}: {value}")
    return figures


def main(argv: list[str]) -> int:
    names = argv or BENCHMARKS
    results: dict[str, dict] = {}
    failed = False
    for name in names:
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"bench.{name}":
                print(f"== {name}: not written yet")
                continue
            raise
        print(f"== {name}")
        started = time.perf_counter()
        try:
            results[name] = module.main()
        except Exception:  # noqa: BLE001 - report every benchmark, then fail
            traceback.print_exc()
            results[name] = {"error": traceback.format_exc(limit=3)}
            failed = True
        print(f"   ({time.perf_counter() - started:.1f}s)")
        # after each one, so bench.cost (last) reads this run's figures
        out = Path(__file__).with_name("results.json")
        out.write_text(json.dumps(results, indent=2, default=str))
    out = Path(__file__).with_name("results.json")
    out.write_text(json.dumps(results, indent=2, default=str))
    print(f"figures written to {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
