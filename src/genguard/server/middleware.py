"""The gateway's one ASGI middleware: request id, body limit, audit row, metrics, token charge.

Pure ASGI (not Starlette's BaseHTTPMiddleware, which buffers responses): a streamed answer
passes through chunk by chunk. For every HTTP request:

- a request id (the client's x-request-id when it is a short plain token, else a new one) is
  sent back as the x-request-id header;
- a Content-Length above limits.max_body_bytes is answered 413 at once, without reading the
  body; a body without a length (chunked) is counted as it arrives and refused at the limit, so
  memory stays bounded by the limit;
- for /v1/* and /admin/* the audit row is committed BEFORE the final body chunk is handed to the
  server: a client that received a whole response always has its row, even when the process is
  killed with SIGKILL right after. A stream's row is written when it ends; a client that leaves
  mid-stream still gets a row (outcome "disconnected", the status and the bytes sent so far);
- the same record feeds the metrics, and its token counts are charged to the caller's
  tokens-per-minute limit.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from typing import Any

from fastapi import FastAPI
from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from genguard.server.audit_draft import ROUTE_FIELDS, scope_draft
from genguard.server.auth import LIMIT_SUBJECT_KEY, rate_limiter
from genguard.server.errors import error_body
from genguard.server.state import Gateway
from genguard.storage.audit_log import AuditRecord
from genguard.storage.gateway_db import utc_now

log = logging.getLogger("genguard.server")

AUDITED_PREFIXES = ("/v1/", "/admin/")
REQUEST_ID_KEY = "genguard.request_id"
_CLIENT_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class BodyTooLarge(HTTPException):
    """A request body grew past limits.max_body_bytes while it was read (answered 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large_message(limit))


def too_large_message(limit: int) -> str:
    return (
        f"the request body is larger than this gateway's limit of {limit} bytes "
        "(limits.max_body_bytes); send a smaller request"
    )


def install_middleware(app: FastAPI) -> None:
    """Add the gateway middleware to `app` (whose state.gateway must be set)."""
    app.add_middleware(GatewayMiddleware, gateway=app.state.gateway, fastapi_app=app)


class GatewayMiddleware:
    """See the module docstring; one `_Exchange` per request holds its state."""

    def __init__(self, app: ASGIApp, gateway: Gateway, fastapi_app: FastAPI) -> None:
        self.app = app
        self.gateway = gateway
        self.fastapi_app = fastapi_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await _Exchange(self, scope, receive, send).run()


class _Exchange:
    """One HTTP request and its response, as the middleware sees them."""

    def __init__(self, owner: GatewayMiddleware, scope: Scope, receive: Receive, send: Send) -> None:
        self.owner = owner
        self.gateway = owner.gateway
        self.scope = scope
        self.downstream_receive = receive
        self.downstream_send = send
        self.started = time.perf_counter()
        self.arrived = utc_now()
        self.request_id = _request_id(scope)
        scope[REQUEST_ID_KEY] = self.request_id
        self.limit = self.gateway.config.limits.max_body_bytes
        self.received = 0
        self.status = 0
        self.bytes_sent = 0
        self.response_started = False
        self.client_gone = False
        self.finished = False

    async def run(self) -> None:
        length = _content_length(self.scope)
        if length is not None and length > self.limit:
            await self._send_too_large(too_large_message(self.limit))
            return
        try:
            await self.owner.app(self.scope, self.receive, self.send)
        except BodyTooLarge as exc:  # raised outside a route (routes turn it into a 413 themselves)
            if self.response_started:
                self._finish("error")
                raise
            await self._send_too_large(str(exc.detail))
        except (asyncio.CancelledError, OSError, ClientDisconnect):
            self._finish("disconnected")
            raise
        except Exception:
            self._finish("error")  # the server's error handler answers 500 after this
            raise
        finally:
            # A response that ended without its final chunk: the client left, or the app stopped.
            if not self.finished:
                self._finish("disconnected" if self.client_gone else "error")

    async def receive(self) -> Message:
        message = await self.downstream_receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit:
                raise BodyTooLarge(self.limit)
        elif message["type"] == "http.disconnect":
            self.client_gone = True
        return message

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.response_started = True
            self.status = message["status"]
            headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
            message = {**message, "headers": [*headers, (b"x-request-id", self.request_id.encode())]}
        elif message["type"] == "http.response.body":
            self.bytes_sent += len(message.get("body", b""))
            if not message.get("more_body", False):
                # Committed before the last chunk leaves: whoever got the response has its row.
                self._finish("disconnected" if self.client_gone else "complete", strict=True)
        await self.downstream_send(message)

    async def _send_too_large(self, message: str) -> None:
        """Answer 413 with OpenAI's error body, through `send` (so that it gets its row)."""
        from fastapi.responses import JSONResponse

        body = error_body(413, message, code="body_too_large")
        # Connection: close, since the unread body would otherwise be taken for the next request.
        response = JSONResponse(body, status_code=413, headers={"Connection": "close"})
        await response(self.scope, self.downstream_receive, self.send)

    def _finish(self, outcome: str, strict: bool = False) -> None:
        """Write the audit row (audited routes), count the metrics and charge the tokens, once.

        With `strict`, a row that cannot be written raises, so that the response is not completed
        without its row; otherwise the failure is logged (the request failed already)."""
        if self.finished:
            return
        self.finished = True
        status = self.status or (499 if outcome == "disconnected" else 500)
        record = self._record(outcome, status)
        path = self.scope.get("path", "")
        if path.startswith(AUDITED_PREFIXES):
            try:
                record = self.gateway.audit_log.append(record)
            except Exception:
                log.exception("could not write the audit row of request %s", self.request_id)
                if strict:
                    raise
        route = getattr(self.scope.get("route"), "path", None) or "(unmatched)"
        self.gateway.metrics.observe(record, route)
        subject = self.scope.get(LIMIT_SUBJECT_KEY)
        if subject is not None:
            tokens = (record.prompt_tokens or 0) + (record.completion_tokens or 0)
            rate_limiter(self.owner.fastapi_app).charge(subject, tokens)

    def _record(self, outcome: str, status: int) -> AuditRecord:
        draft = scope_draft(self.scope)
        client = self.scope.get("client")
        base: dict[str, Any] = {
            "time": self.arrived,
            "request_id": self.request_id,
            "key_id": draft.get("key_id"),
            "client": client[0] if client else None,
            "route": self.scope.get("path", ""),
            "method": self.scope.get("method", ""),
            "status": status,
            "outcome": outcome,
            "latency_ms": round((time.perf_counter() - self.started) * 1000, 3),
            "bytes_sent": self.bytes_sent,
        }
        fields = {name: draft[name] for name in ROUTE_FIELDS if draft.get(name) is not None}
        if not self.gateway.config.audit.log_text:
            fields.pop("prompt_text", None)
            fields.pop("completion_text", None)
        try:
            return AuditRecord(**base, **fields)
        except ValidationError as exc:  # a route filled a field wrongly: keep the row, say so
            log.warning("audit fields of request %s ignored: %s", self.request_id, exc.errors()[0]["msg"])
            return AuditRecord(**base)


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            if _CLIENT_REQUEST_ID.fullmatch(text):
                return text
    return uuid.uuid4().hex


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
