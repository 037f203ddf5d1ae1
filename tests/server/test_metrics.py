"""GET /metrics of the real gateway: request counts by route and status, latency histograms, and
(from the audit record) blocks by rule and tokens, in Prometheus' text format."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

from genguard.server.metrics import Metrics
from genguard.storage.audit_log import AuditRecord

CHEAP = "/v1/watermark/public-key"


def _samples(text: str) -> dict[tuple[str, frozenset], float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_metrics_count_what_the_gateway_answered(serve_gateway) -> None:
    served = serve_gateway({"limits": {"requests_per_minute": 3}})
    with httpx.Client(base_url=served.base_url, timeout=30) as client:
        statuses = [client.get(CHEAP).status_code for _ in range(5)]
        client.get("/no/such/path")
        answer = client.get("/metrics")
    assert statuses == [200, 200, 200, 429, 429]
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    samples = _samples(answer.text)
    route = ("route", CHEAP)
    assert samples[("genguard_requests_total", frozenset({route, ("status", "200")}))] == 3
    assert samples[("genguard_requests_total", frozenset({route, ("status", "429")}))] == 2
    unmatched = frozenset({("route", "(unmatched)"), ("status", "404")})  # not one series per path
    assert samples[("genguard_requests_total", unmatched)] == 1
    assert samples[("genguard_request_latency_seconds_count", frozenset({route}))] == 5
    assert 0 < samples[("genguard_request_latency_seconds_sum", frozenset({route}))] < 30
    assert samples[("genguard_request_latency_seconds_bucket", frozenset({route, ("le", "+Inf")}))] == 5


def _record(**fields) -> AuditRecord:
    base = {"time": "2025-01-01T00:00:00.000000Z", "request_id": "r", "route": "/v1/chat/completions"}
    return AuditRecord(**{**base, "method": "POST", "status": 200, "latency_ms": 12.0, **fields})


def test_blocks_by_rule_and_tokens_come_from_the_record() -> None:
    metrics, other_app = Metrics(), Metrics()  # registries of their own: two apps count apart
    metrics.observe(_record(action="block", rules=["pii", "toxicity"], status=422, prompt_tokens=9), "/v1/x")
    metrics.observe(_record(action="block", rules=["pii"], status=422, prompt_tokens=4), "/v1/x")
    metrics.observe(_record(action="redact", rules=["pii"], prompt_tokens=5, completion_tokens=20), "/v1/x")
    body, content_type = metrics.render()
    samples = _samples(body.decode())
    assert samples[("genguard_blocks_total", frozenset({("rule", "pii")}))] == 2
    assert samples[("genguard_blocks_total", frozenset({("rule", "toxicity")}))] == 1
    assert samples[("genguard_tokens_total", frozenset({("kind", "prompt")}))] == 18
    assert samples[("genguard_tokens_total", frozenset({("kind", "completion")}))] == 20
    assert "version=" in content_type
    assert "genguard_blocks_total{" not in other_app.render()[0].decode()
