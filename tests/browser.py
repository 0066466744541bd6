"""Headless Chromium for the page tests (tests/test_pages.py): Debian's `chromium` and
`chromium-driver` driven by selenium, with the performance log on (every request the page
makes), and axe-core (npm, versions pinned in scripts/axe-core/) to inject into a page."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

ROOT = Path(__file__).resolve().parents[1]
AXE_SPEC = ROOT / "scripts" / "axe-core"
AXE_CACHE = ROOT / ".cache" / "axe-core"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


@contextmanager
def chromium(javascript: bool = True, language: str = "sv") -> Iterator[webdriver.Chrome]:
    """A headless Chromium asking for `language` first; with `javascript` off, pages get no
    script at all (as with scripts blocked on an authority's desktop)."""
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not Path(path).exists()]
    assert not missing, f"install Debian's chromium and chromium-driver: {missing} missing"
    options = Options()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1280,1400",
        # No background traffic of the browser's own (updates, safe browsing...): what the
        # log shows is what the pages ask for.
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        f"--lang={language}",
    ):
        options.add_argument(argument)
    prefs: dict[str, Any] = {"intl.accept_languages": language}
    if not javascript:
        prefs["profile.managed_default_content_settings.javascript"] = 2
    options.add_experimental_option("prefs", prefs)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def requested_urls(driver: webdriver.Chrome) -> list[str]:
    """Every URL the browser asked for since the last call (the performance log is drained)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
        elif message["method"] == "Network.webSocketCreated":
            urls.append(message["params"]["url"])
    return urls


def axe_source() -> str:
    """axe.min.js, installed with `npm ci` into .cache/axe-core when missing or stale."""
    AXE_CACHE.mkdir(parents=True, exist_ok=True)
    stale = any(
        not (AXE_CACHE / name).exists()
        or (AXE_CACHE / name).read_bytes() != (AXE_SPEC / name).read_bytes()
        for name in ("package.json", "package-lock.json")
    )
    script = AXE_CACHE / "node_modules" / "axe-core" / "axe.min.js"
    if stale or not script.exists():
        assert shutil.which("npm"), "axe-core is installed with npm: install node and npm"
        for name in ("package.json", "package-lock.json"):
            shutil.copyfile(AXE_SPEC / name, AXE_CACHE / name)
        subprocess.run(
            ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=AXE_CACHE,
            check=True,
        )
    return script.read_text()


def axe_violations(driver: webdriver.Chrome, source: str) -> list[dict[str, Any]]:
    """axe-core's violations on the current page (WCAG 2 A/AA and best practices)."""
    driver.execute_script(source)
    return driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        axe.run(document, {resultTypes: ["violations"]}).then(
          (result) => done(result.violations.map((v) => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
          }))),
          (error) => done([{id: "axe-error", impact: "critical", help: String(error), nodes: []}]),
        );
        """
    )
