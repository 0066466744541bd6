"""What a document leaves unknown is said as unknown, not guessed, end to end on both stores:
the file's field is imported, importing it again changes nothing, the refusals name their
path in the file, and GraphQL over HTTP answers with it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from projections.runner import ProjectionRunner
from projections.sql import Db
from registry.application import Registry
from registry.importing import ImportRefused, import_text

HEAD = """\
version: 1
kind: minutes
source: {document: Protokoll Testnämnden 2021-04-01}
date: 2021-04-01
body: {ref: board, name: Testnämnden, kind: nämnd, owners: [kommun]}
organisations:
  - {ref: kommun, name: Testkommun, kind: kommun}
  - {ref: region, name: Testregionen, kind: region}
persons:
  - {ref: anna, name: Anna Andersson, organisation: kommun}
  - {ref: bo, name: Bo Berg, organisation: kommun}
  - {ref: cecilia, name: Cecilia Carlsson, organisation: region}
meeting:
  present: [anna, bo, cecilia]
  chair: anna
"""


@pytest.fixture
def client(settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as http:
        yield http


def imported(client: TestClient, text: str, **options) -> str:
    """Import `text` with the app's registry and wait until the read models have it."""
    registry = client.app.state.registry
    status = import_text(registry, text, "test.yaml", **options).status
    client.app.state.runner.wait_for(registry.max_position())
    return status


def import_twice(client: TestClient, text: str) -> None:
    """The file imports, and importing it again writes nothing."""
    registry = client.app.state.registry
    assert imported(client, text) == "imported"
    position = registry.max_position()
    assert imported(client, text) == "unchanged"
    assert registry.max_position() == position


def refused(client: TestClient, text: str) -> list[tuple[str, str]]:
    registry = client.app.state.registry
    position = registry.max_position()
    with pytest.raises(ImportRefused) as refusal:
        import_text(registry, text, "test.yaml")
    assert registry.max_position() == position
    return [(p.path, p.code) for p in refusal.value.problems]


def ask(client: TestClient, query: str, **variables) -> dict:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert "errors" not in answer, answer
    return answer["data"]


# -- an agreement whose start is unknown ------------------------------------------------------

AGREEMENT = (
    HEAD
    + """\
background:
  agreements:
    - ref: avtal
      title: Tandvårdsavtal
      parties: [kommun, region]
      valid_from_not_after: 2020-01-01
      valid_until: 2022-12-31
      note: Revised "under 2020"; its start is not in the minutes.
items:
  - number: 1
    title: Revidering av tandvårdsavtal
    decisions:
      - kind: approved
        text: Revideringen godkänns.
        revisions:
          - {agreement: avtal, description: Ersättningen höjs., from: 2021-04-01}
"""
)

AGREEMENTS = """query($on: Date, $knownAt: DateTime) {
  agreements(validOn: $on, knownAt: $knownAt) { nodes {
    title validFrom validFromUnknown validFromNotAfter inForceFrom effectiveUntil
  } }
}"""


def test_an_agreement_whose_start_is_unknown_is_valid_from_the_day_it_is_known_valid(client):
    import_twice(client, AGREEMENT)

    assert ask(client, AGREEMENTS, on="2019-12-31")["agreements"]["nodes"] == []
    (avtal,) = ask(client, AGREEMENTS, on="2020-01-01")["agreements"]["nodes"]
    assert avtal == {
        "title": "Tandvårdsavtal",
        "validFrom": None,
        "validFromUnknown": True,
        "validFromNotAfter": "2020-01-01",
        "inForceFrom": "2020-01-01",
        "effectiveUntil": "2022-12-31",
    }


def test_an_agreement_with_a_known_start_says_its_start_is_known(client):
    import_twice(client, AGREEMENT.replace("valid_from_not_after:", "valid_from:"))

    (avtal,) = ask(client, AGREEMENTS, on="2020-01-01")["agreements"]["nodes"]
    assert avtal["validFrom"] == "2020-01-01"
    assert avtal["validFromUnknown"] is False and avtal["validFromNotAfter"] is None


def test_a_start_learnt_later_is_a_correction_and_the_old_answer_stays_known(client):
    assert imported(client, AGREEMENT) == "imported"
    before = datetime.now(UTC).isoformat()
    corrected = AGREEMENT.replace("valid_from_not_after: 2020-01-01", "valid_from: 2019-07-01")
    status = imported(client, corrected, correct=True, reason="Avtalet hittat: gäller från 1 juli")
    assert status == "corrected"

    (now,) = ask(client, AGREEMENTS, on="2019-07-01")["agreements"]["nodes"]
    assert now["validFrom"] == "2019-07-01" and now["validFromUnknown"] is False
    assert now["validFromNotAfter"] is None and now["inForceFrom"] == "2019-07-01"
    (then,) = ask(client, AGREEMENTS, on="2020-01-01", knownAt=before)["agreements"]["nodes"]
    assert then["validFromUnknown"] is True and then["validFromNotAfter"] == "2020-01-01"


def test_valid_from_and_valid_from_not_after_together_are_refused_at_their_path(client):
    text = AGREEMENT.replace(
        "      valid_from_not_after: 2020-01-01\n",
        "      valid_from: 2019-01-01\n      valid_from_not_after: 2020-01-01\n",
    )
    assert refused(client, text) == [
        ("background.agreements[0].valid_from_not_after", "INVALID_INPUT")
    ]


def test_an_agreement_ending_before_the_day_it_is_known_valid_is_refused(client):
    text = AGREEMENT.replace("valid_until: 2022-12-31", "valid_until: 2019-12-31")
    assert refused(client, text) == [("background.agreements[0].valid_until", "END_BEFORE_START")]


def test_a_store_made_before_the_field_existed_gains_its_column(settings):
    registry = Registry(settings)
    runner = ProjectionRunner(registry)
    with runner.views.datastore.transaction(commit=True) as cursor:
        db = Db(cursor, runner.views.dialect, getattr(runner.views.datastore, "schema", "public"))
        db.execute("ALTER TABLE {s}agreement_versions DROP COLUMN valid_from_not_after")
    runner.close()

    runner = ProjectionRunner(registry)  # attaching the read models adds the column again
    try:
        import_text(registry, AGREEMENT, "test.yaml")
        runner.catch_up()
        with runner.views.reading() as db:
            (row,) = runner.agreements.valid_on(db, date(2020, 1, 1), datetime.now(UTC))
        assert row.valid_from_not_after == date(2020, 1, 1)
    finally:
        runner.close()
        registry.close()
