"""Key files and signed certificates: permissions, corruption, tampering, secrecy."""

from __future__ import annotations

import json
import stat

import pytest

from genguard.errors import CertificateError, KeyFileError
from genguard.watermark import (
    WatermarkDetector,
    WatermarkKey,
    issue_certificate,
    serialize,
    verify_certificate,
)
from genguard.watermark.keys import load_public_key

from .test_detector import V, human_ids, watermarked_ids


@pytest.fixture()
def key_files(tmp_path):
    key = WatermarkKey.generate()
    private, public = key.save(tmp_path / "wm.key")
    return key, private, public


def test_key_file_roundtrip_and_permissions(key_files) -> None:
    key, private, public = key_files
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    loaded = WatermarkKey.load(private)
    assert loaded.key_id == key.key_id and loaded.hash_key == key.hash_key
    assert load_public_key(public)[0] == key.key_id
    assert str(key.hash_key) not in public.read_text()
    with pytest.raises(KeyFileError, match="already exists"):
        key.save(private)


def test_secret_never_in_repr_or_errors(key_files, tmp_path) -> None:
    key, private, _ = key_files
    secret = str(key.hash_key)
    assert secret not in repr(key) and secret not in str(key)
    data = json.loads(private.read_text())
    data["key_id"] = "gg-0000000000000000"
    bad = tmp_path / "bad.key"
    bad.write_text(json.dumps(data))
    with pytest.raises(KeyFileError) as info:
        WatermarkKey.load(bad)
    assert secret not in str(info.value)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not json",
        b"\xff\xfe\x00garbage",
        b"[1, 2]",
        b'{"format": "genguard-watermark-key/1"}',
        b'{"format": "genguard-watermark-key/1", "key_id": "x", "hash_key": 5, "ed25519_private": "@@"}',
    ],
)
def test_corrupt_key_files_are_rejected(tmp_path, content: bytes) -> None:
    path = tmp_path / "corrupt.key"
    path.write_bytes(content)
    with pytest.raises(KeyFileError):
        WatermarkKey.load(path)


def test_missing_and_wrong_kind_of_key_file(key_files, tmp_path) -> None:
    _, _, public = key_files
    with pytest.raises(KeyFileError, match="not found"):
        WatermarkKey.load(tmp_path / "nope.key")
    with pytest.raises(KeyFileError, match="public key"):
        WatermarkKey.load(public)


def _certified(key: WatermarkKey, tokenizer) -> tuple[str, bytes]:
    text = tokenizer.decode([watermarked_ids(150, key)])[0]
    detection = WatermarkDetector(tokenizer, keys=[key]).detect([text])[0]
    return text, serialize(issue_certificate(text, detection, key))


def test_certificate_verifies_offline_and_any_changed_byte_fails(key_files, tokenizer) -> None:
    key, _, public = key_files
    text, data = _certified(key, tokenizer)
    _, public_key = load_public_key(public)
    cert = verify_certificate(data, public_key, text)
    assert cert.key_id == key.key_id and cert.z_score > 4
    for i in range(len(data)):
        tampered = bytearray(data)
        tampered[i] = (tampered[i] + 1) % 256
        with pytest.raises(CertificateError):
            verify_certificate(bytes(tampered), public_key)
    with pytest.raises(CertificateError, match="digest"):
        verify_certificate(data, public_key, text + " ")
    other = WatermarkKey.generate()
    with pytest.raises(CertificateError):
        verify_certificate(data, other.public_key)


def test_no_certificate_for_unwatermarked_text(key_files, tokenizer) -> None:
    key, _, _ = key_files
    text = tokenizer.decode([human_ids(150)])[0]
    detection = WatermarkDetector(tokenizer, keys=[key]).detect([text])[0]
    with pytest.raises(CertificateError, match="not detected"):
        issue_certificate(text, detection, key)
    with pytest.raises(CertificateError):
        verify_certificate(b"\x00" * 10, key.public_key)
    assert V == 49152
