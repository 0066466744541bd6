"""The registry in Popolo's shapes (https://www.popoloproject.com/): persons, organizations
(both the organisations and the bodies), memberships, posts (seats), events (meetings and
their agenda items), motions (decisions) and speeches (reservations and statements), as they
stood on one day (`as_of`). docs/exports.md has the mapping field by field.

Every object validates against the Popolo JSON Schemas (tests/data/standards/popolo/).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

from api.exports.document import Export, Items
from api.exports.source import ExportSource

SECTIONS = [
    "persons",
    "organizations",
    "memberships",
    "posts",
    "events",
    "motions",
    "speeches",
    "vote_events",
]

ROLES = {
    "CHAIR": "chair",
    "VICE_CHAIR": "vice chair",
    "FIRST_VICE_CHAIR": "first vice chair",
    "SECOND_VICE_CHAIR": "second vice chair",
    "MEMBER": "member",
    "DEPUTY": "deputy",
    "SECRETARY": "secretary",
    "CO_OPTED": "co-opted",
}

# Popolo's contact detail types ("voice" for a telephone, as in its examples).
CONTACT_TYPES = {"EMAIL": "email", "PHONE": "voice", "ADDRESS": "address"}

_PAGE_VARS = "$first: Int, $after: String"

PERSONS = f"""query({_PAGE_VARS}) {{
  persons(first: $first, after: $after) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{
      id name title party nameVariants mergedIds organisation {{ id }}
      contactDetails {{ kind value redacted }}
    }}
  }}
}}"""

ORGANISATIONS = f"""query({_PAGE_VARS}, $asOf: Date) {{
  organisations(first: $first, after: $after) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{ id kind current: name named: name(asOf: $asOf) formerNames {{ name until }} }}
  }}
}}"""

BODIES = f"""query({_PAGE_VARS}) {{
  bodies(first: $first, after: $after) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{
      id name kind mandate termStart termEnd parent {{ id }} owners {{ id }}
      source {{ document item url }}
    }}
  }}
}}"""

COMPOSITION = f"""query({_PAGE_VARS}, $asOf: Date) {{
  bodies(first: $first, after: $after) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{
      id
      seats(asOf: $asOf) {{ id label heldBy {{ id }} }}
      members(asOf: $asOf) {{
        id person {{ id }} personId role seat onBehalfOf {{ id }}
        from until source {{ url }}
      }}
    }}
  }}
}}"""

SEATS = f"""query({_PAGE_VARS}, $asOf: Date) {{
  bodies(first: $first, after: $after) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{ id seats(asOf: $asOf) {{ id label }} }}
  }}
}}"""

AFFILIATIONS = f"""query({_PAGE_VARS}) {{
  persons(first: $first, after: $after) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{ id title organisation {{ id }} }}
  }}
}}"""

MEETINGS = f"""query({_PAGE_VARS}, $to: Date) {{
  meetings(to: $to, first: $first, after: $after) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{
      id heldOn time place body {{ id name }}
      present {{ personId name }}
      items {{ number title }}
      source {{ url }}
    }}
  }}
}}"""

DECISIONS = f"""query({_PAGE_VARS}, $to: Date) {{
  decisions(to: $to, first: $first, after: $after) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{
      id body {{ id }} meeting {{ id }} decidedOn item ordinal kind text
      status(asOf: $to) conditions {{ text metOn }}
      statements {{ personId personName kind text }}
      votes {{
        id ordinal question yes no abstain note
        ballots {{ personId personName choice }}
      }}
      source {{ url }}
    }}
  }}
}}"""


def _sources(source: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Popolo's `sources` are links, so only a source with a URL gives one."""
    if source and source.get("url"):
        return [{"url": source["url"], "note": source.get("document")}]
    return []


def _compact(obj: dict[str, Any]) -> dict[str, Any]:
    """Leave out what is unknown rather than writing nulls and empty lists."""
    return {k: v for k, v in obj.items() if v is not None and v != []}


def affiliation_id(person_id: str) -> str:
    """The id of the membership that says which organisation a person belongs to."""
    return f"{person_id}-organisation"


async def _persons(source: ExportSource) -> Items:
    async for p in source.nodes(PERSONS, "persons", {}):
        yield (
            "persons",
            _compact(
                {
                    "id": p["id"],
                    "name": p["name"],
                    "other_names": [
                        {"name": v, "note": "spelling in a source"} for v in p["nameVariants"]
                    ],
                    "identifiers": [
                        {"identifier": i, "scheme": "merged record"} for i in p["mergedIds"]
                    ],
                    "contact_details": [
                        {"type": CONTACT_TYPES[c["kind"]], "value": c["value"]}
                        for c in p["contactDetails"]
                        if c["value"] and not c["redacted"]  # destroyed by a disposal decision
                    ],
                }
            ),
        )


def _other_names(org: dict[str, Any]) -> list[dict[str, Any]]:
    """Every name but the one the organisation had on the day, each with its dates: former
    names end the day the next took over; the current name, when the day is before a
    rename, starts on the day the last rename took effect."""
    names: list[dict[str, Any]] = []
    start: str | None = None
    for former in org["formerNames"]:
        if former["name"] != org["named"]:
            names.append(
                _compact({"name": former["name"], "start_date": start, "end_date": former["until"]})
            )
        start = former["until"]
    if org["current"] != org["named"]:
        names.append(_compact({"name": org["current"], "start_date": start}))
    return names


async def _organizations(source: ExportSource, as_of: date) -> Items:
    async for o in source.nodes(ORGANISATIONS, "organisations", {"asOf": as_of.isoformat()}):
        yield (
            "organizations",
            _compact(
                {
                    "id": o["id"],
                    "name": o["named"],
                    "classification": o["kind"],
                    "other_names": _other_names(o),
                }
            ),
        )
    async for b in source.nodes(BODIES, "bodies", {}):
        # A body belongs to the body that set it up; failing that, to its one owner. A body
        # of several owners (a joint body) has no single parent in Popolo's tree.
        owners = [o["id"] for o in b["owners"]]
        parent = b["parent"]["id"] if b["parent"] else (owners[0] if len(owners) == 1 else None)
        yield (
            "organizations",
            _compact(
                {
                    "id": b["id"],
                    "name": b["name"],
                    "classification": b["kind"],
                    "parent_id": parent,
                    "description": b["mandate"],
                    "founding_date": b["termStart"],
                    "dissolution_date": b["termEnd"],
                    "sources": _sources(b["source"]),
                }
            ),
        )


async def _memberships(source: ExportSource, as_of: date) -> Items:
    async for b in source.nodes(COMPOSITION, "bodies", {"asOf": as_of.isoformat()}):
        post_of = {m["id"]: s["id"] for s in b["seats"] for m in s["heldBy"]}
        for m in b["members"]:
            yield (
                "memberships",
                _compact(
                    {
                        "id": m["id"],
                        "person_id": m["person"]["id"] if m["person"] else m["personId"],
                        "organization_id": b["id"],
                        "role": ROLES[m["role"]],
                        "label": m["seat"],
                        "post_id": post_of.get(m["id"]),
                        "on_behalf_of_id": m["onBehalfOf"]["id"] if m["onBehalfOf"] else None,
                        "start_date": m["from"],
                        "end_date": m["until"],
                        "sources": _sources(m["source"]),
                    }
                ),
            )
    # The organisation a person belongs to (and their title there), undated in the record.
    async for p in source.nodes(AFFILIATIONS, "persons", {}):
        if p["organisation"]:
            yield (
                "memberships",
                _compact(
                    {
                        "id": affiliation_id(p["id"]),
                        "person_id": p["id"],
                        "organization_id": p["organisation"]["id"],
                        "role": p["title"],
                    }
                ),
            )


async def _posts(source: ExportSource, as_of: date) -> Items:
    async for b in source.nodes(SEATS, "bodies", {"asOf": as_of.isoformat()}):
        for s in b["seats"]:
            yield ("posts", {"id": s["id"], "label": s["label"], "organization_id": b["id"]})


async def _events(source: ExportSource, as_of: date) -> Items:
    async for m in source.nodes(MEETINGS, "meetings", {"to": as_of.isoformat()}):
        body = m["body"] or {}
        yield (
            "events",
            _compact(
                {
                    "id": m["id"],
                    "name": f"{body.get('name', 'Meeting')} {m['heldOn']}",
                    "classification": "meeting",
                    "start_date": m["heldOn"],
                    "description": f"time: {m['time']}" if m["time"] else None,
                    "location": m["place"],
                    "organization_id": body.get("id"),
                    "attendees": [{"id": a["personId"], "name": a["name"]} for a in m["present"]],
                    "sources": _sources(m["source"]),
                }
            ),
        )
        for item in m["items"]:
            yield (
                "events",
                {
                    "id": f"{m['id']}-{item['number']}",
                    "name": item["title"],
                    "classification": "agenda item",
                    "identifiers": [{"identifier": item["number"], "scheme": "item"}],
                    "parent_id": m["id"],
                    "start_date": m["heldOn"],
                },
            )


async def _decisions(source: ExportSource, as_of: date) -> AsyncIterator[dict[str, Any]]:
    async for d in source.nodes(DECISIONS, "decisions", {"to": as_of.isoformat()}):
        yield d


async def _motions(source: ExportSource, as_of: date) -> Items:
    async for d in _decisions(source, as_of):
        yield (
            "motions",
            _compact(
                {
                    "id": d["id"],
                    "organization_id": d["body"]["id"] if d["body"] else None,
                    "legislative_session_id": d["meeting"]["id"] if d["meeting"] else None,
                    "identifier": f"§ {d['item']}"
                    + (f" ({d['ordinal']})" if d["ordinal"] > 1 else ""),
                    "classification": d["kind"].lower(),
                    "text": d["text"],
                    "date": d["decidedOn"],
                    "requirement": "; ".join(c["text"] for c in d["conditions"]) or None,
                    "result": d["status"].lower(),
                    "sources": _sources(d["source"]),
                }
            ),
        )


async def _speeches(source: ExportSource, as_of: date) -> Items:
    async for d in _decisions(source, as_of):
        for n, s in enumerate(d["statements"], start=1):
            yield (
                "speeches",
                _compact(
                    {
                        "id": f"{d['id']}-statement-{n}",
                        "creator_id": s["personId"],
                        "attribution_text": s["personName"],
                        "type": s["kind"],
                        "title": f"{s['kind']}, § {d['item']}",
                        "text": s["text"],
                        "date": d["decidedOn"],
                        "event_id": d["meeting"]["id"] if d["meeting"] else None,
                        "position": n,
                    }
                ),
            )


async def _vote_events(source: ExportSource, as_of: date) -> Items:
    """Each votering as a Popolo VoteEvent of the decision's motion, with its counts and the
    members' votes (options "yes", "no", "abstain"). Popolo has no field for the question put
    to the vote: it is in GraphQL (`Vote.question`)."""
    async for d in _decisions(source, as_of):
        for v in d["votes"]:
            counts = [
                {"option": option, "value": v[option]}
                for option in ("yes", "no", "abstain")
                if v[option] is not None
            ]
            votes = [
                _compact(
                    {
                        "voter_id": b["personId"],
                        "voter": None if b["personId"] else {"name": b["personName"]},
                        "option": b["choice"].lower(),
                    }
                )
                for b in v["ballots"]
            ]
            yield (
                "vote_events",
                _compact(
                    {
                        "id": v["id"],
                        "motion_id": d["id"],
                        "organization_id": d["body"]["id"] if d["body"] else None,
                        "legislative_session_id": d["meeting"]["id"] if d["meeting"] else None,
                        "identifier": f"§ {d['item']}, votering {v['ordinal']}",
                        "counts": counts,
                        "votes": votes or None,
                        "sources": _sources(d["source"]),
                    }
                ),
            )


async def _items(source: ExportSource, as_of: date) -> Items:
    for part in (
        _persons(source),
        _organizations(source, as_of),
        _memberships(source, as_of),
        _posts(source, as_of),
        _events(source, as_of),
        _motions(source, as_of),
        _speeches(source, as_of),
        _vote_events(source, as_of),
    ):
        async for item in part:
            yield item


def popolo_export(source: ExportSource, as_of: date) -> Export:
    """The registry on `as_of` as a Popolo document: memberships valid that day, names as
    they were then, meetings and decisions up to that day with each decision's status then.
    """
    head = {
        "meta": {
            "format": "popolo",
            "as_of": as_of.isoformat(),
            "known_at": source.known_at.isoformat(),
        }
    }
    return Export(head=head, sections=SECTIONS, items=_items(source, as_of))
