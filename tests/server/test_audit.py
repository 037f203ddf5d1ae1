"""The audit log and the body limit, against real servers: one row per answered request, committed
before the answer's last byte (so a SIGKILL loses no answered request), 413 for big bodies.

Most tests run `genguard serve` in a subprocess on cheap endpoints (no model loads). The streaming
ones need a route that streams without a model: they run the gateway app with one test route added
under uvicorn in a thread of this process (still a real server on a real socket).
"""

from __future__ import annotations

import asyncio
import signal
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Annotated

import httpx
import pytest
import uvicorn
from fastapi import Depends, Request
from fastapi.responses import StreamingResponse

from genguard.server import create_app, load_config
from genguard.server.audit_draft import draft
from genguard.server.auth import Caller, caller
from genguard.server.launch import free_port
from genguard.storage.audit_log import AuditLog

CHEAP = "/v1/watermark/public-key"


def _rows(served_or_path) -> list:
    path = served_or_path if isinstance(served_or_path, Path) else served_or_path.folder / "gateway.sqlite"
    with AuditLog(path) as log:
        return log.rows(limit=100_000)


def test_every_answered_request_has_exactly_one_row(serve_gateway) -> None:
    served = serve_gateway({"limits": {"requests_per_minute": 25}})
    ids, statuses = [], []
    with httpx.Client(base_url=served.base_url, timeout=30) as client:
        for i in range(30):  # 25 answered 200, then 5 refused 429: all are rows
            answer = client.get(CHEAP, headers={"x-request-id": f"req-{i}"} if i % 2 else {})
            ids.append(answer.headers["x-request-id"])
            statuses.append(answer.status_code)
        client.post(
            "/v1/provenance/query", content=b"{not json", headers={"content-type": "application/json"}
        )
        for _ in range(3):
            assert client.get("/healthz").status_code == 200  # not audited
    rows = _rows(served)
    assert len(rows) == 31
    assert [r.request_id for r in rows[:30]] == ids and ids[1] == "req-1" and len(set(ids)) == 30
    assert [r.status for r in rows[:30]] == statuses == [200] * 25 + [429] * 5
    assert rows[-1].status == 400 and rows[-1].route == "/v1/provenance/query" and rows[-1].method == "POST"
    first = rows[0]
    assert first.route == CHEAP and first.client == "127.0.0.1" and first.outcome == "complete"
    assert first.bytes_sent > 0 and first.latency_ms > 0 and first.key_id is None
    assert first.prompt_text is None and first.completion_text is None


def test_sigkill_loses_no_answered_request(serve_gateway) -> None:
    served = serve_gateway({"limits": {"requests_per_minute": 100_000}})
    answered: list[str] = []
    stop = threading.Event()

    def load() -> None:
        with httpx.Client(base_url=served.base_url, timeout=10) as client:
            while not stop.is_set():
                try:
                    answer = client.get(CHEAP)
                except httpx.HTTPError:
                    return  # the server is gone
                answered.append(answer.headers["x-request-id"])

    threads = [threading.Thread(target=load) for _ in range(4)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while len(answered) < 40 and time.monotonic() < deadline:
        time.sleep(0.05)
    served.process.send_signal(signal.SIGKILL)  # mid-load: requests in flight die with it
    served.process.wait(timeout=10)
    stop.set()
    for t in threads:
        t.join(timeout=20)
    assert len(answered) >= 40
    stored = {r.request_id for r in _rows(served)}
    assert set(answered) <= stored  # every answered request has its row (in-flight ones may too)


def test_bodies_over_the_limit_are_refused_with_413(serve_gateway) -> None:
    served = serve_gateway({"limits": {"max_body_bytes": 1_000_000}})
    url = f"{served.v1}/provenance/query"
    big = b'{"texts": ["' + b"a" * 2_000_000 + b'"]}'
    with_length = httpx.post(url, content=big, headers={"content-type": "application/json"}, timeout=30)
    assert with_length.status_code == 413
    assert with_length.json()["error"]["code"] == "body_too_large"
    assert "1000000 bytes" in with_length.json()["error"]["message"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(40):
            yield b"a" * 64_000

    chunked = httpx.post(url, content=chunks(), headers={"content-type": "application/json"}, timeout=30)
    assert chunked.status_code == 413 and "max_body_bytes" in chunked.json()["error"]["message"]
    small = httpx.post(url, json={"texts": ["a" * 900_000]}, timeout=30)
    assert small.status_code == 404  # under the limit it reaches the route (no index configured)
    assert [r.status for r in _rows(served)] == [413, 413, 404]
    assert httpx.get(f"{served.base_url}/healthz").status_code == 200  # the server is fine


# --- streaming: the gateway app plus one streaming test route, under uvicorn in a thread ------------


class _Threaded:
    def __init__(self, tmp: Path, log_text: bool, limits: dict | None = None) -> None:
        self.storage = tmp / "gateway.sqlite"
        config = load_config(None, storage=self.storage, audit={"log_text": log_text}, limits=limits or {})
        self.app = create_app(config)
        self.app.add_api_route("/v1/test/stream", _stream, methods=["GET"])
        port = free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        self.server = uvicorn.Server(
            uvicorn.Config(self.app, host="127.0.0.1", port=port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)

    def rows_when(self, count: int) -> list:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            rows = _rows(self.storage)
            if len(rows) >= count:
                return rows
            time.sleep(0.05)
        return _rows(self.storage)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)


async def _stream(
    request: Request, who: Annotated[Caller, Depends(caller)], chunks: int = 5, pause: float = 0.05
) -> StreamingResponse:
    draft(request).update(
        model="test-model", action="annotate", rules=["pii"], prompt_tokens=3, completion_tokens=chunks,
        prompt_text="the prompt", completion_text="the answer",
    )  # fmt: skip

    async def events() -> AsyncIterator[bytes]:
        for i in range(chunks):
            yield f"data: {i}\n\n".encode()
            await asyncio.sleep(pause)

    return StreamingResponse(events(), media_type="text/event-stream")


@pytest.fixture
def threaded(tmp_path: Path) -> Iterator:
    started: list[_Threaded] = []

    def start(log_text: bool = False, limits: dict | None = None) -> _Threaded:
        started.append(_Threaded(tmp_path / f"t{len(started)}", log_text, limits))
        return started[-1]

    yield start
    for server in started:
        server.stop()


def test_a_stream_gets_its_row_when_it_ends_with_the_routes_fields(threaded) -> None:
    server = threaded(log_text=False)
    answer = httpx.get(f"{server.base_url}/v1/test/stream", params={"chunks": 4}, timeout=30)
    assert answer.status_code == 200 and answer.text.count("data:") == 4
    (row,) = server.rows_when(1)
    assert row.request_id == answer.headers["x-request-id"] and row.outcome == "complete"
    assert row.bytes_sent == len(answer.content) and row.latency_ms >= 4 * 50 * 0.9
    assert (row.model, row.action, row.rules, row.prompt_tokens, row.completion_tokens) == (
        "test-model", "annotate", ["pii"], 3, 4,
    )  # fmt: skip
    assert row.prompt_text is None and row.completion_text is None  # audit.log_text is off

    logged = threaded(log_text=True)
    httpx.get(f"{logged.base_url}/v1/test/stream", params={"chunks": 1}, timeout=30)
    (row,) = logged.rows_when(1)
    assert (row.prompt_text, row.completion_text) == ("the prompt", "the answer")


def test_a_client_that_leaves_mid_stream_still_gets_a_row(threaded) -> None:
    server = threaded()
    with socket.create_connection(("127.0.0.1", int(server.base_url.rsplit(":", 1)[1]))) as sock:
        sock.sendall(b"GET /v1/test/stream?chunks=200&pause=0.02 HTTP/1.1\r\nHost: x\r\n\r\n")
        received = sock.recv(4096)
        assert b"200 OK" in received
    (row,) = server.rows_when(1)
    assert row.status == 200 and row.outcome == "disconnected"
    assert 0 < row.bytes_sent < 200 * len(b"data: 100\n\n")


def test_tokens_are_charged_when_the_request_ends(threaded) -> None:
    server = threaded(limits={"tokens_per_minute": 10, "requests_per_minute": 100})
    url = f"{server.base_url}/v1/test/stream"
    # Each answer uses 3 prompt + 4 completion tokens, charged at its end: the first two start
    # under 10 tokens in the last minute (0, then 7), the third finds 14 and is refused.
    statuses = [httpx.get(url, params={"chunks": 4, "pause": 0}, timeout=30).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    refused = httpx.get(url, timeout=30)
    assert "10 tokens per minute" in refused.json()["error"]["message"]
    assert 1 <= int(refused.headers["retry-after"]) <= 60
