"""Every event of every aggregate carries its effective date and its provenance."""

from __future__ import annotations

import dataclasses

import pytest

from registry.domain.agreement import Agreement
from registry.domain.assignment import Assignment
from registry.domain.body import Body
from registry.domain.claim import DecisionClaim
from registry.domain.consultation import Consultation
from registry.domain.decision import Decision
from registry.domain.delegation import Delegation
from registry.domain.fund import Fund
from registry.domain.mandate import BodyMandate
from registry.domain.meeting import Meeting
from registry.domain.meeting_plan import MeetingPlan
from registry.domain.organisation import Organisation
from registry.domain.person import Person
from registry.domain.project import Project

AGGREGATES = [Organisation, Person, Body, Meeting, Decision, Agreement, Fund, Assignment]
AGGREGATES += [MeetingPlan, Project, Consultation]
AGGREGATES += [BodyMandate, Delegation, DecisionClaim]


def domain_events():
    for aggregate in AGGREGATES:
        for name, value in vars(aggregate).items():
            if isinstance(value, type) and name not in ("Event", "Created", "Snapshot"):
                yield pytest.param(value, id=f"{aggregate.__name__}.{name}")


@pytest.mark.parametrize("event_class", list(domain_events()))
def test_event_carries_effective_date_and_context(event_class):
    fields = {f.name for f in dataclasses.fields(event_class)}
    assert {"effective_date", "context"} <= fields, sorted(fields)


def test_every_aggregate_declares_events():
    assert len(list(domain_events())) >= 30
