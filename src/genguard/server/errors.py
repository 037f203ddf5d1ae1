"""Errors in OpenAI's wire shape: {"error": {"message", "type", "param", "code"}} with the status
code the official clients map to their exception classes (400 BadRequestError, 401
AuthenticationError, 404 NotFoundError, 413, 422 UnprocessableEntityError, 429 RateLimitError)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from genguard.errors import ConfigError, GenguardError, InvalidInputError

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


def _validation_message(exc: RequestValidationError) -> tuple[str, str | None]:
    first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
    loc = [str(p) for p in first.get("loc", ()) if p != "body"]
    param = ".".join(loc) or None
    msg = str(first.get("msg", "invalid request")).removeprefix("Value error, ")
    if first.get("type") == "json_invalid":
        return "the request body is not valid JSON", None
    return (f"{param}: {msg}" if param else msg), param


def install_error_handlers(app: FastAPI) -> None:
    """Every error leaves the gateway in OpenAI's shape; an unexpected one is a 500 that names
    only its type (the detail goes to the server log, not to the client)."""

    @app.exception_handler(APIError)
    async def _api(_: Request, exc: APIError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        message, param = _validation_message(exc)
        return error_response(APIError(400, message, param=param, code="invalid_request"))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_response(APIError(exc.status_code, str(exc.detail), headers=dict(exc.headers or {})))

    @app.exception_handler(InvalidInputError)
    @app.exception_handler(ConfigError)
    async def _input(_: Request, exc: GenguardError) -> JSONResponse:
        return error_response(APIError(400, " ".join(str(exc).split()), code="invalid_input"))

    @app.exception_handler(GenguardError)
    async def _genguard(_: Request, exc: GenguardError) -> JSONResponse:
        return error_response(APIError(500, " ".join(str(exc).split()), code=type(exc).__name__))


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
    methods = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
    return [op for item in schema.get("paths", {}).values() for m, op in item.items() if m in methods]


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
