"""Proving the record: `registry digest`, `verify`, `prove`, `export` and `restore`.

See docs/audit.md for what each file holds and how to check it without this program.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from api.cli import DATABASE, app, console
from registry.config import settings_from_environment, signing_key_path

SIGNING_KEY = typer.Option(
    None,
    "--signing-key",
    envvar="REGISTRY_SIGNING_KEY",
    help="The registry's Ed25519 key file (created on first use, mode 0600). Default: "
    "registry.key beside the SQLite file, or in the working directory for PostgreSQL.",
)
PUBLIC_KEY = typer.Option(
    None,
    "--public-key",
    help="The registry's public key: the base64 text `registry digest` prints, or a file "
    "holding it (or a PEM key).",
)

out = Console(soft_wrap=True, highlight=False)


@contextmanager
def _progress(description: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr for long work (hidden for small jobs)."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=total is not None and total < 5000,
    ) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n: progress.advance(task, n)


def _registry(database: str | None) -> Any:
    from registry.application import Registry

    return Registry(settings_from_environment(database))


def _fail(message: str, code: int = 2) -> typer.Exit:
    console.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(code)


def _public_key(text: str | None, key_file: Path | None) -> Any:
    """The key to check signatures with: --public-key, else the registry's key file if it
    exists; None means each checkpoint is checked against the key it carries."""
    from registry.signing import load_public_key

    try:
        if text:
            return load_public_key(text)
        if key_file is not None and key_file.exists():
            return load_public_key(str(key_file))
    except ValueError as error:
        raise _fail(str(error)) from None
    return None


def _report(report: Any, what: str, key: Any) -> None:
    if key is None:
        out.print(
            "note: no public key given and no key file here: each checkpoint was checked "
            "against the public key it carries (pass --public-key to check against yours)"
        )
    for finding in report.findings:
        out.print(finding.line(), markup=False)
    walk = report.walk
    if report.ok:
        out.print(
            f"OK: {what}: {walk.events} events verify, head at position {walk.head_position} "
            f"({walk.head_hash}), {report.checkpoints} signed checkpoints verify"
        )
        return
    out.print(f"BROKEN: {what}: {len(report.findings)} findings")
    raise typer.Exit(1)


def _read_verified_export(
    file: Path, key: Any, digests: list[Any] | None = None
) -> tuple[Any, Any]:
    """Read an export file and verify it (with progress bars); exit 2 when unreadable."""
    from registry.audit import AuditFileError, read_export, verify_export

    try:
        with _progress("reading", None) as advance:
            export = read_export(file, advance)
    except AuditFileError as error:
        raise _fail(str(error)) from None
    with _progress("verifying", len(export.events)) as advance:
        return export, verify_export(export, key, digests or [], advance)


@app.command()
def digest(
    output: Path | None = typer.Option(  # noqa: B008
        None, "--output", help="Also write the signed digest as JSON to this file (keep it)."
    ),
    signing_key: str | None = SIGNING_KEY,
    database: str | None = DATABASE,
) -> None:
    """Sign the head of the hash chain with the registry's key, store the checkpoint and print
    it (JSON on stdout). Refuses when the chain does not verify."""
    from registry.audit import digest_json, verify_store
    from registry.signing import load_or_create_private_key, public_key_text, sign_head

    registry = _registry(database)
    try:
        key_path = signing_key_path(registry.settings, signing_key)
        try:
            key, created = load_or_create_private_key(key_path)
        except (ValueError, OSError) as error:
            raise _fail(str(error)) from None
        if created:
            console.print(f"created signing key {key_path} (mode 0600)", highlight=False)
        with _progress("verifying", registry.chain.count_events()) as advance:
            report = verify_store(registry.chain, key.public_key(), progress=advance)
        if not report.ok:
            for finding in report.findings:
                out.print(finding.line(), markup=False)
            raise _fail("the chain does not verify: not signing it", 1)
        checkpoint = sign_head(key, report.walk.head_position, report.walk.head_hash)
        registry.chain.add_checkpoint(checkpoint)
        text = json.dumps(digest_json(checkpoint), indent=2)
        if output is not None:
            try:
                output.write_text(text + "\n", encoding="utf-8")
            except OSError as error:
                # The checkpoint is stored; only the copy failed.
                raise _fail(f"--output: cannot write {output} ({error.strerror})") from None
        print(text)
        console.print(f"public key: {public_key_text(key.public_key())}", highlight=False)
    finally:
        registry.close()


@app.command()
def verify(
    digest_files: list[Path] = typer.Option(  # noqa: B008 - typer declares options this way
        [], "--digest", help="A digest file kept from `registry digest --output` (repeatable)."
    ),
    file: Path | None = typer.Option(  # noqa: B008
        None, "--file", help="Verify this export file (`registry export`) instead of the store."
    ),
    proof: Path | None = typer.Option(  # noqa: B008
        None, "--proof", help="Verify this inclusion proof (`registry prove`), offline."
    ),
    public_key: str | None = PUBLIC_KEY,
    signing_key: str | None = SIGNING_KEY,
    database: str | None = DATABASE,
) -> None:
    """Recompute the hash chain from the raw stored events (or an export file, or check an
    inclusion proof) and check every signed checkpoint and digest. Prints one line per
    finding, the first break first; exit 0 when everything verifies, 1 when not."""
    from registry.audit import AuditFileError, read_digest
    from registry.audit import verify_proof as check_proof

    try:
        digests = [read_digest(path) for path in digest_files]
    except AuditFileError as error:
        raise _fail(str(error)) from None

    if proof is not None:
        if not public_key:
            raise _fail("--proof needs --public-key (the registry's key you trust)")
        key = _public_key(public_key, None)
        try:
            data = json.loads(proof.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise _fail(f"{proof}: not a readable JSON proof ({error})") from None
        findings = check_proof(data, key) if isinstance(data, dict) else []
        if not isinstance(data, dict):
            raise _fail(f"{proof}: not a JSON object")
        for finding in findings:
            out.print(finding.line(), markup=False)
        if findings:
            out.print(f"BROKEN: proof {proof}")
            raise typer.Exit(1)
        event = data["event"]
        out.print(
            f"OK: proof {proof}: event {event['originator_id']} v{event['originator_version']} "
            f"at position {event['position']} is in the log signed at position "
            f"{data['head']['position']} ({data['head']['signed_at']})"
        )
        return

    if file is not None:
        key = _public_key(
            public_key, signing_key_path(settings_from_environment(database), signing_key)
        )
        _, report = _read_verified_export(file, key, digests)
        _report(report, str(file), key)
        return

    from registry.audit import verify_store

    registry = _registry(database)
    try:
        key = _public_key(public_key, signing_key_path(registry.settings, signing_key))
        meta = registry.chain.chain_meta()
        if "built_from_existing_at" in meta:
            out.print(
                f"note: the chain was built at {meta['built_from_existing_at']} for the events "
                f"stored before it existed (up to position {meta.get('up_to_position')})"
            )
        with _progress("verifying", registry.chain.count_events()) as advance:
            report = verify_store(registry.chain, key, digests, advance)
        _report(report, registry.settings.describe(), key)
    finally:
        registry.close()


_ENTITY_VERSION = re.compile(r"^([0-9a-fA-F-]{32,36})[@:](\d+)$")


@app.command()
def prove(
    event: str = typer.Argument(
        ..., help="The event: its position, or ENTITY_ID@VERSION (as the audit trail shows)."
    ),
    output: Path = typer.Option(..., "--output", help="Write the proof (JSON) here."),  # noqa: B008
    signing_key: str | None = SIGNING_KEY,
    database: str | None = DATABASE,
) -> None:
    """Write an inclusion proof: the event's stored record and the links from it to a signed
    head (the latest checkpoint covering it, or a new one), checkable offline with
    `registry verify --proof FILE --public-key KEY`."""
    from registry.audit import make_proof
    from registry.signing import load_or_create_private_key, sign_head

    registry = _registry(database)
    try:
        chain = registry.chain
        if event.isdigit():
            position: int | None = int(event)
        elif match := _ENTITY_VERSION.match(event.strip()):
            try:
                position = chain.position_of(match.group(1), int(match.group(2)))
            except ValueError:
                raise _fail(f"EVENT: {event!r} is not ENTITY_ID@VERSION") from None
        else:
            raise _fail(f"EVENT: expected a position or ENTITY_ID@VERSION, got {event!r}")
        if position is None or chain.chain_row_at(position) is None:
            raise _fail(f"EVENT: no event {event} in the chain")
        head = next((cp for cp in reversed(chain.checkpoints()) if cp.position >= position), None)
        if head is None:
            key, _created = load_or_create_private_key(
                signing_key_path(registry.settings, signing_key)
            )
            head = sign_head(key, *chain.chain_head())
            chain.add_checkpoint(head)
            console.print(f"signed a new checkpoint at position {head.position}", highlight=False)
        try:
            proof = make_proof(chain, position, head)
        except LookupError as error:
            raise _fail(f"EVENT: {error}") from None
        try:
            output.write_text(json.dumps(proof, indent=1) + "\n", encoding="utf-8")
        except OSError as error:
            raise _fail(f"--output: cannot write {output} ({error.strerror})") from None
        out.print(
            f"proof of position {position} to the head at {head.position} signed "
            f"{head.signed_at}: {len(proof['following'])} links, written to {output}"
        )
    finally:
        registry.close()


def _export_formats() -> dict[str, Any]:
    from registry.export import EXPORT_FORMATS

    return EXPORT_FORMATS


@app.command()
def export(
    format: str = typer.Option(
        "ndjson",
        "--format",
        help="ndjson (the whole log with its hash chain, verifiable and restorable), popolo "
        "or oparl (the registry as it stood on --as-of, docs/exports.md).",
    ),
    output: Path | None = typer.Option(  # noqa: B008
        None,
        "--output",
        "-o",
        help="Write the export here ('-' or left out: standard output).",
    ),
    as_of: str | None = typer.Option(
        None,
        "--as-of",
        help="popolo, oparl: the day (YYYY-MM-DD, default today): memberships valid that "
        "day, names as they were then. Not for ndjson, which is always the whole log.",
    ),
    known_at: str | None = typer.Option(
        None,
        "--known-at",
        help="popolo, oparl: what the registry knew at this moment (default now).",
    ),
    base_url: str = typer.Option(
        "http://127.0.0.1:8000",
        "--base-url",
        help="oparl: the URL under which the objects' ids are made.",
    ),
    projections: bool = typer.Option(
        True,
        help="popolo, oparl: bring the read models up to date first (turn off when "
        "`registry project` runs separately).",
    ),
    database: str | None = DATABASE,
) -> None:
    """Export the registry: the verifiable event log (ndjson) or the standard shapes
    (Popolo, OParl 1.1)."""
    from api.exports import FORMATS as STANDARD_FORMATS

    if format in STANDARD_FORMATS:
        from api.cli_export import export_standard

        target = None if output is None or str(output) == "-" else output
        export_standard(format, as_of, known_at, target, base_url, projections, database)
        return
    if output is None:
        output = Path("-")
    if as_of is not None and format == "ndjson":
        raise _fail("--as-of: ndjson is always the whole log (a verifiable export has no day)")
    """Export the registry in one of the formats of registry/export.py."""
    from registry.export import ExportOptions

    formats = _export_formats()
    if format not in formats:
        known = sorted([*formats, *STANDARD_FORMATS])
        raise _fail(f"--format: unknown format {format!r}; one of {', '.join(known)}")
    day = None
    if as_of is not None:
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            raise _fail(f"--as-of: not a date YYYY-MM-DD: {as_of!r}") from None
    chosen = formats[format]
    registry = _registry(database)
    try:
        with _progress(f"exporting {format}", chosen.total(registry)) as advance:
            options = ExportOptions(as_of=day, progress=advance)
            if str(output) == "-":
                summary = chosen.write(registry, sys.stdout, options)
            else:
                partial = output.with_name(output.name + ".partial")
                try:
                    with partial.open("w", encoding="utf-8") as handle:
                        summary = chosen.write(registry, handle, options)
                    partial.replace(output)  # no half-written export under the real name
                except OSError as error:
                    partial.unlink(missing_ok=True)
                    raise _fail(f"--output: cannot write {output} ({error.strerror})") from None
        console.print(f"exported {format}: {summary} to {output}", highlight=False)
    finally:
        registry.close()


@app.command()
def restore(
    file: Path = typer.Argument(..., help="An ndjson export (`registry export`)."),  # noqa: B008
    public_key: str | None = PUBLIC_KEY,
    project: bool = typer.Option(
        True, help="Bring the read models up to date now (else the next runner does)."
    ),
    database: str | None = DATABASE,
) -> None:
    """Rebuild an EMPTY registry from an export file: the file is verified first, then every
    event is written at its own position with its link and the signed checkpoints, in one
    transaction. Refuses a store that holds any event."""
    from projections.runner import ProjectionRunner

    export, report = _read_verified_export(file, _public_key(public_key, None))
    if not report.ok:
        for finding in report.findings:
            out.print(finding.line(), markup=False)
        raise _fail(f"{file} does not verify: nothing restored", 1)
    registry = _registry(database)
    try:
        if registry.chain.count_events():
            raise _fail(
                f"{registry.settings.describe()} is not empty: restore only into an empty "
                "registry; nothing restored"
            )
        with _progress("restoring", len(export.events)) as advance:
            registry.chain.restore(export.events, export.checkpoints, export.meta, advance)
        head = registry.chain.chain_head()
        out.print(
            f"restored {len(export.events)} events and {len(export.checkpoints)} checkpoints; "
            f"head at position {head[0]} ({head[1]})"
        )
        if project:
            runner = ProjectionRunner(registry)
            try:
                with _progress("projecting", len(export.events)) as advance:
                    while applied := runner.catch_up(limit_batches=1):
                        advance(applied)
                projected = runner.position()
            finally:
                runner.close()
            out.print(f"read models projected up to position {projected}")
    finally:
        registry.close()
