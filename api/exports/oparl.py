"""The registry in OParl 1.1's shapes (https://oparl.org/spezifikation/): one System with one
Body (the registry), and the Body's lists: organization (the organisations and the bodies),
person (each with its memberships on the day embedded), membership, meeting (each with its
agenda items embedded) and paper (the agreements in force on the day), as they stood on one
day (`as_of`). docs/exports.md has the mapping field by field.

OParl's objects are identified by URLs. The export is a self-contained dump: the Body's
external-list properties hold URLs under `base_url`, and the objects of each list are in the
dump's top-level array of the same name (`organization`, `person`, ...). Every object
validates against the OParl 1.1.1 schemas (tests/data/standards/oparl/).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from api.exports.document import Export, Items
from api.exports.popolo import BODIES, ORGANISATIONS, ROLES, affiliation_id
from api.exports.source import ExportSource

SCHEMA = "https://schema.oparl.org/1.1/"
SECTIONS = ["organization", "person", "membership", "meeting", "paper"]
NAME = "Decision and mandate registry"

_PAGE_VARS = "$first: Int, $after: String"

PERSONS = f"""query({_PAGE_VARS}, $asOf: Date) {{
  persons(first: $first, after: $after) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{
      id name title organisation {{ id }}
      contactDetails {{ kind value redacted }}
      mandates(asOf: $asOf) {{
        id person {{ id }} personId body {{ id }} role onBehalfOf {{ id }} from until
      }}
    }}
  }}
}}"""

MEMBERS = f"""query({_PAGE_VARS}, $asOf: Date) {{
  bodies(first: $first, after: $after) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{ id seats(asOf: $asOf) {{ label }} members(asOf: $asOf) {{ id }} }}
  }}
}}"""

MEETINGS = f"""query({_PAGE_VARS}, $to: Date) {{
  meetings(to: $to, first: $first, after: $after) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{
      id heldOn time place body {{ id name }}
      present {{ personId }}
      items {{ number title decisions {{ kind text }} }}
    }}
  }}
}}"""

AGREEMENTS = f"""query({_PAGE_VARS}, $validOn: Date) {{
  agreements(validOn: $validOn, first: $first, after: $after) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{ id title validFrom validFromNotAfter parties {{ id }} }}
  }}
}}"""

_TIMES = re.compile(r"^\s*(\d{1,2})[.:](\d{2})(?:\s*[-–]\s*(\d{1,2})[.:](\d{2}))?\s*$")


def _last_sunday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def _swedish_time(day: date, hour: int, minute: int) -> str:
    """A local Swedish time with its UTC offset (CET, or CEST between the last Sundays of
    March and October: the EU rule), without depending on a time-zone database."""
    summer = _last_sunday(day.year, 3) <= day < _last_sunday(day.year, 10)
    offset = "+02:00" if summer else "+01:00"
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}:00{offset}"


def meeting_times(held_on: str, time: str | None) -> tuple[str | None, str | None]:
    """OParl's `start` and `end` (date-times) from the day and the minutes' time ("9.00-10.15",
    "14:30–16:30"); none when the minutes give no time we can read."""
    match = _TIMES.match(time or "")
    if not match:
        return None, None
    day = date.fromisoformat(held_on)
    start = _swedish_time(day, int(match[1]), int(match[2]))
    end = _swedish_time(day, int(match[3]), int(match[4])) if match[3] else None
    return start, end


class Urls:
    """The URL of every object of the dump, under one base."""

    def __init__(self, base_url: str, as_of: date | None = None) -> None:
        self.base = base_url.rstrip("/") + "/oparl/v1.1"
        self.system = f"{self.base}/system"
        self.bodies = f"{self.base}/body"
        self.body = f"{self.bodies}/registry"
        self.query = f"?asOf={as_of.isoformat()}" if as_of else ""

    def list(self, name: str) -> str:
        """The URL of one of the Body's lists (on the day, when one was given)."""
        return f"{self.body}/{name}{self.query}"

    def of(self, kind: str, id: str) -> str:
        return f"{self.base}/{kind}/{id}"


def _compact(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if v is not None and v != []}


def _typed(kind: str, obj: dict[str, Any]) -> dict[str, Any]:
    return _compact({"id": obj.pop("id"), "type": SCHEMA + kind, **obj})


def _membership(urls: Urls, m: dict[str, Any]) -> dict[str, Any]:
    person = m["person"]["id"] if m["person"] else m["personId"]
    return _typed(
        "Membership",
        {
            "id": urls.of("membership", m["id"]),
            "person": urls.of("person", person),
            "organization": urls.of("organization", m["body"]["id"]) if m["body"] else None,
            "role": ROLES[m["role"]],
            "onBehalfOf": urls.of("organization", m["onBehalfOf"]["id"])
            if m["onBehalfOf"]
            else None,
            "startDate": m["from"],
            "endDate": m["until"],
        },
    )


def _affiliation(urls: Urls, p: dict[str, Any]) -> dict[str, Any] | None:
    if not p["organisation"]:
        return None
    return _typed(
        "Membership",
        {
            "id": urls.of("membership", affiliation_id(p["id"])),
            "person": urls.of("person", p["id"]),
            "organization": urls.of("organization", p["organisation"]["id"]),
            "role": p["title"],
        },
    )


async def _organizations(source: ExportSource, urls: Urls, as_of: date) -> Items:
    day = {"asOf": as_of.isoformat()}
    async for o in source.nodes(ORGANISATIONS, "organisations", day):
        yield (
            "organization",
            _typed(
                "Organization",
                {
                    "id": urls.of("organization", o["id"]),
                    "body": urls.body,
                    "name": o["named"],
                    "organizationType": "Institution",
                    "classification": o["kind"],
                },
            ),
        )
    # Composition on the day, read beside the bodies' own facts (same order, same pages).
    composition = source.nodes(MEMBERS, "bodies", day)
    async for b in source.nodes(BODIES, "bodies", {}):
        c = await anext(composition)
        assert c["id"] == b["id"], "bodies are listed in one stable order"
        owners = [o["id"] for o in b["owners"]]
        parent = b["parent"]["id"] if b["parent"] else (owners[0] if len(owners) == 1 else None)
        yield (
            "organization",
            _typed(
                "Organization",
                {
                    "id": urls.of("organization", b["id"]),
                    "body": urls.body,
                    "name": b["name"],
                    "organizationType": "Gremium",
                    "classification": b["kind"],
                    "subOrganizationOf": urls.of("organization", parent) if parent else None,
                    "startDate": b["termStart"],
                    "endDate": b["termEnd"],
                    "post": sorted({s["label"] for s in c["seats"]}),
                    "membership": [urls.of("membership", m["id"]) for m in c["members"]],
                },
            ),
        )


def _contact(person: dict[str, Any], kind: str) -> list[str]:
    """The person's values of one kind, leaving out those a disposal decision destroyed."""
    return [
        c["value"]
        for c in person["contactDetails"]
        if c["kind"] == kind and c["value"] and not c["redacted"]
    ]


async def _persons(source: ExportSource, urls: Urls, as_of: date, section: str) -> Items:
    """The persons (section "person", memberships embedded) or their memberships alone
    (section "membership")."""
    async for p in source.nodes(PERSONS, "persons", {"asOf": as_of.isoformat()}):
        memberships = [_membership(urls, m) for m in p["mandates"]]
        affiliation = _affiliation(urls, p)
        if affiliation:
            memberships.append(affiliation)
        if section == "membership":
            for m in memberships:
                yield ("membership", m)
            continue
        yield (
            "person",
            _typed(
                "Person",
                {
                    "id": urls.of("person", p["id"]),
                    "body": urls.body,
                    "name": p["name"],
                    "status": [p["title"]] if p["title"] else [],
                    "email": _contact(p, "EMAIL"),
                    "phone": _contact(p, "PHONE"),
                    "membership": memberships,
                },
            ),
        )


async def _meetings(source: ExportSource, urls: Urls, as_of: date) -> Items:
    async for m in source.nodes(MEETINGS, "meetings", {"to": as_of.isoformat()}):
        meeting_url = urls.of("meeting", m["id"])
        start, end = meeting_times(m["heldOn"], m["time"])
        items = []
        for order, item in enumerate(m["items"], start=1):
            decisions = item["decisions"]
            items.append(
                _typed(
                    "AgendaItem",
                    {
                        "id": urls.of("agendaItem", f"{m['id']}-{item['number']}"),
                        "meeting": meeting_url,
                        "number": item["number"],
                        "order": order,
                        "name": item["title"],
                        "result": "; ".join(d["kind"].lower() for d in decisions) or None,
                        "resolutionText": "\n\n".join(d["text"] for d in decisions) or None,
                    },
                )
            )
        location = (
            _typed("Location", {"id": urls.of("location", m["id"]), "description": m["place"]})
            if m["place"]
            else None
        )
        body = m["body"]
        yield (
            "meeting",
            _typed(
                "Meeting",
                {
                    "id": meeting_url,
                    "name": f"{body['name']} {m['heldOn']}" if body else m["heldOn"],
                    "start": start,
                    "end": end,
                    "location": location,
                    "organization": [urls.of("organization", body["id"])] if body else [],
                    "participant": [urls.of("person", a["personId"]) for a in m["present"]],
                    "agendaItem": items,
                },
            ),
        )


async def _papers(source: ExportSource, urls: Urls, as_of: date) -> Items:
    async for a in source.nodes(AGREEMENTS, "agreements", {"validOn": as_of.isoformat()}):
        yield (
            "paper",
            _typed(
                "Paper",
                {
                    "id": urls.of("paper", a["id"]),
                    "body": urls.body,
                    "name": a["title"],
                    "paperType": "agreement",
                    "date": a["validFrom"] or a["validFromNotAfter"],
                    "originatorOrganization": [
                        urls.of("organization", o["id"]) for o in a["parties"]
                    ],
                },
            ),
        )


async def _items(source: ExportSource, urls: Urls, as_of: date) -> Items:
    for part in (
        _organizations(source, urls, as_of),
        _persons(source, urls, as_of, "person"),
        _persons(source, urls, as_of, "membership"),
        _meetings(source, urls, as_of),
        _papers(source, urls, as_of),
    ):
        async for item in part:
            yield item


def oparl_system(urls: Urls) -> dict[str, Any]:
    """The System object."""
    return {
        "id": urls.system,
        "type": SCHEMA + "System",
        "oparlVersion": SCHEMA,
        "body": urls.bodies + urls.query,
        "name": NAME,
    }


def oparl_body(urls: Urls) -> dict[str, Any]:
    """The one Body: the registry, with the URLs of its lists."""
    return {
        "id": urls.body,
        "type": SCHEMA + "Body",
        "system": urls.system,
        "name": NAME,
        "shortName": "registry",
        **{name: urls.list(name) for name in SECTIONS},
        "legislativeTerm": [],
        "classification": "collaboration bodies in health and social care",
    }


LISTS = {
    "organization": lambda source, urls, as_of: _organizations(source, urls, as_of),
    "person": lambda source, urls, as_of: _persons(source, urls, as_of, "person"),
    "membership": lambda source, urls, as_of: _persons(source, urls, as_of, "membership"),
    "meeting": lambda source, urls, as_of: _meetings(source, urls, as_of),
    "paper": lambda source, urls, as_of: _papers(source, urls, as_of),
}


async def oparl_list(source: ExportSource, name: str, as_of: date, urls: Urls) -> list[dict]:
    """The objects of one of the Body's lists (one page of it when `source` has a window)."""
    return [obj async for _, obj in LISTS[name](source, urls, as_of)]


def oparl_export(source: ExportSource, as_of: date, base_url: str) -> Export:
    """The registry on `as_of` as an OParl 1.1 dump: the System, its one Body, and the Body's
    lists as arrays of objects; memberships valid that day, names as they were then,
    meetings up to that day, agreements in force that day. Ids are URLs under `base_url`;
    the list URLs carry `?asOf=`, so that a server at `base_url` answers them."""
    urls = Urls(base_url, as_of)
    head = {
        "meta": {
            "format": "oparl",
            "as_of": as_of.isoformat(),
            "known_at": source.known_at.isoformat(),
            "lists": "each Body list URL's objects are in the top-level array of that name",
        },
        "system": oparl_system(urls),
        "body": [oparl_body(urls)],
    }
    return Export(head=head, sections=SECTIONS, items=_items(source, urls, as_of))
