"""Check endpoints over the library: `POST /v1/guard/check` (Guard.check's verdicts) and
`POST /v1/provenance/query` (ProtectedIndex.query's matches against the configured index), each
returning the library's result models unchanged.

Route functions are plain `def`: FastAPI runs them in its thread pool, never on the event loop.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Depends, Request

from genguard.errors import ConfigError
from genguard.guard.policy import ACTIONS
from genguard.server.audit_draft import draft
from genguard.server.auth import Caller, caller
from genguard.server.check_schema import (
    UNKNOWN_PROFILE,
    GuardCheckRequest,
    GuardCheckResponse,
    ProvenanceQueryRequest,
    ProvenanceQueryResponse,
    documented_errors,
)
from genguard.server.errors import APIError

if TYPE_CHECKING:
    from genguard.server.state import Gateway
    from genguard.types import Verdict

router = APIRouter(tags=["checks"], responses=documented_errors())

# The index is one SQLite connection; queries from several pool threads take turns on it.
_index_lock = threading.Lock()


def verdict_audit(verdicts: Sequence[Verdict]) -> dict[str, object]:
    """The audit fields of a set of verdicts: the strictest action, and the sorted names of the
    rules (scorers) whose findings led to more than `allow`."""
    action = max((v.action for v in verdicts), key=ACTIONS.index, default="allow")
    rules = sorted({f.scorer for v in verdicts for f in v.flags if f.action != "allow"})
    return {"action": action, "rules": rules}


def guard_check(
    gateway: Gateway, texts: Sequence[str], stage: str, profile: str | None, route: str, who: Caller
) -> list[Verdict]:
    """Guard.check of `texts` at `stage` with `profile` (default: the caller's key profile, then the
    route's, then the gateway's). A profile the request names and the policy lacks is a 404 (code
    unknown_profile) with the library's message."""
    if profile is None:
        return gateway.guard(gateway.config.profile_for(route, who.profile)).check(list(texts), stage)
    try:
        guard = gateway.guard(profile)
    except ConfigError as exc:  # the policy has no such profile: the library's message lists those it has
        raise APIError(404, " ".join(str(exc).split()), code="unknown_profile", param="profile") from exc
    return guard.check(list(texts), stage)


@router.post(
    "/v1/guard/check",
    response_model=GuardCheckResponse,
    responses=documented_errors(UNKNOWN_PROFILE),
)
def check(
    body: GuardCheckRequest, request: Request, who: Annotated[Caller, Depends(caller)]
) -> GuardCheckResponse:
    """One Verdict per text (genguard.types.Verdict, as Guard.check returns it)."""
    verdicts = guard_check(
        request.app.state.gateway, body.texts, body.stage, body.profile, request.url.path, who
    )
    draft(request).update(verdict_audit(verdicts))
    return GuardCheckResponse(verdicts=verdicts)


@router.post(
    "/v1/provenance/query",
    response_model=ProvenanceQueryResponse,
    responses=documented_errors({404: "No protected-content index is configured (code not_configured)"}),
)
def provenance_query(
    body: ProvenanceQueryRequest, request: Request, _: Annotated[Caller, Depends(caller)]
) -> ProvenanceQueryResponse:
    """Per text, the protected documents it copies (genguard.provenance.index.IndexMatch), best
    first; 404 when the gateway has no provenance.index configured."""
    gateway: Gateway = request.app.state.gateway
    index = gateway.protected_index()
    if index is None:
        raise APIError(
            404,
            "no protected-content index is configured; set provenance.index in the gateway config "
            "to an index made with `genguard provenance index add`",
            code="not_configured",
        )
    with _index_lock:
        matches = index.query(
            body.texts, top_k=body.top_k, min_jaccard=body.min_jaccard, min_span=body.min_span
        )
    return ProvenanceQueryResponse(matches=matches)
