"""What every concept's fact builder and applier share: the file being read, references,
provenance and identities on the building side; the registry, the correction's reason and
the dates an effect takes from its decision on the applying side.

Each concept module (registry/importing/concepts/) holds a builder class and an applier
class that extend these; registry/importing/building.py and applying.py compose them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from registry.application import Registry
from registry.dates import PartialDate
from registry.domain.decision import decision_id_for
from registry.domain.person import Person
from registry.errors import InvalidInput, NotFound
from registry.importing.facts import DEFAULT_ACTOR, DecisionInfo, Fact, Resolved
from registry.importing.identity import identify
from registry.importing.problems import join_path
from registry.importing.resolving import Resolver
from registry.values import Actor, Context, Source


class FactBuilder:
    """Builds the facts of one file; each concept adds the builders of its entries."""

    def __init__(self, registry: Registry, data: dict[str, Any], actor: Actor | None) -> None:
        self.registry = registry
        self.data = data
        self.resolver = Resolver(registry)
        self.facts: list[Fact] = []
        self.held_on = date.fromisoformat(data["date"])
        self.source = data["source"]
        # The file's recorded_by is who the minutes say recorded them ("as stated in the
        # minutes"); the actor is who writes, from the credentials when there are any.
        self.stated_by = data.get("recorded_by")
        self.actor = actor or Actor(self.stated_by or DEFAULT_ACTOR)
        self.body: Resolved | None = None
        self._identities: set[tuple[Any, ...]] = set()
        self._ids: dict[tuple[str, str], UUID] = {}

    def context(
        self, note: str | None, item: str | None = None, decision: DecisionInfo | None = None
    ) -> Context:
        """The provenance of a fact's events: the file's source (and item), the decision
        that authorises it, its note, and who writes."""
        source = Source(self.source["document"], item, self.source.get("url"))
        return self.actor.context(
            source, decision.id if decision else None, note, stated_by=self.stated_by
        )

    def ref(self, entry: dict[str, Any], key: str, kinds: Sequence[str], path: str) -> Any:
        """What the reference `entry[key]` names, of `kinds`; None when the entry gives none
        or it names nothing (a problem says so)."""
        value = entry.get(key)
        if value is None:
            return None
        resolved = self.resolver.resolve(value, kinds, join_path(path, key))
        return resolved

    def add(self, fact: Fact) -> None:
        """Adds a fact; one whose identity another fact has gets a counter in its own."""
        identity = fact.identity
        n = 2
        while identity in self._identities:
            identity = (*fact.identity, n)
            n += 1
        fact.identity = identity
        self._identities.add(identity)
        self.facts.append(fact)

    def declare(
        self,
        kind: str,
        path: str,
        entry: dict[str, Any],
        id: UUID,
        title: str = "name",
        named: bool = True,
    ) -> Resolved:
        """Declares what `entry` stands for: references find it by its ref and (when
        `named`) by its `title`."""
        name = entry[title]
        return self.resolver.declare(
            kind, path, entry.get("ref"), [name] if named else [], id, name
        )

    def declare_identified(
        self,
        kind: str,
        path: str,
        entry: dict[str, Any],
        title: str = "name",
        owners: list[UUID] | None = None,
        effects_path: str = "background",
    ) -> Resolved:
        """Declares a declaration under the id it stands for (registry/importing/identity.py),
        which the facts built later find by its path."""
        found = identify(
            self.registry,
            self.resolver.problems,
            kind=kind,
            path=path,
            name_field=title,
            entry=entry,
            owners=owners,
            by_decision=effects_path != "background",
        )
        self._ids[(kind, path)] = found
        return self.declare(kind, path, entry, found, title)

    def each_ref(
        self, entry: dict[str, Any], key: str, kinds: Sequence[str], path: str
    ) -> list[Resolved | None]:
        """What each reference in the list `entry[key]` names (None where it names nothing)."""
        return [
            self.resolver.resolve(value, kinds, join_path(path, key, k))
            for k, value in enumerate(entry.get(key, []))
        ]

    def refs_of(
        self, entry: dict[str, Any], path: str, body: Resolved | None, kinds: dict[str, list[str]]
    ) -> dict[str, Any]:
        """The entry's body (`body` unless it names one), then what each of its references
        `key` names, of `kinds[key]`."""
        return {"body": self.body_of(entry, path, body)} | {
            key: self.ref(entry, key, names, path) for key, names in kinds.items()
        }

    def body_of(
        self, entry: dict[str, Any], path: str, default: Resolved | None, key: str = "body"
    ) -> Resolved | None:
        """The body `entry[key]` names, or `default` when the entry names none."""
        return self.ref(entry, key, ["body"], path) if key in entry else default

    def decision_named(
        self, target: dict[str, Any], where: str, body: Resolved | None
    ) -> UUID | None:
        """The id of an earlier decision named by body (default `body`), date, item and
        ordinal; None (and a problem) when its body cannot be resolved."""
        target_body = self.body_of(target, where, body)
        if target_body is None:
            return None
        day = date.fromisoformat(target["date"])
        return decision_id_for(target_body.id, day, str(target["item"]), target.get("ordinal", 1))


class FactApplier:
    """Records facts with the registry's commands; each concept adds the appliers (and
    correctors) of its facts."""

    def __init__(self, registry: Registry, reason: str | None = None) -> None:
        self.registry = registry
        self.reason = reason

    def apply(self, fact: Fact) -> None:
        getattr(self, f"_apply_{fact.kind}")(fact)

    def _exists(self, aggregate_id: UUID, cls: type) -> bool:
        try:
            self.registry.get(aggregate_id, cls)
        except NotFound:
            return False
        return True

    def _person_id(self, person_id: UUID) -> UUID:
        """The surviving record when this person has been merged into another."""
        person = self.registry.get(person_id, Person)
        seen = {person.id}
        while person.merged_into is not None and person.merged_into not in seen:
            seen.add(person.merged_into)
            person = self.registry.get(person.merged_into, Person)
        return person.id

    def _records_of(self, survivor_id: UUID) -> set[UUID]:
        """The survivor and every record merged into it: memberships recorded before a merge
        name the record they were recorded with, and a correction works on them all."""
        found = {survivor_id}
        pending = [survivor_id]
        while pending:
            for other in self.registry.get(pending.pop(), Person).absorbed:
                if other not in found:
                    found.add(other)
                    pending.append(other)
        return found

    @staticmethod
    def _date(fact: Fact, key: str, required: bool = False) -> date | None:
        value = fact.entry.get(key)
        if value is not None:
            return date.fromisoformat(value)
        decided = decided_on(fact)
        if decided is None and required:
            raise _needed(fact, key)
        return decided

    def _partial(self, fact: Fact, key: str = "date") -> PartialDate:
        value = fact.entry.get(key)
        if value is None and fact.decision is not None:
            value = fact.decision.default_date()
        if value is None:
            raise _needed(fact, key)
        return PartialDate.parse(value, key)


def decided_on(fact: Fact) -> date | None:
    """The day the fact's decision was made; None for a background fact or a decision whose
    date is unknown (date_not_after)."""
    if fact.decision is not None and not fact.decision.decided_on_unknown:
        return fact.decision.decided_on
    return None


def _needed(fact: Fact, key: str) -> InvalidInput:
    """The refusal of an effect that gives no `key` and has no decision date to take."""
    why = (
        "a background fact has no decision date"
        if fact.decision is None
        else "the decision's date is unknown (date_not_after)"
    )
    return InvalidInput(f"{key} is needed: {why}", field=key)


def shown(value: Any) -> str:
    """A recorded value as a refusal quotes it, cut short when long."""
    if value is None:
        return "nothing"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
