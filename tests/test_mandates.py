"""Mandate chains on both stores: whether a decision lay within its body's mandate or a
delegation on its day, with the chain of decisions that justifies it or the reason it does
not, UNKNOWN where the registry holds no structured mandate; and a recommendation of a
consultative body, which binds each principal only once that principal adopts it by its own
decision (also when it is an agreement extension the principals adopt). The files are
invented (tests/import_cases/mandates/)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.minutes_client import ask, client, import_twice, imported, refused, served_graphql

__all__ = ["client"]

CASES = Path(__file__).parent / "import_cases" / "mandates"
NAMND = (CASES / "1-socialnamnden-2021-01-12.yaml").read_text()
UTSKOTT = (CASES / "2-arbetsutskottet-2021-03-02.yaml").read_text()
SAMVERKAN = (CASES / "4-samverkansorgan-2021-04-09.yaml").read_text()
ANTAR = (CASES / "5-kommunstyrelsen-2021-05-04.yaml").read_text()

CHECKS = """query($knownAt: DateTime) {
  decisions(knownAt: $knownAt) { nodes {
    item body { name }
    withinMandate {
      within verdict reason
      chain { kind power holder body { name } decision { item body { name } } }
    }
  } }
}"""

RECOMMENDATIONS = """query($knownAt: DateTime) {
  decisions(knownAt: $knownAt) { nodes {
    item body { name }
    recommendation {
      adoptedByAll(asOf: "2021-12-31")
      principals {
        organisation { name }
        before: obligation(asOf: "2021-05-03")
        after: obligation(asOf: "2021-05-04")
        adoptedBy { adoptedOn viaAgreement decision { item text body { name } } }
      }
    }
  } }
}"""


def checks(client, known_at: str | None = None) -> dict[tuple[str, str], dict]:
    nodes = ask(client, CHECKS, knownAt=known_at)["decisions"]["nodes"]
    return {(d["body"]["name"], d["item"]): d["withinMandate"] for d in nodes}


def test_a_body_that_decides_what_it_may_only_recommend_is_outside_its_mandate(client):
    import_twice(client, SAMVERKAN)
    found = checks(client)
    decided = found[("Samverkansorgan Testlän", "4")]
    assert decided["within"] is False and decided["verdict"] == "OUTSIDE"
    assert decided["chain"] == []
    assert "Samverkansorgan Testlän may only recommend on avgifter" in decided["reason"]
    assert decided["reason"].endswith("not decide")


def test_a_recommendation_within_a_consultative_mandate_has_its_chain(client):
    import_twice(client, SAMVERKAN)
    recommended = checks(client)[("Samverkansorgan Testlän", "3")]
    assert recommended["within"] is True
    assert [(c["kind"], c["power"], c["body"]["name"]) for c in recommended["chain"]] == [
        ("MANDATE", "RECOMMEND", "Samverkansorgan Testlän"),
        ("DECISION", "RECOMMEND", "Samverkansorgan Testlän"),
    ]
    # The mandate was stated in background (the samverkansavtal): no decision to link.
    assert recommended["chain"][0]["decision"] is None
    assert recommended["chain"][1]["decision"]["item"] == "3"


def test_a_delegated_decision_is_within_by_the_chain_namnd_to_its_arbetsutskott(client):
    for text in (NAMND, UTSKOTT):
        imported(client, text)
    within = checks(client)[("Socialnämndens arbetsutskott Testkommun", "2")]
    assert within["within"] is True and within["verdict"] == "WITHIN"
    assert [
        (c["kind"], c["power"], c["body"]["name"], (c["decision"] or {}).get("item"))
        for c in within["chain"]
    ] == [
        ("MANDATE", "DECIDE", "Socialnämnden Testkommun", None),
        ("DELEGATION", "DECIDE", "Socialnämndens arbetsutskott Testkommun", "4"),
        ("DECISION", "DECIDE", "Socialnämndens arbetsutskott Testkommun", "2"),
    ]
    assert within["chain"][1]["decision"]["body"]["name"] == "Socialnämnden Testkommun"


def test_a_delegated_decision_above_the_delegations_ceiling_is_outside(client):
    for text in (NAMND, UTSKOTT):
        imported(client, text)
    above = checks(client)[("Socialnämndens arbetsutskott Testkommun", "3")]
    assert above["within"] is False and above["chain"] == []
    assert above["reason"] == (
        "the delegation 'upphandling' of Socialnämnden Testkommun goes up to 500 000 kr; "
        "the decision is for 700 000 kr"
    )


def test_a_delegated_decision_before_the_delegation_holds_is_outside(client):
    imported(client, NAMND)
    early = UTSKOTT.replace("2021-03-02", "2021-01-20")
    imported(client, early)
    found = checks(client)[("Socialnämndens arbetsutskott Testkommun", "2")]
    assert found["within"] is False
    assert "held from 2021-02-01, not on 2021-01-20" in found["reason"]


def test_without_a_structured_mandate_the_answer_is_unknown_never_a_violation(client):
    bare = SAMVERKAN.split("background:")[0] + "items:" + SAMVERKAN.split("items:")[1]
    imported(client, bare)
    found = checks(client)
    for item in ("3", "4"):
        answer = found[("Samverkansorgan Testlän", item)]
        assert (answer["within"], answer["verdict"]) == (None, "UNKNOWN")
        assert "holds no structured mandate of Samverkansorgan Testlän" in answer["reason"]


def test_a_decision_that_claims_nothing_is_unknown(client):
    imported(client, SAMVERKAN)
    imported(client, ANTAR)
    answer = checks(client)[("Kommunstyrelsen Testkommun", "12")]
    assert (answer["within"], answer["verdict"], answer["chain"]) == (None, "UNKNOWN", [])
    assert answer["reason"].startswith("the decision does not record what it claims")


def test_the_answer_as_known_before_the_mandate_was_recorded_is_unknown(client):
    bare = SAMVERKAN.split("background:")[0] + "items:" + SAMVERKAN.split("items:")[1]
    imported(client, bare)
    before = datetime.now(UTC).isoformat()
    # The mandate added to the file later, as a correction.
    status = imported(client, SAMVERKAN, correct=True, reason="Mandatet ur samverkansavtalet")
    assert status == "corrected"
    assert checks(client)[("Samverkansorgan Testlän", "4")]["within"] is False
    assert checks(client, before)[("Samverkansorgan Testlän", "4")]["within"] is None


def test_a_recommendation_binds_a_principal_only_once_it_adopts_it(client):
    import_twice(client, SAMVERKAN)
    import_twice(client, ANTAR)
    nodes = ask(client, RECOMMENDATIONS)["decisions"]["nodes"]
    found = {(d["body"]["name"], d["item"]): d["recommendation"] for d in nodes}
    assert found[("Samverkansorgan Testlän", "4")] is None  # claims to decide
    recommendation = found[("Samverkansorgan Testlän", "3")]
    assert recommendation["adoptedByAll"] is False  # the region has not adopted it
    principals = {p["organisation"]["name"]: p for p in recommendation["principals"]}
    assert principals["Region Testlän"] == {
        "organisation": {"name": "Region Testlän"},
        "before": False,
        "after": False,
        "adoptedBy": None,
    }
    kommun = principals["Testkommun"]
    assert (kommun["before"], kommun["after"]) == (False, True)
    assert kommun["adoptedBy"] == {
        "adoptedOn": "2021-05-04",
        "viaAgreement": False,
        "decision": {
            "item": "12",
            "text": "Kommunstyrelsen antar samverkansorganets rekommendation om gemensam "
            "avgiftsmodell.",
            "body": {"name": "Kommunstyrelsen Testkommun"},
        },
    }


def test_a_recommendation_before_its_adoption_was_recorded_binds_no_principal(client):
    imported(client, SAMVERKAN)
    before = datetime.now(UTC).isoformat()
    imported(client, ANTAR)
    nodes = ask(client, RECOMMENDATIONS, knownAt=before)["decisions"]["nodes"]
    (recommendation,) = [d["recommendation"] for d in nodes if d["recommendation"]]
    assert all(p["adoptedBy"] is None and not p["after"] for p in recommendation["principals"])


def test_an_organisation_that_is_not_a_principal_cannot_adopt_the_recommendation(client):
    imported(client, SAMVERKAN)
    other = ANTAR.replace(
        "persons:", "organisations:\n  - {ref: annan, name: Annan kommun, kind: kommun}\npersons:"
    ).replace("principal: Testkommun", "principal: annan")
    assert refused(client, other) == [
        ("items[0].decisions[0].recommendation_adoptions[0].principal", "INVALID_INPUT")
    ]


AGREEMENT = """\
version: 1
kind: minutes
source: {document: Protokoll Samverkansorgan Testlän 2021-09-10, note: Invented for tests.}
date: 2021-09-10
body: Samverkansorgan Testlän
persons:
  - {ref: rut, name: Rut Regionsson, organisation: Region Testlän}
meeting: {present: [rut], chair: rut}
background:
  agreements:
    - {title: Testavtal hjälpmedel, parties: [Region Testlän, Testkommun], valid_from: 2020-01-01, valid_until: 2021-12-31}
items:
  - number: "2"
    title: Förlängning av testavtalet
    decisions:
      - kind: endorsed
        text: Samverkansorganet rekommenderar parterna att förlänga avtalet till 2022-12-31.
        extensions:
          - {agreement: Testavtal hjälpmedel, until: 2022-12-31, proposed: true, key: forlangning-2022}
"""

ADOPTS_EXTENSION = """\
version: 1
kind: minutes
source: {document: Protokoll Regionstyrelsen Testlän 2021-10-05, note: Invented for tests.}
date: 2021-10-05
body: {name: Regionstyrelsen Testlän, kind: styrelse, owners: [Region Testlän]}
persons:
  - {ref: rut, name: Rut Regionsson, organisation: Region Testlän}
meeting: {present: [rut], chair: rut}
items:
  - number: "8"
    title: Förlängning av testavtalet
    decisions:
      - kind: decided
        text: Regionstyrelsen antar förlängningen.
        adoptions:
          - {agreement: Testavtal hjälpmedel, party: Region Testlän, extension: forlangning-2022}
"""


def test_an_agreement_extension_recommended_is_adopted_by_each_partys_own_decision(client):
    imported(client, SAMVERKAN)
    imported(client, AGREEMENT)
    imported(client, ADOPTS_EXTENSION)
    nodes = ask(client, RECOMMENDATIONS)["decisions"]["nodes"]
    (recommendation,) = [
        d["recommendation"] for d in nodes if d["item"] == "2" and d["recommendation"]
    ]
    principals = {p["organisation"]["name"]: p["adoptedBy"] for p in recommendation["principals"]}
    assert principals["Testkommun"] is None
    assert principals["Region Testlän"] == {
        "adoptedOn": "2021-10-05",
        "viaAgreement": True,
        "decision": {
            "item": "8",
            "text": "Regionstyrelsen antar förlängningen.",
            "body": {"name": "Regionstyrelsen Testlän"},
        },
    }
    assert recommendation["adoptedByAll"] is False


def test_a_served_registry_answers_within_mandate_after_posted_files(settings, tmp_path):
    from tests.served import registry_process

    with registry_process("serve", "--database", settings.url, cwd=tmp_path) as server:
        position = 0
        for text in (NAMND, UTSKOTT, SAMVERKAN):
            status, answer = server.post("/import", text.encode(), "application/yaml")
            assert status == 200, answer
            position = answer["position"]
        nodes = served_graphql(server, CHECKS, position)["decisions"]["nodes"]
        found = {(d["body"]["name"], d["item"]): d["withinMandate"] for d in nodes}
        assert found[("Samverkansorgan Testlän", "4")]["within"] is False
        delegated = found[("Socialnämndens arbetsutskott Testkommun", "2")]
        assert delegated["within"] is True
        assert [c["kind"] for c in delegated["chain"]] == ["MANDATE", "DELEGATION", "DECISION"]


def test_the_seeds_recommendations_bind_no_principal_and_their_mandates_are_unknown(client):
    from api.cli import EXAMPLES
    from registry.importing import import_file

    registry = client.app.state.registry
    for path in sorted(EXAMPLES.glob("*.yaml")):
        import_file(registry, path)
    client.app.state.runner.wait_for(registry.max_position())
    query = """{ decisions(first: 500) { nodes {
      item text body { name }
      claim { kind }
      withinMandate { within verdict }
      recommendation { adoptedByAll(asOf: "2023-01-01")
        principals { organisation { name } obligation(asOf: "2023-01-01") adoptedBy { decision { id } } } }
    } } }"""
    nodes = ask(client, query)["decisions"]["nodes"]
    claimed = [d for d in nodes if d["claim"]]
    # The SRO's two recommendations (002, items 5 and 6), Storsthlm's (003), kommunstyrelsen's
    # proposal (003) and the chefsgrupp's decision that needs political approval (001, § 5).
    assert sorted((d["body"]["name"][:20], d["item"], d["claim"]["kind"]) for d in claimed) == [
        ("Chefsgrupp för samve", "5", "DECIDES"),
        ("Kommunstyrelsen", "1", "PROPOSES"),
        ("Politiskt samrådsorg", "5", "RECOMMENDS"),
        ("Politiskt samrådsorg", "6", "RECOMMENDS"),
        ("Storsthlms styrelse", "1", "RECOMMENDS"),
    ]
    # No seed states a structured mandate: never a violation, always unknown.
    assert {(d["withinMandate"]["within"], d["withinMandate"]["verdict"]) for d in claimed} == {
        (None, "UNKNOWN")
    }
    sro = next(d for d in claimed if d["item"] == "5" and d["body"]["name"].startswith("Politiskt"))
    principals = {p["organisation"]["name"]: p for p in sro["recommendation"]["principals"]}
    assert set(principals) == {"Västra Götalands kommuner", "Västra Götalandsregionen"}
    assert all(p["adoptedBy"] is None and p["obligation"] is False for p in principals.values())
    assert sro["recommendation"]["adoptedByAll"] is False


def test_a_delegated_decision_of_unknown_day_outside_the_delegations_period_is_unknown(client):
    imported(client, NAMND)
    quoted = UTSKOTT.replace(
        "        claim: {kind: decides, matter: upphandling, amount: 300000",
        '        date_not_after: "2021-01-20"\n'
        "        claim: {kind: decides, matter: upphandling, amount: 300000",
    )
    imported(client, quoted)
    found = checks(client)[("Socialnämndens arbetsutskott Testkommun", "2")]
    assert (found["within"], found["verdict"]) == (None, "UNKNOWN")
    assert "the decision's day is not known (on 2021-01-20 at the latest)" in found["reason"]


def test_a_claim_corrected_by_a_file_changes_the_answer_and_keeps_the_old_one(client):
    imported(client, SAMVERKAN)
    before = datetime.now(UTC).isoformat()
    corrected = SAMVERKAN.replace(
        "claim: {kind: decides, matter: avgifter}", "claim: {kind: recommends, matter: avgifter}"
    )
    status = imported(
        client, corrected, correct=True, reason="Ställningstagandet är en rekommendation"
    )
    assert status == "corrected"
    assert checks(client)[("Samverkansorgan Testlän", "4")]["within"] is True
    assert checks(client, before)[("Samverkansorgan Testlän", "4")]["within"] is False


def test_a_claims_delegation_cannot_be_changed_by_a_correction(client):
    for text in (NAMND, UTSKOTT):
        imported(client, text)
    other = UTSKOTT.replace(
        "amount: 300000, delegation", "amount: 300000, delegate: anna, delegation"
    )
    assert refused(client, other, correct=True, reason="x") == [
        ("items[0].decisions[0].claim.delegate", "NOT_CORRECTABLE")
    ]


OFFICE_HOLDERS = """\
version: 1
kind: statement
source: {document: Delegationsbeslut Socialnämnden Testkommun mars 2021, note: Invented for tests.}
date: 2021-03-10
body: Socialnämnden Testkommun
persons:
  - {ref: sara, name: Sara Socialchef, organisation: Testkommun}
items:
  - number: "D1"
    title: Bistånd enligt 4 kap. 1 § SoL
    decisions:
      - kind: decided
        text: Bistånd beviljas.
        claim: {kind: decides, matter: bistånd, delegation: {key: bistånd}}
  - number: "D2"
    title: Befrielse från avgift
    decisions:
      - kind: decided
        text: Avgiftsbefrielse beviljas.
        claim: {kind: decides, matter: avgiftsbefrielse, delegation: {key: avgiftsbefrielse}, delegate: sara}
"""


def test_a_decision_by_a_post_holder_is_within_by_the_namnds_delegation_to_the_post(client):
    imported(client, NAMND)
    imported(client, OFFICE_HOLDERS)
    post = checks(client)[("Socialnämnden Testkommun", "D1")]
    assert post["within"] is True
    assert [(c["kind"], c["holder"]) for c in post["chain"]] == [
        ("MANDATE", None),
        ("DELEGATION", "enhetschef"),
        ("DECISION", None),
    ]


def test_a_delegation_of_what_the_namnd_may_not_decide_justifies_nothing(client):
    imported(client, NAMND)
    imported(client, OFFICE_HOLDERS)
    person = checks(client)[("Socialnämnden Testkommun", "D2")]
    assert person["within"] is False
    assert person["reason"] == (
        "the delegation 'avgiftsbefrielse' of Socialnämnden Testkommun could not be given: "
        "Socialnämnden Testkommun may only discuss on avgiftsbefrielse (its mandate), not decide"
    )
