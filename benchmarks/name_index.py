"""What identity on import costs (registry/names.py): a fresh process's first lookup reads
every registration from the event log once, later lookups only what was recorded since.

Imports N generated minutes files (tests/generated_minutes.py, each with its own kommun, nämnd,
agreement and fund) into a temporary SQLite store, then prints, for a new Registry object on
that store, the milliseconds of the first lookup (a catch-up over the whole log) and the median
of 20 later ones, and the median time to import one more file with and without the index warm.

Run: .venv/bin/python benchmarks/name_index.py [N]   (default 200 files, about 10 000 events)
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from registry.application import Registry
from registry.config import StoreSettings
from registry.importing import import_file
from registry.names import names_of
from tests.generated_minutes import write_minutes


def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = StoreSettings(str(Path(tmp) / "bench.sqlite"))
        files = write_minutes(Path(tmp), "bench", count + 21)
        registry = Registry(settings)
        for path in files[:count]:
            import_file(registry, path)
        events = registry.max_position()
        registry.close()

        fresh = Registry(settings)
        started = time.perf_counter()
        names_of(fresh).held("body", "Nämnden bench-0001")
        first = (time.perf_counter() - started) * 1000
        later = []
        for _ in range(20):
            started = time.perf_counter()
            names_of(fresh).held("body", "Nämnden bench-0002")
            later.append((time.perf_counter() - started) * 1000)
        imports = []
        for path in files[count : count + 20]:
            started = time.perf_counter()
            import_file(fresh, path)
            imports.append((time.perf_counter() - started) * 1000)
        fresh.close()
    print(f"{count} files, {events} events in the log")
    print(f"first lookup (catch-up over the log): {first:8.1f} ms")
    print(f"later lookups, median of 20:          {statistics.median(later):8.2f} ms")
    print(f"one more import, median of 20:        {statistics.median(imports):8.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
