"""Property test: the bitemporal membership read model answers like a naive replay.

Random histories of membership commands (appointments with known or unknown start and
optional end, several appointments at once, endings, "C ersätter D" replacements,
corrections and retractions) run against one new body per example, over four persons, two
roles and 40 days of 2020, so periods touch, overlap, contain each other and have unknown or
open bounds. Commands the domain refuses are skipped; a refusal must write nothing.

Then, for (asOf, knownAt) pairs, the projection's answer must equal the answer of a naive
model written here: take the body's STORED events with timestamp <= knownAt, replay them into
a dict of memberships by id and keep those holding on asOf (lower <= asOf < end, lower = start
or start_not_after). knownAt runs over every stored timestamp, a microsecond before and after
each, and a time before everything; asOf over every day of the range and a margin. On top of
that, hypothesis draws arbitrary (asOf, knownAt) pairs, knownAt anywhere in the recorded span.

The stores are the conftest's (SQLite and PostgreSQL); one store per test run, one body per
example.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import hypothesis
import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import strategies as st

from projections.runner import ProjectionRunner
from registry.application import Appointment, Registry
from registry.domain.body import Body
from registry.errors import RegistryError
from registry.values import Context, Role

START = date(2020, 3, 2)
DAYS = 40
ANCHORS = (0, 7, 14, 21, 28)  # days drawn often (with lengths of 7 and 14: periods touch)
PERSONS = ("Anna Berg", "Bo Ek", "Cecilia Dahl", "David Ström")
ROLES = (Role.MEMBER, Role.CHAIR)
REASON = "fel datum i protokollet"
BEFORE_EVERYTHING = datetime(2000, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
NO_SUCH_MEMBERSHIP = UUID(int=0)


def day(n: int | None) -> date | None:
    return None if n is None else START + timedelta(days=n)


# -- commands, with persons, roles and dates as small integers ----------------------------


@dataclass(frozen=True)
class Appoint:
    person: int
    role: int
    start: int | None
    start_not_after: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class AppointMany:
    appointments: tuple[Appoint, ...]


@dataclass(frozen=True)
class End:
    membership: int  # index (modulo) into the memberships created so far
    end: int


@dataclass(frozen=True)
class Replace:
    outgoing: int
    incoming: int
    role: int
    on: int
    end: int | None = None


@dataclass(frozen=True)
class Correct:
    membership: int
    role: int
    start: int | None
    start_not_after: int | None = None
    end: int | None = None
    reason: str = REASON


@dataclass(frozen=True)
class Retract:
    membership: int
    reason: str = "registrerad av misstag"


Command = Appoint | AppointMany | End | Replace | Correct | Retract

days = st.one_of(st.sampled_from(ANCHORS), st.integers(0, DAYS - 1))
lengths = st.one_of(st.sampled_from([7, 14]), st.integers(0, 30))  # 0: an empty period
persons = st.integers(0, len(PERSONS) - 1)
roles = st.integers(0, len(ROLES) - 1)
reasons = st.sampled_from([REASON, REASON, REASON, REASON, "  "])  # a blank one is refused


@st.composite
def lower_bounds(draw: st.DrawFn) -> tuple[int | None, int | None]:
    """(start, start_not_after): known, unknown ("member before"), both, or (refused) neither."""
    kind = draw(st.integers(0, 19))
    if kind < 10:
        return draw(days), None
    if kind < 17:
        return None, draw(days)
    if kind < 19:  # both; start after start_not_after is refused
        start = draw(days)
        return start, max(0, start + draw(st.integers(-2, 5)))
    return None, None


@st.composite
def ends_after(draw: st.DrawFn, lower: int | None) -> int | None:
    """Open, a length after `lower` (touching the anchors), or any day (maybe refused)."""
    kind = draw(st.integers(0, 9))
    if kind < 4:
        return None
    if kind < 9 and lower is not None:
        return min(lower + draw(lengths), DAYS)
    return draw(st.integers(0, DAYS))


# What the generator believes exists, by the index `_pick` resolves: (person, lower, end).
# Only a bias towards commands the domain accepts; refusals shift it, which is fine.
Shadow = list[tuple[int, int | None, int | None]]


@st.composite
def appoints(draw: st.DrawFn, shadow: Shadow) -> Appoint:
    start, start_not_after = draw(lower_bounds())
    lower = start if start is not None else start_not_after
    appoint = Appoint(draw(persons), draw(roles), start, start_not_after, draw(ends_after(lower)))
    shadow.append((appoint.person, lower, appoint.end))
    return appoint


@st.composite
def next_command(draw: st.DrawFn, shadow: Shadow) -> Command:
    kind = draw(st.sampled_from(["appoint", "many", "end", "replace", "correct", "retract"]))
    if kind == "appoint" or not shadow:
        return draw(appoints(shadow))
    if kind == "many":
        return AppointMany(tuple(draw(appoints(shadow)) for _ in range(draw(st.integers(2, 3)))))
    index = draw(st.integers(0, len(shadow) - 1))
    person, lower, end = shadow[index]
    if kind == "end":
        new_end = draw(ends_after(lower))
        new_end = DAYS if new_end is None else new_end
        shadow[index] = (person, lower, new_end)
        return End(index, new_end)
    if kind == "replace":
        first = lower if lower is not None else 0
        last = max(first, (end if end is not None else DAYS) - 1)
        on = draw(st.one_of(st.integers(first, last), days))
        incoming = draw(persons)
        incoming_end = draw(st.none() | st.integers(on, DAYS))
        shadow[index] = (person, lower, on)
        shadow.append((incoming, on, incoming_end))
        # Role MEMBER lets replace_member take the outgoing membership's role.
        return Replace(person, incoming, draw(roles), on, incoming_end)
    if kind == "correct":
        start, start_not_after = draw(lower_bounds())
        new_lower = start if start is not None else start_not_after
        new_end = draw(ends_after(new_lower))
        shadow[index] = (person, new_lower, new_end)
        return Correct(index, draw(roles), start, start_not_after, new_end, draw(reasons))
    return Retract(index, draw(reasons))


@st.composite
def histories(draw: st.DrawFn, max_size: int = 14) -> list[Command]:
    shadow: Shadow = []
    return [draw(next_command(shadow)) for _ in range(draw(st.integers(1, max_size)))]


# Extra probes: (asOf day, position in the recorded span in millionths, microsecond nudge).
probes = st.lists(
    st.tuples(st.integers(-3, DAYS + 2), st.integers(0, 1_000_000), st.sampled_from([-1, 0, 1])),
    max_size=15,
)


# -- running a history ---------------------------------------------------------------------


@dataclass
class Run:
    body_id: UUID
    created: list[tuple[UUID, int]]  # (membership id, person index) of accepted commands
    accepted: int = 0
    refused: int = 0
    written: int = 0


def _appointment(a: Appoint | Correct, person_id: UUID) -> Appointment:
    return Appointment(
        person_id,
        ROLES[a.role],
        start=day(a.start),
        start_not_after=day(a.start_not_after),
        end=day(a.end),
    )


def _pick(created: list[tuple[UUID, int]], index: int) -> tuple[UUID, int]:
    return created[index % len(created)] if created else (NO_SUCH_MEMBERSHIP, 0)


def _execute(
    registry: Registry, body: UUID, pids: Sequence[UUID], run: Run, cmd: Command, ctx: Context
) -> int:
    """Run one command; returns how many events it must have written."""
    if isinstance(cmd, Appoint):
        run.created.append(
            (registry.appoint(body, _appointment(cmd, pids[cmd.person]), ctx), cmd.person)
        )
        return 1
    if isinstance(cmd, AppointMany):
        ids = registry.appoint_many(
            body, [_appointment(a, pids[a.person]) for a in cmd.appointments], ctx
        )
        run.created.extend(zip(ids, [a.person for a in cmd.appointments], strict=True))
        return len(ids)
    if isinstance(cmd, End):
        membership_id, _ = _pick(run.created, cmd.membership)
        registry.end_membership(body, membership_id, day(cmd.end), ctx)  # type: ignore[arg-type]
        return 1
    if isinstance(cmd, Replace):
        incoming = Appointment(
            pids[cmd.incoming], ROLES[cmd.role], start=day(cmd.on), end=day(cmd.end)
        )
        run.created.append(
            (registry.replace_member(body, pids[cmd.outgoing], incoming, ctx), cmd.incoming)
        )
        return 1
    if isinstance(cmd, Correct):
        membership_id, person = _pick(run.created, cmd.membership)
        registry.correct_membership(
            body, membership_id, _appointment(cmd, pids[person]), cmd.reason, ctx
        )
        return 1
    membership_id, _ = _pick(run.created, cmd.membership)
    registry.retract_membership(body, membership_id, cmd.reason, ctx)
    return 1


def run_history(
    registry: Registry, pids: Sequence[UUID], history: Iterable[Command], ctx: Context
) -> Run:
    """Register a new body and run the commands on it, skipping the refused ones."""
    body = registry.register_body(f"Styrgrupp {uuid.uuid4()}", "styrgrupp", ctx)
    run = Run(body, [])
    for cmd in history:
        before = registry.max_position()
        version = registry.get(body, Body).version
        try:
            written = _execute(registry, body, pids, run, cmd, ctx)
        except RegistryError:
            assert registry.max_position() == before, f"{cmd} was refused but wrote events"
            assert registry.get(body, Body).version == version
            run.refused += 1
        else:
            assert registry.max_position() == before + written, cmd
            assert registry.get(body, Body).version == version + written, cmd
            run.accepted += 1
            run.written += written
    return run


# -- the naive model -----------------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    membership_id: UUID
    person_id: UUID
    role: str
    start: date | None
    start_not_after: date | None
    end: date | None


def _fact(m: Any) -> Fact:
    return Fact(m.membership_id, m.person_id, str(m.role), m.start, m.start_not_after, m.end)


def naive_memberships(events: Sequence[Any], known_at: datetime) -> dict[UUID, Fact]:
    """Replay the stored events recorded at or before `known_at` into memberships by id."""
    held: dict[UUID, Fact] = {}
    for e in events:
        if e.timestamp > known_at:
            continue
        kind = type(e).__name__
        if kind == "MemberAppointed":
            held[e.membership.membership_id] = _fact(e.membership)
        elif kind == "MembershipEnded":
            held[e.membership_id] = dataclasses.replace(held[e.membership_id], end=e.effective_date)
        elif kind == "MemberReplaced":
            held[e.outgoing_membership_id] = dataclasses.replace(
                held[e.outgoing_membership_id], end=e.effective_date
            )
            held[e.incoming.membership_id] = _fact(e.incoming)
        elif kind == "MembershipCorrected":
            held[e.membership.membership_id] = _fact(e.membership)
        elif kind == "MembershipRetracted":
            del held[e.membership_id]
        else:
            assert kind == "Registered", f"unexpected event {kind}"
    return held


def naive_members(events: Sequence[Any], as_of: date, known_at: datetime) -> set[Fact]:
    answer = set()
    for f in naive_memberships(events, known_at).values():
        lower = f.start if f.start is not None else f.start_not_after
        assert lower is not None
        if lower <= as_of and (f.end is None or as_of < f.end):
            answer.add(f)
    return answer


def projected_members(
    runner: ProjectionRunner, db: Any, body: UUID, as_of: date, known_at: datetime
) -> set[Fact]:
    rows = runner.memberships.members(db, body, as_of, known_at)
    answer = {
        Fact(r.membership_id, r.person_id, r.role, r.start_date, r.start_not_after, r.end_date)
        for r in rows
    }
    assert len(answer) == len(rows), f"duplicate rows on {as_of} known at {known_at}: {rows}"
    return answer


def stored_events(registry: Registry, body: UUID) -> list[Any]:
    events = list(registry.events.get(body))
    assert [e.originator_version for e in events] == list(range(1, len(events) + 1))
    return events


def known_at_candidates(events: Sequence[Any]) -> list[datetime]:
    """A time before everything, and each recorded timestamp, a microsecond before and after."""
    times = {BEFORE_EVERYTHING}
    for e in events:
        times.update((e.timestamp - MICROSECOND, e.timestamp, e.timestamp + MICROSECOND))
    return sorted(times)


def check_against_naive_model(
    registry: Registry,
    runner: ProjectionRunner,
    body: UUID,
    extra_probes: Sequence[tuple[int, int, int]] = (),
) -> list[Any]:
    runner.catch_up()
    events = stored_events(registry, body)
    # The replay itself agrees with the aggregate's current state.
    body_now = registry.get(body, Body)
    assert naive_memberships(events, datetime.max.replace(tzinfo=UTC)) == {
        i: _fact(m) for i, m in body_now.memberships.items()
    }
    first, last = events[0].timestamp, events[-1].timestamp
    pairs = [(day(n), t) for t in known_at_candidates(events) for n in range(-1, DAYS + 1)]
    for n, millionths, nudge in extra_probes:
        t = first + (last - first) * millionths / 1_000_000 + nudge * MICROSECOND
        pairs.append((day(n), t))
    with runner.views.reading() as db:
        for as_of, known_at in pairs:
            assert as_of is not None
            expected = naive_members(events, as_of, known_at)
            actual = projected_members(runner, db, body, as_of, known_at)
            assert actual == expected, (
                f"members on {as_of} known at {known_at.isoformat()}:\n"
                f"  projection only: {actual - expected}\n  naive only: {expected - actual}"
            )
    return events


# -- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def pids(registry: Registry, ctx: Context) -> list[UUID]:
    return [registry.register_person(name, ctx, key=f"property|{name}") for name in PERSONS]


# -- the property --------------------------------------------------------------------------


@hypothesis.settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(history=histories(), extra_probes=probes)
# Touching periods: the same person again from the day the first period ends, then replaced.
@example(history=[Appoint(0, 0, 0, end=7), Appoint(0, 0, 7), Replace(0, 1, 0, 14)], extra_probes=[])
# A chair period inside a member period of the same person; another chair from its end.
@example(
    history=[Appoint(0, 0, 0, end=30), Appoint(0, 1, 7, end=14), Appoint(1, 1, 14)],
    extra_probes=[],
)
# Unknown start ("member before"), replaced the day after (the Örebro styrgrupp case).
@example(history=[Appoint(2, 0, None, 6), Replace(2, 3, 0, 7)], extra_probes=[])
# Corrected (new role and dates), ended, then retracted.
@example(
    history=[Appoint(0, 0, 0), Correct(0, 1, 7, end=21), End(0, 14), Retract(0)],
    extra_probes=[],
)
def test_projection_answers_like_a_naive_replay_of_the_stored_events(
    registry: Registry,
    runner: ProjectionRunner,
    pids: list[UUID],
    ctx: Context,
    history: list[Command],
    extra_probes: list[tuple[int, int, int]],
) -> None:
    run = run_history(registry, pids, history, ctx)
    events = check_against_naive_model(registry, runner, run.body_id, extra_probes)
    assert len(events) == 1 + run.written  # the registration, then the accepted commands
    hypothesis.event(f"{run.accepted} accepted, {run.refused} refused")


# -- small deterministic cases, with the answers written out ------------------------------


def _members(
    runner: ProjectionRunner, body: UUID, as_of: int, known_at: datetime | None = None
) -> set[tuple[str, str, date | None, date | None, date | None]]:
    with runner.views.reading() as db:
        rows = runner.memberships.members(
            db,
            body,
            day(as_of),
            known_at or datetime.now(UTC),  # type: ignore[arg-type]
        )
    return {(r.person_name, r.role, r.start_date, r.start_not_after, r.end_date) for r in rows}


def test_touching_periods_hand_over_on_the_end_day(registry, runner, pids, ctx):
    run = run_history(
        registry,
        pids,
        [Appoint(0, 0, 0, end=7), Appoint(0, 0, 7), Replace(0, 1, 0, 14)],
        ctx,
    )
    assert run.refused == 0
    check_against_naive_model(registry, runner, run.body_id)
    anna, bo = PERSONS[0], PERSONS[1]
    assert _members(runner, run.body_id, 6) == {(anna, "member", day(0), None, day(7))}
    assert _members(runner, run.body_id, 7) == {(anna, "member", day(7), None, day(14))}
    assert _members(runner, run.body_id, 13) == {(anna, "member", day(7), None, day(14))}
    assert _members(runner, run.body_id, 14) == {(bo, "member", day(14), None, None)}


def test_a_period_inside_another_of_a_different_role(registry, runner, pids, ctx):
    run = run_history(
        registry,
        pids,
        [Appoint(0, 0, 0, end=30), Appoint(0, 1, 7, end=14), Appoint(1, 1, 14)],
        ctx,
    )
    assert run.refused == 0
    check_against_naive_model(registry, runner, run.body_id)
    anna, bo = PERSONS[0], PERSONS[1]
    member = (anna, "member", day(0), None, day(30))
    assert _members(runner, run.body_id, 6) == {member}
    assert _members(runner, run.body_id, 7) == {member, (anna, "chair", day(7), None, day(14))}
    assert _members(runner, run.body_id, 14) == {member, (bo, "chair", day(14), None, None)}
    assert _members(runner, run.body_id, 30) == {(bo, "chair", day(14), None, None)}


def test_an_unknown_start_holds_from_start_not_after(registry, runner, pids, ctx):
    run = run_history(registry, pids, [Appoint(2, 0, None, 6), Replace(2, 3, 0, 7)], ctx)
    assert run.refused == 0
    check_against_naive_model(registry, runner, run.body_id)
    cecilia, david = PERSONS[2], PERSONS[3]
    assert _members(runner, run.body_id, 5) == set()
    assert _members(runner, run.body_id, 6) == {(cecilia, "member", None, day(6), day(7))}
    assert _members(runner, run.body_id, 7) == {(david, "member", day(7), None, None)}


def test_known_at_before_a_correction_gives_the_old_answer(registry, runner, pids, ctx):
    run = run_history(registry, pids, [Appoint(0, 0, 0)], ctx)
    before_correction = datetime.now(UTC)
    membership_id = run.created[0][0]
    registry.correct_membership(
        run.body_id,
        membership_id,
        Appointment(pids[0], Role.CHAIR, start=day(7), end=day(21)),
        REASON,
        ctx,
    )
    events = check_against_naive_model(registry, runner, run.body_id)
    corrected_at = events[-1].timestamp
    assert type(events[-1]).__name__ == "MembershipCorrected"
    anna = PERSONS[0]
    old = {(anna, "member", day(0), None, None)}
    new = {(anna, "chair", day(7), None, day(21))}
    for known_at in (before_correction, corrected_at - MICROSECOND):
        assert _members(runner, run.body_id, 3, known_at) == old
        assert _members(runner, run.body_id, 10, known_at) == old
        assert _members(runner, run.body_id, 25, known_at) == old
    for known_at in (corrected_at, None):
        assert _members(runner, run.body_id, 3, known_at) == set()
        assert _members(runner, run.body_id, 10, known_at) == new
        assert _members(runner, run.body_id, 21, known_at) == set()
    with runner.views.reading() as db:
        (row,) = runner.memberships.members(db, run.body_id, day(10), corrected_at)  # type: ignore[arg-type]
    assert row.correction_reason == REASON
    assert row.event_type == "MembershipCorrected"
