"""`meeting.serving`: the deputies who served in members' places at the meeting
(tjänstgörande ersättare), recorded after the file's memberships so that the members they
serve for can be checked (registry/domain/serving.py)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from registry.importing.facts import Fact, as_text
from registry.importing.problems import join_path


def serving_facts(builder: Any, meeting_id: UUID | None) -> None:
    """One fact for the meeting's list of serving deputies, if it has one."""
    meeting = builder.data.get("meeting") or {}
    entries = meeting.get("serving") or []
    if meeting_id is None or not entries:
        return
    found = []
    for i, entry in enumerate(entries):
        path = join_path("meeting", "serving", i)
        deputy = builder.resolver.resolve(entry["person"], ["person"], join_path(path, "person"))
        member = builder.resolver.resolve(
            entry["serving_for"], ["person"], join_path(path, "serving_for")
        )
        if deputy is not None and member is not None:
            found.append((deputy, member, entry.get("note")))
    builder.add(
        Fact(
            "serving",
            "meeting.serving",
            ("serving", meeting_id),
            {"serving": [[as_text(d.id), as_text(m.id), note] for d, m, note in found]},
            {"serving": entries},
            builder.context(None),
            {"meeting_id": meeting_id, "serving": found},
        )
    )
