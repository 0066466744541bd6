"""Checking the hash chain: a live store, an exported file, or an inclusion proof.

Every check walks events in position order next to the links recorded for them and stops at
the FIRST position where they disagree, saying what disagrees (an edited payload or recorded
time, a deleted, inserted or reordered event, a link that does not follow). Signed checkpoints
(the store's own and any digest an auditor kept) are then checked: the signature against the
registry's public key, and the link at their position against the recomputed chain.
"""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from registry.chain import ChainStore
from registry.chain_links import (
    GENESIS_HEX,
    ChainRow,
    Checkpoint,
    RawEvent,
    canonical_id,
    next_link,
)
from registry.signing import load_public_key, signature_valid

EXPORT_FORMAT = "registry-export-v1"
DIGEST_FORMAT = "registry-digest-v1"
PROOF_FORMAT = "registry-proof-v1"

Progress = Callable[[int], None]


class AuditFileError(ValueError):
    """A digest, proof or export file that cannot be read (the message names the file and
    the place in it)."""


@dataclass(frozen=True)
class Finding:
    """One thing that does not verify, at a position of the log (None: not tied to one)."""

    position: int | None
    message: str

    def line(self) -> str:
        where = f"position {self.position}" if self.position is not None else "log"
        return f"BROKEN at {where}: {self.message}"


@dataclass
class ChainWalk:
    """The outcome of walking a chain: how far it verified, and the first break."""

    head_position: int = 0
    head_hash: str = GENESIS_HEX
    events: int = 0
    broken: Finding | None = None
    links: dict[int, str] = field(default_factory=dict)  # recomputed links at asked positions


def walk_chain(
    prev_hex: str,
    events: Iterable[RawEvent],
    rows: Iterable[ChainRow],
    want: set[int] | None = None,
    progress: Progress | None = None,
) -> ChainWalk:
    """Recompute the links of `events` after `prev_hex`, compare them with the recorded
    `rows` (both in position order) and stop at the first disagreement."""
    result = ChainWalk(head_hash=prev_hex)
    want = want or set()
    if 0 in want:
        result.links[0] = GENESIS_HEX
    prev = bytes.fromhex(prev_hex)
    event_iter: Iterator[RawEvent] = iter(events)
    row_iter: Iterator[ChainRow] = iter(rows)
    event = next(event_iter, None)
    row = next(row_iter, None)
    done = 0
    while event is not None or row is not None:
        if event is not None and (row is None or event.position < row.position):
            result.broken = Finding(
                event.position,
                f"event {event.originator_id} v{event.originator_version} has no link in the "
                "chain: inserted outside the registry",
            )
            break
        if row is not None and (event is None or row.position < event.position):
            result.broken = Finding(
                row.position,
                f"event {row.originator_id} v{row.originator_version} (recorded "
                f"{row.recorded_at}) is in the chain but missing from the log: deleted",
            )
            break
        assert event is not None and row is not None
        position = event.position
        if row.prev_hash != prev.hex():
            result.broken = Finding(
                position,
                "the link does not follow the one before it: an event before it was removed "
                "with its link, or the chain was rewritten",
            )
            break
        if (event.originator_id, event.originator_version) != (
            row.originator_id,
            row.originator_version,
        ):
            result.broken = Finding(
                position,
                f"holds event {event.originator_id} v{event.originator_version} where the chain "
                f"recorded {row.originator_id} v{row.originator_version}: events reordered or "
                "replaced",
            )
            break
        digest = event.digest()
        if digest.hex() != row.event_hash:
            if event.recorded_at != row.recorded_at:
                what = (
                    f"recorded time edited: the log says {event.recorded_at or '(none)'}, the "
                    f"chain recorded {row.recorded_at}"
                )
            else:
                what = "stored bytes edited (payload or topic): they no longer hash to the link"
            result.broken = Finding(
                position, f"event {event.originator_id} v{event.originator_version}: {what}"
            )
            break
        link = next_link(prev, digest)
        if link.hex() != row.hash:
            result.broken = Finding(position, "the link hash itself was edited")
            break
        prev = link
        result.head_position = position
        result.head_hash = link.hex()
        result.events += 1
        if position in want:
            result.links[position] = link.hex()
        done += 1
        if progress is not None and done % 1000 == 0:
            progress(1000)
        event = next(event_iter, None)
        row = next(row_iter, None)
    if progress is not None and done % 1000:
        progress(done % 1000)
    return result


def check_checkpoints(
    walk: ChainWalk,
    checkpoints: Sequence[tuple[str, Checkpoint]],
    key: Ed25519PublicKey | None,
) -> list[Finding]:
    """Each (what, checkpoint): its signature, and whether the verified chain reaches and
    matches it. `key` None: each is checked against the public key it carries."""
    findings = []
    break_at = walk.broken.position if walk.broken else None
    for what, cp in checkpoints:
        label = f"{what} at position {cp.position} signed {cp.signed_at}"
        try:
            checking_key = key or load_public_key(cp.public_key)
        except ValueError:
            checking_key = None
        if checking_key is None or not signature_valid(cp, checking_key):
            findings.append(
                Finding(
                    cp.position,
                    f"{label}: the signature does not verify with the registry's public key "
                    "(forged or altered)",
                )
            )
            continue
        if break_at is not None and cp.position >= break_at:
            continue  # the chain already broke before it; the break is the finding
        if cp.position > walk.head_position:
            findings.append(
                Finding(
                    walk.head_position + 1,
                    f"the log ends at position {walk.head_position} but the {label} covers up "
                    f"to {cp.position}: history truncated (it does not extend the {what})",
                )
            )
        elif cp.position not in walk.links:
            findings.append(
                Finding(cp.position, f"{label}: no event at that position: history rewritten")
            )
        elif walk.links[cp.position] != cp.hash:
            findings.append(
                Finding(
                    cp.position,
                    f"history does not extend the {label}: the link there is "
                    f"{walk.links[cp.position]}, the {what} signed {cp.hash}",
                )
            )
    return findings


@dataclass
class Report:
    """What a verification found: findings sorted by position, and the verified head."""

    findings: list[Finding]
    walk: ChainWalk
    checkpoints: int

    @property
    def ok(self) -> bool:
        return not self.findings


def _sorted(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.position is None, f.position or 0))


def verify_store(
    store: ChainStore,
    key: Ed25519PublicKey | None,
    digests: Sequence[Checkpoint] = (),
    progress: Progress | None = None,
) -> Report:
    """Re-read the raw stored events, recompute the chain against the stored links, then
    check the stored checkpoints and the given digests."""
    stored = store.checkpoints()
    named = [("checkpoint", cp) for cp in stored] + [("published digest", d) for d in digests]
    want = {cp.position for _, cp in named}
    walk = walk_chain(GENESIS_HEX, store.iter_raw_events(), store.iter_chain_rows(), want, progress)
    findings = [walk.broken] if walk.broken else []
    findings += check_checkpoints(walk, named, key)
    return Report(_sorted(findings), walk, len(named))


# -- digest files ------------------------------------------------------------------------------


def digest_json(checkpoint: Checkpoint) -> dict[str, Any]:
    return {"format": DIGEST_FORMAT, **checkpoint.as_json()}


def read_digest(path: Path) -> Checkpoint:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise AuditFileError(f"{path}: not a readable JSON digest ({error})") from None
    if not isinstance(data, dict) or data.get("format") != DIGEST_FORMAT:
        raise AuditFileError(f"{path}: format: expected {DIGEST_FORMAT!r}")
    try:
        return Checkpoint.from_json(data)
    except (KeyError, TypeError, ValueError) as error:
        raise AuditFileError(f"{path}: missing or invalid field {error}") from None


# -- inclusion proofs --------------------------------------------------------------------------


def _event_json(event: RawEvent) -> dict[str, Any]:
    return {
        "position": event.position,
        "originator_id": event.originator_id,
        "originator_version": event.originator_version,
        "topic": event.topic,
        "state": base64.b64encode(event.state).decode("ascii"),
    }


def _event_from_json(data: dict[str, Any]) -> RawEvent:
    return RawEvent(
        position=int(data["position"]),
        originator_id=canonical_id(str(data["originator_id"])),
        originator_version=int(data["originator_version"]),
        topic=str(data["topic"]),
        state=base64.b64decode(str(data["state"]), validate=True),
    )


def make_proof(store: ChainStore, position: int, head: Checkpoint) -> dict[str, Any]:
    """The stored event at `position`, the link before it, and the event hashes of every
    link after it up to the signed `head`: enough to recompute the head's hash offline."""
    found = store.raw_events(after=position - 1, limit=1)
    if not found or found[0].position != position:
        raise LookupError(f"no stored event at position {position}")
    if head.position < position:
        raise LookupError(f"the signed head at {head.position} is before position {position}")
    before = store.chain_row_before(position)
    following = []
    after = position
    while after < head.position:
        rows = store.chain_rows(after=after, limit=5000, upto=head.position)
        if not rows:
            break
        following += [[r.position, r.event_hash] for r in rows]
        after = rows[-1].position
    return {
        "format": PROOF_FORMAT,
        "event": _event_json(found[0]),
        "prev_hash": before.hash if before else GENESIS_HEX,
        "following": following,
        "head": head.as_json(),
    }


def verify_proof(proof: dict[str, Any], key: Ed25519PublicKey) -> list[Finding]:
    """Check an inclusion proof without any store: the event's bytes, through every later
    link, give the signed head's hash, and the head is signed by `key`."""
    try:
        if proof.get("format") != PROOF_FORMAT:
            return [Finding(None, f"format: expected {PROOF_FORMAT!r}")]
        event = _event_from_json(proof["event"])
        head = Checkpoint.from_json(proof["head"])
        link = next_link(bytes.fromhex(proof["prev_hash"]), event.digest())
        last = event.position
        for position, digest in proof["following"]:
            if int(position) <= last:
                return [Finding(int(position), "positions in the proof are not increasing")]
            link = next_link(link, bytes.fromhex(digest))
            last = int(position)
    except (KeyError, TypeError, ValueError) as error:
        return [Finding(None, f"not a readable proof: {error!r}")]
    findings = []
    if not signature_valid(head, key):
        findings.append(
            Finding(head.position, "the head's signature does not verify with the public key")
        )
    if last != head.position or link.hex() != head.hash:
        findings.append(
            Finding(
                event.position,
                f"the event and the links after it give {link.hex()} at position {last}, "
                f"not the signed head {head.hash} at {head.position}: the event or the proof "
                "was altered",
            )
        )
    return findings


# -- export files ------------------------------------------------------------------------------


def write_ndjson(
    store: ChainStore, out: TextIO, progress: Progress | None = None
) -> tuple[int, tuple[int, str]]:
    """The whole log as ND-JSON: a header, one line per stored event (bytes in base64, with
    its link), then the signed checkpoints and the chain's facts. Returns (events, head)."""
    head = store.chain_head()
    header = {
        "type": "header",
        "format": EXPORT_FORMAT,
        "exported_at": datetime.now(UTC).isoformat(),
        "events": store.count_events(),
        "head": {"position": head[0], "hash": head[1]},
    }
    out.write(json.dumps(header, ensure_ascii=False) + "\n")
    count = 0
    rows = store.iter_chain_rows()
    links = {}
    for event in store.iter_raw_events():
        # Links are read alongside; a missing link is written as null and fails verification.
        while event.position not in links:
            row = next(rows, None)
            if row is None:
                break
            links[row.position] = row
        row = links.pop(event.position, None)
        line = {
            "type": "event",
            **_event_json(event),
            "event_hash": row.event_hash if row else None,
            "prev_hash": row.prev_hash if row else None,
            "hash": row.hash if row else None,
        }
        out.write(json.dumps(line) + "\n")
        count += 1
        if progress is not None and count % 1000 == 0:
            progress(1000)
    for checkpoint in store.checkpoints():
        out.write(json.dumps({"type": "checkpoint", **checkpoint.as_json()}) + "\n")
    meta = store.chain_meta()
    if meta:
        out.write(json.dumps({"type": "chain_meta", **meta}) + "\n")
    if progress is not None and count % 1000:
        progress(count % 1000)
    return count, head


@dataclass
class ExportFile:
    """An export file read back: events with their recorded links, checkpoints, facts."""

    events: list[RawEvent]
    rows: list[ChainRow]
    checkpoints: list[Checkpoint]
    meta: dict[str, str]
    header: dict[str, Any]


def read_export(path: Path, progress: Progress | None = None) -> ExportFile:
    events: list[RawEvent] = []
    rows: list[ChainRow] = []
    checkpoints: list[Checkpoint] = []
    meta: dict[str, str] = {}
    header: dict[str, Any] = {}
    try:
        handle = path.open(encoding="utf-8")
    except OSError as error:
        raise AuditFileError(f"{path}: cannot open ({error.strerror})") from None
    with handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                line = json.loads(text)
                kind = line.get("type")
                if number == 1:
                    if kind != "header" or line.get("format") != EXPORT_FORMAT:
                        raise ValueError(f"the first line must be the {EXPORT_FORMAT} header")
                    header = line
                elif kind == "event":
                    event = _event_from_json(line)
                    events.append(event)
                    rows.append(
                        ChainRow(
                            position=event.position,
                            originator_id=event.originator_id,
                            originator_version=event.originator_version,
                            recorded_at=event.recorded_at,
                            event_hash=str(line["event_hash"]),
                            hash=str(line["hash"]),
                            prev_hash=str(line["prev_hash"]),
                        )
                    )
                    if progress is not None and len(events) % 1000 == 0:
                        progress(1000)
                elif kind == "checkpoint":
                    checkpoints.append(Checkpoint.from_json(line))
                elif kind == "chain_meta":
                    meta = {k: str(v) for k, v in line.items() if k != "type"}
                else:
                    raise ValueError(f"type: unknown line type {kind!r}")
            except (ValueError, KeyError, TypeError, AttributeError) as error:
                raise AuditFileError(f"{path}: line {number}: {error}") from None
    if not header:
        raise AuditFileError(f"{path}: empty file, no {EXPORT_FORMAT} header")
    if progress is not None and len(events) % 1000:
        progress(len(events) % 1000)
    return ExportFile(events, rows, checkpoints, meta, header)


def verify_export(
    export: ExportFile,
    key: Ed25519PublicKey | None,
    digests: Sequence[Checkpoint] = (),
    progress: Progress | None = None,
) -> Report:
    """Recompute the chain of an export file and check its checkpoints (and digests)."""
    named = [("checkpoint", cp) for cp in export.checkpoints] + [
        ("published digest", d) for d in digests
    ]
    walk = walk_chain(
        GENESIS_HEX, export.events, export.rows, {cp.position for _, cp in named}, progress
    )
    findings = [walk.broken] if walk.broken else []
    # Reordered rows in the file: the recorded positions must increase.
    positions = [e.position for e in export.events]
    for earlier, later in itertools.pairwise(positions):
        if later <= earlier:
            findings.append(Finding(later, "events out of order in the file"))
            break
    findings += check_checkpoints(walk, named, key)
    return Report(_sorted(findings), walk, len(named))
