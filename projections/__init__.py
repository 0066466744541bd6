"""Read models (projections) of the registry, kept current from the event log with tracking.

Every read model's tables and its tracking position are updated in one transaction, so each
event is applied exactly once, also across restarts. Reads are indexed lookups; nothing here
replays events to answer a query.
"""
