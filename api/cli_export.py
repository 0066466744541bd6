"""`registry export --format popolo|oparl`: the registry in Popolo or OParl 1.1 shapes
(docs/exports.md). `registry export` (api/cli_chain.py) dispatches here for these formats."""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

import typer

from api.cli import console
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


def export_standard(
    fmt: str,
    as_of: str | None,
    known_at: str | None,
    output: Path | None,
    base_url: str,
    projections: bool,
    database: str | None,
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
