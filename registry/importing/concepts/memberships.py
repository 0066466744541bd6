"""Memberships (ledamöter and ersättare): appointments, replacements and endings in a
minutes file, their facts, and how they are recorded and corrected."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from registry.application import Appointment
from registry.domain.body import Body, Membership
from registry.domain.person import Person
from registry.errors import InvalidInput, NotAMember
from registry.importing.concepts.common import FactApplier, FactBuilder
from registry.importing.facts import Fact, Resolved, day, id_of
from registry.values import Role, parse_role

#: The registry's error fields, by kind of fact, as the keys of the file's entry.
FIELDS: dict[str, dict[str, str]] = {
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
}

#: What a changed file may correct.
CORRECTABLE: dict[str, set[str]] = {
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
}

#: What a kind of fact is called when a changed file leaves it out.
KIND_WORDS: dict[str, str] = {
    "replacements": "replacement",
    "endings": "end of a membership",
}

# What an appointment's and a replacement's references name, and an appointment's attributes
# as the file gives them.
_APPOINTED = {"person": ["person"], "on_behalf_of": ["organisation"], "deputy_for": ["person"]}
_REPLACED = {"incoming": ["person"], "outgoing": ["person"], "on_behalf_of": ["organisation"]}
_APPOINTMENT = ("start", "start_not_after", "end", "seat", "seat_number", "seat_unknown", "note")


class MembershipFacts(FactBuilder):
    """Builds the facts of `appointments`, `replacements` and `endings`."""

    def _appointments(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        refs = self.refs_of(entry, path, body, _APPOINTED)
        if refs["body"] is None or refs["person"] is None:
            return None
        role = entry.get("role", "member")
        identity = ("appointment", owner, str(refs["body"].id), str(refs["person"].id), role)
        attrs = {k: entry.get(k) for k in _APPOINTMENT} | {
            "on_behalf_of": id_of(refs["on_behalf_of"]),
            "deputy_for": id_of(refs["deputy_for"]),
        }
        return identity, attrs, refs

    def _replacements(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        refs = self.refs_of(entry, path, body, _REPLACED)
        if None in (refs["body"], refs["incoming"], refs["outgoing"]):
            return None
        identity = (
            "replacement",
            owner,
            str(refs["body"].id),
            str(refs["outgoing"].id),
            str(refs["incoming"].id),
        )
        attrs = {
            "date": entry.get("date"),
            "role": entry.get("role"),
            "on_behalf_of": id_of(refs["on_behalf_of"]),
        }
        return identity, attrs, refs

    def _endings(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        refs = self.refs_of(entry, path, body, {"person": ["person"]})
        if None in refs.values():
            return None
        person = str(refs["person"].id)
        identity = ("ending", owner, str(refs["body"].id), person, entry.get("role"))
        return identity, {"end": entry.get("end")}, refs


class MembershipApplier(FactApplier):
    """Records appointments, replacements and endings, and corrects them."""

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

    def _appointment(self, fact: Fact) -> Appointment:
        e, r = fact.entry, fact.refs
        start, start_not_after = day(e.get("start")), day(e.get("start_not_after"))
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
            end=day(e.get("end")),
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

    def _appointed(self, fact: Fact) -> Membership:
        """The membership an appointment fact recorded: its person's, in its role, from
        its start."""
        before = self._appointment(fact)
        return self._memberships(
            fact.refs["body"].id,
            before.person_id,
            fact.entry.get("role", Role.MEMBER),
            lambda m: m.lower == (before.start or before.start_not_after),
            f"membership from {before.start or before.start_not_after}",
        )

    def _correct_appointments(self, old: Fact, new: Fact) -> None:
        assert self.reason is not None
        membership = self._appointed(old)
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
        membership = self._appointed(old)
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
