"""Schemathesis against the OpenAPI schema served by a real gateway (`genguard serve` in a
subprocess): generated requests, valid and invalid, never get a 5xx, and every response conforms to
the schema (documented status code, content type, headers and body).

- Every operation: the `schemathesis run` CLI with all its checks and all its phases (examples,
  coverage, fuzzing, stateful), 25 examples per operation. A protected index is configured so that
  /v1/provenance/query reaches the library rather than a 404.
- /v1/chat/completions and /v1/completions again, through Schemathesis' Python API with the served
  model's name put into every generated body (the CLI's random names are all 404s, which never
  reach the model), 8 examples each; the gateway caps new tokens at 4 (limits.max_tokens), so each
  generation is short.

Bounded (about a minute on 2 cores). Runs without GENGUARD_ADMIN_KEY (the /admin routes answer
their documented 403), so no key is ever created and the gateway stays in loopback-only mode.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from genguard.provenance.index import ProtectedIndex
from genguard.server.launch import Served, start_gateway
from tests.server.conftest import fast_config

pytestmark = pytest.mark.slow

MODEL = "genguard-default"
# A schema-valid prompt may still be refused by the policy (422, documented; random text often reads
# as toxic to the guard), so 422 is an expected answer to valid data here. So is 400 for now: the
# served schema does not carry limits.max_tokens as the maximum of max_tokens (openai_schema.py), so
# a schema-valid max_tokens above the configured limit is refused (max_tokens_too_large).
ACCEPTED = ["2xx", "400", "401", "403", "404", "422", "429"]
PROTECTED = (
    "The lighthouse keeper climbed the ninety-one steps each evening at dusk, trimmed the wick, and "
    "wrote the weather into a ledger that no one had read in forty years."
)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("fuzz")
    with ProtectedIndex(folder / "protected.sqlite") as index:
        index.add([PROTECTED], keys=["lighthouse"])
    config = fast_config(
        {
            "limits": {"max_tokens": 4},
            "watermark": {"min_new_tokens": 0},
            "provenance": {"index": str(folder / "protected.sqlite")},
        }
    )
    with pytest.MonkeyPatch.context() as env:
        env.delenv("GENGUARD_ADMIN_KEY", raising=False)  # the server inherits this environment
        gateway = start_gateway(folder / "gateway", config)
    yield gateway
    gateway.stop()


def test_every_operation_answers_as_its_schema_says(served: Served) -> None:
    cli = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    assert cli is not None, "schemathesis is a dev dependency; install the dev extras"
    command = [
        cli, "run", f"{served.base_url}/openapi.json",
        "--checks", "all",
        "--max-examples", "25",
        "--workers", "1",
        "--seed", "1",
        "--request-timeout", "120",
        "--no-color",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-8000:]
    assert "Test cases:" in output and " 0 passed" not in output


@pytest.fixture(scope="module")
def api_schema(served: Served) -> schemathesis.BaseSchema:
    config = schemathesis.Config.from_dict(
        {"checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}}}
    )
    return schemathesis.openapi.from_url(f"{served.base_url}/openapi.json", config=config)


@pytest.mark.parametrize("path", ["/v1/chat/completions", "/v1/completions"])
def test_the_generating_operations_answer_as_their_schema_says(
    api_schema: schemathesis.BaseSchema, path: str
) -> None:
    operation = api_schema[path]["POST"]
    statuses: list[int] = []

    @given(case=operation.as_strategy())
    @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    def check(case: schemathesis.Case) -> None:
        if isinstance(case.body, dict):
            case.body["model"] = MODEL
            # Not streamed for now: /v1/completions documents its event stream as {"type": "string"},
            # and Schemathesis validates each SSE event against it (ST108; openai_schema.py).
            case.body["stream"] = False
        statuses.append(case.call_and_validate(timeout=300).status_code)

    check()
    assert statuses and all(status < 500 for status in statuses)
    assert 200 in statuses or 422 in statuses, f"no example reached the model: {statuses}"
