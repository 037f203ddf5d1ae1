"""The gateway's Prometheus metrics, kept in a registry of their own per app (not the process-wide
default one), so that two apps in one process (tests, an upstream beside its proxy) count apart.

Fed by the middleware from the same record as the audit row, once per request.
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

from genguard.storage.audit_log import AuditRecord

# From a guard-only call (milliseconds) to a long local generation (a minute on 2 cores).
LATENCY_BUCKETS_S = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)


class Metrics:
    """Counters and a latency histogram of one app; `observe` a request, `render` the text format."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "genguard_requests", "Requests answered, by route and status.", ["route", "status"],
            registry=self.registry,
        )  # fmt: skip
        self.blocks = Counter(
            "genguard_blocks", "Requests blocked by the guard, by rule.", ["rule"], registry=self.registry
        )
        self.latency = Histogram(
            "genguard_request_latency_seconds",
            "Time from a request's arrival to its last byte, by route.",
            ["route"],
            buckets=LATENCY_BUCKETS_S,
            registry=self.registry,
        )
        self.tokens = Counter(
            "genguard_tokens",
            "Tokens processed, by kind (prompt, completion).",
            ["kind"],
            registry=self.registry,
        )

    def observe(self, record: AuditRecord, route: str) -> None:
        """Count one request; `route` is the route template (e.g. /admin/keys/{key_id}), not the
        raw path, so that ids in paths do not make a series each."""
        self.requests.labels(route=route, status=str(record.status)).inc()
        self.latency.labels(route=route).observe(record.latency_ms / 1000)
        if record.action == "block":
            for rule in record.rules or ["(unnamed)"]:
                self.blocks.labels(rule=rule).inc()
        for kind, count in (("prompt", record.prompt_tokens), ("completion", record.completion_tokens)):
            if count:
                self.tokens.labels(kind=kind).inc(count)

    def render(self) -> tuple[bytes, str]:
        """The metrics in Prometheus' text format, and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
