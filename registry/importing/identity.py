"""Identity on import: an organisation, body, agreement or fund declared under a name the
registry already holds under another key is the one it holds, not a second one.

- The declared key (default: the name) is held: that is it.
- Otherwise, of what the registry holds under the same name (registry.names): exactly one with
  the same owners (a body's owner organisations, an agreement's parties; organisations and
  funds have none) is linked: the declaration refers to it.
- Several with the same owners, or (when the declaration gives no `key` of its own) any with
  other owners: the file is refused at the declaration's `name`, with the candidates. A
  `key` says "another one": with other owners it is registered beside them.
- Declared by a decision (an agreement or fund the decision registers) and held already under
  another key: refused with the one held, since registering it again would make a second.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from uuid import UUID

from registry.errors import NotFound
from registry.ids import natural_id
from registry.importing.problems import Problem, join_path
from registry.names import CLASSES, Held, names_of, one_look

_ABSENT: ContextVar[frozenset[UUID]] = ContextVar("identity_absent", default=frozenset())


@contextmanager
def probing(registry: Any, ids: Iterable[UUID]) -> Iterator[None]:
    """Within the block, `holds` answers for the `ids` that have no events without asking
    the store: one query learns which they are (a file declares dozens), and the name index
    reads the log once."""
    wanted = list(ids)
    existing_ids = getattr(registry.recorder, "existing_ids", None)
    absent = frozenset(wanted) - existing_ids(wanted) if existing_ids and wanted else frozenset()
    token = _ABSENT.set(absent)
    try:
        with one_look():
            yield
    finally:
        _ABSENT.reset(token)


def holds(registry: Any, kind: str, id: UUID) -> bool:
    if id in _ABSENT.get():
        return False
    try:
        registry.get(id, CLASSES[kind])
    except NotFound:
        return False
    return True


def identify(
    registry: Any,
    problems: list[Problem],
    *,
    kind: str,
    path: str,
    name_field: str,
    entry: dict[str, Any],
    owners: Iterable[UUID] | None,
    by_decision: bool = False,
) -> UUID:
    """The id a declaration stands for (see the module's rules); a problem when refused."""
    name = entry[name_field]
    declared = natural_id(kind, entry.get("key") or name)
    if holds(registry, kind, declared):
        return declared
    held = [h for h in names_of(registry).held(kind, name) if h.id != declared]
    if not held:
        return declared
    wanted = frozenset(owners or ())
    same = [h for h in held if h.owners == wanted]
    where = join_path(path, name_field)
    if len(same) == 1 and not by_decision:
        return same[0].id
    if len(same) == 1:
        problems.append(
            Problem(
                where,
                f"the registry already holds {_a(kind)} {name!r} with the same "
                f"{_owner_word(kind)}: {same[0].describe()}; a decision that registers it "
                "again would make a second one. Refer to it (by name or id) instead",
                "AMBIGUOUS",
            )
        )
        return declared
    if len(same) > 1 or "key" not in entry:
        listed = "; ".join(_describe(registry, h) for h in (same or held))
        problems.append(
            Problem(
                where,
                f"the registry holds {len(same or held)} other {kind}(s) named {name!r} under "
                f"other keys: {listed}. Refer to one by its id, give the same "
                f"{_owner_word(kind)} to link it, or give a `key` to register another one",
                "AMBIGUOUS",
            )
        )
    return declared


def _a(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def _owner_word(kind: str) -> str:
    return {"body": "owners", "agreement": "parties"}.get(kind, "name")


def _describe(registry: Any, h: Held) -> str:
    if not h.owners:
        return h.describe()
    names = []
    for o in sorted(h.owners, key=str):
        try:
            names.append(registry.get(o, CLASSES["organisation"]).name)
        except NotFound:  # pragma: no cover - owners are checked when registered
            names.append(str(o))
    return f"{h.describe()} of {', '.join(sorted(names))}"
