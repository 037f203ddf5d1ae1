"""API keys of the gateway, stored hashed in the gateway's SQLite file.

A secret is "gg-sk-" and 32 random bytes (256 bits, URL-safe base64). It is shown once, when
the key is made, and only its SHA-256 is stored: with that much entropy a plain hash cannot be
reversed or guessed, so no salt or slow hash is needed (the reasoning of GitHub's and Stripe's
tokens). Keys are never deleted, only revoked, so that the audit log's key ids stay meaningful.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3

from pydantic import Field

from genguard.errors import InvalidInputError
from genguard.storage.gateway_db import GatewayStore, utc_now
from genguard.types import Result

SECRET_PREFIX = "gg-sk-"
MAX_NAME_CHARS = 200
_COLUMNS = "key_id, name, profile, requests_per_minute, tokens_per_minute, created, revoked"


class ApiKey(Result):
    """One API key as anyone may see it: never its secret nor the secret's hash."""

    key_id: str
    name: str
    profile: str | None = None  # the guard profile of this key's requests (None: the route's)
    requests_per_minute: int | None = Field(default=None, ge=1)  # None: the gateway's limit
    tokens_per_minute: int | None = Field(default=None, ge=1)
    created: str  # UTC, ISO 8601
    revoked: str | None = None  # UTC time of revocation; a revoked key authenticates nothing


class CreatedKey(Result):
    """A new key and its secret: the only time the secret is seen."""

    key: ApiKey
    secret: str


def hash_secret(secret: str) -> str:
    """The hex SHA-256 of `secret`: what the store keeps instead of the secret."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME_CHARS or not name.isprintable():
        raise InvalidInputError(
            f"a key name must be 1 to {MAX_NAME_CHARS} printable characters, got {name[:40]!r}; "
            "use a short label such as the application's name"
        )
    return name


def _check_limit(value: int | None, what: str) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise InvalidInputError(f"{what} must be a whole number of at least 1, got {value!r}")
    return value


class KeyStore(GatewayStore):
    """API keys in the gateway file at `path` (created if missing). Safe to share between threads."""

    def create(
        self,
        name: str,
        profile: str | None = None,
        requests_per_minute: int | None = None,
        tokens_per_minute: int | None = None,
    ) -> tuple[ApiKey, str]:
        """A new key and its secret (store the secret now: it cannot be shown again).

        Raises InvalidInputError for an empty or overlong name, or a limit below 1."""
        key = ApiKey(
            key_id="key_" + secrets.token_hex(6),
            name=_check_name(name),
            profile=(profile or "").strip() or None,
            requests_per_minute=_check_limit(requests_per_minute, "requests_per_minute"),
            tokens_per_minute=_check_limit(tokens_per_minute, "tokens_per_minute"),
            created=utc_now(),
        )
        secret = SECRET_PREFIX + secrets.token_urlsafe(32)
        with self._db.write() as conn:
            conn.execute(
                f"INSERT INTO api_keys ({_COLUMNS}, secret_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (*key.model_dump().values(), hash_secret(secret)),
            )
        return key, secret

    def revoke(self, key_id: str) -> ApiKey:
        """The key `key_id`, revoked now (revoking twice keeps the first time).

        Raises InvalidInputError when no key has that id."""
        with self._db.write() as conn:
            conn.execute(
                "UPDATE api_keys SET revoked = ? WHERE key_id = ? AND revoked IS NULL", (utc_now(), key_id)
            )
            row = conn.execute(f"SELECT {_COLUMNS} FROM api_keys WHERE key_id = ?", (key_id,)).fetchone()
        if row is None:
            raise InvalidInputError(f"no API key {key_id!r}; `genguard keys list` shows the key ids")
        return _key(row)

    def get(self, key_id: str) -> ApiKey | None:
        """The key `key_id` (revoked or not), or None."""
        with self._db.read() as conn:
            row = conn.execute(f"SELECT {_COLUMNS} FROM api_keys WHERE key_id = ?", (key_id,)).fetchone()
        return _key(row) if row else None

    def list(self) -> list[ApiKey]:
        """Every key, revoked ones included, oldest first."""
        with self._db.read() as conn:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM api_keys ORDER BY created, key_id").fetchall()
        return [_key(r) for r in rows]

    def authenticate(self, secret: str) -> ApiKey | None:
        """The active key whose secret is `secret`; None for an unknown or revoked secret."""
        key = self.lookup(secret)
        return key if key is not None and key.revoked is None else None

    def lookup(self, secret: str) -> ApiKey | None:
        """The key whose secret is `secret`, revoked or not; None for an unknown secret."""
        if not isinstance(secret, str) or not secret.startswith(SECRET_PREFIX) or len(secret) > 200:
            return None
        digest = hash_secret(secret)
        with self._db.read() as conn:
            row = conn.execute(
                f"SELECT {_COLUMNS}, secret_hash FROM api_keys WHERE secret_hash = ?", (digest,)
            ).fetchone()
        # The lookup is by hash; the compare is constant-time anyway, so that no path of this
        # function depends on how much of a guessed secret was right.
        if row is None or not hmac.compare_digest(row[-1], digest):
            return None
        return _key(row[:-1])

    def count_active(self) -> int:
        """How many keys are not revoked (0: the gateway serves loopback clients only)."""
        with self._db.read() as conn:
            return conn.execute("SELECT COUNT(*) FROM api_keys WHERE revoked IS NULL").fetchone()[0]


def _key(row: sqlite3.Row | tuple) -> ApiKey:
    return ApiKey(**dict(zip(_COLUMNS.split(", "), row, strict=True)))
