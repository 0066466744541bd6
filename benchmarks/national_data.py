"""A seeded generator of a national registry, as minutes documents for the real importer.

Sweden's 21 regions and (up to) 290 municipalities own bodies (nämnder, styrgrupper,
samverkansorgan) with seats and members; each body meets about ten times a year from 2015 on,
and each meeting's minutes have 4-8 items with decisions: appointments at the first meeting,
then membership churn (replacements, endings and additions), agreements between the owner and
its neighbours with extensions and adoptions, funds and allocations, assignments (uppdrag)
with reports and completions, and plain decisions. Now and then an earlier meeting's minutes
are imported again with a corrected start date (`correct=True`), as a registrar fixing a typo
does: the registry records a correction.

`meetings(seed, bodies)` yields `(name, document, correction_reason)` in date order across all
bodies; the importer turns each into the registry's own domain events (one unit of work each,
chained). The number of bodies is chosen from the events wanted: one per 800 events.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

REGIONS = [
    "Stockholm", "Uppsala", "Sörmland", "Östergötland", "Jönköpings län", "Kronoberg",
    "Kalmar län", "Gotland", "Blekinge", "Skåne", "Halland", "Västra Götaland", "Värmland",
    "Örebro län", "Västmanland", "Dalarna", "Gävleborg", "Västernorrland", "Jämtland Härjedalen",
    "Västerbotten", "Norrbotten",
]  # fmt: skip
MUNICIPALITIES = 290
FIRST_NAMES = [
    "Anna", "Erik", "Maria", "Lars", "Karin", "Anders", "Eva", "Johan", "Sara", "Per",
    "Lena", "Nils", "Emma", "Olof", "Ingrid", "Mats", "Kerstin", "Jonas", "Helena", "Gustav",
]  # fmt: skip
LAST_NAMES = [
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
    "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson",
    "Bengtsson", "Lindberg", "Lindqvist", "Berglund", "Sandberg", "Holm",
]  # fmt: skip
BODY_KINDS = [
    ("Socialnämnden", "nämnd"),
    ("Vård- och omsorgsnämnden", "nämnd"),
    ("Styrgrupp för nära vård", "styrgrupp"),
    ("Samverkansorgan för hälsa och välfärd", "samverkansorgan"),
    ("Chefsgrupp för social välfärd", "chefsgrupp"),
]
FIRST_YEAR = 2015
EVENTS_PER_BODY = 800  # a body writes about 890 over ten years: a run stops before the tenth
MEMBERS = 9


@dataclass
class Org:
    name: str
    kind: str  # "region" or "kommun"
    region: int


@dataclass
class BodyPlan:
    name: str
    kind: str
    owners: list[Org]
    people: int = 0  # persons created so far for this body
    members: list[str] = field(default_factory=list)  # current, in seat order
    agreements: list[dict[str, Any]] = field(default_factory=list)  # title, parties, until
    assignments: list[str] = field(default_factory=list)  # tasks given and still open
    funds: int = 0
    sent: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # for corrections


def organisations() -> list[Org]:
    orgs = [Org(f"Region {r}", "region", i) for i, r in enumerate(REGIONS)]
    for m in range(MUNICIPALITIES):
        orgs.append(Org(f"Kommun {m + 1:03d} i {REGIONS[m % 21]}", "kommun", m % 21))
    return orgs


def bodies_for(events: int) -> int:
    return max(4, round(events / EVENTS_PER_BODY))


def plan_bodies(rng: random.Random, count: int) -> list[BodyPlan]:
    orgs = organisations()
    by_region: dict[int, list[Org]] = {}
    for o in orgs[21:]:
        by_region.setdefault(o.region, []).append(o)
    plans = []
    for b in range(count):
        prefix, kind = BODY_KINDS[b % len(BODY_KINDS)]
        if kind == "nämnd":
            owner = orgs[21 + (b * 7) % MUNICIPALITIES]
            owners = [owner]
        else:  # a collaboration body of a region and some of its municipalities
            region = orgs[b % 21]
            owners = [region, *rng.sample(by_region[region.region], 3)]
        plans.append(BodyPlan(f"{prefix} {owners[0].name} {b:05d}", kind, owners))
    return plans


def _person(body: BodyPlan, index: int) -> dict[str, Any]:
    first = FIRST_NAMES[index % len(FIRST_NAMES)]
    last = LAST_NAMES[(index // len(FIRST_NAMES)) % len(LAST_NAMES)]
    return {"name": f"{first} {last} {body.name[-5:]}-{index:03d}", "organisation": "o0"}


def _new_person(body: BodyPlan) -> str:
    body.people += 1
    return _person(body, body.people - 1)["name"]


def _minutes(body: BodyPlan, held: date, rng: random.Random, first: bool) -> dict[str, Any]:
    day = held.isoformat()
    named: set[str] = set()
    orgs = {o.name: o for o in body.owners}
    items: list[dict[str, Any]] = [{"number": 1, "title": "Mötets öppnande"}]

    def item(title: str, decision: dict[str, Any]) -> None:
        items.append({"number": len(items) + 1, "title": title, "decisions": [decision]})

    if first:
        new = [_new_person(body) for _ in range(MEMBERS)]
        body.members = list(new)
        named.update(new)
        item(
            "Ledamöter och platser",
            {
                "kind": "decided",
                "text": "Gruppens platser fastställs och ledamöterna väljs.",
                "seats": [{"label": "ledamot", "count": MEMBERS}],
                "appointments": [
                    {"person": p, "start": day, "seat": "ledamot", "seat_number": i + 1}
                    | ({"role": "chair"} if i == 0 else {})
                    for i, p in enumerate(new)
                ],
            },
        )
    else:
        churn = rng.random()
        if churn < 0.25:  # "C ersätter D"
            k = rng.randrange(1, len(body.members))
            incoming = _new_person(body)
            named.update([incoming, body.members[k]])
            item(
                "Byte av ledamot",
                {
                    "kind": "decided",
                    "text": "Ny ledamot väljs i stället för avgående.",
                    "replacements": [{"incoming": incoming, "outgoing": body.members[k]}],
                },
            )
            body.members[k] = incoming
        elif churn < 0.32 and len(body.members) > 5:  # a member leaves, the seat stays open
            k = rng.randrange(1, len(body.members))
            named.add(body.members[k])
            item(
                "Entledigande",
                {
                    "kind": "decided",
                    "text": "Ledamoten entledigas på egen begäran.",
                    "endings": [{"person": body.members[k], "end": day}],
                },
            )
            del body.members[k]
        elif churn < 0.40 and len(body.members) < MEMBERS:  # "kompletterar gruppen"
            incoming = _new_person(body)
            named.add(incoming)
            item(
                "Fyllnadsval",
                {
                    "kind": "decided",
                    "text": "Gruppen kompletteras.",
                    "appointments": [{"person": incoming, "start": day, "seat_unknown": True}],
                },
            )
            body.members.append(incoming)
        if rng.random() < 0.12:  # a new agreement with the owners (and maybe neighbours)
            title = f"Överenskommelse {body.name} {day}"
            parties = [o.name for o in body.owners]
            until = date(held.year + rng.randint(1, 3), 12, 31)
            body.agreements.append(
                {"title": title, "parties": parties, "until": until, "adopted": parties[:1]}
            )
            item(
                "Överenskommelse",
                {
                    "kind": "approved",
                    "text": "Överenskommelsen godkänns.",
                    "agreements": [
                        {
                            "title": title,
                            "parties": parties,
                            "valid_from": day,
                            "valid_until": until.isoformat(),
                        }
                    ],
                    "adoptions": [
                        {"agreement": title, "party": p, "adopted_on": day} for p in parties[:1]
                    ],
                },
            )
        elif body.agreements and rng.random() < 0.15:
            agreement = rng.choice(body.agreements)
            waiting = [p for p in agreement["parties"] if p not in agreement["adopted"]]
            if (rng.random() < 0.5 or not waiting) and agreement["until"] > held:
                agreement["until"] = date(agreement["until"].year + 2, 12, 31)
                item(
                    "Förlängning av överenskommelse",
                    {
                        "kind": "approved",
                        "text": "Överenskommelsen förlängs.",
                        "extensions": [
                            {"agreement": agreement["title"], "until": str(agreement["until"])}
                        ],
                    },
                )
            elif waiting:
                party = waiting[0]
                agreement["adopted"].append(party)
                item(
                    "Antagande av överenskommelse",
                    {
                        "kind": "decided",
                        "text": "Överenskommelsen antas.",
                        "adoptions": [
                            {"agreement": agreement["title"], "party": party, "adopted_on": day}
                        ],
                    },
                )
        if rng.random() < 0.08:  # a fund and its first allocations
            body.funds += 1
            fund = f"Utvecklingsmedel {body.name} {body.funds}"
            amounts = [rng.randint(1, 20) * 10_000 for _ in range(rng.randint(2, 4))]
            item(
                "Fördelning av medel",
                {
                    "kind": "decided",
                    "text": "Medlen fördelas.",
                    "funds": [{"name": fund, "total": sum(amounts) + 50_000}],
                    "allocations": [
                        {"fund": fund, "recipient": o.name, "purpose": f"Insats {i}", "amount": a}
                        for i, (o, a) in enumerate(zip(body.owners * 4, amounts, strict=False))
                    ],
                },
            )
    if rng.random() < 0.3 and body.members:  # an uppdrag with a due date
        task = f"Utreda fråga {day} {rng.randrange(10**6)}"
        holder = rng.choice(body.members)
        named.add(holder)
        due = held + timedelta(days=rng.choice([30, 60, 90, 180]))
        body.assignments.append(task)
        item(
            "Uppdrag",
            {
                "kind": "decided",
                "text": "Uppdrag ges.",
                "assignments": [{"task": task, "holder": holder, "due": due.isoformat()}],
            },
        )
    elif body.assignments and rng.random() < 0.4:
        task = body.assignments.pop(0)
        done = rng.random() < 0.6
        effect = (
            {"completions": [{"task": task}]}
            if done
            else {"reports": [{"task": task, "text": "Arbetet pågår enligt plan."}]}
        )
        item("Återrapportering", {"kind": "noted", "text": "Informationen noteras."} | effect)
        if not done:
            body.assignments.append(task)
    for _ in range(rng.randint(2, 5)):  # plain decisions
        kind = rng.choice(["decided", "noted", "approved", "decided"])
        item(f"Ärende {len(items) + 1}", {"kind": kind, "text": f"Beslut {rng.randrange(10**6)}."})
    items.append({"number": len(items) + 1, "title": "Mötets avslutande"})

    present = list(body.members)
    named.update(present)
    persons = [{"name": p, "organisation": "o0"} for p in sorted(named)]
    org_refs = {o.name: f"o{i}" for i, o in enumerate(body.owners)}
    return {
        "version": 1,
        "kind": "minutes",
        "source": {"document": f"Protokoll {body.name} {day}"},
        "date": day,
        "body": {
            "name": body.name,
            "kind": body.kind,
            "owners": [org_refs[o.name] for o in body.owners],
        },
        "organisations": [
            {"ref": org_refs[name], "name": name, "kind": o.kind} for name, o in orgs.items()
        ],
        "persons": persons,
        "meeting": {"present": present, "chair": present[0]},
        "items": items,
    }


def _corrected(document: dict[str, Any]) -> dict[str, Any] | None:
    """The same minutes with a corrected text in the first plain decision."""
    changed = copy.deepcopy(document)
    for item in changed["items"]:
        for decision in item.get("decisions", []):
            if decision["text"].startswith("Beslut "):
                decision["text"] = decision["text"][:-1] + " (rättad)."
                return changed
    return None


def meetings(seed: int, bodies: int) -> Iterator[tuple[str, dict[str, Any], str | None]]:
    """Minutes in date order across all bodies, about ten meetings a body a year, with a
    corrected re-import now and then; stops after ten years (the caller stops earlier when
    it has the events it wants)."""
    rng = random.Random(seed)
    plans = plan_bodies(rng, bodies)
    offsets = [rng.randrange(30) for _ in plans]
    for k in range(10 * 10):  # ten years, ten meetings a year
        year, slot = FIRST_YEAR + k // 10, k % 10
        month = slot + 1 + (slot >= 6)  # no meetings in July
        for b, body in enumerate(plans):
            held = date(year, month, 1) + timedelta(days=offsets[b] % 28)
            document = _minutes(body, held, rng, first=k == 0)
            name = f"{body.name} {held}"
            body.sent = [*body.sent[-11:], (name, document)]
            yield name, document, None
            if k > 2 and rng.random() < 0.03:
                old_name, old = rng.choice(body.sent[-12:-1])
                fixed = _corrected(old)
                if fixed is not None:
                    body.sent = [(n, fixed if n == old_name else d) for n, d in body.sent]
                    yield old_name, fixed, "rättelse: fel i beslutstexten"
