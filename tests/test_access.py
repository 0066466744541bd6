"""What each role reads, over real HTTP from a real `registry serve` on both stores: personal
contact details and who wrote each event are for auditors and administrators only; what the
minutes say (statedBy) is public; an auditor's answer is never served from the answer cache
to anyone else."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import yaml

from registry.config import StoreSettings
from tests.generated_minutes import minutes_document, person_names
from tests.served import RegistryProcess, registry_process
from tests.test_identity import NOT_REALLY, cli, create_token, follow_up, post

EMAIL = "anna.person@example.se"

PERSON = """query($name: String!) {
  persons(name: $name) { nodes { name contactDetails { kind value salt commitment redacted } } }
}"""
TRAIL = """query($name: String!) {
  bodies(name: $name) { nodes { id events { type actor actorSubject actorTokenId statedBy } } }
}"""


def graphql(
    server: RegistryProcess,
    query: str,
    token: str | None = None,
    at_least: int | None = None,
    **variables: Any,
) -> dict[str, Any]:
    headers = {"Content-Type": "application/json"}
    if at_least is not None:  # answered once the read models have reached this position
        headers["X-Registry-Min-Position"] = str(at_least)
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        server.base + "/graphql",
        data=json.dumps({"query": query, "variables": variables}).encode(),
        headers=headers,
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        return json.load(error)


def get(server: RegistryProcess, path: str, token: str | None = None) -> str:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(server.base + path, headers=headers)
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read().decode()


def seed_with_contact(settings: StoreSettings, tmp_path: Path) -> str:
    """Body a-0001 with a person who has an e-mail address; returns that person's name."""
    document = minutes_document("a", 1)
    document["persons"][0]["email"] = EMAIL
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True))
    cli("import", "--database", settings.url, str(path), cwd=tmp_path)
    return person_names("a", 1)[0]


def test_contact_details_and_actors_are_for_auditors(
    settings: StoreSettings, tmp_path: Path
) -> None:
    name = seed_with_contact(settings, tmp_path)
    recorder = create_token(
        settings, tmp_path, "--name", "Kansli A", "--role", "recorder", "--grant", "Nämnden a-0001"
    )
    reader = create_token(settings, tmp_path, "--name", "Läsare", "--role", "reader")
    auditor = create_token(settings, tmp_path, "--name", "Revisor", "--role", "auditor")
    with registry_process("serve", "--database", settings.url, cwd=tmp_path) as server:
        status, answer = post(server, follow_up("a", 1), recorder)
        assert status == 200, answer
        position = answer["position"]

        def contact(token: str | None) -> dict[str, Any]:
            answer = graphql(server, PERSON, token, position, name=name)
            (person,) = answer["data"]["persons"]["nodes"]
            (detail,) = person["contactDetails"]
            return detail

        # The auditor asks first, so that a cached answer would leak to the others.
        seen = contact(auditor)
        assert seen["value"] == EMAIL and seen["salt"]
        for who in (None, reader):
            hidden = contact(who)
            assert hidden["value"] is None and hidden["salt"] is None, who
            assert hidden["redacted"] is False and hidden["commitment"] == seen["commitment"]

        def trail(token: str | None) -> list[dict[str, Any]]:
            answer = graphql(server, TRAIL, token, position, name="Nämnden a-0001")
            (body,) = answer["data"]["bodies"]["nodes"]
            return [e for e in body["events"] if e["statedBy"] == NOT_REALLY]

        audited = trail(auditor)
        assert {(e["actor"], e["actorSubject"]) for e in audited} == {
            ("Kansli A", f"token:{audited[0]['actorTokenId']}")
        }
        public = trail(None)
        assert public and all(
            e["actor"] is None and e["actorSubject"] is None and e["actorTokenId"] is None
            for e in public
        )
        # Bad credentials: told so on the fields that depend on who asks.
        refused = graphql(server, PERSON, "reg_not-a-token", position, name=name)
        assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", refused
        # Exports over HTTP hold contact values for auditors only.
        assert EMAIL in get(server, "/export/popolo.json", auditor)
        assert EMAIL not in get(server, "/export/popolo.json")
        try:  # bad credentials: a 401 before anything is streamed, not a broken export
            get(server, "/export/popolo.json", "reg_not-a-token")
        except urllib.error.HTTPError as error:
            assert error.code == 401 and json.load(error)["errors"][0]["code"] == "UNAUTHENTICATED"
        else:
            raise AssertionError("an export with a bad token was answered")
    assert "Traceback" not in server.output()
