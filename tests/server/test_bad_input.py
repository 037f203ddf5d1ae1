"""Bad input against the real gateway (`genguard serve` in a subprocess): every mistake is answered
with the right status in OpenAI's error shape, memory stays bounded under 10 MB bodies, the server
keeps serving afterwards and the audit log has a readable row for every answered request.

Config files with errors and a missing key file are covered in test_config.py.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from genguard.errors import InvalidInputError
from genguard.server.launch import Served, start_gateway
from genguard.storage.api_keys import KeyStore
from genguard.storage.audit_log import AuditLog
from genguard.watermark.detector import MAX_Z_THRESHOLD, WatermarkDetector
from tests.server.conftest import fast_config

MODEL = "genguard-default"
HI = [{"role": "user", "content": "hi"}]
JSON = {"content-type": "application/json"}
TIMEOUT = 120.0  # the first guard check loads its scorers
SURROGATE_CHAT = (
    b'{"model": "genguard-default", "max_tokens": 2, "messages": [{"role": "user", "content": "\\ud800"}]}'
)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    gateway = start_gateway(tmp_path_factory.mktemp("bad_input"), fast_config())
    yield gateway
    gateway.stop()


# Answered request ids of this module, checked against the audit log by the last test.
ANSWERED: list[str] = []


def _send(served: Served, method: str, path: str, **kwargs: Any) -> httpx.Response:
    response = httpx.request(method, served.base_url + path, timeout=TIMEOUT, **kwargs)
    ANSWERED.append(response.headers["x-request-id"])
    return response


def _assert_openai_error(response: httpx.Response, status: int, code: str | None = None) -> dict:
    """The error object of `response`, after checking its status and OpenAI's error shape."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert isinstance(error["message"], str) and error["message"] and "\n" not in error["message"]
    assert "Traceback" not in error["message"]
    if code is not None:
        assert error["code"] == code
    return error


# (name, path, request kwargs, status, code, words the message must hold)
CASES = [
    (
        "invalid JSON",
        "/v1/guard/check",
        {"content": b'{"texts": [', "headers": JSON},
        400,
        "invalid_request",
        "not valid JSON",
    ),
    ("texts not a list", "/v1/guard/check", {"json": {"texts": "abc"}}, 400, "invalid_request", "texts"),
    (
        "certify not a boolean",
        "/v1/watermark/detect",
        {"json": {"texts": ["a b"], "certify": "yes"}},
        400,
        "invalid_request",
        "certify",
    ),
    (
        "unknown field",
        "/v1/guard/check",
        {"json": {"texts": ["a"], "stagee": "input"}},
        400,
        "invalid_request",
        "stagee",
    ),
    (
        "invalid UTF-8 bytes",
        "/v1/guard/check",
        {"content": b'{"texts": ["\xff\xfe bad"]}', "headers": JSON},
        400,
        "invalid_request",
        "UTF-8",
    ),
    (
        "lone surrogate",
        "/v1/watermark/detect",
        {"content": b'{"texts": ["\\ud800 x"]}', "headers": JSON},
        400,
        "invalid_request",
        "texts.0",
    ),
    (
        "text/plain body",
        "/v1/guard/check",
        {"content": b'{"texts": ["hello"]}', "headers": {"content-type": "text/plain"}},
        400,
        "invalid_request",
        "Content-Type: application/json",
    ),
    (
        "form body",
        "/v1/watermark/detect",
        {"data": {"texts": "hello"}},
        400,
        "invalid_request",
        "application/x-www-form-urlencoded",
    ),
    ("empty body", "/v1/guard/check", {"content": b"", "headers": JSON}, 400, "invalid_request", "empty"),
    ("array body", "/v1/guard/check", {"json": [1, 2]}, 400, "invalid_request", "not an array"),
    (
        "nested too deep",
        "/v1/guard/check",
        {"content": b"[" * 100_000 + b"]" * 100_000, "headers": JSON},
        400,
        "invalid_request",
        "JSON",
    ),
    ("empty texts list", "/v1/guard/check", {"json": {"texts": []}}, 400, "invalid_request", "texts"),
    ("empty text", "/v1/watermark/detect", {"json": {"texts": [""]}}, 400, "invalid_request", "texts.0"),
    (
        "z_threshold too high",
        "/v1/watermark/detect",
        {"json": {"texts": ["a b"], "z_threshold": 38}},
        400,
        "invalid_request",
        "z_threshold",
    ),
    (
        "unknown model",
        "/v1/chat/completions",
        {"json": {"model": "nope", "messages": HI}},
        404,
        "model_not_found",
        "nope",
    ),
    (
        "missing messages",
        "/v1/chat/completions",
        {"json": {"model": MODEL}},
        400,
        "invalid_request",
        "messages",
    ),
    (
        "empty messages",
        "/v1/chat/completions",
        {"json": {"model": MODEL, "messages": []}},
        400,
        "invalid_request",
        "messages",
    ),
    (
        "n > 1",
        "/v1/chat/completions",
        {"json": {"model": MODEL, "messages": HI, "n": 2}},
        400,
        "invalid_request",
        "n",
    ),
    (
        "huge max_tokens",
        "/v1/chat/completions",
        {"json": {"model": MODEL, "messages": HI, "max_tokens": 10**30}},
        400,
        "max_tokens_too_large",
        "limit",
    ),
    (
        "max_tokens not a number",
        "/v1/completions",
        {"json": {"model": MODEL, "prompt": "hi", "max_tokens": "five"}},
        400,
        "invalid_request",
        "max_tokens",
    ),
    (  # OpenAI's API refuses numbers in strings too; coercing would hide a client's bug
        "max_tokens a numeric string",
        "/v1/chat/completions",
        {"json": {"model": MODEL, "messages": HI, "max_tokens": "5"}},
        400,
        "invalid_request",
        "max_tokens",
    ),
    (
        "stream a string",
        "/v1/chat/completions",
        {"json": {"model": MODEL, "messages": HI, "stream": "false"}},
        400,
        "invalid_request",
        "stream",
    ),
    (
        "two prompts",
        "/v1/completions",
        {"json": {"model": MODEL, "prompt": ["a", "b"]}},
        400,
        "invalid_request",
        "prompt",
    ),
    (
        "unknown profile",
        "/v1/guard/check",
        {"json": {"texts": ["a"], "profile": "nope"}},
        404,
        "unknown_profile",
        "nope",
    ),
]


@pytest.mark.parametrize(
    ("path", "kwargs", "status", "code", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_a_bad_request_is_an_openai_error_that_says_what_was_wrong(
    served: Served, path: str, kwargs: dict, status: int, code: str, words: str
) -> None:
    error = _assert_openai_error(_send(served, "POST", path, **kwargs), status, code)
    assert words in error["message"]


def test_unknown_paths_and_methods_are_openai_errors(served: Served) -> None:
    _assert_openai_error(_send(served, "GET", "/v1/guard/check"), 405, "method_not_allowed")
    _assert_openai_error(_send(served, "GET", "/v1/nothing"), 404, "not_found")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/chat/completions", SURROGATE_CHAT),
        (
            "/v1/chat/completions",
            b'{"model": "genguard-default", "max_tokens": 2, "messages": [{"role": "user", '
            b'"content": [{"type": "text", "text": "a \\udfff"}]}]}',
        ),
        ("/v1/completions", b'{"model": "genguard-default", "max_tokens": 2, "prompt": ["\\ud800"]}'),
    ],
    ids=["message", "text part", "prompt"],
)
def test_a_lone_surrogate_in_a_prompt_is_a_400(served: Served, path: str, body: bytes) -> None:
    """JSON can carry an unpaired UTF-16 surrogate (\\ud800) that no tokenizer can take: a 400
    naming it, never a 500 from deep inside the guard."""
    response = _send(served, "POST", path, content=body, headers=JSON)
    error = _assert_openai_error(response, 400, "invalid_request")
    assert "surrogate" in error["message"]


def _memory_kb(pid: int) -> dict[str, int]:
    """VmRSS (resident now) and VmHWM (peak resident) of process `pid`, in kB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return {name: int(fields[name].split()[0]) for name in ("VmRSS", "VmHWM")}


def test_ten_megabyte_bodies_are_413_and_memory_stays_bounded(serve_gateway) -> None:
    """On a fresh server (no model or scorer loaded, so its peak RSS is low), 10 MB bodies with a
    Content-Length and chunked ones are refused with 413 without being held in memory: the peak
    resident size grows by less than one such body."""
    served = serve_gateway(fast_config())
    big = b"x" * 10_000_000

    def chunked() -> Iterator[bytes]:
        for start in range(0, len(big), 100_000):
            yield big[start : start + 100_000]

    def refuse_all() -> None:
        for path in ("/v1/chat/completions", "/v1/guard/check", "/v1/watermark/detect"):
            for content in (big, chunked()):
                response = httpx.post(served.base_url + path, content=content, headers=JSON, timeout=TIMEOUT)
                _assert_openai_error(response, 413, "body_too_large")

    refuse_all()  # the first refusals import and allocate what any request needs
    before = _memory_kb(served.process.pid)
    refuse_all()
    refuse_all()
    after = _memory_kb(served.process.pid)
    assert after["VmHWM"] - before["VmHWM"] < 5_000, (before, after)
    assert after["VmRSS"] - before["VmRSS"] < 5_000, (before, after)
    assert httpx.get(served.base_url + "/healthz", timeout=10).status_code == 200


def test_x_api_key_is_accepted_beside_bearer(serve_gateway, tmp_path: Path) -> None:
    """LiteLLM's guardrail `api_key` setting sends `x-api-key: <key>`: it authenticates like Bearer."""
    storage = tmp_path / "keys.sqlite"
    with KeyStore(storage) as keys:
        _, secret = keys.create("litellm")
    served = serve_gateway(fast_config({"storage": str(storage)}))
    url = served.base_url + "/v1/models"
    assert httpx.get(url, headers={"x-api-key": secret}, timeout=30).status_code == 200
    assert httpx.get(url, headers={"Authorization": f"Bearer {secret}"}, timeout=30).status_code == 200
    _assert_openai_error(httpx.get(url, headers={"x-api-key": "wrong"}, timeout=30), 401, "invalid_api_key")
    error = _assert_openai_error(httpx.get(url, timeout=30), 401, "missing_api_key")
    assert "x-api-key" in error["message"]
    guardrail = httpx.post(
        served.base_url + "/beta/litellm_basic_guardrail_api",
        json={"input_type": "request", "texts": ["What is the capital of France?"]},
        headers={"x-api-key": secret},
        timeout=TIMEOUT,
    )
    assert guardrail.status_code == 200 and guardrail.json()["action"] == "NONE"


def test_the_detector_refuses_a_z_threshold_whose_level_underflows() -> None:
    with pytest.raises(InvalidInputError, match="at most 37"):
        WatermarkDetector(None, vocab_size=1000, z_threshold=38.0)
    with pytest.raises(InvalidInputError):
        WatermarkDetector(None, vocab_size=1000, z_threshold=float("nan"))
    detector = WatermarkDetector(None, vocab_size=1000, z_threshold=MAX_Z_THRESHOLD)
    assert 0 < detector.alpha < 1e-290
    detection = detector.detect_ids([list(range(50))])[0]
    assert detection.decision == "insufficient_evidence" and detection.min_tokens_needed > 50


def test_the_gateway_keeps_serving_and_every_answer_has_a_readable_audit_row(served: Served) -> None:
    ok = _send(served, "POST", "/v1/guard/check", json={"texts": ["What is the capital of France?"]})
    assert ok.status_code == 200 and ok.json()["verdicts"][0]["action"] == "allow"
    storage = served.folder / "gateway.sqlite"
    with sqlite3.connect(storage) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with AuditLog(storage) as audit:
        rows = {row.request_id: row for row in audit.rows(limit=10_000)}
    missing = [rid for rid in ANSWERED if rid not in rows]
    assert not missing, f"{len(missing)} answered requests have no audit row"
    assert all(rows[rid].status in (200, 400, 404, 405, 500) for rid in ANSWERED)
