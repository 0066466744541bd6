"""Commands for meeting plans, projects and consultations (remisser), mixed into `Registry`.

Each loads the aggregates it needs in the caller's unit of work (a decision's, an imported
file's) or its own, calls their verbs and leaves the atomic write to `Registry`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

from registry.domain.body import Body
from registry.domain.consultation import (
    Answer,
    Conclusion,
    Consultation,
    ConsultedBody,
    parse_stance,
)
from registry.domain.decision import Decision
from registry.domain.fund import Fund
from registry.domain.meeting import Meeting
from registry.domain.meeting_plan import (
    Matter,
    MeetingPlan,
    PlannedMeeting,
    PlannedMeetingKind,
    parse_kind,
    planned_meeting_id_for,
)
from registry.domain.organisation import Organisation
from registry.domain.person import Person
from registry.domain.project import Financing, Owner, Project, financing_id_for
from registry.errors import InvalidInput, NotFound
from registry.ids import natural_id, normalise
from registry.values import Context, HolderKind, check_period, require_text

if TYPE_CHECKING:
    from registry.application import _UnitOfWork

#: Value types stored in these aggregates' events (registered with the transcoder).
PLAN_VALUE_TYPES: list[type] = [
    Matter,
    PlannedMeeting,
    Financing,
    Owner,
    ConsultedBody,
    Answer,
    Conclusion,
]


class PlanningCommands:
    """Meeting plans, projects and remisser (see registry/domain/meeting_plan.py,
    project.py, consultation.py)."""

    # -- meeting plans --------------------------------------------------------------------

    def _plan_of(self, unit: _UnitOfWork, body_id: UUID, context: Context) -> MeetingPlan:
        unit.get(body_id, Body, "body_id")
        plan_id = MeetingPlan.create_id(body_id)
        try:
            return unit.get(plan_id, MeetingPlan, "plan")
        except NotFound:
            return unit.add(
                MeetingPlan(body_id=body_id, effective_date=None, context=context), "plan"
            )

    def plan_meeting(
        self,
        body_id: UUID,
        planned_on: date,
        context: Context,
        sequence: int = 1,
        ends_on: date | None = None,
        kind: PlannedMeetingKind | str = PlannedMeetingKind.MEETING,
        time: str | None = None,
        place: str | None = None,
        joint_with: Sequence[UUID] = (),
        matters: Sequence[str] = (),
        note: str | None = None,
        effective_date: date | None = None,
    ) -> UUID:
        """Put a meeting in a body's plan ("kommande möten"), optionally joint with other
        bodies, over several days (an internat) and with matters that go to it.
        `effective_date` is the day the plan was made. A meeting of that day already held
        makes the planned one held at once."""
        with self._changes() as unit:
            for i, other in enumerate(joint_with):
                unit.get(other, Body, f"joint_with[{i}]")
            plan = self._plan_of(unit, body_id, context)
            pid = planned_meeting_id_for(body_id, planned_on, sequence)
            plan.plan(
                PlannedMeeting(
                    pid,
                    planned_on,
                    sequence,
                    ends_on,
                    parse_kind(kind),
                    time,
                    place,
                    tuple(joint_with),
                    tuple(Matter(require_text(m, "matters")) for m in matters),
                    note=note,
                ),
                effective_date,
                context,
            )
            try:
                held = unit.get(pid, Meeting, "meeting")
            except NotFound:
                held = None
            if held is not None:
                plan.mark_held(pid, held.id, held.held_on, context)
        return pid

    def refer_to_meeting(
        self,
        body_id: UUID,
        matter: str,
        context: Context,
        planned_on: date | None = None,
        next_after: date | None = None,
        sequence: int = 1,
        decision_id: UUID | None = None,
        note: str | None = None,
        effective_date: date | None = None,
    ) -> UUID:
        """Send a matter to a body's planned meeting: the one on `planned_on`, or the next
        one after `next_after` ("till nästa möte"). A date with no meeting planned yet puts
        one in the plan (the document names a meeting that day)."""
        if (planned_on is None) == (next_after is None):
            raise InvalidInput(
                "give the meeting's date or next_after (the next meeting), one of them",
                field="meeting",
            )
        with self._changes() as unit:
            if decision_id is not None:
                unit.get(decision_id, Decision, "decision_id")
            plan = self._plan_of(unit, body_id, context)
            if next_after is not None:
                found = plan.next_after(next_after)
                if found is None:
                    body = unit.get(body_id, Body, "body_id")
                    raise NotFound(
                        f"{body.name} has no meeting planned after {next_after}; record its "
                        "meeting plan (planned_meetings) or give the meeting's date",
                        field="meeting",
                    )
                pid = found.planned_meeting_id
            else:
                assert planned_on is not None
                pid = planned_meeting_id_for(body_id, planned_on, sequence)
                if plan.on(planned_on, sequence) is None:
                    plan.plan(PlannedMeeting(pid, planned_on, sequence), effective_date, context)
            plan.refer(
                pid,
                Matter(require_text(matter, "matter"), decision_id, note),
                effective_date,
                context,
            )
        return pid

    def cancel_planned_meeting(
        self,
        body_id: UUID,
        planned_on: date,
        reason: str,
        context: Context,
        sequence: int = 1,
        cancelled_on: date | None = None,
    ) -> None:
        with self._changes() as unit:
            plan = self._plan_of(unit, body_id, context)
            plan.cancel(
                planned_meeting_id_for(body_id, planned_on, sequence), cancelled_on, reason, context
            )

    def _held_as_planned(self, unit: _UnitOfWork, meeting: Meeting, context: Context) -> None:
        """A meeting recorded from its minutes: the planned meeting of that day becomes it."""
        try:
            plan = unit.get(MeetingPlan.create_id(meeting.body_id), MeetingPlan, "plan")
        except NotFound:
            return
        planned = plan.meetings.get(str(meeting.id))
        if planned is not None:
            plan.mark_held(planned.planned_meeting_id, meeting.id, meeting.held_on, context)

    # -- projects -------------------------------------------------------------------------

    def start_project(
        self,
        body_id: UUID,
        name: str,
        context: Context,
        start: date | None = None,
        end: date | None = None,
        description: str | None = None,
        owner_kind: HolderKind | str | None = None,
        owner_name: str | None = None,
        owner_id: UUID | None = None,
        steering_body_id: UUID | None = None,
        part_of: UUID | None = None,
        proposed: bool = False,
        key: str | None = None,
        effective_date: date | None = None,
    ) -> UUID:
        """A project or initiative decided on by `body_id` (or only `proposed` to it), with
        its period, owner, steering group and the project it is part of."""
        name = require_text(name, "name")
        check_period(start, end, f"the project {name!r}")
        with self._changes() as unit:
            unit.get(body_id, Body, "body_id")
            owner = None
            if owner_kind is not None or owner_id is not None or owner_name is not None:
                try:
                    kind = HolderKind(owner_kind)  # type: ignore[arg-type]
                except ValueError:
                    raise InvalidInput(
                        f"owner_kind {owner_kind!r} must be person, body or organisation",
                        field="owner_kind",
                    ) from None
                if owner_id is not None:
                    cls = {HolderKind.PERSON: Person, HolderKind.BODY: Body}.get(kind, Organisation)
                    found = unit.get(owner_id, cls, "owner_id")
                    owner_name = owner_name or found.name
                owner = Owner(kind, require_text(owner_name or "", "owner_name"), owner_id)
            if steering_body_id is not None:
                unit.get(steering_body_id, Body, "steering_body_id")
            if part_of is not None:
                unit.get(part_of, Project, "part_of")
            project = Project(
                key=key or name,
                name=name,
                description=description,
                body_id=body_id,
                start=start,
                end=end,
                owner=owner,
                steering_body_id=steering_body_id,
                part_of=part_of,
                proposed=proposed,
                effective_date=effective_date,
                context=context,
            )
            unit.add(project, f"the project {name!r}")
        return project.id

    def finance_project(
        self,
        project_id: UUID,
        source: str,
        context: Context,
        fund_id: UUID | None = None,
        amount: Decimal | None = None,
        start: date | None = None,
        end: date | None = None,
        note: str | None = None,
        key: str | None = None,
        effective_date: date | None = None,
    ) -> UUID:
        """Money for a project, from a fund or a named source, for part of its period."""
        with self._changes() as unit:
            project = unit.get(project_id, Project, "project_id")
            if fund_id is not None:
                fund = unit.get(fund_id, Fund, "fund_id")
                source = source or fund.name
            fid = financing_id_for(
                project_id, key or f"{fund_id or ''}|{normalise(source or '')}|{start}"
            )
            project.finance(
                Financing(
                    fid, require_text(source or "", "source"), fund_id, amount, start, end, note
                ),
                effective_date,
                context,
            )
        return fid

    def approve_project(self, project_id: UUID, approved_on: date, context: Context) -> None:
        with self._changes() as unit:
            unit.get(project_id, Project, "project_id").approve(approved_on, context)

    def complete_project(self, project_id: UUID, completed_on: date, context: Context) -> None:
        with self._changes() as unit:
            unit.get(project_id, Project, "project_id").complete(completed_on, context)

    def stop_project(
        self, project_id: UUID, stopped_on: date, reason: str, context: Context
    ) -> None:
        with self._changes() as unit:
            unit.get(project_id, Project, "project_id").stop(stopped_on, reason, context)

    # -- consultations (remisser) -----------------------------------------------------------

    def send_consultation(
        self,
        body_id: UUID,
        subject: str,
        asked: Sequence[UUID],
        context: Context,
        sent_on: date | None = None,
        sent_on_unknown: bool = False,
        reply_by: date | None = None,
        key: str | None = None,
    ) -> UUID:
        """`body_id` asks the bodies `asked` for their opinion on `subject` (a remiss).
        `sent_on_unknown`: the source does not date it, `sent_on` is the latest it can be."""
        subject = require_text(subject, "subject")
        if not asked:
            raise InvalidInput("asked must name at least one body", field="asked")
        check_period(sent_on, reply_by, f"the remiss {subject!r}")
        with self._changes() as unit:
            unit.get(body_id, Body, "body_id")
            consulted = []
            for i, other in enumerate(asked):
                body = unit.get(other, Body, f"asked[{i}]")
                if any(c.body_id == body.id for c in consulted):
                    raise InvalidInput(f"asked names {body.name} twice", field=f"asked[{i}]")
                consulted.append(ConsultedBody(body.id, body.name))
            consultation = Consultation(
                key=key or f"{body_id}|{normalise(subject)}",
                body_id=body_id,
                subject=subject,
                asked=tuple(consulted),
                sent_on=sent_on,
                sent_on_unknown=sent_on_unknown,
                reply_by=reply_by,
                effective_date=None if sent_on_unknown else sent_on,
                context=context,
            )
            unit.add(consultation, f"the remiss {subject!r}")
        return consultation.id

    def answer_consultation(
        self,
        consultation_id: UUID,
        body_id: UUID,
        answered_on: date,
        stance: str,
        summary: str,
        context: Context,
        decision_id: UUID | None = None,
        note: str | None = None,
    ) -> None:
        """A consulted body's remissvar, with its stance and a summary."""
        with self._changes() as unit:
            consultation = unit.get(consultation_id, Consultation, "consultation_id")
            body = unit.get(body_id, Body, "body_id")
            if decision_id is not None:
                unit.get(decision_id, Decision, "decision_id")
            consultation.answer(
                Answer(
                    body.id,
                    body.name,
                    answered_on,
                    parse_stance(stance),
                    require_text(summary, "summary"),
                    decision_id,
                    note,
                ),
                context,
            )

    def conclude_consultation(
        self, consultation_id: UUID, decision_id: UUID, concluded_on: date, context: Context
    ) -> None:
        """The asking body's decision that refers to the answers."""
        with self._changes() as unit:
            consultation = unit.get(consultation_id, Consultation, "consultation_id")
            decision = unit.get(decision_id, Decision, "decision_id")
            if decision.body_id != consultation.body_id:
                asker = unit.get(consultation.body_id, Body, "body_id")
                raise InvalidInput(
                    f"only the asking body ({asker.name}) concludes its remiss "
                    f"{consultation.subject!r}",
                    field="consultation",
                )
            consultation.conclude(Conclusion(decision_id, concluded_on), context)


def consultation_id_for(key: str) -> UUID:
    return natural_id("consultation", key)


def project_id_for(key: str) -> UUID:
    return natural_id("project", key)
