"""Every agreement is listable by its status on a day, not only those in force, and
`partiesNotAdopted` names parties only where the entry into force needs their adoption: from a
minutes file through GraphQL over HTTP, on both stores and both time axes."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from registry.importing import import_file
from registry.status.agreement import AgreementStatus, agreement_status
from tests.minutes_client import client
from tests.minutes_client import imported_at as imported

__all__ = ["client"]  # the fixture, used by name

HEAD = """\
version: 1
kind: minutes
source: {document: Protokoll Samrådsorganet %(date)s}
date: %(date)s
body: {ref: board, name: Samrådsorganet, kind: samrådsorgan, owners: [kommun, region]}
organisations:
  - {ref: kommun, name: Testkommun, kind: kommun}
  - {ref: region, name: Testregionen, kind: region}
meeting: {place: Vänersborg}
"""

FIRST = (
    HEAD % {"date": "2021-04-01"}
    + """\
background:
  agreements:
    - {title: Tandvårdsavtal, parties: [kommun, region], valid_from: 2020-01-01, valid_until: 2020-12-31}
    - {title: Hjälpmedelsavtal, parties: [kommun, region], valid_from: 2020-01-01, valid_until: 2022-12-31}
    - title: LUS-överenskommelsen
      parties: [region]
      valid_from_not_after: 2021-01-01
      note: The start is not in the minutes.
items:
  - number: 1
    title: Hjälpmedelsavtalet
    decisions:
      - kind: decided
        text: Avtalet sägs upp.
        terminations:
          - {agreement: Hjälpmedelsavtal, last_day: 2021-03-31, reason: Ersätts.}
  - number: 2
    title: Huvudöverenskommelse
    decisions:
      - kind: endorsed
        text: Samrådsorganet rekommenderar huvudmännen att anta överenskommelsen.
        agreements:
          - title: Huvudöverenskommelse
            parties: [kommun, region]
            valid_until: 2024-12-31
            entry_into_force: {not_before: 2021-01-01, requires_all_adoptions: true}
        adoptions:
          - {agreement: Huvudöverenskommelse, party: region, adopted_on: 2021-03-15}
"""
)

SECOND = (
    HEAD % {"date": "2021-06-10"}
    + """\
items:
  - number: 1
    title: Huvudöverenskommelse
    decisions:
      - kind: noted
        text: Testkommun har antagit överenskommelsen.
        adoptions:
          - {agreement: Huvudöverenskommelse, party: kommun, adopted_on: 2021-05-01}
"""
)

BY_STATUS = """query($status: [AgreementStatus!], $on: Date, $knownAt: DateTime) {
  agreements(status: $status, validOn: $on, knownAt: $knownAt) {
    nodes { title status partiesNotAdopted { name } }
  }
}"""

ALL = list(AgreementStatus)


def statuses(client: TestClient, on: str, *wanted: str, known_at: datetime | None = None):
    response = client.post(
        "/graphql",
        json={
            "query": BY_STATUS,
            "variables": {
                "status": list(wanted) or [s.name for s in ALL],
                "on": on,
                "knownAt": known_at.isoformat() if known_at else None,
            },
        },
    )
    answer = response.json()
    assert "errors" not in answer, answer
    return {
        a["title"]: (a["status"], [p["name"] for p in a["partiesNotAdopted"]])
        for a in answer["data"]["agreements"]["nodes"]
    }


def test_every_agreement_is_listed_with_its_status_on_the_day_asked(client):
    imported(client, FIRST)
    assert statuses(client, "2021-06-01") == {
        "Tandvårdsavtal": ("EXPIRED", []),
        "Hjälpmedelsavtal": ("TERMINATED", []),
        "LUS-överenskommelsen": ("IN_FORCE", []),
        "Huvudöverenskommelse": ("PENDING_ADOPTION", ["Testkommun"]),
    }
    assert statuses(client, "2019-06-01") == {
        "Tandvårdsavtal": ("NOT_YET_IN_FORCE", []),
        "Hjälpmedelsavtal": ("NOT_YET_IN_FORCE", []),
        "LUS-överenskommelsen": ("START_UNKNOWN", []),
        # Neither party had adopted it yet on that day (the region did on 2021-03-15).
        "Huvudöverenskommelse": ("PENDING_ADOPTION", ["Testkommun", "Testregionen"]),
    }


def test_the_status_filter_lists_only_the_statuses_asked_for(client):
    imported(client, FIRST)
    assert list(statuses(client, "2021-06-01", "EXPIRED", "TERMINATED")) == [
        "Hjälpmedelsavtal",
        "Tandvårdsavtal",
    ]
    assert list(statuses(client, "2021-06-01", "NOT_YET_IN_FORCE")) == []
    # Without `status`, the list is what it was: the agreements in force on the day.
    answer = client.post(
        "/graphql", json={"query": '{ agreements(validOn: "2021-06-01") { nodes { title } } }'}
    ).json()
    assert answer["data"]["agreements"]["nodes"] == [{"title": "LUS-överenskommelsen"}]


def test_an_agreement_in_force_without_adoptions_lists_no_party_as_not_adopted(client):
    imported(client, FIRST)
    answer = client.post(
        "/graphql",
        json={
            "query": '{ agreements(validOn: "2020-06-01") { nodes { title status '
            "partiesNotAdopted { name } adoptions { adoptedOn } } } }"
        },
    ).json()
    [tand] = [a for a in answer["data"]["agreements"]["nodes"] if a["title"] == "Tandvårdsavtal"]
    assert tand == {
        "title": "Tandvårdsavtal",
        "status": "IN_FORCE",
        "partiesNotAdopted": [],
        "adoptions": [],
    }


def test_the_last_adoption_brings_it_into_force_on_that_day_and_not_before(client):
    before = imported(client, FIRST)
    imported(client, SECOND)
    hok = "Huvudöverenskommelse"
    assert statuses(client, "2021-04-30")[hok] == ("PENDING_ADOPTION", ["Testkommun"])
    assert statuses(client, "2021-05-01")[hok] == ("IN_FORCE", [])
    assert statuses(client, "2025-01-01")[hok] == ("EXPIRED", [])
    # As known before the second file was imported, the kommun had not adopted it.
    assert statuses(client, "2021-05-01", known_at=before)[hok] == (
        "PENDING_ADOPTION",
        ["Testkommun"],
    )
    assert list(statuses(client, "2021-06-01", "PENDING_ADOPTION", known_at=before)) == [hok]
    assert list(statuses(client, "2021-06-01", "PENDING_ADOPTION")) == []


def test_the_status_field_defaults_to_the_day_the_list_was_asked_for(client):
    imported(client, FIRST)
    answer = client.post(
        "/graphql",
        json={
            "query": '{ agreements(status: [EXPIRED], validOn: "2021-06-01") { nodes { '
            'title status later: status(onDate: "2019-01-01") } } }'
        },
    ).json()
    assert answer["data"]["agreements"]["nodes"] == [
        {"title": "Tandvårdsavtal", "status": "EXPIRED", "later": "NOT_YET_IN_FORCE"}
    ]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2021, 12, 31), AgreementStatus.PENDING_ADOPTION),
        (date(2022, 3, 1), AgreementStatus.NOT_YET_IN_FORCE),
        (date(2022, 7, 1), AgreementStatus.IN_FORCE),
        (date(2023, 1, 1), AgreementStatus.EXPIRED),
    ],
)
def test_adopted_by_all_but_not_before_a_later_date_is_not_yet_in_force(day, expected):
    """ "Börjar gälla 1 juli 2022 eller när samtliga parter antagit den": the later of both."""
    assert (
        agreement_status(
            day,
            party_ids=["a", "b"],
            adoptions={"a": date(2021, 11, 1), "b": date(2022, 2, 1)},
            valid_from=None,
            valid_from_not_after=None,
            not_before=date(2022, 7, 1),
            requires_all_adoptions=True,
            effective_until=date(2022, 12, 31),
            terminated_on=None,
        )
        == expected
    )


def test_the_example_agreements_by_status_and_the_parties_awaited(client):
    """The issue's cases: the VästKom–VGR agreement (002) is in force without adoptions, so no
    party is "not adopted", and it has expired the day after its end while its extension is
    pending; the huvudöverenskommelse (003) waits for every party's adoption."""
    examples = Path(__file__).resolve().parents[1] / "registry" / "examples"
    registry = client.app.state.registry
    for name in (
        "002-samradsorgan-vastkom-vgr-2020-03-06.yaml",
        "003-utlatande-huvudoverenskommelse-stockholm-2022-06-01.yaml",
    ):
        import_file(registry, examples / name)
    client.app.state.runner.wait_for(registry.max_position())
    on_last_day = statuses(client, "2020-11-30")
    lus = "Överenskommelse om samverkan vid in- och utskrivning från slutet hälso- och sjukvård"
    hok = "Huvudöverenskommelse om länsövergripande samverkan kring hälsa, vård och omsorg"
    assert on_last_day[lus] == ("IN_FORCE", [])
    assert statuses(client, "2020-12-01")[lus] == ("EXPIRED", [])
    status, waiting = statuses(client, "2022-07-01")[hok]
    assert status == "PENDING_ADOPTION" and len(waiting) == 4
