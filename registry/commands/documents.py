"""Commands for documents imported whole: a minutes or statement file remembered with its
content hash, so that a changed file is applied as corrections (see
registry/domain/imported.py and registry/importing/)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from registry.commands.unit_of_work import UnitOfWorkApplication
from registry.domain.body import Body
from registry.domain.imported import ImportedDocument
from registry.values import Context, require_text


class DocumentCommands(UnitOfWorkApplication):
    """Imported documents."""

    def record_imported_document(
        self,
        document: str,
        body_id: UUID,
        held_on: date,
        content_hash: str,
        content: dict[str, Any],
        context: Context,
    ) -> UUID:
        """Remember a minutes or statement file taken in whole (see registry.importing)."""
        with self._changes() as unit:
            unit.get(body_id, Body, "body_id")
            imported = ImportedDocument(
                document=require_text(document, "document"),
                body_id=body_id,
                held_on=held_on,
                content_hash=content_hash,
                content=content,
                effective_date=held_on,
                context=context,
            )
            unit.add(imported, f"the document {document!r} of {held_on}")
        return imported.id

    def correct_imported_document(
        self,
        document_id: UUID,
        content_hash: str,
        content: dict[str, Any],
        reason: str,
        context: Context,
    ) -> None:
        """A changed version of the file was applied as corrections, for `reason`."""
        with self._changes() as unit:
            unit.get(document_id, ImportedDocument, "document_id").correct(
                content_hash, content, reason, context
            )
