"""GraphQL mutations: the registry's commands (registry/application.py) over GraphQL, one
module per concept (memberships, decisions, agreements, funds, assignments, persons, imports)
and the machinery they share in core.py (performing a write) and fields.py (declaring one).

Each mutation runs its command in one unit of work: all of it is written, or, when refused
(the domain's code in `extensions.code`), nothing. Every mutation takes

- `source` (the minutes the fact comes from), `note`, and `authorisedBy`, the decision that
  authorises the change, where there is one;
- `expectedVersion` (on those that change one entity): the version the client read; if the
  entity has changed since, the mutation is refused with CONFLICT and `currentVersion`;
- `idempotencyKey` (or the `Idempotency-Key` header): a request retried with the same key is
  answered as the first time and writes nothing again; the same key with another request is
  refused with IDEMPOTENCY_KEY_REUSED (registry/idempotency.py).

The answer (`Write`, api/mutations/types.py) gives the changed entity, the events written and
their log positions. See docs/mutations.md.
"""

from __future__ import annotations

import strawberry

from api.mutations import agreements, assignments, decisions, funds, imports, memberships, persons


@strawberry.type(description="Writes: the registry's commands. See docs/mutations.md.")
class Mutation:
    import_minutes = imports.import_minutes
    appoint = memberships.appoint
    end_membership = memberships.end_membership
    replace_member = memberships.replace_member
    correct_membership = memberships.correct_membership
    correct_decision = decisions.correct_decision
    meet_condition = decisions.meet_condition
    withdraw_condition = decisions.withdraw_condition
    correct_agreement_period = agreements.correct_agreement_period
    adopt_agreement = agreements.adopt_agreement
    adopt_extension = agreements.adopt_extension
    allocate = funds.allocate
    give_assignment = assignments.give_assignment
    report_assignment = assignments.report_assignment
    merge_persons = persons.merge_persons


__all__ = ["Mutation"]
