"""Who may call the gateway: API keys, loopback-only mode, the admin key, and rate limits.

- No active API key in the store: the gateway serves loopback clients (127.0.0.1, ::1) only and
  refuses everyone else with 403. A loopback client may send any token or none (none is active
  to check), except a revoked key, which is refused with 401 as it is when other keys exist.
  (uvicorn trusts X-Forwarded-For from loopback, so a reverse proxy on the same machine passes
  its remote clients' addresses, and they are refused too.)
- Any active key: every /v1 request needs `Authorization: Bearer <key>` (or `x-api-key: <key>`,
  as LiteLLM's guardrail settings send it); a missing, unknown or revoked key is refused with 401.
- The admin key (the environment variable named by config.admin_key_env) authorises the
  /admin/keys endpoints and nothing else; it is never stored.
- Each key (or each client address in loopback-only mode) has a sliding-minute limit of
  requests (checked on arrival) and tokens (charged by the middleware when the request ends);
  the key's own limits override config.limits. Over a limit: 429 with Retry-After.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from dataclasses import dataclass

from fastapi import FastAPI, Request

from genguard.server.audit_draft import draft
from genguard.server.errors import APIError
from genguard.server.ratelimit import RateLimiter
from genguard.storage.api_keys import ApiKey

LIMIT_SUBJECT_KEY = "genguard.limit_subject"  # scope key: whom the middleware charges tokens to
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


@dataclass(frozen=True)
class Caller:
    """Who sent the request: their API key (None in loopback-only mode) and client address."""

    key: ApiKey | None
    client: str

    @property
    def profile(self) -> str | None:
        return self.key.profile if self.key is not None else None


def is_loopback(host: str) -> bool:
    """Whether `host` is a loopback address (127.0.0.0/8, ::1, or IPv4-mapped 127.x); False for
    anything that is not an IP address."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None."""
    scheme, _, token = request.headers.get("authorization", "").strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def api_key_token(request: Request) -> str | None:
    """The caller's API key: the `Authorization: Bearer <key>` token, else the `x-api-key` header
    (what LiteLLM's guardrail `api_key` setting and Anthropic-style clients send), else None."""
    return bearer_token(request) or request.headers.get("x-api-key", "").strip() or None


def rate_limiter(app: FastAPI) -> RateLimiter:
    """The app's rate limiter (made on first use; one per app)."""
    limiter = getattr(app.state, "rate_limiter", None)
    if limiter is None:
        limiter = app.state.rate_limiter = RateLimiter()
    return limiter


async def caller(request: Request) -> Caller:
    """FastAPI dependency of the /v1 routes: the authenticated caller, counted against its limits.

    Raises APIError 403 (no keys exist and the client is not on loopback), 401 (a revoked key, or
    keys exist and the request has none or an unknown one) or 429 (over a limit, with Retry-After).
    Async on purpose: one indexed SQLite read, cheaper than a hop to the thread pool."""
    gateway = request.app.state.gateway
    client = request.client.host if request.client else ""
    token = api_key_token(request)
    if gateway.keys.count_active() == 0:
        if not is_loopback(client):
            raise APIError(
                403,
                f"this gateway has no API keys, so it serves loopback clients only and {client or 'you'} "
                "is not one; its operator can create a key with `genguard keys create NAME`",
                code="loopback_only",
            )
        # Any other token is ignored (clients such as openai's must send one), but a revoked key
        # stays refused: revoking the last key must not make that key work again.
        if token is not None and gateway.keys.lookup(token) is not None:
            raise APIError(
                401,
                "this API key was revoked; ask the gateway's operator for a new one",
                code="revoked_api_key",
                headers=_CHALLENGE,
            )
        key = None
    else:
        if token is None:
            raise APIError(
                401,
                "no API key: send it as the header `Authorization: Bearer <key>` (or `x-api-key: <key>`)",
                code="missing_api_key",
                headers=_CHALLENGE,
            )
        key = gateway.keys.authenticate(token)
        if key is None:
            raise APIError(
                401,
                "the API key is not valid (unknown or revoked); ask the gateway's operator for a key",
                code="invalid_api_key",
                headers=_CHALLENGE,
            )
        draft(request)["key_id"] = key.key_id
    _admit(request, key, client)
    return Caller(key=key, client=client)


def _admit(request: Request, key: ApiKey | None, client: str) -> None:
    """Count the request against its key's (or client's) limits; APIError 429 when over one."""
    limits = request.app.state.gateway.config.limits
    subject = f"key:{key.key_id}" if key is not None else f"client:{client}"
    refusal = rate_limiter(request.app).admit(
        subject,
        (key and key.requests_per_minute) or limits.requests_per_minute,
        (key and key.tokens_per_minute) or limits.tokens_per_minute,
    )
    if refusal is not None:
        who = f"key {key.key_id}" if key is not None else f"client {client}"
        raise APIError(
            429,
            f"rate limit reached for {who}: {refusal.message}; retry after {refusal.retry_after_s} s",
            code="rate_limit_exceeded",
            headers={"Retry-After": str(refusal.retry_after_s)},
        )
    request.scope[LIMIT_SUBJECT_KEY] = subject


async def admin(request: Request) -> None:
    """FastAPI dependency of the /admin routes: the admin key, or APIError 403 (no admin key is
    configured) / 401 (missing or wrong)."""
    env = request.app.state.gateway.config.admin_key_env
    expected = os.environ.get(env, "")
    if not expected:
        raise APIError(
            403,
            f"key management over HTTP is off: start the gateway with the environment variable {env} set "
            "to an admin key, or use `genguard keys` on the gateway's machine",
            code="admin_disabled",
        )
    token = bearer_token(request) or ""
    if not hmac.compare_digest(token.encode("utf-8"), expected.encode("utf-8")):
        raise APIError(
            401,
            f"admin endpoints need the admin key (from {env}) as `Authorization: Bearer <key>`",
            code="invalid_admin_key",
            headers=_CHALLENGE,
        )
    draft(request)["key_id"] = "admin"
