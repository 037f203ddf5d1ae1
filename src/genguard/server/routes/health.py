"""`GET /healthz` (liveness: the process answers) and `GET /metrics` (Prometheus text format)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse

router = APIRouter(tags=["service"])


@router.get("/healthz")
def healthz(request: Request) -> dict[str, object]:
    """{"status": "ok", "models": [...]} while the process serves requests."""
    return {"status": "ok", "models": [m.name for m in request.app.state.gateway.config.models]}


@router.get("/metrics", response_class=PlainTextResponse)
def metrics(request: Request) -> PlainTextResponse:
    """Counters and histograms of this app (requests, blocks by rule, latency, tokens)."""
    body, content_type = request.app.state.gateway.metrics.render()
    return PlainTextResponse(body, media_type=content_type)
