"""Attendance as printed, on both stores, from a minutes file through GraphQL: an attendee's
`name` is the name the list gives, `person { name }` the registered record it links to."""

from __future__ import annotations

from uuid import UUID

import pytest

from registry.domain.meeting import Meeting
from registry.importing import ImportRefused, import_text
from tests.minutes_client import ask, client

__all__ = ["client"]  # the fixture, used by name

MINUTES = """\
version: 1
kind: minutes
source: {document: Samverkansmöte 2020-03-06}
date: 2020-03-06
body: {ref: board, name: Avtalsutskottet, kind: utskott, owners: [kommun]}
organisations:
  - {ref: kommun, name: Testkommun, kind: kommun}
persons:
  - {ref: haaf, name: Anette Haaf, variants: [Annett Haaf], organisation: kommun}
  - {ref: bo, name: Bo Berg, organisation: kommun}
  - {ref: cia, name: Cecilia Carlsson, organisation: kommun}
meeting:
  present:
    - {person: Annett Haaf, note: Listed as Annett Haaf; introduced as Anette Haaf.}
    - bo
    - {person: cia, as_printed: Cissi Carlsson}
  absent: []
  chair: bo
items:
  - {number: 1, title: Mötets öppnande}
"""

QUERY = """query($knownAt: DateTime) {
  meetings(knownAt: $knownAt) { nodes {
    id present { name note person { id name } }
    chair { name person { name } }
  } }
}"""


def test_an_attendee_keeps_the_printed_name_beside_the_person_it_names(client):
    registry = client.app.state.registry
    assert import_text(registry, MINUTES, "test.yaml").status == "imported"
    client.app.state.runner.wait_for(registry.max_position())

    (meeting,) = ask(client, QUERY)["meetings"]["nodes"]
    ids = {a["person"]["name"]: a["person"]["id"] for a in meeting["present"]}
    assert len(set(ids.values())) == 3
    assert meeting["present"] == [
        {
            "name": "Annett Haaf",
            "note": "Listed as Annett Haaf; introduced as Anette Haaf.",
            "person": {"id": ids["Anette Haaf"], "name": "Anette Haaf"},
        },
        {"name": "Bo Berg", "note": None, "person": {"id": ids["Bo Berg"], "name": "Bo Berg"}},
        {
            "name": "Cissi Carlsson",
            "note": None,
            "person": {"id": ids["Cecilia Carlsson"], "name": "Cecilia Carlsson"},
        },
    ]
    assert meeting["chair"] == {"name": "Bo Berg", "person": {"name": "Bo Berg"}}

    # The domain event carries the printed form beside the link.
    recorded = registry.get(UUID(meeting["id"]), Meeting)
    assert [(a.name, str(a.person_id)) for a in recorded.present] == [
        ("Annett Haaf", ids["Anette Haaf"]),
        ("Bo Berg", ids["Bo Berg"]),
        ("Cissi Carlsson", ids["Cecilia Carlsson"]),
    ]
    assert import_text(registry, MINUTES, "test.yaml").status == "unchanged"


def test_a_changed_printed_name_is_not_silently_accepted_as_a_correction(client):
    registry = client.app.state.registry
    import_text(registry, MINUTES, "test.yaml")
    position = registry.max_position()
    changed = MINUTES.replace("as_printed: Cissi Carlsson", "as_printed: Cissi Karlsson")
    with pytest.raises(ImportRefused) as refusal:
        import_text(registry, changed, "test.yaml", correct=True, reason="Stavning")
    assert registry.max_position() == position
    assert [p.path for p in refusal.value.problems] == ["meeting.present"]
