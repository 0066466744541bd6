"""Decisions (beslut) in a minutes file, with what belongs to each: its votes (voteringar),
its statements (reservationer, särskilda uttalanden) and, as effects, the conditions it or
an earlier decision set being met or withdrawn: their facts and how they are recorded."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from registry.dates import PartialDate, Precision, within_of
from registry.domain.decision import Decision, DeferredTo, decision_id_for
from registry.domain.meeting import meeting_id_for
from registry.domain.vote import Ballot, StatementAuthors, VoteChoice, vote_id_for
from registry.errors import InvalidInput, NotFound
from registry.ids import normalise
from registry.importing.concepts.common import FactApplier, FactBuilder
from registry.importing.facts import DecisionInfo, Fact, Resolved, note_of
from registry.importing.problems import Problem, join_path

#: The registry's error fields, by kind of fact, as the keys of the file's entry.
FIELDS: dict[str, dict[str, str]] = {
    "decision": {"text": "text", "kind": "kind", "key": "text"},
    "statement": {"text": "text", "person_name": "by_name", "vote": "vote", "authors": "by"},
    "votes": {"yes": "for", "no": "against", "abstain": "abstain", "ballots": "ballots"},
}

#: What a changed file may correct.
CORRECTABLE: dict[str, set[str]] = {"decision": {"kind", "text"}}

# The file's words for a member's vote, and the registry's.
_CHOICES = {"for": VoteChoice.YES, "against": VoteChoice.NO, "abstain": VoteChoice.ABSTAIN}


class DecisionFacts(FactBuilder):
    """Builds the facts of each decision, its votes and statements, and of the effects on
    conditions; a decision's other effects are built by their concepts (`effect_facts`)."""

    def decision_facts(self, meeting_id: UUID | None) -> None:
        if "background" in self.data and self.body is not None:
            self.effect_facts("background", self.data["background"], None, self.body)
        for i, item in enumerate(self.data["items"]):
            number = str(item["number"])
            for j, entry in enumerate(item.get("decisions", [])):
                path = f"items[{i}].decisions[{j}]"
                body = self.body_of(entry, path, self.body)
                if body is None:
                    continue
                unknown = "date_not_after" in entry
                if unknown and "date" in entry:
                    self.resolver.problems.append(
                        Problem(
                            join_path(path, "date_not_after"),
                            "give date (the day decided) or date_not_after (the date is not "
                            "in the document: the latest it can have been), not both",
                            "INVALID_INPUT",
                        )
                    )
                    continue
                given = entry.get("date_not_after") or entry.get("date")
                decided_on = date.fromisoformat(given) if unknown else self.held_on
                precision = None
                if not unknown and given:
                    try:
                        within = PartialDate.parse(given, "date")
                    except InvalidInput as error:
                        self.resolver.problems.append(
                            Problem(join_path(path, "date"), error.message, "INVALID_DATE")
                        )
                        continue
                    decided_on = within.latest
                    if within.precision is not Precision.DAY:
                        # Known only to the month or year: the latest day it can have been,
                        # with the precision that says how much earlier it may lie.
                        unknown, precision = True, str(within.precision)
                ordinal = j + 1
                did = decision_id_for(body.id, decided_on, number, ordinal, unknown, precision)
                day = f"not after {decided_on}" if unknown else str(decided_on)
                if precision:
                    day = f"in {within_of(decided_on, precision)}"
                identity = ("decision", str(body.id), day, normalise(number), ordinal)
                info = DecisionInfo(
                    did, body.id, decided_on, number, ordinal, identity, unknown, precision
                )
                conditions = [
                    c if isinstance(c, str) else c["text"] for c in entry.get("conditions", [])
                ]
                condition_notes = [
                    f"condition {k + 1}: {c['note']}"
                    for k, c in enumerate(entry.get("conditions", []))
                    if isinstance(c, dict) and c.get("note")
                ]
                deferred_to = self._deferred_to(entry, path, body)
                in_meeting = (
                    meeting_id
                    if body.id == self.body.id and decided_on == self.held_on and not unknown  # type: ignore[union-attr]
                    else None
                )
                self.add(
                    Fact(
                        "decision",
                        path,
                        identity,
                        {
                            "kind": entry["kind"],
                            "text": entry["text"],
                            "conditions": conditions,
                            **({"deferred_to": deferred_to} if deferred_to else {}),
                        },
                        entry,
                        self.context(note_of(entry.get("note"), *condition_notes), number),
                        {"body": body, "meeting_id": in_meeting, "deferred_to": deferred_to},
                        info,
                    )
                )
                votes = self.vote_facts(path, entry, info, number)
                for k, statement in enumerate(entry.get("statements", [])):
                    self.statement_fact(join_path(path, "statements", k), statement, info, votes)
                claim = self.claim_fact(
                    path,
                    entry,
                    info,
                    body,
                    self.context(entry.get("claim", {}).get("note"), number, info),
                )
                if claim is not None:
                    self.add(claim)
                self.effect_facts(path, entry, info, body)

    def vote_facts(
        self, path: str, entry: dict[str, Any], info: DecisionInfo, number: str
    ) -> dict[str, int]:
        """A fact per vote (votering) on the decision; its refs to their ordinals."""
        refs: dict[str, int] = {}
        for k, vote in enumerate(entry.get("votes", [])):
            vpath = join_path(path, "votes", k)
            if "ref" in vote:
                if vote["ref"] in refs:
                    self.resolver.problems.append(
                        Problem(
                            join_path(vpath, "ref"),
                            f"the vote ref {vote['ref']!r} is used twice",
                            "DUPLICATE_REF",
                        )
                    )
                refs[vote["ref"]] = k + 1
            ballots = []
            for b, ballot in enumerate(vote.get("ballots", [])):
                bpath = join_path(vpath, "ballots", b)
                person = self.ref(ballot, "person", ["person"], bpath)
                if "person" in ballot and person is None:
                    continue
                ballots.append((person, ballot.get("name"), ballot["vote"], ballot.get("party")))
            self.add(
                Fact(
                    "votes",
                    vpath,
                    (*info.identity, "vote", k + 1),
                    {
                        "question": vote.get("question"),
                        "for": vote.get("for"),
                        "against": vote.get("against"),
                        "abstain": vote.get("abstain"),
                        "ballots": [
                            [str(p.id) if p else n, v, party] for p, n, v, party in ballots
                        ],
                    },
                    vote,
                    self.context(vote.get("note"), number, info),
                    {"ballots": ballots},
                    info,
                )
            )
        return refs

    def statement_fact(
        self, spath: str, statement: dict[str, Any], info: DecisionInfo, votes: dict[str, int]
    ) -> None:
        """A reservation or särskilt uttalande, by one person, several or a party group."""
        given = statement.get("by")
        listed = given if isinstance(given, list) else [given] if given is not None else []
        authors = [
            self.resolver.resolve(
                ref,
                ["person"],
                join_path(spath, "by", k) if isinstance(given, list) else join_path(spath, "by"),
            )
            for k, ref in enumerate(listed)
        ]
        if None in authors:
            return
        vote = None
        if "vote" in statement:
            vote = votes.get(statement["vote"])
            if vote is None:
                self.resolver.problems.append(
                    Problem(
                        join_path(spath, "vote"),
                        f"no vote with ref {statement['vote']!r} in this decision's votes",
                        "UNKNOWN_REFERENCE",
                    )
                )
                return
        by = authors[0] if authors else None
        who = str(by.id) if by else normalise(statement.get("by_name") or statement["party"])
        self.add(
            Fact(
                "statement",
                spath,
                (*info.identity, "statement", who, statement["kind"], normalise(statement["text"])),
                {
                    "by": [str(a.id) for a in authors if a],
                    "by_name": statement.get("by_name"),
                    "party": statement.get("party"),
                    "and_others": statement.get("and_others", False),
                    "vote": vote,
                },
                statement,
                self.context(statement.get("note"), info.item, info),
                {"by": by, "authors": authors, "vote": vote},
                info,
            )
        )

    def _deferred_to(self, entry: dict[str, Any], path: str, body: Resolved) -> list[str] | None:
        """`deferred_to`: the meeting a deferred item goes to, as [meeting id, body id, day]."""
        given = entry.get("deferred_to")
        if given is None:
            return None
        where = join_path(path, "deferred_to")
        if entry["kind"] != "deferred":
            self.resolver.problems.append(
                Problem(
                    where,
                    f"only a deferred item goes to a later meeting (kind is {entry['kind']!r})",
                    "INVALID_INPUT",
                )
            )
            return None
        target = self.ref(given, "body", ["body"], where) if "body" in given else body
        if target is None:
            return None
        day = date.fromisoformat(given["date"])
        mid = meeting_id_for(target.id, day, given.get("sequence", 1))
        return [str(mid), str(target.id), day.isoformat()]

    def _condition(
        self, kind: str, entry: dict[str, Any], path: str, body: Resolved, attrs: dict[str, Any]
    ) -> Any:
        """A fact about a condition of an earlier decision, named by its number (1 for the
        first) or text."""
        did = self.decision_named(entry["decision"], join_path(path, "decision"), body)
        if did is None:
            return None
        which = entry["condition"]
        identity = (kind, str(did), which if isinstance(which, int) else normalise(which))
        return identity, attrs, {"decision_id": did, "condition": which}

    def _conditions_met(
        self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple
    ) -> Any:
        return self._condition("condition_met", entry, path, body, {"met_on": entry.get("met_on")})

    def _conditions_withdrawn(
        self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple
    ) -> Any:
        attrs = {"withdrawn_on": entry.get("withdrawn_on"), "reason": entry["reason"]}
        return self._condition("condition_withdrawn", entry, path, body, attrs)


class DecisionApplier(FactApplier):
    """Records decisions, votes, statements and conditions met or withdrawn."""

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
            deferred_to=_deferred(fact.refs.get("deferred_to")),
            decided_precision=d.decided_precision,
        )

    def _correct_decision(self, old: Fact, new: Fact) -> None:
        assert new.decision is not None and self.reason is not None
        self.registry.correct_decision(
            new.decision.id, new.entry["kind"], new.entry["text"], self.reason, new.context
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


def _deferred(value: list[str] | None) -> DeferredTo | None:
    if value is None:
        return None
    meeting_id, body_id, day = value
    return DeferredTo(UUID(meeting_id), UUID(body_id), date.fromisoformat(day))
