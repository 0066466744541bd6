"""Read your writes when the projections run in another process (`registry serve
--no-projections` beside `registry project`), on both stores: a query carrying a write's
position with @atLeastPosition is answered once the projector has caught up, and with
POSITION_NOT_REACHED after the bounded wait while it has not."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from registry.config import StoreSettings
from tests.mutation_support import data, error_code, post, seed
from tests.served import registry_command, registry_process, stop
from tests.test_mutation_concurrency import APPOINT

MEMBERS = """query($body: ID!, $p: Int!) @atLeastPosition(position: $p) {
  members(bodyId: $body, asOf: "2021-01-10") { edges { node { personName } } } }"""


@contextmanager
def projector(settings: StoreSettings, tmp_path: Path) -> Iterator[None]:
    """`registry project` as its own process."""
    with (tmp_path / "project.log").open("ab") as log:
        process = subprocess.Popen(
            [*registry_command(), "project", "--database", settings.url],
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        yield
    finally:
        stop(process)


def test_a_write_is_read_once_the_projector_in_another_process_has_it(settings, tmp_path):
    env = {"REGISTRY_READ_WAIT_SECONDS": "1"}
    with registry_process(
        "serve", "--no-projections", "--database", settings.url, cwd=tmp_path, env=env
    ) as server:
        with projector(settings, tmp_path):
            seeded = seed(server.base)
        body = seeded.bodies["styrgrupp"]
        variables = {"body": body, "person": seeded.persons["Ingmar Ångman"], "start": "2021-01-01"}
        # The write is saved; its answer's entity cannot be read while nothing projects.
        answer = post(
            server.base, APPOINT.replace("membershipId", "membershipId body { name }"), variables
        )
        position = answer["data"]["appoint"]["position"]
        assert position > seeded.position and answer["data"]["appoint"]["body"] is None
        assert error_code(answer) == "POSITION_NOT_REACHED"
        waiting = post(server.base, MEMBERS, {"body": body, "p": position})
        assert error_code(waiting) == "POSITION_NOT_REACHED" and not waiting.get("data")
        assert waiting["errors"][0]["extensions"]["reached"] == seeded.position
        with projector(settings, tmp_path):
            # As a client does on POSITION_NOT_REACHED: ask again shortly (the projector
            # takes a moment to start).
            for _ in range(60):
                found = post(server.base, MEMBERS, {"body": body, "p": position})
                if "errors" not in found:
                    break
                assert error_code(found) == "POSITION_NOT_REACHED"
        names = [e["node"]["personName"] for e in data(found)["members"]["edges"]]
        assert "Ingmar Ångman" in names
