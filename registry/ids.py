"""Ids derived from natural keys.

A command that must not create a duplicate when repeated derives the new entity's id from a
natural key with UUID version 5, so the second attempt finds the first one's id taken:

| entity       | natural key                                                  |
|--------------|--------------------------------------------------------------|
| Organisation | its key (default: its normalised name)                      |
| Person       | its key (default: normalised name + organisation key)       |
| Body         | its key (default: normalised name)                          |
| Meeting      | body id + date + sequence number of that day                |
| Decision     | meeting id (or body id + date) + item number + ordinal      |
| Agreement    | its key (default: normalised title)                         |
| Fund         | its key (default: normalised name)                          |
| Assignment   | decision id (or body id) + ordinal/key                      |
| Membership   | body id + person id + role + start (or start-not-after)     |
| Seat         | body id + label + ordinal                                   |
| Condition, allocation, extension | owner id + caller's key or ordinal       |

Normalisation folds case and whitespace only; diacritics are kept ("Nässen" and "Nässén" are
different keys until the two records are merged or a name variant is added).
"""

from __future__ import annotations

import unicodedata
from uuid import UUID, uuid5

NAMESPACE = UUID("6f1f3c9e-3b8f-5d8e-9a41-2f8f2a4c7b10")


def normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def natural_id(kind: str, *parts: object) -> UUID:
    """The id of an entity of `kind` with the given natural key."""
    key = "|".join(normalise(str(p)) if isinstance(p, str) else str(p) for p in parts)
    return uuid5(NAMESPACE, f"{kind}:{key}")
