"""API tokens issued by the registry (`registry token create|list|revoke`).

A token is a random secret shown once when it is created. The store keeps only its SHA-256
(the secret has 256 bits of entropy, so a fast hash is enough: there is nothing to guess),
with a name, a role and the bodies and organisations it may write for (its grants). A
revoked token stays listed, with the time it was revoked, and is refused from then on.

Tokens live in the table `api_tokens` beside the events (the event store's schema on
PostgreSQL), created on first use with `CREATE TABLE IF NOT EXISTS`. They are not events: a
store restored from its event log alone has no tokens, and new ones must be issued.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from psycopg.sql import SQL, Identifier

from registry.application import Registry
from registry.domain.body import Body
from registry.domain.organisation import Organisation
from registry.errors import InvalidInput, NotFound
from registry.ids import natural_id
from registry.store_setup import setup_lock

TABLE = "api_tokens"
#: What every registry-issued secret starts with, so that a leaked one is recognisable (and
#: told apart from a JWT, which has two dots).
PREFIX = "reg_"
#: The roles a token can carry (api/identity.py gives them their meaning).
ROLES = ("reader", "recorder", "auditor", "admin")

# How long "is any token active?" is remembered (it is asked for anonymous requests, to know
# whether the loopback default still holds). A token created by another process counts
# within this many seconds.
ACTIVE_CACHE_SECONDS = 2.0


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    """One issued token as the store keeps it (never its secret)."""

    id: str
    name: str
    role: str
    grants: tuple[UUID, ...]
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role,
            "grants": [str(g) for g in self.grants],
            "created_at": self.created_at.isoformat(),
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
        }


def resolve_grant(registry: Registry, given: str) -> UUID:
    """The body or organisation a `--grant` names: its id, or its key or name (as the minutes
    format derives ids from them). Raises InvalidInput when it names neither."""
    text = given.strip()
    candidates: list[tuple[UUID, type]] = []
    try:
        as_id = UUID(text)
        candidates = [(as_id, Body), (as_id, Organisation)]
    except ValueError:
        candidates = [
            (natural_id("body", text), Body),
            (natural_id("organisation", text), Organisation),
        ]
    for candidate, cls in candidates:
        try:
            registry.get(candidate, cls)
        except NotFound:
            continue
        return candidate
    raise InvalidInput(
        f"grant {given!r} names no body or organisation held by the registry; give its id, "
        "key or name",
        field="grant",
    )


def _now() -> datetime:
    return datetime.now(UTC)


def _time(value: Any) -> datetime | None:
    if value is None:
        return None
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


class TokenStore:
    """The api_tokens table of one registry's store (SQLite or PostgreSQL)."""

    def __init__(self, registry: Registry) -> None:
        self.settings = registry.settings
        self.datastore = registry.recorder.datastore  # type: ignore[attr-defined]
        self.is_postgres = self.settings.is_postgres
        self._active: tuple[float, bool] | None = None
        with setup_lock(self.settings), self._write() as c:
            c.execute(
                self._sql(
                    "CREATE TABLE IF NOT EXISTS {t} (id TEXT PRIMARY KEY, "
                    "secret_hash TEXT NOT NULL UNIQUE, name TEXT NOT NULL, role TEXT NOT NULL, "
                    "grants TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT)"
                )
            )

    # -- SQL plumbing ---------------------------------------------------------------------

    def _sql(self, statement: str) -> Any:
        """`{t}` is the table (schema-qualified on PostgreSQL); `?` placeholders."""
        if self.is_postgres:
            return SQL(statement.replace("?", "%s")).format(  # type: ignore[arg-type]
                t=SQL("{}.{}").format(Identifier(self.datastore.schema), Identifier(TABLE))
            )
        return statement.replace("{t}", TABLE)

    @contextmanager
    def _write(self) -> Iterator[Any]:
        with self.datastore.transaction(commit=True) as c:
            yield c

    @contextmanager
    def _read(self) -> Iterator[Any]:
        with self.datastore.transaction(commit=False) as c:
            yield c

    @staticmethod
    def _token(row: Any) -> IssuedToken:
        return IssuedToken(
            id=row["id"],
            name=row["name"],
            role=row["role"],
            grants=tuple(UUID(g) for g in json.loads(row["grants"])),
            created_at=_time(row["created_at"]),  # type: ignore[arg-type]
            revoked_at=_time(row["revoked_at"]),
        )

    # -- commands -------------------------------------------------------------------------

    def create(self, name: str, role: str, grants: Iterable[UUID] = ()) -> tuple[IssuedToken, str]:
        """Issue a token; returns it with its secret (shown once, never stored)."""
        if not name or not name.strip():
            raise InvalidInput("a token needs a name (who or what uses it)", field="name")
        if role not in ROLES:
            raise InvalidInput(f"role {role!r} is not one of {', '.join(ROLES)}", field="role")
        granted = tuple(dict.fromkeys(grants))
        if role == "recorder" and not granted:
            raise InvalidInput(
                "a recorder token needs at least one --grant (a body or organisation)",
                field="grant",
            )
        secret = PREFIX + secrets.token_urlsafe(32)
        token = IssuedToken(str(uuid.uuid4()), name.strip(), role, granted, _now())
        with self._write() as c:
            c.execute(
                self._sql(
                    "INSERT INTO {t} (id, secret_hash, name, role, grants, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)"
                ),
                (
                    token.id,
                    hash_secret(secret),
                    token.name,
                    token.role,
                    json.dumps([str(g) for g in token.grants]),
                    token.created_at.isoformat(),
                ),
            )
        self._active = None
        return token, secret

    def revoke(self, token_id: str) -> IssuedToken:
        """Revoke a token (listed still, refused from now on). Revoking twice keeps the first
        time. Raises NotFound for an unknown id."""
        with self._write() as c:
            c.execute(
                self._sql("UPDATE {t} SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"),
                (_now().isoformat(), token_id.strip()),
            )
        self._active = None
        found = self.get(token_id)
        if found is None:
            raise NotFound(f"no token has the id {token_id!r} (see `registry token list`)")
        return found

    # -- queries --------------------------------------------------------------------------

    def get(self, token_id: str) -> IssuedToken | None:
        with self._read() as c:
            c.execute(self._sql("SELECT * FROM {t} WHERE id = ?"), (token_id.strip(),))
            row = c.fetchone()
        return self._token(row) if row else None

    def find(self, secret: str) -> IssuedToken | None:
        """The active token with this secret, or None (unknown or revoked)."""
        with self._read() as c:
            c.execute(
                self._sql("SELECT * FROM {t} WHERE secret_hash = ? AND revoked_at IS NULL"),
                (hash_secret(secret),),
            )
            row = c.fetchone()
        return self._token(row) if row else None

    def list(self) -> list[IssuedToken]:
        with self._read() as c:
            c.execute(self._sql("SELECT * FROM {t} ORDER BY created_at, id"))
            return [self._token(r) for r in c.fetchall()]

    def any_active(self) -> bool:
        """Whether any token is active (remembered for ACTIVE_CACHE_SECONDS)."""
        now = time.monotonic()
        if self._active is not None and now - self._active[0] < ACTIVE_CACHE_SECONDS:
            return self._active[1]
        with self._read() as c:
            c.execute(self._sql("SELECT 1 AS one FROM {t} WHERE revoked_at IS NULL LIMIT 1"))
            found = c.fetchone() is not None
        self._active = (now, found)
        return found
