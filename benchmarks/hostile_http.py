"""How fast POST /import of a real `registry serve` refuses hostile documents, over HTTP as
a client sees it (request sent to answer read): prints the median and the worst of N
requests per case, and how many events the store holds afterwards (must be 0).

    .venv/bin/python benchmarks/hostile_http.py [--runs 7]

A temporary SQLite store; the server runs without identity configured, from loopback (the
local administrator), so the refusal measured is the document's, not the credentials'.
This is a script that prints figures, not a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.hostile_yaml import billion_laughs
from registry.application import Registry
from registry.config import StoreSettings
from tests.served import registry_process

CASES = {
    "alias bomb (YAML, 9 levels x 10)": (billion_laughs().encode(), "application/yaml"),
    "100k-deep JSON": (b'{"x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "application/json"),
    "5 MiB string (JSON)": (b'{"d": "' + b"x" * (5 * 1024 * 1024) + b'"}', "application/json"),
    "4.9 MB string (YAML)": (b"document: '" + b"x" * 4_900_000 + b"'\n", "application/yaml"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as directory:
        cwd = Path(directory)
        store = cwd / "bench.sqlite"
        with registry_process("serve", "--database", str(store), cwd=cwd) as server:
            for name, (body, content_type) in CASES.items():
                times = []
                for _ in range(runs):
                    started = time.perf_counter()
                    status, answer = server.post("/import?name=hostile", body, content_type)
                    times.append((time.perf_counter() - started) * 1000)
                    assert status == 400, (status, answer)
                code = answer["errors"][0]["code"]
                print(
                    f"{name:34} {len(body):>9} bytes  median {statistics.median(times):7.1f} ms"
                    f"  worst {max(times):7.1f} ms  ({runs} runs, {status} {code})"
                )
        registry = Registry(StoreSettings(str(store)))
        try:
            print(f"events stored afterwards: {registry.max_position()}")
        finally:
            registry.close()


if __name__ == "__main__":
    main()
