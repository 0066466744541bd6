"""`registry token create|list|revoke`: API tokens issued by the registry (registry/tokens.py,
docs/security.md). The secret is printed once, on standard output, when it is created; the
store keeps only its SHA-256."""

from __future__ import annotations

import json

import typer
from rich.markup import escape

from api.cli import DATABASE, app, console, open_store
from registry.tokens import ROLES

token_app = typer.Typer(
    help="API tokens: create (prints the secret once), list, revoke.", no_args_is_help=True
)
app.add_typer(token_app, name="token")


@token_app.command("create")
def create(
    name: str = typer.Option(..., "--name", help="Who or what uses the token (the actor's name)."),
    role: str = typer.Option(
        "recorder", "--role", help=f"One of {', '.join(ROLES)}. A recorder needs --grant."
    ),
    grant: list[str] = typer.Option(  # noqa: B008 - typer declares options this way
        [],
        "--grant",
        help="A body or organisation (id, key or name) the token may write for; repeatable. "
        "An organisation covers the bodies it owns.",
    ),
    database: str | None = DATABASE,
) -> None:
    """Issue a token and print its secret (once: it cannot be shown again)."""
    from registry.application import Registry
    from registry.errors import RegistryError
    from registry.tokens import TokenStore, resolve_grant

    if role not in ROLES:
        raise typer.BadParameter(f"{role!r} is not one of {', '.join(ROLES)}", param_hint="--role")
    registry = Registry(open_store(database))
    try:
        try:
            grants = [resolve_grant(registry, g) for g in grant]
            token, secret = TokenStore(registry).create(name, role, grants)
        except RegistryError as error:
            hint = f"--{error.field}" if error.field else None
            raise typer.BadParameter(error.message, param_hint=hint) from None
    finally:
        registry.close()
    granted = ", ".join(str(g) for g in token.grants)
    console.print(
        f"token {token.id} ({escape(token.name)}, {token.role}"
        + (f", grants {granted}" if granted else "")
        + "): the secret follows, shown only this once",
        highlight=False,
    )
    print(secret)


@token_app.command("list")
def list_tokens(
    as_json: bool = typer.Option(False, "--json", help="One JSON array instead of a table."),
    database: str | None = DATABASE,
) -> None:
    """Every token issued, active or revoked (never a secret)."""
    from registry.application import Registry
    from registry.tokens import TokenStore

    registry = Registry(open_store(database))
    try:
        tokens = TokenStore(registry).list()
    finally:
        registry.close()
    if as_json:
        print(json.dumps([t.as_dict() for t in tokens], indent=2))
        return
    if not tokens:
        console.print("no tokens (create one with `registry token create`)")
        return
    for t in tokens:
        state = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "active"
        grants = ", ".join(str(g) for g in t.grants) or "-"
        print(f"{t.id}  {t.role:<8}  {state:<24}  {t.name}  grants: {grants}")


@token_app.command("revoke")
def revoke(
    token_id: str = typer.Argument(..., help="The token's id (from `registry token list`)."),
    database: str | None = DATABASE,
) -> None:
    """Revoke a token: refused from now on (within seconds in a running server), still
    listed."""
    from registry.application import Registry
    from registry.errors import RegistryError
    from registry.tokens import TokenStore

    registry = Registry(open_store(database))
    try:
        try:
            token = TokenStore(registry).revoke(token_id)
        except RegistryError as error:
            raise typer.BadParameter(error.message, param_hint="ID") from None
    finally:
        registry.close()
    console.print(f"token {token.id} ({escape(token.name)}) revoked", highlight=False)
