"""Bodies (organ): declaring them, their facts, and how they are recorded, with the
effects that change a body: its seats (`seats`), its end (`cessations`) and its name
(`renames`)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from registry.application import SeatSpec
from registry.domain.body import Body
from registry.ids import normalise
from registry.importing.concepts.common import FactApplier, FactBuilder
from registry.importing.facts import Fact, Resolved, as_text, day, id_of
from registry.importing.problems import Problem, join_path

#: The registry's error fields, by kind of fact, as the keys of the file's entry.
FIELDS: dict[str, dict[str, str]] = {
    "body": {
        "key": "name",
        "end": "term_end",
        "parent_body_id": "parent",
        "owner_organisation_ids": "owners",
    },
    "seats": {"count": "count", "label": "label", "on_behalf_of": "on_behalf_of"},
    "cessations": {"date": "date", "successor": "successor", "how": "how"},
    "renames": {"name": "name", "date": "date"},
}

#: What a changed file may correct (fewer seats than before: not at all).
CORRECTABLE: dict[str, set[str]] = {
    "seats": {"count"},
    "cessations": {"date", "how", "successor"},
}

#: What a kind of fact is called when a changed file leaves it out.
KIND_WORDS: dict[str, str] = {"seats": "seat"}


class BodyFacts(FactBuilder):
    """Declares the file's bodies and builds their facts and those of their effects."""

    def declare_bodies(self) -> None:
        bodies = [(f"bodies[{i}]", b) for i, b in enumerate(self.data.get("bodies", []))]
        if isinstance(self.data["body"], dict):
            bodies.insert(0, ("body", self.data["body"]))
        self._bodies = bodies
        for path, body in bodies:
            owners = self.each_ref(body, "owners", ["organisation"], path)
            resolved = self.declare_identified(
                "body", path, body, owners=[o.id for o in owners if o]
            )
            if path == "body":
                self.body = resolved

    def body_facts(self) -> bool:
        """A fact per declared body, parents before their children; False (and a problem)
        when their parents form a cycle."""
        declared = {self._ids[("body", path)] for path, _ in self._bodies}
        pending = list(self._bodies)
        done: set[UUID] = set()
        while pending:
            # Parents declared in this file are registered before their children.
            ready = []
            for path, body in pending:
                parent = self.ref(body, "parent", ["body"], path) if body.get("parent") else None
                if parent is None or parent.id not in declared or parent.id in done:
                    ready.append((path, body, parent))
            if not ready:
                path, body = pending[0]
                self.resolver.problems.append(
                    Problem(join_path(path, "parent"), "the bodies' parents form a cycle", "CYCLE")
                )
                return False
            for path, body, parent in ready:
                pending.remove((path, body))
                bid = self._ids[("body", path)]
                done.add(bid)
                owners = self.each_ref(body, "owners", ["organisation"], path)
                self.add(
                    Fact(
                        "body",
                        path,
                        ("body", bid),
                        {
                            "name": body["name"],
                            "kind": body["kind"],
                            "parent": id_of(parent),
                            "owners": [as_text(o.id) for o in owners if o],
                            "mandate": body.get("mandate"),
                            "term_start": body.get("term_start"),
                            "term_end": body.get("term_end"),
                        },
                        body,
                        self.context(body.get("note")),
                        {"id": bid, "parent": parent, "owners": owners},
                    )
                )
        return True

    def _seats(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        target = self.body_of(entry, path, body)
        org = self.ref(entry, "on_behalf_of", ["organisation"], path)
        if target is None:
            return None
        identity = ("seat", owner, str(target.id), normalise(entry["label"]))
        attrs = {
            "count": entry.get("count", 1),
            "on_behalf_of": id_of(org),
            "role": entry.get("role", "member"),
        }
        return identity, attrs, {"body": target, "on_behalf_of": org}

    def _cessations(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        refs = {
            "body": self.body_of(entry, path, body),
            "successor": self.ref(entry, "successor", ["body"], path),
        }
        if refs["body"] is None or ("successor" in entry and refs["successor"] is None):
            return None
        identity = ("cessation", str(refs["body"].id))
        attrs = {
            "date": entry.get("date"),
            "how": entry.get("how", "dissolved"),
            "successor": id_of(refs["successor"]),
        }
        return identity, attrs, refs

    def _renames(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        target = self.body_of(entry, path, body)
        if target is None:
            return None
        identity = ("rename", str(target.id), normalise(entry["name"]))
        return identity, {"date": entry.get("date")}, {"body": target}


class BodyApplier(FactApplier):
    """Records bodies, their seats, their ends and their new names."""

    def _apply_body(self, fact: Fact) -> None:
        if self._exists(fact.refs["id"], Body):
            return
        e = fact.entry
        parent = fact.refs["parent"]
        self.registry.register_body(
            e["name"],
            e["kind"],
            fact.context,
            key=e.get("key"),
            parent_body_id=parent.id if parent else None,
            owner_organisation_ids=[o.id for o in fact.refs["owners"] if o],
            mandate=e.get("mandate"),
            term_start=day(e.get("term_start")),
            term_end=day(e.get("term_end")),
        )

    def _apply_seats(self, fact: Fact, count: int | None = None) -> None:
        e = fact.entry
        org = fact.refs["on_behalf_of"]
        if fact.decision is None and count is None and self._exists(fact.refs["body"].id, Body):
            seats = self.registry.get(fact.refs["body"].id, Body).seats.values()
            if sum(1 for s in seats if s.label == e["label"]) >= e.get("count", 1):
                return  # a background fact already recorded (by another file)
        self.registry.define_seats(
            fact.refs["body"].id,
            [
                SeatSpec(
                    e["label"],
                    count or e.get("count", 1),
                    org.id if org else None,
                    e.get("note"),
                    role=e.get("role"),
                )
            ],
            fact.context,
            effective_date=self._date(fact, "date"),
        )

    def _correct_seats(self, old: Fact, new: Fact) -> None:
        self._apply_seats(new, count=new.attrs["count"] - old.attrs["count"])

    def _apply_cessations(self, fact: Fact) -> None:
        body, successor = fact.refs["body"], fact.refs["successor"]
        on = self._partial(fact)
        if fact.decision is None and self._exists(body.id, Body):
            held = self.registry.get(body.id, Body)
            if held.ceased_on == on.text:
                return  # a background fact already recorded (by another file)
        self.registry.cease_body(
            body.id,
            on,
            fact.context,
            how=fact.entry.get("how", "dissolved"),
            successor_body_id=successor.id if successor else None,
        )

    def _correct_cessations(self, old: Fact, new: Fact) -> None:
        assert self.reason is not None
        successor = new.refs["successor"]
        self.registry.correct_body_cessation(
            new.refs["body"].id,
            self._partial(new),
            self.reason,
            new.context,
            how=new.entry.get("how", "dissolved"),
            successor_body_id=successor.id if successor else None,
        )

    def _apply_renames(self, fact: Fact) -> None:
        body = fact.refs["body"]
        on = self._partial(fact)
        if fact.decision is None and self._exists(body.id, Body):
            held = self.registry.get(body.id, Body)
            if any(
                new == fact.entry["name"].strip() and d == on.text for _, new, d in held.renames
            ):
                return  # a background fact already recorded (by another file)
        self.registry.rename_body(body.id, fact.entry["name"], on, fact.context)
