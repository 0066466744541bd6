"""Aggregates, one module each. Every event carries `effective_date` (valid time, None when
unknown or not applicable) and `context` (actor, source, authorising decision)."""

from eventsourcing.domain import Aggregate


class RegistryAggregate(Aggregate):
    """Base of the registry's aggregates: an id derived from a natural key (see registry.ids)."""
