"""LiteLLM's "Generic Guardrail API" (`guardrail: generic_guardrail_api` in a LiteLLM proxy config):
`POST /beta/litellm_basic_guardrail_api`, the path LiteLLM's GenericGuardrailAPI class appends to
the `api_base` it is given (litellm/proxy/guardrails/guardrail_hooks/generic_guardrail_api).

LiteLLM sends the texts of a call (`input_type` "request" before the model, "response" after it)
and acts on the answer: BLOCKED raises its GuardrailRaisedException with `blocked_reason`;
GUARDRAIL_INTERVENED replaces the texts with the ones returned; NONE passes them on. The guard's
input stage checks requests and its output stage responses; a block anywhere blocks the call, a
redaction returns every text (the redacted ones changed), as does a `disclaimer` rule (its notice
appended to the text it concerns after a blank line). The blocked reason names the rules
(e.g. "toxic language: TOXIC"), never the blocked text. In the LiteLLM config:

    guardrails:
      - guardrail_name: genguard
        litellm_params:
          guardrail: generic_guardrail_api
          mode: [pre_call, post_call]
          api_base: http://127.0.0.1:8000
          headers: {Authorization: "Bearer <a genguard API key>"}
          additional_provider_specific_params: {profile: strict}   # optional
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from genguard.server.audit_draft import draft
from genguard.server.auth import Caller, caller
from genguard.server.check_schema import (
    UNKNOWN_PROFILE,
    GuardrailRequest,
    GuardrailResponse,
    documented_errors,
)
from genguard.server.errors import APIError
from genguard.server.routes.checks import guard_check, verdict_audit

router = APIRouter(tags=["litellm"])

STAGE_OF = {"request": "input", "response": "output"}


@router.post(
    "/beta/litellm_basic_guardrail_api",
    response_model=GuardrailResponse,
    responses=documented_errors(UNKNOWN_PROFILE),
)
def litellm_guardrail(
    body: GuardrailRequest, request: Request, who: Annotated[Caller, Depends(caller)]
) -> GuardrailResponse:
    """The guard's verdict on LiteLLM's texts, in LiteLLM's terms (NONE, GUARDRAIL_INTERVENED, BLOCKED)."""
    texts = body.texts or []
    if not texts:  # tool calls or images only: nothing genguard checks
        return GuardrailResponse(action="NONE")
    profile = (body.additional_provider_specific_params or {}).get("profile")
    if profile is not None and not (isinstance(profile, str) and profile):
        raise APIError(
            400,
            "additional_provider_specific_params.profile must be a guard profile name (a string)",
            param="additional_provider_specific_params.profile",
        )
    verdicts = guard_check(
        request.app.state.gateway, texts, STAGE_OF[body.input_type], profile, request.url.path, who
    )
    audit = verdict_audit(verdicts)
    draft(request).update(audit, model=body.model)
    if audit["action"] == "block":
        reasons = list(dict.fromkeys(r for v in verdicts if v.action == "block" for r in v.reasons))
        return GuardrailResponse(
            action="BLOCKED",
            blocked_reason=f"blocked by genguard ({verdicts[0].profile} profile): {'; '.join(reasons)}",
        )
    if audit["action"] == "redact" or any(v.notice for v in verdicts):
        # redacted texts, and a `disclaimer` rule's notice appended after a blank line
        texts = [(v.text or "") + (f"\n\n{v.notice}" if v.notice else "") for v in verdicts]
        return GuardrailResponse(action="GUARDRAIL_INTERVENED", texts=texts)
    return GuardrailResponse(action="NONE")
