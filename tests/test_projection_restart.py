"""The read models apply every event exactly once: a projection stopped part-way (between
batches, or in the middle of one) and restarted in a new process neither loses nor doubles an
event, and a batch whose position was already recorded is refused whole."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from uuid import UUID

import pytest
from eventsourcing.persistence import IntegrityError, Tracking

from projections.memberships import OPEN_DATE, OPEN_TIME
from projections.runner import ProjectionRunner
from projections.sql import sqlite_timestamp
from registry.application import Appointment, Registry
from registry.config import StoreSettings
from registry.domain.body import Body
from registry.values import Context, Role

BATCH_SIZE = 7
DAY = date(2020, 1, 1)


def record_membership_history(registry: Registry, ctx: Context) -> UUID:
    """A body with 34 membership events: 14 appointments, 8 replacements, 6 ends, 4
    corrections and 2 retractions (plus the registrations of the body and 22 persons)."""
    body = registry.register_body("Chefsgrupp för social välfärd", "chefsgrupp", ctx)
    people = [registry.register_person(f"Ledamot {n:02}", ctx) for n in range(22)]
    members = [
        registry.appoint(body, Appointment(p, start=DAY + timedelta(days=n)), ctx)
        for n, p in enumerate(people[:14])
    ]
    for n in range(8):  # Ledamot 14..21 replace Ledamot 00..07
        registry.replace_member(
            body, people[n], Appointment(people[14 + n], start=date(2021, 1, 1 + n)), ctx
        )
    for n in range(8, 14):
        registry.end_membership(body, members[n], date(2022, 1, 1 + n), ctx)
    for n in range(8, 12):
        registry.correct_membership(
            body,
            members[n],
            Appointment(people[n], Role.DEPUTY, start=DAY, end=date(2022, 1, 1 + n)),
            "ersättare, inte ledamot",
            ctx,
        )
    for n in range(12, 14):
        registry.retract_membership(body, members[n], "felaktigt registrerad", ctx)
    return body


def membership_rows(runner: ProjectionRunner) -> list[dict]:
    with runner.views.reading() as db:
        return db.rows("SELECT * FROM {s}membership_versions ORDER BY version_id")


def read_model(runner: ProjectionRunner) -> dict[str, list[dict]]:
    with runner.views.reading() as db:
        return {
            "bodies": db.rows("SELECT * FROM {s}bodies ORDER BY body_id"),
            "memberships": db.rows("SELECT * FROM {s}membership_versions ORDER BY version_id"),
        }


def current(rows: list[dict]) -> set[tuple]:
    return {
        (
            UUID(str(r["membership_id"])),
            UUID(str(r["person_id"])),
            r["role"],
            str(r["valid_from"]),
            str(r["valid_to"]) if r["valid_to"] not in (None, OPEN_DATE) else None,
        )
        for r in rows
        if r["recorded_to"] in (None, OPEN_TIME)
    }


def held_by_aggregate(registry: Registry, body: UUID) -> set[tuple]:
    return {
        (m.membership_id, m.person_id, m.role.value, str(m.lower), str(m.end) if m.end else None)
        for m in registry.get(body, Body).memberships.values()
    }


def assert_each_event_applied_once(registry: Registry, runner: ProjectionRunner, body: UUID):
    rows = membership_rows(runner)
    doubled = [
        key
        for key, n in Counter((r["membership_id"], r["event_position"]) for r in rows).items()
        if n > 1
    ]
    assert doubled == []
    # 14 appointed + 8 incoming + 8 outgoing ended + 6 ended + 4 corrected = 40 versions.
    assert len(rows) == 40
    assert current(rows) == held_by_aggregate(registry, body)
    # Every version but the current one of each membership was closed exactly once.
    assert Counter(
        r["membership_id"] for r in rows if r["recorded_to"] in (None, OPEN_TIME)
    ) == Counter({str(m): 1 for m, *_ in held_by_aggregate(registry, body)})


def test_a_projection_stopped_between_batches_and_restarted_neither_loses_nor_doubles(
    registry, settings, ctx
):
    body = record_membership_history(registry, ctx)
    total = registry.max_position()
    first = ProjectionRunner(registry, batch_size=BATCH_SIZE)
    assert first.catch_up(limit_batches=2) == 2 * BATCH_SIZE
    assert first.position() == 2 * BATCH_SIZE
    first.close()

    # A new process: a new application object and a new runner over the same store.
    restarted_registry = Registry(settings)
    restarted = ProjectionRunner(restarted_registry, batch_size=BATCH_SIZE)
    try:
        assert restarted.position() == 2 * BATCH_SIZE
        assert restarted.catch_up() == total - 2 * BATCH_SIZE
        assert restarted.position() == total
        assert restarted.catch_up() == 0
        assert_each_event_applied_once(restarted_registry, restarted, body)
    finally:
        restarted.close()
        restarted_registry.close()


def test_a_projection_restarted_after_every_batch_matches_one_built_in_a_single_pass(
    registry, settings, ctx, tmp_path
):
    body = record_membership_history(registry, ctx)
    applied = []
    while True:  # stop after every batch and restart, each time as a new process
        process = Registry(settings)
        runner = ProjectionRunner(process, batch_size=BATCH_SIZE)
        try:
            applied.append(runner.catch_up(limit_batches=1))
            if applied[-1] == 0:
                restarted_rows = membership_rows(runner)
                break
        finally:
            runner.close()
            process.close()
    assert sum(applied) == registry.max_position()
    assert set(applied[:-2]) == {BATCH_SIZE}

    single_pass_rows = rebuild_in_a_fresh_store(registry, tmp_path / "fresh.sqlite")
    assert comparable(restarted_rows) == comparable(single_pass_rows)
    assert current(restarted_rows) == held_by_aggregate(registry, body)


def rebuild_in_a_fresh_store(registry: Registry, path) -> list[dict]:
    """The membership versions computed from the whole log in one batch, in a fresh SQLite
    store (the events are the same, so are their timestamps)."""
    scratch = Registry(StoreSettings(str(path)))
    runner = ProjectionRunner(scratch)
    try:
        notifications = registry.recorder.select_notifications(start=1, limit=10_000)
        events = [(registry.mapper.to_domain_event(n), n.id) for n in notifications]
        runner.views.process_batch(events, Tracking(registry.name, notifications[-1].id))
        return membership_rows(runner)
    finally:
        runner.close()
        scratch.close()


def comparable(rows: list[dict]) -> list[dict]:
    """Rows without their surrogate key, with values as SQLite stores them."""

    def plain(value):
        if isinstance(value, datetime):
            return sqlite_timestamp(value)
        if isinstance(value, date):
            return value.isoformat()
        return value

    def open_as_null(value):
        return None if value in (OPEN_DATE, OPEN_TIME) else value

    return [{k: open_as_null(plain(v)) for k, v in r.items() if k != "version_id"} for r in rows]


def test_a_batch_interrupted_part_way_is_rolled_back_whole_and_applied_after_restart(
    registry, settings, ctx, monkeypatch
):
    body = record_membership_history(registry, ctx)
    runner = ProjectionRunner(registry, batch_size=BATCH_SIZE)
    assert runner.catch_up(limit_batches=2) == 2 * BATCH_SIZE
    applied_before = read_model(runner)

    original = runner.memberships.apply
    calls = {"n": 0}

    def crash_in_the_middle_of_the_batch(db, event, position):
        calls["n"] += 1
        if calls["n"] == BATCH_SIZE - 2:
            raise RuntimeError("the process was killed")
        original(db, event, position)

    monkeypatch.setattr(runner.memberships, "apply", crash_in_the_middle_of_the_batch)
    with pytest.raises(RuntimeError, match="killed"):
        runner.catch_up()
    assert runner.position() == 2 * BATCH_SIZE
    assert read_model(runner) == applied_before
    runner.close()

    restarted_registry = Registry(settings)
    restarted = ProjectionRunner(restarted_registry, batch_size=BATCH_SIZE)
    try:
        restarted.catch_up()
        assert restarted.position() == registry.max_position()
        assert_each_event_applied_once(restarted_registry, restarted, body)
    finally:
        restarted.close()
        restarted_registry.close()


@pytest.mark.parametrize("which", ["the-last-position", "an-earlier-position"])
def test_replaying_a_batch_whose_position_was_already_recorded_is_refused_whole(
    registry, runner, ctx, which
):
    record_membership_history(registry, ctx)
    runner.catch_up()
    before = read_model(runner)
    top = registry.max_position()
    # The membership events at the end of the log: without tracking, they would be
    # inserted again as new versions.
    notifications = registry.recorder.select_notifications(
        start=top - 4, limit=5, inclusive_of_start=True
    )
    events = [(registry.mapper.to_domain_event(n), n.id) for n in notifications]
    assert all(isinstance(e, Body.Event) for e, _ in events)
    position = top if which == "the-last-position" else notifications[0].id
    with pytest.raises(IntegrityError):
        runner.views.process_batch(events, Tracking(registry.name, position))
    assert runner.position() == top
    assert read_model(runner) == before


def test_events_the_read_models_ignore_still_advance_the_position(registry, runner, ctx):
    # Person events: no read model applies them.
    for name, variant in [
        ("Ann-Louise Gustafsson", "Ann-Louise Gustavsson"),
        ("Patrik Jonsson", "Patrik Jonson"),
        ("Annika Roman", "Anika Roman"),
    ]:
        person = registry.register_person(name, ctx)
        registry.add_name_variant(person, variant, ctx)
    assert registry.max_position() == 6
    runner.start()
    runner.wait_for(registry.max_position(), timeout=10)
    assert runner.position() == 6
    assert read_model(runner) == {"bodies": [], "memberships": []}


def test_a_started_runner_follows_new_writes(registry, runner, ctx):
    runner.start()
    body = registry.register_body("Styrgrupp", "styrgrupp", ctx)
    person = registry.register_person("Lena Adolfsson", ctx)
    registry.appoint(body, Appointment(person, start=DAY), ctx)
    runner.wait_for(registry.max_position(), timeout=10)
    assert [r["person_name"] for r in membership_rows(runner)] == ["Lena Adolfsson"]
