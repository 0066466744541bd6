"""The meeting (sammanträde) a minutes file records: its attendance as printed, chair and
secretaries, agenda, and the deputies who served in members' places (tjänstgörande
ersättare, registry/domain/serving.py): their facts and how they are recorded. Serving is
recorded after the file's memberships, so that the members served for can be checked."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from registry.domain.meeting import AgendaItem, Attendee, meeting_id_for
from registry.importing.concepts.common import FactApplier, FactBuilder, shown
from registry.importing.facts import Fact, Resolved, as_text, note_of
from registry.importing.problems import Problem, join_path

#: The registry's error fields, by kind of fact, as the keys of the file's entry.
FIELDS: dict[str, dict[str, str]] = {"meeting": {"key": "sequence"}}


class MeetingFacts(FactBuilder):
    """Builds the facts of the meeting and of its serving deputies."""

    def attendee(self, value: Any, path: str) -> tuple[Resolved | None, str | None]:
        if isinstance(value, dict):
            return self.resolver.resolve(
                value["person"], ["person"], join_path(path, "person")
            ), value.get("note")
        return self.resolver.resolve(value, ["person"], path), None

    def printed(self, value: Any, person: Resolved) -> str:
        """The name as the list prints it: `as_printed`, else the reference when it is a
        name (or name variant) rather than a local ref or an id, else the registered name."""
        if isinstance(value, dict):
            if value.get("as_printed"):
                return str(value["as_printed"]).strip()
            value = value["person"]
        if self.resolver.is_local_ref(value) or _is_uuid(value):
            return person.name
        return " ".join(str(value).split())

    def secretaries(self, meeting: dict[str, Any], notes: list[str | None]) -> list[Resolved]:
        """`secretaries`: several persons, each once; their notes go to the meeting's."""
        if "secretaries" not in meeting:
            return []
        if "secretary" in meeting:
            self.resolver.problems.append(
                Problem(
                    "meeting.secretaries",
                    "give secretary (one person) or secretaries (several), not both",
                    "INVALID_INPUT",
                )
            )
            return []
        found: list[Resolved] = []
        for i, value in enumerate(meeting["secretaries"]):
            path = join_path("meeting", "secretaries", i)
            person, note = self.attendee(value, path)
            if person is None:
                continue
            if person in found:
                self.resolver.problems.append(
                    Problem(path, f"names {person.name} as secretary twice", "INVALID_INPUT")
                )
                continue
            found.append(person)
            if note:
                notes.append(f"secretary {person.name}: {note}")
        return found

    def meeting_fact(self) -> UUID | None:
        meeting = self.data.get("meeting")
        if meeting is None or self.body is None:
            return None
        sequence = meeting.get("sequence", 1)
        mid = meeting_id_for(self.body.id, self.held_on, sequence)
        lists: dict[str, list[tuple[Resolved | None, str | None]]] = {}
        printed: dict[str, list[str]] = {}
        for key in ("present", "absent"):
            lists[key] = [
                self.attendee(a, join_path("meeting", key, i))
                for i, a in enumerate(meeting.get(key, []))
            ]
            printed[key] = [
                self.printed(a, p)
                for a, (p, _) in zip(meeting.get(key, []), lists[key], strict=True)
                if p is not None
            ]
        notes = [meeting.get("note")]
        single: dict[str, Resolved | None] = {}
        for key in ("chair", "secretary"):
            single[key] = None
            if key in meeting:
                single[key], note = self.attendee(meeting[key], join_path("meeting", key))
                if note:
                    notes.append(f"{key}: {note}")
        secretaries = self.secretaries(meeting, notes)
        if secretaries:
            single["secretary"] = secretaries[0]
        items = []
        for i, item in enumerate(self.data["items"]):
            presenters = [
                self.attendee(p, join_path(f"items[{i}]", "presenters", k))
                for k, p in enumerate(item.get("presenters", []))
            ]
            item_notes = [item.get("note")] + [
                f"presenter {p.name}: {n}" for p, n in presenters if p is not None and n
            ]
            items.append(
                {
                    "number": str(item["number"]),
                    "title": item["title"],
                    "presenters": [p for p, _ in presenters if p is not None],
                    "note": note_of(*item_notes),
                }
            )
        self.add(
            Fact(
                "meeting",
                "meeting",
                ("meeting", mid),
                {
                    "time": meeting.get("time"),
                    "place": meeting.get("place"),
                    "present": _listed(lists["present"], printed["present"]),
                    "absent": _listed(lists["absent"], printed["absent"]),
                    "chair": as_text(single["chair"].id) if single["chair"] else None,
                    "secretary": as_text(single["secretary"].id) if single["secretary"] else None,
                    "additional_secretaries": [as_text(p.id) for p in secretaries[1:]],
                    "items": [
                        [it["number"], it["title"], [as_text(p.id) for p in it["presenters"]]]
                        for it in items
                    ],
                },
                meeting,
                self.context(note_of(*notes)),
                {
                    "id": mid,
                    **lists,
                    **single,
                    "additional_secretaries": secretaries[1:],
                    "items": items,
                    "sequence": sequence,
                    "printed": printed,
                },
                extra={"body_id": self.body.id, "held_on": self.held_on},
            )
        )
        return mid

    def serving_fact(self, meeting_id: UUID | None) -> None:
        """One fact for the meeting's list of serving deputies, if it has one."""
        meeting = self.data.get("meeting") or {}
        entries = meeting.get("serving") or []
        if meeting_id is None or not entries:
            return
        found = []
        for i, entry in enumerate(entries):
            path = join_path("meeting", "serving", i)
            deputy = self.resolver.resolve(entry["person"], ["person"], join_path(path, "person"))
            member = self.resolver.resolve(
                entry["serving_for"], ["person"], join_path(path, "serving_for")
            )
            if deputy is not None and member is not None:
                found.append((deputy, member, entry.get("note")))
        self.add(
            Fact(
                "serving",
                "meeting.serving",
                ("serving", meeting_id),
                {"serving": [[as_text(d.id), as_text(m.id), note] for d, m, note in found]},
                {"serving": entries},
                self.context(None),
                {"meeting_id": meeting_id, "serving": found},
            )
        )


class MeetingApplier(FactApplier):
    """Records the meeting and its serving deputies."""

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


def _listed(attendees: list[tuple[Resolved | None, str | None]], printed: list[str]) -> list:
    """An attendance list for comparing versions of a file: each person's id, with the name
    as printed where it is not the registered one."""
    found = [p for p, _ in attendees if p is not None]
    return [
        as_text(p.id) if name == p.name else [as_text(p.id), name]
        for p, name in zip(found, printed, strict=True)
    ]


def _is_uuid(value: str) -> bool:
    try:
        UUID(str(value))
    except ValueError:
        return False
    return True


def agenda_problem(old: list[list[Any]], new: list[list[Any]]) -> Problem:
    """The first agenda item whose number, title or presenters changed."""
    for i, (was, now) in enumerate(zip(old, new, strict=False)):
        for key, a, b in zip(("number", "title", "presenters"), was, now, strict=True):
            if a != b:
                return Problem(
                    f"items[{i}].{key}",
                    f"cannot be corrected by an import: the meeting's agenda said {shown(a)}, "
                    f"now {shown(b)}; the registry has no correction for a recorded agenda",
                    "NOT_CORRECTABLE",
                )
    return Problem(
        "items",
        f"cannot be corrected by an import: the agenda had {len(old)} items and now has "
        f"{len(new)}; the registry has no correction for a recorded agenda",
        "NOT_CORRECTABLE",
    )
