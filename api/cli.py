"""The `registry` command: serve the API (with the projections, by default), run the
projection runner alone, print the GraphQL schema, or import minutes files."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from registry.config import StoreSettings, settings_from_environment

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
    demo: bool = typer.Option(
        False,
        "--demo",
        help="Serve a fresh temporary store holding the example minutes (examples/) instead "
        "of the configured one.",
    ),
    database: str | None = DATABASE,
) -> None:
    """Serve GraphQL at /graphql (GraphiQL in a browser) and keep the read models current."""
    import uvicorn

    from api.app import create_app

    settings = demo_store() if demo else settings_from_environment(database)
    console.print(f"[bold]registry[/] store: {settings.describe()}")
    console.print(f"GraphQL: http://{host}:{port}/graphql")
    app = create_app(settings, run_projections=projections, introspection=introspection)
    uvicorn.run(app, host=host, port=port)


EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def demo_store(examples: Path = EXAMPLES) -> StoreSettings:
    """A fresh SQLite store in a temporary directory with every example file imported."""
    import tempfile

    from registry.application import Registry
    from registry.importing import import_file

    files = sorted([*examples.glob("*.yaml"), *examples.glob("*.json")])
    if not files:
        raise typer.BadParameter(f"no example files in {examples}")
    settings = StoreSettings(str(Path(tempfile.mkdtemp(prefix="registry-demo-")) / "demo.sqlite"))
    registry = Registry(settings)
    try:
        for path in files:
            result = import_file(registry, path)
            console.print(f"demo: {path.name}: {result.events} events", highlight=False)
    finally:
        registry.close()
    return settings


@app.command()
def demo(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
) -> None:
    """Serve GraphQL over the four example documents in a fresh temporary store (the same as
    `registry serve --demo`)."""
    serve(host=host, port=port, projections=True, introspection=True, demo=True, database=None)


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


@app.command("import")
def import_minutes(
    files: list[Path] = typer.Argument(  # noqa: B008 - typer declares arguments this way
        ..., help="Minutes or statement files (.yaml, .yml or .json), each imported whole."
    ),
    correct: bool = typer.Option(
        False,
        "--correct",
        help="Record the differences from the version imported before as corrections.",
    ),
    reason: str | None = typer.Option(None, "--reason", help="Why (needed with --correct)."),
    database: str | None = DATABASE,
) -> None:
    """Import minutes files (docs/minutes-format.md): each file is saved all or nothing, the
    same file again changes nothing, a changed file is refused unless --correct."""
    from rich.progress import Progress

    from registry.application import Registry
    from registry.importing import ImportRefused, import_file

    if correct and not (reason and reason.strip()):
        raise typer.BadParameter("--correct needs --reason saying why", param_hint="--reason")
    out = Console(soft_wrap=True)
    registry = Registry(settings_from_environment(database))
    refused = 0
    try:
        with Progress(console=console, transient=True, disable=len(files) < 2) as progress:
            task = progress.add_task("importing", total=len(files))
            for path in files:
                progress.update(task, description=path.name)
                try:
                    result = import_file(registry, path, correct=correct, reason=reason)
                except ImportRefused as error:
                    refused += 1
                    out.print(f"[red]refused[/] {path}: nothing written", highlight=False)
                    for problem in error.problems:
                        out.print(f"  {problem.describe(str(path))}", highlight=False, markup=False)
                    if error.diff:
                        out.print(error.diff, highlight=False, markup=False)
                else:
                    what = {
                        "imported": f"{result.events} events",
                        "unchanged": "already imported, nothing written",
                        "corrected": f"{len(result.changes)} corrections, {result.events} events",
                    }[result.status]
                    out.print(f"[green]{result.status}[/] {path}: {what}", highlight=False)
                    for change in result.changes:
                        out.print(f"  {change}", highlight=False, markup=False)
                progress.advance(task)
    finally:
        registry.close()
    if refused:
        out.print(f"{refused} of {len(files)} files refused", highlight=False)
        raise typer.Exit(1)


import api.cli_chain  # noqa: E402  (registers its commands)
import api.cli_rebuild  # noqa: E402  (registers its commands)
import api.cli_redact  # noqa: E402, F401  (registers its commands)

if __name__ == "__main__":
    app()
