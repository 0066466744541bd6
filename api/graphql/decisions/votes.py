"""GraphQL types for votes (votering) and for the authors of statements made by several
members or a party group (registry/domain/vote.py)."""

from __future__ import annotations

from typing import Any

import strawberry

from registry.domain import vote as votes

VoteChoice = strawberry.enum(
    votes.VoteChoice, description="A member's vote: YES (ja), NO (nej), ABSTAIN (avstår)."
)


@strawberry.type(description="One member's vote in a votering.")
class Ballot:
    person_id: strawberry.ID | None = strawberry.field(
        description="The member, when a declared person."
    )
    person_name: str
    choice: VoteChoice  # type: ignore[valid-type]
    party: str | None


@strawberry.type(
    description="A votering on a decision: what was put to the vote, the counts and, where the "
    "minutes list them, the members' votes. A count is null when the minutes do not give it."
)
class Vote:
    id: strawberry.ID
    ordinal: int = strawberry.field(description="1 for the decision's first vote.")
    question: str | None = strawberry.field(description="What was put to the vote.")
    yes: int | None
    no: int | None
    abstain: int | None
    ballots: list[Ballot] = strawberry.field(description="The members' votes listed.")
    ballots_complete: bool = strawberry.field(
        description="True when the members' votes listed are the whole vote (one per vote "
        "counted); false when the minutes name only some (or none)."
    )
    note: str | None


def vote_of(row: dict[str, Any]) -> Vote:
    ballots = [
        votes.Ballot(
            b.get("person_id"), b["person_name"], votes.VoteChoice(b["choice"]), b.get("party")
        )
        for b in row.get("ballots", [])
    ]
    counted = votes.Vote(
        row["vote_id"],
        row["ordinal"],
        row.get("question"),
        row.get("yes"),
        row.get("no"),
        row.get("abstain"),
        tuple(ballots),
    )
    return Vote(
        id=strawberry.ID(row["vote_id"]),
        ordinal=row["ordinal"],
        question=row.get("question"),
        yes=row.get("yes"),
        no=row.get("no"),
        abstain=row.get("abstain"),
        ballots=[
            Ballot(
                person_id=strawberry.ID(b.person_id) if b.person_id else None,
                person_name=b.person_name,
                choice=b.choice,
                party=b.party,
            )
            for b in ballots
        ],
        ballots_complete=votes.ballots_complete(counted),
        note=row.get("note"),
    )


@strawberry.type(description="A person named as an author of a statement.")
class StatementAuthor:
    person_id: strawberry.ID | None
    name: str


def authors_of(statement: dict[str, Any]) -> list[StatementAuthor]:
    """The named authors: every person of a collective statement, else its one person."""
    group = statement.get("authors")
    if group:
        return [
            StatementAuthor(person_id=strawberry.ID(p) if p else None, name=n)
            for p, n in zip(group["person_ids"], group["person_names"], strict=True)
        ]
    if statement.get("person_id"):
        return [
            StatementAuthor(
                person_id=strawberry.ID(statement["person_id"]), name=statement["person_name"]
            )
        ]
    return []
