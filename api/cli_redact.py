"""`registry redact`: destroy a person's contact details under a disposal decision
(gallringsbeslut), keeping every stored event, and so the proof, as it was."""

from __future__ import annotations

import getpass
from uuid import UUID

import typer
from rich.markup import escape

from api.cli import DATABASE, app, console, open_store


def _actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        return "registry redact"


@app.command()
def redact(
    person_id: str = typer.Argument(..., help="The person's id."),
    fields: str = typer.Option(
        "", "--fields", help="Kinds to destroy, comma-separated: email, phone, address."
    ),
    refs: list[str] = typer.Option(  # noqa: B008 - typer declares options this way
        [],
        "--ref",
        help="One contact detail by its ref (repeatable), instead of or besides --fields.",
    ),
    reason: str = typer.Option(..., "--reason", help="Why the values are destroyed."),
    decision: str = typer.Option(
        ..., "--decision", help="The disposal decision (gallringsbeslut): its id or reference."
    ),
    actor: str = typer.Option(
        None, "--actor", help="Who records the redaction (default: the user name)."
    ),
    database: str | None = DATABASE,
) -> None:
    """Destroy contact values of a person under a disposal decision. A Person.Redacted event
    records the decision, the reason, who and which details; the values and their salts are
    erased in the same transaction. Names and every stored event stay as they were."""
    from registry.application import Registry
    from registry.errors import RegistryError
    from registry.values import Context, Source

    def bad(message: str, hint: str) -> typer.BadParameter:
        return typer.BadParameter(message, param_hint=hint)

    try:
        pid = UUID(person_id)
    except ValueError:
        raise bad(f"{person_id!r} is not an id", "PERSON_ID") from None
    kinds = [k.strip() for k in fields.split(",") if k.strip()]
    try:
        ref_ids = [UUID(r) for r in refs]
    except ValueError:
        raise bad("each --ref must be the id of a contact detail", "--ref") from None
    if not kinds and not ref_ids:
        raise bad("name what to destroy with --fields (email, phone, address) or --ref", "--fields")
    registry = Registry(open_store(database))
    try:
        context = Context(actor or _actor(), Source(decision.strip() or "?"))
        done = registry.redact_contact_details(
            pid, decision, reason, context, kinds=kinds, refs=ref_ids
        )
    except RegistryError as error:
        where = f"{error.field}: " if error.field else ""
        console.print(
            f"[red]refused[/]: {escape(where + error.message)}; nothing was written",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(1) from None
    finally:
        registry.close()
    typer.echo(f"redacted {len(done)} contact detail(s) of {pid}: {', '.join(map(str, done))}")
