"""How fast hostile YAML is refused by the minutes loader (in process, no store): prints the
milliseconds per case. Run: .venv/bin/python benchmarks/hostile_yaml.py"""

from __future__ import annotations

import time

from registry.importing.loading import parse


def billion_laughs(levels: int = 9) -> str:
    lines = ["a0: &a0 [lol]"]
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * 10)}]")
    return "\n".join(lines) + "\n"


CASES = {
    "alias bomb (9 levels x 10)": billion_laughs(),
    "1000 text aliases + 1": "a: &t x\nb: [" + ", ".join(["*t"] * 1001) + "]\n",
    "200 levels deep": "x: " + "[" * 200 + "]" * 200 + "\n",
    "one 4.9 MB text": "document: '" + "x" * 4_900_000 + "'\n",
    "100k-deep JSON (as json)": '{"x": ' + "[" * 100_000 + "]" * 100_000 + "}",
}

if __name__ == "__main__":
    for name, text in CASES.items():
        fmt = "json" if "as json" in name else "yaml"
        started = time.perf_counter()
        _, problems = parse(text, fmt)
        elapsed = (time.perf_counter() - started) * 1000
        print(f"{name:32} {len(text):>9} chars  {elapsed:8.1f} ms  {problems[0].message[:70]}")
