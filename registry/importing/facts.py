"""From a validated minutes file to the facts it states, with every reference resolved.

A fact is one thing the registry records from the file: a declared person, the meeting, a
decision, one appointment, one allocation... Each has the path of its entry in the file, an
identity that stays the same between two versions of the file (so a changed file can be
compared fact by fact), the attributes that a correction may change, and the provenance its
events will carry (source item, authorising decision, note).

Nothing here writes: references are resolved against the file's declarations and, read-only,
the registry's aggregates.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from registry.application import Registry
from registry.dates import PartialDate, Precision, within_of
from registry.domain.agreement import Agreement
from registry.domain.assignment import Assignment
from registry.domain.body import Body
from registry.domain.decision import decision_id_for
from registry.domain.fund import Fund, allocation_id_for
from registry.domain.meeting import meeting_id_for
from registry.domain.organisation import Organisation
from registry.domain.person import Person
from registry.errors import InvalidInput, NotFound, RegistryError
from registry.ids import natural_id, normalise
from registry.importing.identity import identify, probing
from registry.importing.mandates import MANDATE_EFFECTS, MandateFacts
from registry.importing.plans import PLAN_CLASSES, PLAN_EFFECTS, PlanFacts
from registry.importing.problems import Problem, join_path, path_order
from registry.names import names_of
from registry.personal_data import KINDS
from registry.values import Actor, Context, Source, sek

DEFAULT_ACTOR = "minutes import"

#: The effect lists of a decision, in the order they are applied.
EFFECTS = (
    "seats",
    "appointments",
    "replacements",
    "endings",
    "agreements",
    "extensions",
    "adoptions",
    "revisions",
    "terminations",
    "funds",
    "allocations",
    "assignments",
    "reports",
    "completions",
    "conditions_met",
    "conditions_withdrawn",
    "appeals",
    *PLAN_EFFECTS,
    *MANDATE_EFFECTS,
    "cessations",
    "renames",
)

_CLASSES: dict[str, type] = {
    "organisation": Organisation,
    "body": Body,
    "person": Person,
    "agreement": Agreement,
    "fund": Fund,
    "assignment": Assignment,
    **PLAN_CLASSES,
}

# Kinds the registry can also find by the name it holds them under (their default key).
_BY_REGISTRY_NAME = ("organisation", "body", "agreement", "fund", "project")


@dataclass(frozen=True)
class Resolved:
    kind: str
    id: UUID
    name: str


@dataclass(frozen=True)
class DecisionInfo:
    """The decision a fact belongs to; effects take their defaults from it."""

    id: UUID
    body_id: UUID
    decided_on: date
    item: str
    ordinal: int
    identity: tuple[Any, ...]
    decided_on_unknown: bool = False  # `date_not_after`: decided_on is the latest it can be
    decided_precision: str | None = None  # "month" or "year": decided_on is its last day

    def default_date(self) -> str | None:
        """The date an effect takes when it gives none: the day decided, or the month or
        year when that is all the document gives; None when only a bound is known."""
        if self.decided_precision is not None:
            return within_of(self.decided_on, self.decided_precision).text
        return None if self.decided_on_unknown else self.decided_on.isoformat()


@dataclass
class Fact:
    kind: str
    path: str
    identity: tuple[Any, ...]
    attrs: dict[str, Any]
    entry: dict[str, Any]
    context: Context
    refs: dict[str, Any] = field(default_factory=dict)
    decision: DecisionInfo | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Document:
    """A validated file with its facts (or the problems that stop it being imported)."""

    data: dict[str, Any]
    facts: list[Fact]
    problems: list[Problem]
    body_id: UUID | None
    held_on: date
    document: str
    actor: Actor | None = None  # who writes (None: the file's recorded_by, as before)


#: How an imported document's stored content stands for a contact value: the ref of the
#: value kept apart in personal_data (the value never enters the event log).
STORED_PREFIX = "personal-data:"


def stored_ref(value: Any) -> UUID | None:
    """The ref a stored content's contact field stands for, or None for a plain value."""
    if isinstance(value, str) and value.startswith(STORED_PREFIX):
        with contextlib.suppress(ValueError):
            return UUID(value[len(STORED_PREFIX) :])
    return None


def note_of(*parts: str | None) -> str | None:
    notes = [p.strip() for p in parts if p and p.strip()]
    return "; ".join(notes) if notes else None


def as_text(value: Any) -> Any:
    """Attributes as plain values, so two versions of a file compare equal when they say the
    same thing (ids and dates as text, amounts exact)."""
    if isinstance(value, UUID | date):
        return str(value)
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, list | tuple):
        return [as_text(v) for v in value]
    return value


def amount_of(value: Any, field_name: str) -> Decimal:
    if isinstance(value, float):
        value = str(value)
    if isinstance(value, str):
        value = value.replace(" ", "").replace("\u00a0", "")
    return sek(value, field_name)


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


def _listed(attendees: list[tuple[Resolved | None, str | None]], printed: list[str]) -> list:
    """An attendance list for comparing versions of a file: each person's id, with the name
    as printed where it is not the registered one."""
    found = [p for p, _ in attendees if p is not None]
    return [
        as_text(p.id) if name == p.name else [as_text(p.id), name]
        for p, name in zip(found, printed, strict=True)
    ]


def _is_uuid(value: str) -> bool:
    try:
        UUID(str(value))
    except ValueError:
        return False
    return True


def _a(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


class _Builder(PlanFacts, MandateFacts):
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

    def _identify(
        self,
        kind: str,
        path: str,
        name_field: str,
        entry: dict[str, Any],
        owners: list[UUID] | None,
        effects_path: str = "background",
    ) -> UUID:
        """The id a declaration stands for (registry/importing/identity.py)."""
        found = identify(
            self.registry,
            self.resolver.problems,
            kind=kind,
            path=path,
            name_field=name_field,
            entry=entry,
            owners=owners,
            by_decision=effects_path != "background",
        )
        self._ids[(kind, path)] = found
        return found

    # -- helpers ---------------------------------------------------------------------------

    def context(
        self, note: str | None, item: str | None = None, decision: DecisionInfo | None = None
    ) -> Context:
        source = Source(self.source["document"], item, self.source.get("url"))
        return self.actor.context(
            source, decision.id if decision else None, note, stated_by=self.stated_by
        )

    def ref(self, entry: dict[str, Any], key: str, kinds: Sequence[str], path: str) -> Any:
        value = entry.get(key)
        if value is None:
            return None
        resolved = self.resolver.resolve(value, kinds, join_path(path, key))
        return resolved

    def add(self, fact: Fact) -> None:
        identity = fact.identity
        n = 2
        while identity in self._identities:
            identity = (*fact.identity, n)
            n += 1
        fact.identity = identity
        self._identities.add(identity)
        self.facts.append(fact)

    # -- declarations ----------------------------------------------------------------------

    def declare_all(self) -> None:
        for i, org in enumerate(self.data.get("organisations", [])):
            oid = self._identify("organisation", f"organisations[{i}]", "name", org, None)
            self.resolver.declare(
                "organisation",
                f"organisations[{i}]",
                org.get("ref"),
                [org["name"]],
                oid,
                org["name"],
            )
        bodies = [(f"bodies[{i}]", b) for i, b in enumerate(self.data.get("bodies", []))]
        if isinstance(self.data["body"], dict):
            bodies.insert(0, ("body", self.data["body"]))
        self._bodies = bodies
        for path, body in bodies:
            owners = [
                self.resolver.resolve(o, ["organisation"], join_path(path, "owners", k))
                for k, o in enumerate(body.get("owners", []))
            ]
            bid = self._identify("body", path, "name", body, [o.id for o in owners if o])
            resolved = self.resolver.declare(
                "body", path, body.get("ref"), [body["name"]], bid, body["name"]
            )
            if path == "body":
                self.body = resolved
        self._persons: list[tuple[str, dict[str, Any], Resolved, Any]] = []
        for i, person in enumerate(self.data.get("persons", [])):
            path = f"persons[{i}]"
            org = self.ref(person, "organisation", ["organisation"], path)
            key = person.get("key") or f"{person['name']}|{org.id if org else ''}"
            resolved = self.resolver.declare(
                "person",
                path,
                person.get("ref"),
                [person["name"], *person.get("variants", [])],
                natural_id("person", key),
                person["name"],
            )
            self._persons.append((path, person, resolved, org))
        if self.body is None:
            self.body = self.resolver.resolve(self.data["body"], ["body"], "body")
        # Agreements, funds and assignments are declared by the decisions that create them.
        for path, entries, decision_body in self._effect_lists():
            for i, entry in enumerate(entries.get("agreements", [])):
                epath = join_path(path, "agreements", i)
                parties = [
                    self.resolver.resolve(p, ["organisation"], join_path(epath, "parties", k))
                    for k, p in enumerate(entry["parties"])
                ]
                aid = self._identify(
                    "agreement", epath, "title", entry, [p.id for p in parties if p], path
                )
                self.resolver.declare(
                    "agreement",
                    join_path(path, "agreements", i),
                    entry.get("ref"),
                    [entry["title"]],
                    aid,
                    entry["title"],
                )
            for i, entry in enumerate(entries.get("funds", [])):
                fid = self._identify("fund", join_path(path, "funds", i), "name", entry, None, path)
                self.resolver.declare(
                    "fund",
                    join_path(path, "funds", i),
                    entry.get("ref"),
                    [entry["name"]],
                    fid,
                    entry["name"],
                )
            for i, entry in enumerate(entries.get("assignments", [])):
                epath = join_path(path, "assignments", i)
                given_by = self.ref(entry, "given_by", ["body"], epath) or decision_body
                if given_by is None:
                    continue
                key = entry.get("key") or f"{given_by.id}|{normalise(entry['task'])}"
                self.resolver.declare(
                    "assignment",
                    epath,
                    entry.get("ref"),
                    [],
                    natural_id("assignment", key),
                    entry["task"],
                )
            self.declare_plans(path, entries, decision_body)

    def _effect_lists(self) -> Iterator[tuple[str, dict[str, Any], Resolved | None]]:
        if "background" in self.data:
            yield "background", self.data["background"], self.body
        for i, item in enumerate(self.data["items"]):
            for j, decision in enumerate(item.get("decisions", [])):
                path = f"items[{i}].decisions[{j}]"
                body = (
                    self.ref(decision, "body", ["body"], path) if "body" in decision else self.body
                )
                yield path, decision, body

    def declaration_facts(self) -> None:
        for i, org in enumerate(self.data.get("organisations", [])):
            oid = self._ids[("organisation", f"organisations[{i}]")]
            self.add(
                Fact(
                    "organisation",
                    f"organisations[{i}]",
                    ("organisation", oid),
                    {"name": org["name"], "kind": org["kind"]},
                    org,
                    self.context(org.get("note")),
                    {"id": oid},
                )
            )
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
                return
            for path, body, parent in ready:
                pending.remove((path, body))
                bid = self._ids[("body", path)]
                done.add(bid)
                owners = [
                    self.resolver.resolve(o, ["organisation"], join_path(path, "owners", k))
                    for k, o in enumerate(body.get("owners", []))
                ]
                self.add(
                    Fact(
                        "body",
                        path,
                        ("body", bid),
                        {
                            "name": body["name"],
                            "kind": body["kind"],
                            "parent": as_text(parent.id if parent else None),
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
        for path, person, resolved, org in self._persons:
            self.add(
                Fact(
                    "person",
                    path,
                    ("person", resolved.id),
                    {
                        "name": person["name"],
                        "title": person.get("title"),
                        "party": person.get("party"),
                        "organisation": as_text(org.id if org else None),
                    },
                    person,
                    self.context(person.get("note")),
                    {"id": resolved.id, "organisation": org},
                )
            )
            for kind in KINDS:
                if kind not in person:
                    continue
                value = person[kind]
                stored = stored_ref(value)
                self.add(
                    Fact(
                        "contact",
                        join_path(path, kind),
                        ("contact", resolved.id, kind),
                        # The ref, never the value: facts are compared and their attributes
                        # shown in differences. A file's value gets its ref in importer.py.
                        {"ref": str(stored) if stored else None},
                        {"kind": kind, "value": None if stored else value},
                        self.context(person.get("note")),
                        {"person": resolved},
                    )
                )
            for k, variant in enumerate(person.get("variants", [])):
                self.add(
                    Fact(
                        "variant",
                        join_path(path, "variants", k),
                        ("variant", resolved.id, normalise(variant)),
                        {},
                        {"variant": variant},
                        self.context(person.get("note")),
                        {"person": resolved},
                    )
                )

    # -- the meeting -----------------------------------------------------------------------

    def attendee(self, value: Any, path: str) -> tuple[Resolved | None, str | None]:
        if isinstance(value, dict):
            return self.resolver.resolve(
                value["person"], ["person"], join_path(path, "person")
            ), value.get("note")
        return self.resolver.resolve(value, ["person"], path), None

    def printed(self, value: Any, person: Resolved) -> str:
        """The name as the list prints it: `as_printed`, else the reference when it is a
        name (or name variant) rather than a local ref or an id, else the registered name."""
        if isinstance(value, dict):
            if value.get("as_printed"):
                return str(value["as_printed"]).strip()
            value = value["person"]
        if self.resolver.is_local_ref(value) or _is_uuid(value):
            return person.name
        return " ".join(str(value).split())

    def secretaries(self, meeting: dict[str, Any], notes: list[str | None]) -> list[Resolved]:
        """`secretaries`: several persons, each once; their notes go to the meeting's."""
        if "secretaries" not in meeting:
            return []
        if "secretary" in meeting:
            self.resolver.problems.append(
                Problem(
                    "meeting.secretaries",
                    "give secretary (one person) or secretaries (several), not both",
                    "INVALID_INPUT",
                )
            )
            return []
        found: list[Resolved] = []
        for i, value in enumerate(meeting["secretaries"]):
            path = join_path("meeting", "secretaries", i)
            person, note = self.attendee(value, path)
            if person is None:
                continue
            if person in found:
                self.resolver.problems.append(
                    Problem(path, f"names {person.name} as secretary twice", "INVALID_INPUT")
                )
                continue
            found.append(person)
            if note:
                notes.append(f"secretary {person.name}: {note}")
        return found

    def meeting_fact(self) -> UUID | None:
        meeting = self.data.get("meeting")
        if meeting is None or self.body is None:
            return None
        sequence = meeting.get("sequence", 1)
        mid = meeting_id_for(self.body.id, self.held_on, sequence)
        lists: dict[str, list[tuple[Resolved | None, str | None]]] = {}
        printed: dict[str, list[str]] = {}
        for key in ("present", "absent"):
            lists[key] = [
                self.attendee(a, join_path("meeting", key, i))
                for i, a in enumerate(meeting.get(key, []))
            ]
            printed[key] = [
                self.printed(a, p)
                for a, (p, _) in zip(meeting.get(key, []), lists[key], strict=True)
                if p is not None
            ]
        notes = [meeting.get("note")]
        single: dict[str, Resolved | None] = {}
        for key in ("chair", "secretary"):
            single[key] = None
            if key in meeting:
                single[key], note = self.attendee(meeting[key], join_path("meeting", key))
                if note:
                    notes.append(f"{key}: {note}")
        secretaries = self.secretaries(meeting, notes)
        if secretaries:
            single["secretary"] = secretaries[0]
        items = []
        for i, item in enumerate(self.data["items"]):
            presenters = [
                self.attendee(p, join_path(f"items[{i}]", "presenters", k))
                for k, p in enumerate(item.get("presenters", []))
            ]
            item_notes = [item.get("note")] + [
                f"presenter {p.name}: {n}" for p, n in presenters if p is not None and n
            ]
            items.append(
                {
                    "number": str(item["number"]),
                    "title": item["title"],
                    "presenters": [p for p, _ in presenters if p is not None],
                    "note": note_of(*item_notes),
                }
            )
        self.add(
            Fact(
                "meeting",
                "meeting",
                ("meeting", mid),
                {
                    "time": meeting.get("time"),
                    "place": meeting.get("place"),
                    "present": _listed(lists["present"], printed["present"]),
                    "absent": _listed(lists["absent"], printed["absent"]),
                    "chair": as_text(single["chair"].id) if single["chair"] else None,
                    "secretary": as_text(single["secretary"].id) if single["secretary"] else None,
                    "additional_secretaries": [as_text(p.id) for p in secretaries[1:]],
                    "items": [
                        [it["number"], it["title"], [as_text(p.id) for p in it["presenters"]]]
                        for it in items
                    ],
                },
                meeting,
                self.context(note_of(*notes)),
                {
                    "id": mid,
                    **lists,
                    **single,
                    "additional_secretaries": secretaries[1:],
                    "items": items,
                    "sequence": sequence,
                    "printed": printed,
                },
                extra={"body_id": self.body.id, "held_on": self.held_on},
            )
        )
        return mid

    # -- decisions and their effects ---------------------------------------------------------

    def decision_facts(self, meeting_id: UUID | None) -> None:
        if "background" in self.data and self.body is not None:
            self.effect_facts("background", self.data["background"], None, self.body)
        for i, item in enumerate(self.data["items"]):
            number = str(item["number"])
            for j, entry in enumerate(item.get("decisions", [])):
                path = f"items[{i}].decisions[{j}]"
                body = self.ref(entry, "body", ["body"], path) if "body" in entry else self.body
                if body is None:
                    continue
                unknown = "date_not_after" in entry
                if unknown and "date" in entry:
                    self.resolver.problems.append(
                        Problem(
                            join_path(path, "date_not_after"),
                            "give date (the day decided) or date_not_after (the date is not "
                            "in the document: the latest it can have been), not both",
                            "INVALID_INPUT",
                        )
                    )
                    continue
                given = entry.get("date_not_after") or entry.get("date")
                decided_on = date.fromisoformat(given) if unknown else self.held_on
                precision = None
                if not unknown and given:
                    try:
                        within = PartialDate.parse(given, "date")
                    except InvalidInput as error:
                        self.resolver.problems.append(
                            Problem(join_path(path, "date"), error.message, "INVALID_DATE")
                        )
                        continue
                    decided_on = within.latest
                    if within.precision is not Precision.DAY:
                        # Known only to the month or year: the latest day it can have been,
                        # with the precision that says how much earlier it may lie.
                        unknown, precision = True, str(within.precision)
                ordinal = j + 1
                did = decision_id_for(body.id, decided_on, number, ordinal, unknown, precision)
                day = f"not after {decided_on}" if unknown else str(decided_on)
                if precision:
                    day = f"in {within_of(decided_on, precision)}"
                identity = ("decision", str(body.id), day, normalise(number), ordinal)
                info = DecisionInfo(
                    did, body.id, decided_on, number, ordinal, identity, unknown, precision
                )
                conditions = [
                    c if isinstance(c, str) else c["text"] for c in entry.get("conditions", [])
                ]
                condition_notes = [
                    f"condition {k + 1}: {c['note']}"
                    for k, c in enumerate(entry.get("conditions", []))
                    if isinstance(c, dict) and c.get("note")
                ]
                deferred_to = self._deferred_to(entry, path, body)
                in_meeting = (
                    meeting_id
                    if body.id == self.body.id and decided_on == self.held_on and not unknown  # type: ignore[union-attr]
                    else None
                )
                self.add(
                    Fact(
                        "decision",
                        path,
                        identity,
                        {
                            "kind": entry["kind"],
                            "text": entry["text"],
                            "conditions": conditions,
                            **({"deferred_to": deferred_to} if deferred_to else {}),
                        },
                        entry,
                        self.context(note_of(entry.get("note"), *condition_notes), number),
                        {"body": body, "meeting_id": in_meeting, "deferred_to": deferred_to},
                        info,
                    )
                )
                votes = self.vote_facts(path, entry, info, number)
                for k, statement in enumerate(entry.get("statements", [])):
                    self.statement_fact(join_path(path, "statements", k), statement, info, votes)
                claim = self.claim_fact(
                    path,
                    entry,
                    info,
                    body,
                    self.context(entry.get("claim", {}).get("note"), number, info),
                )
                if claim is not None:
                    self.add(claim)
                self.effect_facts(path, entry, info, body)

    def vote_facts(
        self, path: str, entry: dict[str, Any], info: DecisionInfo, number: str
    ) -> dict[str, int]:
        """A fact per vote (votering) on the decision; its refs to their ordinals."""
        refs: dict[str, int] = {}
        for k, vote in enumerate(entry.get("votes", [])):
            vpath = join_path(path, "votes", k)
            if "ref" in vote:
                if vote["ref"] in refs:
                    self.resolver.problems.append(
                        Problem(
                            join_path(vpath, "ref"),
                            f"the vote ref {vote['ref']!r} is used twice",
                            "DUPLICATE_REF",
                        )
                    )
                refs[vote["ref"]] = k + 1
            ballots = []
            for b, ballot in enumerate(vote.get("ballots", [])):
                bpath = join_path(vpath, "ballots", b)
                person = self.ref(ballot, "person", ["person"], bpath)
                if "person" in ballot and person is None:
                    continue
                ballots.append((person, ballot.get("name"), ballot["vote"], ballot.get("party")))
            self.add(
                Fact(
                    "votes",
                    vpath,
                    (*info.identity, "vote", k + 1),
                    {
                        "question": vote.get("question"),
                        "for": vote.get("for"),
                        "against": vote.get("against"),
                        "abstain": vote.get("abstain"),
                        "ballots": [
                            [str(p.id) if p else n, v, party] for p, n, v, party in ballots
                        ],
                    },
                    vote,
                    self.context(vote.get("note"), number, info),
                    {"ballots": ballots},
                    info,
                )
            )
        return refs

    def statement_fact(
        self, spath: str, statement: dict[str, Any], info: DecisionInfo, votes: dict[str, int]
    ) -> None:
        """A reservation or särskilt uttalande, by one person, several or a party group."""
        given = statement.get("by")
        listed = given if isinstance(given, list) else [given] if given is not None else []
        authors = [
            self.resolver.resolve(
                ref,
                ["person"],
                join_path(spath, "by", k) if isinstance(given, list) else join_path(spath, "by"),
            )
            for k, ref in enumerate(listed)
        ]
        if None in authors:
            return
        vote = None
        if "vote" in statement:
            vote = votes.get(statement["vote"])
            if vote is None:
                self.resolver.problems.append(
                    Problem(
                        join_path(spath, "vote"),
                        f"no vote with ref {statement['vote']!r} in this decision's votes",
                        "UNKNOWN_REFERENCE",
                    )
                )
                return
        by = authors[0] if authors else None
        who = str(by.id) if by else normalise(statement.get("by_name") or statement["party"])
        self.add(
            Fact(
                "statement",
                spath,
                (*info.identity, "statement", who, statement["kind"], normalise(statement["text"])),
                {
                    "by": [str(a.id) for a in authors if a],
                    "by_name": statement.get("by_name"),
                    "party": statement.get("party"),
                    "and_others": statement.get("and_others", False),
                    "vote": vote,
                },
                statement,
                self.context(statement.get("note"), info.item, info),
                {"by": by, "authors": authors, "vote": vote},
                info,
            )
        )

    def _deferred_to(self, entry: dict[str, Any], path: str, body: Resolved) -> list[str] | None:
        """`deferred_to`: the meeting a deferred item goes to, as [meeting id, body id, day]."""
        given = entry.get("deferred_to")
        if given is None:
            return None
        where = join_path(path, "deferred_to")
        if entry["kind"] != "deferred":
            self.resolver.problems.append(
                Problem(
                    where,
                    f"only a deferred item goes to a later meeting (kind is {entry['kind']!r})",
                    "INVALID_INPUT",
                )
            )
            return None
        target = self.ref(given, "body", ["body"], where) if "body" in given else body
        if target is None:
            return None
        day = date.fromisoformat(given["date"])
        mid = meeting_id_for(target.id, day, given.get("sequence", 1))
        return [str(mid), str(target.id), day.isoformat()]

    def effect_facts(
        self, path: str, entries: dict[str, Any], decision: DecisionInfo | None, body: Resolved
    ) -> None:
        owner = decision.identity if decision else ("background",)
        item = decision.item if decision else None
        background_note = entries.get("note") if decision is None else None
        for name in EFFECTS:
            for i, entry in enumerate(entries.get(name, [])):
                epath = join_path(path, name, i)
                ctx = self.context(note_of(background_note, entry.get("note")), item, decision)
                build = getattr(self, f"_{name}")
                built = build(entry, epath, body, owner)
                if built is None:
                    continue
                identity, attrs, refs = built
                self.add(Fact(name, epath, identity, attrs, entry, ctx, refs, decision))

    def _body_of(self, entry: dict[str, Any], path: str, default: Resolved) -> Resolved | None:
        return self.ref(entry, "body", ["body"], path) if "body" in entry else default

    def _seats(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        target = self._body_of(entry, path, body)
        org = self.ref(entry, "on_behalf_of", ["organisation"], path)
        if target is None:
            return None
        identity = ("seat", owner, str(target.id), normalise(entry["label"]))
        attrs = {
            "count": entry.get("count", 1),
            "on_behalf_of": as_text(org.id if org else None),
            "role": entry.get("role", "member"),
        }
        return identity, attrs, {"body": target, "on_behalf_of": org}

    def _appointments(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        refs = {
            "body": self._body_of(entry, path, body),
            "person": self.ref(entry, "person", ["person"], path),
            "on_behalf_of": self.ref(entry, "on_behalf_of", ["organisation"], path),
            "deputy_for": self.ref(entry, "deputy_for", ["person"], path),
        }
        if refs["body"] is None or refs["person"] is None:
            return None
        role = entry.get("role", "member")
        identity = ("appointment", owner, str(refs["body"].id), str(refs["person"].id), role)
        attrs = {
            k: entry.get(k)
            for k in (
                "start",
                "start_not_after",
                "end",
                "seat",
                "seat_number",
                "seat_unknown",
                "note",
            )
        } | {
            "on_behalf_of": as_text(refs["on_behalf_of"].id if refs["on_behalf_of"] else None),
            "deputy_for": as_text(refs["deputy_for"].id if refs["deputy_for"] else None),
        }
        return identity, attrs, refs

    def _replacements(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        refs = {
            "body": self._body_of(entry, path, body),
            "incoming": self.ref(entry, "incoming", ["person"], path),
            "outgoing": self.ref(entry, "outgoing", ["person"], path),
            "on_behalf_of": self.ref(entry, "on_behalf_of", ["organisation"], path),
        }
        if None in (refs["body"], refs["incoming"], refs["outgoing"]):
            return None
        identity = (
            "replacement",
            owner,
            str(refs["body"].id),
            str(refs["outgoing"].id),
            str(refs["incoming"].id),
        )
        attrs = {
            "date": entry.get("date"),
            "role": entry.get("role"),
            "on_behalf_of": as_text(refs["on_behalf_of"].id if refs["on_behalf_of"] else None),
        }
        return identity, attrs, refs

    def _endings(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        refs = {
            "body": self._body_of(entry, path, body),
            "person": self.ref(entry, "person", ["person"], path),
        }
        if None in refs.values():
            return None
        identity = (
            "ending",
            owner,
            str(refs["body"].id),
            str(refs["person"].id),
            entry.get("role"),
        )
        return identity, {"end": entry.get("end")}, refs

    def _agreements(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        aid = self._ids.get(("agreement", path)) or natural_id(
            "agreement", entry.get("key") or entry["title"]
        )
        parties = [
            self.resolver.resolve(p, ["organisation"], join_path(path, "parties", k))
            for k, p in enumerate(entry["parties"])
        ]
        if None in parties:
            return None
        rule = entry.get("entry_into_force")
        attrs = {
            "title": entry["title"],
            "parties": [str(p.id) for p in parties if p],
            "valid_from": entry.get("valid_from"),
            "valid_from_not_after": entry.get("valid_from_not_after"),
            "valid_until": entry.get("valid_until"),
            "entry_into_force": [rule.get("not_before"), rule["requires_all_adoptions"]]
            if rule
            else None,
        }
        return ("agreement", aid), attrs, {"id": aid, "parties": parties}

    def _extensions(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        agreement = self.ref(entry, "agreement", ["agreement"], path)
        if agreement is None:
            return None
        identity = ("extension", owner, str(agreement.id), entry.get("key") or entry["until"])
        attrs = {
            "until": entry["until"],
            "proposed": entry.get("proposed", False),
            "key": entry.get("key"),
        }
        return identity, attrs, {"agreement": agreement}

    def _adoptions(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        refs = {
            "agreement": self.ref(entry, "agreement", ["agreement"], path),
            "party": self.ref(entry, "party", ["organisation"], path),
        }
        if None in refs.values():
            return None
        identity = (
            "adoption",
            str(refs["agreement"].id),
            str(refs["party"].id),
            entry.get("extension"),
        )
        return identity, {"adopted_on": entry.get("adopted_on")}, refs

    def _revisions(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        agreement = self.ref(entry, "agreement", ["agreement"], path)
        if agreement is None:
            return None
        identity = ("revision", owner, str(agreement.id), normalise(entry["description"]))
        return identity, {"from": entry.get("from")}, {"agreement": agreement}

    def _terminations(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        agreement = self.ref(entry, "agreement", ["agreement"], path)
        if agreement is None:
            return None
        attrs = {"last_day": entry["last_day"], "reason": entry["reason"]}
        return ("termination", owner, str(agreement.id)), attrs, {"agreement": agreement}

    def _funds(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        fid = self._ids.get(("fund", path)) or natural_id("fund", entry.get("key") or entry["name"])
        try:
            total = as_text(amount_of(entry["total"], "total"))
        except RegistryError as error:  # the domain refuses it again when it is applied
            total = str(error)
        attrs = {
            "name": entry["name"],
            "total": total,
            "period_start": entry.get("period_start"),
            "period_end": entry.get("period_end"),
            "source_of_funds": entry.get("source_of_funds"),
        }
        return ("fund", fid), attrs, {"id": fid}

    def _allocations(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        fund = self.ref(entry, "fund", ["fund"], path)
        recipient = self.ref(entry, "recipient_ref", ["organisation", "body", "person"], path)
        if fund is None:
            return None
        key = entry.get("key") or f"{entry['recipient']}|{entry['purpose']}"
        allocation_id = allocation_id_for(fund.id, key)
        try:
            amount = as_text(amount_of(entry["amount"], "amount"))
        except RegistryError as error:
            amount = str(error)
        attrs = {
            "amount": amount,
            "recipient": entry["recipient"],
            "purpose": entry["purpose"],
            "recipient_ref": as_text(recipient.id if recipient else None),
        }
        refs = {
            "fund": fund,
            "recipient_ref": recipient,
            "allocation_id": allocation_id,
            "key": key,
        }
        return ("allocation", str(fund.id), str(allocation_id)), attrs, refs

    def _assignments(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        given_by = self.ref(entry, "given_by", ["body"], path) or body
        holder = self.ref(entry, "holder", ["person", "body", "organisation"], path)
        if "holder" in entry and holder is None:
            return None
        key = entry.get("key") or f"{given_by.id}|{normalise(entry['task'])}"
        aid = natural_id("assignment", key)
        attrs = {
            "holder": as_text(holder.id) if holder else entry.get("holder_name"),
            "task": entry["task"],
            "due": entry.get("due"),
            "given_on": entry.get("given_on"),
            "given_by": str(given_by.id),
        }
        return (
            ("assignment", aid),
            attrs,
            {"id": aid, "holder": holder, "given_by": given_by, "key": key},
        )

    def _assignment_of(self, entry: dict[str, Any], path: str, body: Resolved) -> UUID | None:
        """The assignment an effect refers to: a reference, or its task (+ given_by)."""
        if "assignment" in entry:
            assignment = self.ref(entry, "assignment", ["assignment"], path)
            return assignment.id if assignment else None
        given_by = self.ref(entry, "given_by", ["body"], path) or body
        return natural_id("assignment", f"{given_by.id}|{normalise(entry['task'])}")

    def _reports(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        aid = self._assignment_of(entry, path, body)
        if aid is None:
            return None
        identity = ("report", owner, str(aid), normalise(entry["text"]))
        return identity, {"reported_on": entry.get("reported_on")}, {"id": aid}

    def _completions(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        aid = self._assignment_of(entry, path, body)
        if aid is None:
            return None
        return ("completion", str(aid)), {"completed_on": entry.get("completed_on")}, {"id": aid}

    def _condition_of(self, entry: dict[str, Any], path: str, body: Resolved) -> Any:
        """The earlier decision a condition belongs to, and which of its conditions."""
        target = entry["decision"]
        where = join_path(path, "decision")
        target_body = self.ref(target, "body", ["body"], where) if "body" in target else body
        if target_body is None:
            return None
        day = date.fromisoformat(target["date"])
        item = str(target["item"])
        ordinal = target.get("ordinal", 1)
        did = decision_id_for(target_body.id, day, item, ordinal)
        which = entry["condition"]
        identity = (str(did), which if isinstance(which, int) else normalise(which))
        return identity, {"decision_id": did, "condition": which}

    def _conditions_met(
        self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple
    ) -> Any:
        found = self._condition_of(entry, path, body)
        if found is None:
            return None
        identity, refs = found
        return ("condition_met", *identity), {"met_on": entry.get("met_on")}, refs

    def _conditions_withdrawn(
        self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple
    ) -> Any:
        found = self._condition_of(entry, path, body)
        if found is None:
            return None
        identity, refs = found
        attrs = {"withdrawn_on": entry.get("withdrawn_on"), "reason": entry["reason"]}
        return ("condition_withdrawn", *identity), attrs, refs

    def _appeals(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        return appeal_of(self, entry, path, body, owner)

    def _cessations(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        refs = {
            "body": self._body_of(entry, path, body),
            "successor": self.ref(entry, "successor", ["body"], path),
        }
        if refs["body"] is None or ("successor" in entry and refs["successor"] is None):
            return None
        identity = ("cessation", str(refs["body"].id))
        attrs = {
            "date": entry.get("date"),
            "how": entry.get("how", "dissolved"),
            "successor": as_text(refs["successor"].id if refs["successor"] else None),
        }
        return identity, attrs, refs

    def _renames(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        target = self._body_of(entry, path, body)
        if target is None:
            return None
        identity = ("rename", str(target.id), normalise(entry["name"]))
        return identity, {"date": entry.get("date")}, {"body": target}


def _declared_ids(data: dict[str, Any]) -> list[UUID]:
    """The ids the file's declarations stand for under their own keys (as identify computes
    them), to learn in one query which the registry does not hold yet."""
    found: list[UUID] = []

    def declared(kind: str, entry: Any, name_field: str) -> None:
        if isinstance(entry, dict) and isinstance(entry.get(name_field), str):
            found.append(natural_id(kind, entry.get("key") or entry[name_field]))

    for org in data.get("organisations", []):
        declared("organisation", org, "name")
    for body in [data.get("body"), *data.get("bodies", [])]:
        declared("body", body, "name")
    effects = [data.get("background") or {}]
    for item in data.get("items", []):
        effects.extend(item.get("decisions", []))
    for entries in effects:
        for entry in entries.get("agreements", []):
            declared("agreement", entry, "title")
        for entry in entries.get("funds", []):
            declared("fund", entry, "name")
    return found


def build(registry: Registry, data: dict[str, Any], actor: Actor | None = None) -> Document:
    """The facts of a schema-valid file, in the order they are recorded, with `actor` (by
    default the file's recorded_by) as who writes them."""
    builder = _Builder(registry, data, actor)
    with probing(registry, _declared_ids(data)):
        builder.declare_all()
        builder.declaration_facts()
        meeting_id = builder.meeting_fact()
        builder.decision_facts(meeting_id)
        serving_facts(builder, meeting_id)
        approval_facts(builder, meeting_id)
    problems = sorted(set(builder.resolver.problems), key=lambda p: path_order(p.path))
    return Document(
        data=data,
        facts=builder.facts,
        problems=problems,
        body_id=builder.body.id if builder.body else None,
        held_on=builder.held_on,
        document=data["source"]["document"],
        actor=actor,
    )


from registry.importing.approval import appeal_of, approval_facts  # noqa: E402  (as serving)
from registry.importing.serving import serving_facts  # noqa: E402  (it uses Fact from here)
