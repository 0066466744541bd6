"""Recording facts with the registry's commands, and correcting them when a file changes.

Every method runs inside the importer's one unit of work, so a command refused anywhere
voids the whole file. A refusal is the domain's own error; `problem_for` says where in the
file it points.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from registry.application import Appointment, Registry, SeatSpec
from registry.dates import PartialDate
from registry.domain.agreement import EntryIntoForce
from registry.domain.body import Body, Membership
from registry.domain.decision import Decision, DeferredTo
from registry.domain.meeting import AgendaItem, Attendee
from registry.domain.person import Person
from registry.domain.vote import Ballot, StatementAuthors, VoteChoice, vote_id_for
from registry.errors import InvalidInput, NotAMember, NotFound, RegistryError
from registry.ids import normalise
from registry.importing.approval import APPROVAL_CORRECTABLE, APPROVAL_FIELDS, LifecycleApplier
from registry.importing.facts import Fact, amount_of
from registry.importing.mandates import MANDATE_FIELDS, MandateApplier
from registry.importing.plans import PLAN_FIELDS, PlanApplier
from registry.importing.problems import Problem, join_path
from registry.values import Role, parse_role

# The registry's error fields, by kind of fact, as the keys of the file's entry.
_FIELDS: dict[str, dict[str, str]] = {
    "organisation": {"key": "name", "name": "name", "kind": "kind"},
    "person": {"key": "name", "name": "name", "organisation_id": "organisation"},
    "body": {
        "key": "name",
        "end": "term_end",
        "parent_body_id": "parent",
        "owner_organisation_ids": "owners",
    },
    "meeting": {"key": "sequence"},
    "decision": {"text": "text", "kind": "kind", "key": "text"},
    "statement": {"text": "text", "person_name": "by_name", "vote": "vote", "authors": "by"},
    "seats": {"count": "count", "label": "label", "on_behalf_of": "on_behalf_of"},
    "appointments": {
        "start": "start",
        "end": "end",
        "person": "person",
        "person_id": "person",
        "seat_id": "seat",
        "deputy_for": "deputy_for",
        "on_behalf_of": "on_behalf_of",
        "role": "role",
    },
    "replacements": {
        "replaces": "outgoing",
        "start": "date",
        "end": "date",
        "person": "incoming",
        "role": "role",
    },
    "endings": {"end": "end", "person": "person", "role": "role"},
    "agreements": {
        "end": "valid_until",
        "valid_from": "valid_from",
        "valid_from_not_after": "valid_from_not_after",
        "party_ids": "parties",
        "key": "title",
    },
    "extensions": {"new_until": "until", "extension": "key"},
    "adoptions": {"party": "party", "extension": "extension", "adopted_on": "adopted_on"},
    "revisions": {"description": "description"},
    "terminations": {"last_day": "last_day", "reason": "reason"},
    "funds": {"total": "total", "end": "period_end", "currency": "currency", "key": "name"},
    "allocations": {
        "amount": "amount",
        "recipient": "recipient",
        "purpose": "purpose",
        "allocation": "key",
    },
    "assignments": {
        "due_date": "due",
        "holder_id": "holder",
        "holder_kind": "holder_kind",
        "key": "task",
    },
    "reports": {"reported_on": "reported_on", "text": "text", "assignment_id": "assignment"},
    "completions": {"completed_on": "completed_on", "assignment_id": "assignment"},
    "contact": {},
    **PLAN_FIELDS,
    **MANDATE_FIELDS,
    "votes": {"yes": "for", "no": "against", "abstain": "abstain", "ballots": "ballots"},
    "cessations": {"date": "date", "successor": "successor", "how": "how"},
    "renames": {"name": "name", "date": "date"},
    **APPROVAL_FIELDS,
}

# The file's words for a member's vote, and the registry's.
_CHOICES = {"for": VoteChoice.YES, "against": VoteChoice.NO, "abstain": VoteChoice.ABSTAIN}

_FIELD = re.compile(r"^(?P<name>\w+)(?P<index>\[\d+\])?$")


def problem_for(fact: Fact, error: RegistryError) -> Problem:
    """The domain's refusal, at the path in the file it points to."""
    path = fact.path
    if error.field:
        match = _FIELD.match(error.field.rsplit(".", 1)[-1])
        if match:
            key = _FIELDS.get(fact.kind, {}).get(match["name"])
            if key and key in fact.entry:
                path = join_path(path, key) + (match["index"] or "")
    return Problem(path, error.message, error.code)


class Applier(LifecycleApplier, PlanApplier, MandateApplier):
    """Applies facts with the registry's commands."""

    def __init__(self, registry: Registry, reason: str | None = None) -> None:
        self.registry = registry
        self.reason = reason

    # -- helpers ---------------------------------------------------------------------------

    def _exists(self, aggregate_id: UUID, cls: type) -> bool:
        try:
            self.registry.get(aggregate_id, cls)
        except NotFound:
            return False
        return True

    def _person_id(self, person_id: UUID) -> UUID:
        """The surviving record when this person has been merged into another."""
        person = self.registry.get(person_id, Person)
        seen = {person.id}
        while person.merged_into is not None and person.merged_into not in seen:
            seen.add(person.merged_into)
            person = self.registry.get(person.merged_into, Person)
        return person.id

    def _records_of(self, survivor_id: UUID) -> set[UUID]:
        """The survivor and every record merged into it: memberships recorded before a merge
        name the record they were recorded with, and a correction works on them all."""
        found = {survivor_id}
        pending = [survivor_id]
        while pending:
            for other in self.registry.get(pending.pop(), Person).absorbed:
                if other not in found:
                    found.add(other)
                    pending.append(other)
        return found

    @staticmethod
    def _date(fact: Fact, key: str, required: bool = False) -> date | None:
        value = fact.entry.get(key)
        if value is not None:
            return date.fromisoformat(value)
        if fact.decision is not None and not fact.decision.decided_on_unknown:
            return fact.decision.decided_on
        if required:
            why = (
                "a background fact has no decision date"
                if fact.decision is None
                else "the decision's date is unknown (date_not_after)"
            )
            raise InvalidInput(f"{key} is needed: {why}", field=key)
        return None

    def _memberships(
        self,
        body_id: UUID,
        person_id: UUID,
        role: str | None,
        which: Callable[[Membership], bool],
        what: str,
    ) -> Membership:
        body = self.registry.get(body_id, Body)
        pid = self._person_id(person_id)
        records = self._records_of(pid)
        found = [
            m
            for m in body.memberships.values()
            if m.person_id in records and (role is None or m.role == parse_role(role)) and which(m)
        ]
        if not found:
            name = self.registry.get(pid, Person).name
            raise NotAMember(f"{name} has no {what} in {body.name}", field="person")
        if len(found) > 1:
            raise InvalidInput(
                f"{found[0].person_name} has {len(found)} such memberships in {body.name}; "
                "say which role",
                field="role",
            )
        return found[0]

    @staticmethod
    def _as_appointment(m: Membership, **changes: Any) -> Appointment:
        values = {
            "person_id": m.person_id,
            "role": m.role,
            "start": m.start,
            "start_not_after": m.start_not_after,
            "end": m.end,
            "seat_id": m.seat_id,
            "on_behalf_of": m.on_behalf_of,
            "deputy_for": m.deputy_for,
            "note": m.note,
        }
        return Appointment(**{**values, **changes})

    # -- recording -------------------------------------------------------------------------

    def apply(self, fact: Fact) -> None:
        getattr(self, f"_apply_{fact.kind}")(fact)

    def _apply_organisation(self, fact: Fact) -> None:
        from registry.domain.organisation import Organisation

        if not self._exists(fact.refs["id"], Organisation):
            e = fact.entry
            self.registry.register_organisation(
                e["name"], e["kind"], fact.context, key=e.get("key")
            )

    def _apply_body(self, fact: Fact) -> None:
        if self._exists(fact.refs["id"], Body):
            return
        e = fact.entry
        parent = fact.refs["parent"]
        self.registry.register_body(
            e["name"],
            e["kind"],
            fact.context,
            key=e.get("key"),
            parent_body_id=parent.id if parent else None,
            owner_organisation_ids=[o.id for o in fact.refs["owners"] if o],
            mandate=e.get("mandate"),
            term_start=_day(e.get("term_start")),
            term_end=_day(e.get("term_end")),
        )

    def _apply_person(self, fact: Fact) -> None:
        if self._exists(fact.refs["id"], Person):
            return
        e = fact.entry
        org = fact.refs["organisation"]
        self.registry.register_person(
            e["name"],
            fact.context,
            title=e.get("title"),
            party=e.get("party"),
            organisation_id=org.id if org else None,
            key=e.get("key") or f"{e['name']}|{org.id if org else ''}",
        )

    def _apply_contact(self, fact: Fact) -> None:
        kind, value = fact.entry["kind"], fact.entry["value"]
        self.registry.add_contact_details(
            self._person_id(fact.refs["person"].id),
            [(kind, value)],
            fact.context,
            refs={kind: UUID(fact.attrs["ref"])},
        )

    def _correct_contact(self, old: Fact, new: Fact) -> None:
        # A corrected value is added; the one recorded before stays until a disposal
        # decision destroys it (registry redact): a correction never erases personal data.
        self._apply_contact(new)

    def _apply_variant(self, fact: Fact) -> None:
        self.registry.add_name_variant(
            fact.refs["person"].id, fact.entry["variant"], fact.context, note=fact.context.note
        )

    def _apply_meeting(self, fact: Fact) -> None:
        r = fact.refs

        def attendees(key: str) -> list[Attendee]:
            # The name as the list prints it, beside the link to the person it names.
            found = [(p, note) for p, note in r[key] if p is not None]
            return [
                Attendee(p.id, printed, note)
                for (p, note), printed in zip(found, r["printed"][key], strict=True)
            ]

        self.registry.hold_meeting(
            fact.extra["body_id"],
            fact.extra["held_on"],
            fact.context,
            time=fact.entry.get("time"),
            place=fact.entry.get("place"),
            present=attendees("present"),
            absent=attendees("absent"),
            chair_id=r["chair"].id if r["chair"] else None,
            secretary_id=r["secretary"].id if r["secretary"] else None,
            additional_secretary_ids=[p.id for p in r["additional_secretaries"]],
            items=[
                AgendaItem(i["number"], i["title"], tuple(p.id for p in i["presenters"]), i["note"])
                for i in r["items"]
            ],
            sequence=r["sequence"],
        )

    def _apply_serving(self, fact: Fact) -> None:
        self.registry.record_serving_deputies(
            fact.refs["meeting_id"],
            [(d.id, m.id, note) for d, m, note in fact.refs["serving"]],
            fact.context,
        )

    def _apply_decision(self, fact: Fact) -> None:
        d = fact.decision
        assert d is not None
        self.registry.record_decision(
            d.body_id,
            d.decided_on,
            d.item,
            fact.entry["kind"],
            fact.entry["text"],
            fact.context,
            meeting_id=fact.refs["meeting_id"],
            conditions=fact.attrs["conditions"],
            ordinal=d.ordinal,
            decided_on_unknown=d.decided_on_unknown,
            deferred_to=_deferred_to(fact.refs.get("deferred_to")),
            decided_precision=d.decided_precision,
        )

    def _apply_statement(self, fact: Fact) -> None:
        assert fact.decision is not None
        e, by, authors = fact.entry, fact.refs["by"], fact.refs["authors"]
        collective = len(authors) > 1 or e.get("party") or e.get("and_others")
        self.registry.record_statement(
            fact.decision.id,
            # As written; else every named author (not only the first), else the party.
            e.get("by_name") or ", ".join(a.name for a in authors) or e["party"],
            e["kind"],
            e["text"],
            fact.context,
            person_id=by.id if by else None,
            authors=StatementAuthors(
                person_ids=tuple(a.id for a in authors),
                person_names=tuple(a.name for a in authors),
                party=e.get("party"),
                and_others=bool(e.get("and_others", False)),
            )
            if collective
            else None,
            vote_id=vote_id_for(fact.decision.id, fact.refs["vote"]) if fact.refs["vote"] else None,
        )

    def _apply_votes(self, fact: Fact) -> None:
        assert fact.decision is not None
        e = fact.entry
        self.registry.record_vote(
            fact.decision.id,
            fact.context,
            question=e.get("question"),
            yes=e.get("for"),
            no=e.get("against"),
            abstain=e.get("abstain"),
            ballots=[
                Ballot(
                    person.id if person else None,
                    person.name if person else name,
                    _CHOICES[choice],
                    party,
                )
                for person, name, choice, party in fact.refs["ballots"]
            ],
            note=e.get("note"),
        )

    def _partial(self, fact: Fact, key: str = "date") -> PartialDate:
        value = fact.entry.get(key)
        if value is None and fact.decision is not None:
            value = fact.decision.default_date()
        if value is None:
            why = (
                "a background fact has no decision date"
                if fact.decision is None
                else "the decision's date is unknown (date_not_after)"
            )
            raise InvalidInput(f"{key} is needed: {why}", field=key)
        return PartialDate.parse(value, key)

    def _apply_cessations(self, fact: Fact) -> None:
        body, successor = fact.refs["body"], fact.refs["successor"]
        on = self._partial(fact)
        if fact.decision is None and self._exists(body.id, Body):
            held = self.registry.get(body.id, Body)
            if held.ceased_on == on.text:
                return  # a background fact already recorded (by another file)
        self.registry.cease_body(
            body.id,
            on,
            fact.context,
            how=fact.entry.get("how", "dissolved"),
            successor_body_id=successor.id if successor else None,
        )

    def _correct_cessations(self, old: Fact, new: Fact) -> None:
        assert self.reason is not None
        successor = new.refs["successor"]
        self.registry.correct_body_cessation(
            new.refs["body"].id,
            self._partial(new),
            self.reason,
            new.context,
            how=new.entry.get("how", "dissolved"),
            successor_body_id=successor.id if successor else None,
        )

    def _apply_renames(self, fact: Fact) -> None:
        body = fact.refs["body"]
        on = self._partial(fact)
        if fact.decision is None and self._exists(body.id, Body):
            held = self.registry.get(body.id, Body)
            if any(
                new == fact.entry["name"].strip() and d == on.text for _, new, d in held.renames
            ):
                return  # a background fact already recorded (by another file)
        self.registry.rename_body(body.id, fact.entry["name"], on, fact.context)

    def _apply_seats(self, fact: Fact, count: int | None = None) -> None:
        e = fact.entry
        org = fact.refs["on_behalf_of"]
        if fact.decision is None and count is None and self._exists(fact.refs["body"].id, Body):
            seats = self.registry.get(fact.refs["body"].id, Body).seats.values()
            if sum(1 for s in seats if s.label == e["label"]) >= e.get("count", 1):
                return  # a background fact already recorded (by another file)
        self.registry.define_seats(
            fact.refs["body"].id,
            [
                SeatSpec(
                    e["label"],
                    count or e.get("count", 1),
                    org.id if org else None,
                    e.get("note"),
                    role=e.get("role"),
                )
            ],
            fact.context,
            effective_date=self._date(fact, "date"),
        )

    def _appointment(self, fact: Fact) -> Appointment:
        e, r = fact.entry, fact.refs
        start, start_not_after = _day(e.get("start")), _day(e.get("start_not_after"))
        if start is None and start_not_after is None and fact.decision is not None:
            # Appointed by the decision: from its day, or by the latest it can have been.
            if fact.decision.decided_on_unknown:
                start_not_after = fact.decision.decided_on
            else:
                start = fact.decision.decided_on
        return Appointment(
            r["person"].id,
            role=e.get("role", Role.MEMBER),
            start=start,
            start_not_after=start_not_after,
            end=_day(e.get("end")),
            on_behalf_of=r["on_behalf_of"].id if r["on_behalf_of"] else None,
            deputy_for=r["deputy_for"].id if r["deputy_for"] else None,
            note=e.get("note"),
            seat_label=e.get("seat"),
            seat_number=e.get("seat_number"),
            seat_unknown=e.get("seat_unknown", False),
        )

    def _apply_appointments(self, fact: Fact) -> None:
        appointment = self._appointment(fact)
        if fact.decision is None and self._holds(fact.refs["body"].id, appointment):
            return  # a background fact already recorded (by another file)
        self.registry.appoint(fact.refs["body"].id, appointment, fact.context)

    def _holds(self, body_id: UUID, a: Appointment) -> bool:
        if not self._exists(body_id, Body):
            return False
        body = self.registry.get(body_id, Body)
        records = self._records_of(self._person_id(a.person_id))
        role = parse_role(a.role or Role.MEMBER)
        lower = a.start or a.start_not_after
        return any(
            m.person_id in records and m.role == role and m.lower == lower
            for m in body.memberships.values()
        )

    def _apply_replacements(self, fact: Fact) -> None:
        e, r = fact.entry, fact.refs
        self.registry.replace_member(
            r["body"].id,
            r["outgoing"].id,
            Appointment(
                r["incoming"].id,
                role=e.get("role"),
                start=self._date(fact, "date", required=True),
                on_behalf_of=r["on_behalf_of"].id if r["on_behalf_of"] else None,
                note=e.get("note"),
                seat_label=e.get("seat"),
            ),
            fact.context,
        )

    def _apply_endings(self, fact: Fact) -> None:
        end = self._date(fact, "end", required=True)
        assert end is not None
        membership = self._memberships(
            fact.refs["body"].id,
            fact.refs["person"].id,
            fact.entry.get("role"),
            lambda m: m.end is None,
            "open membership",
        )
        self.registry.end_membership(
            fact.refs["body"].id, membership.membership_id, end, fact.context
        )

    def _apply_agreements(self, fact: Fact) -> None:
        from registry.domain.agreement import Agreement

        if fact.decision is None and self._exists(fact.refs["id"], Agreement):
            return
        e = fact.entry
        rule = e.get("entry_into_force")
        self.registry.register_agreement(
            e["title"],
            [p.id for p in fact.refs["parties"]],
            fact.context,
            valid_from=_day(e.get("valid_from")),
            valid_from_not_after=_day(e.get("valid_from_not_after")),
            valid_until=_day(e.get("valid_until")),
            entry_into_force=EntryIntoForce(
                _day(rule.get("not_before")), rule["requires_all_adoptions"]
            )
            if rule
            else None,
            key=e.get("key"),
        )

    def _apply_extensions(self, fact: Fact) -> None:
        e = fact.entry
        agreement = fact.refs["agreement"].id
        if e.get("proposed"):
            self.registry.propose_extension(agreement, _day(e["until"]), fact.context, e.get("key"))  # type: ignore[arg-type]
        else:
            self.registry.extend_agreement(agreement, _day(e["until"]), fact.context)  # type: ignore[arg-type]

    def _apply_adoptions(self, fact: Fact) -> None:
        on = self._date(fact, "adopted_on", required=True)
        assert on is not None
        agreement, party = fact.refs["agreement"].id, fact.refs["party"].id
        if fact.entry.get("extension"):
            self.registry.adopt_extension(
                agreement, fact.entry["extension"], party, on, fact.context
            )
        else:
            self.registry.adopt_agreement(agreement, party, on, fact.context)

    def _apply_revisions(self, fact: Fact) -> None:
        self.registry.revise_agreement(
            fact.refs["agreement"].id,
            fact.entry["description"],
            self._date(fact, "from"),
            fact.context,
        )

    def _apply_terminations(self, fact: Fact) -> None:
        self.registry.terminate_agreement(
            fact.refs["agreement"].id,
            _day(fact.entry["last_day"]),  # type: ignore[arg-type]
            fact.entry["reason"],
            fact.context,
        )

    def _apply_funds(self, fact: Fact) -> None:
        from registry.domain.fund import Fund

        if fact.decision is None and self._exists(fact.refs["id"], Fund):
            return
        e = fact.entry
        self.registry.establish_fund(
            e["name"],
            amount_of(e["total"], "total"),
            fact.context,
            currency=e.get("currency", "SEK"),
            period_start=_day(e.get("period_start")),
            period_end=_day(e.get("period_end")),
            source_of_funds=e.get("source_of_funds"),
            key=e.get("key"),
        )

    def _apply_allocations(self, fact: Fact) -> None:
        e, r = fact.entry, fact.refs
        self.registry.allocate(
            r["fund"].id,
            e["recipient"],
            e["purpose"],
            amount_of(e["amount"], "amount"),
            fact.context,
            key=r["key"],
            recipient_id=r["recipient_ref"].id if r["recipient_ref"] else None,
            effective_date=self._date(fact, "date"),
        )

    def _apply_assignments(self, fact: Fact) -> None:
        from registry.domain.assignment import Assignment

        if fact.decision is None and self._exists(fact.refs["id"], Assignment):
            return
        e, r = fact.entry, fact.refs
        holder = r["holder"]
        kind = e.get("holder_kind") or (holder.kind if holder else None)
        if holder is not None and kind != holder.kind:
            raise InvalidInput(
                f"holder_kind is {kind}, but {holder.name!r} is {'an' if holder.kind[0] == 'o' else 'a'} {holder.kind}",
                field="holder_kind",
            )
        self.registry.give_assignment(
            r["given_by"].id,
            kind,  # type: ignore[arg-type]
            holder.name if holder else e["holder_name"],
            e["task"],
            fact.context,
            holder_id=holder.id if holder else None,
            due_date=_day(e.get("due")),
            given_on=self._date(fact, "given_on"),
            key=r["key"],
        )

    def _apply_reports(self, fact: Fact) -> None:
        from registry.domain.assignment import Assignment

        on = self._date(fact, "reported_on", required=True)
        assert on is not None
        text = fact.entry["text"].strip()
        if fact.decision is None and self._exists(fact.refs["id"], Assignment):
            reports = self.registry.get(fact.refs["id"], Assignment).reports
            if (on, text) in [tuple(r) for r in reports]:
                return  # a background fact already recorded (by another file)
        self.registry.report_assignment(fact.refs["id"], on, text, fact.context)

    def _apply_completions(self, fact: Fact) -> None:
        on = self._date(fact, "completed_on", required=True)
        assert on is not None
        self.registry.complete_assignment(fact.refs["id"], on, fact.context)

    def _condition_id(self, fact: Fact) -> UUID:
        """The id of the condition an entry names by number (1 for the first) or text."""
        decision = self.registry.get(fact.refs["decision_id"], Decision)
        conditions = list(decision.conditions.values())
        which = fact.refs["condition"]
        if isinstance(which, int):
            if not 1 <= which <= len(conditions):
                raise NotFound(
                    f"the decision has {len(conditions)} condition(s), not a number {which}",
                    field="condition",
                )
            return conditions[which - 1].condition_id
        found = [c for c in conditions if normalise(c.text) == normalise(which)]
        if not found:
            listed = "; ".join(repr(c.text) for c in conditions) or "none"
            raise NotFound(
                f"the decision has no condition {which!r} (its conditions: {listed})",
                field="condition",
            )
        return found[0].condition_id

    def _apply_conditions_met(self, fact: Fact) -> None:
        on = self._date(fact, "met_on", required=True)
        assert on is not None
        self.registry.meet_condition(
            fact.refs["decision_id"], self._condition_id(fact), on, fact.context
        )

    def _apply_conditions_withdrawn(self, fact: Fact) -> None:
        on = self._date(fact, "withdrawn_on", required=True)
        assert on is not None
        self.registry.withdraw_condition(
            fact.refs["decision_id"],
            self._condition_id(fact),
            on,
            fact.entry["reason"],
            fact.context,
        )

    # -- corrections -----------------------------------------------------------------------

    def correction(self, old: Fact, new: Fact) -> Callable[[], None] | Problem:
        """How to turn `old` into `new` with correction commands, or why it cannot be done."""
        changed = sorted(
            k for k in set(old.attrs) | set(new.attrs) if old.attrs.get(k) != new.attrs.get(k)
        )
        supported = _CORRECTABLE.get(new.kind, set())
        if new.kind == "seats" and changed == ["count"] and new.attrs["count"] < old.attrs["count"]:
            supported = set()
        refused = [k for k in changed if k not in supported]
        if new.kind == "meeting" and refused == ["items"]:
            return _agenda_problem(old.attrs["items"], new.attrs["items"])
        if refused:
            key = refused[0]
            return Problem(
                join_path(new.path, key) if key in new.entry or key in old.entry else new.path,
                f"cannot be corrected by an import: {key} was {_shown(old.attrs.get(key))} and is "
                f"now {_shown(new.attrs.get(key))}; the registry has no correction for that",
                "NOT_CORRECTABLE",
            )
        return lambda: getattr(self, f"_correct_{new.kind}")(old, new)

    def removal(self, old: Fact) -> Callable[[], None] | Problem:
        if old.kind in ("appointments", "allocations"):
            return lambda: getattr(self, f"_remove_{old.kind}")(old)
        return Problem(
            old.path,
            f"is in the version imported before but not in this one; a recorded "
            f"{_KIND_WORDS.get(old.kind, old.kind)} cannot be removed by a correction",
            "NOT_CORRECTABLE",
        )

    def _correct_decision(self, old: Fact, new: Fact) -> None:
        assert new.decision is not None and self.reason is not None
        self.registry.correct_decision(
            new.decision.id, new.entry["kind"], new.entry["text"], self.reason, new.context
        )

    def _correct_seats(self, old: Fact, new: Fact) -> None:
        self._apply_seats(new, count=new.attrs["count"] - old.attrs["count"])

    def _correct_appointments(self, old: Fact, new: Fact) -> None:
        assert self.reason is not None
        before = self._appointment(old)
        membership = self._memberships(
            old.refs["body"].id,
            before.person_id,
            old.entry.get("role", Role.MEMBER),
            lambda m: m.lower == (before.start or before.start_not_after),
            f"membership from {before.start or before.start_not_after}",
        )
        # Only what the file changed: the rest stays as recorded, including what later
        # events did to the membership (a replacement that ended it).
        wanted = self._appointment(new)
        fields = {
            "start": ["start"],
            "start_not_after": ["start_not_after"],
            "end": ["end"],
            "seat": ["seat_id", "seat_label", "seat_number", "seat_unknown"],
            "seat_number": ["seat_id", "seat_label", "seat_number", "seat_unknown"],
            "seat_unknown": ["seat_id", "seat_label", "seat_number", "seat_unknown"],
            "on_behalf_of": ["on_behalf_of"],
            "deputy_for": ["deputy_for"],
            "note": ["note"],
        }
        changed = {
            name: getattr(wanted, name)
            for key, names in fields.items()
            if old.attrs.get(key) != new.attrs.get(key)
            for name in names
        }
        self.registry.correct_membership(
            new.refs["body"].id,
            membership.membership_id,
            self._as_appointment(membership, **changed),
            self.reason,
            new.context,
        )

    def _remove_appointments(self, old: Fact) -> None:
        assert self.reason is not None
        before = self._appointment(old)
        membership = self._memberships(
            old.refs["body"].id,
            before.person_id,
            old.entry.get("role", Role.MEMBER),
            lambda m: m.lower == (before.start or before.start_not_after),
            f"membership from {before.start or before.start_not_after}",
        )
        self.registry.retract_membership(
            old.refs["body"].id, membership.membership_id, self.reason, old.context
        )

    def _correct_replacements(self, old: Fact, new: Fact) -> None:
        assert self.reason is not None
        was, now = self._date(old, "date", required=True), self._date(new, "date", required=True)
        assert was is not None and now is not None
        body = new.refs["body"].id
        incoming = self._memberships(
            body, new.refs["incoming"].id, None, lambda m: m.start == was, f"membership from {was}"
        )
        outgoing = self._memberships(
            body, new.refs["outgoing"].id, None, lambda m: m.end == was, f"membership ending {was}"
        )
        self.registry.correct_membership(
            body,
            outgoing.membership_id,
            self._as_appointment(outgoing, end=now),
            self.reason,
            new.context,
        )
        self.registry.correct_membership(
            body,
            incoming.membership_id,
            self._as_appointment(incoming, start=now),
            self.reason,
            new.context,
        )

    def _correct_endings(self, old: Fact, new: Fact) -> None:
        assert self.reason is not None
        was, now = self._date(old, "end", required=True), self._date(new, "end", required=True)
        body = new.refs["body"].id
        membership = self._memberships(
            body,
            new.refs["person"].id,
            new.entry.get("role"),
            lambda m: m.end == was,
            f"membership ending {was}",
        )
        self.registry.correct_membership(
            body,
            membership.membership_id,
            self._as_appointment(membership, end=now),
            self.reason,
            new.context,
        )

    def _correct_agreements(self, old: Fact, new: Fact) -> None:
        assert self.reason is not None
        self.registry.correct_agreement_period(
            new.refs["id"],
            _day(new.entry.get("valid_from")),
            _day(new.entry.get("valid_until")),
            self.reason,
            new.context,
            valid_from_not_after=_day(new.entry.get("valid_from_not_after")),
        )

    def _correct_allocations(self, old: Fact, new: Fact) -> None:
        self.registry.change_allocation(
            new.refs["fund"].id,
            new.refs["allocation_id"],
            amount_of(new.entry["amount"], "amount"),
            new.context,
            effective_date=self._date(new, "date"),
        )

    def _remove_allocations(self, old: Fact) -> None:
        assert self.reason is not None
        self.registry.withdraw_allocation(
            old.refs["fund"].id, old.refs["allocation_id"], self.reason, old.context
        )


_CORRECTABLE: dict[str, set[str]] = {
    "decision": {"kind", "text"},
    "claim": {"kind", "matter", "amount"},
    "seats": {"count"},
    "appointments": {
        "note",
        "start",
        "start_not_after",
        "end",
        "seat",
        "seat_number",
        "seat_unknown",
        "on_behalf_of",
        "deputy_for",
    },
    "replacements": {"date"},
    "endings": {"end"},
    "agreements": {"valid_from", "valid_from_not_after", "valid_until"},
    "allocations": {"amount"},
    "contact": {"ref"},  # a changed value: the new one is added (see _correct_contact)
    "cessations": {"date", "how", "successor"},
    **APPROVAL_CORRECTABLE,
}

_KIND_WORDS = {
    "seats": "seat",
    "replacements": "replacement",
    "endings": "end of a membership",
    "agreements": "agreement",
    "extensions": "extension",
    "adoptions": "adoption",
    "revisions": "revision",
    "terminations": "termination",
    "funds": "fund",
    "assignments": "assignment",
    "reports": "report on an assignment",
    "completions": "completion",
    "variant": "name variant",
    "contact": "contact detail (a disposal decision destroys one: registry redact)",
}


def _deferred_to(value: list[str] | None) -> DeferredTo | None:
    if value is None:
        return None
    meeting_id, body_id, day = value
    return DeferredTo(UUID(meeting_id), UUID(body_id), date.fromisoformat(day))


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value is not None else None


def _shown(value: Any) -> str:
    if value is None:
        return "nothing"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _agenda_problem(old: list[list[Any]], new: list[list[Any]]) -> Problem:
    """The first agenda item whose number, title or presenters changed."""
    for i, (was, now) in enumerate(zip(old, new, strict=False)):
        for key, a, b in zip(("number", "title", "presenters"), was, now, strict=True):
            if a != b:
                return Problem(
                    f"items[{i}].{key}",
                    f"cannot be corrected by an import: the meeting's agenda said {_shown(a)}, "
                    f"now {_shown(b)}; the registry has no correction for a recorded agenda",
                    "NOT_CORRECTABLE",
                )
    return Problem(
        "items",
        f"cannot be corrected by an import: the agenda had {len(old)} items and now has "
        f"{len(new)}; the registry has no correction for a recorded agenda",
        "NOT_CORRECTABLE",
    )
