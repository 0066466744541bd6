"""A realistic scenario for the end-to-end read tests (tests/test_read_*.py), and the HTTP
helpers they share.

Västmanland: Region Västmanland, Västerås stad and Sala kommun own the "Politiskt
samverkansorgan i Västmanland" (the parent) and its "Ledningsgrupp för nära vård" (seats, one
of them vacant; a chair, members on behalf of their organisations and a personal deputy). The
samverkansorgan meets on 2021-02-12 and 2021-05-20; its decisions replace a member, propose
an extension of the home care agreement (with a condition met later and a reservation),
establish a fund with allocations (one changed and one withdrawn later), give assignments
(completed, open, overdue, withdrawn), and supersede, revoke and correct earlier decisions.
The minutes misspell Karin Lindqvist as "Karin Lindkvist", a record merged into hers later.

The scenario is recorded in phases; `Scenario.known` holds a recorded-time mark between
phases, so a test can ask what the registry knew before a later phase (`knownAt`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from api.app import create_app
from registry.application import Appointment, Registry, SeatSpec
from registry.config import StoreSettings
from registry.domain.agreement import EntryIntoForce
from registry.domain.decision import Decision
from registry.domain.meeting import AgendaItem, Attendee
from registry.values import Context, DecisionKind, HolderKind, Role, Source, StatementKind

# -- HTTP helpers ----------------------------------------------------------------------------


def post(client: TestClient, query: str, **variables: Any) -> dict[str, Any]:
    """POST a query to /graphql; the answer must not be a server error."""
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    return response.json()


def data(client: TestClient, query: str, **variables: Any) -> dict[str, Any]:
    """The data of a query that must succeed without errors."""
    result = post(client, query, **variables)
    assert not result.get("errors"), result.get("errors")
    return result["data"]


def error_of(client: TestClient, query: str, **variables: Any) -> dict[str, Any]:
    """The first error of a query that must fail with a client error, not a server error."""
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code < 500, response.text
    body = response.json()
    assert body.get("errors"), body
    assert "Traceback" not in response.text
    return body["errors"][0]


def settle(client: TestClient) -> None:
    """Wait until the read models include every event recorded so far."""
    client.app.state.runner.wait_for(client.app.state.registry.max_position())  # type: ignore[attr-defined]


def mark() -> datetime:
    """A recorded-time mark strictly between the events before and after it."""
    time.sleep(0.005)
    now = datetime.now(UTC)
    time.sleep(0.005)
    return now


# -- the scenario ---------------------------------------------------------------------------

MEETING_1 = date(2021, 2, 12)
MEETING_2 = date(2021, 5, 20)
FORMED = date(2019, 12, 13)

SAMVERKANSORGAN = "Politiskt samverkansorgan i Västmanland"
LEDNINGSGRUPP = "Ledningsgrupp för nära vård"
HEMSJUKVARD = "Överenskommelse om hemsjukvård i Västmanlands län"
HJALPMEDEL = "Avtal om gemensam hjälpmedelsverksamhet"
UTSKRIVNING = "Överenskommelse om samverkan vid utskrivning från slutenvård"
FUND = "Stimulansmedel för god och nära vård 2021"

REGISTRAR = "registrator Malin Ek"
SECRETARY = "sekreterare Sofia Wikström"
MINUTES_1 = f"Protokoll {SAMVERKANSORGAN} 2021-02-12"
MINUTES_2 = f"Protokoll {SAMVERKANSORGAN} 2021-05-20"
LIST_OF_MEMBERS = "Förteckning över ledamöter 2019–2022"


@dataclass
class Scenario:
    """Ids of everything recorded, and recorded-time marks between the phases."""

    orgs: dict[str, UUID] = field(default_factory=dict)
    persons: dict[str, UUID] = field(default_factory=dict)
    bodies: dict[str, UUID] = field(default_factory=dict)
    seats: dict[str, UUID] = field(default_factory=dict)
    memberships: dict[str, UUID] = field(default_factory=dict)
    meetings: dict[str, UUID] = field(default_factory=dict)
    decisions: dict[str, UUID] = field(default_factory=dict)
    conditions: dict[str, UUID] = field(default_factory=dict)
    agreements: dict[str, UUID] = field(default_factory=dict)
    funds: dict[str, UUID] = field(default_factory=dict)
    allocations: dict[str, UUID] = field(default_factory=dict)
    assignments: dict[str, UUID] = field(default_factory=dict)
    known: dict[str, datetime] = field(default_factory=dict)

    def id(self, group: str, name: str) -> str:
        return str(getattr(self, group)[name])


def registrar(document: str = LIST_OF_MEMBERS, item: str | None = None) -> Context:
    return Context(REGISTRAR, Source(document, item))


def minutes(document: str, item: str) -> Context:
    return Context(SECRETARY, Source(document, f"§ {item}"))


def build(registry: Registry) -> Scenario:
    """Record the whole scenario; returns its ids and recorded-time marks."""
    s = Scenario()
    s.known["start"] = mark()
    _phase_1_registry(registry, s)
    s.known["before_meeting_1"] = mark()
    _phase_2_meeting_1(registry, s)
    s.known["after_meeting_1"] = mark()
    _phase_3_follow_up(registry, s)
    s.known["before_meeting_2"] = mark()
    _phase_4_meeting_2(registry, s)
    s.known["before_corrections"] = mark()
    _phase_5_corrections(registry, s)
    s.known["end"] = mark()
    return s


def _phase_1_registry(r: Registry, s: Scenario) -> None:
    """Organisations, persons, both bodies, the ledningsgrupp's formation, agreements."""
    ctx = registrar()
    region = r.register_organisation("Region Västmanland", "region", ctx)
    vasteras = r.register_organisation("Västerås stad", "kommun", ctx)
    sala = r.register_organisation("Sala kommun", "kommun", ctx)
    s.orgs.update({"region": region, "vasteras": vasteras, "sala": sala})

    people = [
        ("Lars Holm", vasteras, "Kommunalråd", "S"),
        ("Eva Berg", sala, "Kommunstyrelsens ordförande", "M"),
        ("Per Andersson", region, "Regionråd", "C"),
        ("Sofia Wikström", region, "Utvecklingsledare", None),
        ("Karin Lindqvist", region, "Hälso- och sjukvårdsdirektör", None),
        ("Anders Öberg", vasteras, "Socialdirektör", None),
        ("Maria Söderström", vasteras, "Direktör vård och omsorg", None),
        ("Åsa Nyström", sala, "Socialchef", None),
        ("Jörgen Ekström", sala, "Medicinskt ansvarig sjuksköterska", None),
    ]
    for name, org, title, party in people:
        s.persons[name] = r.register_person(
            name, ctx, title=title, party=party, organisation_id=org
        )
    # The minutes misspell Karin Lindqvist; the misspelling became a record of its own.
    s.persons["Karin Lindkvist"] = r.register_person("Karin Lindkvist", ctx)
    p = s.persons

    organ = r.register_body(
        SAMVERKANSORGAN,
        "samrådsorgan",
        ctx,
        owner_organisation_ids=[region, vasteras, sala],
        mandate="Samråd mellan regionen och kommunerna i frågor om hälso- och sjukvård "
        "och socialtjänst.",
        term_start=date(2019, 1, 1),
        term_end=date(2022, 12, 31),
    )
    s.bodies["organ"] = organ
    for key, person, role, org in [
        ("holm", "Lars Holm", Role.CHAIR, vasteras),
        ("berg", "Eva Berg", Role.VICE_CHAIR, sala),
        ("andersson", "Per Andersson", Role.MEMBER, region),
        ("lindkvist", "Karin Lindkvist", Role.CO_OPTED, region),
        ("wikstrom", "Sofia Wikström", Role.SECRETARY, None),
    ]:
        s.memberships[key] = r.appoint(
            organ,
            Appointment(p[person], role=role, start=date(2019, 1, 1), on_behalf_of=org),
            ctx,
        )

    group = r.register_body(
        LEDNINGSGRUPP,
        "ledningsgrupp",
        ctx,
        parent_body_id=organ,
        owner_organisation_ids=[region, vasteras, sala],
        mandate="Leder omställningen till nära vård på uppdrag av samverkansorganet.",
        term_start=date(2020, 1, 1),
        term_end=date(2022, 12, 31),
    )
    s.bodies["group"] = group
    with r.decide(
        organ,
        FORMED,
        "12",
        DecisionKind.APPROVED,
        "Ledningsgrupp för nära vård inrättas med representanter för regionen och kommunerna.",
        registrar("Protokoll Politiskt samverkansorgan i Västmanland 2019-12-13", "§ 12"),
    ) as formed:
        seat_ids = r.define_seats(
            group,
            [
                SeatSpec("Region Västmanland", on_behalf_of=region),
                SeatSpec("Västerås stad", on_behalf_of=vasteras),
                SeatSpec("Sala kommun", on_behalf_of=sala),
                SeatSpec("Brukarorganisationerna", note="Utses senare av brukarrådet"),
            ],
            formed.context,
            effective_date=date(2020, 1, 15),
        )
        s.seats.update(zip(["region", "vasteras", "sala", "brukare"], seat_ids, strict=True))
        ids = r.appoint_many(
            group,
            [
                Appointment(
                    p["Karin Lindqvist"],
                    role=Role.CHAIR,
                    start=date(2020, 1, 15),
                    seat_id=s.seats["region"],
                    on_behalf_of=region,
                ),
                Appointment(
                    p["Anders Öberg"],
                    start=date(2020, 1, 15),
                    seat_id=s.seats["vasteras"],
                    on_behalf_of=vasteras,
                ),
                Appointment(
                    p["Åsa Nyström"],
                    start=date(2020, 2, 1),
                    seat_id=s.seats["sala"],
                    on_behalf_of=sala,
                ),
                Appointment(
                    p["Jörgen Ekström"],
                    role=Role.DEPUTY,
                    start=date(2020, 2, 1),
                    on_behalf_of=sala,
                    deputy_for=p["Åsa Nyström"],
                ),
            ],
            formed.context,
        )
        s.memberships.update(zip(["lindqvist", "oberg", "nystrom", "ekstrom"], ids, strict=True))
    s.decisions["formed"] = formed.id

    signed = registrar("Överenskommelse om hemsjukvård, undertecknad 2019-05-20")
    home_care = r.register_agreement(
        HEMSJUKVARD,
        [region, vasteras, sala],
        signed,
        valid_until=date(2021, 12, 31),
        entry_into_force=EntryIntoForce(date(2019, 9, 1), requires_all_adoptions=True),
    )
    for org, day in [
        (region, date(2019, 6, 10)),
        (vasteras, date(2019, 8, 20)),
        (sala, date(2019, 10, 3)),
    ]:
        r.adopt_agreement(home_care, org, day, signed)
    r.revise_agreement(
        home_care,
        "Bilaga 2 om läkemedelshantering revideras",
        date(2020, 7, 1),
        registrar("Reviderad bilaga 2, 2020-06-15"),
    )
    aids = r.register_agreement(
        HJALPMEDEL,
        [region, vasteras],
        registrar("Avtal om hjälpmedel 2018–2021"),
        valid_from=date(2018, 1, 1),
        valid_until=date(2021, 6, 30),
    )
    r.adopt_agreement(aids, region, date(2017, 12, 1), registrar("Avtal om hjälpmedel 2018–2021"))
    discharge = r.register_agreement(
        UTSKRIVNING,
        [region, vasteras, sala],
        registrar("Överenskommelse om utskrivning, remiss 2021"),
        entry_into_force=EntryIntoForce(date(2022, 1, 1), requires_all_adoptions=True),
    )
    s.agreements.update({"home_care": home_care, "aids": aids, "discharge": discharge})


def _phase_2_meeting_1(r: Registry, s: Scenario) -> None:
    """The samverkansorgan's meeting of 2021-02-12 and its decisions with their effects."""
    p, o, organ, group = s.persons, s.orgs, s.bodies["organ"], s.bodies["group"]
    meeting = r.hold_meeting(
        organ,
        MEETING_1,
        minutes(MINUTES_1, "1"),
        time="13.00–15.30",
        place="Regionhuset, Västerås",
        present=[p["Lars Holm"], p["Eva Berg"], p["Karin Lindkvist"], p["Sofia Wikström"]],
        absent=[Attendee(p["Per Andersson"], "Per Andersson", "Anmält förhinder")],
        chair_id=p["Lars Holm"],
        secretary_id=p["Sofia Wikström"],
        items=[
            AgendaItem("1", "Mötets öppnande"),
            AgendaItem("3", "Sammanträdesplan 2021", (p["Sofia Wikström"],)),
            AgendaItem("4", "Ledningsgruppens sammansättning", (p["Karin Lindkvist"],)),
            AgendaItem(
                "5",
                "Förlängning av överenskommelsen om hemsjukvård",
                (p["Karin Lindkvist"], p["Anders Öberg"]),
            ),
            AgendaItem("6", "Stimulansmedel för god och nära vård 2021", (p["Lars Holm"],)),
            AgendaItem("7", "Handlingsplan för hemsjukvården", (p["Anders Öberg"],)),
            AgendaItem("8", "Gemensam vårdsamordnare"),
            AgendaItem("9", "Information om vaccinationsläget", (p["Karin Lindkvist"],), "Muntlig"),
        ],
    )
    s.meetings["first"] = meeting

    def decide(item: str, kind: DecisionKind, text: str, **kwargs: Any) -> Any:
        return r.decide(
            organ, MEETING_1, item, kind, text, minutes(MINUTES_1, item), meeting, **kwargs
        )

    with decide("3", DecisionKind.DECIDED, "Sammanträdesplanen för 2021 fastställs.") as d:
        pass
    s.decisions["plan"] = d.id

    with decide(
        "4",
        DecisionKind.APPROVED,
        "Ledningsgruppens sammansättning godkänns: Maria Söderström ersätter Anders Öberg "
        "från den 1 mars 2021.",
    ) as d:
        s.memberships["soderstrom"] = r.replace_member(
            group,
            p["Anders Öberg"],
            Appointment(p["Maria Söderström"], start=date(2021, 3, 1)),
            d.context,
        )
    s.decisions["composition"] = d.id

    with decide(
        "5",
        DecisionKind.DECIDED,
        "Samverkansorganet ställer sig bakom en förlängning av överenskommelsen om "
        "hemsjukvård till den 31 december 2023 och rekommenderar parterna att anta den.",
        conditions=["Förutsätter att kommunernas nämnder ställer sig bakom förlängningen."],
    ) as d:
        r.propose_extension(s.agreements["home_care"], date(2023, 12, 31), d.context)
    s.decisions["extension"] = d.id
    r.record_statement(
        d.id,
        "Eva Berg",
        StatementKind.RESERVATION,
        "Reservation till förmån för eget yrkande om en ettårig förlängning.",
        minutes(MINUTES_1, "5"),
        person_id=p["Eva Berg"],
    )

    with decide(
        "6",
        DecisionKind.DECIDED,
        "Stimulansmedlen för god och nära vård fördelas: 1 200 000 kr till Västerås stad för "
        "mobila team, 800 000 kr till Sala kommun för digitala vårdmöten och 300 000 kr till "
        "Region Västmanland för gemensam utbildning.",
    ) as d:
        fund = r.establish_fund(
            FUND,
            "2500000.00",
            d.context,
            period_start=date(2021, 1, 1),
            period_end=date(2021, 12, 31),
            source_of_funds="Statsbidrag enligt överenskommelsen mellan staten och SKR",
        )
        for key, recipient, org, purpose, amount in [
            ("vasteras", "Västerås stad", o["vasteras"], "Mobila team", "1200000.00"),
            ("sala", "Sala kommun", o["sala"], "Digitala vårdmöten", "800000.00"),
            ("region", "Region Västmanland", o["region"], "Gemensam utbildning", "300000.00"),
        ]:
            s.allocations[key] = r.allocate(
                fund,
                recipient,
                purpose,
                amount,
                d.context,
                recipient_id=org,
                effective_date=MEETING_1,
            )
    s.funds["stimulus"] = fund
    s.decisions["funds"] = d.id

    with decide(
        "7",
        DecisionKind.DECIDED,
        "Ledningsgruppen får i uppdrag att ta fram en handlingsplan för hemsjukvården i "
        "samverkan; uppdrag ges även om korttidsplatser, nattpatrull och vaccinationsinformation.",
    ) as d:
        for key, kind, holder, name, task, due in [
            (
                "plan",
                HolderKind.BODY,
                group,
                LEDNINGSGRUPP,
                "Ta fram en handlingsplan för hemsjukvården i samverkan",
                date(2021, 6, 30),
            ),
            (
                "short_term",
                HolderKind.PERSON,
                p["Maria Söderström"],
                "Maria Söderström",
                "Kartlägga behovet av korttidsplatser i länet",
                date(2021, 9, 30),
            ),
            (
                "night",
                HolderKind.ORGANISATION,
                o["sala"],
                "Sala kommun",
                "Utreda en gemensam nattpatrull",
                date(2021, 5, 31),
            ),
            (
                "vaccine",
                HolderKind.PERSON,
                p["Karin Lindkvist"],
                "Karin Lindkvist",
                "Samordna länets information om vaccinationer",
                date(2022, 3, 31),
            ),
        ]:
            s.assignments[key] = r.give_assignment(
                organ,
                kind,
                name,
                task,
                d.context,
                holder_id=holder,
                due_date=due,
                given_on=MEETING_1,
            )
    s.decisions["tasks"] = d.id

    with decide("8", DecisionKind.DECIDED, "En gemensam vårdsamordnare för länet inrättas.") as d:
        pass
    s.decisions["coordinator"] = d.id

    # Recorded wrongly as deferred; corrected in phase 5 (the minutes say "noteras").
    with decide("9", DecisionKind.DEFERRED, "Ärendet bordläggs.") as d:
        pass
    s.decisions["info"] = d.id


def _phase_3_follow_up(r: Registry, s: Scenario) -> None:
    """After the meeting: the condition is met, parties adopt, assignments move on."""
    o = s.orgs
    decision = r.get(s.decisions["extension"], Decision)
    s.conditions["extension"] = next(iter(decision.conditions.values())).condition_id
    r.meet_condition(
        s.decisions["extension"],
        s.conditions["extension"],
        date(2021, 4, 20),
        Context(REGISTRAR, Source("Protokoll Socialnämnden Sala kommun 2021-04-20", "§ 45")),
        note="Sala kommuns socialnämnd ställde sig bakom förlängningen.",
    )
    home_care = s.agreements["home_care"]
    for org, day, document in [
        (o["region"], date(2021, 3, 15), "Protokoll Regionstyrelsen 2021-03-15"),
        (o["vasteras"], date(2021, 4, 1), "Protokoll Kommunstyrelsen Västerås 2021-04-01"),
    ]:
        r.adopt_extension(home_care, "until-2023-12-31", org, day, registrar(document, "§ 7"))
    a = s.assignments
    follow_up = registrar("Ledningsgruppens återrapportering")
    r.report_assignment(
        a["plan"], date(2021, 4, 15), "Lägesrapport: ett utkast är klart.", follow_up
    )
    r.complete_assignment(a["plan"], date(2021, 6, 15), follow_up)
    r.withdraw_assignment(
        a["night"],
        date(2021, 4, 1),
        "Frågan hanteras inom ordinarie verksamhet.",
        registrar("Protokoll Kommunstyrelsen Sala 2021-04-01", "§ 31"),
    )


def _phase_4_meeting_2(r: Registry, s: Scenario) -> None:
    """The meeting of 2021-05-20: supersedes, reallocates and revokes."""
    p, organ = s.persons, s.bodies["organ"]
    meeting = r.hold_meeting(
        organ,
        MEETING_2,
        minutes(MINUTES_2, "1"),
        time="09.00–11.00",
        place="Stadshuset, Sala",
        present=[p["Lars Holm"], p["Eva Berg"], p["Per Andersson"], p["Sofia Wikström"]],
        chair_id=p["Lars Holm"],
        secretary_id=p["Sofia Wikström"],
        items=[
            AgendaItem("2", "Reviderad sammanträdesplan 2021", (p["Sofia Wikström"],)),
            AgendaItem("3", "Ändrad fördelning av stimulansmedel", (p["Lars Holm"],)),
            AgendaItem("4", "Upphävande av beslut om gemensam vårdsamordnare"),
        ],
    )
    s.meetings["second"] = meeting

    def decide(item: str, text: str) -> Any:
        return r.decide(
            organ, MEETING_2, item, DecisionKind.DECIDED, text, minutes(MINUTES_2, item), meeting
        )

    with decide("2", "Den reviderade sammanträdesplanen för 2021 fastställs.") as d:
        r.supersede_decision(s.decisions["plan"], d.id, MEETING_2, d.context)
    s.decisions["plan_revised"] = d.id

    with decide(
        "3",
        "Västerås stads tilldelning höjs till 1 450 000,50 kr; tilldelningen till Region "
        "Västmanland dras tillbaka.",
    ) as d:
        fund = s.funds["stimulus"]
        r.withdraw_allocation(
            fund,
            s.allocations["region"],
            "Utbildningen finansieras av regionen själv.",
            d.context,
            effective_date=MEETING_2,
        )
        r.change_allocation(
            fund, s.allocations["vasteras"], "1450000.50", d.context, effective_date=MEETING_2
        )
    s.decisions["reallocation"] = d.id

    with decide("4", "Beslutet om gemensam vårdsamordnare upphävs från den 1 juni 2021.") as d:
        r.revoke_decision(
            s.decisions["coordinator"], date(2021, 6, 1), "Finansieringen uteblev.", d.context
        )
    s.decisions["revocation"] = d.id


def _phase_5_corrections(r: Registry, s: Scenario) -> None:
    """Late corrections: a membership's start, a decision's kind, a name, a duplicate."""
    p, group = s.persons, s.bodies["group"]
    r.correct_membership(
        group,
        s.memberships["nystrom"],
        Appointment(
            p["Åsa Nyström"],
            start=date(2020, 1, 15),
            seat_id=s.seats["sala"],
            on_behalf_of=s.orgs["sala"],
        ),
        "Startdatum enligt delegationsbeslut 2020-01-10, inte 2020-02-01.",
        registrar("Delegationsbeslut Sala kommun 2020-01-10"),
    )
    r.correct_decision(
        s.decisions["info"],
        DecisionKind.NOTED,
        "Informationen om vaccinationsläget noteras.",
        "Felaktigt registrerat som bordlagt; protokollet säger att informationen noterades.",
        minutes(MINUTES_1, "9"),
    )
    r.add_name_variant(p["Åsa Nyström"], "Åsa Nyström-Hägg", registrar("Protokoll 2020-02-01"))
    r.merge_persons(
        p["Karin Lindkvist"],
        p["Karin Lindqvist"],
        "Samma person: felstavat namn i protokollet.",
        registrar("Kontroll mot personalregistret"),
    )


# -- a client over a fresh store with the scenario -------------------------------------------


@dataclass
class World:
    client: TestClient
    s: Scenario

    @property
    def registry(self) -> Registry:
        return self.client.app.state.registry  # type: ignore[attr-defined]

    def data(self, query: str, **variables: Any) -> dict[str, Any]:
        return data(self.client, query, **variables)

    def post(self, query: str, **variables: Any) -> dict[str, Any]:
        return post(self.client, query, **variables)

    def error(self, query: str, **variables: Any) -> dict[str, Any]:
        return error_of(self.client, query, **variables)

    def at(self, mark_name: str) -> str:
        return self.s.known[mark_name].isoformat()


def open_world(settings: StoreSettings, answer_cache: bool = True) -> Iterator[World]:
    """An app over a fresh store of `settings` with the scenario recorded and projected."""
    app = create_app(settings, answer_cache=answer_cache)
    # From loopback, with no identity configured: the local administrator, who reads
    # actors and contact details (docs/security.md).
    with TestClient(app, client=("127.0.0.1", 50000)) as client:
        scenario = build(app.state.registry)
        settle(client)
        yield World(client, scenario)
