"""One setting chooses the store: `REGISTRY_DATABASE`.

- unset: the SQLite file `registry.sqlite` in the working directory (no service needed);
- a path such as `/var/lib/registry/registry.sqlite`: that SQLite file;
- `postgresql://user[:password]@host[:port]/dbname[?schema=name]`: PostgreSQL.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

DEFAULT_SQLITE_FILE = "registry.sqlite"


@dataclass(frozen=True)
class StoreSettings:
    """Where events and read models live, as the eventsourcing library's environment."""

    url: str

    @property
    def is_postgres(self) -> bool:
        return self.url.startswith(("postgresql://", "postgres://"))

    def eventsourcing_env(self) -> dict[str, str]:
        # Commands load aggregates; a body with a long history would be replayed on every
        # command. The library's cache (deep-copied on get, fast-forwarded from the store,
        # so other processes' writes are seen) keeps that cost flat.
        common = {"AGGREGATE_CACHE_MAXSIZE": "1000"}
        if not self.is_postgres:
            return {
                **common,
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": self.url,
            }
        parts = urlparse(self.url)
        query = parse_qs(parts.query)
        env = {
            **common,
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": parts.path.lstrip("/") or "registry",
            "POSTGRES_HOST": parts.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": unquote(parts.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parts.password or ""),
            # Never enable POSTGRES_ENABLE_DB_FUNCTIONS: it lets notification ids become
            # visible out of order and a tailing projection can miss events for ever.
            "POSTGRES_ENABLE_DB_FUNCTIONS": "n",
        }
        if "schema" in query:
            env["POSTGRES_SCHEMA"] = query["schema"][0]
        return env

    @property
    def postgres_schema(self) -> str:
        return self.eventsourcing_env().get("POSTGRES_SCHEMA", "public")

    def describe(self) -> str:
        if not self.is_postgres:
            return f"SQLite file {os.path.abspath(self.url)}"
        env = self.eventsourcing_env()
        return (
            f"PostgreSQL {env['POSTGRES_USER']}@{env['POSTGRES_HOST']}:{env['POSTGRES_PORT']}"
            f"/{env['POSTGRES_DBNAME']} (schema {self.postgres_schema})"
        )


def settings_from_environment(url: str | None = None) -> StoreSettings:
    return StoreSettings(url or os.environ.get("REGISTRY_DATABASE") or DEFAULT_SQLITE_FILE)


def read_settings_from_environment(url: str | None = None) -> StoreSettings | None:
    """The streaming replica the API reads its read models from (`REGISTRY_READ_DATABASE`),
    or None: read from the primary. Only a PostgreSQL URL is accepted; the schema is the
    primary's (a replica holds the same schemas)."""
    url = url or os.environ.get("REGISTRY_READ_DATABASE") or None
    if url is None:
        return None
    settings = StoreSettings(url)
    if not settings.is_postgres:
        raise ValueError(
            "REGISTRY_READ_DATABASE must be a postgresql:// URL of a streaming replica of "
            "REGISTRY_DATABASE (got a value that is not one)"
        )
    return settings


DEFAULT_SIGNING_KEY_FILE = "registry.key"


def signing_key_path(settings: StoreSettings, explicit: str | None = None) -> Path:
    """The registry's Ed25519 key file: `explicit` (--signing-key), else REGISTRY_SIGNING_KEY,
    else `registry.key` beside the SQLite file (in the working directory for PostgreSQL)."""
    chosen = explicit or os.environ.get("REGISTRY_SIGNING_KEY")
    if chosen:
        return Path(chosen)
    if settings.is_postgres:
        return Path(DEFAULT_SIGNING_KEY_FILE)
    return Path(settings.url).resolve().parent / DEFAULT_SIGNING_KEY_FILE
