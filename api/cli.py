"""The `registry` command: serve the API (with the projections, by default), run the
projection runner alone, print the GraphQL schema, or import minutes files."""

from __future__ import annotations

import atexit
import logging
import shutil
import signal
import sys
import threading
from importlib import metadata, resources
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from registry.config import (
    ConfigError,
    StoreSettings,
    check_store,
    serve_settings,
    settings_from_environment,
)

app = typer.Typer(
    help="Event-sourced decision and mandate registry. The store is a SQLite file "
    "(registry.sqlite) unless REGISTRY_DATABASE says otherwise.",
    no_args_is_help=True,
)
console = Console(stderr=True)


def print_version(value: bool) -> None:
    """Print the installed package's version and exit (the eager `--version` option)."""
    if value:
        print(f"registry {metadata.version('mandate-registry')}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False,
        "--version",
        callback=print_version,
        is_eager=True,
        help="Print the version and exit.",
    ),
) -> None:
    """Event-sourced decision and mandate registry. The store is a SQLite file
    (registry.sqlite) unless REGISTRY_DATABASE says otherwise."""


DATABASE = typer.Option(
    None,
    "--database",
    envvar="REGISTRY_DATABASE",
    help="SQLite file path or postgresql://user@host:port/db[?schema=name].",
)


def fail_on_bad_configuration(error: ConfigError) -> NoReturn:
    """Refuse a bad setting in one line on stderr (no traceback) and exit 2."""
    sys.stderr.write(f"registry: {error}\n")
    sys.stderr.flush()
    raise typer.Exit(2)


def open_store(database: str | None) -> StoreSettings:
    """The configured store, checked once (reachable, writable): a bad one ends the command
    with one line saying what to do (docs/configuration.md)."""
    try:
        settings = settings_from_environment(database)
        check_store(settings)
    except ConfigError as error:
        fail_on_bad_configuration(error)
    return settings


@app.command()
def serve(
    host: Annotated[
        str | None,
        typer.Option(help="Interface to listen on [env REGISTRY_HOST; default 127.0.0.1]."),
    ] = None,
    port: Annotated[
        str | None, typer.Option(help="Port to listen on [env REGISTRY_PORT; default 8000].")
    ] = None,
    projections: Annotated[
        bool | None,
        typer.Option(
            "--projections/--no-projections",
            help="Run the projection runner in this process (turn off when `registry "
            "project` runs separately) [env REGISTRY_PROJECTIONS; default on].",
            show_default=False,
        ),
    ] = None,
    introspection: Annotated[
        bool | None,
        typer.Option(
            "--introspection/--no-introspection",
            help="Answer introspection queries (GraphiQL and code generators need them) "
            "[env REGISTRY_GRAPHQL_INTROSPECTION; default on].",
            show_default=False,
        ),
    ] = None,
    demo: bool = typer.Option(
        False,
        "--demo",
        help="Serve a fresh temporary store holding the example minutes (examples/) instead "
        "of the configured one.",
    ),
    database: str | None = DATABASE,
    log_format: Annotated[
        str | None,
        typer.Option(
            help="json, text, or auto: text on a terminal, else JSON "
            "[env REGISTRY_LOG_FORMAT; default auto].",
        ),
    ] = None,
) -> None:
    """Serve GraphQL at /graphql (GraphiQL in a browser) and keep the read models current.
    Health at /livez and /readyz, Prometheus metrics at /metrics."""
    try:
        options = serve_settings(
            host=host,
            port=port,
            projections=projections,
            introspection=introspection,
            log_format=log_format,
        )
    except ConfigError as error:
        fail_on_bad_configuration(error)
    settings = demo_store() if demo else open_store(database)
    # Imported after the checks, so that a bad setting is refused without loading the app.
    import uvicorn

    from api.app import create_app
    from api.observability import configure_logging

    configure_logging(options.log_format, options.log_level)
    log = logging.getLogger("registry")
    log.info("store: %s", settings.describe())
    log.info("GraphQL: http://%s:%s/graphql", options.host, options.port)
    try:  # REGISTRY_READ_DATABASE and REGISTRY_READ_WAIT_SECONDS are checked here
        app = create_app(
            settings,
            run_projections=options.projections,
            introspection=options.introspection,
            ready_max_lag=options.ready_max_lag,
            ready_heartbeat_age=options.ready_heartbeat_age,
        )
        from api.identity import startup_notice

        log.info("who may write: %s", startup_notice(app.state.registry))
    except ConfigError as error:
        fail_on_bad_configuration(error)
    # Our logging configuration, not uvicorn's; our middleware logs each request once.
    uvicorn.run(
        app,
        host=options.host,
        port=options.port,
        log_config=None,
        log_level=options.log_level,
        access_log=False,
    )


# Package data (pyproject.toml), so `registry demo` also works from an installed wheel. The
# repository's top-level examples/ is a link to this folder.
EXAMPLES = Path(str(resources.files("registry") / "examples"))


def demo_store(examples: Path = EXAMPLES) -> StoreSettings:
    """A fresh SQLite store in a temporary directory with every example file imported and
    projected, so that the first query already sees them.

    The directory is removed when the process exits: normally, on an error, on Ctrl-C
    (SIGINT) or on SIGTERM.
    """
    import tempfile

    from projections.runner import ProjectionRunner
    from registry.application import Registry
    from registry.importing import import_file

    files = sorted([*examples.glob("*.yaml"), *examples.glob("*.json")])
    if not files:
        raise typer.BadParameter(f"no example files in {examples}")
    directory = Path(tempfile.mkdtemp(prefix="registry-demo-"))
    remove_on_exit(directory)
    settings = StoreSettings(str(directory / "demo.sqlite"))
    registry = Registry(settings)
    try:
        for path in files:
            result = import_file(registry, path)
            console.print(f"demo: {path.name}: {result.events} events", highlight=False)
        runner = ProjectionRunner(registry)
        try:
            runner.catch_up()
        finally:
            runner.close()
    finally:
        registry.close()
    return settings


def remove_on_exit(directory: Path) -> None:
    """Remove `directory` when the interpreter exits, including after SIGTERM.

    atexit runs on a normal exit, on SystemExit and after KeyboardInterrupt (SIGINT), but not
    when a signal's default action kills the process. SIGTERM's default is exactly that, and
    uvicorn, after its graceful shutdown, raises the signal it caught again with the previous
    handler in place; so SIGTERM is turned into SystemExit (exit code 143, as if killed by it).
    """
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    # Handlers can only be set from the main thread (the CLI's; not a test's worker thread).
    in_main_thread = threading.current_thread() is threading.main_thread()
    if in_main_thread and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, exit_on_sigterm)


def exit_on_sigterm(signum: int, frame: object) -> None:
    """Exit as SIGTERM would, but through SystemExit so that atexit handlers run."""
    raise SystemExit(128 + signum)


@app.command()
def demo(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
) -> None:
    """Serve GraphQL over the four example documents in a fresh temporary store (the same as
    `registry serve --demo`)."""
    serve(host=host, port=port, projections=True, introspection=True, demo=True, database=None)


@app.command()
def project(
    database: str | None = DATABASE,
    log_format: Annotated[
        str | None,
        typer.Option(help="json, text or auto [env REGISTRY_LOG_FORMAT; default auto]."),
    ] = None,
) -> None:
    """Run only the projection runner, for ever (the API then runs with --no-projections)."""
    from api.observability import configure_logging
    from projections.runner import ProjectionRunner
    from registry.application import Registry

    try:
        options = serve_settings(log_format=log_format)
    except ConfigError as error:
        fail_on_bad_configuration(error)
    settings = open_store(database)
    configure_logging(options.log_format, options.log_level)
    log = logging.getLogger("registry")
    registry = Registry(settings)
    runner = ProjectionRunner(registry)
    log.info("projecting %s from position %s", settings.describe(), runner.position())
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

    from api.identity import command_line
    from registry.application import Registry
    from registry.importing import ImportRefused, import_file

    actor = command_line().actor
    if correct and not (reason and reason.strip()):
        raise typer.BadParameter("--correct needs --reason saying why", param_hint="--reason")
    out = Console(soft_wrap=True)
    registry = Registry(open_store(database))
    refused = 0
    try:
        with Progress(console=console, transient=True, disable=len(files) < 2) as progress:
            task = progress.add_task("importing", total=len(files))
            for path in files:
                progress.update(task, description=path.name)
                try:
                    result = import_file(
                        registry, path, correct=correct, reason=reason, actor=actor
                    )
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
import api.cli_export  # noqa: E402  (registers its commands)
import api.cli_rebuild  # noqa: E402  (registers its commands)
import api.cli_redact  # noqa: E402  (registers its commands)
import api.cli_token  # noqa: E402, F401  (registers its commands)

if __name__ == "__main__":
    app()
