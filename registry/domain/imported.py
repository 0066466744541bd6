"""ImportedDocument: a minutes or statement file the registry has taken in whole.

It makes an import idempotent: the same content again is recognised by its hash, and a
changed version is compared with the content recorded here (and, when asked, recorded as a
correction with its reason).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from registry.domain import RegistryAggregate
from registry.ids import natural_id
from registry.values import Context, require_text


def imported_document_id_for(document: str, body_id: UUID, held_on: date) -> UUID:
    """One record per source document, body and date of the meeting or statement."""
    return natural_id("imported-document", document, str(body_id), held_on.isoformat())


class ImportedDocument(RegistryAggregate):
    """The canonical content and hash of an imported minutes or statement file."""

    @staticmethod
    def create_id(document: str, body_id: UUID, held_on: date, **_: object):  # type: ignore[override]
        return imported_document_id_for(document, body_id, held_on)

    @event("Imported")
    def __init__(
        self,
        document: str,
        body_id: UUID,
        held_on: date,
        content_hash: str,
        content: dict[str, Any],
        effective_date: date | None,
        context: Context,
    ) -> None:
        self.document = document
        self.body_id = body_id
        self.held_on = held_on
        self.content_hash = content_hash
        self.content = content
        self.corrections: list[str] = []

    def correct(
        self, content_hash: str, content: dict[str, Any], reason: str, context: Context
    ) -> None:
        """A changed version of the file was applied as corrections, for `reason`."""
        self._corrected(
            content_hash, content, require_text(reason, "reason"), self.held_on, context
        )

    @event("Corrected")
    def _corrected(
        self,
        content_hash: str,
        content: dict[str, Any],
        reason: str,
        effective_date: date | None,
        context: Context,
    ) -> None:
        self.content_hash = content_hash
        self.content = content
        self.corrections.append(reason)
