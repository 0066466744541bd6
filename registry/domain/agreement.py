"""Agreement (överenskommelse, avtal): parties, validity, adoptions, extensions, revisions.

Dates of an agreement's period are inclusive: "gäller till 2020-11-30" is valid on 30 Nov.
The state keeps string keys (party ids as text) so that a projection can hold it as a
snapshot and apply each new event to it (see projections.agreements).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from registry.domain import RegistryAggregate
from registry.errors import (
    EndBeforeStart,
    ExtensionNotLater,
    InvalidInput,
    InvalidTransition,
    NotFound,
)
from registry.ids import natural_id
from registry.values import Context, check_period, require_text


@dataclass(frozen=True)
class EntryIntoForce:
    """ "Börjar gälla den 1 juli 2022 eller efter att samtliga parter har beslutat att anta
    överenskommelsen": in force from `not_before`, or when every party has adopted, whichever
    is later."""

    not_before: date | None
    requires_all_adoptions: bool


def check_start(
    valid_from: date | None,
    valid_from_not_after: date | None,
    entry_into_force: EntryIntoForce | None,
    title: str,
) -> None:
    """An agreement's start: `valid_from`, or `valid_from_not_after` when it is unknown (not
    both), or an entry-into-force rule."""
    if valid_from is not None and valid_from_not_after is not None:
        raise InvalidInput(
            f"the agreement {title!r} has valid_from {valid_from}: valid_from_not_after is "
            "only for a start that is unknown",
            field="valid_from_not_after",
        )
    if valid_from is None and valid_from_not_after is None and entry_into_force is None:
        raise InvalidInput(
            f"the agreement {title!r} needs valid_from or an entry-into-force rule (or, when "
            "its start is unknown, valid_from_not_after: the day it is valid from at the latest)",
            field="valid_from",
        )


class Agreement(RegistryAggregate):
    """An agreement between a region, municipalities and sometimes a kommunalförbund.

    Its start is `valid_from`, or unknown with `valid_from_not_after` the latest it can have
    been (the agreement is known to be valid from that day), or given by an entry-into-force
    rule."""

    # Snapshots taken before the field existed load without it.
    valid_from_not_after = None

    @staticmethod
    def create_id(key: str, **_: object):  # type: ignore[override]
        return natural_id("agreement", key)

    @event("Registered")
    def __init__(
        self,
        key: str,
        title: str,
        party_ids: tuple[UUID, ...],
        valid_from: date | None,
        valid_until: date | None,
        entry_into_force: EntryIntoForce | None,
        effective_date: date | None,
        context: Context,
        valid_from_not_after: date | None = None,
    ) -> None:
        self.key = key
        self.title = title
        self.party_ids = [str(p) for p in party_ids]
        self.valid_from = valid_from
        self.valid_from_not_after = valid_from_not_after
        self.valid_until = valid_until
        self.entry_into_force = entry_into_force
        self.adoptions: dict[str, date] = {}
        self.extensions: dict[str, dict] = {}
        self.revisions: list[dict] = []
        self.terminated_on: date | None = None

    # -- the rules of effective validity --------------------------------------------------

    def all_adopted(self, adoptions: dict[str, date] | None = None) -> bool:
        return set(self.party_ids) <= set(adoptions if adoptions is not None else self.adoptions)

    def known_start(self) -> date | None:
        """`valid_from`, or when the start is unknown the day it is known to be valid from."""
        return self.valid_from or self.valid_from_not_after

    def in_force_from(self) -> date | None:
        """The computed entry-into-force date; None while it waits for adoptions. When the
        start is unknown, the latest it can have been (`valid_from_not_after`)."""
        rule = self.entry_into_force
        if rule is None:
            return self.known_start()
        candidates = [d for d in (rule.not_before, self.known_start()) if d is not None]
        if rule.requires_all_adoptions:
            if not self.all_adopted():
                return None
            candidates.append(max(self.adoptions.values()))
        return max(candidates) if candidates else None

    def pending(self) -> bool:
        return self.entry_into_force is not None and self.in_force_from() is None

    def effective_until(self) -> date | None:
        """The last valid day after adopted extensions and termination (None: open)."""
        until = self.valid_until
        for ext in self.extensions.values():
            if ext["status"] == "adopted" and (until is None or ext["new_until"] > until):
                until = ext["new_until"]
        if self.terminated_on is not None and (until is None or self.terminated_on < until):
            until = self.terminated_on
        return until

    def pending_extensions(self) -> list[dict]:
        return [e for e in self.extensions.values() if e["status"] == "pending"]

    def is_valid_on(self, day: date) -> bool:
        start = self.in_force_from()
        if start is None and (self.entry_into_force is not None or self.known_start() is not None):
            return False
        until = self.effective_until()
        return (start is None or start <= day) and (until is None or day <= until)

    # -- commands -------------------------------------------------------------------------

    def adopt(self, party_id: UUID, adopted_on: date, context: Context) -> None:
        """A party adopts (antar) the agreement."""
        self._require_party(party_id)
        if str(party_id) in self.adoptions:
            raise InvalidTransition(
                f"the party {party_id} adopted {self.title!r} on {self.adoptions[str(party_id)]}"
            )
        self._adopted(str(party_id), adopted_on, context)

    @event("Adopted")
    def _adopted(self, party_id: str, effective_date: date, context: Context) -> None:
        self.adoptions[party_id] = effective_date

    def extend(self, new_until: date, context: Context) -> None:
        """Extend (förlänga) the agreement by a decision that binds the parties."""
        self._check_extension(new_until)
        self._extended(new_until, new_until, context)

    @event("Extended")
    def _extended(self, new_until: date, effective_date: date, context: Context) -> None:
        key = f"direct-{len(self.extensions) + 1}"
        self.extensions[key] = {
            "extension_key": key,
            "new_until": new_until,
            "status": "adopted",
            "adoptions": {},
            "decision_id": context.decision_id,
        }

    def propose_extension(self, extension_key: str, new_until: date, context: Context) -> None:
        """A body endorses an extension and recommends the parties adopt it: the extension is
        pending, and the agreement is not extended, until every party has adopted it."""
        require_text(extension_key, "extension_key")
        if extension_key in self.extensions:
            raise InvalidInput(
                f"{self.title!r} already has an extension {extension_key!r}", field="extension"
            )
        self._check_extension(new_until)
        self._extension_proposed(extension_key, new_until, None, context)

    @event("ExtensionProposed")
    def _extension_proposed(
        self, extension_key: str, new_until: date, effective_date: date | None, context: Context
    ) -> None:
        self.extensions[extension_key] = {
            "extension_key": extension_key,
            "new_until": new_until,
            "status": "pending",
            "adoptions": {},
            "decision_id": context.decision_id,
        }

    def adopt_extension(
        self, extension_key: str, party_id: UUID, adopted_on: date, context: Context
    ) -> None:
        """A party adopts a pending extension; the last adoption makes it effective."""
        ext = self.extensions.get(extension_key)
        if ext is None:
            raise NotFound(f"{self.title!r} has no extension {extension_key!r}", field="extension")
        self._require_party(party_id)
        if ext["status"] != "pending":
            raise InvalidTransition(f"the extension {extension_key!r} is {ext['status']}")
        if str(party_id) in ext["adoptions"]:
            raise InvalidTransition(f"the party {party_id} has already adopted {extension_key!r}")
        self._extension_adopted(extension_key, str(party_id), adopted_on, context)

    @event("ExtensionAdopted")
    def _extension_adopted(
        self, extension_key: str, party_id: str, effective_date: date, context: Context
    ) -> None:
        ext = self.extensions[extension_key]
        ext["adoptions"][party_id] = effective_date
        if self.all_adopted(ext["adoptions"]):
            ext["status"] = "adopted"

    def revise(self, description: str, effective_date: date | None, context: Context) -> None:
        """Revise the terms (revidering), e.g. a raised fee, from `effective_date`."""
        self._revised(require_text(description, "description"), effective_date, context)

    @event("Revised")
    def _revised(self, description: str, effective_date: date | None, context: Context) -> None:
        self.revisions.append(
            {"description": description, "from": effective_date, "decision_id": context.decision_id}
        )

    def terminate(self, last_day: date, reason: str, context: Context) -> None:
        """Terminate (säga upp) the agreement; `last_day` is the last day it is valid."""
        if self.terminated_on is not None:
            raise InvalidTransition(
                f"{self.title!r} was already terminated on {self.terminated_on}"
            )
        start = self.known_start() or (self.entry_into_force and self.entry_into_force.not_before)
        if start is not None and last_day < start:
            raise EndBeforeStart(
                f"{self.title!r}: the termination {last_day} lies before the start {start}",
                field="last_day",
            )
        self._terminated(require_text(reason, "reason"), last_day, context)

    @event("Terminated")
    def _terminated(self, reason: str, effective_date: date, context: Context) -> None:
        self.terminated_on = effective_date

    def correct_period(
        self,
        valid_from: date | None,
        valid_until: date | None,
        reason: str,
        context: Context,
        valid_from_not_after: date | None = None,
    ) -> None:
        """Correct a wrongly recorded period (a start learnt later: `valid_from` instead of
        `valid_from_not_after`); the old answer stays available for `knownAt`."""
        check_start(valid_from, valid_from_not_after, self.entry_into_force, self.title)
        check_period(
            valid_from or valid_from_not_after, valid_until, f"the agreement {self.title!r}"
        )
        self._period_corrected(
            valid_from,
            valid_until,
            require_text(reason, "reason"),
            valid_from or valid_from_not_after,
            context,
            valid_from_not_after,
        )

    @event("PeriodCorrected")
    def _period_corrected(
        self,
        valid_from: date | None,
        valid_until: date | None,
        reason: str,
        effective_date: date | None,
        context: Context,
        valid_from_not_after: date | None = None,
    ) -> None:
        self.valid_from = valid_from
        self.valid_until = valid_until
        self.valid_from_not_after = valid_from_not_after

    def _check_extension(self, new_until: date) -> None:
        current = self.effective_until()
        if current is None:
            raise InvalidTransition(f"{self.title!r} has no end date to extend")
        if new_until <= current:
            raise ExtensionNotLater(
                f"{self.title!r} cannot be extended to {new_until}: that is not after its "
                f"current end {current}",
                field="new_until",
            )
        if self.terminated_on is not None:
            raise InvalidTransition(f"{self.title!r} was terminated on {self.terminated_on}")

    def _require_party(self, party_id: UUID) -> None:
        if str(party_id) not in self.party_ids:
            raise InvalidInput(f"{party_id} is not a party to {self.title!r}", field="party")
