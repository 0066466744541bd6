"""A body's memberships with indexes by person and by seat, for the invariants.

The overlap and seat checks of one appointment used to scan every membership the body ever
had (a deep body has thousands). `MembershipTable` is the same dict (membership id to
Membership, in insertion order) that also keeps, for each person and each seat, the ids of
its memberships, so a check reads only those. The indexes are derived state: every change
goes through `__setitem__` / `__delitem__`, which keep them in step, and they are never
stored (the events are).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID


class MembershipTable(dict):  # type: ignore[type-arg]
    """dict[UUID, Membership] with `of_person(id)` and `of_seat(id)` in the dict's order."""

    def __init__(self) -> None:
        super().__init__()
        self._order: dict[UUID, int] = {}  # membership id -> its place in the dict
        self._next = 0
        self._by_person: dict[UUID, dict[UUID, None]] = {}
        self._by_seat: dict[UUID, dict[UUID, None]] = {}

    def _unindex(self, key: UUID, old: Any) -> None:
        for index, value in ((self._by_person, old.person_id), (self._by_seat, old.seat_id)):
            if value is not None and (bucket := index.get(value)) is not None:
                bucket.pop(key, None)
                if not bucket:
                    del index[value]

    def __setitem__(self, key: UUID, value: Any) -> None:
        old = dict.get(self, key)
        if old is not None:
            self._unindex(key, old)
        elif key not in self._order:
            self._order[key] = self._next
            self._next += 1
        dict.__setitem__(self, key, value)
        self._by_person.setdefault(value.person_id, {})[key] = None
        if value.seat_id is not None:
            self._by_seat.setdefault(value.seat_id, {})[key] = None

    def __delitem__(self, key: UUID) -> None:
        old = dict.__getitem__(self, key)
        self._unindex(key, old)
        dict.__delitem__(self, key)
        del self._order[key]

    def pop(self, key: UUID, *default: Any) -> Any:
        if key in self:
            value = self[key]
            del self[key]
            return value
        if default:
            return default[0]
        raise KeyError(key)

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("change memberships one at a time (table[id] = m, del table[id])")

    update = setdefault = popitem = clear = _refuse  # type: ignore[assignment]

    def _in_order(self, bucket: dict[UUID, None] | None) -> list[Any]:
        if not bucket:
            return []
        order = self._order
        return [dict.__getitem__(self, k) for k in sorted(bucket, key=order.__getitem__)]

    def of_person(self, person_id: UUID) -> list[Any]:
        """The person's memberships, in the order of the table."""
        return self._in_order(self._by_person.get(person_id))

    def of_seat(self, seat_id: UUID) -> list[Any]:
        """The memberships in this seat, in the order of the table."""
        return self._in_order(self._by_seat.get(seat_id))

    def __reduce_ex__(self, protocol: Any) -> Any:
        # Copies (the library deep-copies aggregates) rebuild the indexes from the items.
        return (_rebuilt, (list(dict.items(self)),))


def _rebuilt(items: list[tuple[UUID, Any]]) -> MembershipTable:
    table = MembershipTable()
    for key, value in items:
        table[key] = value
    return table
