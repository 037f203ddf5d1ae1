"""The audit row of the request in flight, filled in by the route and written by the middleware.

Routes add what only they know (model, verdict, rule names, watermark key id, token counts, and
the texts, which are stored only when the config's audit.log_text is on); the middleware adds
time, route, key id, status and latency, and commits the row before the last byte of the
response leaves, so a client that got an answer always has its row (see middleware.py).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

_SCOPE_KEY = "genguard.audit"

# The fields a route may set; the middleware ignores any other key.
ROUTE_FIELDS = (
    "model",  # the model name the client asked for
    "backend",  # "local" or "upstream"
    "action",  # the strictest guard action taken: allow, annotate, redact or block
    "rules",  # list[str]: names of the rules that fired (input and output)
    "watermark_key_id",  # the key that watermarked the answer (None: not watermarked)
    "scheme",  # the watermark scheme
    "prompt_tokens",
    "completion_tokens",
    "prompt_text",
    "completion_text",
)


def draft(request: Request) -> dict[str, Any]:
    """This request's audit fields so far (a dict the route updates in place)."""
    return request.scope.setdefault(_SCOPE_KEY, {})


def scope_draft(scope: dict[str, Any]) -> dict[str, Any]:
    """The same dict, from an ASGI scope (for the middleware)."""
    return scope.setdefault(_SCOPE_KEY, {})
