"""The hash chain's links: every stored event is linked to the one before it. This module
holds the canonical serialisation of a stored event and the link computed over it (no SQL;
the tables and the recorders that write a link with each event are registry/chain.py).
A link is

    event_hash = SHA-256(canonical serialisation of the stored event, see `event_material`)
    link       = SHA-256(previous link || event_hash)        (32 raw bytes each)

with 32 zero bytes before the first event. Changing, removing, inserting or reordering a
stored event changes every link from there on; a signed checkpoint of the head (Ed25519, see
`registry/signing.py`) lets anyone holding the public key notice a rewrite of the whole chain.
docs/audit.md describes the serialisation byte by byte.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

EVENT_MAGIC = b"REGISTRY-EVENT-1"
GENESIS = bytes(32)
GENESIS_HEX = GENESIS.hex()


# -- canonical serialisation ---------------------------------------------------------------


def _field(value: bytes) -> bytes:
    return len(value).to_bytes(8, "big") + value


_TIMESTAMP_PREFIX = b'{"timestamp":{"_type_":"datetime_iso","_data_":"'


def recorded_at_bytes(state: bytes) -> bytes:
    """The recorded time as the library wrote it at the start of the stored state: the
    bytes after `{"timestamp":{"_type_":"datetime_iso","_data_":"` up to the next `"`;
    empty when the state does not start so. A byte rule, not a JSON parse, so that an
    auditor's implementation cannot disagree with ours."""
    state = bytes(state)
    if not state.startswith(_TIMESTAMP_PREFIX):
        return b""
    end = state.find(b'"', len(_TIMESTAMP_PREFIX))
    return state[len(_TIMESTAMP_PREFIX) : end] if end >= 0 else b""


def recorded_at_of(state: bytes) -> str:
    """The recorded time (`recorded_at_bytes`) as text, for people and the event_chain row."""
    return recorded_at_bytes(state).decode("utf-8", "replace")


def canonical_id(originator_id: UUID | str) -> str:
    """The originator id as 36 lower-case characters with hyphens (SQLite stores 32 hex)."""
    return str(originator_id if isinstance(originator_id, UUID) else UUID(str(originator_id)))


def event_material(
    position: int, originator_id: UUID | str, version: int, topic: str, state: bytes
) -> bytes:
    """The canonical serialisation of one stored event: a magic string, then six fields,
    each as an 8-byte big-endian length followed by its bytes."""
    return EVENT_MAGIC + b"".join(
        _field(part)
        for part in (
            str(int(position)).encode("ascii"),
            canonical_id(originator_id).encode("ascii"),
            str(int(version)).encode("ascii"),
            topic.encode("utf-8"),
            recorded_at_bytes(state),
            bytes(state),
        )
    )


def event_hash(
    position: int, originator_id: UUID | str, version: int, topic: str, state: bytes
) -> bytes:
    return hashlib.sha256(event_material(position, originator_id, version, topic, state)).digest()


def next_link(prev: bytes, event_digest: bytes) -> bytes:
    return hashlib.sha256(prev + event_digest).digest()


@dataclass(frozen=True)
class RawEvent:
    """A stored event exactly as the store holds it, with its position."""

    position: int
    originator_id: str
    originator_version: int
    topic: str
    state: bytes

    @property
    def recorded_at(self) -> str:
        return recorded_at_of(self.state)

    def digest(self) -> bytes:
        return event_hash(
            self.position, self.originator_id, self.originator_version, self.topic, self.state
        )


@dataclass(frozen=True)
class ChainRow:
    """One stored link of the chain."""

    position: int
    originator_id: str
    originator_version: int
    recorded_at: str
    event_hash: str
    hash: str
    prev_hash: str


@dataclass(frozen=True)
class Checkpoint:
    """A signed head: position, link hash, the time of signing, signature and public key."""

    position: int
    hash: str
    signed_at: str
    signature: str
    public_key: str

    def as_json(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "hash": self.hash,
            "signed_at": self.signed_at,
            "signature": self.signature,
            "public_key": self.public_key,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Checkpoint:
        return cls(
            position=int(data["position"]),
            hash=str(data["hash"]),
            signed_at=str(data["signed_at"]),
            signature=str(data["signature"]),
            public_key=str(data["public_key"]),
        )


def link_rows(prev_hex: str, events: Sequence[RawEvent]) -> list[ChainRow]:
    """The chain rows for `events` (in position order) following the link `prev_hex`."""
    rows = []
    prev = bytes.fromhex(prev_hex)
    for event in events:
        digest = event.digest()
        link = next_link(prev, digest)
        rows.append(
            ChainRow(
                position=event.position,
                originator_id=canonical_id(event.originator_id),
                originator_version=event.originator_version,
                recorded_at=event.recorded_at,
                event_hash=digest.hex(),
                hash=link.hex(),
                prev_hash=prev.hex(),
            )
        )
        prev = link
    return rows
