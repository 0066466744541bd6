"""GraphQL mutations against `registry serve` as a real process, on both stores: each command
writes its events and answers them with their positions; a refused one writes nothing;
expected versions; idempotency keys; read-your-writes with @atLeastPosition."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.mutation_support import (
    IMPORT,
    LATER,
    SOURCE,
    Seeded,
    data,
    decision,
    error_code,
    post,
    read_at,
    seed,
    stored_position,
)
from tests.served import registry_process

WRITE = "entityId version position replayed events { position entityId entityType type version }"


def mutations(s: Seeded) -> list[tuple[str, str, dict[str, Any], str]]:
    """(name, document, variables, the entity field of its answer) for every mutation but
    the import, in an order in which each is accepted."""
    styrgrupp, chefsgrupp = s.bodies["styrgrupp"], s.bodies["chefsgrupp"]
    ingmar, tarja = s.persons["Ingmar Ångman"], s.persons["Tarja Nordling"]
    condition = decision(s, "5")["conditions"][0]["id"]
    return [
        (
            "appoint",
            f"""mutation($body: ID!, $person: ID!, $source: SourceInput!) {{
              appoint(bodyId: $body, source: $source,
                      appointment: {{personId: $person, role: MEMBER, start: "2020-04-03"}}) {{
                {WRITE} membershipId body {{ name members(asOf: "2020-04-10") {{ personName }} }}
              }} }}""",
            {"body": styrgrupp, "person": ingmar, "source": SOURCE},
            "body",
        ),
        (
            "replaceMember",
            f"""mutation($body: ID!, $out: ID!, $in: ID!, $source: SourceInput!) {{
              replaceMember(bodyId: $body, outgoingPersonId: $out, source: $source,
                            incoming: {{personId: $in, start: "2020-05-01"}}) {{
                {WRITE} membershipId body {{ name }} }} }}""",
            {"body": styrgrupp, "out": s.persons["Annika Roman"], "in": tarja, "source": SOURCE},
            "body",
        ),
        (
            "correctDecision",
            f"""mutation($id: ID!, $source: SourceInput!) {{
              correctDecision(decisionId: $id, kind: DEFERRED, source: $source,
                              text: "Frågan skjuts upp till mötet i maj.",
                              reason: "Fel i protokollets avskrift") {{
                {WRITE} decision {{ text }} }} }}""",
            {"id": decision(s, "16")["id"], "source": SOURCE},
            "decision",
        ),
        (
            "meetCondition",
            f"""mutation($id: ID!, $condition: ID!, $source: SourceInput!) {{
              meetCondition(decisionId: $id, conditionId: $condition, metOn: "2020-03-01",
                            source: $source) {{
                {WRITE} decision {{ status(asOf: "2020-03-02") conditions {{ metOn }} }} }} }}""",
            {"id": decision(s, "5")["id"], "condition": condition, "source": SOURCE},
            "decision",
        ),
        (
            "adoptAgreement",
            f"""mutation($id: ID!, $party: ID!, $source: SourceInput!) {{
              adoptAgreement(agreementId: $id, partyId: $party, adoptedOn: "2020-03-01",
                             source: $source) {{
                {WRITE} agreement {{ title partiesNotAdopted {{ name }} }} }} }}""",
            {
                "id": s.agreements["Huvudöverenskommelse om samverkan"],
                "party": s.organisations["Kumla kommun"],
                "source": SOURCE,
            },
            "agreement",
        ),
        (
            "adoptExtension",
            f"""mutation($id: ID!, $party: ID!, $source: SourceInput!) {{
              adoptExtension(agreementId: $id, extensionKey: "tandvard-2022", partyId: $party,
                             adoptedOn: "2020-03-01", source: $source) {{
                {WRITE} agreement {{ title }} }} }}""",
            {
                "id": s.agreements["Avtal om uppsökande tandvård"],
                "party": s.organisations["Region Örebro län"],
                "source": SOURCE,
            },
            "agreement",
        ),
        (
            "correctAgreementPeriod",
            f"""mutation($id: ID!, $source: SourceInput!) {{
              correctAgreementPeriod(agreementId: $id, validFrom: "2019-02-01",
                                     validUntil: "2020-12-31", source: $source,
                                     reason: "Startdatum felskrivet") {{
                {WRITE} agreement {{ validFrom }} }} }}""",
            {"id": s.agreements["Avtal om uppsökande tandvård"], "source": SOURCE},
            "agreement",
        ),
        (
            "allocate",
            f"""mutation($fund: ID!, $decision: ID!, $source: SourceInput!) {{
              allocate(fundId: $fund, recipient: "Kumla kommun", purpose: "Förstudie",
                       amount: "150000", authorisedBy: $decision, source: $source) {{
                {WRITE} allocationId fund {{ name }} }} }}""",
            {
                "fund": s.funds["Utvecklingsmedel 2020"],
                "decision": decision(s, "3")["id"],
                "source": SOURCE,
            },
            "fund",
        ),
        (
            "giveAssignment",
            f"""mutation($body: ID!, $holder: ID!, $source: SourceInput!) {{
              giveAssignment(bodyId: $body, holderKind: PERSON, holderName: "Tarja Nordling",
                             holderId: $holder, task: "Sammanställa remissvaren",
                             givenOn: "2020-04-03", dueDate: "2020-09-30", source: $source) {{
                {WRITE} assignment {{ task }} }} }}""",
            {"body": chefsgrupp, "holder": tarja, "source": SOURCE},
            "assignment",
        ),
        (
            "reportAssignment",
            f"""mutation($id: ID!, $source: SourceInput!) {{
              reportAssignment(assignmentId: $id, reportedOn: "2020-04-03",
                               text: "Arbetet pågår.", source: $source) {{
                {WRITE} assignment {{ task }} }} }}""",
            {
                "id": s.assignments[
                    "Återkomma med förslag om fortsatt arbete i linje med utredningens förslag"
                ],
                "source": SOURCE,
            },
            "assignment",
        ),
        (
            "mergePersons",
            f"""mutation($duplicate: ID!, $survivor: ID!, $source: SourceInput!) {{
              mergePersons(duplicateId: $duplicate, survivorId: $survivor, source: $source,
                           reason: "Samma person, namnet felstavat") {{
                {WRITE} person {{ name }} }} }}""",
            {"duplicate": s.persons["Tarja Nordlin"], "survivor": tarja, "source": SOURCE},
            "person",
        ),
    ]


@pytest.fixture
def served(settings, tmp_path):
    with registry_process("serve", "--database", settings.url, cwd=tmp_path) as server:
        yield server


def test_every_mutation_writes_its_events_and_answers_them_with_their_positions(settings, served):
    seeded = seed(served.base)
    assert stored_position(settings) == seeded.position
    for name, document, variables, entity in mutations(seeded):
        before = stored_position(settings)
        answer = data(post(served.base, document, variables))[name]
        written = [e["position"] for e in answer["events"]]
        # Its own events, one after the other, the last of them the store's last.
        assert written == list(range(before + 1, stored_position(settings) + 1)), name
        assert answer["position"] == written[-1] and not answer["replayed"], name
        assert answer[entity] is not None, name
        mine = [e["version"] for e in answer["events"] if e["entityId"] == answer["entityId"]]
        assert answer["version"] == max(mine), name


def test_a_mutation_answers_the_entity_as_changed(settings, served):
    seeded = seed(served.base)
    _, document, variables, _ = mutations(seeded)[0]
    answer = data(post(served.base, document, variables))["appoint"]
    assert "Ingmar Ångman" in [m["personName"] for m in answer["body"]["members"]]


def test_a_query_at_least_at_the_position_of_a_write_sees_it(settings, served):
    seeded = seed(served.base)
    _, document, variables, _ = mutations(seeded)[0]
    position = data(post(served.base, document.replace("body {", "b: body {"), variables))
    position = position["appoint"]["position"]
    members = """query($body: ID!, $p: Int!) @atLeastPosition(position: $p) {
      members(bodyId: $body, asOf: "2020-04-10") { edges { node { personName } } } }"""
    found = data(post(served.base, members, {"body": seeded.bodies["styrgrupp"], "p": position}))
    assert "Ingmar Ångman" in [e["node"]["personName"] for e in found["members"]["edges"]]
    # A position the log has not reached: a clear error after the bounded wait.
    later = post(served.base, members, {"body": seeded.bodies["styrgrupp"], "p": position + 50})
    assert error_code(later) == "POSITION_NOT_REACHED"
    assert later["errors"][0]["extensions"]["reached"] == position


@pytest.mark.parametrize("what", ["unchanged", "changed"])
def test_an_import_by_mutation_answers_as_post_import_does(settings, served, what):
    seed(served.base)
    before = stored_position(settings)
    text = LATER.read_text()
    if what == "changed":
        text = text.replace('"500 000"', '"600 000"')
    answer = post(served.base, IMPORT, {"document": text})
    if what == "unchanged":
        assert data(answer)["importMinutes"]["status"] == "unchanged"
        assert data(answer)["importMinutes"]["events"] == []
    else:
        assert error_code(answer) == "CHANGED"
        assert "600 000" in answer["errors"][0]["extensions"]["diff"]
    assert stored_position(settings) == before


def refusals(s: Seeded) -> list[tuple[str, str, dict[str, Any], str]]:
    """(name, document, variables, code) of a refused request to every mutation."""
    styrgrupp, chefsgrupp = s.bodies["styrgrupp"], s.bodies["chefsgrupp"]
    tandvard = s.agreements["Avtal om uppsökande tandvård"]
    region = s.organisations["Region Örebro län"]
    ingmar = s.persons["Ingmar Ångman"]
    return [
        (
            "appoint",
            """mutation($body: ID!, $source: SourceInput!) { appoint(bodyId: $body,
               source: $source, appointment: {personId: "00000000-0000-4000-8000-000000000000", start: "2020-04-03"}) { position } }""",
            {"body": styrgrupp, "source": SOURCE},
            "NOT_FOUND",
        ),
        (
            "endMembership",
            """mutation($body: ID!, $source: SourceInput!) { endMembership(bodyId: $body,
               membershipId: "00000000-0000-4000-8000-000000000000", end: "2020-04-03", source: $source) { position } }""",
            {"body": styrgrupp, "source": SOURCE},
            "NOT_FOUND",
        ),
        (
            "replaceMember",
            """mutation($body: ID!, $out: ID!, $in: ID!, $source: SourceInput!) {
               replaceMember(bodyId: $body, outgoingPersonId: $out, source: $source,
               incoming: {personId: $in, start: "2020-05-01"}) { position } }""",
            {"body": styrgrupp, "out": ingmar, "in": s.persons["Tarja Nordling"], "source": SOURCE},
            "NOT_A_MEMBER",
        ),
        (
            "correctMembership",
            """mutation($body: ID!, $person: ID!, $source: SourceInput!) {
               correctMembership(bodyId: $body, membershipId: "00000000-0000-4000-8000-000000000000", reason: "Fel datum",
               corrected: {personId: $person, start: "2020-01-01"}, source: $source) {
               position } }""",
            {"body": styrgrupp, "person": ingmar, "source": SOURCE},
            "NOT_FOUND",
        ),
        (
            "correctDecision",
            """mutation($id: ID!, $source: SourceInput!) { correctDecision(decisionId: $id,
               kind: NOTED, text: "Ny text", reason: "  ", source: $source) { position } }""",
            {"id": decision(s, "16")["id"], "source": SOURCE},
            "INVALID_INPUT",
        ),
        (
            "withdrawCondition",
            """mutation($id: ID!, $condition: ID!, $source: SourceInput!) {
               withdrawCondition(decisionId: $id, conditionId: $condition,
               withdrawnOn: "2020-03-01", reason: "  ", source: $source) { position } }""",
            {
                "id": decision(s, "5")["id"],
                "condition": decision(s, "5")["conditions"][0]["id"],
                "source": SOURCE,
            },
            "INVALID_INPUT",
        ),
        (
            "meetCondition",
            """mutation($id: ID!, $source: SourceInput!) { meetCondition(decisionId: $id,
               conditionId: "00000000-0000-4000-8000-000000000000", metOn: "2020-03-01", source: $source) { position } }""",
            {"id": decision(s, "5")["id"], "source": SOURCE},
            "NOT_FOUND",
        ),
        (
            "adoptAgreement",
            """mutation($id: ID!, $party: ID!, $source: SourceInput!) {
               adoptAgreement(agreementId: $id, partyId: $party, adoptedOn: "2020-03-01",
               source: $source) { position } }""",
            {
                "id": s.agreements["Huvudöverenskommelse om samverkan"],
                "party": region,
                "source": SOURCE,
            },
            "INVALID_TRANSITION",
        ),
        (
            "adoptExtension",
            """mutation($id: ID!, $party: ID!, $source: SourceInput!) {
               adoptExtension(agreementId: $id, extensionKey: "no-such-extension",
               partyId: $party, adoptedOn: "2020-03-01", source: $source) { position } }""",
            {"id": tandvard, "party": region, "source": SOURCE},
            "NOT_FOUND",
        ),
        (
            "correctAgreementPeriod",
            """mutation($id: ID!, $source: SourceInput!) { correctAgreementPeriod(
               agreementId: $id, validFrom: "2021-01-01", validUntil: "2020-01-01",
               reason: "Fel", source: $source) { position } }""",
            {"id": tandvard, "source": SOURCE},
            "END_BEFORE_START",
        ),
        (
            "allocate",
            """mutation($fund: ID!, $decision: ID!, $source: SourceInput!) {
               allocate(fundId: $fund, recipient: "Kumla kommun", purpose: "Mer",
               amount: "1", authorisedBy: $decision, source: $source) { position } }""",
            {
                "fund": s.funds["Brukarmiljonen 2020"],
                "decision": decision(s, "5")["id"],
                "source": SOURCE,
            },
            "FUND_EXCEEDED",
        ),
        (
            "giveAssignment",
            """mutation($body: ID!, $source: SourceInput!) { giveAssignment(bodyId: $body,
               holderKind: BODY, holderName: "Styrgruppen", task: "Utreda",
               givenOn: "2020-04-03", dueDate: "2020-01-01", source: $source) { position } }""",
            {"body": chefsgrupp, "source": SOURCE},
            "END_BEFORE_START",
        ),
        (
            "reportAssignment",
            """mutation($id: ID!, $source: SourceInput!) { reportAssignment(assignmentId: $id,
               reportedOn: "2020-04-03", text: "Klart?", source: $source) { position } }""",
            {"id": s.assignments["Utveckla verksamheten vid TNE"], "source": SOURCE},
            "INVALID_TRANSITION",
        ),
        (
            "mergePersons",
            """mutation($id: ID!, $source: SourceInput!) { mergePersons(duplicateId: $id,
               survivorId: $id, reason: "Samma", source: $source) { position } }""",
            {"id": ingmar, "source": SOURCE},
            "INVALID_TRANSITION",
        ),
        (
            "importMinutes",
            IMPORT,
            {"document": LATER.read_text().replace('total: "500 000"', 'total: "-5"')},
            "INVALID_AMOUNT",
        ),
    ]


def test_a_refused_mutation_writes_nothing_and_says_why(settings, served):
    seeded = seed(served.base)
    before = stored_position(settings)
    codes = {}
    for name, document, variables, _ in refusals(seeded):
        answer = post(served.base, document, variables)
        assert answer["data"] is None, (name, answer)
        codes[name] = error_code(answer)
        assert answer["errors"][0]["message"], name
    assert codes == {name: code for name, _, _, code in refusals(seeded)}
    assert stored_position(settings) == before


WITHDRAW = """mutation($id: ID!, $condition: ID!, $source: SourceInput!) {
  withdrawCondition(decisionId: $id, conditionId: $condition, withdrawnOn: "2020-03-01",
                    reason: "Regionstyrelsen avslog förslaget.", source: $source) {
    position events { type }
    decision { status(asOf: "2020-03-02") conditions { withdrawnOn }
               pendingEffects { kind status } }
  }
}"""


def test_a_withdrawn_condition_lapses_the_decision_and_its_effects_never_apply(settings, served):
    seeded = seed(served.base)
    five = decision(seeded, "5")
    variables = {"id": five["id"], "condition": five["conditions"][0]["id"], "source": SOURCE}
    answer = data(post(served.base, WITHDRAW, variables))["withdrawCondition"]
    assert [e["type"] for e in answer["events"]] == ["ConditionWithdrawn"]
    assert answer["decision"]["status"] == "LAPSED"
    assert answer["decision"]["conditions"] == [{"withdrawnOn": "2020-03-01"}]
    effects = answer["decision"]["pendingEffects"]
    assert effects and {e["status"] for e in effects} == {"NEVER"}
    funds = read_at(
        served.base,
        """query($position: Int!) @atLeastPosition(position: $position) {
             funds { edges { node { name } } } }""",
        {"position": answer["position"]},
    )
    assert "Brukarmiljonen 2020" not in {e["node"]["name"] for e in funds["funds"]["edges"]}
    # Withdrawn once; a second withdrawal is refused and writes nothing.
    before = stored_position(settings)
    assert error_code(post(served.base, WITHDRAW, variables)) == "INVALID_TRANSITION"
    assert stored_position(settings) == before


def cache_hits(base: str) -> float:
    metrics = httpx.get(f"{base}/metrics", timeout=30).text
    line = next(
        x
        for x in metrics.splitlines()
        if x.startswith("registry_answer_cache_hits") and not x.startswith("#")
    )
    return float(line.split()[1])


def test_queries_are_answered_from_the_cache_but_never_from_before_a_write(settings, served):
    seeded = seed(served.base)
    members = """query($body: ID!) {
      members(bodyId: $body, asOf: "2020-04-10") { edges { node { personName } } } }"""
    variables = {"body": seeded.bodies["styrgrupp"]}
    first = data(post(served.base, members, variables))
    hits = cache_hits(served.base)
    assert data(post(served.base, members, variables)) == first
    assert cache_hits(served.base) == hits + 1  # a schema with mutations still caches queries
    _, document, appointment, _ = mutations(seeded)[0]
    position = data(post(served.base, document, appointment))["appoint"]["position"]
    data(
        post(
            served.base,
            "query($p: Int!) @atLeastPosition(position: $p) { __typename }",
            {"p": position},
        )
    )
    after = data(post(served.base, members, variables))
    assert "Ingmar Ångman" in [e["node"]["personName"] for e in after["members"]["edges"]]
    assert "Ingmar Ångman" not in [e["node"]["personName"] for e in first["members"]["edges"]]
