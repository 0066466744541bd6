"""The documented format: the JSON Schema is valid, the documentation's examples follow it
and import, and the note the format attaches to a fact survives the event store."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from uuid import uuid4

import jsonschema
import pytest

from registry.importing import import_file, import_text, schema
from registry.importing.loading import parse, validate
from registry.values import Context, Source

ROOT = Path(__file__).parent.parent
DOC = ROOT / "docs" / "minutes-format.md"
EXAMPLES = re.findall(r"```yaml\n(.*?)```", DOC.read_text(), re.S)


def test_the_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(schema())
    assert schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_every_object_in_the_schema_is_closed():
    def objects(node):
        if isinstance(node, dict):
            if node.get("type") == "object":
                yield node
            for value in node.values():
                yield from objects(value)
        elif isinstance(node, list):
            for value in node:
                yield from objects(value)

    assert all(o.get("additionalProperties") is False for o in objects(schema()))


def test_the_complete_example_in_the_documentation_is_the_test_fixture():
    fixture = (ROOT / "tests" / "import_cases" / "minutes.yaml").read_text()
    assert fixture.split("\n", 1)[1] == EXAMPLES[0]


@pytest.mark.parametrize("example", EXAMPLES, ids=["minutes", "statement"])
def test_the_documentation_examples_follow_the_schema_and_import(registry, example):
    data, problems = parse(example, "yaml")
    assert problems == [] and validate(data) == []
    assert import_text(registry, example, "example.yaml").status == "imported"


def test_yaml_keeps_dates_and_yes_no_on_as_text():
    data, _ = parse("date: 2020-02-07\nname: No\non: yes\nflag: true\n", "yaml")
    assert data == {"date": "2020-02-07", "name": "No", "on": "yes", "flag": True}


def test_a_context_with_a_note_round_trips_through_the_store(registry):
    context = Context("secretary", Source("Protokoll", "9", "https://example.org"), uuid4(), "?")
    encoded = registry.mapper.transcoder.encode(context)
    assert registry.mapper.transcoder.decode(encoded) == context


def test_a_context_stored_before_notes_existed_loads_without_one(registry):
    context = Context("secretary", Source("Protokoll", "9"))
    stored = json.loads(registry.mapper.transcoder.encode(context))
    assert stored["_data_"].pop("note") is None
    old = json.dumps(stored).encode()
    assert registry.mapper.transcoder.decode(old) == context


def test_an_event_recorded_before_notes_existed_still_loads(registry, ctx):
    organisation = registry.register_organisation("Region Örebro län", "region", ctx)
    (stored,) = registry.recorder.select_events(organisation)
    state = json.loads(stored.state)
    assert state["context"]["_data_"].pop("note") is None  # as the earlier code wrote it
    old = dataclasses.replace(stored, state=json.dumps(state).encode())
    event = registry.mapper.to_domain_event(old)
    assert event.context.note is None and event.context.actor == ctx.actor


EXAMPLE_FILES = sorted((ROOT / "registry" / "examples").glob("*.y*ml")) + sorted(
    (ROOT / "registry" / "examples").glob("*.json")
)


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=[p.name for p in EXAMPLE_FILES])
def test_each_example_file_imports_and_a_second_import_changes_nothing(registry, path):
    assert import_file(registry, path).status == "imported"
    position = registry.max_position()
    assert import_file(registry, path).status == "unchanged"
    assert registry.max_position() == position


def test_the_example_files_import_together(registry):
    for path in EXAMPLE_FILES:
        import_file(registry, path)
    assert {import_file(registry, p).status for p in EXAMPLE_FILES} <= {"unchanged"}
