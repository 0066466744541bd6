"""withinMandate and delegates() figures on SQLite: for N delegated decisions (a nämnd with a
structured mandate delegates N matters to N/10 utskott; each utskott decides each of its
matters once under its delegation), times one query asking every decision's `withinMandate`
with its chain, and one `delegates(bodyId, matter, asOf)`, in process through the FastAPI
app (no network). The rule is built once per request and time, so the time per decision
should stay flat as N grows.

    .venv/bin/python benchmarks/mandates.py           # N = 50 and 400, 7 runs each
    .venv/bin/python benchmarks/mandates.py --quick   # N = 20 and 100, 3 runs

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient

from api.app import create_app
from registry.application import Registry
from registry.config import StoreSettings
from registry.domain.delegation import Delegate, DelegateKind
from registry.domain.mandate import MatterPower, Power
from registry.values import Context, Source

CTX = Context(actor="benchmark", source=Source("benchmark minutes", "§ 1"))
WITHIN = """{ decisions(first: 500) { totalCount nodes {
  withinMandate { within chain { kind power body { name } } } } } }"""
WHO = """query($b: ID!) { delegates(bodyId: $b, matter: "ärende 0007", asOf: "2021-06-01") {
  key delegate { name } } }"""


def build(registry: Registry, n: int) -> str:
    region = registry.register_organisation("Region Bench", "region", CTX)
    namnd = registry.register_body("Nämnd", "nämnd", CTX, owner_organisation_ids=[region])
    matters = [f"ärende {i:04d}" for i in range(n)]
    with registry.decide(namnd, date(2021, 1, 1), "1", "decided", "Reglemente", CTX) as d:
        registry.state_mandate(
            namnd, [MatterPower(m, Power.DECIDE) for m in matters], d.context, date(2021, 1, 1)
        )
    committees = [
        registry.register_body(f"Utskott {k}", "utskott", CTX, parent_body_id=namnd)
        for k in range(max(1, n // 10))
    ]
    delegations = {}
    with registry.decide(namnd, date(2021, 1, 15), "2", "decided", "Delegation", CTX) as d:
        for i, matter in enumerate(matters):
            au = committees[i % len(committees)]
            delegations[matter] = (
                au,
                registry.delegate(
                    namnd,
                    matter,
                    matter,
                    Delegate(DelegateKind.BODY, "", body_id=au),
                    date(2021, 2, 1),
                    d.context,
                    max_amount=1_000_000,
                ),
            )
    for i, matter in enumerate(matters):
        au, delegation = delegations[matter]
        decision = registry.record_decision(
            au, date(2021, 3, 1), str(i + 1), "decided", matter, CTX
        )
        registry.state_claim(
            decision, "decides", CTX, matter=matter, amount=10_000, delegation_id=delegation
        )
    return str(namnd)


def measure(n: int, runs: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = StoreSettings(str(Path(tmp) / "bench.sqlite"))
        registry = Registry(settings)
        namnd = build(registry, n)
        events = registry.max_position()
        registry.close()
        within, who = [], []
        with TestClient(create_app(settings, answer_cache=False)) as client:
            client.app.state.runner.wait_for(client.app.state.registry.max_position())
            for _ in range(runs):
                started = time.perf_counter()
                answer = client.post("/graphql", json={"query": WITHIN}).json()
                within.append(time.perf_counter() - started)
                assert "errors" not in answer, answer
                nodes = answer["data"]["decisions"]["nodes"]
                assert sum(1 for d in nodes if d["withinMandate"]["within"]) == n
                started = time.perf_counter()
                answer = client.post("/graphql", json={"query": WHO, "variables": {"b": namnd}})
                who.append(time.perf_counter() - started)
        return {
            "events": events,
            "within_ms": statistics.median(within) * 1000,
            "per_decision_ms": statistics.median(within) * 1000 / (n + 2),
            "delegates_ms": statistics.median(who) * 1000,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    sizes, runs = ((20, 100), 3) if args.quick else ((50, 400), 7)
    print(f"SQLite, median of {runs} runs")
    for n in sizes:
        f = measure(n, runs)
        print(
            f"N={n:4d} ({f['events']} events): withinMandate of every decision "
            f"{f['within_ms']:.0f} ms ({f['per_decision_ms']:.2f} ms/decision); "
            f"delegates() {f['delegates_ms']:.1f} ms"
        )


if __name__ == "__main__":
    main()
