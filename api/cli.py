"""The `registry` command: serve the API (with the projections, by default), run the
projection runner alone, or print the GraphQL schema."""

from __future__ import annotations

import typer
from rich.console import Console

from registry.config import settings_from_environment

app = typer.Typer(
    help="Event-sourced decision and mandate registry. The store is a SQLite file "
    "(registry.sqlite) unless REGISTRY_DATABASE says otherwise.",
    no_args_is_help=True,
)
console = Console(stderr=True)

DATABASE = typer.Option(
    None,
    "--database",
    envvar="REGISTRY_DATABASE",
    help="SQLite file path or postgresql://user@host:port/db[?schema=name].",
)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    projections: bool = typer.Option(
        True,
        help="Run the projection runner in this process (turn off when `registry "
        "project` runs separately).",
    ),
    introspection: bool = typer.Option(
        True,
        envvar="REGISTRY_GRAPHQL_INTROSPECTION",
        help="Answer introspection queries (GraphiQL and code generators need them).",
    ),
    database: str | None = DATABASE,
) -> None:
    """Serve GraphQL at /graphql (GraphiQL in a browser) and keep the read models current."""
    import uvicorn

    from api.app import create_app

    settings = settings_from_environment(database)
    console.print(f"[bold]registry[/] store: {settings.describe()}")
    console.print(f"GraphQL: http://{host}:{port}/graphql")
    app = create_app(settings, run_projections=projections, introspection=introspection)
    uvicorn.run(app, host=host, port=port)


@app.command()
def project(database: str | None = DATABASE) -> None:
    """Run only the projection runner, for ever (the API then runs with --no-projections)."""
    from projections.runner import ProjectionRunner
    from registry.application import Registry

    settings = settings_from_environment(database)
    registry = Registry(settings)
    runner = ProjectionRunner(registry)
    console.print(f"projecting {settings.describe()} from position {runner.position()}")
    try:
        runner.run_forever()
    except KeyboardInterrupt:
        pass
    finally:
        runner.close()
        registry.close()


@app.command()
def schema() -> None:
    """Print the GraphQL schema (schema.graphql is this output)."""
    from api.schema import schema as graphql_schema

    print(str(graphql_schema))


if __name__ == "__main__":
    app()
