"""The watermark service: detection with certificates, verification, and the public key.

`POST /v1/watermark/detect` gives the same Detection as `genguard watermark detect --key
<gateway key>` for the same text, scheme and gamma (same tokenizer, normalisers and detector), and
signs an Ed25519 certificate where the library issues one. `GET /v1/watermark/public-key` serves
the public key file that `genguard watermark verify --public-key` reads, so certificates can be
checked offline without trusting the gateway again.

Route functions are plain `def`: FastAPI runs them in its thread pool, so tokenising, detecting and
loading the tokenizer (kept on the Gateway: Gateway.detection_tokenizer) never block the event loop.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from genguard.errors import CertificateError
from genguard.server.audit_draft import draft
from genguard.server.auth import Caller, caller
from genguard.server.check_schema import (
    DetectRequest,
    DetectResponse,
    VerifyRequest,
    VerifyResponse,
    documented_errors,
)
from genguard.watermark.certificate import Certificate, issue_certificate, serialize, verify_certificate

if TYPE_CHECKING:
    from genguard.server.state import Gateway

router = APIRouter(prefix="/v1/watermark", tags=["watermark"], responses=documented_errors())


@router.post("/detect", response_model=DetectResponse)
def detect(body: DetectRequest, request: Request, _: Annotated[Caller, Depends(caller)]) -> DetectResponse:
    """Detect the gateway's watermark in each text; with `certify`, sign a certificate for each
    text detected as watermarked (null and the library's reason for the others); with `tokens`,
    each token's text beside its green_mask code (as `genguard watermark detect` colours them)."""
    from genguard.watermark.detector import WatermarkDetector

    gateway: Gateway = request.app.state.gateway
    settings = gateway.config.watermark
    key = gateway.watermark_key
    tokenizer = gateway.detection_tokenizer()
    detector = WatermarkDetector(
        tokenizer,
        keys=[key],
        scheme=body.scheme or settings.scheme,
        gamma=body.gamma if body.gamma is not None else settings.gamma,
        z_threshold=body.z_threshold,
    )
    ids = detector.encode(body.texts)  # what detect() does, keeping the ids for `tokens`
    detections = detector.detect_ids(ids)
    draft(request).update(watermark_key_id=key.key_id, scheme=detector.scheme.name)
    tokens = [tokenizer.token_strings(row) for row in ids] if body.tokens else None
    if not body.certify:
        return DetectResponse(detections=detections, tokens=tokens)
    certificates: list[Certificate | None] = []
    errors: list[str | None] = []
    for text, detection in zip(body.texts, detections, strict=True):
        try:
            certificates.append(issue_certificate(text, detection, key))
            errors.append(None)
        except CertificateError as exc:
            certificates.append(None)
            errors.append(str(exc))
    return DetectResponse(
        detections=detections,
        certificates=certificates,
        certificate_files=[serialize(c).decode("ascii") if c else None for c in certificates],
        certificate_errors=errors,
        tokens=tokens,
    )


@router.post("/verify", response_model=VerifyResponse)
def verify(body: VerifyRequest, request: Request, _: Annotated[Caller, Depends(caller)]) -> VerifyResponse:
    """Verify the certificate with the gateway's public key (and against `text` when given), as
    `genguard watermark verify --json` does: {"valid": true, "certificate"} or {"valid": false,
    "reason"} with the library's reason. An invalid certificate is an answer, not a bad request."""
    gateway: Gateway = request.app.state.gateway
    data = (
        body.certificate.encode("utf-8")
        if isinstance(body.certificate, str)
        # A parsed object carries no formatting: give it the canonical file form, so that only a
        # change of content (not of whitespace) can fail the byte-equality check.
        else (json.dumps(body.certificate, sort_keys=True, indent=2, ensure_ascii=True) + "\n").encode(
            "ascii"
        )
    )
    try:
        certificate = verify_certificate(data, gateway.watermark_key.public_key, body.text)  # type: ignore[arg-type]
    except CertificateError as exc:
        return VerifyResponse(valid=False, reason=str(exc))
    return VerifyResponse(valid=True, certificate=certificate)


@router.get(
    "/public-key",
    response_class=Response,
    responses={200: {"content": {"application/json": {}}, "description": "The public key file."}},
)
def public_key(request: Request, _: Annotated[Caller, Depends(caller)]) -> Response:
    """The public key file (genguard-public-key/1 JSON) that verifies this gateway's certificates
    offline: save it byte for byte and pass it to `genguard watermark verify --public-key`."""
    return Response(request.app.state.gateway.public_key_text(), media_type="application/json")
