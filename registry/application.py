"""The application service: every command the registry accepts, with typed arguments.

`Registry` composes the per-concept command sets of registry/commands/ (persons, bodies,
memberships, meetings, decisions, agreements, funds, ...). Commands load aggregates, call
their methods (where the invariants live) and save all the changed aggregates in one atomic
write (registry/commands/unit_of_work.py). A decision and the changes it authorises share
one unit of work:

    with registry.decide(body_id, date(2020, 2, 7), "9", DecisionKind.APPROVED, text, ctx) as d:
        registry.replace_member(styrgrupp, patrik, Appointment(annika, Role.MEMBER, start=...),
                                d.context)

If anything inside the block is refused, nothing at all is written.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from eventsourcing.persistence import JSONTranscoder

from registry.chain import ChainStore
from registry.commands import Appointment, SeatSpec
from registry.commands.agreements import AGREEMENT_VALUE_TYPES, AgreementCommands
from registry.commands.approvals import APPROVAL_VALUE_TYPES, ApprovalCommands
from registry.commands.assignments import AssignmentCommands
from registry.commands.bodies import BODY_VALUE_TYPES, BodyCommands
from registry.commands.checkouts import AggregateCheckouts
from registry.commands.consultations import CONSULTATION_VALUE_TYPES, ConsultationCommands
from registry.commands.decisions import DECISION_VALUE_TYPES, DecisionCommands
from registry.commands.documents import DocumentCommands
from registry.commands.funds import FUND_VALUE_TYPES, FundCommands
from registry.commands.mandates import MANDATE_VALUE_TYPES, MandateCommands
from registry.commands.meetings import MEETING_VALUE_TYPES, MeetingCommands
from registry.commands.memberships import MEMBERSHIP_VALUE_TYPES, MembershipCommands
from registry.commands.organisations import OrganisationCommands
from registry.commands.persons import PERSON_VALUE_TYPES, PersonCommands
from registry.commands.plans import PLAN_VALUE_TYPES, PlanningCommands
from registry.commands.projects import PROJECT_VALUE_TYPES, ProjectCommands
from registry.config import StoreSettings, settings_from_environment
from registry.recorders import recorder_topic
from registry.store_setup import setup_lock
from registry.values import register_value_transcodings

# The service, and the values its membership and seat commands take (callers import the
# three together).
__all__ = ["Appointment", "Registry", "SeatSpec"]

#: Value types stored in the aggregates' events, registered with the transcoder.
VALUE_TYPES: list[type] = [
    *MEMBERSHIP_VALUE_TYPES,
    *BODY_VALUE_TYPES,
    *MEETING_VALUE_TYPES,
    *DECISION_VALUE_TYPES,
    *AGREEMENT_VALUE_TYPES,
    *FUND_VALUE_TYPES,
    *PERSON_VALUE_TYPES,
    *PLAN_VALUE_TYPES,
    *PROJECT_VALUE_TYPES,
    *CONSULTATION_VALUE_TYPES,
    *MANDATE_VALUE_TYPES,
    *APPROVAL_VALUE_TYPES,
]


class Registry(
    OrganisationCommands,
    PersonCommands,
    BodyCommands,
    MembershipCommands,
    MeetingCommands,
    PlanningCommands,
    DecisionCommands,
    ApprovalCommands,
    MandateCommands,
    AgreementCommands,
    FundCommands,
    AssignmentCommands,
    ProjectCommands,
    ConsultationCommands,
    DocumentCommands,
):
    """The decision and mandate registry (the write side)."""

    name = "Registry"
    # Every stored event gets its hash-chain link in the same transaction (registry/chain.py).
    # Only the write-cost benchmark turns this off, to measure what the chain costs.
    chained = True

    def __init__(self, settings: StoreSettings | None = None) -> None:
        self.settings = settings or settings_from_environment()
        env = self.settings.eventsourcing_env()
        # The recorder that writes, in the events' own transaction, their hash-chain links
        # and the personal data kept apart from them.
        env["APPLICATION_RECORDER_TOPIC"] = recorder_topic(self.settings.is_postgres, self.chained)
        # The library creates its tables here; processes started together take turns.
        with setup_lock(self.settings):
            super().__init__(env=env)
            if self.chained:
                # A store written before the chain existed gets its chain built once.
                self.chain.ensure_chain()
        self._listeners: list[Callable[[int], None]] = []
        self._lock = threading.Lock()
        self.checkouts = AggregateCheckouts(self.repository, self.recorder)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        """The library's transcodings and the value types the events hold."""
        super().register_transcodings(transcoder)
        register_value_transcodings(transcoder, VALUE_TYPES)

    @property
    def chain(self) -> ChainStore:
        """The hash chain next to the events (links, checkpoints, raw stored events)."""
        recorder = self.recorder
        if not isinstance(recorder, ChainStore):
            raise TypeError("this registry was built without the hash chain")
        return recorder

    def max_position(self) -> int:
        """The position of the last stored event (0 when there is none)."""
        return self.recorder.max_notification_id() or 0
