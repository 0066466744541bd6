"""The web pages (api/pages/) in a real browser: headless Chromium against a real `registry
serve` over the four examples, on SQLite and PostgreSQL. Each page must show what GraphQL
answers for the same ids (asked over HTTP here), work without JavaScript, load nothing from
beyond 127.0.0.1 and pass axe-core without serious or critical violations."""

from __future__ import annotations

import html
import re
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from api.cli import EXAMPLES
from api.pages.text import ENUMS, LANGUAGES, RENDERED_ENUMS
from registry.application import Registry
from registry.config import StoreSettings
from registry.importing import import_file
from tests.browser import axe_source, axe_violations, chromium, requested_urls
from tests.served import RegistryProcess, registry_process

# Invented minutes with what the four examples lack (votes, a group reservation, conditional
# memberships met and withdrawn, a serving deputy, a name printed otherwise), imported after them.
EXTRA = Path(__file__).parent / "data" / "pages"
# An invented nämnd's minutes with justering, anslag and appeals (tests/test_lifecycle.py).
LIFECYCLE = Path(__file__).parent / "import_cases" / "lifecycle-namnd.yaml"
BODY_WITH_REPLACEMENT = "Styrgrupp – samverkan för en god och nära vård"
AGREEMENT_WITH_PENDING_EXTENSION = "Överenskommelse om samverkan vid in- och utskrivning"


@dataclass
class Examples:
    """A served store holding the four examples; `first_known` is a recorded time after the
    first example file was imported and before the others."""

    server: RegistryProcess
    first_known: datetime

    def url(self, path: str) -> str:
        return self.server.base + path

    def ask(self, query: str, **variables: Any) -> dict[str, Any]:
        return self.server.graphql(query, variables)


@pytest.fixture
def examples(settings: StoreSettings, tmp_path: Path) -> Iterator[Examples]:
    files = sorted(EXAMPLES.glob("*.yaml"))
    registry = Registry(settings)
    try:
        import_file(registry, files[0])
        time.sleep(1.1)
        first_known = datetime.now(UTC).replace(microsecond=0)
        time.sleep(1.1)
        for path in [*files[1:], *sorted(EXTRA.glob("*.yaml")), LIFECYCLE]:
            import_file(registry, path)
    finally:
        registry.close()
    with registry_process("serve", "--database", settings.url, cwd=tmp_path) as server:
        wait_until_projected(server)
        yield Examples(server, first_known)


def wait_until_projected(server: RegistryProcess, timeout: float = 60) -> None:
    """Wait until the read models include every event (the server projects on start)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = server.graphql("{ projectionPosition ledger { currentPosition } }")
        if answer["projectionPosition"] >= answer["ledger"]["currentPosition"]:
            return
        time.sleep(0.2)
    raise AssertionError(f"the read models did not catch up within {timeout} s")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium(javascript=False) as driver:
        yield driver


@pytest.fixture(scope="module")
def scripted_browser() -> Iterator[Any]:
    with chromium(javascript=True) as driver:
        yield driver


def ids(driver: Any, selector: str, attribute: str) -> list[str]:
    return [e.get_attribute(attribute) for e in driver.find_elements(By.CSS_SELECTOR, selector)]


def text(driver: Any, selector: str) -> str:
    return driver.find_element(By.CSS_SELECTOR, selector).text.strip()


def body_id(examples: Examples, name: str) -> str:
    bodies = examples.ask("{ bodies(first: 500) { nodes { id name } } }")["bodies"]["nodes"]
    return next(b["id"] for b in bodies if b["name"] == name)


def agreement_id(examples: Examples, title: str) -> str:
    nodes = examples.ask('{ agreements(validOn: "2020-06-01") { nodes { id title } } }')
    return next(a["id"] for a in nodes["agreements"]["nodes"] if a["title"].startswith(title))


def every_page(examples: Examples) -> dict[str, str]:
    """One path per page type, picked from the GraphQL answers over the examples."""
    answer = examples.ask(
        """{ bodies(first: 500) { nodes { id name } }
             decisions(first: 500) { nodes { id conditions { id } meeting { id approval { approvedOn } } } }
             funds { nodes { id allocations { id } } }
             projects(first: 1) { nodes { id } } consultations(first: 1) { nodes { id } } }"""
    )
    body = body_id(examples, BODY_WITH_REPLACEMENT)
    members = examples.ask(
        "query($id: ID!) { body(id: $id) { compositionHistory { memberships { personId } } } }",
        id=body,
    )["body"]["compositionHistory"]
    decisions = answer["decisions"]["nodes"]
    decision = (
        next(d for d in decisions if d["conditions"])
        if any(d["conditions"] for d in decisions)
        else decisions[0]
    )
    meeting = next(d["meeting"]["id"] for d in decisions if d["meeting"])
    fund = next(f["id"] for f in answer["funds"]["nodes"] if f["allocations"])
    approved = next(d for d in decisions if d["meeting"] and d["meeting"]["approval"])
    return {
        "start": "/",
        "search": "/search?q=avtal",
        "body": f"/bodies/{body}",
        "person": f"/persons/{members[-1]['memberships'][0]['personId']}",
        "agreement": f"/agreements/{agreement_id(examples, AGREEMENT_WITH_PENDING_EXTENSION)}",
        "decision": f"/decisions/{decision['id']}",
        "meeting": f"/meetings/{meeting}",
        "fund": f"/funds/{fund}",
        "audit": f"/audit/{decision['id']}",
        "project": f"/projects/{answer['projects']['nodes'][0]['id']}",
        "consultation": f"/consultations/{answer['consultations']['nodes'][0]['id']}",
        "decision with legal standing": f"/decisions/{approved['id']}",
        "meeting with justering": f"/meetings/{approved['meeting']['id']}",
    }


MEMBERSHIPS = """
query($id: ID!, $asOf: Date, $knownAt: DateTime) {
  body(id: $id, knownAt: $knownAt) {
    name
    members(asOf: $asOf, knownAt: $knownAt) { id }
    seats(asOf: $asOf, knownAt: $knownAt) { id vacant label role }
    composition(asOf: $asOf, knownAt: $knownAt) { groups { label role } }
    compositionHistory {
      recordedAt
      memberships { id personName from fromUnknown fromNotAfter until }
    }
  }
  decisions(bodyId: $id, asOf: $asOf, knownAt: $knownAt, first: 500) { nodes { id status(asOf: $asOf) } }
  meetings(bodyId: $id, knownAt: $knownAt, first: 500) { nodes { id } }
}
"""


def test_the_body_page_shows_the_composition_decisions_and_meetings_graphql_gives(
    examples, browser
):
    body = body_id(examples, BODY_WITH_REPLACEMENT)
    answer = examples.ask(MEMBERSHIPS, id=body)
    browser.get(examples.url(f"/bodies/{body}"))

    assert text(browser, "h1") == answer["body"]["name"]
    assert answer["body"]["name"] in browser.title
    assert ids(browser, "table.members tr[data-membership-id]", "data-membership-id") == [
        m["id"] for m in answer["body"]["members"]
    ]
    seats = answer["body"]["seats"]
    assert seats, "the example defines seats for this body"
    # Grouped by label as the composition gives them, each label's seats in their order.
    assert [
        (row.get_attribute("data-seat-id"), row.get_attribute("data-vacant"))
        for row in browser.find_elements(By.CSS_SELECTOR, "table.seats tr[data-seat-id]")
    ] == [
        (s["id"], str(s["vacant"]).lower())
        for g in answer["body"]["composition"]["groups"]
        for s in seats
        if (s["label"], s["role"]) == (g["label"], g["role"])
    ]
    assert ids(browser, "ul.decisions li", "data-decision-id") == [
        d["id"] for d in answer["decisions"]["nodes"]
    ]
    assert ids(browser, "a[data-meeting-id]", "data-meeting-id") == [
        m["id"] for m in answer["meetings"]["nodes"]
    ]
    assert len(browser.find_elements(By.CSS_SELECTOR, "table.history tbody tr")) == len(
        answer["body"]["compositionHistory"]
    )


def test_the_timeline_draws_one_bar_per_membership_with_its_dates(examples, browser):
    body = body_id(examples, BODY_WITH_REPLACEMENT)
    history = examples.ask(MEMBERSHIPS, id=body)["body"]["compositionHistory"]
    latest: dict[str, dict[str, Any]] = {}
    for event in history:
        for membership in event["memberships"]:
            latest[membership["id"]] = membership
    assert any(m["fromUnknown"] for m in latest.values()), "the example has an unknown start"
    assert any(m["until"] for m in latest.values()), "the example has a replacement"

    browser.get(examples.url(f"/bodies/{body}"))
    bars = browser.find_elements(By.CSS_SELECTOR, "svg.membership-timeline g.bar")
    drawn = {
        bar.get_attribute("data-membership-id"): {
            "from": bar.get_attribute("data-from") or None,
            "until": bar.get_attribute("data-until") or None,
            "fromUnknown": bar.get_attribute("data-from-unknown") == "true",
            "fromNotAfter": bar.get_attribute("data-from-not-after") or None,
            "unknown_lead": len(bar.find_elements(By.CSS_SELECTOR, "rect.unknown-start")),
            "x": float(bar.find_element(By.CSS_SELECTOR, "rect.held").get_attribute("x")),
            "x2": float(bar.find_element(By.CSS_SELECTOR, "rect.held").get_attribute("x"))
            + float(bar.find_element(By.CSS_SELECTOR, "rect.held").get_attribute("width")),
        }
        for bar in bars
    }
    assert len(bars) == len(latest)
    assert set(drawn) == set(latest)
    for membership_id, membership in latest.items():
        bar = drawn[membership_id]
        assert (bar["from"], bar["until"], bar["fromUnknown"], bar["fromNotAfter"]) == (
            membership["from"],
            membership["until"],
            membership["fromUnknown"],
            membership["fromNotAfter"],
        )
        assert bar["unknown_lead"] == (1 if membership["fromUnknown"] else 0)

    # Positions follow the dates: a later start is drawn further right, an end before
    # another's start ends left of it (give or take the 2 px a bar of a day or two is drawn
    # at least, to be visible).
    def start(m: dict[str, Any]) -> str:
        return m["from"] or m["fromNotAfter"]

    for a in latest.values():
        for b in latest.values():
            if start(a) < start(b):
                assert drawn[a["id"]]["x"] < drawn[b["id"]]["x"]
            if a["until"] and a["until"] <= start(b):
                assert drawn[a["id"]]["x2"] <= drawn[b["id"]]["x"] + 2
    # The replacement is marked on the bars it changed, linking to its decision when any.
    assert browser.find_elements(By.CSS_SELECTOR, 'g.bar circle.change[data-type="MemberReplaced"]')


def test_every_page_type_shows_the_facts_graphql_gives_for_the_same_ids(examples, browser):
    pages = every_page(examples)

    person_id = pages["person"].rsplit("/", 1)[1]
    person = examples.ask(
        """query($id: ID!) { person(id: $id) { name mandates { id } }
           bodies(first: 500) { nodes { compositionHistory { memberships { id personId } } } } }""",
        id=person_id,
    )
    browser.get(examples.url(pages["person"]))
    assert text(browser, "h1") == person["person"]["name"]
    assert ids(browser, "table.mandates tr[data-membership-id]", "data-membership-id") == [
        m["id"] for m in person["person"]["mandates"]
    ]
    held = {
        m["id"]
        for b in person["bodies"]["nodes"]
        for e in b["compositionHistory"]
        for m in e["memberships"]
        if m["personId"] == person_id
    }
    assert set(ids(browser, "svg.membership-timeline g.bar", "data-membership-id")) == held

    agreement_id_ = pages["agreement"].rsplit("/", 1)[1]
    agreement = examples.ask(
        """query($id: ID!) { agreement(id: $id) { title inForceFrom effectiveUntil
             parties { id } adoptions { party { id } } partiesNotAdopted { id }
             extensions { newUntil status } pendingExtensions { newUntil } events { position } } }""",
        id=agreement_id_,
    )["agreement"]
    browser.get(examples.url(pages["agreement"]))
    assert text(browser, "h1") == agreement["title"]
    adopted = {a["party"]["id"] for a in agreement["adoptions"]}
    rows = browser.find_elements(By.CSS_SELECTOR, "table.parties tr[data-party-id]")
    assert [(r.get_attribute("data-party-id"), r.get_attribute("data-adopted")) for r in rows] == [
        (p["id"], str(p["id"] in adopted).lower()) for p in agreement["parties"]
    ]
    # "Not adopted yet" only where GraphQL says the entry into force waits for the party.
    assert {
        r.get_attribute("data-party-id") for r in rows if r.get_attribute("data-waiting") == "true"
    } == {p["id"] for p in agreement["partiesNotAdopted"]}
    assert text(browser, "dd.effective-until") == (agreement["effectiveUntil"] or "")
    if agreement["inForceFrom"]:
        assert text(browser, "dd.in-force-from") == agreement["inForceFrom"]
    assert [
        (li.get_attribute("data-new-until"), li.get_attribute("data-status"))
        for li in browser.find_elements(By.CSS_SELECTOR, "ul.extensions li")
    ] == [(e["newUntil"], e["status"]) for e in agreement["extensions"]]
    assert agreement["pendingExtensions"], "the example has a pending extension"
    pending = browser.find_elements(
        By.CSS_SELECTOR, 'svg.validity-timeline g.segment[data-kind="pending"]'
    )
    assert [p.get_attribute("data-end") for p in pending] == [
        e["newUntil"] for e in agreement["pendingExtensions"]
    ]
    assert ids(browser, "table.events tr[data-position]", "data-position") == [
        str(e["position"]) for e in agreement["events"]
    ]

    decision_id = pages["decision"].rsplit("/", 1)[1]
    decision = examples.ask(
        """query($id: ID!) { decision(id: $id) { item text kind status conditions { id }
             effects { position } events { position actor } } }""",
        id=decision_id,
    )["decision"]
    browser.get(examples.url(pages["decision"]))
    assert decision["item"] in text(browser, "h1")
    assert text(browser, "blockquote.decision-text") == decision["text"].strip()
    assert (
        browser.find_element(By.CSS_SELECTOR, "dd.kind").get_attribute("data-kind")
        == decision["kind"]
    )
    assert (
        browser.find_element(By.CSS_SELECTOR, "dd.status").get_attribute("data-status")
        == decision["status"]
    )
    assert ids(browser, "ul.conditions li", "data-condition-id") == [
        c["id"] for c in decision["conditions"]
    ]
    assert ids(browser, "table.effects tr[data-position]", "data-position") == [
        str(e["position"]) for e in decision["effects"]
    ]
    assert ids(browser, "table.events tr[data-position]", "data-position") == [
        str(e["position"]) for e in decision["events"]
    ]

    meeting_id = pages["meeting"].rsplit("/", 1)[1]
    meeting = examples.ask(
        """query($id: ID!) { meeting(id: $id) { heldOn present { personId } absent { personId }
             chair { name } secretaries { name } items { number decisions { id } } } }""",
        id=meeting_id,
    )["meeting"]
    browser.get(examples.url(pages["meeting"]))
    assert meeting["heldOn"] in text(browser, "h1")
    assert ids(browser, "ul.present li", "data-person-id") == [
        a["personId"] for a in meeting["present"]
    ]
    assert ids(browser, "ul.absent li", "data-person-id") == [
        a["personId"] for a in meeting["absent"]
    ]
    assert text(browser, "dd.chair") == (meeting["chair"]["name"] if meeting["chair"] else "–")
    assert text(browser, "dd.secretaries") == (
        ", ".join(s["name"] for s in meeting["secretaries"]) or "–"
    )
    assert ids(browser, "ol.agenda > li", "data-item") == [i["number"] for i in meeting["items"]]
    assert ids(browser, "ol.agenda li[data-decision-id]", "data-decision-id") == [
        d["id"] for i in meeting["items"] for d in i["decisions"]
    ]

    fund_id = pages["fund"].rsplit("/", 1)[1]
    fund = examples.ask(
        """query($id: ID!) { fund(id: $id) { name total allocated remaining currency
             allocations { id amount } } }""",
        id=fund_id,
    )["fund"]
    browser.get(examples.url(pages["fund"]))
    assert text(browser, "h1") == fund["name"]
    for field in ("total", "allocated", "remaining"):
        assert text(browser, f"dd.{field}") == f"{fund[field]} {fund['currency']}"
    assert ids(browser, "table.allocations tr[data-allocation-id]", "data-allocation-id") == [
        a["id"] for a in fund["allocations"]
    ]
    drawn = [Decimal(a) for a in ids(browser, "svg.fund-bars g", "data-amount")]
    assert sum(drawn) == Decimal(fund["total"])

    trail = examples.ask(
        "query($id: ID!) { auditTrail(id: $id, first: 500) { nodes { position } } }",
        id=decision_id,
    )["auditTrail"]["nodes"]
    browser.get(examples.url(pages["audit"]))
    assert ids(browser, "table.audit tr[data-position]", "data-position") == [
        str(e["position"]) for e in trail
    ]

    search = examples.ask('{ search(query: "avtal", first: 50) { nodes { entityId } } }')
    browser.get(examples.url(pages["search"]))
    assert ids(browser, "ol.hits li", "data-entity-id") == [
        h["entityId"] for h in search["search"]["nodes"]
    ]

    start = examples.ask("{ bodies(first: 500) { nodes { id } } funds { nodes { id } } }")
    browser.get(examples.url("/"))
    assert sorted(set(ids(browser, "a[data-body-id]", "data-body-id"))) == sorted(
        b["id"] for b in start["bodies"]["nodes"]
    )
    assert ids(browser, "a[data-fund-id]", "data-fund-id") == [
        f["id"] for f in start["funds"]["nodes"]
    ]


def test_every_fact_row_links_to_its_audit_trail(examples, browser):
    pages = every_page(examples)
    browser.get(examples.url(pages["body"]))
    for row in browser.find_elements(By.CSS_SELECTOR, "table.members tr[data-membership-id]"):
        link = row.find_element(By.CSS_SELECTOR, "a.trail").get_attribute("href")
        assert urlparse(link).path == f"/audit/{row.get_attribute('data-membership-id')}"
    browser.get(examples.url(pages["fund"]))
    first = browser.find_element(
        By.CSS_SELECTOR, "table.allocations tr[data-allocation-id] a.trail"
    )
    first.click()
    assert browser.find_elements(By.CSS_SELECTOR, "table.audit tr[data-position]")


def test_as_of_and_known_at_change_what_is_shown_and_stay_in_links(
    examples, browser, scripted_browser
):
    body = body_id(examples, BODY_WITH_REPLACEMENT)
    early, late = "2020-02-06", date.today().isoformat()
    before = examples.ask(MEMBERSHIPS, id=body, asOf=early)["body"]["members"]
    after = examples.ask(MEMBERSHIPS, id=body, asOf=late)["body"]["members"]
    assert before != after, "the example's composition changes between the two days"
    for day, members in ((early, before), (late, after)):
        browser.get(examples.url(f"/bodies/{body}?asOf={day}"))
        assert ids(browser, "table.members tr[data-membership-id]", "data-membership-id") == [
            m["id"] for m in members
        ]
        assert (
            browser.find_element(By.CSS_SELECTOR, "[data-as-of]").get_attribute("data-as-of") == day
        )
        assert browser.find_element(By.ID, "asOf").get_attribute("value") == day
        person_link = (
            browser.find_element(By.CSS_SELECTOR, "table.members a").get_attribute("href")
            if members
            else None
        )
        if person_link:
            assert parse_qs(urlparse(person_link).query)["asOf"] == [day]

    known = examples.first_known.strftime("%Y-%m-%dT%H:%M:%S")
    then = examples.ask(
        "query($k: DateTime) { bodies(first: 500, knownAt: $k) { nodes { id } } }", k=known
    )["bodies"]["nodes"]
    now = examples.ask("{ bodies(first: 500) { nodes { id } } }")["bodies"]["nodes"]
    assert 0 < len(then) < len(now)
    # The time-travel form, filled and submitted in the browser (a plain GET form).
    scripted_browser.get(examples.url("/"))
    scripted_browser.execute_script(
        "document.getElementById('knownAt').value = arguments[0]", known
    )
    scripted_browser.find_element(By.CSS_SELECTOR, "form.time-travel button").click()
    WebDriverWait(scripted_browser, 10).until(lambda d: "knownAt=" in d.current_url)
    assert sorted(set(ids(scripted_browser, "a[data-body-id]", "data-body-id"))) == sorted(
        b["id"] for b in then
    )
    shown = scripted_browser.find_element(By.CSS_SELECTOR, "[data-known-at]").get_attribute(
        "data-known-at"
    )
    assert shown.startswith(known)
    link = scripted_browser.find_element(By.CSS_SELECTOR, "a[data-body-id]").get_attribute("href")
    assert parse_qs(urlparse(link).query)["knownAt"] == [known]
    # A body the registry learnt of later is not known then.
    later = next(b["id"] for b in now if b["id"] not in {x["id"] for x in then})
    browser.get(examples.url(f"/bodies/{later}?knownAt={known}"))
    assert browser.find_elements(By.CSS_SELECTOR, "p.error")
    browser.get(examples.url(f"/bodies/{later}?asOf=2020-13-01"))
    assert text(browser, "p.error").startswith("asOf: not a date")
    browser.get(examples.url("/bodies/nonsense"))
    assert "id: 'nonsense' is not a valid id" in text(browser, "p.error")


def test_pages_speak_swedish_unless_english_is_asked_for(examples, browser):
    browser.get(examples.url("/"))
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "sv"
    assert "Besluts- och mandatregistret" in browser.title
    browser.find_element(By.CSS_SELECTOR, ".language a").click()
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert "Decision and mandate registry" in browser.title
    body_link = browser.find_element(By.CSS_SELECTOR, "a[data-body-id]").get_attribute("href")
    assert parse_qs(urlparse(body_link).query)["lang"] == ["en"]
    # Without ?lang, the first of Swedish and English the browser asks for.
    for accept, lang in (
        ("en-GB,en;q=0.9", "en"),
        ("sv;q=0.2, en;q=0.8", "en"),
        ("de, sv", "sv"),
        ("de", "sv"),
    ):
        request = urllib.request.Request(examples.url("/"), headers={"Accept-Language": accept})
        with urllib.request.urlopen(request, timeout=60) as response:
            assert f'<html lang="{lang}">' in response.read().decode(), accept


def test_no_page_asks_for_anything_beyond_the_server(examples, scripted_browser):
    pages = every_page(examples)
    requested_urls(scripted_browser)  # drain
    for path in pages.values():
        scripted_browser.get(examples.url(path))
    # GraphiQL and Swagger UI render from the package's own copies.
    scripted_browser.get(examples.url("/graphql"))
    WebDriverWait(scripted_browser, 30).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, ".graphiql-container .graphiql-editors")
    )
    scripted_browser.get(examples.url("/docs"))
    WebDriverWait(scripted_browser, 30).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, ".swagger-ui .opblock")
    )
    urls = requested_urls(scripted_browser)
    assert any(u.endswith("/static/vendor/graphiql.min.js") for u in urls)
    local = (examples.url("/"), examples.server.base.replace("http", "ws") + "/", "data:")
    assert [u for u in urls if not u.startswith(local)] == []


def test_axe_finds_no_serious_or_critical_violation_on_any_page_type(examples, scripted_browser):
    source = axe_source()
    found = {}
    for name, path in every_page(examples).items():
        scripted_browser.get(examples.url(path))
        bad = [
            v
            for v in axe_violations(scripted_browser, source)
            if v["impact"] in ("serious", "critical")
        ]
        if bad:
            found[name] = bad
    assert found == {}


def test_every_page_of_the_examples_answers(examples):
    """Every body, person, agreement, decision, meeting and fund of the examples has a page,
    with a title naming it."""
    answer = examples.ask(
        """{ bodies(first: 500) { nodes { id name } } persons(first: 500) { nodes { id name } }
             decisions(first: 500) { nodes { id item } } meetings(first: 500) { nodes { id heldOn } }
             funds { nodes { id name } }
             projects(first: 500) { nodes { id name } }
             consultations(first: 500) { nodes { id subject } }
             a: agreements(validOn: "2020-06-01", first: 500) { nodes { id title } }
             b: agreements(validOn: "2022-06-01", first: 500) { nodes { id title } } }"""
    )
    pages = [
        *((f"/bodies/{n['id']}", n["name"]) for n in answer["bodies"]["nodes"]),
        *((f"/persons/{n['id']}", n["name"]) for n in answer["persons"]["nodes"]),
        *((f"/decisions/{n['id']}", f"§ {n['item']}") for n in answer["decisions"]["nodes"]),
        *((f"/meetings/{n['id']}", n["heldOn"]) for n in answer["meetings"]["nodes"]),
        *((f"/funds/{n['id']}", n["name"]) for n in answer["funds"]["nodes"]),
        *((f"/agreements/{n['id']}", n["title"]) for key in "ab" for n in answer[key]["nodes"]),
        *((f"/projects/{n['id']}", n["name"]) for n in answer["projects"]["nodes"]),
        *((f"/consultations/{n['id']}", n["subject"]) for n in answer["consultations"]["nodes"]),
    ]
    # No page shows an enum value untranslated (outside attributes, where tests read them).
    raw = re.compile(
        r"\b(" + "|".join(v for name in RENDERED_ENUMS for v in schema_enums()[name]) + r")\b"
    )
    failed = []
    untranslated = []
    for path, name in pages:
        for lang in LANGUAGES:
            with urllib.request.urlopen(
                examples.url(f"{path}?lang={lang}"), timeout=60
            ) as response:
                page = response.read().decode()
            title = page.split("<title>", 1)[1].split("</title>", 1)[0]
            # One line naming the page, then the site: no markup or page content in it.
            if (
                response.status != 200
                or html.escape(name, quote=True) not in title
                or "<" in title
                or "\n" in title.strip()
            ):
                failed.append((path, response.status, title))
            shown = re.sub(r"<[^>]*>", " ", page.split("<main", 1)[1])
            untranslated += [(path, lang, word) for word in raw.findall(shown)]
    assert failed == []
    assert untranslated == []
    assert len(pages) > 100


def test_the_page_browser_runs_no_script(browser):
    """The browser the page tests read with has JavaScript off: what they find, a user
    without scripts sees."""
    browser.get("data:text/html,<title>before</title><script>document.title='after'</script>")
    assert browser.title == "before"


def test_a_printed_page_keeps_the_facts_and_the_day_shown_and_drops_the_controls(examples, browser):
    body = body_id(examples, BODY_WITH_REPLACEMENT)
    browser.get(examples.url(f"/bodies/{body}?asOf=2020-03-01"))
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert browser.find_element(By.TAG_NAME, "h1").is_displayed()
        assert browser.find_element(By.CSS_SELECTOR, "svg.membership-timeline").is_displayed()
        assert "2020-03-01" in browser.find_element(By.ID, "showing").text
        assert not browser.find_element(By.ID, "asOf").is_displayed()
        assert not browser.find_element(By.CSS_SELECTOR, "form.search").is_displayed()
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def attributes(driver: Any, selector: str, *names: str) -> list[tuple[str | None, ...]]:
    return [
        tuple(e.get_attribute(name) for name in names)
        for e in driver.find_elements(By.CSS_SELECTOR, selector)
    ]


def flag(value: bool) -> str:
    return "true" if value else "false"


BODY_FACTS = """
query($id: ID!, $asOf: Date) {
  body(id: $id) {
    status(asOf: $asOf) statusUncertain(asOf: $asOf) ceased { on { text } how }
    renames { on { text } }
    composition(asOf: $asOf) { defined filled vacant groups { label role defined filled vacant } }
    seats(asOf: $asOf) { id label role heldBy { id } personalDeputies { id } }
    pendingMembers { kind subjectId status appliesFrom }
    plannedMeetings(asOf: $asOf) { id date status(asOf: $asOf) }
    projects { id status(asOf: $asOf) }
    consultations { id status(asOf: $asOf) }
  }
}
"""


def test_the_body_page_shows_seats_pending_members_status_plans_projects_and_remisser(
    examples, browser
):
    bodies = examples.ask("{ bodies(first: 500) { nodes { id } } }")["bodies"]["nodes"]
    seen: dict[str, int] = {}
    for day in ("2020-03-06", "2021-05-20", "2021-06-15", date.today().isoformat()):
        for node in bodies:
            body = examples.ask(BODY_FACTS, id=node["id"], asOf=day)["body"]
            browser.get(examples.url(f"/bodies/{node['id']}?asOf={day}"))
            where = f"{node['id']} on {day}"
            assert attributes(browser, "dd.body-status", "data-status", "data-uncertain") == [
                (body["status"], flag(body["statusUncertain"]))
            ], where
            ceased = body["ceased"]
            assert attributes(browser, "dd.ceased", "data-on", "data-how") == (
                [(ceased["on"]["text"], ceased["how"])] if ceased else []
            ), where
            assert ids(browser, "ul.renames li", "data-on") == [
                r["on"]["text"] for r in body["renames"]
            ], where
            composition = body["composition"]
            summary = attributes(
                browser, "p.composition-summary", "data-defined", "data-filled", "data-vacant"
            )
            if composition["groups"]:
                assert summary == [
                    tuple(str(composition[k]) for k in ("defined", "filled", "vacant"))
                ], where
            assert attributes(
                browser,
                "tbody.seat-group",
                "data-label",
                "data-role",
                "data-defined",
                "data-filled",
                "data-vacant",
            ) == [
                (g["label"], g["role"], str(g["defined"]), str(g["filled"]), str(g["vacant"]))
                for g in composition["groups"]
            ], where
            for seat in body["seats"]:
                row = f'tr[data-seat-id="{seat["id"]}"]'
                assert ids(browser, f"{row} td.holders a", "data-membership-id") == [
                    m["id"] for m in seat["heldBy"]
                ], where
                assert ids(browser, f"{row} td.personal-deputies a", "data-membership-id") == [
                    m["id"] for m in seat["personalDeputies"]
                ], where
            assert attributes(
                browser,
                "tr.pending-effect",
                "data-kind",
                "data-subject-id",
                "data-status",
                "data-applies-from",
            ) == [
                (p["kind"], p["subjectId"], p["status"], p["appliesFrom"] or "")
                for p in body["pendingMembers"]
            ], where
            assert attributes(browser, "ul.planned > li", "data-planned-id", "data-status") == [
                (p["id"], p["status"]) for p in body["plannedMeetings"]
            ], where
            assert attributes(browser, "ul.projects li", "data-project-id", "data-status") == [
                (p["id"], p["status"]) for p in body["projects"]
            ], where
            assert attributes(
                browser, "ul.consultations li", "data-consultation-id", "data-status"
            ) == [(c["id"], c["status"]) for c in body["consultations"]], where
            for key, found in (
                ("ceased", ceased),
                ("renames", body["renames"]),
                ("groups", composition["groups"]),
                ("deputies", [m for s in body["seats"] for m in s["personalDeputies"]]),
                ("pending", body["pendingMembers"]),
                ("planned", body["plannedMeetings"]),
                ("projects", body["projects"]),
                ("consultations", body["consultations"]),
            ):
                seen[key] = seen.get(key, 0) + bool(found)
    # The examples and the extra minutes hold each kind of fact somewhere (the comparisons
    # above are not all of empty lists); personal deputies only where the examples have them.
    assert {k: v for k, v in seen.items() if k != "deputies" and v == 0} == {}


DECISION_FACTS = """
query($id: ID!, $asOf: Date) {
  decision(id: $id) {
    status(asOf: $asOf) statusUncertain(asOf: $asOf) legalStatus(asOf: $asOf) appealDeadline
    conditions { id metOn withdrawnOn }
    pendingEffects { kind subjectId status appliesFrom }
    deferredTo { heldOn }
    votes { id yes no abstain ballots { personId choice } }
    statements { kind party andOthers authors { personId name } }
    projects { id status(asOf: $asOf) }
    consultations { id status(asOf: $asOf) }
  }
}
"""


def test_the_decision_page_shows_votes_statements_pending_effects_deferral_and_links(
    examples, browser
):
    decisions = examples.ask("{ decisions(first: 500) { nodes { id } } }")["decisions"]["nodes"]
    seen: dict[str, set[str]] = {}
    for day in ("2021-05-20", date.today().isoformat()):
        for node in decisions:
            d = examples.ask(DECISION_FACTS, id=node["id"], asOf=day)["decision"]
            browser.get(examples.url(f"/decisions/{node['id']}?asOf={day}"))
            where = f"{node['id']} on {day}"
            assert attributes(browser, "dd.status", "data-status", "data-uncertain") == [
                (d["status"], flag(d["statusUncertain"]))
            ], where
            assert attributes(
                browser, "ul.conditions li", "data-condition-id", "data-met-on", "data-withdrawn-on"
            ) == [(c["id"], c["metOn"] or "", c["withdrawnOn"] or "") for c in d["conditions"]], (
                where
            )
            assert attributes(
                browser,
                "tr.pending-effect",
                "data-kind",
                "data-subject-id",
                "data-status",
                "data-applies-from",
            ) == [
                (p["kind"], p["subjectId"], p["status"], p["appliesFrom"] or "")
                for p in d["pendingEffects"]
            ], where
            assert ids(browser, "dd.legal-status", "data-legal-status") == (
                [d["legalStatus"]] if d["legalStatus"] else []
            ), where
            assert [
                e.text for e in browser.find_elements(By.CSS_SELECTOR, "dd.appeal-deadline")
            ] == ([d["appealDeadline"]] if d["appealDeadline"] else []), where
            if d["legalStatus"]:
                seen.setdefault("legal", set()).add(d["legalStatus"])
            assert ids(browser, "dd.deferred-to", "data-held-on") == (
                [d["deferredTo"]["heldOn"]] if d["deferredTo"] else []
            ), where
            assert attributes(
                browser, "div.vote", "data-vote-id", "data-yes", "data-no", "data-abstain"
            ) == [
                (v["id"], *("" if v[k] is None else str(v[k]) for k in ("yes", "no", "abstain")))
                for v in d["votes"]
            ], where
            for vote in d["votes"]:
                assert attributes(
                    browser,
                    f'div[data-vote-id="{vote["id"]}"] tr.ballot',
                    "data-person-id",
                    "data-choice",
                ) == [(b["personId"] or "", b["choice"]) for b in vote["ballots"]], where
            statements = browser.find_elements(By.CSS_SELECTOR, "li.statement")
            assert [
                (
                    li.get_attribute("data-kind"),
                    li.get_attribute("data-party"),
                    li.get_attribute("data-and-others"),
                    [
                        (a.get_attribute("data-person-id"), a.text)
                        for a in li.find_elements(By.CSS_SELECTOR, ".author")
                    ],
                )
                for li in statements
            ] == [
                (
                    s["kind"],
                    s["party"] or "",
                    flag(s["andOthers"]),
                    [(a["personId"] or "", a["name"]) for a in s["authors"]],
                )
                for s in d["statements"]
            ], where
            assert attributes(browser, "ul.projects li", "data-project-id", "data-status") == [
                (p["id"], p["status"]) for p in d["projects"]
            ], where
            assert attributes(
                browser, "ul.consultations li", "data-consultation-id", "data-status"
            ) == [(c["id"], c["status"]) for c in d["consultations"]], where
            seen.setdefault("status", set()).add(d["status"])
            seen.setdefault("effects", set()).update(p["status"] for p in d["pendingEffects"])
            for key in ("deferredTo", "votes", "projects", "consultations"):
                if d[key]:
                    seen.setdefault(key, set()).add(node["id"])
            if any(s["andOthers"] and s["authors"] for s in d["statements"]):
                seen.setdefault("andOthers", set()).add(node["id"])
            if any(c["withdrawnOn"] for c in d["conditions"]):
                seen.setdefault("withdrawn", set()).add(node["id"])
    assert {"IN_FORCE", "CONDITIONAL", "LAPSED"} <= seen["status"]
    assert seen["effects"] == {"PENDING", "APPLIED", "NEVER"}
    assert "FINAL" in seen["legal"], seen["legal"]
    for key in ("deferredTo", "votes", "projects", "consultations", "andOthers", "withdrawn"):
        assert seen.get(key), key


def test_meeting_agreement_start_project_and_remiss_pages_show_what_graphql_gives(
    examples, browser
):
    meetings = examples.ask(
        """{ meetings(first: 500) { nodes { id approval { approvedOn appealDeadline }
             present { personId name person { id name } } absent { personId name person { id name } }
             servingDeputies { name person { id } servingFor { id } } } } }"""
    )["meetings"]["nodes"]
    printed_otherwise = serving = planned = approved = 0
    today = date.today().isoformat()
    for m in meetings:
        browser.get(examples.url(f"/meetings/{m['id']}"))
        for kind in ("present", "absent"):
            items = browser.find_elements(By.CSS_SELECTOR, f"ul.{kind} li")
            assert [li.find_element(By.CSS_SELECTOR, "a").text for li in items] == [
                a["name"] for a in m[kind]
            ], m["id"]
            assert [
                [
                    a.get_attribute("data-registered-id")
                    for a in li.find_elements(By.CSS_SELECTOR, "a[data-registered-id]")
                ]
                for li in items
            ] == [
                [a["person"]["id"]] if a["person"]["name"] != a["name"] else [] for a in m[kind]
            ], m["id"]
            printed_otherwise += sum(a["person"]["name"] != a["name"] for a in m[kind])
        assert attributes(
            browser, "ul.serving-deputies li", "data-person-id", "data-serving-for-id"
        ) == [
            ((s["person"] or {}).get("id", ""), (s["servingFor"] or {}).get("id", ""))
            for s in m["servingDeputies"]
        ], m["id"]
        serving += len(m["servingDeputies"])
        assert ids(browser, "dd.approved-on", "data-approved-on") == [
            m["approval"]["approvedOn"] if m["approval"] else ""
        ], m["id"]
        approved += m["approval"] is not None
        plan = examples.ask(
            "query($id: ID!, $d: Date) { plannedMeeting(id: $id) { status(asOf: $d) } }",
            id=m["id"],
            d=today,
        )["plannedMeeting"]
        assert ids(browser, "dd.planned-status", "data-status") == (
            [plan["status"]] if plan else []
        ), m["id"]
        planned += bool(plan)
    assert printed_otherwise and serving and planned and approved

    statuses = "NOT_YET_IN_FORCE IN_FORCE EXPIRED TERMINATED PENDING_ADOPTION START_UNKNOWN"
    for day in ("2020-06-01", "2022-06-01", today):
        answer = examples.ask(
            f"""query($d: Date) {{
              all: agreements(validOn: $d, status: [{statuses.replace(" ", ", ")}], first: 500) {{
                nodes {{ id status(onDate: $d) }} }}
              expiring: agreements(validOn: $d, expiringWithinDays: 365, first: 500) {{ nodes {{ id }} }}
            }}""",
            d=day,
        )
        for a in answer["all"]["nodes"]:
            browser.get(examples.url(f"/agreements/{a['id']}?asOf={day}"))
            assert ids(browser, "dd.agreement-status", "data-status") == [a["status"]], day
        browser.get(examples.url(f"/?asOf={day}"))
        shown = {
            ul.get_attribute("data-status"): [
                a.get_attribute("data-agreement-id") for a in ul.find_elements(By.CSS_SELECTOR, "a")
            ]
            for ul in browser.find_elements(By.CSS_SELECTOR, "ul.agreements-by-status")
        }
        expected: dict[str, list[str]] = {}
        for a in answer["all"]["nodes"]:
            if a["status"] != "IN_FORCE":
                expected.setdefault(a["status"], []).append(a["id"])
        assert shown == expected, day
        assert ids(browser, "ul.expiring a", "data-agreement-id") == [
            a["id"] for a in answer["expiring"]["nodes"]
        ], day
    assert "PENDING_ADOPTION" in {
        a["status"]
        for a in examples.ask(
            f'{{ agreements(validOn: "2020-06-01", status: [{statuses.replace(" ", ", ")}]) '
            '{ nodes { status(onDate: "2020-06-01") } } }'
        )["agreements"]["nodes"]
    }

    lists = examples.ask(
        """query($d: Date) {
             projects(first: 500) { nodes { id name status(asOf: $d) decision { id } parts { id } } }
             consultations(first: 500) { nodes { id subject status(asOf: $d)
               asked { id } notAnswered(asOf: $d) { id } answers(asOf: $d) { stance answeredOn } } } }""",
        d=today,
    )
    assert lists["projects"]["nodes"] and lists["consultations"]["nodes"]
    for p in lists["projects"]["nodes"]:
        browser.get(examples.url(f"/projects/{p['id']}"))
        assert text(browser, "h1") == p["name"]
        assert ids(browser, "dd.project-status", "data-status") == [p["status"]]
        assert ids(browser, "ul.parts li", "data-project-id") == [q["id"] for q in p["parts"]]
        if p["decision"]:
            link = browser.find_element(By.CSS_SELECTOR, "dd.decision a").get_attribute("href")
            assert urlparse(link).path == f"/decisions/{p['decision']['id']}"
    for c in lists["consultations"]["nodes"]:
        browser.get(examples.url(f"/consultations/{c['id']}"))
        assert text(browser, "h1") == c["subject"]
        assert ids(browser, "dd.consultation-status", "data-status") == [c["status"]]
        assert ids(browser, "dd.asked a", "data-body-id") == [b["id"] for b in c["asked"]]
        assert ids(browser, "dd.not-answered a", "data-body-id") == [
            b["id"] for b in c["notAnswered"]
        ]
        assert attributes(browser, "ul.answers li", "data-stance", "data-answered-on") == [
            (a["stance"], a["answeredOn"]) for a in c["answers"]
        ]


def schema_enums() -> dict[str, list[str]]:
    """The enums of schema.graphql (kept equal to the served schema by test_api.py)."""
    from graphql import GraphQLEnumType, build_schema

    schema = build_schema((Path(__file__).parent.parent / "schema.graphql").read_text())
    return {
        name: list(t.values)
        for name, t in schema.type_map.items()
        if isinstance(t, GraphQLEnumType) and not name.startswith("__")
    }


def test_every_enum_value_the_pages_show_has_a_swedish_and_an_english_text():
    enums = schema_enums()
    assert set(RENDERED_ENUMS) <= set(enums)
    missing = [
        (name, value, lang)
        for name in RENDERED_ENUMS
        for value in enums[name]
        for lang in LANGUAGES
        if not ENUMS.get(value, {}).get(lang)
    ]
    assert missing == []


MANDATES = Path(__file__).parent / "import_cases" / "mandates"


def test_mandates_delegations_and_recommendations_on_the_pages_are_what_graphql_gives(
    settings, tmp_path, browser, scripted_browser
):
    """The invented nämnd, arbetsutskott, samverkansorgan and kommunstyrelse of
    tests/import_cases/mandates/: a body's powers and delegations, and each decision's
    verdict (within, outside, unknown) with its chain and its principals, as GraphQL answers."""
    registry = Registry(settings)
    try:
        for path in sorted(MANDATES.glob("*.yaml")):
            import_file(registry, path)
    finally:
        registry.close()
    with registry_process("serve", "--database", settings.url, cwd=tmp_path) as server:
        wait_until_projected(server)
        url = server.base
        day = "2021-06-01"
        answer = server.graphql(
            """query($d: Date) {
                 bodies(first: 50) { nodes { id
                   powers(asOf: $d) { powers { power } }
                   delegations(asOf: $d) { id holds(asOf: $d) } } }
                 decisions(first: 200) { nodes { id
                   withinMandate { verdict chain { kind power } }
                   recommendation { principals { organisation { id } obligation(asOf: $d) } } } } }""",
            {"d": day},
        )
        for body in answer["bodies"]["nodes"]:
            browser.get(f"{url}/bodies/{body['id']}?asOf={day}")
            assert ids(browser, "ul.powers li", "data-power") == [
                p["power"] for p in (body["powers"] or {"powers": []})["powers"]
            ], body["id"]
            assert attributes(browser, "table.delegations tr", "data-delegation-id", "data-holds")[
                1:
            ] == [(g["id"], flag(g["holds"])) for g in body["delegations"]], body["id"]
        verdicts = set()
        for d in answer["decisions"]["nodes"]:
            browser.get(f"{url}/decisions/{d['id']}?asOf={day}")
            check = d["withinMandate"]
            assert ids(browser, "p.within-mandate", "data-verdict") == [check["verdict"]], d["id"]
            assert attributes(browser, "ol.mandate-chain li", "data-kind", "data-power") == [
                (link["kind"], link["power"]) for link in check["chain"]
            ], d["id"]
            principals = (d["recommendation"] or {"principals": []})["principals"]
            assert attributes(
                browser, "tr.principal", "data-organisation-id", "data-obligation"
            ) == [
                ((p["organisation"] or {}).get("id", ""), flag(p["obligation"])) for p in principals
            ], d["id"]
            verdicts.add(check["verdict"])
        assert verdicts == {"WITHIN", "OUTSIDE", "UNKNOWN"}
        assert any(b["delegations"] for b in answer["bodies"]["nodes"])
        source = axe_source()
        for path in (
            f"/decisions/{answer['decisions']['nodes'][0]['id']}",
            next(f"/bodies/{b['id']}" for b in answer["bodies"]["nodes"] if b["delegations"]),
        ):
            scripted_browser.get(f"{url}{path}?asOf={day}")
            bad = [
                v
                for v in axe_violations(scripted_browser, source)
                if v["impact"] in ("serious", "critical")
            ]
            assert bad == [], (path, bad)
