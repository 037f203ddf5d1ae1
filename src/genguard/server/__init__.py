"""The gateway (`genguard serve`): an OpenAI-compatible FastAPI service over the library.

Needs the `server` extra (fastapi, uvicorn, prometheus-client). Names load lazily, so that
`import genguard.server` does not import FastAPI.
"""

from __future__ import annotations

from genguard.lazy import lazy_exports

_LAZY = {
    "create_app": "genguard.server.app",
    "GatewayConfig": "genguard.server.config",
    "load_config": "genguard.server.config",
}

__all__ = sorted(_LAZY)

__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
