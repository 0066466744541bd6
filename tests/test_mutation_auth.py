"""Who may send a mutation, against `registry serve` as a real process on both stores: without
a token, with a reader's token, or with a recorder's token for other bodies, every mutation is
refused and writes nothing; a recorder granted the bodies and organisations writes, and each
stored event's actor is the token's."""

from __future__ import annotations

import time

from registry.application import Registry
from tests.mutation_support import (
    IMPORT,
    LATER,
    SOURCE,
    data,
    decision,
    error_code,
    post,
    seed,
    stored_position,
)
from tests.served import registry_process
from tests.test_identity import create_token
from tests.test_mutation_concurrency import NEW_ORGANISATION
from tests.test_mutations import WITHDRAW, mutations


def test_every_mutation_needs_a_token_granted_what_it_writes_for(settings, tmp_path):
    with registry_process("serve", "--database", settings.url, cwd=tmp_path) as server:
        # While no identity is configured, this machine is the local administrator.
        seeded = seed(server.base)
        data(post(server.base, IMPORT, {"document": NEW_ORGANISATION.format(n=1)}))
        reader = create_token(settings, tmp_path, "--name", "Läsare", "--role", "reader")
        elsewhere = create_token(
            settings,
            tmp_path,
            "--name",
            "Lekebergs sekreterare",
            "--role",
            "recorder",
            "--grant",
            "Lekebergs kommun",
        )
        secretary = create_token(
            settings,
            tmp_path,
            "--name",
            "Styrgruppens sekreterare",
            "--role",
            "recorder",
            "--grant",
            seeded.organisations["Region Örebro län"],
            "--grant",
            seeded.organisations["Kumla kommun"],
            "--grant",
            seeded.bodies["styrgrupp"],
        )
        time.sleep(2.5)  # the server notices the first token within 2 s (registry/tokens.py)
        before = stored_position(settings)
        every = [
            *mutations(seeded),
            ("importMinutes", IMPORT, {"document": LATER.read_text().replace("500 000", "1")}, ""),
            (
                "withdrawCondition",
                WITHDRAW,
                {
                    "id": decision(seeded, "5")["id"],
                    "condition": decision(seeded, "5")["conditions"][0]["id"],
                    "source": SOURCE,
                },
                "",
            ),
        ]
        for token, code in (
            (None, "UNAUTHENTICATED"),
            (reader, "FORBIDDEN"),
            (elsewhere, "FORBIDDEN"),
            ("reg_not-a-token", "UNAUTHENTICATED"),
        ):
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            for name, document, variables, _ in every:
                answer = post(server.base, document, variables, headers)
                assert answer["data"] is None, (name, token, answer)
                assert error_code(answer) == code, (name, token, answer)
        assert stored_position(settings) == before

        granted = {"Authorization": f"Bearer {secretary}"}
        written = []
        for name, document, variables, _ in mutations(seeded):
            written += data(post(server.base, document, variables, granted))[name]["events"]

    registry = Registry(settings)
    try:
        contexts = [
            registry.mapper.to_domain_event(n).context
            for n in registry.recorder.select_notifications(start=before + 1, limit=1000)
        ]
    finally:
        registry.close()
    assert len(contexts) == len(written) > 0
    assert {
        (c.actor, c.subject is not None and c.subject.startswith("token:")) for c in contexts
    } == {("Styrgruppens sekreterare", True)}
