"""The registry's domain: aggregates, events, commands and application services.

This package imports nothing from FastAPI, strawberry or SQL: `projections/` and `api/`
depend on it, never the other way round.
"""
