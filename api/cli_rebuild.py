"""`registry rebuild`: rebuild the read models from the event log with no downtime
(projections/generations.py; docs/deployment-rebuild.md)."""

from __future__ import annotations

import time

import typer

from api.cli import DATABASE, app, console
from registry.config import settings_from_environment


@app.command()
def rebuild(
    grace: float = typer.Option(
        30.0,
        "--grace",
        min=0,
        help="Seconds to keep the old generation after the switch, for requests that began "
        "on it (every process notices the switch within 0.2 s), before dropping it.",
    ),
    keep_old: bool = typer.Option(
        False, "--keep-old", help="Keep the old generation (drop it later with --drop-old)."
    ),
    drop_old: bool = typer.Option(
        False,
        "--drop-old",
        help="Build nothing: drop every generation that readers no longer use.",
    ),
    database: str | None = DATABASE,
) -> None:
    """Rebuild every read model from the event log while the current ones keep serving, then
    switch readers to the new ones. PostgreSQL: a new generation in its own schema, switched
    atomically, the old one dropped after --grace. SQLite: in place, in one transaction
    (readers see the old models until it commits; writes wait for it)."""
    from projections.generations import (
        POSTGRES,
        Generations,
        exclusive,
        read_model_tables,
        rebuild_generation,
        rebuild_in_place,
    )
    from projections.runner import ProjectionRunner
    from registry.application import Registry

    settings = settings_from_environment(database)
    registry = Registry(settings)
    try:
        if not settings.is_postgres:
            if drop_old:
                console.print("a SQLite store has one generation of read models: nothing to drop")
                return
            runner = ProjectionRunner(registry)
            models = list(runner.views.read_models)
            runner.close()
            console.print(f"rebuilding the read models of {settings.describe()} in place")
            position = rebuild_in_place(registry, models)
            console.print(f"rebuilt the read models up to position {position}")
            return
        datastore = registry.recorder.datastore
        generations = Generations(True, settings.postgres_schema)
        if drop_old:
            try:
                with exclusive(datastore, settings.postgres_schema):
                    current = generations.current(datastore, strict=True)
                    runner = ProjectionRunner(registry, generation=current)
                    tables = read_model_tables(runner.views.read_models, POSTGRES)
                    runner.close()
                    for generation in generations.existing(datastore):
                        if generation != current:
                            generations.drop(datastore, generation, tables)
                            console.print(f"dropped generation {generation}")
            except RuntimeError as error:
                console.print(f"[red]refused[/]: {error}")
                raise typer.Exit(1) from None
            return
        try:
            done = rebuild_generation(
                registry,
                lambda generation: ProjectionRunner(registry, generation=generation),
                report=lambda message: console.print(message, highlight=False),
            )
        except RuntimeError as error:
            console.print(f"[red]refused[/]: {error}")
            raise typer.Exit(1) from None
        if keep_old:
            console.print(f"kept generation {done.old}; drop it with `registry rebuild --drop-old`")
            return
        console.print(f"dropping generation {done.old} in {grace:g} s")
        time.sleep(grace)
        generations.drop(datastore, done.old, done.tables)
        console.print(f"dropped generation {done.old}")
    finally:
        registry.close()
