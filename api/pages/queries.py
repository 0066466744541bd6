"""The GraphQL documents the pages run in-process against the served schema: what a page shows
is exactly what these queries answer over /graphql."""

from __future__ import annotations

MEMBERSHIP = """
fragment M on Membership {
  id personId personName role seat from fromUnknown fromNotAfter until note recordedAt
  onBehalfOf { id name }
  personalDeputyFor { id name }
  decision { id item decidedOn body { id name } }
  body { id name }
}
"""

EVENT = """
fragment E on Event {
  position entityId entityType type effectiveDate recordedAt actor
  source { document item url note }
  decision { id item decidedOn body { id name } }
}
"""

PENDING_EFFECT = """
fragment PE on PendingEffect {
  kind subjectId personName role label dated status appliesFrom recordedAt settledAt
  decision { id item decidedOn body { id name } }
}
"""

PLANNED_MEETING = """
fragment PM on PlannedMeeting {
  id date until kind time place status(asOf: $asOf) cancelledOn cancellationReason note
  jointWith { id name }
  matters { text note decision { id item decidedOn body { id name } } }
  meeting { id heldOn }
}
"""

START = """
query Start($asOf: Date, $knownAt: DateTime) {
  bodies(first: 500, knownAt: $knownAt) {
    totalCount
    nodes { id name kind owners { id name(asOf: $asOf) kind } }
  }
  expiring: agreements(validOn: $asOf, expiringWithinDays: 365, knownAt: $knownAt, first: 500) {
    nodes { id title effectiveUntil daysLeft(onDate: $asOf) }
  }
  inForce: agreements(validOn: $asOf, knownAt: $knownAt, first: 500) {
    nodes { id title inForceFrom effectiveUntil }
  }
  byStatus: agreements(
    validOn: $asOf, knownAt: $knownAt, first: 500,
    status: [PENDING_ADOPTION, NOT_YET_IN_FORCE, START_UNKNOWN, EXPIRED, TERMINATED]
  ) {
    nodes { id title status(onDate: $asOf) inForceFrom effectiveUntil terminatedOn }
  }
  decisions(asOf: $asOf, knownAt: $knownAt, to: $asOf, first: 500) {
    totalCount
    nodes { id item ordinal decidedOn decidedOnUnknown kind text status(asOf: $asOf) body { id name } }
  }
  funds(knownAt: $knownAt, first: 500) { nodes { id name total remaining currency } }
}
"""

SEARCH = """
query Search($query: String!) {
  search(query: $query, first: 50) {
    totalCount
    nodes {
      kind entityId title snippet itemNumber
      decision { id body { name } }
      meeting { id heldOn body { name } }
      agreement { id }
    }
  }
}
"""

BODY = (
    """
query Body($id: ID!, $asOf: Date, $knownAt: DateTime) {
  body(id: $id, knownAt: $knownAt) {
    id name kind mandate termStart termEnd
    nameOn: name(asOf: $asOf) nameUncertain(asOf: $asOf)
    renames { oldName name on { text } note }
    status(asOf: $asOf) statusUncertain(asOf: $asOf)
    ceased { on { text } how note }
    successor { id name }
    parent { id name }
    owners { id name(asOf: $asOf) kind }
    composition(asOf: $asOf, knownAt: $knownAt) {
      asOf defined filled vacant membersWithoutSeat groups { label role defined filled vacant }
    }
    seats(asOf: $asOf, knownAt: $knownAt) {
      id label note role number vacant onBehalfOf { id name(asOf: $asOf) }
      heldBy { ...M } personalDeputies { ...M }
    }
    pendingMembers(knownAt: $knownAt) { ...PE }
    plannedMeetings(asOf: $asOf, knownAt: $knownAt) { ...PM }
    projects { id name proposed from until status(asOf: $asOf) }
    consultations {
      id subject sentOn sentOnUnknown replyBy status(asOf: $asOf) body { id name }
    }
    powers(asOf: $asOf, knownAt: $knownAt) {
      validFrom powers { matter power maxAmount } decision { id item decidedOn }
    }
    delegations(asOf: $asOf, knownAt: $knownAt) {
      id matter limit maxAmount validFrom validUntil holds(asOf: $asOf)
      delegate { kind name body { id } person { id } }
      decision { id item decidedOn }
    }
    members(asOf: $asOf, knownAt: $knownAt) { ...M }
    compositionHistory { ...E memberships { ...M } }
    source { document item url note }
  }
  meetings(bodyId: $id, knownAt: $knownAt, first: 500) { nodes { id heldOn place } }
  decisions(bodyId: $id, asOf: $asOf, knownAt: $knownAt, first: 500) {
    nodes { id item ordinal decidedOn decidedOnUnknown kind text status(asOf: $asOf) }
  }
}
"""
    + MEMBERSHIP
    + EVENT
    + PENDING_EFFECT
    + PLANNED_MEETING
)

PERSON = (
    """
query Person($id: ID!, $asOf: Date, $knownAt: DateTime) {
  person(id: $id, knownAt: $knownAt) {
    id name title party nameVariants mergedIds
    organisation { id name(asOf: $asOf) }
    mandates(asOf: $asOf, knownAt: $knownAt) { ...M }
    assignments(asOf: $asOf) {
      id task dueDate status(asOf: $asOf) body { id name } decision { id item }
    }
    events { ...E }
  }
}
"""
    + MEMBERSHIP
    + EVENT
)


def composition_histories(count: int) -> str:
    """The composition histories of `count` bodies, given as $b0, $b1...: a person's page
    asks for those of the bodies their events name (every appointment or replacement that
    made them a member is one of their events)."""
    variables = ", ".join(f"$b{i}: ID!" for i in range(count))
    fields = "\n".join(
        f"  b{i}: body(id: $b{i}, knownAt: $knownAt) "
        "{ id compositionHistory { recordedAt memberships { ...M } } }"
        for i in range(count)
    )
    return f"query Histories({variables}, $knownAt: DateTime) {{\n{fields}\n}}\n" + MEMBERSHIP


AGREEMENT = (
    """
query Agreement($id: ID!, $asOf: Date, $knownAt: DateTime) {
  agreement(id: $id, knownAt: $knownAt) {
    id title validFrom validFromUnknown validFromNotAfter validUntil
    entryIntoForceNotBefore entryIntoForceRequiresAllAdoptions
    inForceFrom effectiveUntil daysLeft(onDate: $asOf) terminatedOn status(onDate: $asOf)
    parties { id name(asOf: $asOf) }
    adoptions { adoptedOn party { id name(asOf: $asOf) } }
    partiesNotAdopted { id name(asOf: $asOf) }
    extensions { key newUntil status adoptedBy { id name } decision { id item decidedOn } }
    pendingExtensions { key newUntil status }
    revisionHistory { description appliesFrom decision { id item decidedOn } }
    source { document item url note }
    recordedAt recordedBy
    events { ...E }
  }
}
"""
    + EVENT
)

DECISION = (
    """
query Decision($id: ID!, $asOf: Date, $knownAt: DateTime) {
  decision(id: $id, knownAt: $knownAt) {
    id item ordinal kind text decidedOn decidedOnUnknown status(asOf: $asOf) appliesFrom
    legalStatus(asOf: $asOf) finalOn(asOf: $asOf) appealDeadline
    appeals { appellant filedOn court caseNumber outcome outcomeOn }
    statusUncertain(asOf: $asOf) decidedIn { text precision earliest latest }
    body { id name }
    meeting { id heldOn }
    conditions { id text metOn withdrawnOn }
    pendingEffects { ...PE }
    deferredTo { heldOn body { id name } meeting { id heldOn } }
    goesToMeetings { id date status(asOf: $asOf) body { id name } meeting { id } }
    votes {
      id ordinal question yes no abstain ballotsComplete note
      ballots { personId personName choice party }
    }
    statements {
      personId personName kind text party andOthers
      authors { personId name }
      vote { id ordinal }
    }
    projects { id name proposed status(asOf: $asOf) }
    consultations { id subject status(asOf: $asOf) body { id name } }
    claim { kind matter amount delegation { id matter } delegateName reported(asOf: $asOf) }
    withinMandate {
      verdict reason
      chain { kind power holder decision { id item decidedOn } body { id name } }
    }
    recommendation {
      adoptedByAll(asOf: $asOf)
      principals {
        organisation { id name } obligation(asOf: $asOf)
        adoptedBy { adoptedOn viaAgreement decision { id item body { name } } }
      }
    }
    revokedOn supersededOn supersededBy { id item decidedOn body { name } }
    corrections { reason recordedAt }
    effects {
      ...E data
      memberships { id personId personName role body { id name } }
      agreement { id title }
      fund { id name }
      allocation { id recipient amount }
      assignment { id task }
    }
    source { document item url note }
    recordedAt
    events { ...E }
  }
}
"""
    + EVENT
    + PENDING_EFFECT
)

MEETING = (
    """
query Meeting($id: ID!, $asOf: Date, $knownAt: DateTime) {
  planned: plannedMeeting(id: $id, knownAt: $knownAt) {
    date until kind status(asOf: $asOf) cancelledOn
  }
  meeting(id: $id, knownAt: $knownAt) {
    id heldOn time place
    approval {
      approvedOn justerare { name person { id } }
      immediateItems { item approvedOn postedOn appealDeadline }
      posted { on takenDownOn keptAt } appealDeadline
    }
    body { id name }
    present { personId name note person { id name } }
    absent { personId name note person { id name } }
    chair { personId name person { id name } }
    secretaries { personId name person { id name } }
    servingDeputies { name servingForName note person { id name } servingFor { id name } }
    items {
      number title note
      presenters { id name }
      decisions { id item ordinal kind text }
    }
    source { document item url note }
    events { ...E }
  }
}
"""
    + EVENT
)

FUND = (
    """
query Fund($id: ID!, $knownAt: DateTime) {
  fund(id: $id, knownAt: $knownAt) {
    id name total allocated remaining currency periodStart periodEnd sourceOfFunds
    allocations {
      id recipient purpose amount effectiveDate
      recipientOrganisation { id name }
      decision { id item decidedOn }
    }
    decision { id item decidedOn body { id name } }
    source { document item url note }
    events { ...E }
  }
}
"""
    + EVENT
)

AUDIT = (
    """
query Audit($id: ID!) {
  auditTrail(id: $id, first: 500) {
    totalCount
    nodes { ...E linkHash entityVersion data }
  }
}
"""
    + EVENT
)

PROJECT = (
    """
query Project($id: ID!, $asOf: Date, $knownAt: DateTime) {
  project(id: $id, knownAt: $knownAt) {
    id name description from until proposed decidedOn status(asOf: $asOf) endedOn stopReason
    body { id name }
    owner { kind name id }
    steeringBody { id name }
    partOf { id name }
    parts { id name status(asOf: $asOf) }
    decision { id item decidedOn body { id name } }
    financing { source amount from until note fund { id name } }
    source { document item url note }
    events { ...E }
  }
}
"""
    + EVENT
)

CONSULTATION = (
    """
query Consultation($id: ID!, $asOf: Date, $knownAt: DateTime) {
  consultation(id: $id, knownAt: $knownAt) {
    id subject sentOn sentOnUnknown replyBy status(asOf: $asOf)
    body { id name }
    asked { id name }
    answers(asOf: $asOf) {
      bodyName answeredOn stance summary note
      body { id name }
      decision { id item decidedOn body { id name } }
    }
    notAnswered(asOf: $asOf) { id name }
    decisions { id item decidedOn body { id name } }
    source { document item url note }
    events { ...E }
  }
}
"""
    + EVENT
)
