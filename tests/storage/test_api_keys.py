"""KeyStore on real SQLite files: secrets stored only as hashes, revocation, validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from genguard.errors import InvalidInputError, StorageError
from genguard.storage.api_keys import SECRET_PREFIX, KeyStore, hash_secret


def _file_bytes(path: Path) -> bytes:
    """The database and its WAL: a secret must be in neither."""
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def test_the_secret_is_shown_once_and_only_its_hash_is_stored(tmp_path: Path) -> None:
    path = tmp_path / "gateway.sqlite"
    with KeyStore(path) as keys:
        key, secret = keys.create("billing app", profile="strict", requests_per_minute=5)
        assert secret.startswith(SECRET_PREFIX) and len(secret) > 40
        assert keys.authenticate(secret) == key
        stored = _file_bytes(path)
        assert secret.encode() not in stored and secret[len(SECRET_PREFIX) :].encode() not in stored
        assert hash_secret(secret).encode() in stored
        dumped = key.model_dump_json()
        assert secret not in dumped and hash_secret(secret) not in dumped
        assert key.profile == "strict" and key.requests_per_minute == 5 and key.tokens_per_minute is None


def test_wrong_and_revoked_secrets_authenticate_nothing(tmp_path: Path) -> None:
    path = tmp_path / "gateway.sqlite"
    with KeyStore(path) as keys, KeyStore(path) as other_connection:
        a, secret_a = keys.create("a")
        b, secret_b = keys.create("b")
        assert keys.count_active() == 2
        for wrong in ("", "gg-sk-", secret_a[:-1], secret_a + "x", secret_b.upper(), "x" * 10_000):
            assert keys.authenticate(wrong) is None
        revoked = other_connection.revoke(a.key_id)
        assert revoked.revoked is not None
        assert keys.authenticate(secret_a) is None  # seen at once through the other connection
        assert keys.authenticate(secret_b) == b
        assert keys.count_active() == 1
        assert keys.revoke(a.key_id).revoked == revoked.revoked  # revoking twice keeps the first time
        assert [k.key_id for k in keys.list()] == [a.key_id, b.key_id]
        assert keys.get(a.key_id).revoked is not None and keys.get("key_nope") is None


def test_keys_survive_reopening_and_secrets_are_unique(tmp_path: Path) -> None:
    path = tmp_path / "gateway.sqlite"
    with KeyStore(path) as keys:
        made = [keys.create(f"k{i}") for i in range(20)]
    assert len({s for _, s in made}) == 20 and len({k.key_id for k, _ in made}) == 20
    with KeyStore(path) as keys:
        assert all(keys.authenticate(s) == k for k, s in made)


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"name": ""}, "key name"),
        ({"name": "   "}, "key name"),
        ({"name": "x" * 201}, "key name"),
        ({"name": "tab\there"}, "key name"),
        ({"name": "ok", "requests_per_minute": 0}, "requests_per_minute"),
        ({"name": "ok", "tokens_per_minute": -5}, "tokens_per_minute"),
        ({"name": "ok", "tokens_per_minute": 2.5}, "tokens_per_minute"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(tmp_path: Path, kwargs: dict, says: str) -> None:
    with KeyStore(tmp_path / "gateway.sqlite") as keys:
        with pytest.raises(InvalidInputError, match=says):
            keys.create(**kwargs)
        assert keys.list() == []


def test_unknown_key_id_and_foreign_files_are_refused(tmp_path: Path) -> None:
    with KeyStore(tmp_path / "gateway.sqlite") as keys, pytest.raises(InvalidInputError, match="keys list"):
        keys.revoke("key_000000000000")
    not_a_db = tmp_path / "notes.sqlite"
    not_a_db.write_bytes(b"\x00\xff" * 3000)
    with pytest.raises(StorageError, match="not a readable genguard database"):
        KeyStore(not_a_db)
    assert not_a_db.read_bytes() == b"\x00\xff" * 3000
    from genguard.storage.runs import RunStore

    with RunStore(tmp_path / "runs.sqlite"):
        pass
    with pytest.raises(StorageError, match="not a gateway store"):
        KeyStore(tmp_path / "runs.sqlite")
