"""Remisser (consultations), from a statement file through GraphQL over HTTP, on both
stores: the asking body and the bodies asked, each answer with its body, date, stance and
summary and the answering body's decision, the asking body's decision that refers to them;
the status on any day (valid time) and as the registry knew it (recorded time); an answer
from a body that was not asked is refused at its place and nothing is written."""

from __future__ import annotations

import pytest

from tests.plans_support import Served, served

server = pytest.fixture(scope="module", params=["sqlite", "postgres"])(served)


def statement(city: str, answers: str) -> str:
    return f"""\
version: 1
kind: statement
source: {{document: Utlåtande {city} (Dnr KS 2021/1272)}}
date: 2022-06-01
body: {{ref: ks, name: {city} kommunstyrelse, kind: styrelse, owners: [stad]}}
organisations:
  - {{ref: stad, name: {city}, kind: kommun}}
bodies:
  - {{ref: sn, name: {city} socialnämnd, kind: nämnd, owners: [stad]}}
  - {{ref: aldre, name: {city} äldrenämnd, kind: nämnd, owners: [stad]}}
  - {{ref: bromma, name: {city} Bromma stadsdelsnämnd, kind: nämnd, owners: [stad]}}
  - {{ref: kf, name: {city} kommunfullmäktige, kind: fullmäktige, owners: [stad]}}
background:
  consultations:
    - ref: hok
      subject: Huvudöverenskommelse om samverkan kring hälsa, vård och omsorg
      asked: [sn, aldre, bromma]
      sent_on_not_after: 2022-03-01
      note: Not dated in the statement.
items:
  - number: "1"
    title: Huvudöverenskommelse om samverkan kring hälsa, vård och omsorg
    decisions:
{answers}"""


ANSWERS = """\
      - kind: approved
        body: sn
        date: 2022-04-26
        text: Socialnämnden godkänner förvaltningens tjänsteutlåtande som svar på remissen.
        consultation_answers:
          - consultation: hok
            stance: supports_with_remarks
            summary: Välkomnar överenskommelsen; önskar mandat att tolka andra överenskommelser.
      - kind: approved
        body: aldre
        date: 2022-04-19
        text: Äldrenämnden godkänner förvaltningens tjänsteutlåtande som svar på remissen.
        consultation_answers:
          - {consultation: hok, stance: supports, summary: Välkomnar huvudöverenskommelsen.}
      - kind: decided
        body: bromma
        date: 2022-04-28
        text: Stadsdelsnämnden överlämnar förvaltningens tjänsteutlåtande som svar på remissen.
        consultation_answers:
          - {consultation: hok, stance: supports, summary: Ställer sig positiv.}
      - kind: endorsed
        text: Kommunstyrelsen föreslår att kommunfullmäktige godkänner överenskommelsen.
        consultation_conclusions: [{consultation: hok}]
"""

ONE = """query($id: ID!, $asOf: Date, $knownAt: DateTime) {
  consultation(id: $id, knownAt: $knownAt) {
    subject sentOn sentOnUnknown status(asOf: $asOf)
    body { name } asked { name }
    answers(asOf: $asOf) { bodyName answeredOn stance summary decision { text decidedOn } }
    notAnswered(asOf: $asOf) { name }
    decisions { text body { name } }
  }
}"""


def consultation_of(server: Served, city: str) -> str:
    body = server.query(
        "query($n: String) { bodies(name: $n) { nodes { id name } } }", n=f"{city} kommunstyrelse"
    )["bodies"]["nodes"][0]["id"]
    found = server.query("query($b: ID!) { consultations(bodyId: $b) { nodes { id } } }", b=body)[
        "consultations"
    ]["nodes"]
    return found[0]["id"]


def test_a_remiss_holds_each_answer_and_the_decision_that_refers_to_them(server: Served) -> None:
    city = "Remisstaden A"
    server.import_minutes(statement(city, ANSWERS))
    data = server.query(ONE, id=consultation_of(server, city))["consultation"]
    assert data["subject"] == "Huvudöverenskommelse om samverkan kring hälsa, vård och omsorg"
    assert (data["sentOn"], data["sentOnUnknown"]) == ("2022-03-01", True)
    assert data["body"] == {"name": f"{city} kommunstyrelse"}
    assert [b["name"] for b in data["asked"]] == [
        f"{city} socialnämnd",
        f"{city} äldrenämnd",
        f"{city} Bromma stadsdelsnämnd",
    ]
    assert [(a["bodyName"], a["answeredOn"], a["stance"]) for a in data["answers"]] == [
        (f"{city} äldrenämnd", "2022-04-19", "SUPPORTS"),
        (f"{city} socialnämnd", "2022-04-26", "SUPPORTS_WITH_REMARKS"),
        (f"{city} Bromma stadsdelsnämnd", "2022-04-28", "SUPPORTS"),
    ]
    assert data["answers"][1]["summary"].startswith("Välkomnar överenskommelsen")
    assert data["answers"][1]["decision"] == {
        "text": "Socialnämnden godkänner förvaltningens tjänsteutlåtande som svar på remissen.",
        "decidedOn": "2022-04-26",
    }
    assert data["decisions"] == [
        {
            "text": "Kommunstyrelsen föreslår att kommunfullmäktige godkänner överenskommelsen.",
            "body": {"name": f"{city} kommunstyrelse"},
        }
    ]
    assert data["status"] == "CONCLUDED" and data["notAnswered"] == []


@pytest.mark.parametrize(
    ("day", "status", "answered", "missing"),
    [
        ("2022-04-18", "OPEN", 0, 3),
        ("2022-04-26", "OPEN", 2, 1),
        ("2022-04-28", "ANSWERED", 3, 0),
        ("2022-06-01", "CONCLUDED", 3, 0),
    ],
)
def test_the_status_follows_the_answers_on_the_day_asked(
    server: Served, day: str, status: str, answered: int, missing: int
) -> None:
    city = "Remisstaden B"
    bodies = server.query('{ bodies(name: "Remisstaden B kommunstyrelse") { totalCount } }')
    if bodies["bodies"]["totalCount"] == 0:
        server.import_minutes(statement(city, ANSWERS))
    data = server.query(ONE, id=consultation_of(server, city), asOf=day)["consultation"]
    assert data["status"] == status
    assert len(data["answers"]) == answered and len(data["notAnswered"]) == missing


def test_decisions_find_the_remiss_they_answer_or_conclude(server: Served) -> None:
    city = "Remisstaden C"
    server.import_minutes(statement(city, ANSWERS))
    decisions = server.query(
        """{ decisions(from: "2022-04-01", to: "2022-06-30") { nodes {
             body { name } consultations { subject status } } } }"""
    )["decisions"]["nodes"]
    mine = [d for d in decisions if d["body"]["name"].startswith(city)]
    assert len(mine) == 4
    assert all(
        d["consultations"]
        == [
            {
                "subject": "Huvudöverenskommelse om samverkan kring hälsa, vård och omsorg",
                "status": "CONCLUDED",
            }
        ]
        for d in mine
    )


def test_before_the_statement_was_recorded_the_registry_knew_no_remiss(server: Served) -> None:
    city = "Remisstaden D"
    split = ANSWERS.index("      - kind: approved\n        body: aldre")
    server.import_minutes(statement(city, ANSWERS[:split]))
    consultation = consultation_of(server, city)
    before = server.now()
    assert server.query(ONE, id=consultation)["consultation"]["status"] == "OPEN"
    # A second statement with the other answers and the conclusion.
    server.import_minutes(
        statement(city, ANSWERS[split:]).replace(f"Utlåtande {city}", f"Utlåtande {city} II")
    )
    assert server.query(ONE, id=consultation)["consultation"]["status"] == "CONCLUDED"
    known = server.query(ONE, id=consultation, knownAt=before)["consultation"]
    assert known["status"] == "OPEN" and len(known["answers"]) == 1
    assert server.query(ONE, id=consultation, knownAt="2000-01-01T00:00:00Z") == {
        "consultation": None
    }


def test_an_answer_from_a_body_not_asked_is_refused_at_its_place(server: Served) -> None:
    city = "Remisstaden E"
    unasked = """\
      - kind: decided
        body: kf
        date: 2022-04-20
        text: Fullmäktige svarar.
        consultation_answers:
          - {consultation: hok, stance: opposes, summary: Avstyrker.}
"""
    status, answer = server.try_import(statement(city, unasked))
    assert status == 422, answer
    [error] = answer["errors"]
    assert error["path"] == "items[0].decisions[0].consultation_answers[0].consultation"
    assert f"{city} kommunfullmäktige was not asked" in error["message"]
    assert server.query(f'{{ bodies(name: "{city}") {{ totalCount }} }}') == {
        "bodies": {"totalCount": 0}
    }


@pytest.mark.parametrize(
    ("decisions", "path", "words"),
    [
        (
            """\
      - kind: decided
        body: sn
        date: 2022-04-20
        text: Svar.
        consultation_answers: [{consultation: hok, stance: supports, summary: Ja.}]
      - kind: decided
        body: sn
        date: 2022-04-21
        text: Nytt svar.
        consultation_answers: [{consultation: hok, stance: opposes, summary: Nej.}]
""",
            "items[0].decisions[1].consultation_answers[0].consultation",
            "has already answered",
        ),
        (
            """\
      - kind: decided
        body: kf
        date: 2022-06-10
        text: Fullmäktige godkänner.
        consultation_conclusions: [{consultation: hok}]
""",
            "items[0].decisions[0].consultation_conclusions[0].consultation",
            "only the asking body",
        ),
        (
            """\
      - kind: decided
        body: sn
        date: 2022-04-20
        text: Svar.
        consultation_answers: [{consultation: hok, stance: agrees, summary: Ja.}]
""",
            "items[0].decisions[0].consultation_answers[0].stance",
            "agrees",
        ),
    ],
)
def test_a_second_answer_a_stranger_concluding_or_an_unknown_stance_is_refused(
    server: Served, decisions: str, path: str, words: str
) -> None:
    city = "Remisstaden F"
    status, answer = server.try_import(statement(city, decisions))
    assert status in (400, 422), answer
    assert [e["path"] for e in answer["errors"]] == [path], answer
    assert words in answer["errors"][0]["message"]
    assert server.query(f'{{ bodies(name: "{city}") {{ totalCount }} }}') == {
        "bodies": {"totalCount": 0}
    }
