"""The README's "Serve it" examples work as written (against a real gateway on a free port), and
`examples/gateway_demo.py`, the second half of `make demo`, runs to the end."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.server.conftest import Served, start_gateway

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]


def serve_section_blocks() -> dict[str, str]:
    """The fenced code blocks of the README's "Serve it" section, by language."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Serve it", 1)[1].split("\n## ", 1)[0]
    return {lang: code for lang, code in re.findall(r"```(bash|python)\n(.*?)```", section, re.S)}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Served:
    gw = start_gateway(tmp_path_factory.mktemp("readme"), {})
    yield gw
    gw.stop()


def _on(served: Served, code: str) -> str:
    return code.replace("http://127.0.0.1:8000", served.base_url)


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_curl_examples_answer(served: Served, tmp_path: Path) -> None:
    script = _on(served, serve_section_blocks()["bash"])
    proc = subprocess.run(
        ["bash", "-e", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    chat, check = _json_values(proc.stdout)  # curl prints each body without a newline
    key_id = chat["genguard"]["watermark"]["key_id"]
    # The example is seeded, so its answer is the same on every run (an unseeded one came back
    # empty once in a loaded suite run, with no log left to say why).
    assert chat["choices"][0]["message"]["content"] and key_id, chat
    assert check["verdicts"][0]["action"] == "block"
    assert json.loads((tmp_path / "gateway.pub").read_text())["key_id"] == key_id


def _json_values(text: str) -> list:
    decoder, values, at = json.JSONDecoder(), [], 0
    while text[at:].strip():
        value, at = decoder.raw_decode(text, at)
        values.append(value)
        while at < len(text) and text[at].isspace():
            at += 1
    return values


def test_the_python_example_answers(served: Served) -> None:
    code = _on(served, serve_section_blocks()["python"])
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "'guard':" in proc.stdout and "'watermark':" in proc.stdout


def test_the_gateway_demo_runs_to_the_end(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "gateway_demo.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "an injection: blocked (422)" in proc.stdout
    assert "POST /v1/chat/completions" in proc.stdout  # the audit log table
    assert "VALID" in proc.stdout  # the certificate verified offline by the CLI
