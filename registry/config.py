"""Every setting of the registry, read from the environment (and the command line), checked
at start. The table of all of them, with defaults, is docs/configuration.md.

The store is chosen by `REGISTRY_DATABASE`:

- unset: the SQLite file `registry.sqlite` in the working directory (no service needed);
- a path such as `/var/lib/registry/registry.sqlite`, or `sqlite:///relative/path` and
  `sqlite:////absolute/path` (the usual URL forms): that SQLite file;
- `postgresql://user[:password]@host[:port]/dbname[?schema=name]` (or `postgres://`):
  PostgreSQL.

Anything else (`mysql://…`, `http://…`) is refused. A bad value is reported as one
`ConfigError` line naming the setting and what to do; `check_store` also opens the store once
(PostgreSQL with a connect timeout) so that an unreachable server, a missing role or database,
or a SQLite directory that does not exist is refused at start rather than later.
"""

from __future__ import annotations

import os
import re
import sqlite3
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

DEFAULT_SQLITE_FILE = "registry.sqlite"
DEFAULT_CONNECT_TIMEOUT = 5
DATABASE_SETTING = "REGISTRY_DATABASE (--database)"
_POSTGRES_SCHEMES = ("postgresql://", "postgres://")
_SQLITE_SCHEME = "sqlite://"
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class ConfigError(ValueError):
    """A setting that cannot work, with one line saying which and what to do."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__(f"{setting}: {message}")
        self.setting = setting


@dataclass(frozen=True)
class StoreSettings:
    """Where events and read models live, as the eventsourcing library's environment."""

    url: str

    @property
    def is_postgres(self) -> bool:
        return self.url.startswith(_POSTGRES_SCHEMES)

    @property
    def sqlite_path(self) -> str:
        """The SQLite file: the URL without `sqlite://` (so `sqlite:///x` is `x` and
        `sqlite:////x` is `/x`), or the bare path."""
        if self.url.startswith(_SQLITE_SCHEME + "/"):
            return self.url[len(_SQLITE_SCHEME) + 1 :]
        return self.url

    def eventsourcing_env(self) -> dict[str, str]:
        # Commands load aggregates; a body with a long history would be replayed on every
        # command. The library's cache (deep-copied on get, fast-forwarded from the store,
        # so other processes' writes are seen) keeps that cost flat.
        common = {"AGGREGATE_CACHE_MAXSIZE": "1000"}
        if not self.is_postgres:
            return {
                **common,
                "PERSISTENCE_MODULE": "registry.sqlite_persistence:Factory",
                "SQLITE_DBNAME": self.sqlite_path,
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
            # The library waits 30 s for a connection by default; a wrong host should be
            # reported within seconds (REGISTRY_CONNECT_TIMEOUT).
            "POSTGRES_CONNECT_TIMEOUT": str(connect_timeout_from_environment()),
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
        """For the operator (logs, the terminal): never the password. Not for HTTP answers."""
        if not self.is_postgres:
            return f"SQLite file {os.path.abspath(self.sqlite_path)}"
        env = self.eventsourcing_env()
        return (
            f"PostgreSQL {env['POSTGRES_USER']}@{env['POSTGRES_HOST']}:{env['POSTGRES_PORT']}"
            f"/{env['POSTGRES_DBNAME']} (schema {self.postgres_schema})"
        )


def parse_store_url(url: str, setting: str = DATABASE_SETTING) -> StoreSettings:
    """The store a REGISTRY_DATABASE value names, or ConfigError (never echoing the value,
    which may hold a password)."""
    value = url.strip()
    if not value:
        raise ConfigError(setting, "is empty: give a SQLite path or a postgresql:// URL")
    if value.startswith(_POSTGRES_SCHEMES):
        parts = urlparse(value)
        try:
            parts.port  # noqa: B018 - raises ValueError on a port that is not a number
        except ValueError:
            raise ConfigError(
                setting, "the PostgreSQL URL's port is not a number from 1 to 65535"
            ) from None
        schema = parse_qs(parts.query).get("schema", ["public"])[0]
        if not _SCHEMA_NAME.match(schema):
            raise ConfigError(
                setting,
                f"schema {schema!r} is not a plain lower-case SQL name "
                "(letters, digits and _, at most 63)",
            )
        unknown = set(parse_qs(parts.query)) - {"schema"}
        if unknown:
            raise ConfigError(
                setting,
                f"unknown URL parameter(s) {', '.join(sorted(unknown))}: only ?schema=name "
                "is understood",
            )
        return StoreSettings(value)
    if value.startswith(_SQLITE_SCHEME):
        path = value[len(_SQLITE_SCHEME) :]
        if not path.startswith("/") or len(path) < 2:
            raise ConfigError(
                setting,
                "a SQLite URL is sqlite:///relative/path or sqlite:////absolute/path",
            )
        return StoreSettings(value)
    scheme = _SCHEME.match(value)
    # A one-letter "scheme" is a Windows drive (C:\...), which is a path.
    if scheme and len(scheme.group(1)) > 1 and "://" in value:
        raise ConfigError(
            setting,
            f"unsupported store {scheme.group(1)}://: use a SQLite path, sqlite:///path or "
            "postgresql://user@host:port/db",
        )
    return StoreSettings(value)


def settings_from_environment(url: str | None = None) -> StoreSettings:
    """The store from `url` (a --database value) or REGISTRY_DATABASE, else registry.sqlite.
    Raises ConfigError on a value that names no store this registry can use."""
    return parse_store_url(url or os.environ.get("REGISTRY_DATABASE") or DEFAULT_SQLITE_FILE)


# -- checking the store once at start ---------------------------------------------------


def check_store(settings: StoreSettings) -> None:
    """Open the store once, so a configuration that cannot work is refused at start with one
    line (ConfigError) instead of a traceback later. Writes nothing (a probe file in the
    SQLite directory is removed at once)."""
    if settings.is_postgres:
        _check_postgres(settings)
    else:
        _check_sqlite(settings.sqlite_path)


def _check_sqlite(path: str) -> None:
    setting = DATABASE_SETTING
    file = Path(path)
    directory = file.parent
    if not directory.exists():
        raise ConfigError(
            setting,
            f"the directory {directory} of the SQLite file does not exist: create it or "
            "choose another path",
        )
    if not directory.is_dir():
        raise ConfigError(setting, f"{directory} is not a directory: choose another path")
    if file.is_dir():
        raise ConfigError(setting, f"{file} is a directory, not a SQLite file")
    try:
        # SQLite also writes its journal (-wal, -shm) beside the file: the directory itself
        # must be writable, not only the file. (os.access says yes to root on any mode.)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".registry-probe-"):
            pass
    except OSError as error:
        raise ConfigError(
            setting,
            f"cannot write in {directory} ({error.strerror or error}): choose a writable directory",
        ) from None
    if file.exists():
        try:
            connection = sqlite3.connect(f"file:{file}?mode=rw", uri=True, timeout=5)
            try:
                connection.execute("PRAGMA schema_version").fetchone()
            finally:
                connection.close()
        except sqlite3.Error as error:
            raise ConfigError(
                setting, f"{file} cannot be opened as a SQLite database ({error})"
            ) from None


def _check_postgres(settings: StoreSettings) -> None:
    import psycopg

    env = settings.eventsourcing_env()
    where = f"{env['POSTGRES_HOST']}:{env['POSTGRES_PORT']}"
    timeout = int(env["POSTGRES_CONNECT_TIMEOUT"])
    try:
        connection = psycopg.connect(
            host=env["POSTGRES_HOST"],
            port=env["POSTGRES_PORT"],
            user=env["POSTGRES_USER"],
            password=env["POSTGRES_PASSWORD"] or None,
            dbname=env["POSTGRES_DBNAME"],
            connect_timeout=timeout,
            autocommit=True,
        )
    except psycopg.Error as error:
        raise ConfigError(DATABASE_SETTING, _postgres_problem(error, env, where, timeout)) from None
    try:
        schema = settings.postgres_schema
        found = connection.execute(
            "SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)
        ).fetchone()
        if found is None:
            raise ConfigError(
                DATABASE_SETTING,
                f'database "{env["POSTGRES_DBNAME"]}" has no schema "{schema}": create it '
                f'(CREATE SCHEMA "{schema}") or leave out ?schema=',
            )
    except psycopg.Error as error:
        raise ConfigError(DATABASE_SETTING, _postgres_problem(error, env, where, timeout)) from None
    finally:
        connection.close()


def _postgres_problem(error: Exception, env: Mapping[str, str], where: str, timeout: int) -> str:
    """What went wrong connecting, as one line without the password."""
    text = str(error)
    user, dbname = env["POSTGRES_USER"], env["POSTGRES_DBNAME"]
    lowered = text.lower()
    if "role" in lowered and "does not exist" in lowered:
        return f'PostgreSQL at {where} has no role "{user}": create it or fix the user in the URL'
    if "database" in lowered and "does not exist" in lowered:
        return (
            f'PostgreSQL at {where} has no database "{dbname}": create it (createdb {dbname}) '
            "or fix the database name in the URL"
        )
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        return f'PostgreSQL at {where} refused the password for "{user}": fix it in the URL'
    if "timeout" in lowered or "timed out" in lowered:
        return (
            f"PostgreSQL at {where} did not answer within {timeout} s: check the host and "
            "port, and that the server runs and is reachable"
        )
    if "refused" in lowered:
        return (
            f"cannot connect to PostgreSQL at {where} (connection refused): check the host "
            "and port, and that the server runs"
        )
    if "could not translate host name" in lowered or "name or service not known" in lowered:
        return f"the PostgreSQL host {env['POSTGRES_HOST']!r} is unknown: fix the URL's host"
    first = next((line.strip() for line in text.splitlines() if line.strip()), type(error).__name__)
    password = env.get("POSTGRES_PASSWORD")
    if password:
        first = first.replace(password, "***")
    return f"cannot use PostgreSQL at {where}: {first}"


# -- the other settings --------------------------------------------------------------------

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def parse_bool(setting: str, value: str) -> bool:
    """true/false (also 1/0, yes/no, on/off, any case), else ConfigError."""
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(setting, f"must be true or false (got {value!r})")


def parse_int(setting: str, value: str | int, low: int, high: int | None = None) -> int:
    """A whole number in [low, high], else ConfigError."""
    try:
        number = int(str(value).strip())
    except ValueError:
        number = None
    if number is None or number < low or (high is not None and number > high):
        bounds = f"from {low} to {high}" if high is not None else f"of at least {low}"
        raise ConfigError(setting, f"must be a whole number {bounds} (got {value!r})")
    return number


def parse_choice(setting: str, value: str, choices: tuple[str, ...]) -> str:
    lowered = value.strip().lower()
    if lowered not in choices:
        raise ConfigError(setting, f"must be one of {', '.join(choices)} (got {value!r})")
    return lowered


def connect_timeout_from_environment(environ: Mapping[str, str] = os.environ) -> int:
    """REGISTRY_CONNECT_TIMEOUT: seconds to wait for PostgreSQL to accept a connection."""
    value = environ.get("REGISTRY_CONNECT_TIMEOUT")
    if value is None or not value.strip():
        return DEFAULT_CONNECT_TIMEOUT
    return parse_int("REGISTRY_CONNECT_TIMEOUT", value, 1, 300)


LOG_FORMATS = ("auto", "json", "text")


@dataclass(frozen=True)
class ServeSettings:
    """What `registry serve` (and `registry project`, for the logs) runs with. Each field's
    environment variable and flag is in docs/configuration.md."""

    host: str = "127.0.0.1"
    port: int = 8000
    projections: bool = True
    introspection: bool = True
    log_format: str = "auto"
    log_level: str = "info"
    ready_max_lag: int = 0
    ready_heartbeat_age: int = 10


def readiness_limits_from_environment(environ: Mapping[str, str] = os.environ) -> tuple[int, int]:
    """(REGISTRY_READY_MAX_LAG events, REGISTRY_READY_HEARTBEAT_AGE seconds) for /readyz."""
    defaults = ServeSettings()
    lag = parse_int(
        "REGISTRY_READY_MAX_LAG",
        _pick(None, environ, "REGISTRY_READY_MAX_LAG", str(defaults.ready_max_lag)) or "",
        0,
    )
    age = parse_int(
        "REGISTRY_READY_HEARTBEAT_AGE",
        _pick(None, environ, "REGISTRY_READY_HEARTBEAT_AGE", str(defaults.ready_heartbeat_age))
        or "",
        1,
    )
    return lag, age


def _pick(
    flag: object, environ: Mapping[str, str], name: str, default: str | None = None
) -> str | None:
    """A flag's value wins over the environment's; an empty variable counts as unset."""
    if flag is not None:
        return str(flag)
    value = environ.get(name)
    if value is not None and value.strip():
        return value
    return default


def _bool(flag: bool | None, environ: Mapping[str, str], name: str, default: bool) -> bool:
    if flag is not None:
        return flag
    value = _pick(None, environ, name)
    return default if value is None else parse_bool(name, value)


def serve_settings(
    *,
    host: str | None = None,
    port: str | int | None = None,
    projections: bool | None = None,
    introspection: bool | None = None,
    log_format: str | None = None,
    environ: Mapping[str, str] = os.environ,
) -> ServeSettings:
    """Flags (None when not given) over REGISTRY_* variables over defaults, each checked;
    ConfigError on the first bad one."""
    defaults = ServeSettings()
    chosen_host = _pick(host, environ, "REGISTRY_HOST", defaults.host) or defaults.host
    chosen_port = parse_int(
        "REGISTRY_PORT (--port)", _pick(port, environ, "REGISTRY_PORT", "8000") or "", 1, 65535
    )
    projections_value = _bool(projections, environ, "REGISTRY_PROJECTIONS", defaults.projections)
    introspection_value = _bool(
        introspection, environ, "REGISTRY_GRAPHQL_INTROSPECTION", defaults.introspection
    )
    chosen_format = parse_choice(
        "REGISTRY_LOG_FORMAT (--log-format)",
        _pick(log_format, environ, "REGISTRY_LOG_FORMAT", defaults.log_format) or "",
        LOG_FORMATS,
    )
    level = parse_choice(
        "REGISTRY_LOG_LEVEL",
        _pick(None, environ, "REGISTRY_LOG_LEVEL", defaults.log_level) or "",
        ("debug", "info", "warning", "error"),
    )
    lag, age = readiness_limits_from_environment(environ)
    connect_timeout_from_environment(environ)  # checked here too, so serve refuses it at start
    return ServeSettings(
        host=chosen_host,
        port=chosen_port,
        projections=projections_value,
        introspection=introspection_value,
        log_format=chosen_format,
        log_level=level,
        ready_max_lag=lag,
        ready_heartbeat_age=age,
    )


# -- the signing key ----------------------------------------------------------------------


def read_settings_from_environment(url: str | None = None) -> StoreSettings | None:
    """The streaming replica the API reads its read models from (`REGISTRY_READ_DATABASE`),
    or None: read from the primary. Only a PostgreSQL URL is accepted; the schema is the
    primary's (a replica holds the same schemas). ConfigError on anything else."""
    url = url or os.environ.get("REGISTRY_READ_DATABASE") or None
    if url is None or not url.strip():
        return None
    settings = parse_store_url(url, "REGISTRY_READ_DATABASE")
    if not settings.is_postgres:
        raise ConfigError(
            "REGISTRY_READ_DATABASE",
            "must be a postgresql:// URL of a streaming replica of REGISTRY_DATABASE",
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
    return Path(settings.sqlite_path).resolve().parent / DEFAULT_SIGNING_KEY_FILE


# -- identity: JWTs from an OIDC issuer ---------------------------------------------------

OIDC_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")


@dataclass(frozen=True)
class OidcSettings:
    """Where bearer JWTs come from and how they are read (docs/security.md):
    REGISTRY_OIDC_ISSUER (the `iss` every token must carry), REGISTRY_OIDC_AUDIENCE (an
    `aud` it must name), REGISTRY_OIDC_JWKS (the issuer's keys: a JWKS file path, or an
    https:// or http:// URL), REGISTRY_OIDC_ROLE_CLAIM and REGISTRY_OIDC_GRANTS_CLAIM (the
    claims holding the role and the grants), REGISTRY_OIDC_NAME_CLAIM (the display name)."""

    issuer: str
    audience: str
    jwks: str
    role_claim: str = "registry_role"
    grants_claim: str = "registry_grants"
    name_claim: str = "name"

    @property
    def jwks_is_url(self) -> bool:
        return self.jwks.startswith(("https://", "http://"))


def oidc_from_environment(environ: Mapping[str, str] = os.environ) -> OidcSettings | None:
    """The OIDC settings, or None when none is set. All three of issuer, audience and JWKS
    are needed once any is set (ConfigError naming the missing ones); a JWKS file must
    exist."""
    names = ("REGISTRY_OIDC_ISSUER", "REGISTRY_OIDC_AUDIENCE", "REGISTRY_OIDC_JWKS")
    values = {name: _pick(None, environ, name) for name in names}
    given = {name: value.strip() for name, value in values.items() if value}
    if not given:
        return None
    missing = [name for name in names if name not in given]
    if missing:
        raise ConfigError(
            missing[0],
            f"is needed with {', '.join(sorted(given))}: JWTs are verified against the "
            "issuer, the audience and the issuer's keys (JWKS), all three",
        )
    settings = OidcSettings(
        issuer=given["REGISTRY_OIDC_ISSUER"],
        audience=given["REGISTRY_OIDC_AUDIENCE"],
        jwks=given["REGISTRY_OIDC_JWKS"],
        role_claim=_pick(None, environ, "REGISTRY_OIDC_ROLE_CLAIM", "registry_role")
        or "registry_role",
        grants_claim=_pick(None, environ, "REGISTRY_OIDC_GRANTS_CLAIM", "registry_grants")
        or "registry_grants",
        name_claim=_pick(None, environ, "REGISTRY_OIDC_NAME_CLAIM", "name") or "name",
    )
    if not settings.jwks_is_url and not Path(settings.jwks).is_file():
        raise ConfigError(
            "REGISTRY_OIDC_JWKS",
            f"{settings.jwks} is not a file: give the path of the issuer's JWKS (JSON) or "
            "its https:// URL",
        )
    return settings
