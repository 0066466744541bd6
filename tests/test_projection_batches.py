"""Read models that keep a batch in memory (entity aggregates and snapshots, ledger rows), on
both stores: a batch that fails part-way leaves neither rows nor memory behind, so the next
catch-up gives what an uninterrupted projection gives: every event once, every snapshot at
its aggregate's last version."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from projections.runner import ProjectionRunner
from registry.application import Registry
from registry.values import Context, DecisionKind, Source


class FailOnce:
    """A read model that raises at the `nth` event it sees, once."""

    name = "fail-once"

    def __init__(self, nth: int) -> None:
        self.nth = nth
        self.seen = 0

    def ddl(self, dialect: str) -> list[str]:
        return []

    def apply(self, db: Any, event: Any, position: int) -> None:
        self.seen += 1
        if self.seen == self.nth:
            raise RuntimeError("the store went away mid-batch")


def record(registry: Registry, ctx: Context) -> None:
    body = registry.register_body("Chefsgrupp", "chefsgrupp", ctx)
    for n in range(3):
        decision = registry.record_decision(
            body,
            date(2020, 2, 7),
            str(n + 1),
            DecisionKind.DECIDED,
            f"Beslut {n}",
            ctx,
            conditions=["kräver politisk förankring"],
        )
        registry.revoke_decision(decision, date(2020, 3, 1), "Ersatt av nytt beslut", ctx)
    fund = registry.establish_fund("Brukarmiljonen", "1000000", ctx)
    allocation = registry.allocate(fund, "Kumla kommun", "Brukarrevision", "600000", ctx)
    registry.change_allocation(fund, allocation, "650000", ctx)


@pytest.mark.parametrize("nth", [1, 3, 6])
def test_a_batch_failing_part_way_leaves_nothing_behind(registry: Registry, nth: int) -> None:
    ctx = Context("sekreterare", Source("Protokoll", "§ 1"))
    record(registry, ctx)
    runner = ProjectionRunner(registry, batch_size=4)
    runner.catch_up(limit_batches=1)  # the next batch builds on aggregates held in memory
    runner.views.read_models = [*runner.views.read_models, FailOnce(nth)]
    with pytest.raises(RuntimeError, match="mid-batch"):
        runner.catch_up()
    runner.catch_up()
    assert runner.position() == registry.max_position()

    with runner.views.reading() as db:
        log = db.rows("SELECT position, entity_id FROM {s}event_log ORDER BY position")
        versions = db.rows("SELECT * FROM {s}entity_versions ORDER BY version_id")
        snapshots = db.rows("SELECT entity_id, version FROM {s}entity_snapshots")
    runner.close()

    assert [r["position"] for r in log] == list(range(1, registry.max_position() + 1))
    events_of: dict[str, list[int]] = {}
    for r in log:
        events_of.setdefault(r["entity_id"], []).append(r["position"])
    for entity_id, positions in events_of.items():
        written = [int(v["event_position"]) for v in versions if v["entity_id"] == entity_id]
        assert written == positions, entity_id  # one version per event, none twice
    for s in snapshots:
        assert int(s["version"]) == len(events_of[s["entity_id"]])
    current = [json.loads(v["view"]) for v in versions if v["recorded_to"] is None]
    assert sorted(v["revoked_on"] for v in current if "revoked_on" in v) == ["2020-03-01"] * 3
    [fund] = [v for v in current if "allocated" in v]
    assert (fund["allocated"], fund["remaining"]) == ("650000.00", "350000.00")
