"""Importing one minutes file: all or nothing, idempotent, corrections only when asked.

1. parse (YAML or JSON) and check against the JSON Schema;
2. resolve every reference and build the file's facts (registry/importing/building.py);
3. compare with the version of the same document imported before, if any (same source
   document, body and date): the same content is a no-op; other content is refused with a
   difference, or, with `correct=True` and a reason, recorded as corrections;
4. record every fact with the registry's commands in one unit of work, together with the
   ImportedDocument that remembers the content, so the file is saved whole or not at all.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import yaml

from registry.application import Registry
from registry.domain.imported import ImportedDocument, imported_document_id_for
from registry.errors import NotFound, RegistryError
from registry.importing.applying import Applier, problem_for
from registry.importing.building import build
from registry.importing.facts import DEFAULT_ACTOR, STORED_PREFIX, Document, Fact
from registry.importing.loading import format_for, parse, validate
from registry.importing.problems import ImportRefused, Problem
from registry.importing.scope import writes_for
from registry.personal_data import KINDS
from registry.values import Actor, Context, Source

#: Called with the bodies and the organisations an import writes for; raises to refuse it.
Authorise = Callable[[frozenset[UUID], frozenset[UUID]], None]


@dataclass(frozen=True)
class ImportResult:
    """What an import did: `status` is "imported", "unchanged" or "corrected"."""

    file: str
    status: str
    document_id: UUID
    events: int
    facts: int
    changes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "status": self.status,
            "document_id": str(self.document_id),
            "events": self.events,
            "facts": self.facts,
            "changes": self.changes,
        }


def import_file(
    registry: Registry,
    path: str | Path,
    correct: bool = False,
    reason: str | None = None,
    *,
    actor: Actor | None = None,
    authorise: Authorise | None = None,
) -> ImportResult:
    """Import a .yaml, .yml or .json minutes file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ImportRefused(
            str(path), [Problem("", f"cannot be read: {error}", "UNREADABLE")]
        ) from None
    return import_text(
        registry, text, str(path), correct=correct, reason=reason, actor=actor, authorise=authorise
    )


def import_text(
    registry: Registry,
    text: str,
    name: str,
    fmt: str | None = None,
    correct: bool = False,
    reason: str | None = None,
    *,
    actor: Actor | None = None,
    authorise: Authorise | None = None,
) -> ImportResult:
    """Import a file's text; `fmt` "yaml" or "json" (default: from the name's suffix)."""
    data, problems = parse(text, fmt or format_for(name))
    if problems:
        raise ImportRefused(name, problems)
    return import_data(
        registry, data, name, correct=correct, reason=reason, actor=actor, authorise=authorise
    )


def import_data(
    registry: Registry,
    data: Any,
    name: str,
    correct: bool = False,
    reason: str | None = None,
    *,
    actor: Actor | None = None,
    authorise: Authorise | None = None,
) -> ImportResult:
    """Import parsed content (a dict as the schema describes). `actor` is who writes (by
    default the file's recorded_by); `authorise(bodies, organisations)` is called with what
    the import writes for (registry/importing/scope.py) before anything is written, and may
    raise to refuse it."""
    problems = validate(data) or _stored_forms(data)
    if problems:
        raise ImportRefused(name, problems)
    if correct and not (reason and reason.strip()):
        raise ImportRefused(
            name, [Problem("", "a correction needs a reason (--reason)", "MISSING_REASON")]
        )
    document = build(registry, data, actor)
    if document.problems or document.body_id is None:
        raise ImportRefused(name, document.problems)
    if authorise is not None:
        authorise(*writes_for(registry, document))
    document_id = imported_document_id_for(document.document, document.body_id, document.held_on)
    try:
        previous = registry.get(document_id, ImportedDocument)
    except NotFound:
        previous = None
    # What the registry keeps of the file (and hashes, and compares) has each contact value
    # replaced by the ref of the value kept apart: no event ever holds the value.
    document.data = data = keep_apart(registry, document, previous)
    content_hash = content_hash_of(data)
    if previous is None:
        return _record(registry, name, document, content_hash, document_id)
    if previous.content_hash == content_hash:
        return ImportResult(name, "unchanged", document_id, 0, len(document.facts))
    diff = difference(previous.content, data, name)
    if not correct:
        raise ImportRefused(
            name,
            [
                Problem(
                    "",
                    "differs from the version of this document imported before; nothing was "
                    "written. To record the differences as corrections, import it again with "
                    '--correct --reason "why"',
                    "CHANGED",
                )
            ],
            diff,
        )
    return _correct(registry, name, previous, document, content_hash, reason or "", diff)


def _stored_forms(data: Any) -> list[Problem]:
    """A file gives contact values, never the registry's stored form of one."""
    problems = []
    for i, person in enumerate(data.get("persons", []) if isinstance(data, dict) else []):
        for kind in KINDS:
            value = person.get(kind) if isinstance(person, dict) else None
            if isinstance(value, str) and value.startswith(STORED_PREFIX):
                problems.append(
                    Problem(
                        f"persons[{i}].{kind}",
                        f"must be the {kind} itself, not a reference to kept-apart personal data",
                        "INVALID_VALUE",
                    )
                )
    return problems


def keep_apart(
    registry: Registry, document: Document, previous: ImportedDocument | None
) -> dict[str, Any]:
    """The file's content as the registry keeps it: each contact value replaced by
    `personal-data:<ref>`. A value the same document gave before keeps its ref (also when it
    has since been redacted: importing the same file again does not bring it back), as does
    one the person already holds; any other value gets a new ref. Each contact fact gets its
    ref."""
    contacts = [f for f in document.facts if f.kind == "contact" and f.attrs["ref"] is None]
    if not contacts:
        return document.data
    before: dict[tuple[Any, ...], uuid.UUID] = {}
    if previous is not None:
        old = build(registry, previous.content)
        before = {
            f.identity: uuid.UUID(f.attrs["ref"])
            for f in old.facts
            if f.kind == "contact" and f.attrs["ref"]
        }
    kept = registry.personal_data(before.values())
    stored = copy.deepcopy(document.data)
    for fact in contacts:
        kind, value = fact.entry["kind"], str(fact.entry["value"]).strip()
        ref = before.get(fact.identity)
        if ref is not None and ref in kept and kept[ref].value not in (None, value):
            ref = None  # the file now gives another value: a correction adds it
        if ref is None:
            ref = registry.contact_ref(fact.refs["person"].id, kind, value) or uuid.uuid4()
        fact.attrs["ref"] = str(ref)
        index = int(fact.path.split("[", 1)[1].split("]", 1)[0])
        stored["persons"][index][kind] = f"{STORED_PREFIX}{ref}"
    return stored


def content_hash_of(data: Any) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def canonical_yaml(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def difference(before: Any, after: Any, name: str) -> str:
    """A unified difference of the imported version and this one, as canonical YAML."""
    lines = difflib.unified_diff(
        canonical_yaml(before).splitlines(keepends=True),
        canonical_yaml(after).splitlines(keepends=True),
        fromfile=f"{name} (imported before)",
        tofile=f"{name} (this file)",
    )
    return "".join(lines)


def _document_context(document: Document) -> Context:
    data = document.data
    source = Source(document.document, None, data["source"].get("url"))
    stated_by = data.get("recorded_by")
    actor = document.actor or Actor(stated_by or DEFAULT_ACTOR)
    return actor.context(source, note=data.get("note"), stated_by=stated_by)


def _run(
    registry: Registry,
    name: str,
    steps: list[tuple[Fact, Callable[[], None]]],
    last: Callable[[], None],
) -> int:
    try:
        with registry.unit_of_work() as unit:
            unit.prefetch(_ids_in(fact for fact, _ in steps))
            for fact, step in steps:
                try:
                    step()
                except RegistryError as error:
                    raise ImportRefused(name, [problem_for(fact, error)]) from error
            last()
    except ImportRefused:
        raise
    except RegistryError as error:  # at commit: another writer changed the same entity
        raise ImportRefused(name, [Problem("", error.message, error.code)]) from error
    return unit.saved  # this import's own events, not the log's growth meanwhile


def _ids_in(facts: Iterable[Fact]) -> list[UUID]:
    """Every id the facts refer to (declared or referenced), to probe in one query."""
    found: list[UUID] = []

    def add(value: Any) -> None:
        if isinstance(value, UUID):
            found.append(value)
        elif isinstance(value, list | tuple):
            for v in value:
                add(v)
        elif isinstance(getattr(value, "id", None), UUID):
            found.append(value.id)

    for fact in facts:
        if fact.decision is not None:
            found.append(fact.decision.id)
        for value in fact.refs.values():
            add(value)
    return found


def _record(
    registry: Registry, name: str, document: Document, content_hash: str, document_id: UUID
) -> ImportResult:
    applier = Applier(registry)
    steps = [(fact, _bind(applier.apply, fact)) for fact in document.facts]

    def remember() -> None:
        registry.record_imported_document(
            document.document,
            document.body_id,  # type: ignore[arg-type]
            document.held_on,
            content_hash,
            document.data,
            _document_context(document),
        )

    events = _run(registry, name, steps, remember)
    return ImportResult(name, "imported", document_id, events, len(document.facts))


def _bind(function: Callable[[Fact], None], fact: Fact) -> Callable[[], None]:
    return lambda: function(fact)


def _correct(
    registry: Registry,
    name: str,
    previous: ImportedDocument,
    document: Document,
    content_hash: str,
    reason: str,
    diff: str,
) -> ImportResult:
    old = build(registry, previous.content, document.actor)
    if old.problems:  # pragma: no cover - the registry no longer holds what it referred to
        raise ImportRefused(name, old.problems, diff)
    applier = Applier(registry, reason=reason)
    old_facts = {f.identity: f for f in old.facts}
    new_identities = {f.identity for f in document.facts}
    steps: list[tuple[Fact, Callable[[], None]]] = []
    changes: list[str] = []
    problems: list[Problem] = []
    for fact in document.facts:
        before = old_facts.get(fact.identity)
        if before is None:
            steps.append((fact, _bind(applier.apply, fact)))
            changes.append(f"{fact.path}: added")
        elif before.attrs != fact.attrs:
            planned = applier.correction(before, fact)
            if isinstance(planned, Problem):
                problems.append(planned)
            else:
                steps.append((fact, planned))
                changes.append(f"{fact.path}: corrected")
    for fact in old.facts:
        if fact.identity not in new_identities:
            planned = applier.removal(fact)
            if isinstance(planned, Problem):
                problems.append(planned)
            else:
                steps.append((fact, planned))
                changes.append(f"{fact.path}: removed")
    if problems:
        raise ImportRefused(name, problems, diff)

    def remember() -> None:
        registry.correct_imported_document(
            previous.id, content_hash, document.data, reason, _document_context(document)
        )

    events = _run(registry, name, steps, remember)
    return ImportResult(name, "corrected", previous.id, events, len(document.facts), changes)
