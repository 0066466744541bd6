"""Votes (votering) on a decision, and who a statement is by.

A vote has the counts the minutes give (ja, nej, avstår) and, where the minutes list them, the
members' own votes; when both are given they must agree. A reservation may name the vote in
which its authors were outvoted.

A statement or reservation may be made by several members ("Robert Mjörnberg m.fl. (V)") or by
a party group ("Vänsterpartiets särskilda uttalande"): `StatementAuthors` keeps the named
persons, the party and whether more stood behind it than are named (m.fl.).
"""

from __future__ import annotations

import dataclasses
import enum
from collections import Counter
from dataclasses import dataclass
from uuid import UUID

from registry.errors import InvalidInput
from registry.ids import natural_id


class VoteChoice(enum.StrEnum):
    """A member's vote: ja, nej, avstår."""

    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"


def vote_id_for(decision_id: UUID, ordinal: int) -> UUID:
    """The id of the decision's `ordinal`th vote (1 for the first)."""
    return natural_id("vote", str(decision_id), ordinal)


def parse_vote_choice(value: str | VoteChoice, index: int = 0) -> VoteChoice:
    try:
        return VoteChoice(value)
    except ValueError:
        allowed = ", ".join(c.value for c in VoteChoice)
        raise InvalidInput(
            f"ballots[{index}].vote {value!r} is not one of {allowed}", field=f"ballots[{index}]"
        ) from None


@dataclass(frozen=True)
class Ballot:
    """One member's vote in a votering."""

    person_id: UUID | None
    person_name: str
    choice: VoteChoice
    party: str | None = None


@dataclass(frozen=True)
class Vote:
    """A votering on a decision: what was put to the vote, the counts, and (where the minutes
    give them) the members' votes. `yes`/`no`/`abstain` are None when the minutes do not give
    that count and no member's vote is listed."""

    vote_id: UUID
    ordinal: int
    question: str | None
    yes: int | None
    no: int | None
    abstain: int | None
    ballots: tuple[Ballot, ...] = ()
    note: str | None = None


def tallied(vote: Vote) -> Vote:
    """The vote checked, with its counts taken from the members' votes when the minutes give
    no count (the list is then the whole vote). When counts are given, the list may name only
    some members (minutes often name only those who voted nej), so no choice may have more
    members listed than its count. Refused: a negative count, a member voting twice, a vote
    with neither counts nor members' votes."""
    counts = {"yes": vote.yes, "no": vote.no, "abstain": vote.abstain}
    for name, value in counts.items():
        if value is not None and value < 0:
            raise InvalidInput(f"the count {name} must not be negative (got {value})", field=name)
    if not vote.ballots:
        if all(v is None for v in counts.values()):
            raise InvalidInput(
                "a vote needs its counts (yes, no, abstain) or the members' votes (ballots)",
                field="yes",
            )
        return vote
    seen: set[object] = set()
    for i, ballot in enumerate(vote.ballots):
        who = ballot.person_id or ballot.person_name.casefold()
        if who in seen:
            raise InvalidInput(
                f"{ballot.person_name} votes twice in one vote", field=f"ballots[{i}]"
            )
        seen.add(who)
    tally = Counter(b.choice.value for b in vote.ballots)
    if all(v is None for v in counts.values()):
        return dataclasses.replace(vote, yes=tally["yes"], no=tally["no"], abstain=tally["abstain"])
    for name, given in counts.items():
        if tally[name] and (given is None or tally[name] > given):
            raise InvalidInput(
                f"{tally[name]} members are listed as voting {name} but the count {name} is "
                f"{'not given' if given is None else given}",
                field=name,
            )
    return vote


def ballots_complete(vote: Vote) -> bool:
    """True when the members' votes listed are the whole vote (one per vote counted)."""
    counted = sum(v or 0 for v in (vote.yes, vote.no, vote.abstain))
    return bool(vote.ballots) and counted == len(vote.ballots)


@dataclass(frozen=True)
class StatementAuthors:
    """Who a statement is by, when more than one person: the named persons (in the order
    written), the party group, and whether others stood behind it (m.fl.)."""

    person_ids: tuple[UUID | None, ...] = ()
    person_names: tuple[str, ...] = ()
    party: str | None = None
    and_others: bool = False
