"""The hash-chained log on both stores: links written with the events, `registry verify`
finding each kind of tampering at the right position, signed digests, and inclusion proofs
checked offline. The CLI runs as a real process."""

from __future__ import annotations

import base64
import json
import os
import re
import stat
from pathlib import Path

import pytest

from registry.application import Registry
from registry.chain_links import GENESIS_HEX, link_rows
from registry.config import StoreSettings
from tests.chain_support import cli, fill, raw


def _key_env(tmp_path: Path) -> dict[str, str]:
    return {"REGISTRY_SIGNING_KEY": str(tmp_path / "keys" / "registry.key")}


def verify(settings: StoreSettings, tmp_path: Path, *args: str):
    return cli("verify", "--database", settings.url, *args, cwd=tmp_path, env=_key_env(tmp_path))


def broken_positions(output: str) -> list[int]:
    return [int(p) for p in re.findall(r"^BROKEN at position (\d+):", output, re.M)]


def test_every_write_gets_its_link_in_order(settings):
    last = fill(settings, 5)
    registry = Registry(settings)
    try:
        rows = registry.chain.chain_rows(0, 100)
        events = registry.chain.raw_events(0, 100)
        assert [r.position for r in rows] == [e.position for e in events]
        assert rows[-1].position == last
        # Recomputing from the raw stored events gives the stored links, from the genesis.
        assert link_rows(GENESIS_HEX, events) == rows
        assert registry.chain.chain_head() == (last, rows[-1].hash)
    finally:
        registry.close()


def test_a_clean_store_verifies_with_its_digest(settings, tmp_path):
    fill(settings, 6)
    signed = cli(
        "digest",
        "--database",
        settings.url,
        "--output",
        str(tmp_path / "digest.json"),
        cwd=tmp_path,
        env=_key_env(tmp_path),
    )
    assert signed.returncode == 0, signed.stdout + signed.stderr
    key_file = tmp_path / "keys" / "registry.key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    digest = json.loads((tmp_path / "digest.json").read_text())
    assert digest["position"] == 6
    assert f"public key: {digest['public_key']}" in signed.stderr
    result = verify(settings, tmp_path, "--digest", str(tmp_path / "digest.json"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK:" in result.stdout and "6 events verify" in result.stdout


def test_an_edited_payload_is_found_at_its_position(settings, tmp_path):
    fill(settings, 8)
    with raw(settings) as db:
        db.set_state(5, db.state(5).replace(b"Kommun 4", b"Kommun X"))
    result = verify(settings, tmp_path)
    assert result.returncode == 1
    assert broken_positions(result.stdout)[0] == 5
    assert "stored bytes edited" in result.stdout


def test_an_edited_recorded_time_is_found_at_its_position(settings, tmp_path):
    fill(settings, 8)
    with raw(settings) as db:
        state = db.state(3)
        edited = re.sub(rb'"_data_":"(\d{4})-', b'"_data_":"2019-', state, count=1)
        assert edited != state
        db.set_state(3, edited)
    result = verify(settings, tmp_path)
    assert result.returncode == 1
    assert broken_positions(result.stdout)[0] == 3
    assert "recorded time edited" in result.stdout and "2019-" in result.stdout


def test_a_deleted_event_is_found_at_its_position(settings, tmp_path):
    fill(settings, 8)
    with raw(settings) as db:
        db.delete(6)
    result = verify(settings, tmp_path)
    assert result.returncode == 1
    assert broken_positions(result.stdout)[0] == 6
    assert "missing from the log: deleted" in result.stdout


def test_an_event_deleted_with_its_link_is_found_where_the_chain_jumps(settings, tmp_path):
    fill(settings, 8)
    with raw(settings) as db:
        db.delete(4)
        db.q("DELETE FROM event_chain WHERE position = 4")
    result = verify(settings, tmp_path)
    assert result.returncode == 1
    assert broken_positions(result.stdout)[0] == 5
    assert "does not follow" in result.stdout


def test_an_inserted_event_is_found_at_its_position(settings, tmp_path):
    fill(settings, 8)
    with raw(settings) as db:
        db.insert_copy(2, 9)
    result = verify(settings, tmp_path)
    assert result.returncode == 1
    assert broken_positions(result.stdout)[0] == 9
    assert "inserted outside the registry" in result.stdout


def test_two_swapped_events_are_found_at_the_first(settings, tmp_path):
    fill(settings, 8)
    with raw(settings) as db:
        db.swap(3, 4)
    result = verify(settings, tmp_path)
    assert result.returncode == 1
    assert broken_positions(result.stdout)[0] == 3
    assert "reordered or replaced" in result.stdout


def test_a_truncated_tail_does_not_extend_the_published_digest(settings, tmp_path):
    fill(settings, 8)
    digest_file = tmp_path / "published.json"
    signed = cli(
        "digest",
        "--database",
        settings.url,
        "--output",
        str(digest_file),
        cwd=tmp_path,
        env=_key_env(tmp_path),
    )
    assert signed.returncode == 0, signed.stderr
    # A consistent cover-up: the last three events, their links and the checkpoints go.
    with raw(settings) as db:
        for position in (6, 7, 8):
            db.delete(position)
        db.q("DELETE FROM event_chain WHERE position > 5")
        db.q("DELETE FROM chain_checkpoints")
    assert verify(settings, tmp_path).returncode == 0  # consistent without the digest...
    result = verify(settings, tmp_path, "--digest", str(digest_file))
    assert result.returncode == 1  # ...but not with the digest the auditor kept
    assert broken_positions(result.stdout) == [6]
    assert "history truncated" in result.stdout


def test_a_rewritten_chain_does_not_match_the_signed_checkpoint(settings, tmp_path):
    fill(settings, 8)
    assert (
        cli("digest", "--database", settings.url, cwd=tmp_path, env=_key_env(tmp_path)).returncode
        == 0
    )
    # Edit an event and recompute every link after it: the chain is consistent again,
    # but the signed checkpoint at position 8 does not match it.
    with raw(settings) as db:
        db.set_state(4, db.state(4).replace(b"Kommun 3", b"Kommun Y"))
    registry = Registry(settings)
    try:
        events = registry.chain.raw_events(0, 100)
        forged = link_rows(GENESIS_HEX, events)
    finally:
        registry.close()
    with raw(settings) as db:
        for row in forged:
            db.q(
                "UPDATE event_chain SET event_hash = ?, hash = ?, prev_hash = ? WHERE position = ?",
                (row.event_hash, row.hash, row.prev_hash, row.position),
            )
    result = verify(settings, tmp_path)
    assert result.returncode == 1
    assert broken_positions(result.stdout) == [8]
    assert "history does not extend the checkpoint" in result.stdout


def test_a_forged_signature_is_refused(settings, tmp_path):
    fill(settings, 5)
    assert (
        cli("digest", "--database", settings.url, cwd=tmp_path, env=_key_env(tmp_path)).returncode
        == 0
    )
    with raw(settings) as db:
        (signature,) = db.q("SELECT signature FROM chain_checkpoints")[0]
        forged = bytearray(base64.b64decode(signature))
        forged[10] ^= 0x01
        db.q("UPDATE chain_checkpoints SET signature = ?", (base64.b64encode(forged).decode(),))
    result = verify(settings, tmp_path)
    assert result.returncode == 1
    assert broken_positions(result.stdout) == [5]
    assert "signature does not verify" in result.stdout


def test_a_digest_signed_by_another_key_is_refused(settings, tmp_path):
    fill(settings, 5)
    other = tmp_path / "other"
    other.mkdir()
    # Someone with their own key signs the head: the registry's key does not verify it.
    signed = cli(
        "digest",
        "--database",
        settings.url,
        "--output",
        str(tmp_path / "fake.json"),
        cwd=other,
        env={"REGISTRY_SIGNING_KEY": str(other / "fake.key")},
    )
    assert signed.returncode == 0
    with raw(settings) as db:
        db.q("DELETE FROM chain_checkpoints")
    assert (
        cli("digest", "--database", settings.url, cwd=tmp_path, env=_key_env(tmp_path)).returncode
        == 0
    )
    result = verify(settings, tmp_path, "--digest", str(tmp_path / "fake.json"))
    assert result.returncode == 1
    assert "published digest at position 5" in result.stdout
    assert "signature does not verify" in result.stdout


@pytest.fixture
def proved(settings, tmp_path):
    fill(settings, 10)
    made = cli(
        "prove",
        "4",
        "--database",
        settings.url,
        "--output",
        str(tmp_path / "proof.json"),
        cwd=tmp_path,
        env=_key_env(tmp_path),
    )
    assert made.returncode == 0, made.stdout + made.stderr
    return tmp_path / "proof.json"


def test_an_inclusion_proof_verifies_offline(proved, tmp_path):
    key = tmp_path / "keys" / "registry.key"
    # No database at all: only the proof and the public key.
    result = cli("verify", "--proof", str(proved), "--public-key", str(key), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "at position 4 is in the log signed at position 10" in result.stdout


@pytest.mark.parametrize("where", ["event", "following", "signature"])
def test_an_inclusion_proof_with_one_byte_changed_is_refused(proved, tmp_path, where):
    proof = json.loads(proved.read_text())
    if where == "event":
        state = bytearray(base64.b64decode(proof["event"]["state"]))
        state[-5] ^= 0x01
        proof["event"]["state"] = base64.b64encode(state).decode()
    elif where == "following":
        digest = bytearray(bytes.fromhex(proof["following"][2][1]))
        digest[0] ^= 0x01
        proof["following"][2][1] = digest.hex()
    else:
        signature = bytearray(base64.b64decode(proof["head"]["signature"]))
        signature[0] ^= 0x01
        proof["head"]["signature"] = base64.b64encode(signature).decode()
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(proof))
    key = tmp_path / "keys" / "registry.key"
    result = cli("verify", "--proof", str(changed), "--public-key", str(key), cwd=tmp_path)
    assert result.returncode == 1
    assert "BROKEN" in result.stdout


def test_a_store_written_before_the_chain_gets_it_built_once(settings, tmp_path):
    class Unchained(Registry):
        name = "Registry"  # the same events table (the library names it after the app)
        chained = False

    old = Unchained(settings)
    try:
        from registry.values import Context, Source

        ctx = Context(actor="old version", source=Source("old minutes", None))
        for n in range(4):
            old.register_organisation(f"Region {n}", "region", ctx)
    finally:
        old.close()
    registry = Registry(settings)
    try:
        meta = registry.chain.chain_meta()
        assert meta["up_to_position"] == "4"
        assert "built_from_existing_at" in meta
        assert registry.chain.chain_head()[0] == 4
    finally:
        registry.close()
    fill(settings, 2)  # later writes extend it
    result = verify(settings, tmp_path)
    assert result.returncode == 0, result.stdout
    assert "the chain was built at" in result.stdout and "6 events verify" in result.stdout


def test_the_documented_serialisation_reproduces_the_head(settings):
    """docs/audit.md's stand-alone re-implementation (standard library only) gives the
    head the registry stored, from the raw rows read with plain SQL."""
    import hashlib
    import uuid

    fill(settings, 6)

    def field(b: bytes) -> bytes:
        return len(b).to_bytes(8, "big") + b

    def event_hash(position, originator_id, version, topic, state: bytes) -> bytes:
        prefix = b'{"timestamp":{"_type_":"datetime_iso","_data_":"'
        recorded = b""
        if state.startswith(prefix):
            end = state.find(b'"', len(prefix))
            recorded = state[len(prefix) : end] if end >= 0 else b""
        parts = [
            str(position).encode(),
            str(uuid.UUID(str(originator_id))).encode(),
            str(version).encode(),
            topic.encode("utf-8"),
            recorded,
            state,
        ]
        return hashlib.sha256(b"REGISTRY-EVENT-1" + b"".join(map(field, parts))).digest()

    with raw(settings) as db:
        rows = db.q(
            "SELECT {pos}, originator_id, originator_version, topic, state FROM {events} "
            "ORDER BY {pos}"
        )
        (stored_head,) = db.q("SELECT hash FROM event_chain ORDER BY position DESC LIMIT 1")[0]
    link = bytes(32)
    for position, oid, version, topic, state in rows:
        link = hashlib.sha256(
            link + event_hash(position, oid, version, topic, bytes(state))
        ).digest()
    assert link.hex() == stored_head


def test_concurrent_writers_keep_one_unbroken_chain(settings):
    """Writers in parallel (each its own registry and connections, as separate processes
    would be) still give one chain in store order: the head is read under the write lock."""
    import threading

    from registry.audit import verify_store
    from registry.values import Context, Source

    # Opened one after the other: the library's CREATE ... IF NOT EXISTS statements are not
    # safe to run concurrently on PostgreSQL; the writes are.
    apps = [Registry(settings) for _ in range(4)]
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        app = apps[worker]
        try:
            ctx = Context(actor=f"writer {worker}", source=Source("parallel", None))
            for n in range(15):
                app.register_organisation(f"Writer {worker} org {n}", "kommun", ctx)
        except BaseException as error:
            errors.append(error)
        finally:
            app.close()

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    registry = Registry(settings)
    try:
        report = verify_store(registry.chain, None)
        assert report.ok, [f.line() for f in report.findings]
        assert report.walk.events == 60
    finally:
        registry.close()


def test_prove_by_entity_and_version_and_refuse_an_unknown_event(settings, tmp_path):
    fill(settings, 3)
    registry = Registry(settings)
    try:
        second = registry.chain.raw_events(1, 1)[0]
    finally:
        registry.close()
    made = cli(
        "prove",
        f"{second.originator_id}@1",
        "--database",
        settings.url,
        "--output",
        str(tmp_path / "p.json"),
        cwd=tmp_path,
        env=_key_env(tmp_path),
    )
    assert made.returncode == 0, made.stdout + made.stderr
    assert json.loads((tmp_path / "p.json").read_text())["event"]["position"] == 2
    unknown = cli(
        "prove",
        "99",
        "--database",
        settings.url,
        "--output",
        str(tmp_path / "q.json"),
        cwd=tmp_path,
        env=_key_env(tmp_path),
    )
    assert unknown.returncode == 2 and "EVENT: no event 99" in unknown.stderr
    assert not (tmp_path / "q.json").exists()
