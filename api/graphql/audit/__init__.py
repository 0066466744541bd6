"""Search, the change feed, the audit trail and the ledger."""

from api.graphql.audit.types import Ledger, LedgerHead, SearchHit, SearchKind, read_ledger

__all__ = ["Ledger", "LedgerHead", "SearchHit", "SearchKind", "read_ledger"]
