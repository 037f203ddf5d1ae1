"""Watermark keys: the secret hash key that seeds green lists, and the Ed25519 key that signs certificates.

A key file is JSON, created with mode 0600. Its key id is derived from the public signing key
only: the watermark secret has just 32 effective bits (torch seeds its generator with 32 bits),
so anything derived from it could be brute-forced back. The secret never appears in repr(),
logs, errors or results.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from genguard.errors import KeyFileError
from genguard.files import read_bytes

# The reference's default hash key (a prime); public, so it proves nothing about who generated a text.
REFERENCE_HASH_KEY = 15485863
KEY_FORMAT = "genguard-watermark-key/1"
PUBLIC_FORMAT = "genguard-public-key/1"
MAX_HASH_KEY = 2**31 - 1  # keeps the reference's int64 PRF arithmetic free of overflow


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object, what: str, path: Path) -> bytes:
    try:
        return base64.b64decode(str(text), validate=True)
    except ValueError as exc:
        raise KeyFileError(f"{path}: field {what!r} is not valid base64; the key file is corrupt") from exc


def key_id_for(public: Ed25519PublicKey) -> str:
    """Public key id: 'gg-' and the first 16 hex digits of sha256 of the raw public key."""
    raw = public.public_bytes_raw()
    return "gg-" + hashlib.sha256(raw).hexdigest()[:16]


@dataclass(frozen=True)
class WatermarkKey:
    """A watermark secret with its id and, for keys made by `generate`, a certificate signing key."""

    key_id: str
    hash_key: int = field(repr=False)
    signing_key: Ed25519PrivateKey | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.hash_key, int) or not 1 <= self.hash_key <= MAX_HASH_KEY:
            raise KeyFileError(f"key {self.key_id}: the hash key must be an integer in 1..{MAX_HASH_KEY}")

    @classmethod
    def reference(cls) -> WatermarkKey:
        """The reference implementation's public default key (15485863): compatible, but not secret."""
        return cls(key_id=f"reference-{REFERENCE_HASH_KEY}", hash_key=REFERENCE_HASH_KEY)

    @classmethod
    def generate(cls) -> WatermarkKey:
        """A fresh random secret and Ed25519 signing key."""
        signing = Ed25519PrivateKey.generate()
        return cls(
            key_id=key_id_for(signing.public_key()),
            hash_key=secrets.randbelow(MAX_HASH_KEY) + 1,
            signing_key=signing,
        )

    @property
    def public_key(self) -> Ed25519PublicKey | None:
        """The Ed25519 public key that verifies this key's certificates (None for the reference key)."""
        return self.signing_key.public_key() if self.signing_key else None

    def save(self, path: str | Path) -> tuple[Path, Path]:
        """Write the key file (0600, refuses to overwrite) and `<path>.pub`; returns both paths."""
        if self.signing_key is None:
            raise KeyFileError("only generated keys (with a signing key) can be saved")
        path = Path(path)
        pub_path = path.with_name(path.name + ".pub")
        private = {
            "format": KEY_FORMAT,
            "key_id": self.key_id,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "hash_key": self.hash_key,
            "ed25519_private": _b64(self.signing_key.private_bytes_raw()),
        }
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError as exc:
            raise KeyFileError(f"{path} already exists; choose another path or delete it first") from exc
        except OSError as exc:
            raise KeyFileError(f"cannot create key file {path}: {exc.strerror}") from exc
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(private, handle, indent=2)
            handle.write("\n")
        save_public_key(self.public_key, pub_path)  # type: ignore[arg-type]
        return path, pub_path

    @classmethod
    def load(cls, path: str | Path) -> WatermarkKey:
        """Read a key file; KeyFileError (naming the file, never its contents) if missing or corrupt."""
        path = Path(path)
        data = _read_json(path)
        if data.get("format") != KEY_FORMAT:
            kind = (
                "a public key file (.pub)" if data.get("format") == PUBLIC_FORMAT else "not a watermark key"
            )
            raise KeyFileError(f"{path}: {kind}; pass the private key file written by `watermark keygen`")
        try:
            signing = Ed25519PrivateKey.from_private_bytes(
                _unb64(data["ed25519_private"], "ed25519_private", path)
            )
            hash_key = data["hash_key"]
            key_id = data["key_id"]
        except (KeyError, ValueError) as exc:
            raise KeyFileError(f"{path}: missing or malformed field; the key file is corrupt") from exc
        if not isinstance(hash_key, int) or isinstance(hash_key, bool) or not 1 <= hash_key <= MAX_HASH_KEY:
            raise KeyFileError(
                f"{path}: the hash key is not an integer in 1..{MAX_HASH_KEY}; the file is corrupt"
            )
        if key_id != key_id_for(signing.public_key()):
            raise KeyFileError(f"{path}: key id does not match the signing key; the key file is corrupt")
        return cls(key_id=key_id, hash_key=hash_key, signing_key=signing)


def public_key_json(public: Ed25519PublicKey) -> str:
    """The text of a public key file (genguard-public-key/1 JSON, ending in a newline): what
    save_public_key writes and load_public_key reads, so a server can serve it byte for byte."""
    record = {
        "format": PUBLIC_FORMAT,
        "key_id": key_id_for(public),
        "ed25519_public": _b64(public.public_bytes_raw()),
    }
    return json.dumps(record, indent=2) + "\n"


def save_public_key(public: Ed25519PublicKey, path: str | Path) -> Path:
    """Write a public key file (world-readable JSON, public_key_json's text) that verifies
    certificates offline; returns its path."""
    path = Path(path)
    path.write_text(public_key_json(public), encoding="utf-8")
    return path


def load_public_key(path: str | Path) -> tuple[str, Ed25519PublicKey]:
    """(key id, public key) from a `.pub` file, or the public half of a private key file."""
    path = Path(path)
    data = _read_json(path)
    if data.get("format") == KEY_FORMAT:
        key = WatermarkKey.load(path)
        return key.key_id, key.public_key  # type: ignore[return-value]
    if data.get("format") != PUBLIC_FORMAT:
        raise KeyFileError(f"{path}: not a genguard public key file")
    try:
        public = Ed25519PublicKey.from_public_bytes(_unb64(data["ed25519_public"], "ed25519_public", path))
    except (KeyError, ValueError) as exc:
        raise KeyFileError(f"{path}: malformed public key; the file is corrupt") from exc
    if data.get("key_id") != key_id_for(public):
        raise KeyFileError(f"{path}: key id does not match the public key; the file is corrupt")
    return data["key_id"], public


def _read_json(path: Path) -> dict:
    raw = read_bytes(path, KeyFileError, "key file", "create one with `genguard watermark keygen`")
    if len(raw) > 64 * 1024:
        raise KeyFileError(f"{path} is {len(raw)} bytes, far too large for a key file")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise KeyFileError(f"{path} is not a JSON key file (corrupt or wrong file)") from exc
    if not isinstance(data, dict):
        raise KeyFileError(f"{path} is not a JSON key file (corrupt or wrong file)")
    return data
