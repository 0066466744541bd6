"""`registry import FILE...` and POST /import, on both stores."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as cli
from registry.application import Registry

CASES = Path(__file__).parent / "import_cases"
MINUTES = CASES / "minutes.yaml"
STATEMENT = CASES / "statement.json"
SMALL = CASES / "valid-small.yaml"
LOOPBACK = ("127.0.0.1", 50000)


def events(settings) -> int:
    registry = Registry(settings)
    try:
        return registry.max_position()
    finally:
        registry.close()


def run(settings, *args: str):
    return CliRunner().invoke(cli, ["import", *args, "--database", settings.url])


# -- the command ----------------------------------------------------------------------------


def test_the_command_imports_several_files_and_reports_each(settings):
    result = run(settings, str(MINUTES), str(STATEMENT))
    assert result.exit_code == 0, result.output
    assert f"imported {MINUTES}" in result.output
    assert f"imported {STATEMENT}" in result.output
    position = events(settings)
    again = run(settings, str(MINUTES), str(STATEMENT))
    assert again.exit_code == 0
    assert f"unchanged {MINUTES}: already imported, nothing written" in again.output
    assert events(settings) == position


def test_the_command_fails_when_a_file_is_refused_and_imports_the_others(settings, tmp_path):
    bad = CASES / "bad" / "negative-amount.yaml"
    result = run(settings, str(bad), str(SMALL))
    assert result.exit_code == 1
    assert f"refused {bad}: nothing written" in result.output
    assert f"{bad}: items[4].decisions[0].allocations[2].amount: must not be negative" in (
        result.output
    )
    assert f"imported {SMALL}" in result.output
    assert "1 of 2 files refused" in result.output


def test_the_command_shows_the_difference_and_corrects_only_when_asked(settings, tmp_path):
    copy = tmp_path / "small.yaml"
    shutil.copy(SMALL, copy)
    assert run(settings, str(copy)).exit_code == 0
    copy.write_text(SMALL.read_text().replace("amount: 20000}", "amount: 10000}"))
    refused = run(settings, str(copy))
    assert refused.exit_code == 1
    assert "-      amount: 20000\n+      amount: 10000\n" in refused.output  # canonical YAML
    assert run(settings, "--correct", str(copy)).exit_code == 2  # no reason
    corrected = run(settings, "--correct", "--reason", "Fel belopp", str(copy))
    assert corrected.exit_code == 0, corrected.output
    assert f"corrected {copy}: 1 corrections" in corrected.output
    assert "items[4].decisions[0].allocations[2]: corrected" in corrected.output


# -- over HTTP ------------------------------------------------------------------------------


@pytest.fixture
def client(settings):
    # From loopback: with no identity configured, the local administrator may import.
    with TestClient(create_app(settings, run_projections=False), client=LOOPBACK) as http:
        yield http


def test_posting_a_yaml_file_imports_it(client):
    response = client.post(
        "/import",
        params={"name": "minutes.yaml"},
        content=MINUTES.read_bytes(),
        headers={"Content-Type": "application/yaml"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "imported"
    again = client.post("/import", content=MINUTES.read_bytes())
    assert (again.status_code, again.json()["status"], again.json()["events"]) == (
        200,
        "unchanged",
        0,
    )


def test_posting_a_json_file_imports_it(client):
    response = client.post(
        "/import", content=STATEMENT.read_bytes(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["events"] > 0


def test_a_refused_file_answers_422_with_the_path_and_writes_nothing(client):
    registry = client.app.state.registry
    response = client.post("/import", content=(CASES / "bad" / "fund-exceeded.yaml").read_bytes())
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["path"] == "items[4].decisions[0].allocations[2].amount"
    assert error["code"] == "FUND_EXCEEDED"
    assert registry.max_position() == 0


def test_a_file_that_is_not_yaml_answers_400(client):
    response = client.post("/import", content=b"items: [unclosed\n")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "SYNTAX_ERROR"
    response = client.post("/import", content=b"\xff\xfe")
    assert response.status_code == 400


def test_a_changed_file_answers_422_with_the_difference_then_corrects_when_asked(client):
    client.post("/import", content=SMALL.read_bytes())
    changed = SMALL.read_text().replace("amount: 20000}", "amount: 10000}").encode()
    response = client.post("/import", content=changed)
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "CHANGED"
    assert "+      amount: 10000" in response.json()["diff"]
    response = client.post("/import", params={"correct": "true"}, content=changed)
    assert response.status_code == 400
    response = client.post(
        "/import", params={"correct": "true", "reason": "Fel belopp"}, content=changed
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "corrected"


def test_with_an_import_token_only_a_request_carrying_it_may_import(client, monkeypatch):
    monkeypatch.setenv("REGISTRY_IMPORT_TOKEN", "s3cret-token")
    registry = client.app.state.registry
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic s3cret-token"}):
        refused = client.post("/import", content=MINUTES.read_bytes(), headers=headers)
        assert refused.status_code == 401
        assert refused.json()["errors"][0]["code"] == "UNAUTHENTICATED"
        assert refused.headers["www-authenticate"] == "Bearer"
    assert registry.max_position() == 0
    allowed = client.post(
        "/import", content=MINUTES.read_bytes(), headers={"Authorization": "Bearer s3cret-token"}
    )
    assert allowed.status_code == 200, allowed.text
    assert registry.max_position() > 0
