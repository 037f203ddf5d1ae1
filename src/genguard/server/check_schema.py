"""Wire models of the watermark, check and LiteLLM guardrail endpoints (requests and the envelopes
around the library's own result models, which are returned unchanged).

Requests are strict (no coercion: `"5"` is not a number, `"yes"` not a boolean) and refuse unknown
fields, so a typo in a field name is a 400 naming it rather than a silently ignored option. The
LiteLLM request is the exception: LiteLLM adds fields between versions, and those are ignored.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from genguard.guard.policy import STAGES
from genguard.provenance.index import IndexMatch
from genguard.provenance.spans import K_CHARS
from genguard.server.openai_schema import ErrorResponse, WholeNumber
from genguard.types import Verdict
from genguard.watermark.certificate import Certificate
from genguard.watermark.detector import Detection
from genguard.watermark.schemes import ALIASES, SCHEMES

MAX_TEXTS = 64  # texts per request on the check endpoints (a larger batch: several requests)
MAX_GUARDRAIL_TEXTS = 256  # LiteLLM sends every message of a conversation at once

# The errors every route of these families can answer (auth, limits, body size, bad input).
COMMON_ERRORS = {
    400: "Invalid request: the message names the field",
    401: "Missing or invalid API key",
    403: "Not a loopback client, and the gateway has no API keys",
    413: "Request body too large",
    429: "Rate limit reached (Retry-After says when to retry)",
}

UNKNOWN_PROFILE = {404: "The guard policy has no profile of that name (code unknown_profile)"}


def documented_errors(more: dict[int, str] | None = None) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for COMMON_ERRORS and `more` (status -> description), each with OpenAI's
    error body, so a schema-driven client (or Schemathesis) knows every status it can get."""
    texts = {**COMMON_ERRORS, **(more or {})}
    return {status: {"model": ErrorResponse, "description": text} for status, text in texts.items()}


NonEmpty = Annotated[str, StringConstraints(min_length=1)]
Texts = Annotated[list[NonEmpty], Field(min_length=1, max_length=MAX_TEXTS)]
SchemeName = Literal[tuple(SCHEMES) + tuple(ALIASES)]  # type: ignore[valid-type]
Stage = Literal[tuple(s for s in STAGES if s != "training")]  # type: ignore[valid-type]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class DetectRequest(_Request):
    """POST /v1/watermark/detect. Unset scheme and gamma come from the gateway's watermark config."""

    texts: Texts
    certify: bool = False
    scheme: SchemeName | None = None
    # Narrower than (0, 1) so that every value the schema allows leaves green tokens in any vocabulary
    # of 1,000 or more (the library refuses a gamma that leaves none).
    gamma: float | None = Field(default=None, ge=0.001, le=0.999)
    # The library takes z < 40, but its level P(Z >= z) underflows to 0 from z = 38 (then it fails on
    # log(0)); 37 is a false-positive rate of 6e-300, far beyond any use.
    z_threshold: float = Field(default=4.0, gt=0, le=37)
    tokens: bool = False  # also return each token's text, aligned with Detection.green_mask


class DetectResponse(BaseModel):
    """One Detection per text; with `certify`, per text a certificate or the reason there is none."""

    detections: list[Detection]
    certificates: list[Certificate | None] | None = Field(
        default=None, description="With certify: the signed certificate, or null where none is issued."
    )
    certificate_files: list[str | None] | None = Field(
        default=None,
        description="With certify: each certificate's canonical file text; save it byte for byte and run "
        "`genguard watermark verify FILE --public-key KEY.pub --text TEXT` offline.",
    )
    certificate_errors: list[str | None] | None = Field(
        default=None, description="With certify: why no certificate was issued (null where one was)."
    )
    tokens: list[list[str]] | None = Field(
        default=None,
        description="With tokens: per text, the text of each scored token, aligned with its green_mask "
        "(1 green, 0 red, -1 not scored, -2 repeat), for a green/red display.",
    )


class VerifyRequest(_Request):
    """POST /v1/watermark/verify: a certificate (its file text, or the parsed JSON object) and,
    optionally, the text it certifies (its digest is then checked too)."""

    certificate: dict[str, Any] | NonEmpty
    text: str | None = None


class VerifyResponse(BaseModel):
    """What `genguard watermark verify --json` prints: valid with the certificate, or not with the
    library's reason."""

    valid: bool
    reason: str | None = None
    certificate: Certificate | None = None


class GuardCheckRequest(_Request):
    """POST /v1/guard/check. `profile` defaults to the caller's key profile, then the route's."""

    texts: Texts
    stage: Stage = "input"
    profile: NonEmpty | None = None


class GuardCheckResponse(BaseModel):
    verdicts: list[Verdict]


class ProvenanceQueryRequest(_Request):
    """POST /v1/provenance/query, with ProtectedIndex.query's options."""

    texts: Texts
    top_k: WholeNumber = Field(default=5, ge=1, le=1000)
    min_jaccard: float | None = Field(default=None, ge=0, le=1)
    min_span: WholeNumber = Field(default=150, ge=K_CHARS, le=1_000_000)


class ProvenanceQueryResponse(BaseModel):
    matches: list[list[IndexMatch]] = Field(
        description="Per text, the indexed documents it copies, best first."
    )


class GuardrailRequest(BaseModel):
    """LiteLLM's Generic Guardrail API request (litellm GenericGuardrailAPIRequest); the fields
    genguard reads. `additional_provider_specific_params.profile` picks a guard profile."""

    model_config = ConfigDict(extra="ignore")

    input_type: Literal["request", "response"]
    texts: list[str] | None = Field(default=None, max_length=MAX_GUARDRAIL_TEXTS)
    additional_provider_specific_params: dict[str, Any] | None = None
    model: str | None = None
    litellm_call_id: str | None = None


class GuardrailResponse(BaseModel):
    """LiteLLM's Generic Guardrail API response: NONE (pass on unchanged), GUARDRAIL_INTERVENED
    (`texts` replace the inputs, here redacted) or BLOCKED (`blocked_reason`; LiteLLM raises)."""

    action: Literal["NONE", "GUARDRAIL_INTERVENED", "BLOCKED"]
    blocked_reason: str | None = None
    texts: list[str] | None = None
