"""`registry export-standard`: the registry in Popolo or OParl 1.1 shapes (docs/exports.md)."""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

import typer

from api.cli import DATABASE, app, console
from registry.config import settings_from_environment


def parse_day(value: str | None, option: str) -> date:
    """A YYYY-MM-DD date (today when not given); a clear error naming the option otherwise."""
    if value is None:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"must be a date YYYY-MM-DD, got {value!r}", param_hint=option
        ) from None


def parse_moment(value: str | None, option: str) -> datetime | None:
    """An ISO 8601 date-time (UTC when it has no offset), or None."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"must be a date-time such as 2020-03-01T12:00:00+00:00, got {value!r}",
            param_hint=option,
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@app.command("export-standard")
def export_standard(
    fmt: str = typer.Option(..., "--format", help="popolo or oparl."),
    as_of: str | None = typer.Option(
        None,
        "--as-of",
        help="The day (YYYY-MM-DD, default today): memberships valid that day, names as they "
        "were then, meetings and decisions up to it.",
    ),
    known_at: str | None = typer.Option(
        None, "--known-at", help="What the registry knew at this moment (default now)."
    ),
    output: Path | None = typer.Option(  # noqa: B008 - typer declares options this way
        None, "--output", "-o", help="Write to this file (default standard output)."
    ),
    base_url: str = typer.Option(
        "http://127.0.0.1:8000",
        "--base-url",
        help="OParl only: the URL under which the objects' ids are made.",
    ),
    projections: bool = typer.Option(
        True,
        help="Bring the read models up to date first (turn off when `registry project` runs "
        "separately).",
    ),
    database: str | None = DATABASE,
) -> None:
    """Export persons, organisations, bodies, memberships, seats, meetings and decisions as a
    Popolo document or an OParl 1.1 dump (System, Body and its lists), as they stood on
    --as-of. Read from the read models, never by replaying events."""
    from rich.progress import Progress, SpinnerColumn, TextColumn

    from api.exports import FORMATS, ExportError, ExportSource, build_export, write_export
    from projections.runner import ProjectionRunner
    from registry.application import Registry

    if fmt not in FORMATS:
        raise typer.BadParameter(
            f"must be one of {', '.join(FORMATS)}, got {fmt!r}", param_hint="--format"
        )
    day = parse_day(as_of, "--as-of")
    moment = parse_moment(known_at, "--known-at")
    registry = Registry(settings_from_environment(database))
    runner = ProjectionRunner(registry)
    target = None
    try:
        if projections:
            runner.catch_up()
        export = build_export(fmt, ExportSource(runner, registry, moment), day, base_url)
        if output is None:
            write_export(export, sys.stdout)
            return
        # Written beside the target and renamed at the end: a failed export leaves no
        # half-written file behind.
        handle, target = tempfile.mkstemp(dir=output.resolve().parent, suffix=".partial")
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(target, 0o666 & ~mask)  # mkstemp makes it private; the export is not
        with (
            os.fdopen(handle, "w", encoding="utf-8") as out,
            Progress(
                SpinnerColumn(),
                TextColumn("{task.description}: {task.completed:.0f} pieces written"),
                console=console,
            ) as bar,
        ):
            task = bar.add_task(f"{fmt} export", total=None)
            write_export(export, out, progress=lambda: bar.advance(task))
        os.replace(target, output)
        target = None
        console.print(f"{fmt} export as of {day} written to {output}", highlight=False)
    except ExportError as error:
        console.print(f"[red]export failed[/]: {error}", highlight=False)
        raise typer.Exit(1) from None
    finally:
        if target is not None:
            Path(target).unlink(missing_ok=True)
        runner.close()
        registry.close()
