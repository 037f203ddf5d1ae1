"""Signed certificates of machine authorship: a detection result bound to a text digest, Ed25519-signed.

The file is canonical JSON (sorted keys, two-space indent, one trailing newline) and
`verify_certificate` re-serialises what it parsed and requires byte equality, so changing any
single byte of a certificate file makes verification fail, not just changes to field values.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import ValidationError

import genguard
from genguard.errors import CertificateError
from genguard.types import Result
from genguard.watermark.detector import Detection
from genguard.watermark.keys import WatermarkKey, key_id_for

CERT_FORMAT = "genguard-watermark-certificate/1"
MAX_CERT_BYTES = 64 * 1024


class Certificate(Result):
    """What a certificate asserts; `signature` covers every other field."""

    format: str = CERT_FORMAT
    text_sha256: str
    scheme: str
    gamma: float
    key_id: str
    tokenizer_id: str
    num_tokens_scored: int
    num_green_tokens: int
    z_score: float
    p_value: float
    decision: str
    issued_at: str
    issuer: str
    signature: str = ""


def text_digest(text: str) -> str:
    """sha256 hex digest of the text's UTF-8 bytes, exactly as detected (before normalisation)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _payload(cert: Certificate) -> bytes:
    fields = cert.model_dump(exclude={"signature"})
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def serialize(cert: Certificate) -> bytes:
    """The canonical file form of a certificate."""
    return (json.dumps(cert.model_dump(), sort_keys=True, indent=2, ensure_ascii=True) + "\n").encode("ascii")


def issue_certificate(text: str, detection: Detection, key: WatermarkKey) -> Certificate:
    """A certificate for `detection` of `text`, signed with `key`'s Ed25519 key.

    Raises CertificateError unless the text was detected as watermarked with this key: a
    certificate asserts machine authorship, so it is never issued for a negative result.
    """
    if key.signing_key is None:
        raise CertificateError("this key has no signing key (the public reference key cannot sign)")
    if not detection.is_watermarked:
        raise CertificateError(
            f"no certificate: the text is not detected as watermarked ({detection.reason})"
        )
    if detection.key_id != key.key_id:
        raise CertificateError("the detection was made with another key than the signing key")
    unsigned = Certificate(
        text_sha256=text_digest(text),
        scheme=detection.scheme,
        gamma=detection.gamma,
        key_id=key.key_id,
        tokenizer_id=detection.tokenizer_id,
        num_tokens_scored=detection.num_tokens_scored,
        num_green_tokens=detection.num_green_tokens,
        z_score=detection.z_score,  # type: ignore[arg-type]
        p_value=detection.p_value,  # type: ignore[arg-type]
        decision=detection.decision,
        issued_at=datetime.now(UTC).isoformat(timespec="seconds"),
        issuer=f"genguard {genguard.__version__}",
    )
    signature = key.signing_key.sign(_payload(unsigned))
    return unsigned.model_copy(update={"signature": base64.b64encode(signature).decode("ascii")})


def verify_certificate(data: bytes, public_key: Ed25519PublicKey, text: str | None = None) -> Certificate:
    """The verified certificate, or CertificateError saying why it does not verify.

    Offline: needs only the issuer's public key. With `text`, also checks the text digest.
    """
    if len(data) > MAX_CERT_BYTES:
        raise CertificateError(f"certificate is {len(data):,} bytes; a genuine one is under 2 kB")
    try:
        cert = Certificate.model_validate(json.loads(data.decode("utf-8")))
    except (UnicodeDecodeError, json.JSONDecodeError, ValidationError) as exc:
        raise CertificateError("not a well-formed genguard certificate (corrupt or altered)") from exc
    if cert.format != CERT_FORMAT:
        raise CertificateError(f"unsupported certificate format {cert.format!r}")
    if serialize(cert) != data:
        raise CertificateError("certificate bytes are not in canonical form: the file was altered")
    if cert.key_id != key_id_for(public_key):
        raise CertificateError(f"certificate was issued by key {cert.key_id}, not by the public key given")
    try:
        signature = base64.b64decode(cert.signature, validate=True)
        # Non-canonical base64 (altered padding bits) decodes to the same bytes: reject it too.
        if base64.b64encode(signature).decode("ascii") != cert.signature:
            raise ValueError("non-canonical base64")
        public_key.verify(signature, _payload(cert))
    except (InvalidSignature, ValueError) as exc:
        raise CertificateError("signature does not verify: the certificate was altered or forged") from exc
    if text is not None and text_digest(text) != cert.text_sha256:
        raise CertificateError("the text does not match the certificate's digest")
    return cert
