"""The production deployment (docker-compose.yml and the Dockerfile) as a specification.

No Docker engine runs where these tests run, so the compose file is checked against the
published Compose specification schema, a copy of which is kept in tests/data/ (source and
licence in tests/data/README.md).
"""

import copy
import functools
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import jsonschema
import pytest
import yaml
from jsonschema.validators import validator_for

REPO_ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
DOCKERFILE = REPO_ROOT / "Dockerfile"
COMPOSE_SCHEMA = Path(__file__).resolve().parent / "data" / "compose-spec.json"

REGISTRY_SERVICES = ("api", "projections")


def load_compose() -> dict[str, Any]:
    with COMPOSE_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@functools.cache
def load_compose_schema() -> dict[str, Any]:
    # A missing schema must fail the suite: skipping would let an unvalidated file through.
    assert COMPOSE_SCHEMA.is_file(), (
        f"The Compose specification schema is missing at {COMPOSE_SCHEMA}; "
        "restore it from the compose-spec project (see tests/data/README.md)."
    )
    with COMPOSE_SCHEMA.open(encoding="utf-8") as handle:
        return json.load(handle)


def canonical_meta_schema_uri(uri: str) -> str:
    parts = urlsplit(uri)
    return urlunsplit(("http", parts.netloc.lower(), parts.path.rstrip("/"), "", ""))


def validator_class_for(schema: dict[str, Any]) -> type[jsonschema.protocols.Validator]:
    """The validator class for the draft that `schema` declares in `$schema`.

    The compose-spec writes draft-07 as `https://json-schema.org/draft-07/schema`, while
    jsonschema registers it as `http://json-schema.org/draft-07/schema#`; looked up verbatim,
    validator_for falls back to the newest draft. So the declared URI is also tried in its
    canonical http form, with and without the empty fragment.
    """
    declared = schema.get("$schema")
    assert declared, "The Compose specification schema does not declare its draft ($schema)."
    canonical = canonical_meta_schema_uri(declared)
    candidates = (declared, canonical, f"{canonical}#")
    matches = {validator_for({"$schema": uri}, default=None) for uri in candidates} - {None}
    assert len(matches) == 1, f"No single jsonschema validator matches $schema {declared!r}."
    (validator_class,) = matches
    declared_by_class = validator_class.ID_OF(validator_class.META_SCHEMA)
    assert canonical_meta_schema_uri(declared_by_class) == canonical
    return validator_class


@functools.cache
def compose_validator() -> jsonschema.protocols.Validator:
    schema = load_compose_schema()
    validator_class = validator_class_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)


def environment_of(service: dict[str, Any]) -> dict[str, str | None]:
    """A service's environment as a mapping, whichever of the two Compose forms it uses."""
    environment = service.get("environment", {})
    if isinstance(environment, dict):
        return environment
    entries = (entry.partition("=") for entry in environment)
    return {name: value if sep else None for name, sep, value in entries}


def schema_errors(document: dict[str, Any]) -> list[str]:
    errors = sorted(compose_validator().iter_errors(document), key=lambda e: list(e.path))
    return [
        f"{'.'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}"
        for error in errors
    ]


def test_compose_specification_schema_is_read_with_the_draft_it_declares() -> None:
    schema = load_compose_schema()
    validator_class = validator_class_for(schema)

    assert canonical_meta_schema_uri(
        validator_class.ID_OF(validator_class.META_SCHEMA)
    ) == canonical_meta_schema_uri(schema["$schema"])


def test_compose_file_satisfies_the_compose_specification() -> None:
    assert schema_errors(load_compose()) == []


@pytest.mark.parametrize(
    ("path", "broken_value"),
    [
        (("services", "api", "ports"), 8000),
        (("services", "api", "depends_on", "postgres", "condition"), "service_healty"),
        (("services", "projections", "restart_policy"), "unless-stopped"),
        (("volumes",), ["postgres-data"]),
    ],
    ids=["ports-not-a-list", "unknown-depends-on-condition", "unknown-service-key", "volumes-list"],
)
def test_compose_specification_rejects_a_broken_compose_file(
    path: tuple[str, ...], broken_value: object
) -> None:
    broken = copy.deepcopy(load_compose())
    *parents, key = path
    node = broken
    for name in parents:
        node = node[name]
    node[key] = broken_value

    located = [tuple(error.absolute_path) for error in compose_validator().iter_errors(broken)]
    # The rejection must point at (an ancestor of) the value that was broken, not elsewhere.
    assert any(where and path[: len(where)] == where for where in located), located


def test_compose_file_omits_the_obsolete_version_key() -> None:
    assert "version" not in load_compose()


def test_compose_file_runs_postgres_the_api_and_the_projection_runner() -> None:
    services = load_compose()["services"]

    assert {"postgres", *REGISTRY_SERVICES} <= services.keys()


def test_api_and_projection_runner_share_one_database() -> None:
    services = load_compose()["services"]

    databases = {
        name: environment_of(services[name]).get("REGISTRY_DATABASE") for name in REGISTRY_SERVICES
    }

    assert databases["api"], "The api service sets no REGISTRY_DATABASE."
    assert databases["projections"] == databases["api"]


@pytest.mark.parametrize("service_name", REGISTRY_SERVICES)
def test_registry_services_wait_until_postgres_is_healthy(service_name: str) -> None:
    depends_on = load_compose()["services"][service_name].get("depends_on")

    assert isinstance(depends_on, dict), f"{service_name} must use the long depends_on form."
    assert depends_on.get("postgres", {}).get("condition") == "service_healthy"


def test_every_service_waited_on_as_healthy_defines_a_healthcheck() -> None:
    services = load_compose()["services"]
    awaited = {
        dependency
        for service in services.values()
        if isinstance(service.get("depends_on"), dict)
        for dependency, condition in service["depends_on"].items()
        if condition.get("condition") == "service_healthy"
    }

    without_healthcheck = {
        name
        for name in awaited
        if "test" not in services[name].get("healthcheck", {})
        or services[name]["healthcheck"].get("disable")
    }

    assert awaited
    assert without_healthcheck == set()


@pytest.mark.parametrize("service_name", REGISTRY_SERVICES)
def test_registry_services_build_from_a_context_that_holds_the_dockerfile(
    service_name: str,
) -> None:
    build = load_compose()["services"][service_name]["build"]
    if isinstance(build, str):
        build = {"context": build}
    context = (COMPOSE_FILE.parent / build.get("context", ".")).resolve()

    assert context.is_dir()
    assert (context / build.get("dockerfile", "Dockerfile")).is_file()


def test_image_runs_as_a_non_root_user() -> None:
    instructions = (line.split(maxsplit=1) for line in DOCKERFILE.read_text().splitlines())
    users = [words[1].strip() for words in instructions if len(words) == 2 and words[0] == "USER"]

    assert users, "The Dockerfile never switches away from root."
    assert users[-1].partition(":")[0] not in {"root", "0"}
