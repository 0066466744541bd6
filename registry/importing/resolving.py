"""What a reference in a minutes file names: a local `ref`, a declared name (or a person's
name variant), an id the registry holds, or a name the registry holds it under. Resolving
only reads: nothing here writes."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from uuid import UUID

from registry.application import Registry
from registry.domain.agreement import Agreement
from registry.domain.assignment import Assignment
from registry.domain.body import Body
from registry.domain.consultation import Consultation
from registry.domain.fund import Fund
from registry.domain.organisation import Organisation
from registry.domain.person import Person
from registry.domain.project import Project
from registry.errors import NotFound
from registry.ids import natural_id, normalise
from registry.importing.facts import Resolved
from registry.importing.problems import Problem, join_path
from registry.names import names_of

#: The kinds a reference can name, and the registry's class for each.
_CLASSES: dict[str, type] = {
    "organisation": Organisation,
    "body": Body,
    "person": Person,
    "agreement": Agreement,
    "fund": Fund,
    "assignment": Assignment,
    "project": Project,
    "consultation": Consultation,
}

# Kinds the registry can also find by the name it holds them under (their default key).
_BY_REGISTRY_NAME = ("organisation", "body", "agreement", "fund", "project")


class Resolver:
    """Finds what a reference names: a local `ref`, a declared name (or person's name
    variant), an id the registry holds, or a name the registry holds it under."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.problems: list[Problem] = []
        self._refs: dict[str, tuple[Resolved, str]] = {}
        self._names: dict[str, dict[str, set[Resolved]]] = {k: {} for k in _CLASSES}

    def declare(
        self, kind: str, path: str, ref: str | None, names: Sequence[str], id: UUID, name: str
    ) -> Resolved:
        resolved = Resolved(kind, id, name)
        if ref is not None:
            if ref in self._refs and self._refs[ref][0] != resolved:
                self.problems.append(
                    Problem(
                        join_path(path, "ref"),
                        f"the ref {ref!r} is already used at {self._refs[ref][1]}",
                        "DUPLICATE_REF",
                    )
                )
            else:
                self._refs[ref] = (resolved, path)
        for n in names:
            self._names[kind].setdefault(normalise(n), set()).add(resolved)
        return resolved

    def is_local_ref(self, ref: str) -> bool:
        return ref in self._refs

    def resolve(self, ref: str, kinds: Sequence[str], path: str) -> Resolved | None:
        """The entity `ref` names, of one of `kinds`; None (and a problem) if none."""
        wanted = " or ".join(kinds)
        local = self._refs.get(ref)
        if local is not None:
            if local[0].kind in kinds:
                return local[0]
            self.problems.append(
                Problem(path, f"{ref!r} is {_a(local[0].kind)}, not {_a(wanted)}", "WRONG_KIND")
            )
            return None
        found = {r for k in kinds for r in self._names[k].get(normalise(ref), set())}
        if len(found) > 1:
            listed = ", ".join(sorted(f"{r.name} ({r.kind})" for r in found))
            self.problems.append(
                Problem(
                    path,
                    f"{ref!r} could name {listed}; use a ref to say which",
                    "AMBIGUOUS_REFERENCE",
                )
            )
            return None
        if found:
            return found.pop()
        held = self._held(ref, kinds) or self._held_by_name(ref, kinds, path)
        if held is not None:
            return held
        if any(p.path == path and p.code == "AMBIGUOUS" for p in self.problems):
            return None
        self.problems.append(
            Problem(
                path,
                f"no {wanted} {ref!r} is declared in this file or held by the registry",
                "UNKNOWN_REFERENCE",
            )
        )
        return None

    def _held(self, ref: str, kinds: Sequence[str]) -> Resolved | None:
        candidates: list[UUID] = []
        with contextlib.suppress(ValueError):
            candidates.append(UUID(ref))
        for kind in kinds:
            ids = candidates + ([natural_id(kind, ref)] if kind in _BY_REGISTRY_NAME else [])
            for candidate in ids:
                try:
                    found = self.registry.get(candidate, _CLASSES[kind])
                except NotFound:
                    continue
                name = getattr(found, "name", None) or getattr(found, "title", None)
                return Resolved(kind, found.id, name or getattr(found, "task", ref))
        return None

    def _held_by_name(self, ref: str, kinds: Sequence[str], path: str) -> Resolved | None:
        """Rule 4 of the references: the name the registry holds it under, whatever its key;
        several of that name is a problem listing them."""
        found = [
            h
            for kind in kinds
            if kind in _BY_REGISTRY_NAME
            for h in names_of(self.registry).held(kind, ref)
        ]
        if len(found) == 1:
            return Resolved(found[0].kind, found[0].id, found[0].name)
        if found:
            listed = "; ".join(f"{h.describe()} ({h.kind})" for h in found)
            self.problems.append(
                Problem(
                    path,
                    f"the registry holds {len(found)} named {ref!r}: {listed}; refer to one "
                    "by its id (or declare it with its key and use its ref)",
                    "AMBIGUOUS",
                )
            )
        return None


def _a(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"
