"""A `registry serve` process per store for the tests of meeting plans, projects and
remisser (test_planned_meetings.py, test_projects.py, test_consultations.py): minutes files
go in over POST /import and answers come out of GraphQL over HTTP, as a user sees them.

One server per store and test module keeps the cost down; each test imports files about its
own bodies, so the tests of a module do not see each other's facts.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from registry.config import StoreSettings
from tests.served import RegistryProcess, registry_process
from tests.stores import drop_schema, new_schema


@dataclass
class Served:
    """A running registry: import minutes, ask GraphQL (reading its own writes)."""

    process: RegistryProcess
    position: int = 0

    def _post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        request = urllib.request.Request(
            self.process.base + path, data=body, headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)

    def import_minutes(self, text: str) -> dict[str, Any]:
        """POST the file; its answer (asserting it was imported)."""
        status, answer = self.try_import(text)
        assert status == 200, answer
        return answer

    def try_import(self, text: str) -> tuple[int, dict[str, Any]]:
        status, answer = self._post(
            "/import?name=test.yaml", text.encode(), {"Content-Type": "application/yaml"}
        )
        if status == 200:
            self.position = max(self.position, answer["position"])
        return status, answer

    def query(self, query: str, **variables: Any) -> dict[str, Any]:
        """The `data` of a GraphQL answer, once the read models hold every import so far."""
        payload = json.dumps({"query": query, "variables": variables}).encode()
        status, answer = self._post(
            "/graphql",
            payload,
            {
                "Content-Type": "application/json",
                "X-Registry-Min-Position": str(self.position),
            },
        )
        assert status == 200 and "errors" not in answer, (status, answer)
        return answer["data"]

    @staticmethod
    def now() -> str:
        """A recorded-time instant for `knownAt` (what the registry knew at this moment)."""
        return datetime.now(UTC).isoformat()


def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """Body of a module-scoped fixture parametrised over "sqlite" and "postgres"."""
    tmp: Path = tmp_path_factory.mktemp(request.param)
    if request.param == "sqlite":
        store = StoreSettings(str(tmp / "registry.sqlite"))
    else:
        store = new_schema(request.getfixturevalue("postgres_database"))
    try:
        with registry_process("serve", "--database", store.url, cwd=tmp) as process:
            yield Served(process)
    finally:
        if store.is_postgres:
            drop_schema(store)


def ids(data: Any, *path: str) -> list[str]:
    """The `id` of each object in a list found at `path`."""
    for key in path:
        data = data[key]
    return [x["id"] for x in data]
