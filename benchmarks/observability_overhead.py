"""What the observability costs a GraphQL answer: the same large query (every body with its
members and seats, every decision, every agreement: about 19 KB of JSON over the four example
documents) answered in process through the FastAPI app, with the answer cache off, by an app
that does not time root resolvers for /metrics and by one that does. Each round runs in its
own process (the wrapping stays for the rest of a process), alternating, so that drifting load
on the machine falls on both alike. The request middleware (request id, log line, counters)
runs in both.

Measured on the shared, loaded 2-core development machine (4 rounds of 100): 38.4 ms without,
39.3 ms with (+2%, within the rounds' spread). A first version timed root fields in a
strawberry `resolve` extension, which strawberry then calls for every nested field too: +5% to
+14% per answer in the same kind of runs, so it was replaced by wrapping the root resolvers.

    .venv/bin/python benchmarks/observability_overhead.py [--runs 100] [--rounds 3]

Prints the median CPU time per answer (process time: less disturbed by other load on the
machine than wall time) for each variant and round. Asserts nothing. SQLite only:
the cost measured is in Python, the same on both stores.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient

from api.app import create_app
from api.cli import demo_store

QUERY = """{
  bodies { nodes { name
    members { personName role from until onBehalfOf { name } decision { item kind decidedOn } }
    seats { label vacant } } }
  decisions { nodes { item kind decidedOn conditions { text } body { name } } }
  agreements { nodes { title inForceFrom effectiveUntil } }
}"""


def measure(settings, resolver_timing: bool, runs: int) -> float:
    app = create_app(settings, answer_cache=False, resolver_timing=resolver_timing)
    with TestClient(app) as client:
        app.state.runner.wait_for(app.state.registry.max_position())
        times = []
        for _ in range(runs + 10):
            start = time.process_time()
            response = client.post("/graphql", json={"query": QUERY})
            times.append(time.process_time() - start)
            assert "errors" not in response.json(), response.text
    return statistics.median(times[10:]) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--one", choices=["with", "without"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        logging.disable(logging.INFO)  # the request log lines would flood the terminal
        with contextlib.redirect_stderr(io.StringIO()):
            settings = demo_store()
        print(measure(settings, args.one == "with", args.runs))
        return
    results: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(args.rounds):
        for timing in (False, True):
            variant = "with" if timing else "without"
            one = subprocess.run(
                [sys.executable, __file__, "--runs", str(args.runs), "--one", variant],
                capture_output=True,
                text=True,
                check=True,
            )
            results[timing].append(float(one.stdout.strip().splitlines()[-1]))
    for timing, label in ((False, "without resolver timing"), (True, "with resolver timing")):
        figures = ", ".join(f"{ms:.1f}" for ms in results[timing])
        print(f"{label:>24}: median CPU ms per answer by round: {figures}")
    base = statistics.median(results[False])
    timed = statistics.median(results[True])
    print(
        f"resolver timing adds {timed - base:+.1f} ms ({(timed / base - 1) * 100:+.0f}%) per answer"
    )


if __name__ == "__main__":
    main()
