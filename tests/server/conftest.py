"""The real gateway for the server tests: `genguard serve` in a subprocess on a free loopback port.

`serve_gateway(config: dict, env: dict | None = None)` writes the config as YAML in a temporary
folder (storage inside it unless given), starts the server, waits for /healthz and returns a
`Served` (base_url, folder, process, log). Every server started is stopped at the end of its test.
The module-scoped `gateway` is one default server shared by the tests of a module, with
FAST_LIMITS (rate limits a test module never reaches); `fast_config(config)` adds the same limits
to a config of one's own (the `fast_limits` fixture returns it), so modules need not redefine
`gateway` just to avoid 429s. Tests of the limits themselves set their own low limits.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml

START_TIMEOUT_S = 60.0
# Rate limits high enough that no test module is refused with 429 (requests and tokens per minute).
FAST_LIMITS = {"requests_per_minute": 1_000_000, "tokens_per_minute": 100_000_000}


def fast_config(config: dict | None = None) -> dict:
    """`config` (a gateway config dict) with FAST_LIMITS under its own `limits` (its own win)."""
    config = dict(config or {})
    config["limits"] = {**FAST_LIMITS, **config.get("limits", {})}
    return config


@dataclass
class Served:
    base_url: str  # http://127.0.0.1:PORT (add /v1 for the OpenAI client)
    folder: Path
    process: subprocess.Popen
    log: Path

    @property
    def v1(self) -> str:
        return f"{self.base_url}/v1"

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gateway(folder: Path, config: dict, env: dict[str, str] | None = None) -> Served:
    """Start `genguard serve` with `config` (written to folder/gateway.yaml) on a free port."""
    folder.mkdir(parents=True, exist_ok=True)
    config = {"storage": str(folder / "gateway.sqlite"), **config}
    path = folder / "gateway.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    port = free_port()
    log = folder / f"server-{port}.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "genguard.cli", "serve", "--config", str(path), "--port", str(port)],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
    )
    served = Served(f"http://127.0.0.1:{port}", folder, process, log)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the gateway exited with {process.returncode}: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{served.base_url}/healthz", timeout=2).status_code == 200:
                return served
        except httpx.HTTPError:
            time.sleep(0.2)
    served.stop()
    tail = log.read_text()[-2000:]
    raise RuntimeError(f"the gateway did not answer /healthz in {START_TIMEOUT_S} s: {tail}")


@pytest.fixture
def serve_gateway(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    started: list[Served] = []

    def start(config: dict | None = None, env: dict[str, str] | None = None, name: str = "gw") -> Served:
        served = start_gateway(tmp_path / f"{name}{len(started)}", config or {}, env)
        started.append(served)
        return served

    yield start
    for served in started:
        served.stop()


@pytest.fixture
def fast_limits() -> Callable[[dict | None], dict]:
    """`fast_config`: a config dict with rate limits no test reaches, e.g.
    `serve_gateway(fast_limits({"audit": {"log_text": True}}))`."""
    return fast_config


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One gateway with the default config (embedded model, default profile, watermark on) and
    FAST_LIMITS, shared by the tests of a module."""
    served = start_gateway(tmp_path_factory.mktemp("gateway"), fast_config())
    yield served
    served.stop()
