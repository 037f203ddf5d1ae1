"""The gateway's routers, one module per family of endpoints; `create_app` includes them in this order."""

from __future__ import annotations

from genguard.server.routes import (
    admin,
    checks,
    completions,
    health,
    litellm_guardrail,
    playground,
    watermark,
)

ROUTERS = [
    completions.router,
    watermark.router,
    checks.router,
    litellm_guardrail.router,
    health.router,
    playground.router,
    admin.router,
]
