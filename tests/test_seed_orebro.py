"""001_874b347598ee7b1a.txt, item 9: the Örebro styrgrupp for god och nära vård.

"Sammansättning av styrgrupp: Gabriella Mueller Prabin och Lena Adolfs-son kompletterar
gruppen, Annika Roman ersätter Patrik Jonsson. Chefsgruppen godkänner sammansättningen."
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from registry.application import Appointment, Registry
from registry.values import Context, DecisionKind, Source

MEETING = date(2020, 2, 7)
SOURCE = Source("Protokoll Chefsgrupp för social välfärd samt vård och omsorg 2020-02-07", "9")


def record_item_9(registry: Registry) -> dict:
    ctx = Context("secretary Ann-Louise Gustafsson", SOURCE)
    region = registry.register_organisation("Region Örebro län", "region", ctx)
    kumla = registry.register_organisation("Kumla kommun", "kommun", ctx)
    orebro = registry.register_organisation("Örebro kommun", "kommun", ctx)
    chefsgrupp = registry.register_body(
        "Chefsgrupp för samverkan social välfärd och vård",
        "chefsgrupp",
        ctx,
        owner_organisation_ids=[region],
    )
    styrgrupp = registry.register_body(
        "Styrgrupp – samverkan för en god och nära vård",
        "styrgrupp",
        ctx,
        parent_body_id=chefsgrupp,
        mandate="Utsedd av Chefsgruppen och leds av projektägaren.",
    )
    people = {
        name: registry.register_person(name, ctx, organisation_id=org)
        for name, org in [
            ("Patrik Jonsson", orebro),
            ("Annika Roman", orebro),
            ("Gabriella Mueller Prabin", kumla),
            ("Lena Adolfsson", region),
        ]
    }
    # The minutes never list Patrik Jonsson's appointment: he is a member before the meeting.
    registry.appoint(
        styrgrupp,
        Appointment(
            people["Patrik Jonsson"],
            start_not_after=MEETING.replace(day=6),
            on_behalf_of=orebro,
            note="Start unknown; replaced 2020-02-07 (§ 9).",
        ),
        ctx,
    )
    with registry.decide(
        chefsgrupp,
        MEETING,
        "9",
        DecisionKind.APPROVED,
        "Chefsgruppen godkänner sammansättningen av styrgrupp.",
        ctx,
    ) as decision:
        registry.appoint_many(
            styrgrupp,
            [
                Appointment(people["Gabriella Mueller Prabin"], start=MEETING, on_behalf_of=kumla),
                Appointment(people["Lena Adolfsson"], start=MEETING, on_behalf_of=region),
            ],
            decision.context,
        )
        registry.replace_member(
            styrgrupp,
            people["Patrik Jonsson"],
            Appointment(people["Annika Roman"], start=MEETING),
            decision.context,
        )
    return {"styrgrupp": styrgrupp, "decision": decision.id, **people}


def names(rows) -> list[str]:
    return sorted(r.person_name for r in rows)


def test_styrgrupp_the_day_before_and_after_item_9(registry, runner):
    ids = record_item_9(registry)
    runner.catch_up()
    now = datetime.now(UTC)
    with runner.views.reading() as db:
        before = runner.memberships.members(db, ids["styrgrupp"], date(2020, 2, 6), now)
        after = runner.memberships.members(db, ids["styrgrupp"], date(2020, 2, 8), now)
    assert names(before) == ["Patrik Jonsson"]
    assert before[0].start_date is None and before[0].start_not_after == date(2020, 2, 6)
    assert names(after) == ["Annika Roman", "Gabriella Mueller Prabin", "Lena Adolfsson"]
    assert {r.decision_id for r in after} == {ids["decision"]}
    assert {r.source_item for r in after} == {"9"}


def test_replaced_member_ends_the_day_the_successor_starts(registry, runner):
    ids = record_item_9(registry)
    runner.catch_up()
    with runner.views.reading() as db:
        on_the_day = runner.memberships.members(db, ids["styrgrupp"], MEETING, datetime.now(UTC))
    assert "Patrik Jonsson" not in names(on_the_day)
    assert "Annika Roman" in names(on_the_day)


def test_known_at_before_the_meeting_was_recorded_shows_the_old_composition(registry, runner):
    before_recording = datetime.now(UTC)
    ids = record_item_9(registry)
    runner.catch_up()
    with runner.views.reading() as db:
        assert (
            runner.memberships.members(db, ids["styrgrupp"], date(2020, 2, 8), before_recording)
            == []
        )
