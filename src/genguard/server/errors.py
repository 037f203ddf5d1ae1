"""Errors in OpenAI's wire shape: {"error": {"message", "type", "param", "code"}} with the status
code the official clients map to their exception classes (400 BadRequestError, 401
AuthenticationError, 404 NotFoundError, 413, 422 UnprocessableEntityError, 429 RateLimitError)."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from genguard.errors import ConfigError, GenguardError, InvalidInputError

log = logging.getLogger("genguard.server")

_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    413: "invalid_request_error",
    415: "invalid_request_error",
    422: "content_policy_violation",
    429: "rate_limit_error",
    500: "server_error",
    502: "upstream_error",
    503: "server_error",
    504: "upstream_error",
}


class APIError(Exception):
    """An error the gateway answers with `status` and OpenAI's error body."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.param = param
        self.headers = headers or {}


def error_body(status: int, message: str, code: str | None = None, param: str | None = None) -> dict:
    """OpenAI's error object for `status`."""
    return {
        "error": {
            "message": message,
            "type": _TYPES.get(status, "invalid_request_error" if status < 500 else "server_error"),
            "param": param,
            "code": code,
        }
    }


def error_response(exc: APIError) -> JSONResponse:
    """The JSON response of `exc`. A 413 always has the code body_too_large, whichever part of the
    server refused the body (the middleware, or a route reading it)."""
    code = "body_too_large" if exc.status == 413 else exc.code
    return JSONResponse(
        error_body(exc.status, exc.message, code, exc.param), status_code=exc.status, headers=exc.headers
    )


_UNREADABLE_BODY = "There was an error parsing the body"  # FastAPI's detail for a body it cannot decode
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")  # OpenAPI operations
_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}


def _validation_message(request: Request, exc: RequestValidationError) -> tuple[str, str | None]:
    """(message, param) of a request that failed validation: the field and what was wrong with it,
    or, for a body that is not a JSON object, what to send instead."""
    first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
    loc = [str(p) for p in first.get("loc", ()) if p != "body"]
    param = ".".join(loc) or None
    msg = str(first.get("msg", "invalid request")).removeprefix("Value error, ")
    if first.get("type") == "json_invalid":
        return "the request body is not valid JSON", None
    if param is None and tuple(first.get("loc", ())) == ("body",):
        return _body_message(request, first), None
    return (f"{param}: {msg}" if param else msg), param


def _body_message(request: Request, error: dict[str, Any]) -> str:
    """Why a whole body was refused: missing, not sent as JSON, or JSON but not an object."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if error.get("type") == "missing":
        return "the request body is empty; send a JSON object with Content-Type: application/json"
    if content_type != "application/json" and not content_type.endswith("+json"):
        return (
            f"the request body must be JSON sent with Content-Type: application/json, "
            f"not {content_type or 'no Content-Type'}"
        )
    kind = type(error.get("input")).__name__
    kinds = {
        "list": "an array",
        "str": "a string",
        "int": "a number",
        "float": "a number",
        "bool": "a boolean",
    }
    return f"the request body must be a JSON object, not {kinds.get(kind, 'a ' + kind)}"


def install_error_handlers(app: FastAPI) -> None:
    """Every error leaves the gateway in OpenAI's shape; an unexpected one is a 500 that names
    only its type (the detail goes to the server log, not to the client). Call it before
    install_middleware, so that UnexpectedErrors runs inside the gateway middleware."""

    @app.exception_handler(APIError)
    async def _api(_: Request, exc: APIError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        message, param = _validation_message(request, exc)
        return error_response(APIError(400, message, param=param, code="invalid_request"))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message, code = str(exc.detail), _HTTP_CODES.get(exc.status_code)
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = allowed_methods(request, headers.get("Allow", ""))
        if exc.status_code == 400 and message == _UNREADABLE_BODY:
            # Bytes that are not UTF-8, or JSON nested too deeply for the parser.
            message, code = (
                "the request body could not be read as JSON: send UTF-8 JSON (not nested hundreds deep)",
                "invalid_request",
            )
        return error_response(APIError(exc.status_code, message, code=code, headers=headers))

    @app.exception_handler(InvalidInputError)
    @app.exception_handler(ConfigError)
    async def _input(_: Request, exc: GenguardError) -> JSONResponse:
        return error_response(APIError(400, " ".join(str(exc).split()), code="invalid_input"))

    @app.exception_handler(GenguardError)
    async def _genguard(_: Request, exc: GenguardError) -> JSONResponse:
        return error_response(APIError(500, " ".join(str(exc).split()), code=type(exc).__name__))

    app.add_middleware(UnexpectedErrors)


def allowed_methods(request: Request, default: str) -> str:
    """The Allow header of a 405: every documented method on the request's path (Starlette names
    only those of the first route that matched the path: POST alone for GET+POST /admin/keys), or
    `default` for a path the OpenAPI schema does not list."""
    methods = set()
    for template, item in request.app.openapi().get("paths", {}).items():
        parts = re.split(r"(\{[^}]*\})", template)  # literal text and {parameters}
        pattern = "".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts)
        if re.fullmatch(pattern, request.url.path):
            methods |= {method.upper() for method in item if method in _METHODS}
    return ", ".join(sorted(methods)) or default


class UnexpectedErrors:
    """ASGI middleware: an unexpected exception before the response started becomes a 500 in
    OpenAI's shape that names only the exception's type (the traceback goes to the server log).

    Added before the gateway middleware, so it runs inside it: the 500 passes through the gateway
    middleware and gets its x-request-id and its audit row (Starlette's own handler for Exception
    sits outside every middleware). After the response started, the exception propagates."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            if started:
                raise
            log.error("%s %s failed", scope.get("method"), scope.get("path"), exc_info=exc)
            message = f"the gateway failed on this request ({type(exc).__name__}); its log has the details"
            await error_response(APIError(500, message, code="internal_error"))(scope, receive, send)


_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")
_ERROR_REF = "#/components/schemas/ErrorResponse"


def install_openapi_errors(app: FastAPI) -> None:
    """Make the served OpenAPI schema say what the gateway answers to an invalid request: 400 with
    OpenAI's error body, not FastAPI's automatic 422 "Validation Error" (422 here means content
    blocked by the policy, where a route documents it itself)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            schema = get_openapi(
                title=app.title,
                version=app.version,
                openapi_version=app.openapi_version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
                servers=app.servers,
            )
            app.openapi_schema = without_validation_422(schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def without_validation_422(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with every automatic 422 response (the one referring to HTTPValidationError)
    replaced by a documented 400 with OpenAI's error body, and the two validation schemas removed
    once nothing refers to them. Returns the same (changed) dict."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for operation in _operations(schema):
        responses = operation.get("responses", {})
        automatic = responses.get("422")
        if automatic is None or "HTTPValidationError" not in json.dumps(automatic):
            continue
        del responses["422"]
        responses.setdefault("400", _invalid_request_response(components))
    text = json.dumps({k: v for k, v in schema.items() if k != "components"}) + json.dumps(
        {k: v for k, v in components.items() if k not in _VALIDATION_SCHEMAS}
    )
    for name in _VALIDATION_SCHEMAS:
        if f"#/components/schemas/{name}" not in text:
            components.pop(name, None)
    return schema


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for item in schema.get("paths", {}).values() for m, op in item.items() if m in _METHODS]


def _invalid_request_response(components: dict[str, Any]) -> dict[str, Any]:
    """A 400 response with OpenAI's error body (the ErrorResponse schema, added when missing)."""
    if "ErrorResponse" not in components:
        from genguard.server.openai_schema import ErrorResponse

        generated = ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(generated.pop("$defs", {}))
        components["ErrorResponse"] = generated
    return {
        "description": "Invalid request (malformed JSON, a wrong type, a missing or unknown field): "
        "the message names the field",
        "content": {"application/json": {"schema": {"$ref": _ERROR_REF}}},
    }
