"""The Query fields of agreements."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.types import Info

from api.graphql.agreements.enums import AgreementStatus
from api.graphql.agreements.types import Agreement, expiring
from api.graphql.core.context import reader
from api.graphql.core.ids import bad_input, parse_id
from api.graphql.core.lists import sorted_list, sql_list
from api.pagination import (
    Connection,
)
from projections.status_ranges import AGREEMENT, ListQuery


@strawberry.type
class AgreementsQuery:
    @strawberry.field(
        description="Agreements in force on `validOn` (default today) as known at `knownAt`: "
        "after adopted extensions, termination and the entry-into-force rule. With "
        "`expiringWithinDays`, only those whose last valid day is within that many days. "
        "With `status`, every agreement known at `knownAt` whose status on `validOn` is one "
        "of those given (NOT_YET_IN_FORCE, EXPIRED, TERMINATED, PENDING_ADOPTION ...)."
    )
    async def agreements(
        self,
        info: Info,
        valid_on: date | None = None,
        expiring_within_days: int | None = None,
        known_at: datetime | None = None,
        first: int | None = None,
        after: str | None = None,
        status: list[AgreementStatus] | None = None,
    ) -> Connection[Agreement]:
        if expiring_within_days is not None and expiring_within_days < 0:
            raise bad_input("expiringWithinDays", f"must be 0 or more, got {expiring_within_days}")
        r = reader(info)
        day = r.as_of(valid_on)
        t = r.known_at(known_at)
        make = lambda a: Agreement(row=a, on=day)  # noqa: E731
        key = lambda a: (a.row.title, str(a.row.agreement_id))  # noqa: E731
        if status and expiring_within_days is None:
            # Filtered and paged in SQL on the stored status ranges.
            query = ListQuery(AGREEMENT, day, t, statuses=[s.value for s in status])
            load = lambda db, ids: r.runner.agreements.as_known_at_many(db, ids, t)  # noqa: E731
            return await sql_list(r, query, first, after, make, key, load)
        if status:
            wanted = {s.value for s in status}
            every = await r.read(lambda db: r.runner.agreements.all_known_at(db, t))
            rows = [a for a in every if a.status(day).value in wanted]
        else:
            rows = await r.read(lambda db: r.runner.agreements.valid_on(db, day, t))
        if expiring_within_days is not None:
            rows = [a for a in rows if expiring(a, day, expiring_within_days)]
        return sorted_list([make(a) for a in rows], key, first, after)

    @strawberry.field(description="One agreement as known at `knownAt` (default now).")
    async def agreement(
        self, info: Info, id: strawberry.ID, known_at: datetime | None = None
    ) -> Agreement | None:
        r = reader(info)
        row = await r.agreement.load((parse_id(id, "id"), r.known_at(known_at)))
        return Agreement(row=row) if row else None
