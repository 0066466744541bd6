"""Organisation (huvudman, part): region, kommun, kommunalförbund, SKR."""

from __future__ import annotations

from datetime import date

from eventsourcing.domain import event

from registry.domain import RegistryAggregate
from registry.ids import natural_id
from registry.values import Context, require_text


class Organisation(RegistryAggregate):
    """A principal or party: a region, a municipality, a kommunalförbund or SKR."""

    @staticmethod
    def create_id(key: str, **_: object):  # type: ignore[override]
        return natural_id("organisation", key)

    @event("Registered")
    def __init__(
        self,
        key: str,
        name: str,
        kind: str,
        effective_date: date | None,
        context: Context,
    ) -> None:
        self.key = key
        self.name = name
        self.kind = kind
        self.former_names: list[tuple[str, date | None]] = []

    def rename(self, name: str, effective_date: date | None, context: Context) -> None:
        """Record a new name from `effective_date`; the old one stays in the history."""
        self._renamed(require_text(name, "name"), effective_date, context)

    @event("Renamed")
    def _renamed(self, name: str, effective_date: date | None, context: Context) -> None:
        self.former_names.append((self.name, effective_date))
        self.name = name
