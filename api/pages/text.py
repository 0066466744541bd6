"""The pages' interface text in Swedish (the default) and English, and which one a request
gets: `?lang=sv|en` first, else the first of them in Accept-Language, else Swedish."""

from __future__ import annotations

LANGUAGES = ("sv", "en")

TEXT: dict[str, dict[str, str]] = {
    "site": {"sv": "Besluts- och mandatregistret", "en": "Decision and mandate registry"},
    "skip": {"sv": "Hoppa till innehållet", "en": "Skip to content"},
    "start": {"sv": "Start", "en": "Start"},
    "search": {"sv": "Sök", "en": "Search"},
    "search_label": {
        "sv": "Sök i beslut, ärenden och avtal",
        "en": "Search decisions, agenda items and agreements",
    },
    "search_results": {"sv": "Sökresultat", "en": "Search results"},
    "no_hits": {"sv": "Inga träffar.", "en": "No hits."},
    "as_of": {"sv": "Läget den", "en": "As of"},
    "known_at": {
        "sv": "Som registret kände till det (UTC)",
        "en": "As the registry knew it on (UTC)",
    },
    "show": {"sv": "Visa", "en": "Show"},
    "now": {"sv": "nu", "en": "now"},
    "showing": {"sv": "Visar läget den", "en": "Showing the state on"},
    "as_known": {"sv": "som registret kände till det", "en": "as the registry knew it on"},
    "as_known_now": {
        "sv": "som registret känner till det nu",
        "en": "as the registry knows it now",
    },
    "time_travel": {"sv": "Tidsresa", "en": "Time travel"},
    "language": {"sv": "Språk", "en": "Language"},
    "other_language": {"sv": "In English", "en": "På svenska"},
    "tools": {"sv": "För utvecklare", "en": "For developers"},
    "bodies_by_org": {"sv": "Organ per organisation", "en": "Bodies by organisation"},
    "no_owner": {"sv": "Utan angiven huvudman", "en": "No owner recorded"},
    "expiring": {"sv": "Avtal som löper ut inom ett år", "en": "Agreements expiring within a year"},
    "in_force": {"sv": "Avtal i kraft", "en": "Agreements in force"},
    "latest_decisions": {"sv": "Senaste besluten", "en": "Latest decisions"},
    "funds": {"sv": "Medel", "en": "Funds"},
    "none": {"sv": "Inga.", "en": "None."},
    "body": {"sv": "Organ", "en": "Body"},
    "person": {"sv": "Person", "en": "Person"},
    "agreement": {"sv": "Avtal", "en": "Agreement"},
    "decision": {"sv": "Beslut", "en": "Decision"},
    "meeting": {"sv": "Möte", "en": "Meeting"},
    "fund": {"sv": "Medel", "en": "Fund"},
    "audit": {"sv": "Händelsespår", "en": "Audit trail"},
    "audit_of": {"sv": "Händelsespår för", "en": "Audit trail of"},
    "trail": {"sv": "spår", "en": "trail"},
    "trail_of": {"sv": "Händelsespår för", "en": "Audit trail of"},
    "kind": {"sv": "Typ", "en": "Kind"},
    "mandate": {"sv": "Uppdrag och befogenheter", "en": "Mandate"},
    "owners": {"sv": "Huvudmän", "en": "Owners"},
    "parent": {"sv": "Rapporterar till", "en": "Reports to"},
    "term": {"sv": "Mandatperiod", "en": "Term"},
    "composition": {"sv": "Sammansättning", "en": "Composition"},
    "seats": {"sv": "Platser", "en": "Seats"},
    "seat": {"sv": "Plats", "en": "Seat"},
    "vacant": {"sv": "vakant", "en": "vacant"},
    "filled": {"sv": "tillsatt", "en": "filled"},
    "members": {"sv": "Ledamöter och övriga", "en": "Members and others"},
    "no_members": {"sv": "Inga medlemmar detta datum.", "en": "No members on this date."},
    "name": {"sv": "Namn", "en": "Name"},
    "role": {"sv": "Roll", "en": "Role"},
    "on_behalf_of": {"sv": "För", "en": "On behalf of"},
    "deputy_for": {"sv": "Personlig ersättare för", "en": "Personal deputy for"},
    "from": {"sv": "Från", "en": "From"},
    "until": {"sv": "Till", "en": "Until"},
    "unknown_start": {"sv": "okänd start, senast", "en": "unknown start, by"},
    "ongoing": {"sv": "pågår", "en": "ongoing"},
    "decided_by": {"sv": "Beslut", "en": "Decision"},
    "history": {"sv": "Ändringar i sammansättningen", "en": "Composition history"},
    "timeline": {"sv": "Tidslinje", "en": "Timeline"},
    "timeline_desc": {
        "sv": "En stapel per uppdrag. Streckad början: startdatum okänt. Pil: pågår.",
        "en": "One bar per membership. Dashed start: start date unknown. Arrow: ongoing.",
    },
    "event": {"sv": "Händelse", "en": "Event"},
    "effective": {"sv": "Gäller från", "en": "Effective"},
    "recorded": {"sv": "Registrerad", "en": "Recorded"},
    "actor": {"sv": "Av", "en": "By"},
    "source": {"sv": "Källa", "en": "Source"},
    "meetings": {"sv": "Möten", "en": "Meetings"},
    "decisions": {"sv": "Beslut", "en": "Decisions"},
    "date": {"sv": "Datum", "en": "Date"},
    "place": {"sv": "Plats", "en": "Place"},
    "item": {"sv": "Ärende", "en": "Item"},
    "text": {"sv": "Text", "en": "Text"},
    "status": {"sv": "Status", "en": "Status"},
    "status_on": {"sv": "Status den", "en": "Status on"},
    "date_unknown": {"sv": "datum okänt, senast", "en": "date unknown, by"},
    "applies_from": {"sv": "Gäller från", "en": "Applies from"},
    "conditions": {"sv": "Villkor", "en": "Conditions"},
    "met_on": {"sv": "uppfyllt", "en": "met"},
    "not_met": {"sv": "ej uppfyllt", "en": "not met"},
    "statements": {
        "sv": "Reservationer och särskilda uttalanden",
        "en": "Reservations and statements",
    },
    "effects": {"sv": "Vad beslutet ändrade", "en": "What the decision changed"},
    "revoked_on": {"sv": "Upphävt", "en": "Revoked"},
    "superseded_by": {"sv": "Ersatt av", "en": "Superseded by"},
    "corrections": {"sv": "Rättelser", "en": "Corrections"},
    "document": {"sv": "Dokument", "en": "Document"},
    "note": {"sv": "Anteckning", "en": "Note"},
    "parties": {"sv": "Parter och antaganden", "en": "Parties and adoptions"},
    "party": {"sv": "Part", "en": "Party"},
    "adopted_on": {"sv": "Antaget", "en": "Adopted"},
    "not_adopted": {"sv": "ej antaget ännu", "en": "not adopted yet"},
    "validity": {"sv": "Giltighet", "en": "Validity"},
    "valid_from": {"sv": "Giltigt från", "en": "Valid from"},
    "valid_until": {"sv": "Giltigt till och med (avtalat)", "en": "Valid until (as agreed)"},
    "in_force_from": {"sv": "I kraft från (beräknat)", "en": "In force from (computed)"},
    "waiting_adoptions": {"sv": "väntar på antaganden", "en": "waiting for adoptions"},
    "effective_until": {"sv": "Sista giltiga dag (beräknad)", "en": "Last valid day (computed)"},
    "days_left": {"sv": "Dagar kvar", "en": "Days left"},
    "terminated_on": {"sv": "Uppsagt", "en": "Terminated"},
    "entry_rule": {"sv": "Ikraftträdande", "en": "Entry into force"},
    "requires_all": {
        "sv": "kräver alla parters antagande",
        "en": "requires every party's adoption",
    },
    "not_before": {"sv": "tidigast", "en": "not before"},
    "extensions": {"sv": "Förlängningar", "en": "Extensions"},
    "pending": {"sv": "väntande", "en": "pending"},
    "adopted": {"sv": "antagen", "en": "adopted"},
    "revisions": {"sv": "Revideringar", "en": "Revisions"},
    "validity_desc": {
        "sv": "Avtalad period, förlängningar (streckade: väntande) och idag/valt datum.",
        "en": "Agreed period, extensions (dashed: pending) and the chosen date.",
    },
    "attendance": {"sv": "Närvaro", "en": "Attendance"},
    "present": {"sv": "Närvarande", "en": "Present"},
    "absent": {"sv": "Frånvarande", "en": "Absent"},
    "chair": {"sv": "Ordförande", "en": "Chair"},
    "secretaries": {"sv": "Sekreterare", "en": "Secretaries"},
    "agenda": {"sv": "Dagordning", "en": "Agenda"},
    "presenters": {"sv": "Föredragande", "en": "Presenters"},
    "total": {"sv": "Totalt", "en": "Total"},
    "allocated": {"sv": "Fördelat", "en": "Allocated"},
    "remaining": {"sv": "Kvar", "en": "Remaining"},
    "allocations": {"sv": "Fördelningar", "en": "Allocations"},
    "recipient": {"sv": "Mottagare", "en": "Recipient"},
    "purpose": {"sv": "Syfte", "en": "Purpose"},
    "amount": {"sv": "Belopp", "en": "Amount"},
    "period": {"sv": "Period", "en": "Period"},
    "source_of_funds": {"sv": "Finansiering", "en": "Source of funds"},
    "fund_desc": {
        "sv": "Fördelningar och vad som återstår av totalen.",
        "en": "Allocations and what remains of the total.",
    },
    "mandates_now": {"sv": "Platser i organ", "en": "Mandates"},
    "mandates_over_time": {"sv": "Platser i organ över tid", "en": "Mandates over time"},
    "name_variants": {"sv": "Namnvarianter", "en": "Name variants"},
    "merged": {"sv": "Sammanslagna poster", "en": "Merged records"},
    "assignments": {"sv": "Uppdrag att utföra", "en": "Assignments"},
    "task": {"sv": "Uppgift", "en": "Task"},
    "due": {"sv": "Klart senast", "en": "Due"},
    "title": {"sv": "Titel", "en": "Title"},
    "political_party": {"sv": "Parti", "en": "Party"},
    "organisation": {"sv": "Organisation", "en": "Organisation"},
    "not_found": {"sv": "Finns inte", "en": "Not found"},
    "not_known": {
        "sv": "Registret känner inte till något med detta id vid den tidpunkten.",
        "en": "The registry does not know anything by this id at that time.",
    },
    "bad_request": {"sv": "Felaktig fråga", "en": "Bad request"},
    "data": {"sv": "Uppgifter", "en": "Data"},
    "position": {"sv": "Nr", "en": "No."},
    "decision_of": {"sv": "Beslut av", "en": "Decision of"},
    "held_on": {"sv": "Hölls", "en": "Held"},
    "legend": {"sv": "Förklaring", "en": "Legend"},
}

ENUMS: dict[str, dict[str, str]] = {
    "CHAIR": {"sv": "ordförande", "en": "chair"},
    "VICE_CHAIR": {"sv": "vice ordförande", "en": "vice chair"},
    "MEMBER": {"sv": "ledamot", "en": "member"},
    "DEPUTY": {"sv": "ersättare", "en": "deputy"},
    "SECRETARY": {"sv": "sekreterare", "en": "secretary"},
    "CO_OPTED": {"sv": "adjungerad", "en": "co-opted"},
    "DECIDED": {"sv": "beslutat", "en": "decided"},
    "APPROVED": {"sv": "godkänt", "en": "approved"},
    "ENDORSED": {"sv": "ställt sig bakom", "en": "endorsed"},
    "NOTED": {"sv": "noterat", "en": "noted"},
    "DEFERRED": {"sv": "bordlagt", "en": "deferred"},
    "REFERRED_BACK": {"sv": "återremitterat", "en": "referred back"},
    "NOT_YET_DECIDED": {"sv": "ej beslutat ännu", "en": "not yet decided"},
    "IN_FORCE": {"sv": "gäller", "en": "in force"},
    "CONDITIONAL": {"sv": "villkorat, väntar", "en": "conditional, pending"},
    "LAPSED": {"sv": "förfallet (villkoret uppfylls inte)", "en": "lapsed (condition withdrawn)"},
    "REVOKED": {"sv": "upphävt", "en": "revoked"},
    "SUPERSEDED": {"sv": "ersatt", "en": "superseded"},
    "NOT_YET_GIVEN": {"sv": "ej givet ännu", "en": "not yet given"},
    "OPEN": {"sv": "pågår", "en": "open"},
    "COMPLETED": {"sv": "slutfört", "en": "completed"},
    "WITHDRAWN": {"sv": "återkallat", "en": "withdrawn"},
    "pending": {"sv": "väntande", "en": "pending"},
    "adopted": {"sv": "antagen", "en": "adopted"},
}


def choose_language(query_lang: str | None, accept_language: str | None) -> str:
    """`?lang=` when it names a language we have, else the first of ours in Accept-Language
    (by q-value), else Swedish."""
    if query_lang in LANGUAGES:
        return query_lang
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, index, primary))
    return min(ranked)[2] if ranked else "sv"


def translator(lang: str):
    """`t(key)` for the templates: the text in `lang` (the key itself if missing, so a
    missing text shows instead of breaking the page)."""

    def t(key: str) -> str:
        entry = TEXT.get(key) or ENUMS.get(key)
        return entry[lang] if entry else key

    return t
