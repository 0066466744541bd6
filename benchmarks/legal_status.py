"""What `Decision.legalStatus` costs a read: `decisions(first: 100)` asking only the item
against asking `legalStatus(asOf)`, `finalOn(asOf)` and `appealDeadline` too (each decision's
body and meeting are loaded, batched, and the status rule run; the holiday calendar is cached
per year). SQLite, in-process ASGI client (FastAPI TestClient), one store of `--meetings`
invented nämnd meetings with four decisions each, justering and anslag on every one.

    .venv/bin/python benchmarks/legal_status.py [--meetings 25] [--runs 30]

Prints the median and p90 of `--runs` timed queries of each shape, each run a new text so
that the answer cache does not answer it. A script, not a test.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import warnings
from datetime import date, timedelta
from pathlib import Path

warnings.filterwarnings("ignore")

from fastapi.testclient import TestClient  # noqa: E402

from api.app import create_app  # noqa: E402
from registry.config import StoreSettings  # noqa: E402
from registry.importing import import_text  # noqa: E402

CASE = (Path(__file__).parents[1] / "tests" / "import_cases" / "lifecycle-namnd.yaml").read_text()

PLAIN = "{ decisions(first: 100) { nodes { item } } }"
WITH_STATUS = """{ decisions(first: 100) { nodes {
  item legalStatus(asOf: "2026-12-01") finalOn(asOf: "2026-12-01") appealDeadline } } }"""


def minutes(held: date, first: bool) -> str:
    text = CASE
    if not first:  # the seats and members are stated once
        text = text[: text.index("background:")] + text[text.index("meeting:") :]
    for old, days in (("2026-05-26", 0), ("2026-05-27", 1), ("2026-05-28", 2), ("2026-05-29", 3)):
        text = text.replace(old, (held + timedelta(days=days)).isoformat())
    # The printed deadlines follow from the posting: leave them to the registry.
    lines = [
        x
        for x in text.splitlines()
        if not x.strip().startswith(("appeal_deadline", "taken_down_on"))
    ]
    return "\n".join(lines) + "\n"


def timed(client: TestClient, query: str, runs: int) -> list[float]:
    found = []
    for i in range(runs):
        # A comment of its own per run: the answer cache (api/cache.py) keys on the text.
        text = f"{query} # run {time.perf_counter_ns()} {i}"
        start = time.perf_counter()
        answer = client.post("/graphql", json={"query": text}).json()
        found.append((time.perf_counter() - start) * 1000)
        assert "errors" not in answer, answer
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--meetings", type=int, default=25)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    store = StoreSettings(str(Path(tempfile.mkdtemp()) / "bench.sqlite"))
    with TestClient(create_app(store)) as client:
        registry = client.app.state.registry
        for k in range(args.meetings):
            held = date(2026, 1, 5) + timedelta(days=7 * k)
            import_text(registry, minutes(held, k == 0), f"m{k}.yaml")
        client.app.state.runner.wait_for(registry.max_position())
        n = len(client.post("/graphql", json={"query": PLAIN}).json()["data"]["decisions"]["nodes"])
        for name, query in (("item only", PLAIN), ("with legal status", WITH_STATUS)):
            timed(client, query, 3)  # warm up
            ms = sorted(timed(client, query, args.runs))
            p90 = ms[int(0.9 * (len(ms) - 1))]
            print(
                f"{name:>18}: {n} decisions, median {statistics.median(ms):.1f} ms, "
                f"p90 {p90:.1f} ms ({args.runs} runs)"
            )


if __name__ == "__main__":
    main()
