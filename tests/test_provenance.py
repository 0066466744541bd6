"""The actor's identity in every event's provenance, on both stores: written from an
identity, it comes back whole; without one, the stored form is what it was before these
fields existed, and such events load with them empty."""

from __future__ import annotations

from uuid import UUID

import pytest

from api.identity import Forbidden, Identity, Role, authorise_write, command_line
from registry.application import Registry
from registry.domain.organisation import Organisation
from registry.values import Context, Source


def stored_state(registry: Registry) -> bytes:
    (notification,) = registry.recorder.select_notifications(start=1, limit=1)
    return notification.state


def test_an_identity_writes_its_actor_subject_and_token(registry: Registry) -> None:
    writer = Identity("token:t1", "Kansli A", "t1", Role.RECORDER, frozenset())
    org = registry.register_organisation(
        "Kommunen", "kommun", writer.context(Source("Protokoll", "§ 1"), note="n")
    )
    (notification,) = registry.recorder.select_notifications(start=1, limit=1)
    event = registry.mapper.to_domain_event(notification)
    assert event.originator_id == org
    assert (event.context.actor, event.context.subject, event.context.token_id) == (
        "Kansli A",
        "token:t1",
        "t1",
    )
    assert event.context.note == "n" and event.context.stated_by is None
    assert b'"subject"' in stored_state(registry)


def test_a_context_without_identity_is_stored_as_before_and_loads_empty(
    registry: Registry, ctx: Context
) -> None:
    registry.register_organisation("Kommunen", "kommun", ctx)
    state = stored_state(registry)
    for key in (b'"subject"', b'"token_id"', b'"stated_by"'):
        assert key not in state
    (notification,) = registry.recorder.select_notifications(start=1, limit=1)
    loaded = registry.mapper.to_domain_event(notification).context
    assert loaded == ctx and loaded.subject is None and loaded.stated_by is None


def test_an_organisation_grant_covers_the_bodies_it_owns(registry: Registry, ctx: Context) -> None:
    owner = registry.register_organisation("Kommunen", "kommun", ctx)
    other = registry.register_organisation("Grannkommunen", "kommun", ctx)
    board = registry.register_body("Nämnden", "nämnd", ctx, owner_organisation_ids=[owner])
    elsewhere = registry.register_body("Styrelsen", "styrelse", ctx, owner_organisation_ids=[other])
    recorder = Identity("s", "Kansli", None, Role.RECORDER, frozenset({owner}))
    authorise_write(registry, recorder, bodies=[board], organisations=[owner])
    refused = {
        "a body of another organisation": {"bodies": [elsewhere]},
        "another organisation": {"organisations": [other]},
        "an unknown body": {"bodies": [UUID(int=1)]},
    }
    for scope in refused.values():
        with pytest.raises(Forbidden, match="has no grant"):
            authorise_write(registry, recorder, **scope)  # type: ignore[arg-type]
    for role in (Role.READER, Role.AUDITOR):
        reader = Identity("s", "n", None, role, frozenset({owner}))
        with pytest.raises(Forbidden, match=f"the role {role} and may not write"):
            authorise_write(registry, reader, bodies=[board])
    authorise_write(registry, command_line(), bodies=[elsewhere], organisations=[other])
    assert registry.get(owner, Organisation).name == "Kommunen"
