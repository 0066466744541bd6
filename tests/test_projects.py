"""Projects and initiatives decided on, from a minutes file through GraphQL over HTTP, on
both stores: name, period, owner, steering group, financing for part of the period, the
decision that started it, its parts; the status on any day (valid time) and as the registry
knew it (recorded time); a proposed project; a financing outside the period is refused at
its place and nothing is written."""

from __future__ import annotations

import pytest

from tests.plans_support import Served, served

server = pytest.fixture(scope="module", params=["sqlite", "postgres"])(served)


def minutes(board: str, projects: str) -> str:
    return f"""\
version: 1
kind: minutes
source: {{document: Protokoll {board} 2020-02-07}}
date: 2020-02-07
body: {{ref: board, name: {board}, kind: chefsgrupp, owners: [region]}}
organisations:
  - {{ref: region, name: Projektregionen, kind: region}}
bodies:
  - {{ref: styr, name: {board} styrgrupp, kind: styrgrupp, parent: board}}
persons:
  - {{ref: ingmar, name: Ingmar Projektman, organisation: region}}
meeting:
  present: [ingmar]
  chair: ingmar
background:
  funds:
    - {{ref: statsbidrag, name: {board} statsbidrag utskrivning, total: 1000000}}
items:
  - number: 9
    title: Samverkan för en god och nära vård
    decisions:
      - kind: approved
        text: Chefsgruppen godkänner projektdirektivet och att projektmedlen används.
        projects:
{projects}"""


PROJECT = """\
          - ref: hemma
            name: {board} Överenskommelse om hälso- och sjukvård i hemmet
            from: 2020-03-01
            until: 2021-12-31
            owner: region
            steering_body: styr
            financing:
              - fund: statsbidrag
                amount: 400000
                from: 2020-03-01
                until: 2021-02-28
                note: Under första året.
          - {{name: {board} Delprojekt 1, part_of: hemma, status: proposed}}
"""

FIELDS = """
  id name from until proposed decidedOn status(asOf: $asOf)
  owner { kind name } steeringBody { name } body { name } partOf { name } parts { name }
  decision { text item }
  financing(asOf: $asOf) { source amount from until note fund { name remaining } }
"""


def project_named(server: Served, name: str, as_of: str | None = None, known_at=None):
    found = server.query(
        "query($asOf: Date, $knownAt: DateTime) { projects(asOf: $asOf, knownAt: $knownAt) { "
        "nodes {" + FIELDS + "} } }",
        asOf=as_of,
        knownAt=known_at,
    )["projects"]["nodes"]
    return next((p for p in found if p["name"] == name), None)


def test_a_decided_project_has_its_period_owner_financing_and_decision(server: Served) -> None:
    board = "Projektgruppen A"
    server.import_minutes(minutes(board, PROJECT.format(board=board)))
    name = f"{board} Överenskommelse om hälso- och sjukvård i hemmet"
    project = project_named(server, name, as_of="2020-06-01")
    assert project["from"] == "2020-03-01" and project["until"] == "2021-12-31"
    assert project["proposed"] is False and project["decidedOn"] == "2020-02-07"
    assert project["status"] == "ONGOING"
    assert project["owner"] == {"kind": "organisation", "name": "Projektregionen"}
    assert project["steeringBody"] == {"name": f"{board} styrgrupp"}
    assert project["body"] == {"name": board}
    assert project["decision"] == {
        "text": "Chefsgruppen godkänner projektdirektivet och att projektmedlen används.",
        "item": "9",
    }
    assert project["parts"] == [{"name": f"{board} Delprojekt 1"}]
    assert project["financing"] == [
        {
            "source": f"{board} statsbidrag utskrivning",
            "amount": "400000.00",
            "from": "2020-03-01",
            "until": "2021-02-28",
            "note": "Under första året.",
            "fund": {"name": f"{board} statsbidrag utskrivning", "remaining": "1000000.00"},
        }
    ]
    # Found from the decision and from the body, and by id.
    by_decision = server.query(
        """query($body: ID!) { decisions(bodyId: $body) { nodes { projects { name } } } }""",
        body=server.query("query($n: String) { bodies(name: $n) { nodes { id name } } }", n=board)[
            "bodies"
        ]["nodes"][0]["id"],
    )["decisions"]["nodes"]
    assert sorted(p["name"] for d in by_decision for p in d["projects"]) == sorted(
        [name, f"{board} Delprojekt 1"]
    )
    assert server.query(
        "query($id: ID!) { project(id: $id) { name partOf { name } } }", id=project["id"]
    )["project"] == {"name": name, "partOf": None}
    steering = server.query(
        "query($n: String) { bodies(name: $n) { nodes { name projects { name } } } }",
        n=f"{board} styrgrupp",
    )["bodies"]["nodes"]
    assert steering == [{"name": f"{board} styrgrupp", "projects": [{"name": name}]}]


@pytest.mark.parametrize(
    ("day", "status", "financed"),
    [
        ("2020-02-06", "NOT_YET_DECIDED", False),
        ("2020-02-07", "NOT_STARTED", False),
        ("2020-03-01", "ONGOING", True),
        ("2021-03-01", "ONGOING", False),
        ("2022-01-01", "ENDED", False),
    ],
)
def test_the_status_and_financing_follow_the_day_asked(
    server: Served, day: str, status: str, financed: bool
) -> None:
    board = "Projektgruppen B"
    if project_named(server, f"{board} Överenskommelse om hälso- och sjukvård i hemmet") is None:
        server.import_minutes(minutes(board, PROJECT.format(board=board)))
    project = project_named(
        server, f"{board} Överenskommelse om hälso- och sjukvård i hemmet", as_of=day
    )
    assert project["status"] == status
    assert bool(project["financing"]) is financed


def test_before_the_minutes_were_recorded_the_registry_knew_no_project(server: Served) -> None:
    board = "Projektgruppen C"
    before = server.now()
    server.import_minutes(minutes(board, PROJECT.format(board=board)))
    name = f"{board} Överenskommelse om hälso- och sjukvård i hemmet"
    assert project_named(server, name, known_at=before) is None
    assert project_named(server, name)["name"] == name


def test_a_proposed_project_is_proposed_until_decided(server: Served) -> None:
    board = "Projektgruppen D"
    server.import_minutes(minutes(board, PROJECT.format(board=board)))
    part = project_named(server, f"{board} Delprojekt 1", as_of="2020-06-01")
    assert part["status"] == "PROPOSED" and part["proposed"] is True
    assert part["partOf"] == {"name": f"{board} Överenskommelse om hälso- och sjukvård i hemmet"}
    proposed = server.query("{ projects(statuses: [PROPOSED]) { nodes { name } } }")["projects"][
        "nodes"
    ]
    assert {"name": f"{board} Delprojekt 1"} in proposed


def test_financing_outside_the_period_is_refused_at_its_place(server: Served) -> None:
    board = "Projektgruppen E"
    bad = f"""\
          - name: {board} Projekt
            from: 2020-03-01
            until: 2020-12-31
            financing:
              - {{source: Egen budget, from: 2020-03-01, until: 2021-06-30}}
"""
    status, answer = server.try_import(minutes(board, bad))
    assert status == 422, answer
    [error] = answer["errors"]
    assert error["path"] == "items[0].decisions[0].projects[0].financing[0]"
    assert "until 2021-06-30 lies outside the project's period" in error["message"]
    assert project_named(server, f"{board} Projekt") is None
    assert server.query('{ bodies(name: "Projektgruppen E") { totalCount } }') == {
        "bodies": {"totalCount": 0}
    }


def test_later_decisions_approve_finance_and_end_projects(server: Served) -> None:
    board = "Projektgruppen F"
    server.import_minutes(minutes(board, PROJECT.format(board=board)))
    later = (
        minutes(board, "").replace("2020-02-07", "2020-09-04").split("background:")[0]
        + f"""\
items:
  - number: 3
    title: Projekten
    decisions:
      - kind: approved
        text: Delprojektet godkänns och finansieras.
        project_approvals: [{{project: "{board} Delprojekt 1"}}]
        project_financing:
          - {{project: "{board} Delprojekt 1", source: Egen budget, amount: 50000}}
      - kind: decided
        text: Huvudprojektet avslutas i förtid.
        project_endings:
          - project: "{board} Överenskommelse om hälso- och sjukvård i hemmet"
            outcome: stopped
            on: 2020-12-31
            reason: Arbetet förs över till linjen.
"""
    )
    server.import_minutes(later)
    part = project_named(server, f"{board} Delprojekt 1", as_of="2020-09-04")
    assert (part["status"], part["proposed"], part["decidedOn"]) == ("ONGOING", False, "2020-09-04")
    assert [(f["source"], f["amount"]) for f in part["financing"]] == [("Egen budget", "50000.00")]
    assert part["decision"]["text"] == "Delprojektet godkänns och finansieras."
    main = f"{board} Överenskommelse om hälso- och sjukvård i hemmet"
    assert project_named(server, main, as_of="2020-12-30")["status"] == "ONGOING"
    assert project_named(server, main, as_of="2020-12-31")["status"] == "STOPPED"
    stopped = server.query(
        "query($id: ID!) { project(id: $id) { endedOn stopReason } }",
        id=project_named(server, main)["id"],
    )["project"]
    assert stopped == {"endedOn": "2020-12-31", "stopReason": "Arbetet förs över till linjen."}


def test_a_stopped_project_needs_a_reason(server: Served) -> None:
    board = "Projektgruppen G"
    server.import_minutes(minutes(board, PROJECT.format(board=board)))
    later = (
        minutes(board, "").replace("2020-02-07", "2020-09-04").split("background:")[0]
        + f"""\
items:
  - number: 3
    title: Projekten
    decisions:
      - kind: decided
        text: Huvudprojektet avslutas.
        project_endings:
          - {{project: "{board} Överenskommelse om hälso- och sjukvård i hemmet", outcome: stopped}}
"""
    )
    status, answer = server.try_import(later)
    assert status == 422, answer
    [error] = answer["errors"]
    assert error["path"] == "items[0].decisions[0].project_endings[0]"
    assert "needs a reason" in error["message"]
