"""Reading contact values at query time from `personal_data` (registry/personal_data.py).

No read model copies a contact value: the person views hold only kinds, refs and
commitments, and the API reads the value here by ref when asked. After a redaction the
row holds no value and no salt, so every read (also "as known at" a time before the
redaction) answers that the value is redacted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from projections.sql import Db, as_datetime, in_list


@dataclass(frozen=True)
class ContactValue:
    """A kept-apart value by ref: `value` and `salt` are None once redacted."""

    ref: UUID
    value: str | None
    salt: str | None
    redacted_at: datetime | None
    decision: str | None


def contact_values(db: Db, refs: Iterable[UUID | str]) -> dict[UUID, ContactValue]:
    """The rows of these refs, in one statement (refs without a row are left out)."""
    marks, params = in_list(str(r) for r in refs)
    if not params:
        return {}
    rows = db.rows(
        f"SELECT ref, value, salt, redacted_at, decision FROM {{s}}personal_data "
        f"WHERE ref IN ({marks})",
        params,
    )
    return {
        UUID(str(r["ref"])): ContactValue(
            UUID(str(r["ref"])), r["value"], r["salt"], as_datetime(r["redacted_at"]), r["decision"]
        )
        for r in rows
    }
