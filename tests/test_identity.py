"""Who may write, as a user meets it: `registry token` as real commands, `registry serve` as
a real process over HTTP, on both stores. Every refused write writes nothing, and the actor
of every written event is the token's identity, never the file's `recorded_by`."""

from __future__ import annotations

import json
import socket
import subprocess
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml

from api.identity import Forbidden, Identity, Role, authorise_write
from registry.application import Registry
from registry.config import StoreSettings
from registry.ids import natural_id
from registry.values import Context
from tests.generated_minutes import body_name, minutes_document
from tests.served import RegistryProcess, registry_command, registry_process

NOT_REALLY = "Kommunstyrelsens ordförande (not really)"


def follow_up(tag: str, n: int, day: str = "2021-05-01") -> bytes:
    """Minutes of a later meeting of body `tag`-`n` (registered by minutes_document)."""
    document = {
        "version": 1,
        "kind": "minutes",
        "source": {"document": f"Protokoll {body_name(tag, n)} {day}"},
        "date": day,
        "body": body_name(tag, n),
        "recorded_by": NOT_REALLY,
        "meeting": {"present": []},
        "items": [
            {
                "number": 1,
                "title": "Anmälan",
                "decisions": [{"kind": "noted", "text": "Noterat."}],
            }
        ],
    }
    return yaml.safe_dump(document, allow_unicode=True).encode()


def cli(*args: str, cwd: Path) -> str:
    done = subprocess.run(
        [*registry_command(), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def create_token(settings: StoreSettings, tmp_path: Path, *args: str) -> str:
    """`registry token create ...`: the secret it prints (its only line on stdout)."""
    out = cli("token", "create", *args, "--database", settings.url, cwd=tmp_path)
    return out.strip().splitlines()[-1]


def seed(settings: StoreSettings, tmp_path: Path) -> None:
    """Bodies a-0001 and b-0001, each owned by its own kommun (command-line imports)."""
    for tag in ("a", "b"):
        path = tmp_path / f"{tag}.yaml"
        path.write_text(yaml.safe_dump(minutes_document(tag, 1), allow_unicode=True))
        cli("import", "--database", settings.url, str(path), cwd=tmp_path)


def post(
    server: RegistryProcess,
    body: bytes,
    token: str | None = None,
    host: str = "127.0.0.1",
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any]]:
    sent = {"Content-Type": "application/yaml", **(headers or {})}
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        f"http://{host}:{server.port}/import?name=minutes.yaml", data=body, headers=sent
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def contexts(settings: StoreSettings) -> list[Context]:
    """The provenance of every stored event, in order."""
    registry = Registry(settings)
    try:
        found = []
        for n in registry.recorder.select_notifications(start=1, limit=100_000):
            found.append(registry.mapper.to_domain_event(n).context)
        return found
    finally:
        registry.close()


def count(settings: StoreSettings) -> int:
    registry = Registry(settings)
    try:
        return registry.max_position()
    finally:
        registry.close()


def this_machines_address() -> str | None:
    """An address of this machine that is not loopback, or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks a route
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


# -- the loopback default ------------------------------------------------------------------


def test_without_identity_only_loopback_may_write_and_serve_says_so(
    settings: StoreSettings, tmp_path: Path
) -> None:
    seed(settings, tmp_path)
    before = count(settings)
    with registry_process(
        "serve", "--database", settings.url, "--host", "0.0.0.0", cwd=tmp_path
    ) as server:
        assert "writes are accepted only from this machine (loopback)" in server.output()
        # Forwarded by a proxy: the caller is elsewhere, whatever the socket says.
        status, answer = post(server, follow_up("a", 1), headers={"X-Forwarded-For": "1.2.3.4"})
        assert status == 401 and answer["errors"][0]["code"] == "UNAUTHENTICATED", answer
        address = this_machines_address()
        if address is not None:  # a real connection from another address than loopback
            status, answer = post(server, follow_up("a", 1), host=address)
            assert status == 401, answer
            assert "Authorization: Bearer" in answer["errors"][0]["message"]
        assert count(settings) == before
        status, answer = post(server, follow_up("a", 1))
        assert status == 200 and answer["status"] == "imported", answer
    written = contexts(settings)[before:]
    assert written and {c.subject for c in written} == {"local"}
    assert {c.stated_by for c in written} == {NOT_REALLY}
    assert NOT_REALLY not in {c.actor for c in written}


# -- registry-issued tokens ----------------------------------------------------------------


def test_tokens_are_listed_and_revoked_and_only_their_hash_is_stored(
    settings: StoreSettings, tmp_path: Path
) -> None:
    seed(settings, tmp_path)
    secret = create_token(
        settings, tmp_path, "--name", "Kansli A", "--role", "recorder", "--grant", "Nämnden a-0001"
    )
    assert secret.startswith("reg_") and len(secret) > 40
    listed = json.loads(cli("token", "list", "--json", "--database", settings.url, cwd=tmp_path))
    assert [(t["name"], t["role"], t["revoked_at"]) for t in listed] == [
        ("Kansli A", "recorder", None)
    ]
    assert secret not in json.dumps(listed)
    registry = Registry(settings)
    try:
        with registry.recorder.datastore.transaction(commit=False) as c:  # type: ignore[attr-defined]
            c.execute(
                "SELECT * FROM api_tokens"
                if not settings.is_postgres
                else f'SELECT * FROM "{settings.postgres_schema}".api_tokens'
            )
            rows = [dict(r) for r in c.fetchall()]
    finally:
        registry.close()
    assert len(rows) == 1 and secret not in json.dumps(rows, default=str)
    cli("token", "revoke", listed[0]["id"], "--database", settings.url, cwd=tmp_path)
    listed = json.loads(cli("token", "list", "--json", "--database", settings.url, cwd=tmp_path))
    assert listed[0]["revoked_at"] is not None
    table = cli("token", "list", "--database", settings.url, cwd=tmp_path)
    assert listed[0]["id"] in table and "revoked" in table and "Kansli A" in table
    unknown = subprocess.run(
        [*registry_command(), "token", "revoke", "no-such-id", "--database", settings.url],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert unknown.returncode != 0 and "no token has the id 'no-such-id'" in unknown.stderr


def test_a_grant_must_name_a_body_or_organisation(settings: StoreSettings, tmp_path: Path) -> None:
    done = subprocess.run(
        [
            *registry_command(),
            *("token", "create", "--name", "x", "--role", "recorder"),
            *("--grant", "Ingen sådan nämnd", "--database", settings.url),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode != 0
    said = " ".join(done.stderr.replace("│", " ").split())  # rich wraps the message in a box
    assert "'Ingen sådan nämnd' names no body or organisation" in said, done.stderr


def test_writes_need_a_token_granted_the_body_and_record_the_tokens_actor(
    settings: StoreSettings, tmp_path: Path
) -> None:
    seed(settings, tmp_path)
    recorder_a = create_token(
        settings, tmp_path, "--name", "Kansli A", "--role", "recorder", "--grant", "Nämnden a-0001"
    )
    # An organisation's grant covers the bodies it owns.
    recorder_kommun_b = create_token(
        settings, tmp_path, "--name", "Kommun B", "--role", "recorder", "--grant", "Kommunen b-0001"
    )
    reader = create_token(settings, tmp_path, "--name", "Läsare", "--role", "reader")
    auditor = create_token(settings, tmp_path, "--name", "Revisor", "--role", "auditor")
    revoked = create_token(settings, tmp_path, "--name", "Gammal", "--role", "admin")
    listed = json.loads(cli("token", "list", "--json", "--database", settings.url, cwd=tmp_path))
    token_ids = {t["name"]: t["id"] for t in listed}
    cli("token", "revoke", token_ids["Gammal"], "--database", settings.url, cwd=tmp_path)
    before = count(settings)
    with registry_process("serve", "--database", settings.url, cwd=tmp_path) as server:
        assert "writes need a bearer token" in server.output()
        refusals = {
            "no token (tokens exist: loopback is no longer trusted)": (None, 401),
            "an unknown token": ("reg_" + "x" * 43, 401),
            "a revoked token": (revoked, 401),
            "a reader token": (reader, 403),
            "an auditor token": (auditor, 403),
            "a recorder for another body": (recorder_a, 403),
        }
        for case, (token, expected) in refusals.items():
            status, answer = post(server, follow_up("b", 1), token)
            assert status == expected, (case, status, answer)
            code = "UNAUTHENTICATED" if expected == 401 else "FORBIDDEN"
            assert answer["errors"][0]["code"] == code, (case, answer)
        status, answer = post(server, follow_up("b", 1), recorder_a)
        assert "Nämnden b-0001" in answer["errors"][0]["message"], answer
        assert count(settings) == before
        status, answer = post(server, follow_up("a", 1), recorder_a)
        assert status == 200 and answer["status"] == "imported", answer
        after_a = count(settings)
        status, answer = post(server, follow_up("b", 1), recorder_kommun_b)
        assert status == 200 and answer["status"] == "imported", answer
    written = contexts(settings)
    by_a, by_b = written[before:after_a], written[after_a:]
    assert by_a and by_b
    assert {(c.actor, c.subject, c.token_id) for c in by_a} == {
        ("Kansli A", f"token:{token_ids['Kansli A']}", token_ids["Kansli A"])
    }
    assert {c.token_id for c in by_b} == {token_ids["Kommun B"]}
    assert {c.stated_by for c in written[before:]} == {NOT_REALLY}
    assert "Traceback" not in server.output()


def test_a_recorder_may_not_register_an_organisation_outside_its_grant(
    settings: StoreSettings, tmp_path: Path
) -> None:
    seed(settings, tmp_path)
    recorder_a = create_token(
        settings, tmp_path, "--name", "Kansli A", "--role", "recorder", "--grant", "Nämnden a-0001"
    )
    before = count(settings)
    new_file = yaml.safe_dump(minutes_document("c", 1), allow_unicode=True).encode()
    with registry_process("serve", "--database", settings.url, cwd=tmp_path) as server:
        status, answer = post(server, new_file, recorder_a)
        assert status == 403, answer
        message = answer["errors"][0]["message"]
        assert f"organisation {natural_id('organisation', 'Kommunen c-0001')}" in message
    assert count(settings) == before


def test_the_shared_import_token_is_an_administrator(
    settings: StoreSettings, tmp_path: Path
) -> None:
    seed(settings, tmp_path)
    before = count(settings)
    with registry_process(
        "serve",
        "--database",
        settings.url,
        cwd=tmp_path,
        env={"REGISTRY_IMPORT_TOKEN": "s3cret-shared"},
    ) as server:
        assert "REGISTRY_IMPORT_TOKEN (a shared admin token; deprecated" in server.output()
        status, answer = post(server, follow_up("a", 1))
        assert status == 401, answer
        status, answer = post(server, follow_up("a", 1), "s3cret-shared")
        assert status == 200, answer
    written = contexts(settings)[before:]
    assert {c.subject for c in written} == {"import-token"}


def test_a_file_writing_for_a_granted_and_another_body_is_refused_whole(
    settings: StoreSettings, tmp_path: Path
) -> None:
    """A file writing for two bodies, one granted: refused whole."""
    seed(settings, tmp_path)
    recorder_a = create_token(
        settings, tmp_path, "--name", "Kansli A", "--role", "recorder", "--grant", "Nämnden a-0001"
    )
    document = yaml.safe_load(follow_up("a", 1))
    document["items"][0]["decisions"].append(
        {"kind": "decided", "text": "Nämnden b beslutar.", "body": body_name("b", 1)}
    )
    before = count(settings)
    with registry_process("serve", "--database", settings.url, cwd=tmp_path) as server:
        status, answer = post(
            server, yaml.safe_dump(document, allow_unicode=True).encode(), recorder_a
        )
    assert status == 403, answer
    assert "Nämnden b-0001" in answer["errors"][0]["message"], answer
    assert count(settings) == before


def test_a_grant_is_checked_by_id_whether_the_id_comes_as_a_uuid_or_as_text(registry, ctx):
    """Agreements store their parties' ids as text: a grant must match them all the same."""
    region = registry.register_organisation("Region Örebro län", "region", ctx)
    kommun = registry.register_organisation("Askersunds kommun", "kommun", ctx)
    body = registry.register_body("Chefsgrupp", "chefsgrupp", ctx, owner_organisation_ids=[region])
    recorder = Identity("sub", "Sekreterare", "t1", Role.RECORDER, frozenset({region}))
    authorise_write(registry, recorder, bodies=[str(body)], organisations=[str(region)])
    authorise_write(registry, recorder, bodies=[body], organisations=[region])
    with pytest.raises(Forbidden, match="Askersunds kommun"):
        authorise_write(registry, recorder, organisations=[str(kommun)])
