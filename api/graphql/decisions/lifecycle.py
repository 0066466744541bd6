"""GraphQL types of a decision's life after the meeting: the minutes' justering and anslag
(`Meeting.approval`), appeals (`Decision.appeals`) and the legal status on a day
(`Decision.legalStatus`). The rule is registry/status/legal.py's."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from api.graphql import persons
from api.graphql.core.context import load_row
from api.graphql.core.refs import PersonRef
from api.graphql.decisions.enums import AppealOutcomeType, LegalStatus
from api.reader import Reader
from projections.entities import EntityRow
from projections.sql import as_date
from registry import lifecycle
from registry.lifecycle import AppealOutcome, appeal_deadline
from registry.status import legal
from registry.status.legal import AppealState, Standing, Window


@strawberry.type(description="A member who approved (justerade) the minutes with the chair.")
class Justerare:
    name: str
    person_id: strawberry.Private[str]
    known_at: strawberry.Private[datetime | None]

    @strawberry.field
    async def person(self, info: Info) -> PersonRef | None:

        return await persons.load_person(info, self.person_id, self.known_at)


@strawberry.type(description="Anslag: the notice that the minutes are approved.")
class Posting:
    on: date = strawberry.field(description="Posted on the notice board: the window starts.")
    taken_down_on: date | None = strawberry.field(description="Taken down.")
    kept_at: str | None = strawberry.field(description="Where the minutes are kept.")


@strawberry.type(description="A paragraph approved at once (omedelbar justering).")
class ImmediateApproval:
    item: str
    approved_on: date
    posted_on: date | None
    appeal_deadline: date | None = strawberry.field(
        description="The last day to appeal the paragraph's decisions."
    )


@strawberry.type(
    description="Justering and anslag of a meeting's minutes, and the last day to appeal."
)
class MinutesApproval:
    approved_on: date = strawberry.field(description="The day the minutes were justerade.")
    justerare: list[Justerare]
    immediate_items: list[ImmediateApproval] = strawberry.field(
        description="Paragraphs approved at once, with their own dates and deadline."
    )
    posted: Posting | None = strawberry.field(description="Anslag; null when not recorded.")
    appeal_deadline: date | None = strawberry.field(
        description="The last day to appeal: three weeks from the posting, moved to the next "
        "weekday past a Saturday, Sunday, public holiday, midsommarafton, julafton or "
        "nyårsafton; null until posted."
    )


def _deadline(posted_on: date | None) -> date | None:
    return appeal_deadline(posted_on) if posted_on is not None else None


def approval_of(row: EntityRow, known_at: datetime | None) -> MinutesApproval | None:
    found = row.get("approval")
    if not found:
        return None
    posted_on = as_date(found.get("posted_on"))
    return MinutesApproval(
        approved_on=as_date(found["approved_on"]),  # type: ignore[arg-type]
        justerare=[
            Justerare(name=j["name"], person_id=j["person_id"], known_at=known_at)
            for j in found.get("justerare", [])
        ],
        immediate_items=[
            ImmediateApproval(
                item=i["item"],
                approved_on=as_date(i["approved_on"]),  # type: ignore[arg-type]
                posted_on=as_date(i.get("posted_on")),
                appeal_deadline=_deadline(as_date(i.get("posted_on"))),
            )
            for i in found.get("immediate", [])
        ],
        posted=Posting(
            on=posted_on,
            taken_down_on=as_date(found.get("taken_down_on")),
            kept_at=found.get("kept_at"),
        )
        if posted_on is not None
        else None,
        appeal_deadline=_deadline(posted_on),
    )


@strawberry.type(description="An appeal (laglighetsprövning) of a decision, and its ruling.")
class Appeal:
    appellant: str
    filed_on: date
    court: str | None
    case_number: str | None
    outcome: AppealOutcomeType | None = strawberry.field(  # type: ignore[valid-type]
        description="The court's ruling; null while pending."
    )
    outcome_on: date | None


def appeals_of(row: EntityRow) -> list[Appeal]:
    rulings = {r["appeal_id"]: r for r in row.get("appeal_rulings", [])}
    found = []
    for a in row.get("appeals", []):
        ruling = rulings.get(a["appeal_id"]) or {}
        found.append(
            Appeal(
                appellant=a["appellant"],
                filed_on=as_date(a["filed_on"]),  # type: ignore[arg-type]
                court=a.get("court"),
                case_number=a.get("case_number"),
                outcome=AppealOutcome(ruling["outcome"]) if ruling else None,
                outcome_on=as_date(ruling.get("ruled_on")),
            )
        )
    return found


async def window_of(info: Info, row: EntityRow, known_at: datetime | None) -> Window | None:
    """The dates that open the decision's appeal window as known at `known_at`; None when the
    decision has no legal status (not a kommunal nämnd's, a bordläggning or återremiss, or
    no minutes recorded). Computed once per decision and request (legalStatus, finalOn and
    appealDeadline all need it)."""
    memo: dict[Any, asyncio.Future] = info.context.setdefault("lifecycle_windows", {})
    key = (row.entity_id, known_at)
    if key not in memo:
        memo[key] = asyncio.ensure_future(_window_of(info, row, known_at))
    return await memo[key]


async def _window_of(info: Info, row: EntityRow, known_at: datetime | None) -> Window | None:

    body = await load_row(info, row.get("body_id"), "body", known_at)
    if body is None or not lifecycle.has_legal_status(body.get("kind"), row.get("kind")):
        return None
    meeting = await load_row(info, row.get("meeting_id"), "meeting", known_at)
    if meeting is None:
        return None
    approval: dict[str, Any] | None = meeting.get("approval")
    if not approval:
        return Window(None, None)
    item = row["item"]
    for i in approval.get("immediate", []):
        if i["item"] == item:
            return Window(as_date(i["approved_on"]), as_date(i.get("posted_on")))
    return Window(as_date(approval["approved_on"]), as_date(approval.get("posted_on")))


async def standing_of(
    info: Info, row: EntityRow, known_at: datetime | None, as_of: date | None
) -> Standing | None:
    window = await window_of(info, row, known_at)
    if window is None:
        return None
    rulings = {r["appeal_id"]: r for r in row.get("appeal_rulings", [])}
    appeals = [
        AppealState(
            as_date(a["filed_on"]),  # type: ignore[arg-type]
            AppealOutcome(rulings[a["appeal_id"]]["outcome"])
            if a["appeal_id"] in rulings
            else None,
            as_date(rulings[a["appeal_id"]]["ruled_on"]) if a["appeal_id"] in rulings else None,
        )
        for a in row.get("appeals", [])
    ]
    reader: Reader = info.context["reader"]
    return legal.legal_standing(window, appeals, reader.as_of(as_of))


def legal_status_of(standing: Standing | None) -> LegalStatus | None:
    return LegalStatus(standing.status.value) if standing is not None else None
