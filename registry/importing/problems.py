"""What is wrong with an imported file: each problem names the path inside the file."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: where (`items[4].decisions[0].allocations[2].amount`),
    what, and a stable code (the registry's error codes, or one of the import's own)."""

    path: str
    message: str
    code: str

    def describe(self, file: str) -> str:
        where = f"{file}: {self.path}" if self.path else file
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message, "code": self.code}


class ImportRefused(Exception):
    """The file was refused; nothing of it was written. `diff` is set when the file differs
    from the version imported before."""

    def __init__(self, file: str, problems: Sequence[Problem], diff: str | None = None) -> None:
        self.file = file
        self.problems = list(problems)
        self.diff = diff
        super().__init__("\n".join(p.describe(file) for p in self.problems))


def join_path(path: str, *keys: str | int) -> str:
    """`join_path("items[4]", "decisions", 0)` is `items[4].decisions[0]`."""
    for key in keys:
        path = f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}" if path else key
    return path


def path_of(keys: Iterable[str | int]) -> str:
    return join_path("", *keys)


def path_order(path: str) -> list[tuple[int, int, str]]:
    """Sort key that puts `items[10]` after `items[9]`."""
    parts = [p for p in re.split(r"[.\[\]]+", path) if p]
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts]
