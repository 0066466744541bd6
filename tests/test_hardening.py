"""Hostile input to an import, as a user (or an attacker) sends it: the CLI as a real process
and `registry serve` over real HTTP. Every refusal is a clear 4xx and writes nothing."""

from __future__ import annotations

import http.client
import json
import subprocess
import threading
from pathlib import Path

import pytest

from registry.application import Registry
from registry.config import StoreSettings
from registry.importing import import_file
from tests.generated_minutes import write_minutes
from tests.served import RegistryProcess, registry_command, registry_process

EXAMPLES = sorted((Path(__file__).parent.parent / "registry" / "examples").glob("*.yaml"))


def billion_laughs(levels: int = 9) -> str:
    """Nested anchors, each aliased ten times by the next: ~1 KB that expands to 10**levels."""
    lines = ["a0: &a0 [lol]"]
    for level in range(1, levels + 1):
        aliases = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{aliases}]")
    return "\n".join(lines) + "\n"


HOSTILE = {
    "alias bomb": (billion_laughs(), "repeats a list or mapping"),
    "too many aliases": ("a: &t x\nb: [" + ", ".join(["*t"] * 1001) + "]\n", "more than 1000"),
    # 200 levels: past our bound of 64, short of libyaml's own limit of 1000.
    "deep nesting": ("x: " + "[" * 200 + "]" * 200 + "\n", "levels deep"),
    "huge string": ("document: '" + "x" * 1_000_000 + "'\n", "at most 100000"),
}


def stored_events(settings: StoreSettings) -> int:
    registry = Registry(settings)
    try:
        return registry.max_position()
    finally:
        registry.close()


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_cli_refuses_hostile_yaml(settings: StoreSettings, tmp_path: Path, case: str) -> None:
    text, expected = HOSTILE[case]
    path = tmp_path / "hostile.yaml"
    path.write_text(text)
    done = subprocess.run(
        [*registry_command(), "import", "--database", settings.url, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode != 0
    output = done.stdout + done.stderr
    assert "hostile.yaml" in output and expected in output, output
    assert "Traceback" not in output
    assert stored_events(settings) == 0


def raw_request(
    server: RegistryProcess, body: bytes, headers: dict[str, bytes | str]
) -> tuple[int, dict]:
    """POST /import with headers sent exactly as given (bytes too), over a real connection."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        connection.putrequest("POST", "/import?name=hostile.yaml")
        for key, value in {**headers, "Content-Length": str(len(body))}.items():
            connection.putheader(key, value)
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_served_import_refuses_hostile_input(settings: StoreSettings, tmp_path: Path) -> None:
    with registry_process("serve", "--database", settings.url, cwd=tmp_path) as server:
        for case, (text, expected) in sorted(HOSTILE.items()):
            answers: list[int] = []
            result: dict[str, tuple[int, dict]] = {}

            def send(text: str = text, result: dict = result) -> None:
                result["answer"] = server.post(
                    "/import?name=hostile.yaml", text.encode(), "application/yaml"
                )

            sender = threading.Thread(target=send)
            sender.start()
            while sender.is_alive():  # the server keeps answering while it reads the file
                connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
                connection.request("GET", "/livez")
                answers.append(connection.getresponse().status)
                connection.close()
                sender.join(0.05)
            status, body = result["answer"]
            assert status == 400, (case, status, body)
            assert body["errors"][0]["code"] == "TOO_LARGE", body
            assert expected in body["errors"][0]["message"], body
            assert set(answers) <= {200}, answers
        deep_json = b'{"x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
        status, body = server.post("/import?name=deep.json", deep_json, "application/json")
        assert status == 400 and body["errors"][0]["code"] == "TOO_LARGE", body
    assert stored_events(settings) == 0
    assert "Traceback" not in server.output()


def test_example_aliases_of_text_still_import(settings: StoreSettings) -> None:
    """The format's one use of aliases (a repeated note in examples/001) stays accepted."""
    with_alias = [p for p in EXAMPLES if "*unit" in p.read_text()]
    assert with_alias
    registry = Registry(settings)
    try:
        assert import_file(registry, with_alias[0]).status == "imported"
    finally:
        registry.close()


def test_non_ascii_authorization_is_401(settings: StoreSettings, tmp_path: Path) -> None:
    with registry_process(
        "serve",
        "--database",
        settings.url,
        cwd=tmp_path,
        env={"REGISTRY_IMPORT_TOKEN": "s3cret-token"},
    ) as server:
        body = EXAMPLES[0].read_bytes()
        for given in ("Bearer sécret".encode("latin-1"), "Bearer 秘密".encode()):
            status, answer = raw_request(
                server, body, {"Content-Type": "application/yaml", "Authorization": given}
            )
            assert status == 401, (given, status, answer)
            assert answer["errors"][0]["code"] == "UNAUTHENTICATED"
        status, answer = raw_request(
            server,
            body,
            {"Content-Type": "application/yaml", "Authorization": "Bearer s3cret-token"},
        )
        assert status == 200 and answer["status"] == "imported", answer
    assert "Traceback" not in server.output()


def test_cross_site_requests_are_refused(settings: StoreSettings, tmp_path: Path) -> None:
    with registry_process("serve", "--database", settings.url, cwd=tmp_path) as server:
        body = EXAMPLES[0].read_bytes()
        for simple in (
            "text/plain",
            "text/plain;charset=UTF-8",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
        ):
            status, answer = raw_request(server, body, {"Content-Type": simple})
            assert status == 415, (simple, status, answer)
            assert answer["errors"][0]["code"] == "UNSUPPORTED_MEDIA_TYPE"
            assert "application/yaml" in answer["errors"][0]["message"]
        status, answer = raw_request(
            server,
            body,
            {"Content-Type": "application/yaml", "Origin": "https://evil.example"},
        )
        assert status == 403 and answer["errors"][0]["code"] == "FORBIDDEN_ORIGIN", answer
        assert stored_events(settings) == 0
        status, answer = raw_request(
            server,
            body,
            {
                "Content-Type": "application/x-yaml; charset=utf-8",
                "Origin": f"http://127.0.0.1:{server.port}",
            },
        )
        assert status == 200 and answer["status"] == "imported", answer


def test_concurrent_imports_each_report_their_own_events(
    settings: StoreSettings, tmp_path: Path
) -> None:
    """Imports at once on one registry: each counts the events it saved, not the log's
    growth meanwhile; the counts equal those of the same kind of files imported one at a time
    (generated files that share nothing, so none refuses another)."""
    alone_files = write_minutes(tmp_path / "alone", "alone", 4)
    together_files = write_minutes(tmp_path / "together", "together", 4)
    registry = Registry(settings)
    try:
        alone = [import_file(registry, path).events for path in alone_files]
        assert all(count > 0 for count in alone)
        before = registry.max_position()
        assert before == sum(alone)
        counts: dict[int, int] = {}
        barrier = threading.Barrier(len(together_files))

        def run(n: int, path: Path) -> None:
            barrier.wait()
            counts[n] = import_file(registry, path).events

        threads = [
            threading.Thread(target=run, args=(n, path)) for n, path in enumerate(together_files)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert [counts.get(n) for n in range(len(together_files))] == alone
        assert registry.max_position() - before == sum(alone)
    finally:
        registry.close()
