"""Minutes files that share nothing with each other, for tests and benchmarks that need many
events written by several processes at once without refusing each other's declarations.

File `n` of a run tagged `tag` declares its own kommun, nämnd and persons (named after `tag`
and `n`), appoints every person, replaces and ends some memberships, and establishes an
agreement and a fund with allocations: with the default 12 persons about 50 events.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

APPOINTED = "2021-01-01"  # the first members' start; the replacements are on the meeting day
MEETING_DAY = "2021-04-01"


def person_names(tag: str, n: int, persons: int = 12) -> list[str]:
    return [f"Person {tag}-{n:04}-{p:02}" for p in range(persons)]


def body_name(tag: str, n: int) -> str:
    return f"Nämnden {tag}-{n:04}"


def members_on(tag: str, n: int, day: str, persons: int = 12) -> list[str]:
    """Who file `n` makes a member of its body on `day` (after APPOINTED): the first half
    of its persons, and from the meeting day on, the first of them and the second half
    but its first (who replace the first half but its first)."""
    people = person_names(tag, n, persons)
    half = persons // 2
    if day < MEETING_DAY:
        return sorted(people[:half])
    return sorted([people[0], *people[half + 1 :]])


def minutes_document(tag: str, n: int, persons: int = 12) -> dict[str, Any]:
    """The content of minutes file `n`: independent of every other `n` and `tag`."""
    name = f"{tag}-{n:04}"
    people = person_names(tag, n, persons)
    half = persons // 2
    return {
        "version": 1,
        "kind": "minutes",
        "source": {"document": f"Protokoll {body_name(tag, n)} {MEETING_DAY}"},
        "date": MEETING_DAY,
        "body": {"ref": "board", "name": body_name(tag, n), "kind": "nämnd", "owners": ["k"]},
        "organisations": [{"ref": "k", "name": f"Kommunen {name}", "kind": "kommun"}],
        "persons": [{"name": p, "organisation": "k"} for p in people],
        "meeting": {"present": people[:half], "chair": people[0]},
        "items": [
            {"number": 1, "title": "Mötets öppnande"},
            {
                "number": 2,
                "title": "Val av ledamöter",
                "decisions": [
                    {
                        "kind": "decided",
                        "text": "Ledamöterna väljs.",
                        "appointments": [{"person": p, "start": APPOINTED} for p in people[:half]],
                    }
                ],
            },
            {
                "number": 3,
                "title": "Byte av ledamöter",
                "decisions": [
                    {
                        "kind": "decided",
                        "text": "Ledamöter ersätts från och med idag.",
                        "replacements": [
                            {"incoming": people[half + p], "outgoing": people[p]}
                            for p in range(1, half)
                        ],
                    }
                ],
            },
            {
                "number": 4,
                "title": "Avtal",
                "decisions": [
                    {
                        "kind": "approved",
                        "text": "Avtalet förlängs.",
                        "agreements": [
                            {
                                "ref": "avtal",
                                "title": f"Avtal {name}",
                                "parties": ["k"],
                                "valid_from": "2020-01-01",
                                "valid_until": "2021-12-31",
                            }
                        ],
                        "extensions": [{"agreement": "avtal", "until": "2022-12-31"}],
                    }
                ],
            },
            {
                "number": 5,
                "title": "Stimulansmedel",
                "decisions": [
                    {
                        "kind": "decided",
                        "text": "Medlen fördelas.",
                        "funds": [{"ref": "medel", "name": f"Medel {name}", "total": 100000}],
                        "allocations": [
                            {"fund": "medel", "recipient": r, "purpose": r, "amount": 20000}
                            for r in "ABCD"
                        ],
                    }
                ],
            },
        ],
    }


def write_minutes(directory: Path, tag: str, count: int, start: int = 0) -> list[Path]:
    """Write minutes files `start` .. `start + count - 1` into `directory`; their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(start, start + count):
        path = directory / f"minutes-{tag}-{n:04}.yaml"
        path.write_text(yaml.safe_dump(minutes_document(tag, n), allow_unicode=True), "utf-8")
        paths.append(path)
    return paths
