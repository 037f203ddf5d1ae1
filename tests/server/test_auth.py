"""API keys, loopback-only mode, the admin key and rate limits, against the real gateway process.

Cheap endpoints only (no model loads): GET /v1/watermark/public-key through the official
`openai` client (its errors are the client's exception classes), httpx where no key is sent.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import openai
import pytest

from genguard.server.auth import is_loopback
from genguard.server.ratelimit import RateLimiter
from genguard.storage.api_keys import KeyStore

CHEAP = "/watermark/public-key"  # under /v1, behind the caller dependency, no model


def _client(served, key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=served.v1, api_key=key, max_retries=0, timeout=30)


def _get(client: openai.OpenAI) -> httpx.Response:
    return client.get(CHEAP, cast_to=httpx.Response)


def _cli(*args: str) -> str:
    """The output (stdout, then stderr) of `genguard *args` run as a real process; asserts exit 0."""
    done = subprocess.run(
        [sys.executable, "-m", "genguard.cli", *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def test_without_keys_only_loopback_clients_are_served(serve_gateway) -> None:
    served = serve_gateway({})
    assert "loopback clients" in served.log.read_text()  # the server says so at start
    assert _get(_client(served, "anything")).status_code == 200  # a key is neither needed nor checked
    assert httpx.get(f"{served.v1}{CHEAP}").status_code == 200
    # uvicorn trusts X-Forwarded-For from loopback: a reverse proxy's remote client is refused.
    far = httpx.get(f"{served.v1}{CHEAP}", headers={"X-Forwarded-For": "10.1.2.3"})
    assert far.status_code == 403
    error = far.json()["error"]
    assert error["code"] == "loopback_only" and "genguard keys create" in error["message"]


def test_once_a_key_exists_every_request_needs_a_valid_one(serve_gateway, tmp_path: Path) -> None:
    storage = tmp_path / "keys.sqlite"
    created = json.loads(_cli("keys", "create", "app", "--storage", str(storage), "--json", "--tpm", "900"))
    secret, key_id = created["secret"], created["key"]["key_id"]
    served = serve_gateway({"storage": str(storage)})
    assert "loopback clients" not in served.log.read_text()

    missing = httpx.get(f"{served.v1}/models")
    assert missing.status_code == 401 and missing.json()["error"]["code"] == "missing_api_key"
    assert missing.headers["www-authenticate"] == "Bearer"
    with pytest.raises(openai.AuthenticationError) as wrong:
        _client(served, secret[:-2] + "xx").models.list()
    assert wrong.value.code == "invalid_api_key" and secret[:-2] not in wrong.value.message
    assert [m.id for m in _client(served, secret).models.list()] == ["genguard-default"]

    _cli("keys", "revoke", key_id, "--storage", str(storage))  # another process, while the server runs
    with pytest.raises(openai.AuthenticationError, match="revoked"):
        _client(served, secret).models.list()
    # That was the only key: the gateway is back to loopback-only, where any token but a revoked
    # key passes, and it says so in the listing.
    assert _get(_client(served, "sk-placeholder")).status_code == 200
    assert "loopback clients only" in _cli("keys", "list", "--storage", str(storage))


def test_over_the_request_limit_is_429_with_retry_after(serve_gateway, tmp_path: Path) -> None:
    storage = tmp_path / "keys.sqlite"
    with KeyStore(storage) as keys:
        _, default_limits = keys.create("uses the config's limit")
        _, own_limit = keys.create("has its own limit", requests_per_minute=1)
    served = serve_gateway({"storage": str(storage), "limits": {"requests_per_minute": 2}})
    client = _client(served, default_limits)
    assert [_get(client).status_code for _ in range(2)] == [200, 200]
    with pytest.raises(openai.RateLimitError) as over:
        _get(client)
    assert 1 <= int(over.value.response.headers["retry-after"]) <= 60
    assert "2 requests per minute" in over.value.message

    other = _client(served, own_limit)  # limits are per key, and a key's own limit wins
    assert _get(other).status_code == 200
    with pytest.raises(openai.RateLimitError, match="1 requests per minute"):
        _get(other)


def test_the_admin_key_manages_keys_over_http_and_nothing_else(serve_gateway) -> None:
    admin = {"Authorization": "Bearer adm-0123456789"}
    served = serve_gateway({}, env={"GENGUARD_ADMIN_KEY": "adm-0123456789"})
    base = f"{served.base_url}/admin/keys"
    made = httpx.post(base, json={"name": "ci", "requests_per_minute": 10}, headers=admin)
    assert made.status_code == 201
    secret, key_id = made.json()["secret"], made.json()["key"]["key_id"]
    assert _get(_client(served, secret)).status_code == 200
    with pytest.raises(openai.AuthenticationError):  # the admin key is not an API key
        _get(_client(served, "adm-0123456789"))

    listed = httpx.get(base, headers=admin)
    assert [k["key_id"] for k in listed.json()["data"]] == [key_id] and secret not in listed.text
    assert httpx.get(base, headers={"Authorization": "Bearer adm-wrong"}).status_code == 401
    assert httpx.get(base).status_code == 401
    bad = httpx.post(base, json={"name": "x", "profile": "no-such-profile"}, headers=admin)
    assert bad.status_code == 400 and "no-such-profile" in bad.json()["error"]["message"]
    assert httpx.post(base, json={"name": ""}, headers=admin).status_code == 400

    assert httpx.delete(f"{base}/{key_id}", headers=admin).json()["revoked"] is not None
    assert httpx.delete(f"{base}/key_nope", headers=admin).status_code == 404
    with pytest.raises(openai.AuthenticationError):
        _get(_client(served, secret))


def test_without_an_admin_key_key_management_over_http_is_off(serve_gateway) -> None:
    served = serve_gateway({})
    refused = httpx.get(f"{served.base_url}/admin/keys", headers={"Authorization": "Bearer guess"})
    assert refused.status_code == 403 and "GENGUARD_ADMIN_KEY" in refused.json()["error"]["message"]


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.8.9.10", True), ("::1", True), ("::ffff:127.0.0.1", True),
     ("10.0.0.1", False), ("::ffff:10.0.0.1", False), ("localhost", False), ("", False)],
)  # fmt: skip
def test_loopback_addresses(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_the_token_limit_slides_over_a_minute() -> None:
    now = [0.0]
    limiter = RateLimiter(clock=lambda: now[0])
    assert limiter.admit("k", 100, 1000) is None
    limiter.charge("k", 600)
    now[0] = 30.0
    assert limiter.admit("k", 100, 1000) is None
    limiter.charge("k", 500)  # 1100 tokens in the last minute: the next request waits
    refusal = limiter.admit("k", 100, 1000)
    assert refusal is not None and "1000 tokens per minute" in refusal.message
    assert refusal.retry_after_s == 30  # when the first 600 leave the window
    now[0] = 60.5
    assert limiter.admit("k", 100, 1000) is None  # 500 left in the window
    assert limiter.admit("other", 100, 1000) is None  # subjects are counted apart
