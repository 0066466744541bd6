"""GraphQL type of a deputy serving in a member's place at a meeting (tjänstgörande ersättare,
registry/domain/serving.py)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from api.graphql import persons
from api.graphql.core.refs import PersonRef


@strawberry.type(
    description="Tjänstgörande ersättare: a deputy who served at the meeting in the place of "
    "a member of the body."
)
class ServingDeputy:
    row: strawberry.Private[dict]
    known_at: strawberry.Private[datetime | None]

    @strawberry.field(description="The deputy's name as recorded.")
    def name(self) -> str:
        return self.row["name"]

    @strawberry.field(description="The name of the member the deputy served for.")
    def serving_for_name(self) -> str:
        return self.row["serving_for_name"]

    @strawberry.field
    def note(self) -> str | None:
        return self.row.get("note")

    @strawberry.field
    async def person(self, info: Info) -> PersonRef | None:

        return await persons.load_person(info, self.row["person_id"], self.known_at)

    @strawberry.field(description="The member the deputy served for.")
    async def serving_for(self, info: Info) -> PersonRef | None:

        return await persons.load_person(info, self.row["serving_for_id"], self.known_at)
