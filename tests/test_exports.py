"""The Popolo and OParl 1.1 exports, over the four example documents on both stores: every
object validates against the published schemas (vendored in tests/data/standards/), the facts
match the README's known answers, and `asOf` changes the answer. Exercised as a user would:
`registry export` as a process, and `registry serve` as a process over HTTP."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft3Validator, Draft4Validator
from referencing import Registry as SchemaRegistry
from referencing import Resource
from referencing.jsonschema import DRAFT3

from api.cli import EXAMPLES
from api.exports import export_oparl, export_popolo
from api.exports.oparl import meeting_times
from projections.runner import ProjectionRunner
from registry.application import Registry
from registry.config import StoreSettings
from registry.importing import import_file

ROOT = Path(__file__).resolve().parents[1]
# The installed command, as a user runs it (`python -m api.cli` would not see the commands
# that other modules register on the app).
REGISTRY = str(Path(sys.executable).parent / "registry")
STANDARDS = ROOT / "tests" / "data" / "standards"
STYRGRUPP = "Styrgrupp – samverkan för en god och nära vård"
PATRIK = "Patrik Jonsson"
AFTER_NINE = {"Annika Roman", "Gabriella Mueller Prabin", "Lena Adolfsson"}


# -- validation against the vendored schemas -------------------------------------------------


def popolo_validators() -> dict[str, Draft3Validator]:
    """One validator per Popolo schema; the absolute $refs resolve to the local files."""
    schemas = {p.stem: json.loads(p.read_text()) for p in (STANDARDS / "popolo").glob("*.json")}
    registry = SchemaRegistry().with_resources(
        (s["id"], Resource.from_contents(s, default_specification=DRAFT3)) for s in schemas.values()
    )
    registry = registry.with_resources(
        (s["id"].rstrip("#"), Resource.from_contents(s, default_specification=DRAFT3))
        for s in schemas.values()
    )
    return {name: Draft3Validator(s, registry=registry) for name, s in schemas.items()}


POPOLO_LISTS = {
    "persons": "person",
    "organizations": "organization",
    "memberships": "membership",
    "posts": "post",
    "events": "event",
    "motions": "motion",
    "speeches": "speech",
    "vote_events": "vote_event",
}


def _is_day(value: Any) -> bool:
    try:
        date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return len(value) == 10


def assert_valid_popolo(document: dict) -> None:
    validators = popolo_validators()
    for section, schema in POPOLO_LISTS.items():
        for obj in document[section]:
            errors = [e.message for e in validators[schema].iter_errors(obj)]
            assert not errors, (section, obj, errors)
            # The schemas' date pattern accepts month 13: check the dates are real days.
            for key, value in obj.items():
                if key.endswith("date"):
                    assert _is_day(value), (section, key, value)
            for name in obj.get("other_names", []):
                for key in ("start_date", "end_date"):
                    assert key not in name or _is_day(name[key]), name


def oparl_schemas() -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in (STANDARDS / "oparl").glob("*.json")}


def _check_oparl_formats(kind: str, obj: dict, schema: dict) -> None:
    """The `format`s a generic validator does not assert: dates, date-times, URLs."""
    for key, value in obj.items():
        spec = schema["properties"].get(key)
        assert spec is not None, f"{kind}.{key} is not an OParl property"
        values = value if spec.get("type") == "array" else [value]
        fmt = spec.get("format") or (spec.get("items") or {}).get("format")
        for v in values:
            if fmt == "date":
                assert _is_day(v), (kind, key, v)
            elif fmt == "date-time":
                assert datetime.fromisoformat(v).tzinfo is not None, (kind, key, v)
            elif fmt == "url":
                assert v.startswith("http://") or v.startswith("https://"), (kind, key, v)


def assert_valid_oparl(document: dict) -> None:
    schemas = oparl_schemas()
    validators = {name: Draft4Validator(s) for name, s in schemas.items()}

    def check(kind: str, obj: dict) -> None:
        errors = [e.message for e in validators[kind].iter_errors(obj)]
        assert not errors, (kind, obj, errors)
        assert obj["type"] == f"https://schema.oparl.org/1.1/{kind}"
        _check_oparl_formats(kind, obj, schemas[kind])

    check("System", document["system"])
    (body,) = document["body"]
    check("Body", body)
    assert document["system"]["body"].startswith(body["id"].rsplit("/", 1)[0] + "?asOf=")
    lists = {
        "organization": "Organization",
        "person": "Person",
        "membership": "Membership",
        "meeting": "Meeting",
        "paper": "Paper",
    }
    for name, kind in lists.items():
        assert f"/{name}?asOf=" in body[name], "each Body list has its URL (on the day)"
        ids = [obj["id"] for obj in document[name]]
        assert len(ids) == len(set(ids)), f"ids in {name} are unique"
        for obj in document[name]:
            check(kind, obj)
            # Embedded objects (OParl 1.1 embeds these) are checked against their own schemas.
            for membership in obj.get("membership", []) if kind == "Person" else []:
                check("Membership", membership)
            for item in obj.get("agendaItem", []) if kind == "Meeting" else []:
                check("AgendaItem", item)
                assert item["meeting"] == obj["id"]
            if kind == "Meeting" and "location" in obj:
                check("Location", obj["location"])


# -- reading the facts back ------------------------------------------------------------------


def popolo_members(document: dict, body_name: str) -> dict[str, dict]:
    """The memberships of the body of that name, by the member's name."""
    (body,) = [o for o in document["organizations"] if o["name"] == body_name]
    names = {p["id"]: p["name"] for p in document["persons"]}
    return {
        names[m["person_id"]]: m
        for m in document["memberships"]
        if m["organization_id"] == body["id"]
    }


def oparl_members(document: dict, body_name: str) -> dict[str, dict]:
    (body,) = [o for o in document["organization"] if o["name"] == body_name]
    names = {p["id"]: p["name"] for p in document["person"]}
    found = {
        names[m["person"]]: m for m in document["membership"] if m["organization"] == body["id"]
    }
    assert sorted(body.get("membership", [])) == sorted(m["id"] for m in found.values())
    return found


# -- fixtures --------------------------------------------------------------------------------


@pytest.fixture
def examples_store(settings: StoreSettings) -> StoreSettings:
    """The store with the four example files imported (not yet projected)."""
    registry = Registry(settings)
    try:
        for path in sorted(EXAMPLES.glob("*.yaml")):
            import_file(registry, path)
    finally:
        registry.close()
    return settings


@pytest.fixture
def projected(examples_store: StoreSettings) -> Iterator[tuple[ProjectionRunner, Registry]]:
    registry = Registry(examples_store)
    runner = ProjectionRunner(registry)
    runner.catch_up()
    yield runner, registry
    runner.close()
    registry.close()


def registry_cli(settings: StoreSettings, *args: str) -> subprocess.CompletedProcess:
    """`registry <args>` as its own process, on the given store."""
    return subprocess.run(
        [REGISTRY, *args, "--database", settings.url],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(examples_store: StoreSettings, tmp_path: Path) -> Iterator[str]:
    """`registry serve` on the example store, as its own process; yields its base URL once
    its read models include every event."""
    port = free_port()
    log_path = tmp_path / "serve.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [REGISTRY, "serve", "--port", str(port), "--database", examples_store.url],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        # A file, not a pipe: the server logs a line per request and a full pipe would
        # block it.
        stderr=log,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, "registry serve did not catch up in 60 s"
            try:
                # Ready: the read models include every event (the default lag allowed is 0);
                # 503 (an HTTPError, an OSError) until then.
                with urllib.request.urlopen(f"{base}/readyz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def get(url: str) -> tuple[int, str, dict]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.headers["content-type"], json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, error.headers["content-type"], json.load(error)


# -- the tests -------------------------------------------------------------------------------


def test_cli_exports_both_formats_valid_against_the_schemas(examples_store, tmp_path):
    for fmt in ("popolo", "oparl"):
        out = tmp_path / f"{fmt}.json"
        done = registry_cli(
            examples_store,
            "export",
            "--format",
            fmt,
            "--as-of",
            "2020-02-08",
            "--output",
            str(out),
        )
        assert done.returncode == 0, done.stderr
        document = json.loads(out.read_text())
        assert document["meta"]["as_of"] == "2020-02-08"
        if fmt == "popolo":
            assert_valid_popolo(document)
            assert set(popolo_members(document, STYRGRUPP)) == AFTER_NINE
        else:
            assert_valid_oparl(document)
            assert set(oparl_members(document, STYRGRUPP)) == AFTER_NINE
        for section, objects in document.items():
            if isinstance(objects, list) and section != "body":
                # The examples have no votes (none of the four documents records a votering).
                assert objects or section in ("speeches", "vote_events"), f"{fmt}: {section}"


def test_cli_export_to_stdout_is_the_same_document_as_the_function(examples_store, projected):
    done = registry_cli(examples_store, "export", "--format", "popolo", "--as-of", "2020-03-06")
    assert done.returncode == 0, done.stderr
    streamed = json.loads(done.stdout)
    runner, registry = projected
    whole = export_popolo(runner, registry, date(2020, 3, 6))
    streamed.pop("meta"), whole.pop("meta")
    assert streamed == whole


def test_cli_refuses_a_bad_as_of_naming_it_and_writes_nothing(examples_store, tmp_path):
    out = tmp_path / "x.json"
    done = registry_cli(examples_store, "export", "--format", "oparl", "--as-of", "2020-02-30")
    assert done.returncode == 2
    assert "--as-of" in done.stderr and "2020-02-30" in done.stderr
    done = registry_cli(examples_store, "export", "--format", "csv", "--output", str(out))
    assert done.returncode == 2 and "--format" in done.stderr
    assert not out.exists()


def test_popolo_membership_on_a_day_with_start_and_end(projected):
    runner, registry = projected
    before = export_popolo(runner, registry, date(2020, 2, 6))
    after = export_popolo(runner, registry, date(2020, 2, 8))
    assert_valid_popolo(before)
    members_before = popolo_members(before, STYRGRUPP)
    members_after = popolo_members(after, STYRGRUPP)
    # Patrik Jonsson held the seat until § 9 of 7 February replaced him (start unknown).
    assert set(members_before) == {PATRIK}
    assert members_before[PATRIK]["end_date"] == "2020-02-07"
    assert "start_date" not in members_before[PATRIK]
    assert set(members_after) == AFTER_NINE
    assert {m["start_date"] for m in members_after.values()} == {"2020-02-07"}
    assert all("end_date" not in m for m in members_after.values())
    # The styrgrupp was set up under the chefsgrupp: Popolo's parent_id.
    orgs = {o["name"]: o for o in after["organizations"]}
    chefsgrupp = orgs["Chefsgrupp för samverkan social välfärd och vård"]
    assert orgs[STYRGRUPP]["parent_id"] == chefsgrupp["id"]
    assert orgs[STYRGRUPP]["classification"] == "styrgrupp"


def test_popolo_decisions_are_motions_with_their_status_on_the_day(projected):
    runner, registry = projected
    early = export_popolo(runner, registry, date(2020, 2, 6))
    late = export_popolo(runner, registry, date(2022, 12, 31))
    assert_valid_popolo(late)
    # Decisions of 7 February are not in an export as of the day before.
    assert all(m["date"] <= "2020-02-06" for m in early["motions"])
    assert len(late["motions"]) > len(early["motions"])
    conditional = [m for m in late["motions"] if m.get("requirement")]
    assert conditional, "a decision pending a condition carries it as its requirement"
    assert {m["result"] for m in late["motions"]} >= {"in_force"}
    # Reservations and särskilda uttalanden of the 2022 statement are speeches.
    speakers = {s["attribution_text"] for s in late["speeches"]}
    # As printed: "m.fl. (V)" is kept with the first named person (a group's statement).
    assert {"Robert Mjörnberg m.fl. (V)", "Clara Lindblom", "Rashid Mohammed"} <= speakers
    motions = {m["id"] for m in late["motions"]}
    assert all(s["id"].rsplit("-statement-", 1)[0] in motions for s in late["speeches"])


def test_oparl_dump_on_a_day(projected):
    runner, registry = projected
    base = "https://registry.example.org"
    before = export_oparl(runner, registry, date(2020, 2, 6), base)
    assert_valid_oparl(before)
    patrik = oparl_members(before, STYRGRUPP)[PATRIK]
    assert patrik["endDate"] == "2020-02-07" and "startDate" not in patrik
    for section in ("organization", "person", "membership", "meeting", "paper"):
        assert all(o["id"].startswith(f"{base}/oparl/v1.1/") for o in before[section])
    after = export_oparl(runner, registry, date(2020, 3, 6), base)
    assert_valid_oparl(after)
    assert set(oparl_members(after, STYRGRUPP)) == AFTER_NINE
    # Each person carries the memberships of the day, the same objects as the list's.
    memberships = {m["id"]: m for m in after["membership"]}
    for person in after["person"]:
        for m in person.get("membership", []):
            assert memberships[m["id"]] == m
    # Meetings: the minutes' times become date-times in Swedish time; agenda items embedded.
    times = {m["start"] for m in after["meeting"] if "start" in m}
    assert {"2020-03-06T09:00:00+01:00", "2020-03-06T14:30:00+01:00"} <= times
    assert all(m["agendaItem"] for m in after["meeting"])
    assert len(after["meeting"]) > len(before["meeting"])


def test_oparl_papers_are_the_agreements_in_force_on_the_day(projected):
    runner, registry = projected
    vastkom = "Överenskommelse om samverkan vid in- och utskrivning från slutet hälso- och sjukvård"
    last_day = export_oparl(runner, registry, date(2020, 11, 30))
    day_after = export_oparl(runner, registry, date(2020, 12, 1))
    assert vastkom in {p["name"] for p in last_day["paper"]}
    assert vastkom not in {p["name"] for p in day_after["paper"]}
    assert {"Tandvårdsavtal"} <= {p["name"] for p in day_after["paper"]}


def test_meeting_times_in_swedish_time():
    assert meeting_times("2020-03-06", "9.00-10.15") == (
        "2020-03-06T09:00:00+01:00",
        "2020-03-06T10:15:00+01:00",
    )
    assert meeting_times("2022-06-01", "14:30–16:30")[0] == "2022-06-01T14:30:00+02:00"
    assert meeting_times("2020-03-29", "10.00")[0] == "2020-03-29T10:00:00+02:00"
    assert meeting_times("2020-03-28", "10.00")[0] == "2020-03-28T10:00:00+01:00"
    assert meeting_times("2020-02-07", None) == (None, None)
    assert meeting_times("2020-02-07", "förmiddag") == (None, None)


def test_http_exports_from_a_running_server(server):
    status, kind, before = get(f"{server}/export/popolo.json?asOf=2020-02-06")
    assert status == 200 and kind.startswith("application/json")
    assert_valid_popolo(before)
    assert popolo_members(before, STYRGRUPP)[PATRIK]["end_date"] == "2020-02-07"
    status, _, after = get(f"{server}/export/popolo.json?asOf=2020-02-08")
    assert status == 200
    assert set(popolo_members(after, STYRGRUPP)) == AFTER_NINE

    status, _, oparl = get(f"{server}/export/oparl.json?asOf=2020-02-08")
    assert status == 200
    assert_valid_oparl(oparl)
    assert oparl["system"]["id"] == f"{server}/oparl/v1.1/system"
    assert set(oparl_members(oparl, STYRGRUPP)) == AFTER_NINE

    # OParl's own endpoints, walked as a client walks them: System -> bodies -> Body -> each
    # list, page by page along the `next` links; the pages hold exactly the dump's objects.
    status, _, system = get(f"{server}/oparl/v1.1/system?asOf=2020-02-08")
    assert status == 200 and system == oparl["system"]
    status, _, bodies = get(system["body"])
    assert status == 200 and bodies["data"] == oparl["body"]
    status, _, body = get(bodies["data"][0]["id"] + "?asOf=2020-02-08")
    assert status == 200 and body == oparl["body"][0]
    for name in ("organization", "person", "membership", "meeting", "paper"):
        url, walked, pages = body[name] + "&limit=7", [], 0
        while url:
            status, _, page = get(url)
            assert status == 200, page
            if name != "membership":  # that one is paged by person (docs/exports.md)
                assert len(page["data"]) <= 2 * 7  # a page may end one list and start the next
            walked += page["data"]
            pages += 1
            url = page["links"].get("next")
        assert walked == oparl[name], name
        assert pages >= len(oparl[name]) // 14, f"{name} is paged"
    status, _, refused = get(f"{server}/oparl/v1.1/body/registry/person?page=bm90IGEgcGFnZQ")
    assert status == 400 and refused["errors"][0]["field"] == "page"
    status, _, refused = get(f"{server}/oparl/v1.1/body/registry/person?limit=501")
    assert status == 400 and refused["errors"][0]["field"] == "limit"

    status, kind, refused = get(f"{server}/export/oparl.json?asOf=8%20Feb%202020")
    assert status == 400 and kind.startswith("application/json")
    (error,) = refused["errors"]
    assert error["field"] == "asOf" and error["message"].startswith("asOf:")
    status, _, refused = get(f"{server}/export/popolo.json?knownAt=soon")
    assert status == 400 and refused["errors"][0]["field"] == "knownAt"


def test_contact_details_are_exported_until_a_disposal_decision_destroys_them(
    registry, runner, ctx
):
    email, phone = "anna.berg@example.se", "+46 70 123 45 67"
    person = registry.register_person("Anna Berg", ctx, contact={"email": email, "phone": phone})
    runner.catch_up()
    popolo = export_popolo(runner, registry, date(2026, 1, 1))
    oparl = export_oparl(runner, registry, date(2026, 1, 1))
    assert_valid_popolo(popolo)
    assert_valid_oparl(oparl)
    (anna,) = popolo["persons"]
    assert {(c["type"], c["value"]) for c in anna["contact_details"]} == {
        ("email", email),
        ("voice", phone),
    }
    (anna,) = oparl["person"]
    assert anna["email"] == [email] and anna["phone"] == [phone]

    registry.redact_contact_details(person, "GB 2026/117", "gallring", ctx, kinds=["email"])
    runner.catch_up()
    popolo = export_popolo(runner, registry, date(2026, 1, 1))
    oparl = export_oparl(runner, registry, date(2026, 1, 1))
    for document in (popolo, oparl):
        text = json.dumps(document, ensure_ascii=False)
        assert email not in text and phone in text
    assert popolo["persons"][0]["contact_details"] == [{"type": "voice", "value": phone}]
    assert "email" not in oparl["person"][0]
