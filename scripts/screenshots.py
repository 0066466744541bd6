"""Regenerate docs/screenshots/{body,agreement,decision}.png: import the four examples into a
fresh SQLite store, serve it (`registry serve`) and photograph three pages in headless
Chromium (the page tests' browser, tests/browser.py) at 1100 x 1757.

    .venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.cli import EXAMPLES  # noqa: E402
from registry.application import Registry  # noqa: E402
from registry.config import StoreSettings  # noqa: E402
from registry.importing import import_file  # noqa: E402
from tests.browser import chromium  # noqa: E402
from tests.served import registry_process  # noqa: E402
from tests.test_pages import wait_until_projected  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
BODY = "Styrgrupp – samverkan för en god och nära vård"
AGREEMENT = "Överenskommelse om samverkan vid in- och utskrivning"
# The decision pictured: the deferred item of the Örebro chefsgrupp, with the meeting it goes to.


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        where = Path(scratch)
        settings = StoreSettings(str(where / "registry.sqlite"))
        registry = Registry(settings)
        try:
            for path in sorted(EXAMPLES.glob("*.yaml")):
                import_file(registry, path)
        finally:
            registry.close()
        with registry_process("serve", "--database", settings.url, cwd=where) as server:
            wait_until_projected(server)
            answer = server.graphql(
                """{ bodies(first: 500) { nodes { id name } }
                     agreements(validOn: "2020-06-01", first: 500) { nodes { id title } }
                     decisions(first: 500) { nodes { id deferredTo { heldOn } } } }"""
            )
            body = next(b["id"] for b in answer["bodies"]["nodes"] if b["name"] == BODY)
            agreement = next(
                a["id"] for a in answer["agreements"]["nodes"] if a["title"].startswith(AGREEMENT)
            )
            decision = next(d["id"] for d in answer["decisions"]["nodes"] if d["deferredTo"])
            pages = {
                "body": f"/bodies/{body}?asOf=2020-03-01",
                "agreement": f"/agreements/{agreement}?asOf=2020-03-01",
                "decision": f"/decisions/{decision}?asOf=2020-03-01",
            }
            with chromium(javascript=False) as driver:
                driver.execute_cdp_cmd(
                    "Emulation.setDeviceMetricsOverride",
                    {"width": 1100, "height": 1757, "deviceScaleFactor": 1, "mobile": False},
                )
                for name, path in pages.items():
                    driver.get(server.base + path)
                    driver.save_screenshot(str(OUT / f"{name}.png"))
                    print(OUT / f"{name}.png", path)


if __name__ == "__main__":
    main()
