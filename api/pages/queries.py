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
    parent { id name }
    owners { id name(asOf: $asOf) kind }
    seats(asOf: $asOf, knownAt: $knownAt) {
      id label note vacant onBehalfOf { id name(asOf: $asOf) } heldBy { ...M }
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
    inForceFrom effectiveUntil daysLeft(onDate: $asOf) terminatedOn
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
    body { id name }
    meeting { id heldOn }
    conditions { id text metOn }
    statements { personId personName kind text }
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
)

MEETING = (
    """
query Meeting($id: ID!, $knownAt: DateTime) {
  meeting(id: $id, knownAt: $knownAt) {
    id heldOn time place
    body { id name }
    present { personId name note }
    absent { personId name note }
    chair { personId name }
    secretaries { personId name }
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
