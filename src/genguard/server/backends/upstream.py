"""The upstream backend: an OpenAI-compatible server (vLLM, Ollama, another genguard gateway)
proxied with httpx. The gateway's guards run around it in the route, as for a local model; its
answers are not watermarked (the sampling happens elsewhere), and the metadata says so.

Upstream failures become the gateway's own errors: an HTTP error or an unreachable server is a
502 that carries the upstream's message, no answer within route.timeout_s is a 504.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import httpx

from genguard.server.backends import Backend, BackendRequest, BackendResult
from genguard.server.errors import APIError

if TYPE_CHECKING:
    from genguard.server.config import ModelRoute

NOTE = "upstream backend: not watermarked"


class UpstreamBackend(Backend):
    """Proxies chat and completion requests to `route.base_url` as `route.upstream_model`."""

    kind = "upstream"

    def __init__(self, route: ModelRoute) -> None:
        self.route = route
        self.model = route.upstream_model or route.name
        key = os.environ.get(route.api_key_env, "") if route.api_key_env else ""
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        base = (route.base_url or "").rstrip("/") + "/"
        self._client = httpx.AsyncClient(base_url=base, headers=headers, timeout=route.timeout_s)

    @property
    def watermark(self) -> dict[str, object] | None:
        return None

    @property
    def watermark_note(self) -> str | None:
        return NOTE

    def _body(self, request: BackendRequest, stream: bool) -> tuple[str, dict[str, Any]]:
        body: dict[str, Any] = {
            "model": self.model,
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "top_p": request.top_p,
            "stream": stream,
        }
        if request.seed is not None:
            body["seed"] = request.seed
        if stream:
            body["stream_options"] = {"include_usage": True}
        if request.kind == "chat":
            body["messages"] = [{"role": role, "content": content} for role, content in request.messages]
            return "chat/completions", body
        body["prompt"] = request.prompt
        return "completions", body

    async def complete(self, request: BackendRequest) -> BackendResult:
        path, body = self._body(request, stream=False)
        with self._errors():
            response = await self._client.post(path, json=body)
            self._raise_for_status(response.status_code, response.content)
            data = _json(response.content, self.route.base_url)
        try:
            choice = data["choices"][0]
            text = choice["message"]["content"] if request.kind == "chat" else choice["text"]
            usage = data.get("usage") or {}
            return BackendResult(
                text or "",
                choice.get("finish_reason") or "stop",
                int(usage.get("prompt_tokens", 0)),
                int(usage.get("completion_tokens", 0)),
            )
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise self._malformed(f"no {exc} in its answer") from exc

    async def stream(self, request: BackendRequest) -> AsyncIterator[str | BackendResult]:
        path, body = self._body(request, stream=True)
        pieces: list[str] = []
        finish, usage = "stop", {}
        with self._errors():
            async with self._client.stream("POST", path, json=body) as response:
                if response.status_code >= 400:
                    self._raise_for_status(response.status_code, await response.aread())
                async for line in response.aiter_lines():
                    data = line.removeprefix("data:").strip() if line.startswith("data:") else ""
                    if not data:
                        continue  # blank separators, comments and other SSE fields
                    if data == "[DONE]":
                        break
                    chunk = _json(data.encode(), self.route.base_url)
                    if "error" in chunk:
                        raise APIError(502, f"upstream error: {_message(chunk)}", code="upstream_error")
                    usage = chunk.get("usage") or usage
                    for choice in chunk.get("choices") or []:
                        delta = choice.get("delta") or {}
                        piece = delta.get("content") if request.kind == "chat" else choice.get("text")
                        if piece:
                            pieces.append(piece)
                            yield piece
                        finish = choice.get("finish_reason") or finish
        yield BackendResult(
            "".join(pieces),
            finish,
            int(usage.get("prompt_tokens", 0)),
            int(usage.get("completion_tokens", 0)),
        )

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """httpx's failures as the gateway's 502 (unreachable, broken) and 504 (too slow)."""
        where = self.route.base_url
        try:
            yield
        except httpx.TimeoutException as exc:
            raise APIError(
                504,
                f"the upstream {where} did not answer within {self.route.timeout_s:g} s; retry later "
                "or raise the model's timeout_s",
                code="upstream_timeout",
            ) from exc
        except httpx.HTTPError as exc:
            raise APIError(
                502, f"cannot reach the upstream {where}: {exc or type(exc).__name__}", code="upstream_error"
            ) from exc

    def _raise_for_status(self, status: int, content: bytes) -> None:
        if status >= 400:
            try:
                message = _message(json.loads(content))
            except (ValueError, AttributeError):
                message = content.decode("utf-8", "replace")[:300]
            raise APIError(
                502, f"upstream {self.route.base_url} answered {status}: {message}", code="upstream_error"
            )

    def _malformed(self, what: str) -> APIError:
        return APIError(
            502,
            f"the upstream {self.route.base_url} did not answer in OpenAI's format ({what})",
            code="upstream_error",
        )

    def close(self) -> None:
        # Without a running loop the process is ending, and the sockets go with it.
        with contextlib.suppress(RuntimeError):
            asyncio.get_running_loop().create_task(self._client.aclose())


def _json(content: bytes, where: str | None) -> dict[str, Any]:
    try:
        data = json.loads(content)
    except ValueError as exc:
        raise APIError(
            502, f"the upstream {where} answered with invalid JSON", code="upstream_error"
        ) from exc
    if not isinstance(data, dict):
        raise APIError(
            502, f"the upstream {where} answered with JSON that is not an object", code="upstream_error"
        )
    return data


def _message(body: Any) -> str:
    """The `error.message` of an OpenAI error body (or the body itself, shortened)."""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and error.get("message"):
        return str(error["message"])
    return json.dumps(body)[:300]
