"""Agreements and their effective validity, from two seed documents.

002_c5dd29971cd10e76.txt, item 5 (Politiskt samrådsorgan mellan VästKom och VGR, 2020-03-06):
"Överenskommelsen gäller från och med 2018-09-25 till 2020-11-30. ... SRO ställer sig bakom
beslutet att förlänga Överenskommelsen ... till 2021-12-31 och rekommenderar huvudmännen att
ställa sig bakom förslaget."

003_a4d17cac2a0ca1a4.txt (Stockholm, Dnr KS 2021/1272): "Storsthlms styrelse har beslutat att
rekommendera kommunerna att anta huvudöverenskommelsen som börjar gälla den 1 juli 2022 eller
efter att samtliga parter har beslutat att anta överenskommelsen."
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from projections.runner import ProjectionRunner
from registry.application import Registry
from registry.domain.agreement import EntryIntoForce
from registry.domain.decision import Decision
from registry.values import Context, DecisionKind, Source

# -- seed 002: in- och utskrivning, extended by the parties on SRO's recommendation -------------

INSKRIVNING = "Överenskommelse om samverkan vid in- och utskrivning från slutet hälso- och sjukvård"
SRO_MINUTES = Source(
    "Minnesanteckningar politiskt Samrådsorgan mellan VästKom och Västra Götalandsregionen "
    "2020-03-06",
    "5",
)
ENDORSEMENT = (
    "SRO ställer sig bakom beslutet att förlänga Överenskommelsen mellan Västra Götalands "
    "kommuner och Västra Götalandsregionen om samverkan vid in- och utskrivning från slutet "
    "hälso- och sjukvård till 2021-12-31 och rekommenderar huvudmännen att ställa sig bakom "
    "förslaget."
)
# The agreement binds VGR and all 49 municipalities of Västra Götaland; three municipalities
# stand in for them here. Each party adopts the extension by a decision of its own board.
PARTIES = {
    "Västra Götalandsregionen": ("region", "Regionstyrelsen", date(2020, 4, 21)),
    "Göteborgs Stad": ("kommun", "Kommunstyrelsen i Göteborg", date(2020, 5, 6)),
    "Borås Stad": ("kommun", "Kommunstyrelsen i Borås", date(2020, 5, 25)),
    "Skövde kommun": ("kommun", "Kommunstyrelsen i Skövde", date(2020, 6, 15)),
}


def record_seed_002(registry: Registry) -> dict:
    ctx = Context("secretary Rose-Marie Nyborg", SRO_MINUTES)
    parties = {
        name: registry.register_organisation(name, kind, ctx)
        for name, (kind, _, _) in PARTIES.items()
    }
    vastkom = registry.register_organisation("VästKom", "kommunalförbund", ctx)
    sro = registry.register_body(
        "Politiskt samrådsorgan mellan VästKom och Västra Götalandsregionen",
        "samrådsorgan",
        ctx,
        owner_organisation_ids=[vastkom, parties["Västra Götalandsregionen"]],
    )
    agreement = registry.register_agreement(
        INSKRIVNING,
        list(parties.values()),
        ctx,
        valid_from=date(2018, 9, 25),
        valid_until=date(2020, 11, 30),
    )
    with registry.decide(
        sro, date(2020, 3, 6), "5", DecisionKind.ENDORSED, ENDORSEMENT, ctx
    ) as endorsement:
        extension = registry.propose_extension(agreement, date(2021, 12, 31), endorsement.context)
    return {
        "ctx": ctx,
        "agreement": agreement,
        "parties": parties,
        "endorsement": endorsement.id,
        "extension": extension,
    }


def adopt_extension_by_every_party(registry: Registry, seed: dict) -> datetime:
    """Each party's board adopts the extension; returns a recorded time just before the last
    adoption was recorded."""
    ctx = seed["ctx"]
    known_before_last = None
    for name, (_, board_name, adopted_on) in PARTIES.items():
        board = registry.register_body(
            board_name, "styrelse", ctx, owner_organisation_ids=[seed["parties"][name]]
        )
        known_before_last = datetime.now(UTC)
        with registry.decide(
            board,
            adopted_on,
            "1",
            DecisionKind.DECIDED,
            f"{name} ställer sig bakom förlängningen av överenskommelsen till 2021-12-31.",
            ctx,
        ) as decision:
            registry.adopt_extension(
                seed["agreement"],
                seed["extension"],
                seed["parties"][name],
                adopted_on,
                decision.context,
            )
    assert known_before_last is not None
    return known_before_last


def valid_on(runner: ProjectionRunner, as_of: date, known_at: datetime | None = None) -> list:
    runner.catch_up()
    with runner.views.reading() as db:
        return runner.agreements.valid_on(db, as_of, known_at or datetime.now(UTC))


def titles(rows: list) -> list[str]:
    return [r.title for r in rows]


@pytest.mark.parametrize(
    ("as_of", "valid"),
    [
        (date(2018, 9, 24), False),
        (date(2018, 9, 25), True),
        (date(2020, 11, 30), True),
        (date(2020, 12, 1), False),
    ],
)
def test_the_agreement_is_valid_2018_09_25_through_2020_11_30_while_the_extension_is_pending(
    registry, runner, as_of, valid
):
    record_seed_002(registry)
    assert titles(valid_on(runner, as_of)) == ([INSKRIVNING] if valid else [])


def test_the_row_on_the_last_day_lists_the_pending_extension(registry, runner):
    seed = record_seed_002(registry)
    [row] = valid_on(runner, date(2020, 11, 30))
    assert row.effective_until == date(2020, 11, 30)
    [pending] = row.pending_extensions
    assert pending.key == seed["extension"]
    assert pending.new_until == date(2021, 12, 31)
    assert pending.status == "pending"
    assert pending.adopted_by == []
    assert pending.decision_id == seed["endorsement"]
    # In force without adoptions: no party is waited for (the extension's adopters are above).
    assert row.parties_not_adopted == []


def test_the_endorsement_is_a_decision_of_kind_endorsed_by_sro(registry):
    seed = record_seed_002(registry)
    decision = registry.get(seed["endorsement"], Decision)
    assert decision.kind == DecisionKind.ENDORSED
    assert decision.item == "5"
    assert decision.decided_on == date(2020, 3, 6)


@pytest.mark.parametrize(
    ("as_of", "valid"),
    [
        (date(2020, 11, 30), True),
        (date(2020, 12, 1), True),
        (date(2021, 12, 31), True),
        (date(2022, 1, 1), False),
    ],
)
def test_after_every_party_adopted_the_extension_it_is_valid_through_2021_12_31(
    registry, runner, as_of, valid
):
    seed = record_seed_002(registry)
    adopt_extension_by_every_party(registry, seed)
    assert titles(valid_on(runner, as_of)) == ([INSKRIVNING] if valid else [])


def test_the_extension_is_effective_with_the_last_adoption(registry, runner):
    seed = record_seed_002(registry)
    adopt_extension_by_every_party(registry, seed)
    [row] = valid_on(runner, date(2021, 12, 31))
    assert row.effective_until == date(2021, 12, 31)
    assert row.valid_until == date(2020, 11, 30)  # the agreed period itself is unchanged
    assert row.pending_extensions == []
    [extension] = row.extensions
    assert extension.status == "adopted"
    assert sorted(map(str, extension.adopted_by)) == sorted(map(str, seed["parties"].values()))


def test_known_at_before_the_last_adoption_it_is_still_not_valid_after_2020_11_30(registry, runner):
    seed = record_seed_002(registry)
    before_last = adopt_extension_by_every_party(registry, seed)
    assert titles(valid_on(runner, date(2020, 12, 1))) == [INSKRIVNING]
    assert titles(valid_on(runner, date(2020, 12, 1), before_last)) == []
    [then] = valid_on(runner, date(2020, 11, 30), before_last)
    [pending] = then.pending_extensions
    assert len(pending.adopted_by) == len(PARTIES) - 1
    assert seed["parties"]["Skövde kommun"] not in pending.adopted_by


# -- seed 003: Huvudöverenskommelse, in force 1 July 2022 or when every party has adopted ---------

HUVUDOVERENSKOMMELSE = (
    "Huvudöverenskommelse om länsövergripande samverkan kring hälsa, vård och omsorg"
)
UTLATANDE = Source("Utlåtande Rotel VII, VIII (Dnr KS 2021/1272)")
# Region Stockholm and all 26 municipalities of the county are parties; three municipalities
# stand in for them here.
STOCKHOLM_PARTIES = {
    "Region Stockholm": ("region", "Regionfullmäktige"),
    "Stockholms stad": ("kommun", "Kommunfullmäktige i Stockholm"),
    "Solna stad": ("kommun", "Kommunfullmäktige i Solna"),
    "Huddinge kommun": ("kommun", "Kommunfullmäktige i Huddinge"),
}


def record_seed_003(registry: Registry) -> dict:
    ctx = Context("registrator", UTLATANDE)
    parties = {
        name: registry.register_organisation(name, kind, ctx)
        for name, (kind, _) in STOCKHOLM_PARTIES.items()
    }
    agreement = registry.register_agreement(
        HUVUDOVERENSKOMMELSE,
        list(parties.values()),
        ctx,
        entry_into_force=EntryIntoForce(not_before=date(2022, 7, 1), requires_all_adoptions=True),
    )
    return {"ctx": ctx, "agreement": agreement, "parties": parties}


def adopt(registry: Registry, seed: dict, name: str, adopted_on: date) -> None:
    """The party's assembly decides to adopt (anta) the agreement."""
    ctx = seed["ctx"]
    assembly = registry.register_body(
        STOCKHOLM_PARTIES[name][1],
        "fullmäktige",
        ctx,
        owner_organisation_ids=[seed["parties"][name]],
    )
    with registry.decide(
        assembly, adopted_on, "1", DecisionKind.DECIDED, f"{HUVUDOVERENSKOMMELSE} godkänns.", ctx
    ) as decision:
        registry.adopt_agreement(
            seed["agreement"], seed["parties"][name], adopted_on, decision.context
        )


def known(runner: ProjectionRunner, agreement: UUID):
    runner.catch_up()
    with runner.views.reading() as db:
        return runner.agreements.as_known_at(db, agreement, datetime.now(UTC))


def test_not_in_force_on_1_july_2022_while_a_party_has_not_adopted(registry, runner):
    seed = record_seed_003(registry)
    adopt(registry, seed, "Region Stockholm", date(2022, 5, 24))
    adopt(registry, seed, "Stockholms stad", date(2022, 6, 13))
    adopt(registry, seed, "Solna stad", date(2022, 6, 20))
    assert valid_on(runner, date(2022, 7, 1)) == []
    assert valid_on(runner, date(2023, 1, 1)) == []
    row = known(runner, seed["agreement"])
    assert row.in_force_from is None
    assert row.parties_not_adopted == [seed["parties"]["Huddinge kommun"]]


def test_in_force_from_the_last_adoption_when_it_comes_after_1_july_2022(registry, runner):
    seed = record_seed_003(registry)
    adopt(registry, seed, "Region Stockholm", date(2022, 5, 24))
    adopt(registry, seed, "Stockholms stad", date(2022, 6, 13))
    adopt(registry, seed, "Solna stad", date(2022, 6, 20))
    adopt(registry, seed, "Huddinge kommun", date(2022, 9, 15))
    assert known(runner, seed["agreement"]).in_force_from == date(2022, 9, 15)
    assert valid_on(runner, date(2022, 7, 1)) == []
    assert valid_on(runner, date(2022, 9, 14)) == []
    assert titles(valid_on(runner, date(2022, 9, 15))) == [HUVUDOVERENSKOMMELSE]
    assert titles(valid_on(runner, date(2030, 1, 1))) == [HUVUDOVERENSKOMMELSE]


def test_in_force_from_1_july_2022_when_every_party_adopted_before(registry, runner):
    seed = record_seed_003(registry)
    for name, adopted_on in zip(
        STOCKHOLM_PARTIES,
        [date(2022, 3, 15), date(2022, 4, 4), date(2022, 4, 20), date(2022, 5, 1)],
        strict=True,
    ):
        adopt(registry, seed, name, adopted_on)
    assert known(runner, seed["agreement"]).in_force_from == date(2022, 7, 1)
    assert valid_on(runner, date(2022, 6, 30)) == []
    assert titles(valid_on(runner, date(2022, 7, 1))) == [HUVUDOVERENSKOMMELSE]


def test_an_agreement_adopted_by_the_last_party_after_its_end_is_never_in_force(registry, runner):
    """Not in the seeds: had the agreement been limited to 2022-12-31 and Huddinge adopted it
    only in 2023, it never enters into force — and the read model keeps answering."""
    ctx = Context("registrator", UTLATANDE)
    region = registry.register_organisation("Region Stockholm", "region", ctx)
    huddinge = registry.register_organisation("Huddinge kommun", "kommun", ctx)
    agreement = registry.register_agreement(
        HUVUDOVERENSKOMMELSE,
        [region, huddinge],
        ctx,
        valid_until=date(2022, 12, 31),
        entry_into_force=EntryIntoForce(not_before=date(2022, 7, 1), requires_all_adoptions=True),
    )
    registry.adopt_agreement(agreement, region, date(2022, 5, 24), ctx)
    registry.adopt_agreement(agreement, huddinge, date(2023, 2, 1), ctx)
    for day in (date(2022, 7, 1), date(2022, 12, 31), date(2023, 2, 1)):
        assert valid_on(runner, day) == []
    row = known(runner, agreement)
    assert (row.in_force_from, row.effective_until) == (date(2023, 2, 1), date(2022, 12, 31))


# -- a corrected period ---------------------------------------------------------------------------


def test_a_corrected_period_changes_as_of_answers_but_not_what_was_known_before(registry, runner):
    ctx = Context("secretary Rose-Marie Nyborg", SRO_MINUTES)
    region = registry.register_organisation("Västra Götalandsregionen", "region", ctx)
    goteborg = registry.register_organisation("Göteborgs Stad", "kommun", ctx)
    # First recorded with the end misread as 2020-10-31.
    agreement = registry.register_agreement(
        INSKRIVNING,
        [region, goteborg],
        ctx,
        valid_from=date(2018, 9, 25),
        valid_until=date(2020, 10, 31),
    )
    assert valid_on(runner, date(2020, 11, 15)) == []
    before_correction = datetime.now(UTC)
    registry.correct_agreement_period(
        agreement,
        date(2018, 9, 25),
        date(2020, 11, 30),
        "Slutdatum felläst; överenskommelsen gäller till 2020-11-30 (SRO 2020-03-06 § 5)",
        ctx,
    )
    assert titles(valid_on(runner, date(2020, 11, 15))) == [INSKRIVNING]
    assert titles(valid_on(runner, date(2020, 11, 30))) == [INSKRIVNING]
    assert valid_on(runner, date(2020, 11, 15), before_correction) == []
    [then] = valid_on(runner, date(2020, 10, 31), before_correction)
    assert then.valid_until == date(2020, 10, 31)
    assert known(runner, agreement).event_type == "PeriodCorrected"
