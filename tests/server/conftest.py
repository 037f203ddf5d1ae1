"""The real gateway for the server tests: `genguard serve` in a subprocess on a free loopback port
(genguard.server.launch, which the load benchmark and the demo use too).

`serve_gateway(config: dict, env: dict | None = None)` writes the config as YAML in a temporary
folder (storage inside it unless given), starts the server, waits for /healthz and returns a
`Served` (base_url, folder, process, log). Every server started is stopped at the end of its test.
The module-scoped `gateway` is one default server shared by the tests of a module, with
FAST_LIMITS (rate limits a test module never reaches); `fast_config(config)` adds the same limits
to a config of one's own (the `fast_limits` fixture returns it), so modules need not redefine
`gateway` just to avoid 429s. Tests of the limits themselves set their own low limits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from genguard.server.launch import Served, start_gateway
from genguard.watermark.keys import WatermarkKey, key_id_for

# Rate limits high enough that no test module is refused with 429 (requests and tokens per minute).
FAST_LIMITS = {"requests_per_minute": 1_000_000, "tokens_per_minute": 100_000_000}


def fast_config(config: dict | None = None) -> dict:
    """`config` (a gateway config dict) with FAST_LIMITS under its own `limits` (its own win)."""
    config = dict(config or {})
    config["limits"] = {**FAST_LIMITS, **config.get("limits", {})}
    return config


@pytest.fixture(scope="session")
def fixed_watermark_key() -> Callable[[Path], WatermarkKey]:
    """A function that writes the fixed key (hash key 1,234,567, Ed25519 secret bytes 0..31) to
    `folder`/gateway.key.json, where a gateway started in `folder` would make its own, and returns it."""

    def put(folder: Path) -> WatermarkKey:
        signing = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
        key = WatermarkKey(key_id_for(signing.public_key()), hash_key=1_234_567, signing_key=signing)
        key.save(folder / "gateway.key.json")
        return key

    return put


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
