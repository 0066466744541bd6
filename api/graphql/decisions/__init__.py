"""Decisions, their conditions, votes, statements, pending effects and life after the meeting."""

from api.graphql.decisions.enums import AppealOutcomeType, DecisionKind, DecisionStatus, LegalStatus
from api.graphql.decisions.lifecycle import (
    Appeal,
    ImmediateApproval,
    Justerare,
    MinutesApproval,
    Posting,
    appeals_of,
    approval_of,
    legal_status_of,
    standing_of,
    window_of,
)
from api.graphql.decisions.loaders import load_decision
from api.graphql.decisions.pending import (
    DeferredTo,
    PendingEffect,
    PendingEffectStatus,
    deferred_to,
)
from api.graphql.decisions.types import Condition, Correction, Decision, Statement, decision_status
from api.graphql.decisions.votes import (
    Ballot,
    StatementAuthor,
    Vote,
    VoteChoice,
    authors_of,
    vote_of,
)

__all__ = [
    "Appeal",
    "AppealOutcomeType",
    "Ballot",
    "Condition",
    "Correction",
    "Decision",
    "DecisionKind",
    "DecisionStatus",
    "DeferredTo",
    "ImmediateApproval",
    "Justerare",
    "LegalStatus",
    "MinutesApproval",
    "PendingEffect",
    "PendingEffectStatus",
    "Posting",
    "Statement",
    "StatementAuthor",
    "Vote",
    "VoteChoice",
    "appeals_of",
    "approval_of",
    "authors_of",
    "decision_status",
    "deferred_to",
    "legal_status_of",
    "load_decision",
    "standing_of",
    "vote_of",
    "window_of",
]
