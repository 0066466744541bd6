"""More than one process on one PostgreSQL store, as real processes.

- Processes started together all come up: they take turns creating the tables
  (registry/store_setup.py) instead of failing with "tuple concurrently updated".
- Of several projection runners, one leads and the others stand by; when the leader is
  killed a standby takes over from the tracked position (projections/leadership.py), so the
  read models end equal to a clean rebuild, and the API processes answer throughout.

PostgreSQL only: SQLite is one process by design (its runner always leads).
"""

from __future__ import annotations

import os
import signal
import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from eventsourcing.persistence import Tracking

from projections.leadership import AdvisoryLockLeadership
from projections.runner import ProjectionRunner
from projections.views import PositionMoved
from registry.application import Registry
from registry.config import StoreSettings
from registry.importing import import_file
from tests.generated_minutes import body_name, members_on, write_minutes
from tests.multiprocess import (
    Processes,
    backend_alive,
    batch_in_progress,
    copy_events,
    graphql,
    healthy,
    last_event,
    leader,
    read_model_tables,
    runners_polling,
    table_rows,
    tracked_position,
    wait_until,
)
from tests.stores import drop_schema, new_schema

AFTER = "2021-04-02"  # a day on which every generated body has its replacements


@pytest.fixture
def store(postgres_database: str) -> Iterator[StoreSettings]:
    settings = new_schema(postgres_database, prefix="m")
    yield settings
    drop_schema(settings)


@pytest.fixture
def processes(store: StoreSettings, tmp_path: Path) -> Iterator[Processes]:
    started = Processes(store, tmp_path / "logs")
    yield started
    started.stop_all()


def members_query(names: list[str]) -> str:
    fields = " ".join(
        f'b{n}: bodies(name: "{name}") {{ nodes {{ name members(asOf: "{AFTER}") '
        "{ personName } } }"
        for n, name in enumerate(names)
    )
    return "{ " + fields + " }"


def check_members(data: dict, files: list[tuple[str, int]]) -> None:
    """Each generated file's body answers exactly the members the file makes."""
    for n, (tag, number) in enumerate(files):
        nodes = data[f"b{n}"]["nodes"]
        assert [node["name"] for node in nodes] == [body_name(tag, number)], nodes
        names = sorted(m["personName"] for m in nodes[0]["members"])
        assert names == members_on(tag, number, AFTER), (tag, number, names)


# -- table setup -----------------------------------------------------------------------------


def test_eight_imports_started_together_on_a_fresh_schema_all_succeed(postgres_database, tmp_path):
    files = write_minutes(tmp_path / "minutes", "together", 8)
    # What the eight files hold when imported one after another, in this process.
    serial = new_schema(postgres_database, prefix="m")
    try:
        registry = Registry(serial)
        for path in files:
            import_file(registry, path)
        registry.close()
        expected = count_events(serial)
    finally:
        drop_schema(serial)
    for attempt in range(3):
        settings = new_schema(postgres_database, prefix="m")
        started = Processes(settings, tmp_path / f"logs-{attempt}")
        try:
            imports = [started.start("import", str(path)) for path in files]
            for process in imports:
                process.wait(timeout=300)
            outputs = [started.output(p) for p in imports]
            assert [p.returncode for p in imports] == [0] * 8, outputs
            assert all(o.startswith("imported ") for o in outputs), outputs
            assert count_events(settings) == expected
        finally:
            started.stop_all()
            drop_schema(settings)


def test_eight_servers_started_together_come_up_and_one_of_them_projects(
    store, processes, tmp_path
):
    servers = [processes.serve() for _ in range(8)]
    for process, port in servers:
        wait_until(lambda p=process, q=port: healthy(q, p), 180, f"registry serve on {port}")
    pids = {process.pid for process, _ in servers}
    first = wait_until(lambda: leader(store), 30, "a projection leader")
    assert first.pid in pids

    # A write through one process's CLI is projected once, by the leader, for all of them.
    files = write_minutes(tmp_path / "minutes", "servers", 2)
    importer = processes.start("import", str(files[0]))
    assert importer.wait(timeout=120) == 0, processes.output(importer)
    for _, port in servers:
        wait_until(
            lambda q=port: (
                graphql(q, "{ projectionPosition }")["projectionPosition"] >= last_event(store)
            ),
            60,
            f"the server on {port} to see the import",
        )
        check_members(graphql(port, members_query([body_name("servers", 0)])), [("servers", 0)])

    # Kill the leader: another server takes over and projects the next import.
    killed = next(p for p, _ in servers if p.pid == first.pid)
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=30)
    second = wait_until(
        lambda: (found := leader(store)) and found.pid != first.pid and found, 30, "a new leader"
    )
    assert second.pid in pids - {first.pid}
    importer = processes.start("import", str(files[1]))
    assert importer.wait(timeout=120) == 0, processes.output(importer)
    for process, port in servers:
        if process is killed:
            continue
        wait_until(
            lambda q=port: (
                graphql(q, "{ projectionPosition }")["projectionPosition"] >= last_event(store)
            ),
            60,
            f"the server on {port} to see the second import",
        )
        check_members(graphql(port, members_query([body_name("servers", 1)])), [("servers", 1)])


# -- leadership and the tracked position, in one process ---------------------------------------


def test_one_holder_leads_until_it_lets_go(store):
    Registry(store).close()  # the tables exist
    first = AdvisoryLockLeadership(store, ProjectionRunner.name)
    second = AdvisoryLockLeadership(store, ProjectionRunner.name)
    other_name = AdvisoryLockLeadership(store, "AnotherRunner")
    try:
        assert first.lead() and first.lead()
        assert not second.lead()
        assert other_name.lead()  # another runner name elects its own leader
        assert leader(store).pid == os.getpid()
        first.release()
        assert second.lead()
        assert not first.lead()
    finally:
        for holder in (first, second, other_name):
            holder.release()
    assert leader(store) is None


def test_a_batch_read_before_another_runner_moved_the_position_writes_nothing(store, ctx):
    registry = Registry(store)
    stale = ProjectionRunner(registry)
    current = ProjectionRunner(registry, batch_size=2)
    try:
        for n in range(3):
            registry.register_person(f"Person {n}", ctx)
        # One runner reads all three events after position 0 ...
        notifications = registry.recorder.select_notifications(start=0, limit=10)
        events = [(registry.mapper.to_domain_event(n), n.id) for n in notifications]
        # ... while another records the first two.
        current.catch_up(limit_batches=1)
        assert current.position() == notifications[1].id
        with current.views.reading() as db:
            before = db.rows("SELECT * FROM {s}event_log ORDER BY position")
        # Only forwards (2 -> 3) is not enough: the first two would be applied twice.
        with pytest.raises(PositionMoved):
            stale.views.process_batch(
                events, Tracking(registry.name, notifications[-1].id), after=0
            )
        with current.views.reading() as db:
            assert db.rows("SELECT * FROM {s}event_log ORDER BY position") == before
        assert len(before) == 2
        assert current.position() == notifications[1].id
    finally:
        stale.close()
        current.close()
        registry.close()


# -- the leader killed ten times while events arrive -----------------------------------------


class Writer(threading.Thread):
    """Imports generated minutes files one after another into the store, in this process,
    while `flowing` is set and until stopped; remembers each file with the position of its
    last event. The kill loop lets it flow only while it needs batches, so the imports do
    not run out (or pile up) in the seconds a new standby takes to start."""

    def __init__(self, settings: StoreSettings, directory: Path, limit: int) -> None:
        super().__init__(name="writer", daemon=True)
        self.settings = settings
        self.directory = directory
        self.limit = limit
        self.done: list[tuple[int, int]] = []  # (file number, position of its last event)
        self.stopping = threading.Event()
        self.flowing = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        registry = Registry(self.settings)
        try:
            for number in range(self.limit):
                while not self.flowing.wait(0.05):
                    if self.stopping.is_set():
                        return
                if self.stopping.is_set():
                    break
                (path,) = write_minutes(self.directory, "failover", 1, start=number)
                result = import_file(registry, path)
                assert result.status == "imported", result
                self.done.append((number, registry.max_position()))
        except BaseException as error:
            self.error = error
        finally:
            registry.close()


class Reader(threading.Thread):
    """Asks one API process, again and again, for the projected position and then for the
    bodies of files projected by then; every answer must be complete and right."""

    def __init__(self, port: int, writer: Writer) -> None:
        super().__init__(name=f"reader-{port}", daemon=True)
        self.port = port
        self.writer = writer
        self.answered = 0
        self.failures: list[str] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                position = graphql(self.port, "{ projectionPosition }")["projectionPosition"]
                projected = [n for n, last in list(self.writer.done) if last <= position]
                if projected:
                    sample = sorted({projected[0], projected[len(projected) // 2], projected[-1]})
                    names = [body_name("failover", n) for n in sample]
                    check_members(
                        graphql(self.port, members_query(names)),
                        [("failover", n) for n in sample],
                    )
                self.answered += 1
            except BaseException as error:  # every failure is reported at the end
                self.failures.append(f"{type(error).__name__}: {error}")
            time.sleep(0.05)


KILLS = 10


def all_polling(processes: Processes, runners: list, store: StoreSettings) -> bool:
    """Every runner process is alive and connected for the leadership."""
    for runner in runners:
        assert runner.poll() is None, processes.output(runner)
    return {runner.pid for runner in runners} <= runners_polling(store)


def test_killing_the_leader_ten_times_mid_batch_loses_and_doubles_no_event(
    store, processes, postgres_database, tmp_path
):
    apis = [processes.serve("--no-projections") for _ in range(3)]
    runners = [processes.start("project") for _ in range(2)]
    for process, port in apis:
        wait_until(lambda p=process, q=port: healthy(q, p), 180, f"API process on {port}")
    wait_until(lambda: leader(store), 120, "a projection leader")

    writer = Writer(store, tmp_path / "minutes", limit=400)
    writer.start()
    readers = [Reader(port, writer) for _, port in apis]
    for reader in readers:
        reader.start()

    started = time.monotonic()
    takeovers: list[float] = []  # SIGKILL until a standby holds the lock
    resumed: list[float] = []  # SIGKILL until the tracked position moves on
    cut = 0  # kills that ended a batch before it committed
    try:
        for _ in range(KILLS):
            current = wait_until(lambda: leader(store), 120, "a leader")
            killed = next(p for p in runners if p.pid == current.pid)
            # The runner started last round is up and polling for the lock.
            wait_until(lambda: all_polling(processes, runners, store), 120, "a standby")
            writer.flowing.set()
            batch = wait_until(lambda: batch_in_progress(store), 120, "a batch in progress")
            before = tracked_position(store)
            killed.send_signal(signal.SIGKILL)
            start = time.monotonic()
            writer.flowing.clear()
            # Cut mid-batch: once the killed batch's session has ended, its transaction was
            # rolled back if the position is still the one before it (a standby cannot have
            # committed a batch of its own this soon; if it had, this counts no cut).
            wait_until(
                lambda b=batch: not backend_alive(store, b), 30, "the batch's session to end"
            )
            cut += tracked_position(store) == before
            taken = wait_until(
                lambda old=current.pid: (found := leader(store)) and found.pid != old and found,
                60,
                "a standby to take over",
            )
            takeovers.append(time.monotonic() - start)
            writer.flowing.set()  # a batch that committed just before the kill needs another
            wait_until(lambda b=before: tracked_position(store) > b, 120, "the position to move on")
            resumed.append(time.monotonic() - start)
            writer.flowing.clear()
            assert taken.pid in {p.pid for p in runners}
            killed.wait(timeout=30)
            runners.remove(killed)
            runners.append(processes.start("project"))  # two runners again
    finally:
        writer.stopping.set()
        writer.join(timeout=120)
    assert writer.error is None, writer.error
    assert len(writer.done) > KILLS

    killing = time.monotonic() - started
    # Every event is projected, then every API answers for every file.
    wait_until(lambda: tracked_position(store) >= last_event(store), 600, "the runners to catch up")
    catching_up = time.monotonic() - started - killing
    for reader in readers:
        reader.stopping.set()
        reader.join(timeout=120)
    for reader in readers:
        assert reader.failures == [], reader.failures[:5]
        assert reader.answered > 0
    expected = {body_name("failover", n): members_on("failover", n, AFTER) for n, _ in writer.done}
    for _, port in apis:
        found = graphql(
            port,
            '{ bodies(name: "Nämnden failover", first: 500) { totalCount nodes { name '
            f'members(asOf: "{AFTER}") {{ personName }} }} }} }}',
        )["bodies"]
        assert found["totalCount"] == len(expected)
        answered = {
            b["name"]: sorted(m["personName"] for m in b["members"]) for b in found["nodes"]
        }
        assert answered == expected

    # The read models equal a clean rebuild of the same events in a fresh schema.
    rebuilt = new_schema(postgres_database, prefix="m")
    try:
        registry = Registry(rebuilt)
        assert copy_events(store, rebuilt) == count_events(store)
        fresh = ProjectionRunner(registry)
        fresh.catch_up()
        assert fresh.position() == tracked_position(store)
        tables = read_model_tables(fresh)
        fresh.close()
        registry.close()
        assert "event_log" in tables and "membership_versions" in tables
        for table in tables:
            assert table_rows(store, table) == table_rows(rebuilt, table), table
        assert len(table_rows(store, "event_log")) == count_events(store)
    finally:
        drop_schema(rebuilt)

    print(
        f"\nfailover over {KILLS} SIGKILLs ({cut} cut a batch; {len(writer.done)} files, "
        f"{last_event(store)} events): standby holds the lock after median "
        f"{statistics.median(takeovers):.2f} s, max {max(takeovers):.2f} s; position moves on "
        f"after median {statistics.median(resumed):.2f} s, max {max(resumed):.2f} s; "
        f"{sum(r.answered for r in readers)} checked reads; kills took {killing:.0f} s, "
        f"catching up {catching_up:.0f} s"
    )


def count_events(settings: StoreSettings) -> int:
    with psycopg.connect(settings.url.split("?")[0]) as conn:
        return conn.execute(
            f'SELECT count(*) FROM "{settings.postgres_schema}".registry_events'
        ).fetchone()[0]
