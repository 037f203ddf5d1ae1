"""The gateway config: defaults, paths relative to the file, and errors that name the line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from genguard.errors import ConfigError, KeyFileError
from genguard.server.config import DEFAULT_MODEL_NAME, load_config
from genguard.server.state import load_or_create_key


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "gateway.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_serve_the_embedded_model_with_the_default_profile_and_the_watermark_on() -> None:
    config = load_config(None)
    assert [m.name for m in config.models] == [DEFAULT_MODEL_NAME]
    assert config.models[0].backend == "local" and config.models[0].watermark
    assert config.guard.profile == "default" and config.host == "127.0.0.1"


def test_relative_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "storage: db/gw.sqlite\nprovenance: {index: idx.sqlite}\n"))
    assert config.storage == tmp_path / "db/gw.sqlite"
    assert config.provenance.index == tmp_path / "idx.sqlite"
    assert config.key_file == tmp_path / "db/gateway.key.json"


def test_overrides_from_the_command_line_win(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "port: 9000\n"), port=9100, host=None)
    assert config.port == 9100 and config.host == "127.0.0.1"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("port: 8000\nlimits:\n  max_tokens: 0\n", "line 3: limits.max_tokens"),
        (
            "models:\n  - name: a\n  - name: b\n    backend: upstream\n",
            "line 3: models.1: an upstream model needs base_url",
        ),
        ("models:\n  - name: a\n  - name: a\n", "models: model names must be unique; repeated: a"),
        ("guard:\n  profle: strict\n", "line 2: guard.profle: Extra inputs are not permitted"),
        ("port: [1, 2\n", "not valid YAML"),
        ("- just\n- a list\n", "line 1: the gateway config must be a mapping"),
        ("# nothing but a comment\n", "is empty; give at least one setting"),
        ("watermark:\n  gamma: 1.5\n", "line 2: watermark.gamma"),
    ],
)
def test_errors_name_the_line_and_the_field(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected.replace(".", r"\.").replace("[", r"\[")):
        load_config(write(tmp_path, text))


def test_a_file_that_is_not_utf8_or_missing_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"port: 8000\nhost: \xff\xfe\n")
    with pytest.raises(ConfigError, match=r"not valid UTF-8 \(byte 17, line 2"):
        load_config(bad)
    with pytest.raises(ConfigError, match=r"gateway config .*missing\.yaml not found"):
        load_config(tmp_path / "missing.yaml")


def test_a_configured_key_file_that_is_missing_is_refused_and_none_is_made(tmp_path: Path) -> None:
    missing = tmp_path / "keys" / "wm.json"
    config = load_config(write(tmp_path, f"watermark: {{key_file: {missing}}}\n"))
    with pytest.raises(KeyFileError, match="does not exist; make one with `genguard watermark keygen"):
        load_or_create_key(config)
    assert not missing.exists()


def test_without_a_key_file_one_is_made_once_and_kept(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "storage: gw.sqlite\n"))
    first = load_or_create_key(config)
    second = load_or_create_key(config)
    assert first.key_id == second.key_id and first.hash_key == second.hash_key
    assert (config.key_file.stat().st_mode & 0o777) == 0o600


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("limits: {max_tokens: -1}\n", "line 1: limits.max_tokens"),
        ("watermark: {key_file: /nonexistent/k.json}\n", "does not exist"),
    ],
)
def test_serve_with_a_bad_config_exits_2_with_one_line(tmp_path: Path, text: str, expected: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "genguard.cli", "serve", "--config", str(write(tmp_path, text))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0] and "Traceback" not in proc.stderr
