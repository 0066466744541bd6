"""The registry's Ed25519 key and signed checkpoints of the chain's head.

The private key is a PEM file (PKCS#8, unencrypted) created on first use with mode 0600; its
path comes from REGISTRY_SIGNING_KEY / --signing-key (registry.config.signing_key_path).
A checkpoint signs these bytes (UTF-8):

    REGISTRY-CHECKPOINT-1\\n<position>\\n<hash, 64 lower-case hex>\\n<signed_at>\\n

Public keys and signatures are written in standard base64 (raw 32 and 64 bytes).
"""

from __future__ import annotations

import base64
import binascii
import os
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from registry.chain import Checkpoint
from registry.config import StoreSettings, signing_key_path

CHECKPOINT_MAGIC = "REGISTRY-CHECKPOINT-1"


class SigningKeyError(ValueError):
    """A key file or key text that cannot be used (named in the message)."""


def checkpoint_message(position: int, hash_hex: str, signed_at: str) -> bytes:
    return f"{CHECKPOINT_MAGIC}\n{int(position)}\n{hash_hex}\n{signed_at}\n".encode()


def public_key_text(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def load_or_create_private_key(path: Path) -> tuple[Ed25519PrivateKey, bool]:
    """The key at `path`, created (mode 0600) when the file does not exist yet. Returns the
    key and whether it was created now."""
    if path.exists():
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (ValueError, TypeError) as error:
            raise SigningKeyError(
                f"signing key {path}: not an unencrypted PEM private key ({error})"
            ) from None
        if not isinstance(key, Ed25519PrivateKey):
            raise SigningKeyError(f"signing key {path}: not an Ed25519 key")
        return key, False
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: never overwrite a key another process created a moment ago.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return key, True


def load_public_key(text_or_path: str) -> Ed25519PublicKey:
    """A public key given as base64 text (as printed by `registry digest`), or a file
    holding that text, a PEM public key, or the PEM private key."""
    candidate = text_or_path.strip()
    path = Path(candidate)
    try:
        is_file = path.is_file()
    except OSError:
        is_file = False
    if is_file:
        data = path.read_bytes()
        if b"PRIVATE KEY" in data:
            key = serialization.load_pem_private_key(data, password=None)
            if isinstance(key, Ed25519PrivateKey):
                return key.public_key()
            raise SigningKeyError(f"public key {path}: not an Ed25519 key")
        if b"PUBLIC KEY" in data:
            public = serialization.load_pem_public_key(data)
            if isinstance(public, Ed25519PublicKey):
                return public
            raise SigningKeyError(f"public key {path}: not an Ed25519 key")
        candidate = data.decode("ascii", "replace").strip()
    try:
        raw = base64.b64decode(candidate, validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError):
        raise SigningKeyError(
            f"public key {text_or_path!r}: neither a file nor 32 bytes of base64"
        ) from None


def sign_head(key: Ed25519PrivateKey, position: int, hash_hex: str) -> Checkpoint:
    signed_at = datetime.now(UTC).isoformat()
    signature = key.sign(checkpoint_message(position, hash_hex, signed_at))
    return Checkpoint(
        position=position,
        hash=hash_hex,
        signed_at=signed_at,
        signature=base64.b64encode(signature).decode("ascii"),
        public_key=public_key_text(key.public_key()),
    )


def signature_valid(checkpoint: Checkpoint, key: Ed25519PublicKey) -> bool:
    """Whether `checkpoint` was signed by `key` (its own `public_key` field is not trusted)."""
    try:
        signature = base64.b64decode(checkpoint.signature, validate=True)
        key.verify(
            signature,
            checkpoint_message(checkpoint.position, checkpoint.hash, checkpoint.signed_at),
        )
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def registry_public_key(settings: StoreSettings, latest: Checkpoint | None = None) -> str | None:
    """The public key to publish: from the registry's key file when this process can read
    it, else the one that signed the latest checkpoint; None before any key exists."""
    path = signing_key_path(settings)
    try:
        if path.exists():
            return public_key_text(load_public_key(str(path)))
    except (OSError, ValueError):
        pass
    return latest.public_key if latest is not None else None
