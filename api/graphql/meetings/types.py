"""The GraphQL types of a meeting, its attendees and agenda items."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from uuid import UUID

import strawberry
from strawberry.types import Info

from api.graphql import bodies, decisions, meetings, persons
from api.graphql.core.context import reader
from api.graphql.core.ids import gid
from api.graphql.core.node import EntityNode, node_type, text_field
from api.graphql.core.refs import (
    BodyRef,
    DecisionRef,
    MinutesApprovalRef,
    PersonRef,
    ServingDeputyRef,
)


@strawberry.type(description="A person at a meeting (present or absent), or its chair/secretary.")
class Attendee:
    person_id: strawberry.ID
    listed_name: strawberry.Private[str | None]
    note: str | None
    known_at: strawberry.Private[datetime | None]

    @strawberry.field(
        description="The name as the attendance list gives it; for a chair or secretary "
        "not on the lists, the person's registered name."
    )
    async def name(self, info: Info) -> str:
        if self.listed_name:
            return self.listed_name
        person = await persons.load_person(info, self.person_id, self.known_at)
        return person.row["name"] if person else ""

    @strawberry.field
    async def person(self, info: Info) -> PersonRef | None:
        return await persons.load_person(info, self.person_id, self.known_at)


@strawberry.type(description="An item on a meeting's agenda, with its decisions.")
class AgendaItem:
    number: str
    title: str
    note: str | None
    presenter_ids: strawberry.Private[list[str]]
    meeting: strawberry.Private[Meeting]

    @strawberry.field(description="Who presented the item (föredragande).")
    async def presenters(self, info: Info) -> list[PersonRef]:
        found = await asyncio.gather(
            *(persons.load_person(info, p, self.meeting.known_at) for p in self.presenter_ids)
        )
        return [p for p in found if p is not None]

    @strawberry.field(description="The decisions taken on this item.")
    async def decisions(self, info: Info) -> list[DecisionRef]:
        by_item = await self.meeting.decisions_by_item(info)
        return by_item.get(self.number, [])


@node_type("A meeting of a body, recorded from its approved minutes.")
class Meeting(EntityNode):
    @strawberry.field
    async def body(self, info: Info) -> BodyRef | None:
        return await bodies.load_body(info, self.row["body_id"], self.known_at)

    @strawberry.field
    def held_on(self) -> date:
        return self.row.date("held_on")  # type: ignore[return-value]

    time = text_field("time")
    place = text_field("place")

    def _attendee(self, a: dict) -> Attendee:
        return Attendee(
            person_id=gid(a["person_id"]),
            listed_name=a["name"],
            note=a.get("note"),
            known_at=self.known_at,
        )

    @strawberry.field
    def present(self) -> list[Attendee]:
        return [self._attendee(a) for a in self.row.get("present", [])]

    @strawberry.field
    def absent(self) -> list[Attendee]:
        return [self._attendee(a) for a in self.row.get("absent", [])]

    def _named(self, key: str) -> Attendee | None:
        return self._attendee_by_id(self.row.get(key))

    def _attendee_by_id(self, person_id: str | None) -> Attendee | None:
        if not person_id:
            return None
        for a in [*self.row.get("present", []), *self.row.get("absent", [])]:
            if a["person_id"] == person_id:
                return self._attendee(a)
        return Attendee(
            person_id=gid(person_id), listed_name=None, note=None, known_at=self.known_at
        )

    @strawberry.field(description="Ordförande.")
    def chair(self) -> Attendee | None:
        return self._named("chair_id")

    @strawberry.field(description="Sekreterare (the first, when the minutes name several).")
    def secretary(self) -> Attendee | None:
        return self._named("secretary_id")

    @strawberry.field(description="Every secretary the minutes name, in their order.")
    def secretaries(self) -> list[Attendee]:
        ids = [self.row.get("secretary_id"), *self.row.get("additional_secretary_ids", [])]
        found = [self._attendee_by_id(i) for i in ids]
        return [a for a in found if a is not None]

    @strawberry.field(
        description="Tjänstgörande ersättare: deputies who served in members' places."
    )
    def serving_deputies(self) -> list[ServingDeputyRef]:
        return [
            meetings.ServingDeputy(row=s, known_at=self.known_at)
            for s in self.row.get("serving", [])
        ]

    @strawberry.field(
        description="Justering and anslag of the minutes, and the last day to appeal; null "
        "when not recorded."
    )
    def approval(self) -> MinutesApprovalRef | None:
        return decisions.approval_of(self.row, self.known_at)

    @strawberry.field
    def items(self) -> list[AgendaItem]:
        return [
            AgendaItem(
                number=i["number"],
                title=i["title"],
                note=i.get("note"),
                presenter_ids=list(i.get("presenter_ids", [])),
                meeting=self,
            )
            for i in self.row.get("items", [])
        ]

    async def decisions_by_item(self, info: Info) -> dict[str, list[DecisionRef]]:
        """The meeting's decisions by item number, built once per meeting object (each of
        its items asks for its own)."""
        found = self.__dict__.get("_by_item")
        if found is None:

            async def group() -> dict[str, list[DecisionRef]]:
                by_item: dict[str, list[DecisionRef]] = {}
                for d in await self.decisions(info):
                    by_item.setdefault(d.row["item"], []).append(d)
                return by_item

            found = self.__dict__["_by_item"] = asyncio.ensure_future(group())
        return await found

    @strawberry.field(description="Every decision of the meeting.")
    async def decisions(self, info: Info) -> list[DecisionRef]:
        r = reader(info)
        rows = await r.decisions_of_meeting.load(
            (
                self.row.entity_id,
                UUID(self.row["body_id"]),
                self.row.date("held_on"),
                r.known_at(self.known_at),
            )
        )
        order = {i["number"]: n for n, i in enumerate(self.row.get("items", []))}
        rows = sorted(
            rows, key=lambda d: (order.get(d["item"], len(order)), d["item"], d["ordinal"])
        )
        return [decisions.Decision(row=d, known_at=self.known_at) for d in rows]
