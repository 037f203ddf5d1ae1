"""Key management over HTTP, for the holder of the admin key: `POST /admin/keys` (create; the
secret is in this one response only), `GET /admin/keys` (list), `DELETE /admin/keys/{key_id}`
(revoke). The same operations as `genguard keys create|list|revoke`, on the same store."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from genguard.server.auth import admin
from genguard.server.errors import APIError
from genguard.server.openai_schema import ErrorResponse
from genguard.storage.api_keys import MAX_NAME_CHARS, ApiKey, CreatedKey


def _error(description: str) -> dict:
    return {"model": ErrorResponse, "description": description}


_ERRORS: dict[int | str, dict] = {
    400: _error("Invalid request (or a profile the guard policy lacks)"),
    401: _error("Missing or wrong admin key"),
    403: _error("Key management over HTTP is off (no admin key configured)"),
    413: _error("Request body too large"),
}
router = APIRouter(prefix="/admin", tags=["admin"], dependencies=[Depends(admin)], responses=_ERRORS)


class KeyRequest(BaseModel):
    """A key to create: a label, and optionally its guard profile and its own limits."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    profile: str | None = Field(default=None, max_length=200)
    requests_per_minute: int | None = Field(default=None, ge=1, le=1_000_000)
    tokens_per_minute: int | None = Field(default=None, ge=1, le=1_000_000_000)


class KeyList(BaseModel):
    data: list[ApiKey]


@router.post("/keys", status_code=201)
def create_key(body: KeyRequest, request: Request) -> CreatedKey:
    """A new API key and its secret (shown only here). 400 for a profile the policy lacks."""
    gateway = request.app.state.gateway
    if body.profile:
        from genguard.guard.policy import Policy

        Policy.load(gateway.config.guard.policy).profile(body.profile)  # ConfigError -> 400
    key, secret = gateway.keys.create(
        body.name, body.profile, body.requests_per_minute, body.tokens_per_minute
    )
    return CreatedKey(key=key, secret=secret)


@router.get("/keys")
def list_keys(request: Request) -> KeyList:
    """Every key, revoked ones included, oldest first (never a secret)."""
    return KeyList(data=request.app.state.gateway.keys.list())


@router.delete("/keys/{key_id}", responses={404: _error("No such key")})
def revoke_key(key_id: str, request: Request) -> ApiKey:
    """The key, revoked from now on (404 for an unknown key id)."""
    keys = request.app.state.gateway.keys
    if keys.get(key_id) is None:
        raise APIError(404, f"no API key {key_id!r}; GET /admin/keys lists them", code="key_not_found")
    return keys.revoke(key_id)
