"""What an import writes for: the bodies and organisations whose record it changes, so that
a writer is checked against its grants before anything is written (api/identity.py).

- the body whose minutes or statement the file is, and the body of every decision in it;
- every body an effect changes (`body:` on an appointment, a replacement, an ending or a
  seat in another body), and the body giving an assignment;
- a body the file registers: the organisations that own it (a body without owners counts
  as itself, so only an administrator may register one);
- an organisation the file registers.

Bodies and organisations a file only refers to (an agreement's parties, a person's
organisation, an assignment's holder, a body declared again as it is) are not written for.
Persons are not written for: they belong to no body, and any writer may record a person
its body appoints.
"""

from __future__ import annotations

from uuid import UUID

from registry.application import Registry
from registry.domain.body import Body
from registry.domain.organisation import Organisation
from registry.errors import NotFound
from registry.importing.facts import Document, Resolved


def _held(registry: Registry, entity_id: UUID, cls: type) -> bool:
    try:
        registry.get(entity_id, cls)
    except NotFound:
        return False
    return True


def writes_for(registry: Registry, document: Document) -> tuple[frozenset[UUID], frozenset[UUID]]:
    """(bodies, organisations) the document's import writes for."""
    bodies: set[UUID] = set()
    organisations: set[UUID] = set()
    if document.body_id is not None:
        bodies.add(document.body_id)
    for fact in document.facts:
        if fact.kind == "organisation":
            if not _held(registry, fact.refs["id"], Organisation):
                organisations.add(fact.refs["id"])
            continue
        if fact.kind == "body":
            if not _held(registry, fact.refs["id"], Body):
                owners = [o.id for o in fact.refs.get("owners") or [] if o is not None]
                if owners:
                    organisations.update(owners)
                else:
                    bodies.add(fact.refs["id"])
            continue
        if fact.decision is not None:
            bodies.add(fact.decision.body_id)
        for key in ("body", "given_by"):
            ref = fact.refs.get(key)
            if isinstance(ref, Resolved) and ref.kind == "body":
                bodies.add(ref.id)
        if fact.kind == "meeting" and "body_id" in fact.extra:
            bodies.add(fact.extra["body_id"])
    # A body registered by this file under a granted organisation is covered by that
    # grant: it is not yet held, so it cannot be checked by its owners later.
    new_bodies = {
        f.refs["id"]
        for f in document.facts
        if f.kind == "body" and f.refs.get("owners") and not _held(registry, f.refs["id"], Body)
    }
    return frozenset(bodies - new_bodies), frozenset(organisations)
