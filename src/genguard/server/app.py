"""The app factory: `create_app(config)` wires the gateway's parts and routes into a FastAPI app.

Thin over the library (DESIGN.md, The gateway): routes translate the wire format into library
calls and back; the guard, the watermark and the detectors run in the library.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

import genguard
from genguard.server.config import GatewayConfig
from genguard.server.errors import install_error_handlers, install_openapi_errors
from genguard.server.state import Gateway


def create_app(config: GatewayConfig | None = None) -> FastAPI:
    """A FastAPI app serving `config` (the defaults when None). The gateway's state is
    `app.state.gateway`; it is closed (workers stopped, databases closed) at shutdown."""
    from genguard.server.middleware import install_middleware
    from genguard.server.routes import ROUTERS

    gateway = Gateway(config or GatewayConfig())

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        gateway.close()

    app = FastAPI(
        title="genguard gateway",
        version=genguard.__version__,
        description="An OpenAI-compatible gateway that guards, watermarks and logs generation.",
        lifespan=lifespan,
    )
    app.state.gateway = gateway
    # Before install_middleware: middleware added later wraps what was added earlier, and the
    # gateway middleware must see the 500 that error handling makes of an unexpected failure.
    install_error_handlers(app)
    install_openapi_errors(app)
    install_middleware(app)
    for router in ROUTERS:
        app.include_router(router)
    return app
