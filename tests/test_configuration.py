"""Bad settings are refused at start, as a user meets them: `registry serve`, `project` and
`import` run as real processes, and each must exit non-zero with exactly one line on stderr
that names the setting (and never a password), with no traceback. Good URL forms are accepted.

The subprocess timeout only keeps a broken run from hanging the suite; no test times anything.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.conftest import SERVER

ROOT = Path(__file__).resolve().parents[1]
# The installed `registry` command, as a user runs it (beside this Python in its virtualenv).
REGISTRY = [str(Path(sys.executable).with_name("registry"))]
EXAMPLE = sorted((ROOT / "examples").glob("*.yaml"))[0]
PASSWORD = "s3cret-pw"


def registry(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("REGISTRY_") or k.endswith("TEST_POSTGRES")
    }
    environment.update(env or {})
    return subprocess.run(
        [*REGISTRY, *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd or ROOT,
        timeout=20,
        check=False,
    )


def assert_refused(run: subprocess.CompletedProcess[str], *named: str) -> str:
    """One line on stderr, naming every string in `named`; non-zero exit; no traceback."""
    assert run.returncode != 0, run
    assert "Traceback" not in run.stderr, run.stderr
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, run.stderr
    for text in named:
        assert text in lines[0], lines[0]
    assert PASSWORD not in run.stderr + run.stdout
    return lines[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgres_url(user: str = "postgres", database: str = "postgres", password: str = "") -> str:
    host_port = SERVER.split("@", 1)[1]
    secret = f":{password}" if password else ""
    return f"postgresql://{user}{secret}@{host_port}/{database}"


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP port that accepts connections and never answers (a firewall that drops, a
    hung server): the connect timeout must end the wait."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


# -- the store URL -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        f"mysql://registry:{PASSWORD}@db.example.org:3306/registry",
        "http://example.org/registry",
        f"ftp://user:{PASSWORD}@example.org/x",
        "sqlite://relative.sqlite",
    ],
)
def test_a_store_url_of_another_kind_is_refused(url: str) -> None:
    line = assert_refused(registry("serve", "--database", url), "REGISTRY_DATABASE")
    assert "postgresql://" in line or "sqlite:///" in line  # says what is accepted


def test_a_sqlite_file_in_a_directory_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "dir"
    for url in (str(missing / "r.sqlite"), f"sqlite:///{missing}/r.sqlite"):
        line = assert_refused(registry("serve", "--database", url), "REGISTRY_DATABASE")
        assert "does not exist" in line
    assert not (tmp_path / "no").exists()


def test_a_sqlite_file_under_a_file_or_in_an_unwritable_place_is_refused(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("not a directory")
    line = assert_refused(
        registry("import", str(EXAMPLE), "--database", str(tmp_path / "plain" / "r.sqlite")),
        "REGISTRY_DATABASE",
    )
    assert "not a directory" in line
    # /proc takes no new files, even from root (for whom file modes do not count).
    assert_refused(registry("serve", "--database", "/proc/registry.sqlite"), "REGISTRY_DATABASE")


def test_a_file_that_is_not_a_sqlite_database_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "registry.sqlite"
    junk.write_bytes(b"this is not a database, just some text long enough to look at" * 20)
    line = assert_refused(registry("project", "--database", str(junk)), "REGISTRY_DATABASE")
    assert "cannot be opened as a SQLite database" in line


def test_sqlite_urls_in_their_usual_forms_and_a_bare_path_are_accepted(tmp_path: Path) -> None:
    absolute = tmp_path / "absolute.sqlite"
    for url, made in [
        ("sqlite:///relative.sqlite", tmp_path / "relative.sqlite"),
        (f"sqlite:///{absolute}", absolute),  # sqlite:////tmp/... : four slashes
        ("bare.sqlite", tmp_path / "bare.sqlite"),
    ]:
        run = registry("import", str(EXAMPLE), "--database", url, cwd=tmp_path)
        assert run.returncode == 0, run.stderr
        assert "imported" in run.stdout
        assert made.is_file()
    assert not (tmp_path / "sqlite:").exists()


# -- PostgreSQL ------------------------------------------------------------------------------


def test_an_unreachable_postgresql_port_is_refused_in_one_line() -> None:
    port = free_port()  # nothing listens there
    url = f"postgresql://postgres:{PASSWORD}@127.0.0.1:{port}/registry"
    line = assert_refused(registry("serve", "--database", url), "REGISTRY_DATABASE")
    assert f"127.0.0.1:{port}" in line and "refused" in line


def test_a_postgresql_server_that_does_not_answer_is_refused_after_the_connect_timeout(
    silent_server: int,
) -> None:
    url = f"postgresql://postgres:{PASSWORD}@127.0.0.1:{silent_server}/registry"
    run = registry("import", str(EXAMPLE), "--database", url, env={"REGISTRY_CONNECT_TIMEOUT": "2"})
    line = assert_refused(run, "REGISTRY_DATABASE")
    assert "did not answer within 2 s" in line


def test_a_missing_postgresql_role_database_or_schema_is_named(postgres_database: str) -> None:
    role = f"nobody_{uuid.uuid4().hex[:8]}"
    line = assert_refused(
        registry("serve", "--database", postgres_url(user=role, password=PASSWORD)),
        "REGISTRY_DATABASE",
    )
    assert f'no role "{role}"' in line
    database = f"missing_{uuid.uuid4().hex[:8]}"
    line = assert_refused(
        registry("project", "--database", postgres_url(database=database)), "REGISTRY_DATABASE"
    )
    assert f'no database "{database}"' in line
    schema = f"s_{uuid.uuid4().hex[:8]}"
    line = assert_refused(
        registry("import", str(EXAMPLE), "--database", f"{postgres_database}?schema={schema}"),
        "REGISTRY_DATABASE",
    )
    assert f'no schema "{schema}"' in line


def test_postgres_and_postgresql_urls_are_both_accepted(postgres_database: str) -> None:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_database, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        short = postgres_database.replace("postgresql://", "postgres://", 1)
        for url in (f"{short}?schema={schema}", f"{postgres_database}?schema={schema}"):
            run = registry("import", str(EXAMPLE), "--database", url)
            assert run.returncode == 0, run.stderr
        assert "unchanged" in run.stdout  # the second URL reached the same store
    finally:
        with psycopg.connect(postgres_database, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


# -- the other settings ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "env", "named"),
    [
        (["--port", "http"], {}, "--port"),
        ([], {"REGISTRY_PORT": "70000"}, "REGISTRY_PORT"),
        ([], {"REGISTRY_GRAPHQL_INTROSPECTION": "maybe"}, "REGISTRY_GRAPHQL_INTROSPECTION"),
        ([], {"REGISTRY_PROJECTIONS": "sometimes"}, "REGISTRY_PROJECTIONS"),
        ([], {"REGISTRY_LOG_FORMAT": "xml"}, "REGISTRY_LOG_FORMAT"),
        (["--log-format", "yaml"], {}, "--log-format"),
        ([], {"REGISTRY_LOG_LEVEL": "loud"}, "REGISTRY_LOG_LEVEL"),
        ([], {"REGISTRY_READY_MAX_LAG": "-1"}, "REGISTRY_READY_MAX_LAG"),
        ([], {"REGISTRY_READY_HEARTBEAT_AGE": "soon"}, "REGISTRY_READY_HEARTBEAT_AGE"),
        ([], {"REGISTRY_CONNECT_TIMEOUT": "0"}, "REGISTRY_CONNECT_TIMEOUT"),
    ],
)
def test_a_bad_serve_setting_is_refused_in_one_line(
    tmp_path: Path, args: list[str], env: dict[str, str], named: str
) -> None:
    database = str(tmp_path / "registry.sqlite")
    run = registry("serve", *args, "--database", database, env=env)
    line = assert_refused(run, named)
    assert "must be" in line
    assert not Path(database).exists()  # refused before the store was opened
