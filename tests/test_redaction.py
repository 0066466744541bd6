"""Redaction that keeps the proof (gallring), on both stores: contact values are kept apart
from the event log as salted commitments; a disposal decision destroys them while every
stored event stays byte for byte as it was; GraphQL then answers "redacted" (also as known
before the redaction), and the value is nowhere in the store."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg.types.string import TextLoader

from api.app import create_app
from registry.application import Registry
from registry.config import StoreSettings
from registry.errors import InvalidInput, InvalidTransition
from registry.values import Context, Source
from tests.read_scenario import data, settle

EMAIL = "anna.berg.gallring@example.se"
PHONE = "+46 70 555 01 02"
REGISTRY = str(Path(sys.executable).with_name("registry"))
CTX = Context("secretary Eva", Source("Protokoll 2026-03-01", "§ 4"))

PERSON = """
query($id: ID!, $knownAt: DateTime) { person(id: $id, knownAt: $knownAt) {
  name
  contactDetails { ref kind value salt commitment redacted redactedAt redactedOn decision }
  redactions { decision reason actor kinds refs }
} }"""

AUDIT = """
query($id: ID!) { auditTrail(id: $id) { nodes { type actor data source { document } } } }"""


# -- reading the raw store ------------------------------------------------------------------


def _connect_pg(settings: StoreSettings) -> tuple[Any, str]:
    env = settings.eventsourcing_env()
    url = settings.url.split("?")[0]
    conn = psycopg.connect(url, autocommit=True)
    # Dates and times as PostgreSQL prints them: read models store open bounds as 'infinity',
    # which no Python datetime holds.
    for type_name in ("date", "timestamp", "timestamptz"):
        conn.adapters.register_loader(type_name, TextLoader)
    return conn, env["POSTGRES_SCHEMA"]


def stored_events(settings: StoreSettings) -> list[tuple[Any, ...]]:
    """Every stored event row as the database holds it, in store order."""
    if settings.is_postgres:
        conn, schema = _connect_pg(settings)
        with conn:
            rows = conn.execute(
                f"SELECT notification_id, originator_id::text, originator_version, topic, state "
                f'FROM "{schema}".registry_events ORDER BY notification_id'
            ).fetchall()
        return [(r[0], r[1], r[2], r[3], bytes(r[4])) for r in rows]
    with sqlite3.connect(settings.url) as conn:
        return conn.execute(
            "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events "
            "ORDER BY rowid"
        ).fetchall()


def places_holding(settings: StoreSettings, needle: str) -> list[str]:
    """Every table.column of the store (events, snapshots, read models, personal_data, search
    indexes) in which some row's value contains `needle`, as text or as bytes."""
    wanted = needle.encode("utf-8")
    found: set[str] = set()

    def check(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        for row in rows:
            for column, value in zip(columns, row, strict=True):
                if isinstance(value, memoryview | bytes | bytearray):
                    hit = wanted in bytes(value)
                else:
                    hit = value is not None and needle in str(value)
                if hit:
                    found.add(f"{table}.{column}")

    if settings.is_postgres:
        conn, schema = _connect_pg(settings)
        with conn:
            tables = [
                r[0]
                for r in conn.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                    (schema,),
                ).fetchall()
            ]
            assert "registry_events" in tables and "personal_data" in tables, tables
            for table in tables:
                cursor = conn.execute(f'SELECT * FROM "{schema}"."{table}"')
                check(table, [d.name for d in cursor.description], cursor.fetchall())
        return sorted(found)
    with sqlite3.connect(settings.url) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        assert "stored_events" in tables and "personal_data" in tables, tables
        for table in tables:
            cursor = conn.execute(f'SELECT * FROM "{table}"')
            check(table, [d[0] for d in cursor.description], cursor.fetchall())
    return sorted(found)


def sqlite_files_holding(settings: StoreSettings, needle: str) -> list[str]:
    """The SQLite file and its journal files whose raw bytes contain `needle` (free pages and
    old WAL frames included)."""
    base = Path(settings.url)
    files = [p for p in [base, *base.parent.glob(base.name + "-*")] if p.is_file()]
    return [p.name for p in files if needle.encode("utf-8") in p.read_bytes()]


# -- fixtures -------------------------------------------------------------------------------


@pytest.fixture
def client(settings: StoreSettings) -> Iterator[TestClient]:
    # From loopback, with no identity configured: the local administrator, who reads
    # contact details (docs/security.md).
    with TestClient(create_app(settings), client=("127.0.0.1", 50000)) as client:
        yield client


def registry_of(client: TestClient) -> Registry:
    return client.app.state.registry  # type: ignore[attr-defined]


def redact_cli(settings: StoreSettings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [REGISTRY, "redact", *args, "--database", settings.url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def chain_cli(settings: StoreSettings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [REGISTRY, *args, "--database", settings.url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def details_by_kind(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["kind"].lower(): d for d in answer["person"]["contactDetails"]}


# -- the commitment -------------------------------------------------------------------------


def test_the_event_holds_a_commitment_that_the_kept_value_and_salt_open(registry: Registry):
    person_id = registry.register_person("Anna Berg", CTX, contact={"email": EMAIL})
    rows = stored_events(registry.settings)
    added = [json.loads(r[4]) for r in rows if r[3].endswith("Person.ContactDetailsAdded")]
    assert len(added) == 1
    (detail,) = added[0]["details"]
    committed = detail["_data_"]
    ref = committed["ref"]["_data_"]
    assert committed["kind"] == "email"
    assert all(EMAIL.encode() not in r[4] for r in rows)

    kept = registry.personal_data(
        [c.ref for c in registry.get(person_id, _person()).contact_details]
    )
    (row,) = kept.values()
    assert row.ref.hex == ref and row.value == EMAIL and row.person_id == person_id
    # What an auditor does by hand (docs/redaction.md): SHA-256 over salt bytes then value.
    opened = hashlib.sha256(bytes.fromhex(row.salt) + EMAIL.encode("utf-8")).hexdigest()
    assert opened == committed["commitment"]
    wrong = hashlib.sha256(bytes.fromhex(row.salt) + b"anna.berg@example.se").hexdigest()
    assert wrong != committed["commitment"]


def _person() -> type:
    from registry.domain.person import Person

    return Person


# -- redaction end to end -------------------------------------------------------------------


def test_redacting_the_email_destroys_it_everywhere_and_keeps_every_stored_event(
    settings: StoreSettings, client: TestClient, tmp_path: Path
):
    registry = registry_of(client)
    person_id = registry.register_person(
        "Anna Berg", CTX, title="enhetschef", contact={"email": EMAIL, "phone": PHONE}
    )
    settle(client)
    before = details_by_kind(data(client, PERSON, id=str(person_id)))
    assert before["email"]["value"] == EMAIL and not before["email"]["redacted"]
    assert before["phone"]["value"] == PHONE
    assert (
        hashlib.sha256(bytes.fromhex(before["email"]["salt"]) + EMAIL.encode()).hexdigest()
        == before["email"]["commitment"]
    )
    # Without a redaction the plaintext is in personal_data, and only there.
    assert places_holding(settings, EMAIL) == ["personal_data.value"]
    events_before = stored_events(settings)
    known_before = datetime.now(UTC)
    key = str(tmp_path / "registry.key")
    digest = tmp_path / "digest.json"
    signed = chain_cli(settings, "digest", "--signing-key", key, "--output", str(digest))
    assert signed.returncode == 0, signed.stdout + signed.stderr

    done = redact_cli(
        settings,
        str(person_id),
        "--fields",
        "email",
        "--reason",
        "Gallring enligt dokumenthanteringsplanen: kontaktuppgifter efter avslutat uppdrag",
        "--decision",
        "Gallringsbeslut RS 2026/117",
        "--actor",
        "arkivarie Olle",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"redacted 1 contact detail(s) of {person_id}" in done.stdout
    settle(client)

    # Every stored event before the redaction is byte for byte what it was: a hash chain over
    # them still verifies. The redaction only appended.
    events_after = stored_events(settings)
    assert events_after[: len(events_before)] == events_before
    appended = events_after[len(events_before) :]
    assert [r[3].rsplit(".", 1)[1] for r in appended] == ["Redacted"]
    # And the chain verifies, against the digest published before the redaction too.
    verified = chain_cli(settings, "verify", "--signing-key", key, "--digest", str(digest))
    assert verified.returncode == 0, verified.stdout + verified.stderr

    # The value is nowhere: no table, no column, not the events, snapshots or read models.
    assert places_holding(settings, EMAIL) == []
    assert places_holding(settings, PHONE) == ["personal_data.value"]
    if not settings.is_postgres:
        assert sqlite_files_holding(settings, EMAIL) == []

    after = data(client, PERSON, id=str(person_id))
    email = details_by_kind(after)["email"]
    assert email["redacted"] is True
    assert email["value"] is None and email["salt"] is None
    assert email["commitment"] == before["email"]["commitment"]
    assert email["decision"] == "Gallringsbeslut RS 2026/117"
    assert email["redactedOn"] == datetime.now(UTC).date().isoformat()
    assert details_by_kind(after)["phone"]["value"] == PHONE
    assert after["person"]["name"] == "Anna Berg"  # names in the public record stay
    assert after["person"]["redactions"] == [
        {
            "decision": "Gallringsbeslut RS 2026/117",
            "reason": "Gallring enligt dokumenthanteringsplanen: kontaktuppgifter efter "
            "avslutat uppdrag",
            "actor": "arkivarie Olle",
            "kinds": ["EMAIL"],
            "refs": [email["ref"]],
        }
    ]

    # As known before the redaction: the value is gone all the same.
    earlier = data(client, PERSON, id=str(person_id), knownAt=known_before.isoformat())
    assert earlier["person"]["redactions"] == []  # the registry did not know of it yet
    old_email = details_by_kind(earlier)["email"]
    assert old_email["value"] is None and old_email["salt"] is None
    assert old_email["redacted"] is True

    trail = data(client, AUDIT, id=str(person_id))["auditTrail"]["nodes"]
    redacted = [e for e in trail if e["type"] == "Redacted"]
    assert len(redacted) == 1
    assert redacted[0]["actor"] == "arkivarie Olle"
    assert redacted[0]["data"]["decision"] == "Gallringsbeslut RS 2026/117"
    assert redacted[0]["data"]["kinds"] == ["email"]
    assert redacted[0]["source"]["document"] == "Gallringsbeslut RS 2026/117"
    # The contact detail's own audit trail (by its ref) shows it added, then redacted.
    by_ref = data(client, AUDIT, id=email["ref"])["auditTrail"]["nodes"]
    assert [e["type"] for e in by_ref] == ["ContactDetailsAdded", "Redacted"]
    assert EMAIL not in json.dumps(trail)


# -- refusals -------------------------------------------------------------------------------


def test_a_redaction_that_names_nothing_to_redact_is_refused_and_writes_nothing(
    registry: Registry,
):
    person_id = registry.register_person("Anna Berg", CTX, contact={"phone": PHONE})
    position = registry.max_position()
    with pytest.raises(InvalidInput, match="has no email left to redact") as refused:
        registry.redact_contact_details(person_id, "GB 1", "gallring", CTX, kinds=["email"])
    assert refused.value.field == "fields"
    with pytest.raises(InvalidInput, match="'fax' is not a kind of contact detail"):
        registry.redact_contact_details(person_id, "GB 1", "gallring", CTX, kinds=["fax"])
    with pytest.raises(InvalidInput, match="decision must not be empty"):
        registry.redact_contact_details(person_id, "  ", "gallring", CTX, kinds=["phone"])
    assert registry.max_position() == position
    registry.redact_contact_details(person_id, "GB 1", "gallring", CTX, kinds=["phone"])
    with pytest.raises(InvalidInput, match="has no phone left to redact"):
        registry.redact_contact_details(person_id, "GB 2", "gallring", CTX, kinds=["phone"])
    ref = registry.get(person_id, _person()).contact_details[0].ref
    with pytest.raises(InvalidTransition, match="already been redacted"):
        registry.redact_contact_details(person_id, "GB 2", "gallring", CTX, refs=[ref])


def test_the_command_refuses_a_bad_field_naming_it_and_writes_nothing(settings, registry):
    person_id = registry.register_person("Anna Berg", CTX, contact={"email": EMAIL})
    position = registry.max_position()
    done = redact_cli(
        settings, str(person_id), "--fields", "mail", "--reason", "r", "--decision", "GB 3"
    )
    assert done.returncode == 1
    assert "fields[0]: 'mail' is not a kind of contact detail" in done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert registry.max_position() == position
    assert places_holding(settings, EMAIL) == ["personal_data.value"]


def test_a_contact_value_of_the_wrong_shape_is_refused_naming_the_field(registry: Registry):
    with pytest.raises(InvalidInput, match=r"'anna\.example\.se' is not an e-mail") as e:
        registry.register_person("Anna Berg", CTX, contact={"email": "anna.example.se"})
    assert e.value.field == "email"
    assert registry.max_position() == 0


# -- contact details from a minutes file ----------------------------------------------------

MINUTES = """
version: 1
kind: minutes
source: {document: Protokoll Testnämnden 2026-02-01}
date: 2026-02-01
body: {ref: board, name: Testnämnden, kind: nämnd, owners: [kommun]}
organisations:
  - {ref: kommun, name: Testkommun, kind: kommun}
persons:
  - ref: anna
    name: Anna Berg
    organisation: kommun
    email: %(email)s
    phone: "%(phone)s"
  - {ref: bo, name: Bo Ek, organisation: kommun}
meeting:
  present: [anna, bo]
  chair: anna
items:
  - number: 1
    title: Mötets öppnande
"""


def minutes(email: str = EMAIL, phone: str = PHONE) -> str:
    return MINUTES % {"email": email, "phone": phone}


def test_a_minutes_file_gives_contact_details_that_the_log_never_holds(
    settings: StoreSettings, client: TestClient
):
    from registry.importing import import_text

    registry = registry_of(client)
    first = import_text(registry, minutes(), "anna.yaml")
    assert first.status == "imported"
    settle(client)
    anna = data(client, '{ persons(name: "Anna Berg") { nodes { id } } }')["persons"]["nodes"]
    person_id = anna[0]["id"]
    answer = details_by_kind(data(client, PERSON, id=person_id))
    assert answer["email"]["value"] == EMAIL and answer["phone"]["value"] == PHONE
    # The imported document the registry keeps names the kept-apart refs, not the values.
    assert places_holding(settings, EMAIL) == ["personal_data.value"]
    assert all(EMAIL.encode() not in r[4] for r in stored_events(settings))
    assert any(
        f"personal-data:{answer['email']['ref']}".encode() in r[4] for r in stored_events(settings)
    )

    position = registry.max_position()
    assert import_text(registry, minutes(), "anna.yaml").status == "unchanged"
    assert registry.max_position() == position

    registry.redact_contact_details(
        UUID(person_id), "Gallringsbeslut 2026:4", "Uppdraget avslutat", CTX, kinds=["email"]
    )
    # The same file again does not bring the destroyed value back.
    assert import_text(registry, minutes(), "anna.yaml").status == "unchanged"
    assert places_holding(settings, EMAIL) == []
    settle(client)
    assert details_by_kind(data(client, PERSON, id=person_id))["email"]["redacted"] is True


def test_a_changed_contact_value_is_refused_without_correct_and_added_with_it(
    settings: StoreSettings, registry: Registry
):
    from registry.importing import ImportRefused, import_text

    import_text(registry, minutes(), "anna.yaml")
    new_phone = "+46 19 60 200 00"
    with pytest.raises(ImportRefused) as refused:
        import_text(registry, minutes(phone=new_phone), "anna.yaml")
    assert refused.value.problems[0].code == "CHANGED"
    # The difference shown names refs, never the values.
    assert PHONE not in (refused.value.diff or "") and new_phone not in (refused.value.diff or "")
    assert "+  phone: personal-data:" in (refused.value.diff or "")
    result = import_text(
        registry, minutes(phone=new_phone), "anna.yaml", correct=True, reason="Fel nummer"
    )
    assert result.status == "corrected"
    assert result.changes == ["persons[0].phone: corrected"]
    assert sorted(places_holding(settings, new_phone)) == ["personal_data.value"]
    # The number recorded before stays until a disposal decision destroys it.
    assert places_holding(settings, PHONE) == ["personal_data.value"]


def test_a_file_with_a_malformed_email_is_refused_naming_the_place_and_writes_nothing(
    registry: Registry,
):
    from registry.importing import ImportRefused, import_text

    with pytest.raises(ImportRefused) as refused:
        import_text(registry, minutes(email="anna.berg.example.se"), "anna.yaml")
    (problem,) = refused.value.problems
    assert problem.path == "persons[0].email"
    assert "is not an e-mail address" in problem.message
    assert registry.max_position() == 0
    with pytest.raises(ImportRefused) as stored_form:
        import_text(
            registry, minutes(email="personal-data:0b9e0c1e-8a5c-4a55-9f39-2c1a1f0e6a01"), "a.yaml"
        )
    assert stored_form.value.problems[0].path == "persons[0].email"


def test_a_conflicting_write_leaves_no_kept_apart_value_behind(
    settings: StoreSettings, registry: Registry
):
    import threading

    from registry.errors import ConcurrentChange

    person_id = registry.register_person("Anna Berg", CTX)
    other_phone = "+46 8 123 456"
    other = Registry(settings)  # another process's registry, same store
    try:
        with pytest.raises(ConcurrentChange), registry.unit_of_work():
            registry.add_contact_details(person_id, {"phone": PHONE}, CTX)
            # Meanwhile the other writer changes the same person and commits first (in a
            # thread: a unit of work belongs to its own thread's context).
            writer = threading.Thread(
                target=other.add_contact_details, args=(person_id, {"phone": other_phone}, CTX)
            )
            writer.start()
            writer.join()
    finally:
        other.close()
    # The refused write's value went with its events: neither was written.
    assert places_holding(settings, PHONE) == []
    assert places_holding(settings, other_phone) == ["personal_data.value"]


# -- as a user does it: a running server, the import and redact commands --------------------


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graphql(port: int, query: str, **variables: Any) -> dict[str, Any]:
    import httpx

    response = httpx.post(
        f"http://127.0.0.1:{port}/graphql",
        json={"query": query, "variables": variables},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body
    return body["data"]


def _until(check: Any, timeout: float = 30.0) -> Any:
    """Ask again until the answer satisfies `check` (the server projects in the background)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        answer = check()
        if answer or time.monotonic() > deadline:
            return answer
        time.sleep(0.1)


def test_over_a_running_server_a_redaction_by_the_command_answers_redacted(
    settings: StoreSettings, tmp_path: Path
):
    import httpx

    file = tmp_path / "anna.yaml"
    file.write_text(minutes(), encoding="utf-8")
    imported = subprocess.run(
        [REGISTRY, "import", str(file), "--database", settings.url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert imported.returncode == 0, imported.stdout + imported.stderr
    port = _free_port()
    server = subprocess.Popen(
        [REGISTRY, "serve", "--port", str(port), "--database", settings.url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:

        def healthy() -> bool:
            try:
                return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        assert _until(healthy, 60), "the server did not start"
        find = '{ persons(name: "Anna Berg") { nodes { id } } }'
        nodes = _until(lambda: _graphql(port, find)["persons"]["nodes"])
        person_id = nodes[0]["id"]
        before = details_by_kind(_graphql(port, PERSON, id=person_id))
        assert before["email"]["value"] == EMAIL and before["phone"]["value"] == PHONE

        done = redact_cli(
            settings, person_id, "--fields", "email", "--reason", "Gallras", "--decision", "GB 9"
        )
        assert done.returncode == 0, done.stdout + done.stderr

        def redacted() -> dict[str, Any] | None:
            answer = details_by_kind(_graphql(port, PERSON, id=person_id))
            return answer if answer["email"]["redacted"] else None

        after = _until(redacted)
        assert after is not None, "the server never answered redacted"
        assert after["email"]["value"] is None and after["email"]["decision"] == "GB 9"
        assert after["phone"]["value"] == PHONE
        assert places_holding(settings, EMAIL) == []
    finally:
        server.terminate()
        server.wait(timeout=30)
