"""Start `genguard serve` in a child process on a free loopback port and wait until it answers.

For scripts, notebooks, tests and benchmarks that need a real gateway for a while:

    served = start_gateway(Path("out/gw"), {"audit": {"log_text": True}})
    client = openai.OpenAI(base_url=served.v1, api_key="unused-on-loopback")
    ...
    served.stop()

The config dict is written as folder/gateway.yaml (storage inside the folder unless given); the
server's output goes to folder/server-PORT.log, quoted in the error if it does not start.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import yaml

START_TIMEOUT_S = 60.0


@dataclass
class Served:
    """A running gateway: its base URL (http://127.0.0.1:PORT), folder, process and log file."""

    base_url: str
    folder: Path
    process: subprocess.Popen
    log: Path

    @property
    def v1(self) -> str:
        """The base URL for OpenAI clients."""
        return f"{self.base_url}/v1"

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Send `sig` and wait up to 20 s, then kill; nothing if it has already exited."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def start_gateway(
    folder: Path, config: dict, env: dict[str, str] | None = None, timeout: float = START_TIMEOUT_S
) -> Served:
    """A `Served` gateway once /healthz answers 200; RuntimeError (with the log's tail) if the
    process exits or does not answer within `timeout` seconds."""
    folder.mkdir(parents=True, exist_ok=True)
    config = {"storage": str(folder / "gateway.sqlite"), **config}
    path = folder / "gateway.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    port = free_port()
    log = folder / f"server-{port}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "genguard.cli", "serve", "--config", str(path), "--port", str(port)],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
    served = Served(f"http://127.0.0.1:{port}", folder, process, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the gateway exited with {process.returncode}: {log.read_text()[-2000:]}")
        if _healthy(served.base_url):
            return served
        time.sleep(0.2)
    served.stop()
    raise RuntimeError(f"the gateway did not answer /healthz in {timeout:g} s: {log.read_text()[-2000:]}")
