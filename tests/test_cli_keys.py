"""`genguard keys create|revoke|list` and `genguard audit log` on real gateway files (in-process
through genguard.cli.run, as the other CLI tests do)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from genguard.cli import run
from genguard.storage.api_keys import KeyStore
from genguard.storage.audit_log import AuditLog


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    status = run(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_create_prints_the_secret_once_and_list_never_does(tmp_path: Path, capsys) -> None:
    storage = str(tmp_path / "gw.sqlite")
    status, out, err = _run(capsys, "keys", "create", "web app", "--rpm", "5", "--storage", storage)
    secret = out.strip()
    assert status == 0 and secret.startswith("gg-sk-") and "shown once" in err
    with KeyStore(tmp_path / "gw.sqlite") as keys:
        (key,) = keys.list()
        assert keys.authenticate(secret) == key and key.requests_per_minute == 5 and key.name == "web app"

    status, out, _ = _run(capsys, "keys", "list", "--storage", storage, "--json")
    assert status == 0 and json.loads(out)[0]["key_id"] == key.key_id and secret not in out
    status, out, _ = _run(capsys, "keys", "list", "--storage", storage)
    assert status == 0 and key.key_id in out and secret not in out

    status, out, _ = _run(capsys, "keys", "revoke", key.key_id, "--storage", storage, "--json")
    assert status == 0 and json.loads(out)["revoked"] is not None
    with KeyStore(tmp_path / "gw.sqlite") as keys:
        assert keys.authenticate(secret) is None


def test_the_config_names_the_file_and_its_policy_checks_the_profile(tmp_path: Path, capsys) -> None:
    config = tmp_path / "gateway.yaml"
    config.write_text(yaml.safe_dump({"storage": "state/gw.sqlite"}), encoding="utf-8")
    status, out, _ = _run(
        capsys, "keys", "create", "ops", "--profile", "strict", "--config", str(config), "--json"
    )
    assert status == 0 and json.loads(out)["key"]["profile"] == "strict"
    assert (tmp_path / "state" / "gw.sqlite").exists()  # relative to the config file
    status, _, err = _run(capsys, "keys", "create", "ops", "--profile", "nonesuch", "--config", str(config))
    assert status == 2 and "nonesuch" in err and len(err.strip().splitlines()) == 1


def test_audit_log_shows_rows_as_a_table_or_json_lines(tmp_path: Path, capsys) -> None:
    storage = tmp_path / "gw.sqlite"
    with AuditLog(storage) as log:
        for i, when in enumerate(["2020-01-01T00:00:00.000000Z", "2099-01-01T00:00:00.000000Z"]):
            log.append(
                {"time": when, "request_id": f"r{i}", "route": "/v1/chat/completions", "method": "POST",
                 "status": 422, "latency_ms": 3.25, "key_id": f"key_{i}", "action": "block", "rules": ["pii"]}
            )  # fmt: skip
    status, out, _ = _run(capsys, "audit", "log", "--storage", str(storage), "--json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert status == 0 and [r["request_id"] for r in lines] == ["r0", "r1"] and lines[0]["rules"] == ["pii"]
    for since in ("1h", "2021-06-01", "2021-06-01T00:00:00+02:00"):
        status, out, _ = _run(capsys, "audit", "log", "--storage", str(storage), "--json", "--since", since)
        assert status == 0 and [json.loads(line)["request_id"] for line in out.splitlines()] == ["r1"]
    status, out, _ = _run(capsys, "audit", "log", "--storage", str(storage), "--key", "key_0", "--json")
    assert [json.loads(line)["request_id"] for line in out.splitlines()] == ["r0"]
    status, out, _ = _run(capsys, "audit", "log", "--storage", str(storage), "--limit", "1")
    assert status == 0 and "key_1" in out and "key_0" not in out and "422" in out


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["audit", "log", "--since", "yesterday"], "neither a duration"),
        (["keys", "list", "--storage", "{missing}"], "not found"),
        (["keys", "revoke", "key_nope", "--storage", "{db}"], "keys list"),
        (["keys", "list", "--storage", "{db}", "--config", "{config}"], "not both"),
        (["keys", "create", "x", "--rpm", "0", "--storage", "{db}"], "--rpm"),
        (["keys", "create", "  ", "--storage", "{db}"], "key name"),
        (["keys", "list", "--config", "{config}"], "no gateway database"),
        (["audit", "log", "--storage", "{runs}"], "not a gateway store"),
    ],
)
def test_mistakes_are_one_line_and_exit_2(tmp_path: Path, capsys, argv: list[str], says: str) -> None:
    with KeyStore(tmp_path / "gw.sqlite"):
        pass
    from genguard.storage.runs import RunStore

    with RunStore(tmp_path / "runs.sqlite"):
        pass
    config = tmp_path / "gateway.yaml"
    config.write_text("storage: nowhere/gw.sqlite\n", encoding="utf-8")
    names = {"missing": tmp_path / "missing.sqlite", "db": tmp_path / "gw.sqlite", "config": config}
    names["runs"] = tmp_path / "runs.sqlite"
    status, _, err = _run(capsys, *[a.format(**names) for a in argv])
    assert status == 2 and err.startswith("error: ") and says in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "nowhere").exists()
